"""Run a baseline's rules over an estate and collect scored findings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from auditor.analysis.architecture import infer_roles
from auditor.arm.estate import Estate
from auditor.arm.reads import ReadLog
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import Baseline
from auditor.engine.describe import baseline_info, role_explanations, rule_infos, tool_info
from auditor.engine.registry import Context, Rule, all_rules, crash_message
from auditor.engine.scoring import score
from auditor.errors import InputError
from auditor.model import AuditReport, BaselineInfo, Finding, Result, Status, ToolInfo, sort_key

if TYPE_CHECKING:
    from auditor.engine.waivers import Waiver

__all__ = ["AuditReport", "run_audit", "scope_of", "settle", "sort_key"]


def scope_of(snapshot: Snapshot, source: str) -> dict[str, Any]:
    """What was audited: the source, the subscriptions, the resource count (and groups, if restricted)."""
    subs = snapshot.metadata.get("subscriptions")
    # The metadata is the snapshot's word, not checked data: only a list of strings is taken.
    if not isinstance(subs, list) or not all(isinstance(s, str) for s in subs):
        found = {
            r["id"].split("/")[2] for r in snapshot.resources if r["id"].lower().startswith("/subscriptions/")
        }
        subs = sorted(found)
    scope: dict[str, Any] = {"source": source, "subscriptions": subs, "resources": len(snapshot.resources)}
    groups = snapshot.metadata.get("resource_groups")
    if isinstance(groups, list) and all(isinstance(g, str) for g in groups):
        scope["resource_groups"] = groups
    if snapshot.metadata.get("partial") is True:
        # The live read's time limit ran out: the reads it cut off are collection errors.
        scope["partial"] = True
        scope["deadline_seconds"] = snapshot.metadata.get("deadline_seconds")
    return scope


def run_audit(
    snapshot: Snapshot,
    baseline: Baseline,
    source: str,
    waivers: tuple[list[Waiver], str] | None = None,
    today: date | None = None,
    previous: Mapping[str, Any] | None = None,
    tool: ToolInfo | None = None,
    workload: str = "",
    workload_id: str = "",
    described: BaselineInfo | None = None,
) -> AuditReport:
    """Run the baseline; `waivers` is (waivers, file name), applied before scoring.

    `previous` (a saved JSON report) is carried into the report for the reports that
    compare; the gate is applied afterwards (`engine.gate.gated`), as a new report. `workload` (and
    `workload_id`, its identity) marks every finding with the workload judged; `described` is
    `baseline_info(baseline)` when the caller has it already (one per baseline, not one per workload).
    """
    try:
        estate = Estate(snapshot)
        roles = infer_roles(estate, baseline.roles)
    except (AttributeError, KeyError, TypeError, ValueError) as exc:
        # The snapshot parsed as JSON but a resource has the wrong shape (a list where ARM
        # returns an object, say): that is bad input, not a crash.
        raise InputError(f"malformed resource in the snapshot: {type(exc).__name__}: {exc}") from None
    catalogue = all_rules()
    findings: list[Finding] = []
    for rule_id, setting in baseline.rules.items():
        rule = catalogue[rule_id]
        reads = ReadLog()
        seen = estate.reading(reads)
        ctx = Context(estate=seen, roles=roles.reading(seen), params=baseline.params_for(rule), reads=reads)
        results: list[Result] = []
        try:
            # One at a time: what the rule judged before it raised still counts.
            for result in rule.check(ctx):
                results.append(result)
        except Exception as exc:  # a crashing rule must show up, never pass silently
            results.append(Result("", "", Status.ERROR, crash_message(exc)))
        results = settle(results, estate, reads)
        findings.extend(_finding(rule, setting.level, r, workload, workload_id) for r in results)
    waiver_report = None
    judged: tuple[Finding, ...] = tuple(findings)
    if waivers is not None:
        from auditor.engine.waivers import apply_waivers

        judged, waiver_report = apply_waivers(judged, waivers[0], waivers[1], today)
    judged = tuple(sorted(judged, key=sort_key))
    weights = {rid: s.weight for rid, s in baseline.rules.items()}
    return AuditReport(
        tool=tool or tool_info(),
        baseline=described or baseline_info(baseline),
        rules=rule_infos(baseline),
        findings=judged,
        card=score(judged, weights),
        roles=role_explanations(roles),
        scope=scope_of(snapshot, source),
        generated_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        collection_errors=tuple(e.to_dict() for e in snapshot.errors),
        waivers=waiver_report,
        previous=previous,
    )


def settle(results: list[Result], estate: Estate, reads: ReadLog) -> list[Result]:
    """Downgrade verdicts the data cannot support; missing data is never a pass or a fail.

    A failure is not conclusive when a list of a type the rule looked at failed: the
    missing resources could change the picture (a gateway that would explain an open
    port, a vault the table's assignment is on), unless the rule judged that gap itself (it
    asked `Estate.gap` about the type). A pass on a resource whose body has no `properties`
    rests on an incomplete read.
    """
    gaps = estate.broad_gaps(reads.unhandled())
    reasons = [f"reading {g.resource_type} at {g.scope} failed ({g.outcome})" for g in gaps]
    if not results:
        # Nothing judged because the resources to judge could not be listed: say so, once per gap.
        return [
            Result(g.scope, g.resource_type, Status.NOT_ASSESSED, f"nothing could be judged: {why}")
            for g, why in zip(gaps, reasons, strict=True)
        ]
    settled = []
    for r in results:
        if r.status is Status.FAIL and gaps:
            r = replace(r, status=Status.NOT_ASSESSED, message=f"{r.message} (not conclusive: {reasons[0]})")
        elif r.status is Status.PASS:
            body = estate.get(r.resource_id)
            if body is not None and not isinstance(body.get("properties"), dict):
                message = f"{r.message} (not conclusive: the resource was read without its properties)"
                r = replace(r, status=Status.NOT_ASSESSED, message=message)
        settled.append(r)
    return settled


def _finding(rule: Rule, level: Any, result: Result, workload: str, workload_id: str) -> Finding:
    return Finding(
        rule_id=rule.id,
        rule_name=rule.name,
        control=rule.control,
        resource_id=result.resource_id,
        resource_type=result.resource_type,
        status=result.status,
        severity=rule.severity,
        title=rule.title,
        message=result.message,
        expected=result.expected,
        actual=result.actual,
        remediation=rule.remediation,
        rationale=rule.rationale,
        level=level,
        workload=workload,
        workload_id=workload_id,
    )
