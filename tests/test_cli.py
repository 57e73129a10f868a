"""The command line contract: exit codes, one-line errors, outputs written whole."""

from __future__ import annotations

import contextlib
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.cli import main
from auditor.engine.registry import all_rules
from auditor.reports.json_report import schema
from tests import paths

ROOT = paths.ROOT
EXAMPLES = ROOT / "examples"
DRIFTED = str(EXAMPLES / "openai-e2e-chat-aistudio-drifted.json")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real entry point in this process, as `auditor ARGS` in `cwd` would run (exit code, stdout,
    stderr): the same code path as a new process at a fraction of its start-up cost."""
    out, err = io.StringIO(), io.StringIO()
    before = os.getcwd()
    saved_argv = sys.argv
    code: int | str | None = 0
    try:
        os.chdir(cwd or ROOT)
        sys.argv = ["auditor", *args]
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                main()
            except SystemExit as exc:
                code = exc.code
    finally:
        sys.argv = saved_argv
        os.chdir(before)
    returncode = code if isinstance(code, int) else (0 if code is None else 1)
    return subprocess.CompletedProcess(["auditor", *args], returncode, out.getvalue(), err.getvalue())


def test_the_installed_entry_point_runs_as_a_process() -> None:
    """One real process, so that `python -m auditor` and the exit code path are covered end to end."""
    done = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--snapshot", "does-not-exist.json"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["auditor: error: snapshot not found: does-not-exist.json"]


def assert_one_line_error(proc: subprocess.CompletedProcess[str], code: int, fragment: str) -> None:
    assert proc.returncode == code, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith("auditor: error: ")
    assert fragment in lines[0]
    assert "Traceback" not in proc.stderr


def test_json_report_on_stdout_validates() -> None:
    proc = run("audit", "--snapshot", DRIFTED, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    jsonschema.validate(report, schema())


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (("audit", "--snapshot", "does-not-exist.json"), "snapshot not found"),
        (("audit", "--snapshot", DRIFTED, "--baseline", "nope"), "unknown baseline 'nope'"),
        (("audit", "--snapshot", DRIFTED, "--format", "pdf"), "unknown format 'pdf'"),
        (("audit", "--snapshot", DRIFTED, "--format", "json", "--format", "console"), "need --output-dir"),
        (("audit",), "give exactly one of"),
        (("audit", "--snapshot", DRIFTED, "--subscription", "x"), "give exactly one of"),
        (("audit", "--no-such-flag"), "No such option"),
        (("collect", "--output", "x.json"), "--subscription"),
    ],
)
def test_usage_errors_exit_2(args: tuple[str, ...], fragment: str) -> None:
    assert_one_line_error(run(*args), 2, fragment)


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (("audit", "--snapshot", "does-not-exist.json"), 2),
        (("audit", "--no-such-flag"), 2),
        (("audit", "--snapshot", DRIFTED, "--min-score", "99"), 1),
    ],
)
def test_debug_adds_a_traceback_and_keeps_the_exit_code(args: tuple[str, ...], code: int) -> None:
    """--debug once turned an input error (exit 2) into exit 1, which a pipeline reads as "gate failed"."""
    plain, debug = run(*args), run("--debug", *args)
    assert plain.returncode == debug.returncode == code
    if code == 2:
        assert "Traceback (most recent call last)" in debug.stderr
        assert debug.stderr.strip().splitlines()[-1] == plain.stderr.strip().splitlines()[-1]


def test_malformed_snapshot_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"resources": [')
    assert_one_line_error(run("audit", "--snapshot", str(bad)), 2, "not valid JSON")


def test_unwritable_output_keeps_existing_file(tmp_path: Path) -> None:
    existing = tmp_path / "report.json"
    existing.write_text("previous report")
    blocked = tmp_path / "dir-is-a-file"
    blocked.write_text("")
    proc = run("audit", "--snapshot", DRIFTED, "--format", "json", "--output", str(blocked / "r.json"))
    assert_one_line_error(proc, 2, "cannot write")
    assert existing.read_text() == "previous report"


def test_output_dir_and_console(tmp_path: Path) -> None:
    proc = run(
        "audit",
        "--snapshot",
        DRIFTED,
        "--format",
        "json",
        "--format",
        "console",
        "--output-dir",
        str(tmp_path),
    )
    assert proc.returncode == 0, proc.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["auditor-report.json", "auditor-report.txt"]
    assert "score" in proc.stdout.splitlines()[-1]
    jsonschema.validate(json.loads((tmp_path / "auditor-report.json").read_text()), schema())


def test_rules_and_baselines_listings() -> None:
    rules = run("rules")
    assert rules.returncode == 0 and "PUB001" in rules.stdout
    listed = json.loads(run("rules", "--format", "json").stdout)
    assert all({"id", "control", "severity", "title"} <= set(r) for r in listed)
    baselines = run("baselines")
    assert "openai-e2e-chat-aml" in baselines.stdout and "openai-e2e-chat-aistudio" in baselines.stdout
    # Each names the reference implementation's commit it encodes.
    assert "variant foundry, source Azure-Samples/microsoft-foundry-baseline@1d6dd68" in baselines.stdout
    assert "variant aml, source Azure-Samples/openai-end-to-end-baseline@a2dbce5" in baselines.stdout


def test_rules_show_status_since_and_references() -> None:
    table = run("rules").stdout
    # A column per shipped baseline says which use the rule and at which level.
    header = table.splitlines()[0].split()
    assert {"foundry", "aistudio", "aml"} <= set(header)
    listed_baselines = {r["id"]: r["baselines"] for r in json.loads(run("rules", "--format", "json").stdout)}
    for line in table.splitlines()[1:]:
        cells = line.split()
        if cells and cells[0] in listed_baselines:
            levels = [c for c in cells[5:8] if c in ("req", "rec")]
            assert len(levels) == len(listed_baselines[cells[0]]), line
    assert "status" in table and "since" in table and "stable" in table and "0.1.0" in table
    listed = json.loads(run("rules", "--format", "json").stdout)
    catalogue = all_rules()
    assert all(r["since"] == catalogue[r["id"]].since for r in listed)
    assert all(r["status"] == catalogue[r["id"]].status.value for r in listed)
    assert {r["status"] for r in listed} <= {"stable", "preview", "deprecated"}
    assert all(r["references"] and r["references"][0]["url"].startswith("https://") for r in listed)


def test_rules_doc_prints_a_rule_page() -> None:
    proc = run("rules", "--doc", "PUB001")
    assert proc.returncode == 0
    assert proc.stdout == (paths.ROOT / "docs" / "rules" / "PUB001.md").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    ("wanted", "suggested"), [("PUB01", "PUB010"), ("NSG9", "did you mean NSG00"), ("XYZ999", "rules")]
)
def test_rules_doc_of_an_unknown_rule_is_a_usage_error_naming_close_ones(wanted: str, suggested: str) -> None:
    proc = run("rules", "--doc", wanted)
    assert proc.returncode == 2 and proc.stdout == ""
    assert f"no rule '{wanted}'" in proc.stderr and suggested in proc.stderr
    assert len(proc.stderr.strip().splitlines()) == 1 and "Traceback" not in proc.stderr


def test_rules_pages_writes_one_page_per_rule(tmp_path: Path) -> None:
    proc = run("rules", "--pages", str(tmp_path / "pages"))
    assert proc.returncode == 0, proc.stderr
    written = sorted(p.name for p in (tmp_path / "pages").iterdir())
    assert written == sorted(p.name for p in (paths.ROOT / "docs" / "rules").iterdir())


def test_explain_roles_go_to_stderr_and_json_stays_clean() -> None:
    proc = run("audit", "--snapshot", DRIFTED, "--explain-roles", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert "private-endpoints" in proc.stderr and "holds" in proc.stderr
    json.loads(proc.stdout)


def test_resource_group_scope(tmp_path: Path) -> None:
    doc = json.loads(Path(DRIFTED).read_text())
    stray = {
        "id": f"/subscriptions/{doc['metadata']['subscriptions'][0]}/resourceGroups/rg-tfstate/providers/"
        "Microsoft.KeyVault/vaults/kv-tfstate",
        "type": "Microsoft.KeyVault/vaults",
        "name": "kv-tfstate",
        "properties": {"publicNetworkAccess": "Enabled", "enableRbacAuthorization": False},
    }
    doc["resources"].append(stray)
    path = tmp_path / "with-stray.json"
    path.write_text(json.dumps(doc))
    everything = json.loads(run("audit", "--snapshot", str(path), "--format", "json").stdout)
    scoped = run("audit", "--snapshot", str(path), "--format", "json", "--resource-group", "RG-CHAT-AISTUDIO")
    assert scoped.returncode == 0, scoped.stderr
    report = json.loads(scoped.stdout)
    # Without -g the stray vault is out of scope (no workload uses it), so it fails nothing either way.
    assert not any("kv-tfstate" in f["resource_id"] for f in everything["findings"])
    assert [p["resource_id"].split("/")[-1] for p in everything["out_of_scope"]] == ["kv-tfstate"]
    assert not any("kv-tfstate" in f["resource_id"] for f in report["findings"])
    assert report["scope"]["resource_groups"] == ["rg-chat-aistudio"]
    # Role assignments at subscription scope still count inside the chosen groups.
    assert any(f["rule_id"] == "IAM003" and f["status"] == "fail" for f in report["findings"])


def test_a_resource_group_the_snapshot_lacks_is_a_usage_error() -> None:
    # A typo must not audit an empty estate (score 0, every component "absent") and exit 0.
    proc = run("audit", "--snapshot", DRIFTED, "-g", "rg-chat-aistudio", "-g", "rg-typo")
    assert_one_line_error(proc, 2, "resource group rg-typo holds nothing in the snapshot")
    assert "rg-chat-aistudio" in proc.stderr


def test_output_may_not_overwrite_the_snapshot(tmp_path: Path) -> None:
    copy = tmp_path / "snap.json"
    copy.write_text(Path(DRIFTED).read_text())
    proc = run("audit", "--snapshot", str(copy), "--format", "json", "--output", str(copy))
    assert_one_line_error(proc, 2, "would overwrite the snapshot")
    assert copy.read_text() == Path(DRIFTED).read_text()


def test_bad_arm_endpoint_is_usage_error() -> None:
    proc = run("audit", "--subscription", "s", "--arm-endpoint", "ftp://example")
    assert_one_line_error(proc, 2, "--arm-endpoint must be an https URL")


def test_compare_across_baselines_warns(tmp_path: Path) -> None:
    previous = tmp_path / "prev.json"
    aml = str(EXAMPLES / "openai-e2e-chat-aml-drifted.json")
    assert (
        run("audit", "--snapshot", aml, "--baseline", "openai-e2e-chat-aml", "-o", str(previous)).returncode
        == 0
    )
    proc = run("audit", "--snapshot", DRIFTED, "--compare", str(previous), "--format", "markdown")
    assert proc.returncode == 0
    assert "warning: --compare report used baseline openai-e2e-chat-aml" in proc.stderr
    same = run("audit", "--snapshot", aml, "--baseline", "openai-e2e-chat-aml", "--compare", str(previous))
    assert "warning" not in same.stderr


@pytest.mark.parametrize(
    ("name", "check"),
    [
        ("r.json", lambda text: json.loads(text)["schema_version"]),
        ("r.sarif", lambda text: json.loads(text)["version"] == "2.1.0"),
        ("r.xml", lambda text: text.startswith("<?xml")),
        ("r.html", lambda text: "<html" in text),
        ("r.txt", lambda text: "score" in text.splitlines()[-1]),
    ],
)
def test_output_name_chooses_the_format(tmp_path: Path, name: str, check: Any) -> None:
    proc = run("audit", "--snapshot", DRIFTED, "-o", str(tmp_path / name))
    assert proc.returncode == 0, proc.stderr
    assert check((tmp_path / name).read_text())


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("json", "--output json looks like a format: did you mean --format json?"),
        ("JSON", "did you mean --format json?"),
        ("sarif", "did you mean --format sarif?"),
        ("junit", "did you mean --format junit?"),
        ("console", "did you mean --format console?"),
        ("table", "--output table looks like a format: did you mean --format console?"),
        ("tsv", "did you mean --format csv?"),
        ("jsonc", "did you mean --format json?"),
        ("yaml", "--output yaml looks like an Azure CLI output format: --format takes console, json"),
        ("none", "looks like an Azure CLI output format"),
        ("report", "--output report has no file extension"),
    ],
)
def test_output_that_names_a_format_is_refused_with_a_hint(tmp_path: Path, value: str, fragment: str) -> None:
    proc = run("audit", "--snapshot", DRIFTED, "-o", value, cwd=tmp_path)
    assert_one_line_error(proc, 2, fragment)
    assert proc.stderr.rstrip().endswith("(--output takes a file name such as report.json)")
    assert not list(tmp_path.iterdir())


def test_output_without_extension_is_fine_when_the_format_is_given(tmp_path: Path) -> None:
    proc = run("audit", "--snapshot", DRIFTED, "-f", "json", "-o", "report", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "report").read_text())["schema_version"]


def test_a_project_file_format_lets_output_be_any_name(tmp_path: Path) -> None:
    (tmp_path / "auditor.toml").write_text('formats = ["json"]\n')
    proc = run("audit", "--snapshot", DRIFTED, "-o", "json", cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads((tmp_path / "json").read_text())["schema_version"]


@pytest.mark.parametrize("flag", ["--format", "-f"])
def test_one_format_without_output_is_the_only_thing_on_stdout(flag: str) -> None:
    proc = run("audit", "--snapshot", DRIFTED, flag, "json")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("{") and proc.stdout.endswith("}\n")
    jsonschema.validate(json.loads(proc.stdout), schema())


def test_bare_auditor_prints_the_help_and_exits_0() -> None:
    proc = run()
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("Usage: ") and "audit" in proc.stdout and "collect" in proc.stdout
    assert proc.stderr == ""


def test_version() -> None:
    from auditor import __version__

    proc = run("--version")
    assert proc.returncode == 0
    assert proc.stdout.strip() == f"auditor, version {__version__}"


def test_quiet_and_verbose_together_are_refused() -> None:
    assert_one_line_error(
        run("audit", "--snapshot", DRIFTED, "-q", "-v"), 2, "--quiet or --verbose, not both"
    )


@pytest.mark.parametrize(
    ("args", "env", "escapes"),
    [
        ((), {}, True),
        (("--no-color",), {}, False),
        ((), {"NO_COLOR": "1"}, False),
        ((), {"NO_COLOR": ""}, True),
    ],
)
def test_colour_on_a_terminal_unless_no_color(
    args: tuple[str, ...],
    env: dict[str, str],
    escapes: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tests.report_samples import run_cli

    monkeypatch.delenv("NO_COLOR", raising=False)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    # The terminal path, forced: stdout says it is a TTY.
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    code, out, _ = run_cli(["audit", "--snapshot", DRIFTED, *args], capsys, monkeypatch, tmp_path)
    assert code == 0
    assert ("\x1b" in out) is escapes
    assert "score" in out


def test_a_report_of_schema_1_0_without_rules_still_loads(tmp_path: Path) -> None:
    proc = run("audit", "--snapshot", DRIFTED, "--format", "json")
    report = json.loads(proc.stdout)
    assert report["schema_version"] == "1.3"
    assert {r["id"] for r in report["rules"]} >= {f["rule_id"] for f in report["findings"]}
    assert all(r["references"] and r["since"] and r["status"] for r in report["rules"])
    jsonschema.validate(report, schema())
    old = {k: v for k, v in report.items() if k != "rules"} | {"schema_version": "1.0"}
    (tmp_path / "old.json").write_text(json.dumps(old))
    gate = run("gate", str(tmp_path / "old.json"), "--min-score", "0")
    assert gate.returncode == 0, gate.stderr
