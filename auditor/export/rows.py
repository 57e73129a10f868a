"""The rows of the two Log Analytics tables: one per audit run, one per finding of it.

The column lists below are the tables' schemas: the Bicep under examples/log-analytics declares
the same columns (a test compares them), and every row has exactly these keys, in this order
(tests/export/test_rows.py checks the builders below against the lists). A run id ties a
finding row to its run row; it is derived from the report, so exporting the same report twice
gives the same id (and a query can drop the duplicate).

TimeGenerated is the audit's time; Log Analytics replaces a TimeGenerated more than two days old
with the time it received the row, so GeneratedAt keeps the audit's time whatever the export's.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.arm.ids import subscription_of

# Log Analytics column types (the data collection rule's stream declaration uses the same names).
STRING, INT, REAL, BOOLEAN, DATETIME, DYNAMIC = "string", "int", "real", "boolean", "datetime", "dynamic"

RUN_COLUMNS: tuple[tuple[str, str], ...] = (
    ("TimeGenerated", DATETIME),
    ("GeneratedAt", DATETIME),
    ("RunId", STRING),
    ("Tool", STRING),
    ("ToolVersion", STRING),
    ("Baseline", STRING),
    ("BaselineVersion", STRING),
    ("BaselineVariant", STRING),
    ("Source", STRING),
    ("Subscriptions", DYNAMIC),
    ("ResourceCount", INT),
    ("Score", REAL),
    ("Coverage", REAL),
    ("Passed", INT),
    ("Failed", INT),
    ("NotAssessed", INT),
    ("Waived", INT),
    ("Errors", INT),
    ("RecommendedFailed", INT),
    ("FindingCount", INT),
    ("FamilyScores", DYNAMIC),
    ("GatePassed", BOOLEAN),
)

FINDING_COLUMNS: tuple[tuple[str, str], ...] = (
    ("TimeGenerated", DATETIME),
    ("GeneratedAt", DATETIME),
    ("RunId", STRING),
    ("RuleId", STRING),
    ("RuleName", STRING),
    ("Family", STRING),
    ("Severity", STRING),
    ("Level", STRING),
    ("Status", STRING),
    ("ResourceId", STRING),
    ("ResourceType", STRING),
    ("SubscriptionId", STRING),
    ("Title", STRING),
    ("Message", STRING),
    ("Expected", DYNAMIC),
    ("Actual", DYNAMIC),
    ("Waiver", DYNAMIC),
    # the workload the finding was judged in: its short name and its identity (appended columns)
    ("Workload", STRING),
    ("WorkloadId", STRING),
)

# What identifies a run in a report (see run_id).
_IDENTITY = ("tool", "baseline", "scope", "generated_at", "score", "coverage", "summary", "controls")
# Names for run ids: uuid5 in a namespace of our own, so no other tool's ids collide with ours.
_NAMESPACE = uuid.UUID("1d7c1c1e-5b2e-4a55-9a43-6f0f3a9d2b61")


@dataclass(frozen=True)
class Rows:
    """The rows of one report: its run row, its finding rows, and the run id they share."""

    run_id: str
    run: dict[str, Any]
    findings: tuple[dict[str, Any], ...]


def run_id(report: Mapping[str, Any]) -> str:
    """A uuid that names the run this report records: the same report always gives the same id.

    It is derived from what identifies a run (tool, baseline, scope, time, score, coverage and
    counts), not from every finding's text, so naming a 100,000-finding run costs next to nothing.
    """
    identity = {key: report.get(key) for key in _IDENTITY}
    identity["findings"] = len(report.get("findings") or ())
    canonical = json.dumps(identity, sort_keys=True, separators=(",", ":"), default=str)
    return str(uuid.uuid5(_NAMESPACE, hashlib.sha256(canonical.encode("utf-8")).hexdigest()))


def rows_of(report: Mapping[str, Any]) -> Rows:
    """The run row and the finding rows of a JSON report (one already checked against the schema)."""
    rid = run_id(report)
    when = str(report["generated_at"])
    return Rows(
        run_id=rid,
        run=_run_row(report, rid, when),
        findings=tuple(_finding_row(f, rid, when) for f in report.get("findings") or ()),
    )


def _run_row(report: Mapping[str, Any], rid: str, when: str) -> dict[str, Any]:
    tool, baseline = report.get("tool") or {}, report.get("baseline") or {}
    scope, summary = report.get("scope") or {}, report.get("summary") or {}
    gate = report.get("gate")
    row = {
        "TimeGenerated": when,
        "GeneratedAt": when,
        "RunId": rid,
        "Tool": tool.get("name"),
        "ToolVersion": tool.get("version"),
        "Baseline": baseline.get("name"),
        "BaselineVersion": baseline.get("version"),
        "BaselineVariant": baseline.get("variant"),
        "Source": scope.get("source"),
        "Subscriptions": list(scope.get("subscriptions") or []),
        "ResourceCount": scope.get("resources"),
        "Score": report.get("score"),
        "Coverage": report.get("coverage"),
        "Passed": summary.get("passed"),
        "Failed": summary.get("failed"),
        "NotAssessed": summary.get("not_assessed"),
        "Waived": summary.get("waived"),
        "Errors": summary.get("error"),
        "RecommendedFailed": summary.get("recommended_failed"),
        "FindingCount": len(report.get("findings") or ()),
        # A family with nothing assessed has no score (null), never 100.
        "FamilyScores": {name: tally.get("score") for name, tally in (report.get("controls") or {}).items()},
        "GatePassed": None if gate is None else bool(gate.get("passed")),
    }
    return row


def _finding_row(finding: Mapping[str, Any], rid: str, when: str) -> dict[str, Any]:
    resource_id = str(finding.get("resource_id") or "")
    row = {
        "TimeGenerated": when,
        "GeneratedAt": when,
        "RunId": rid,
        "RuleId": finding.get("rule_id"),
        "RuleName": finding.get("rule_name"),
        "Family": finding.get("control"),
        "Severity": finding.get("severity"),
        "Level": finding.get("level"),
        "Status": finding.get("status"),
        "ResourceId": resource_id,
        "ResourceType": finding.get("resource_type"),
        "SubscriptionId": subscription_of(resource_id) if resource_id else None,
        "Title": finding.get("title"),
        "Message": finding.get("message"),
        "Expected": finding.get("expected"),
        "Actual": finding.get("actual"),
        "Waiver": finding.get("waiver"),
        "Workload": finding.get("workload"),
        "WorkloadId": finding.get("workload_id"),
    }
    return row
