"""The JSON report: the contract other tools build on (schema in report.schema.json)."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

import jsonschema

from auditor.errors import InputError, first_line
from auditor.files import read_json
from auditor.model import AuditReport, RuleInfo, WorkloadReport

from . import PLAIN, RenderOptions

SCHEMA_VERSION = "1.3"


def report_dict(result: AuditReport) -> dict[str, Any]:
    """The report as the JSON document the schema describes."""
    card = result.card
    out: dict[str, Any] = {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": result.tool.name, "version": result.tool.version},
        "baseline": {
            "name": result.baseline.name,
            "version": result.baseline.version,
            "variant": result.baseline.variant,
        },
        "scope": dict(result.scope),
        "generated_at": result.generated_at,
        # What the gate judges: the worst workload's score and coverage when there are several; the
        # summary below sums every workload's findings (its score is of them all together).
        "score": result.score,
        "coverage": result.coverage,
        "summary": {**card.overall.to_dict(), "recommended_failed": card.recommended_failed},
        "controls": {c.value: t.to_dict() for c, t in card.controls.items()},
        "findings": [f.to_dict() for f in result.findings],
        # Schema 1.x addition: the baseline's rules with their lifecycle and public sources.
        "rules": [_rule(r) for r in result.rules],
        "roles": [r.to_dict() for r in result.roles],
        "collection_errors": [dict(e) for e in result.collection_errors],
    }
    # Schema 1.2: the workloads judged one by one (worst first) and the tenant summary above them.
    out["workloads"] = [workload_dict(w) for w in result.workloads]
    # Schema 1.3: every baseline used (workloads of several variants each get their own); `baseline`
    # above is the first workload's (or the one given with --baseline).
    out["baselines"] = baselines_list(result)
    out["tenant"] = tenant_summary(result)
    out["out_of_scope"] = [p.to_dict() for p in result.placements if p.workload is None]
    if result.no_workload:
        out["no_workload"] = result.no_workload
    # Optional blocks (schema 1.x additions): present only when waivers or a gate were used.
    if result.waivers is not None:
        out["waivers"] = result.waivers.to_dict()
    if result.gate is not None:
        out["gate"] = result.gate.to_dict()
    return out


def workload_dict(w: WorkloadReport) -> dict[str, Any]:
    """One workload as the JSON report lists it: variant, baseline and why, scores and families."""
    out: dict[str, Any] = {
        "name": w.name,
        "id": w.identity,
        "variant": w.variant,
        "variant_reason": w.variant_reason,
        "baseline": {"name": w.baseline.name, "version": w.baseline.version, "variant": w.baseline.variant},
        "baseline_reason": w.baseline_reason,
        "core": w.core_id,
        "subscriptions": list(w.subscriptions),
        "resources": w.resources,
        "score": w.card.score,
        "coverage": w.card.coverage,
        "summary": {**w.card.overall.to_dict(), "recommended_failed": w.card.recommended_failed},
        "controls": {c.value: t.to_dict() for c, t in w.card.controls.items() if t.active},
    }
    if w.mismatch:
        out["mismatch"] = w.mismatch
    return out


def tenant_summary(result: AuditReport) -> dict[str, Any]:
    """Scores per workload and per subscription, worst first (a workload in two subscriptions is in both)."""
    by_sub: dict[str, list[WorkloadReport]] = {}
    for w in result.workloads:
        for sub in w.subscriptions or ("",):
            by_sub.setdefault(sub, []).append(w)
    subs = [
        {
            "subscription": sub,
            "score": min(w.card.score for w in ws),
            "workloads": [{"name": w.name, "score": w.card.score, "coverage": w.card.coverage} for w in ws],
        }
        for sub, ws in by_sub.items()
    ]
    subs.sort(key=lambda s: (s["score"], s["subscription"]))
    several = len(result.workloads) > 1
    return {
        "workloads": len(result.workloads),
        "discovery": result.discovery,
        "worst": result.workloads[0].name if result.workloads else None,
        # Schema 1.3: which figure the top-level score is, and the one of all findings together.
        "score_of": "worst workload" if several else ("workload" if result.workloads else "estate"),
        "combined": {"score": result.card.score, "coverage": result.card.coverage},
        "subscriptions": subs,
    }


def baselines_list(result: AuditReport) -> list[dict[str, Any]]:
    """Every baseline the audit used, each with the workloads judged with it."""
    out = []
    for b in result.baselines:
        names = [
            w.name for w in result.workloads if (w.baseline.name, w.baseline.version) == (b.name, b.version)
        ]
        out.append({"name": b.name, "version": b.version, "variant": b.variant, "workloads": names})
    return out


def _rule(rule: RuleInfo) -> dict[str, Any]:
    """A rule as the report lists it: id, name, family, severity, title, lifecycle, references."""
    return {
        "id": rule.id,
        "name": rule.name,
        "control": rule.control.value,
        "severity": rule.severity.value,
        "title": rule.title,
        "since": rule.since,
        "status": rule.status.value,
        "references": [{"title": ref.title, "url": ref.url} for ref in rule.references],
    }


def render(result: AuditReport, options: RenderOptions = PLAIN) -> str:
    """The JSON report, indented, with a final newline."""
    return json.dumps(report_dict(result), indent=2, default=str, allow_nan=False) + "\n"


def schema() -> dict[str, Any]:
    """The JSON Schema of the report, as shipped."""
    text = resources.files("auditor.reports").joinpath("report.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def load_report(path: str | Path, what: str = "report") -> dict[str, Any]:
    """Read a JSON report and check it against the shipped schema; anything else is an input error."""
    p = Path(path)
    return checked_report(read_json(p, what), str(p))


def checked_report(data: Any, source: str) -> dict[str, Any]:
    """Parsed JSON checked against the shipped schema; anything else is an input error naming `source`."""
    p = source
    validator = jsonschema.Draft202012Validator(schema())
    error = jsonschema.exceptions.best_match(validator.iter_errors(data))
    if error is not None:
        where = "/".join(str(part) for part in error.absolute_path) or "(top level)"
        raise InputError(f"{p}: not an auditor JSON report: at {where}: {first_line(error.message, 200)}")
    loaded: dict[str, Any] = data
    return loaded
