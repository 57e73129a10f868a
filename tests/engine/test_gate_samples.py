"""Issue 3's acceptance on the shipped sample estates: the gate, and waivers that let a release through."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from lxml import etree

from auditor.reports.json_report import schema
from tests import paths
from tests.report_samples import run_cli

EXAMPLES = paths.EXAMPLES
SCHEMAS = paths.SCHEMAS
VARIANTS = ("aistudio", "aml")
ALL_FORMATS = ("console", "json", "sarif", "junit", "html", "markdown", "csv")


def sample(variant: str, state: str) -> list[str]:
    """The audit arguments for a sample estate, with its variant's baseline."""
    return [
        "--snapshot",
        str(EXAMPLES / f"openai-e2e-chat-{variant}-{state}.json"),
        "--baseline",
        f"openai-e2e-chat-{variant}",
    ]


@pytest.mark.parametrize("variant", VARIANTS)
def test_compliant_sample_passes_fail_on_high(
    variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["audit", *sample(variant, "compliant"), "--fail-on", "high"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0, out
    assert out.rstrip().splitlines()[-1] == "gate passed: no failing finding at or above high"


@pytest.mark.parametrize("variant", VARIANTS)
def test_drifted_sample_fails_fail_on_high(
    variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["audit", *sample(variant, "drifted"), "--fail-on", "high"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 1
    last = out.rstrip().splitlines()[-1]
    assert last.startswith("gate FAILED: ") and last.endswith("(--fail-on)")


def high_failures(report: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        f
        for f in report["findings"]
        if f["status"] == "fail"
        and f.get("level", "required") == "required"
        and f["severity"] in ("critical", "high")
    ]


@pytest.mark.parametrize("variant", VARIANTS)
def test_waiving_every_high_finding_of_the_drifted_sample_lets_it_pass(
    variant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    drifted = sample(variant, "drifted")
    code, out, _ = run_cli(["audit", *drifted, "--format", "json"], capsys, monkeypatch, tmp_path)
    before = json.loads(out)
    targets = high_failures(before)
    assert targets, "the drifted sample must have high findings to waive"
    lines = []
    for f in targets:
        lines += [
            f"- rule: {f['rule_id']}",
            f"  resource: '{f['resource_id']}'",
            f"  justification: Accepted for the {variant} test release (CHG-7)",
            "  owner: release-manager@contoso.example",
            "  expires: 2999-12-31",
        ]
    (tmp_path / "waivers.yaml").write_text("\n".join(lines) + "\n", encoding="utf-8")

    args = ["audit", *drifted, "--fail-on", "high", "--waivers", "waivers.yaml", "--output-dir", "out"]
    # GitHub ignores suppressions, so SARIF keeps waived findings only when asked.
    args += ["--sarif-include-waived"]
    for fmt in ALL_FORMATS:
        args += ["--format", fmt]
    code, out, _ = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code == 0, out
    assert out.rstrip().splitlines()[-1] == "gate passed: no failing finding at or above high"

    reports = tmp_path / "out"
    report = json.loads((reports / "auditor-report.json").read_text())
    jsonschema.validate(report, schema())
    waived = [f for f in report["findings"] if f["status"] == "waived"]
    assert {(f["rule_id"], f["resource_id"]) for f in waived} == {
        (f["rule_id"], f["resource_id"]) for f in targets
    }
    assert all(f["waiver"]["owner"] == "release-manager@contoso.example" for f in waived)
    assert report["waivers"]["stale"] == [] and report["waivers"]["expired"] == []
    assert report["summary"]["waived"] == len(waived)

    sarif = json.loads((reports / "auditor-report.sarif").read_text())
    jsonschema.Draft4Validator(json.loads((SCHEMAS / "sarif-schema-2.1.0.json").read_text())).validate(sarif)
    suppressed = [r for r in sarif["runs"][0]["results"] if r.get("suppressions")]
    assert len(suppressed) == len(waived)
    assert all("CHG-7" in r["suppressions"][0]["justification"] for r in suppressed)

    junit = etree.parse(str(reports / "auditor-report.junit.xml"))
    assert etree.XMLSchema(etree.parse(str(SCHEMAS / "junit.xsd"))).validate(junit)
    skipped = [
        s.get("message", "") for s in junit.iter("skipped") if s.get("message", "").startswith("waived")
    ]
    assert len(skipped) == len(waived)

    html = (reports / "auditor-report.html").read_text()
    markdown = (reports / "auditor-report.md").read_text()
    console = (reports / "auditor-report.txt").read_text()
    assert html.count('data-status="waived"') == len(waived)
    assert f"Waived ({len(waived)})" in markdown
    assert (
        f"Accepted for the {variant} test release (CHG\\-7)" not in markdown
    )  # only inline syntax is escaped
    assert f"Accepted for the {variant} test release (CHG-7)" in markdown
    assert console.count("waived until 2999-12-31") == len(waived)
    rows = list(csv.DictReader((reports / "auditor-report.csv").open(newline="")))
    assert sum(r["status"] == "waived" for r in rows) == len(waived)
    assert all(
        r["waiver_owner"] == "release-manager@contoso.example" for r in rows if r["status"] == "waived"
    )
