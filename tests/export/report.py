"""JSON reports for the export tests: a real audit of a sample estate, and a large synthetic one."""

from __future__ import annotations

import copy
import functools
import json
from typing import Any

from auditor.arm.snapshot import load_snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.reports.json_report import render
from tests import paths

DRIFTED = paths.EXAMPLES / "openai-e2e-chat-aistudio-drifted.json"


@functools.cache
def _drifted() -> str:
    report = run_audit(load_snapshot(DRIFTED), load_baseline("openai-e2e-chat-aistudio"), "test")
    return render(report)


def drifted_report() -> dict[str, Any]:
    """The JSON report of the drifted AI Studio sample, as `audit -f json` writes it (a fresh copy)."""
    loaded: dict[str, Any] = json.loads(_drifted())
    return loaded


def large_report(findings: int = 3000, message_bytes: int = 600) -> dict[str, Any]:
    """The drifted report with `findings` findings of long messages: over 1 MiB of rows in all."""
    report = drifted_report()
    template = next(f for f in report["findings"] if f["status"] == "fail")
    many = []
    for n in range(findings):
        item = copy.deepcopy(template)
        item["resource_id"] = f"{template['resource_id']}-{n:05d}"
        item["message"] = f"finding {n:05d} " + "x" * message_bytes
        many.append(item)
    report["findings"] = many
    return report
