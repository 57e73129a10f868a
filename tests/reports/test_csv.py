"""CSV: one row per finding, stable columns, values a spreadsheet will not run."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from auditor.model import Control, Severity, Status
from auditor.reports.csv_report import COLUMNS, render
from tests.report_samples import (
    NASTY_ID,
    finding,
    gate_estate,
    run_cli,
    sample_result,
    with_findings,
    write_json,
)


def rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_is_stable_and_one_row_per_finding() -> None:
    result = sample_result()
    text = render(result)
    assert text.splitlines()[0] == ",".join(COLUMNS)
    assert COLUMNS[:6] == ("rule_id", "rule_name", "control", "severity", "level", "status")
    parsed = rows(text)
    assert len(parsed) == len(result.findings)
    assert [r["rule_id"] for r in parsed] == [f.rule_id for f in result.findings]
    assert parsed[0]["resource_id"] == NASTY_ID  # quoting keeps commas, quotes and markup intact


def test_values_and_waiver_columns() -> None:
    parsed = {(r["rule_id"], r["resource_id"].rsplit("/", 1)[-1]): r for r in rows(render(sample_result()))}
    failing = parsed[("SMP002", "st1")]
    assert failing["status"] == "fail" and failing["severity"] == "high"
    assert json.loads(failing["expected"]) == {"publicNetworkAccess": "Disabled"}
    assert failing["waiver_justification"] == "" and failing["waiver_expired"] == ""
    waived = parsed[("SMP002", "st2")]
    assert waived["waiver_owner"] == "platform@contoso.example"
    assert waived["waiver_expires"] == "2999-12-31" and waived["waiver_expired"] == "false"
    assert parsed[("SMP003", "srch")]["waiver_expired"] == "true"


def test_formulas_are_defused() -> None:
    result = with_findings(
        sample_result(),
        [
            finding(
                "SMP001",
                Control.NSG,
                Status.FAIL,
                Severity.LOW,
                "/x/y",
                message='=HYPERLINK("http://evil","x")',
            ),
            finding("SMP002", Control.NSG, Status.FAIL, Severity.LOW, "/x/z", message="@SUM(A1)"),
            finding(
                "SMP003", Control.NSG, Status.FAIL, Severity.LOW, "/x/w", message="ordinary, with a comma"
            ),
        ],
    )
    messages = [r["message"] for r in rows(render(result))]
    assert messages == ['\'=HYPERLINK("http://evil","x")', "'@SUM(A1)", "ordinary, with a comma"]


def test_cli_writes_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    code, out, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--format", "csv"], capsys, monkeypatch, tmp_path
    )
    assert code == 0
    parsed = rows(out)
    assert [r["rule_id"] for r in parsed if r["status"] == "fail"] == ["PUB001"]


def test_recommendations_are_marked_by_their_level() -> None:
    parsed = {r["rule_id"]: r for r in rows(render(sample_result()))}
    assert (parsed["SMP004"]["status"], parsed["SMP004"]["level"]) == ("fail", "recommended")
    assert parsed["SMP008"]["level"] == "required"
