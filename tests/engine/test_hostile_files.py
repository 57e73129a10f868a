"""Baselines, waiver files and project files that are broken or hostile: one line naming the file,
the line or key, and the problem (exit 2); never a crash, a hang or exhausted memory."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from auditor.engine.baseline import load_baseline
from auditor.engine.waivers import parse_waivers
from auditor.errors import InputError
from auditor.options import load_config

HEAD = "name: x\nversion: '1'\n"


def alias_bomb() -> str:
    """About 400 bytes standing for 9^9 (387 million) values."""
    lines = ['a: &a ["x","x","x","x","x","x","x","x","x"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    return "\n".join(lines) + "\n"


def _baseline(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "b.yaml"
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (HEAD + "name: y\nrules: {PUB001: {}}\n", "b.yaml:3: duplicate key 'name' (first given on line 1)"),
        (HEAD + "rules:\n  PUB001: {}\n  PUB001: {level: recommended}\n", "b.yaml:5: duplicate key 'PUB001'"),
        (
            HEAD + "rules: {PUB006: {params: {accept_firewall_deny: false, accept_firewall_deny: true}}}\n",
            "duplicate key 'accept_firewall_deny'",
        ),
        (
            HEAD + "variant: banana\nrules: {PUB001: {}}\n",
            "variant: unknown variant 'banana' (known: aistudio, aml, foundry)",
        ),
        (HEAD + "variant: 7\nrules: {PUB001: {}}\n", "unknown variant 7"),
        (
            HEAD + "roles: {subnet_patterns: {gateway: '('}}\nrules: {PUB001: {}}\n",
            "roles.subnet_patterns.gateway: not a valid regular expression",
        ),
        (
            HEAD + "roles: {subnet_patterns: {gateway: 7}}\nrules: {PUB001: {}}\n",
            "a pattern must be a string",
        ),
        (HEAD + "roles: {subnets: {a: 7}}\nrules: {PUB001: {}}\n", "roles.subnets.a: expected a role name"),
        (HEAD + "rules: {PUB001: {weight: 1.0e+308}}\n", "not 1e+308 (and at most 1,000,000)"),
        (HEAD + "rules: {PUB001: {weight: " + "9" * 5000 + "}}\n", "a value cannot be read"),
        (HEAD + "rules: " + "[" * 10_000 + "]" * 10_000 + "\n", "b.yaml"),
        (HEAD + "rules: &r {PUB001: *r}\n", "an alias refers to its own anchor"),
        (HEAD + "rules: !!python/object:os.system {}\n", "could not determine a constructor"),
        (HEAD + "rules: {PUB001: {}}\n---\nname: y\n", "expected a single document"),
        ("name: {a: 1}\nversion: '1'\nrules: {PUB001: {}}\n", "name: expected text, not dict"),
        (b"name: caf\xe9\nversion: '1'\nrules: {PUB001: {}}\n", "b.yaml: not UTF-8 text"),
    ],
)
def test_bad_baselines(tmp_path: Path, text: str | bytes, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        load_baseline(str(_baseline(tmp_path, text)))
    assert fragment in str(info.value)
    assert str(tmp_path / "b.yaml") in str(info.value) and "\n" not in str(info.value)


def test_an_alias_bomb_is_refused_fast(tmp_path: Path) -> None:
    text = alias_bomb() + HEAD + "rules: {PUB001: {}}\n"
    assert len(text) < 500
    start = time.process_time()
    with pytest.raises(
        InputError, match=r"b.yaml:\d+: not accepted: the document expands to more than 200,000"
    ):
        load_baseline(str(_baseline(tmp_path, text)))
    # A limit on expansion, not on time: the refusal comes before anything walks the data.
    assert time.process_time() - start < 30


def test_anchors_within_the_limit_still_work(tmp_path: Path) -> None:
    baseline = load_baseline(
        str(_baseline(tmp_path, HEAD + "rules: {PUB001: &d {level: recommended}, PUB002: *d}\n"))
    )
    assert baseline.rules["PUB002"].level.value == "recommended"


@pytest.mark.parametrize("value", ["", "  "])
def test_an_empty_baseline_argument_is_refused(value: str) -> None:
    with pytest.raises(InputError, match="--baseline is empty"):
        load_baseline(value)


def test_an_empty_baseline_flag_on_the_command_line(tmp_path: Path) -> None:
    """`--baseline ""` (an unset pipeline variable) ran the default baseline."""
    sample = Path(__file__).resolve().parents[2] / "examples" / "openai-e2e-chat-aml-compliant.json"
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--snapshot", str(sample), "--baseline", ""],
        capture_output=True,
        text=True,
        cwd=tmp_path,
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.strip() == (
        "auditor: error: --baseline is empty: give a shipped baseline's name or a path to a YAML file"
    )


ENTRY = (
    "- rule: PUB001\n  resource: /subscriptions/*\n  justification: j\n  owner: o\n  expires: 2030-01-01\n"
)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        (alias_bomb(), "not accepted: the document expands to more than"),
        ("waivers: []\nwaivers: []\n", "w.yaml:1: expected a list of waivers"),
        ("[" * 10_000 + "]" * 10_000, "w.yaml"),
        ("- &e {rule: *e}\n", "an alias refers to its own anchor"),
        (ENTRY.replace("2030-01-01", "9" * 5000), "'expires' must be a date"),
        (ENTRY + "---\n" + ENTRY, "expected a single document"),
    ],
)
def test_bad_waiver_files(text: str, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        parse_waivers(text, "w.yaml")
    assert (
        fragment in str(info.value) and str(info.value).startswith("w.yaml") and "\n" not in str(info.value)
    )


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("formats = " + "[" * 5000 + "]" * 5000 + "\n", "nested deeper than the parser can follow"),
        ("min-score = " + "9" * 5000 + "\n", "not accepted: Exceeds the limit (4300 digits)"),
        ("min-score = nan\n", "must be between 0 and 100"),
        ("min-score = 80\nmin-score = 90\n", "not valid TOML"),
    ],
)
def test_bad_project_files(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "auditor.toml"
    path.write_text(text)
    with pytest.raises(InputError) as info:
        load_config(path)
    assert fragment in str(info.value) and str(path) in str(info.value) and "\n" not in str(info.value)
