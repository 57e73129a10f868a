"""The command line contract: exit codes, one-line errors, outputs written whole."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.reports.json_report import schema
from tests import paths

ROOT = paths.ROOT
EXAMPLES = ROOT / "examples"
DRIFTED = str(EXAMPLES / "openai-e2e-chat-aistudio-drifted.json")


def run(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "auditor", *args], capture_output=True, text=True, cwd=cwd or ROOT, timeout=120
    )


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
    assert any("kv-tfstate" in f["resource_id"] for f in everything["findings"])
    assert not any("kv-tfstate" in f["resource_id"] for f in report["findings"])
    assert report["scope"]["resource_groups"] == ["rg-chat-aistudio"]
    # Role assignments at subscription scope still count inside the chosen groups.
    assert any(f["rule_id"] == "IAM003" and f["status"] == "fail" for f in report["findings"])


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
