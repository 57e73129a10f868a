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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.model import Level, Severity, Status

if TYPE_CHECKING:
    from auditor.engine.run import AuditResult


@dataclass(frozen=True)
class GatePolicy:
    min_score: float | None = None
    fail_on: Severity | None = None
    min_coverage: float | None = None

    @property
    def active(self) -> bool:
        return self.min_score is not None or self.fail_on is not None or self.min_coverage is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "min_score": self.min_score,
            "fail_on": self.fail_on.value if self.fail_on else None,
            "min_coverage": self.min_coverage,
        }


@dataclass(frozen=True)
class Blocker:
    """A failing finding that trips `fail_on`, kept small so `gate` can list it."""

    rule_id: str
    severity: Severity
    resource_id: str
    message: str


@dataclass
class GateOutcome:
    policy: GatePolicy
    passed: bool
    reasons: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    blockers: list[Blocker] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1

    @property
    def message(self) -> str:
        """The one line that ends the console report."""
        if self.passed:
            return "gate passed: " + "; ".join(self.checks)
        return "gate FAILED: " + "; ".join(self.reasons)

    def to_dict(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "policy": self.policy.to_dict(),
            "reasons": self.reasons,
            "message": self.message,
        }


def evaluate(
    policy: GatePolicy, score: float, coverage: float, findings: Iterable[tuple[str, str, str, str, str, str]]
) -> GateOutcome:
    """Apply the policy; findings are (rule_id, status, severity, level, resource_id, message)."""
    outcome = GateOutcome(policy=policy, passed=True)
    if policy.min_score is not None:
        if score < policy.min_score:
            outcome.reasons.append(
                f"score {score:.1f} is below the minimum {_num(policy.min_score)} (--min-score)"
            )
        else:
            outcome.checks.append(f"score {score:.1f} >= {_num(policy.min_score)}")
    if policy.fail_on is not None:
        threshold = policy.fail_on
        for rule_id, status, severity, level, resource_id, message in findings:
            sev = Severity(severity)
            if status == Status.FAIL.value and level == Level.REQUIRED.value and sev.rank >= threshold.rank:
                outcome.blockers.append(Blocker(rule_id, sev, resource_id, message))
        if outcome.blockers:
            by_sev = Counter(b.severity for b in outcome.blockers)
            detail = ", ".join(f"{by_sev[s]} {s.value}" for s in Severity if by_sev[s])
            n = len(outcome.blockers)
            outcome.reasons.append(
                f"{n} failing finding{'s' if n != 1 else ''} at or above {threshold.value}"
                f" ({detail}) (--fail-on)"
            )
        else:
            outcome.checks.append(f"no failing finding at or above {threshold.value}")
    if policy.min_coverage is not None:
        if coverage < policy.min_coverage:
            outcome.reasons.append(
                f"coverage {coverage:.0%} is below the minimum {policy.min_coverage:.0%}"
                " (--fail-on-coverage-below)"
            )
        else:
            outcome.checks.append(f"coverage {coverage:.0%} >= {policy.min_coverage:.0%}")
    outcome.passed = not outcome.reasons
    outcome.blockers.sort(key=lambda b: (-b.severity.rank, b.rule_id, b.resource_id.lower()))
    return outcome


def evaluate_result(policy: GatePolicy, result: AuditResult) -> GateOutcome:
    rows = (
        (f.rule_id, f.status.value, f.severity.value, f.level.value, f.resource_id, f.message)
        for f in result.findings
    )
    return evaluate(policy, result.card.score, result.card.coverage, rows)


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
    return evaluate(policy, float(report["score"]), float(report["coverage"]), rows)


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
