"""The rows of the two tables: exactly the declared columns, one run id shared, stable per report."""

from __future__ import annotations

import re
import uuid

from auditor.export.rows import FINDING_COLUMNS, RUN_COLUMNS, rows_of, run_id
from tests.export.report import drifted_report

TYPES = {"string", "int", "long", "real", "boolean", "datetime", "dynamic"}
# Learn, "Logs Ingestion API in Azure Monitor": a column name starts with a letter and has at most
# 45 letters, digits and underscores; the standard columns of every table are taken.
NAME = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,44}$")
STANDARD = {
    "tenantid",
    "type",
    "id",
    "_resourceid",
    "_subscriptionid",
    "_itemid",
    "_isbillable",
    "_billedsize",
}


def test_columns_are_unique_typed_named_and_start_with_time_generated() -> None:
    for columns in (RUN_COLUMNS, FINDING_COLUMNS):
        names = [name for name, _ in columns]
        assert len(names) == len(set(names))
        assert columns[0] == ("TimeGenerated", "datetime")  # every Log Analytics table needs it
        assert {kind for _, kind in columns} <= TYPES
        assert all(NAME.match(name) for name in names)
        assert not {name.lower() for name in names} & STANDARD


def test_one_run_row_and_one_row_per_finding_sharing_the_run_id() -> None:
    report = drifted_report()
    rows = rows_of(report)
    assert list(rows.run) == [name for name, _ in RUN_COLUMNS]
    assert len(rows.findings) == len(report["findings"]) > 0
    assert uuid.UUID(rows.run_id).version == 5
    assert rows.run["RunId"] == rows.run_id
    assert {row["RunId"] for row in rows.findings} == {rows.run_id}
    for row in rows.findings:
        assert list(row) == [name for name, _ in FINDING_COLUMNS]
        assert row["TimeGenerated"] == row["GeneratedAt"] == report["generated_at"]


def test_the_run_row_carries_scope_score_counts_and_family_scores() -> None:
    report = drifted_report()
    run = rows_of(report).run
    assert run["Baseline"] == "openai-e2e-chat-aistudio"
    assert run["Score"] == report["score"] and run["Coverage"] == report["coverage"]
    assert run["Failed"] == report["summary"]["failed"] > 0
    assert run["FindingCount"] == len(report["findings"])
    assert run["Subscriptions"] == report["scope"]["subscriptions"]
    assert run["FamilyScores"] == {name: t["score"] for name, t in report["controls"].items()}
    assert run["GatePassed"] is None  # no gate was set


def test_a_family_with_nothing_assessed_has_no_score_not_full_marks() -> None:
    report = drifted_report()
    family = next(iter(report["controls"]))
    report["controls"][family] = {"score": None, "passed": 0, "failed": 0, "not_assessed": 3}
    assert rows_of(report).run["FamilyScores"][family] is None


def test_finding_rows_keep_expected_and_actual_as_json_values() -> None:
    report = drifted_report()
    finding = report["findings"][0]
    finding["expected"] = {"publicNetworkAccess": "Disabled", "rules": [1, 2]}
    finding["actual"] = None
    finding["waiver"] = {"justification": "accepted until the migration", "owner": "team"}
    row = rows_of(report).findings[0]
    assert row["Expected"] == {"publicNetworkAccess": "Disabled", "rules": [1, 2]}
    assert row["Actual"] is None
    assert row["Waiver"]["owner"] == "team"
    assert row["Family"] == finding["control"] and row["RuleId"] == finding["rule_id"]
    assert row["SubscriptionId"] == finding["resource_id"].split("/")[2]


def test_the_run_id_is_stable_per_report_and_changes_with_the_run() -> None:
    first = drifted_report()
    assert run_id(first) == run_id(drifted_report())
    for key, value in (
        ("generated_at", "2030-01-01T00:00:00+00:00"),
        ("scope", {"source": "azure", "subscriptions": ["00000000-0000-4000-8000-000000000009"]}),
        ("baseline", {"name": "openai-e2e-chat-aml", "version": "1.0"}),
        ("score", 12.5),
    ):
        other = drifted_report()
        other[key] = value
        assert run_id(other) != run_id(first), key
    fewer = drifted_report()
    fewer["findings"].pop()
    assert run_id(fewer) != run_id(first)
