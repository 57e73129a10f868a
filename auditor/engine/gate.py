"""The pre-release gate: turn a score, a coverage and findings into pass or fail, with the reason.

The same policy applies to a fresh audit and to a saved JSON report. Conditions:
- `min_score`: the overall score is below N;
- `fail_on`: a failing finding of a *required* rule is at or above the severity
  (recommended findings are shown but never fail the gate; waived findings are
  no longer failing; `error` and `not_assessed` count against coverage instead);
- `min_coverage`: the share of checks that could be assessed is below F.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from auditor.errors import InputError
from auditor.model import AuditReport, Blocker, GateOutcome, GatePolicy, Level, Severity, Status

__all__ = [
    "Blocker",
    "GateOutcome",
    "GatePolicy",
    "evaluate",
    "evaluate_report",
    "evaluate_result",
    "gated",
    "parse_coverage",
    "parse_min_score",
    "parse_severity",
]


def evaluate(
    policy: GatePolicy, score: float, coverage: float, findings: Iterable[tuple[str, str, str, str, str, str]]
) -> GateOutcome:
    """Apply the policy; findings are (rule_id, status, severity, level, resource_id, message)."""
    reasons: list[str] = []
    checks: list[str] = []
    blockers: list[Blocker] = []
    if policy.min_score is not None:
        if score < policy.min_score:
            reasons.append(f"score {score:.1f} is below the minimum {_num(policy.min_score)} (--min-score)")
        else:
            checks.append(f"score {score:.1f} >= {_num(policy.min_score)}")
    if policy.fail_on is not None:
        threshold = policy.fail_on
        for rule_id, status, severity, level, resource_id, message in findings:
            sev = Severity(severity)
            if status == Status.FAIL.value and level == Level.REQUIRED.value and sev.rank >= threshold.rank:
                blockers.append(Blocker(rule_id, sev, resource_id, message))
        if blockers:
            by_sev = Counter(b.severity for b in blockers)
            detail = ", ".join(f"{by_sev[s]} {s.value}" for s in Severity if by_sev[s])
            n = len(blockers)
            reasons.append(
                f"{n} failing finding{'s' if n != 1 else ''} at or above {threshold.value}"
                f" ({detail}) (--fail-on)"
            )
        else:
            checks.append(f"no failing finding at or above {threshold.value}")
    if policy.min_coverage is not None:
        have, need = _pct(coverage, policy.min_coverage), _pct(policy.min_coverage, policy.min_coverage)
        if coverage < policy.min_coverage:
            reasons.append(f"coverage {have} is below the minimum {need} (--fail-on-coverage-below)")
        else:
            checks.append(f"coverage {have} >= {need}")
    blockers.sort(key=lambda b: (-b.severity.rank, b.rule_id, b.resource_id.lower()))
    return GateOutcome(
        policy=policy,
        passed=not reasons,
        reasons=tuple(reasons),
        checks=tuple(checks),
        blockers=tuple(blockers),
    )


def evaluate_result(policy: GatePolicy, report: AuditReport) -> GateOutcome:
    """Gate a fresh audit."""
    rows = (
        (f.rule_id, f.status.value, f.severity.value, f.level.value, f.resource_id, f.message)
        for f in report.findings
    )
    # Several workloads: the worst one's score and coverage face the gate, so that a drifted copy
    # cannot hide behind a compliant one in the sum.
    cards = [w.card for w in report.workloads] if len(report.workloads) > 1 else [report.card]
    worst_score = min(c.score for c in cards)
    worst_coverage = min(c.coverage for c in cards)
    outcome = evaluate(policy, worst_score, worst_coverage, rows)
    if report.no_workload:
        reason = f"{report.no_workload} (an audit of the wrong scope must not pass)"
        outcome = replace(outcome, passed=False, reasons=(reason, *outcome.reasons))
    return outcome


def gated(report: AuditReport, policy: GatePolicy) -> AuditReport:
    """The report with the gate's outcome; the same report when no condition is set and a workload was found.

    A scope without any instance of the architecture fails the gate whatever the conditions.
    """
    if not policy.active and not report.no_workload:
        return report
    return replace(report, gate=evaluate_result(policy, report))


def evaluate_report(policy: GatePolicy, report: Mapping[str, Any]) -> GateOutcome:
    """Gate a saved JSON report (already validated against the report schema)."""
    rows = (
        (
            str(f["rule_id"]),
            str(f["status"]),
            str(f["severity"]),
            str(f.get("level", Level.REQUIRED.value)),
            str(f["resource_id"]),
            str(f["message"]),
        )
        for f in report["findings"]
    )
    # As for a fresh audit (schema 1.2): the worst workload faces the gate, and no workload fails it.
    workloads = report.get("workloads") or []
    if len(workloads) > 1:
        score = min(float(w["score"]) for w in workloads)
        coverage = min(float(w["coverage"]) for w in workloads)
    else:
        score, coverage = float(report["score"]), float(report["coverage"])
    outcome = evaluate(policy, score, coverage, rows)
    if report.get("no_workload"):
        reason = f"{report['no_workload']} (an audit of the wrong scope must not pass)"
        outcome = replace(outcome, passed=False, reasons=(reason, *outcome.reasons))
    return outcome


def parse_coverage(value: str | float) -> float:
    """Accept a share (0.9) or a percentage (90%)."""
    text = str(value).strip()
    try:
        number = float(text[:-1]) / 100 if text.endswith("%") else float(text)
    except ValueError:
        raise InputError(f"coverage threshold {value!r} is not a number like 0.9 or 90%") from None
    if not 0 <= number <= 1:
        raise InputError(f"coverage threshold {value!r} must be between 0 and 1 (or 0% and 100%)")
    return number


def parse_min_score(value: str | float) -> float:
    """A score between 0 and 100."""
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise InputError(f"minimum score {value!r} is not a number") from None
    if not 0 <= number <= 100:
        raise InputError(f"minimum score {value!r} must be between 0 and 100")
    return number


def parse_severity(value: str) -> Severity | None:
    """A severity name, or `none` to switch the condition off (for overriding a project file)."""
    text = str(value).strip().lower()
    if text == "none":
        return None
    try:
        return Severity(text)
    except ValueError:
        known = ", ".join(s.value for s in Severity)
        raise InputError(f"unknown severity {value!r} (one of {known}, or none)") from None


def _num(value: float) -> str:
    return f"{value:g}"


def _pct(fraction: float, like: float) -> str:
    """A percentage with the decimals `like` (the threshold) needs: a 99.5% minimum is never shown
    as 100%, and the coverage beside it gets the same precision."""
    places = next((p for p in range(4) if round(like * 100, p) == round(like * 100, 4)), 4)
    return f"{fraction * 100:.{places}f}%"
