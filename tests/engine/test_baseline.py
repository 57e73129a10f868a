"""Baselines: shipped ones load; broken ones are input errors naming the fault."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from auditor.engine.baseline import DEFAULT_BASELINE, load_baseline, shipped_baselines
from auditor.errors import InputError
from auditor.model import Level
from tests import paths
from tests.report_samples import run_cli


def test_shipped_baselines() -> None:
    assert set(shipped_baselines()) == {
        "openai-e2e-chat-aistudio",
        "openai-e2e-chat-aml",
        "microsoft-foundry-chat",
    }
    assert load_baseline(None).name == DEFAULT_BASELINE == "openai-e2e-chat-aistudio"
    for name in shipped_baselines():
        baseline = load_baseline(name)
        assert baseline.variant in ("aml", "aistudio", "foundry")
        assert baseline.rules


def _write(tmp_path: Path, data: object) -> str:
    path = tmp_path / "b.yaml"
    path.write_text(yaml.safe_dump(data) if not isinstance(data, str) else data)
    return str(path)


def test_copy_and_change_a_baseline(tmp_path: Path) -> None:
    data = yaml.safe_load(Path(shipped_baselines()["openai-e2e-chat-aml"]).read_text())
    data["name"] = "team-copy"
    first = next(iter(data["rules"]))
    data["rules"][first] = {"level": "recommended", "weight": 2}
    baseline = load_baseline(_write(tmp_path, data))
    assert baseline.name == "team-copy"
    assert baseline.rules[first].level is Level.RECOMMENDED
    assert baseline.rules[first].weight == 2.0


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"name": "x", "version": "1", "rules": {"NOPE999": {}}}, "unknown rule id NOPE999"),
        (
            {"name": "x", "version": "1", "rules": {"PUB001": {"params": {"bogus": 1}}}},
            "unknown parameter(s) bogus",
        ),
        ({"name": "x", "version": "1", "rules": {"PUB001": {"level": "maybe"}}}, "level must be"),
        ({"name": "x", "version": "1", "rules": {"PUB001": {"weight": -1}}}, "weight must be"),
        # YAML's .inf and .nan would make the score NaN, and `score nan >= 80` passes no gate check.
        (
            "name: x\nversion: '1'\nrules: {PUB001: {weight: .inf}}\n",
            "weight must be a finite number >= 0, not inf",
        ),
        (
            "name: x\nversion: '1'\nrules: {PUB001: {weight: .nan}}\n",
            "weight must be a finite number >= 0, not nan",
        ),
        ("name: x\nversion: '1'\nrules: {PUB001: {weight: -.inf}}\n", "not -inf"),
        ({"name": "x", "version": "1", "rules": {"PUB001": {"colour": 1}}}, "unknown setting(s) colour"),
        ({"name": "x", "version": "1", "rules": {}, "extra": 1}, "unknown key(s) extra"),
        ({"name": "x", "rules": {"PUB001": {}}}, "missing 'version'"),
        ({"name": "x", "version": "1", "rules": {"PUB001": {}}, "roles": {"x": 1}}, "'roles' may only hold"),
        ("name: [unclosed\n", "not valid YAML (line"),
        ("- a list\n", "must be a YAML mapping"),
    ],
)
def test_invalid_baselines(tmp_path: Path, data: object, fragment: str) -> None:
    with pytest.raises(InputError) as info:
        load_baseline(_write(tmp_path, data))
    assert fragment in str(info.value)


def test_unknown_baseline_name() -> None:
    with pytest.raises(
        InputError,
        match=r"unknown baseline 'nope'.*shipped: microsoft-foundry-chat, openai-e2e-chat-aistudio",
    ):
        load_baseline("nope")


def test_an_infinite_weight_cannot_open_the_gate(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy with weight .inf once made the score NaN, and `--min-score 80` let a drifted estate pass."""
    data = yaml.safe_load(Path(shipped_baselines()["openai-e2e-chat-aistudio"]).read_text())
    text = yaml.safe_dump(data).replace("weight: 1\n", "weight: .inf\n", 1)
    if ".inf" not in text:
        first = next(iter(data["rules"]))
        data["rules"][first] = {**(data["rules"][first] or {}), "weight": float("inf")}
        text = yaml.safe_dump(data)
    baseline = tmp_path / "copy.yaml"
    baseline.write_text(text, encoding="utf-8")
    drifted = paths.EXAMPLES / "openai-e2e-chat-aistudio-drifted.json"
    args = ["audit", "--snapshot", str(drifted), "--baseline", str(baseline), "--min-score", "80"]
    code, _, err = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code == 2
    assert "weight must be a finite number" in err and len(err.strip().splitlines()) == 1
