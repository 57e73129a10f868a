"""CSV: one row per finding, for spreadsheets. The columns are stable; new ones are only ever appended."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from auditor.model import AuditReport, Finding

from . import PLAIN, RenderOptions
from .neutral import printable

COLUMNS = (
    "rule_id",
    "rule_name",
    "control",
    "severity",
    "level",
    "status",
    "resource_id",
    "resource_type",
    "title",
    "message",
    "expected",
    "actual",
    "remediation",
    "waiver_justification",
    "waiver_owner",
    "waiver_expires",
    "waiver_expired",
    # the workload the finding was judged in (added last, so that existing column positions hold)
    "workload",
    # its identity (subscription/resource group/core name), unique where the short name repeats
    "workload_id",
)

# A cell starting with one of these is a formula to a spreadsheet; Azure names and tags are not ours to run.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """One CSV row per finding, after a header row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for f in result.findings:
        writer.writerow([_cell(v) for v in row(f)])
    return buffer.getvalue()


def row(f: Finding) -> list[Any]:
    """The CSV cells of one finding, in the order of COLUMNS."""
    w = f.waiver or {}
    return [
        f.rule_id,
        f.rule_name,
        f.control.value,
        f.severity.value,
        f.level.value,
        f.status.value,
        f.resource_id,
        f.resource_type,
        f.title,
        f.message,
        _json(f.expected),
        _json(f.actual),
        f.remediation,
        w.get("justification", ""),
        w.get("owner", ""),
        w.get("expires", ""),
        "" if not w else str(bool(w.get("expired"))).lower(),
        f.workload,
        f.workload_id,
    ]


def _json(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, default=str, sort_keys=True)


def _cell(value: Any) -> str:
    # Direction overrides and control characters (but tab and newline) go first, then formulas.
    text = printable(value)
    return "'" + text if text.startswith(_FORMULA_START) else text
