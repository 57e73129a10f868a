"""Scores: 0-100 overall and per control family, with coverage beside them.

Each finding of a `required` rule weighs severity weight x baseline weight
(critical 10, high 5, medium 3, low 1). Score = 100 x passing weight / assessed
weight, where assessed = pass + fail. Waived findings are left out of the score
(an accepted deviation neither earns nor costs points); recommended findings are
shown but never scored. Coverage = (assessed + waived) / (assessed + waived +
not_assessed + error) over required findings: a waived finding was read and
judged. Nothing assessed means a score of 0 overall, and no score (null) for
that family: missing data is never a pass.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from auditor.model import Control, Finding, Level, ScoreCard, Status, Tally

__all__ = ["ScoreCard", "Tally", "score"]


@dataclass
class _Counts:
    """A tally while it is being counted; frozen into a Tally at the end."""

    passed: int = 0
    failed: int = 0
    not_assessed: int = 0
    waived: int = 0
    errors: int = 0
    pass_weight: float = 0.0
    fail_weight: float = 0.0

    def frozen(self) -> Tally:
        return Tally(
            passed=self.passed,
            failed=self.failed,
            not_assessed=self.not_assessed,
            waived=self.waived,
            errors=self.errors,
            pass_weight=self.pass_weight,
            fail_weight=self.fail_weight,
        )


def score(findings: Iterable[Finding], weights: Mapping[str, float] | None = None) -> ScoreCard:
    """Score the findings; `weights` are the baseline's per-rule weights (default 1)."""
    weights = weights or {}
    overall = _Counts()
    controls = {c: _Counts() for c in Control}
    recommended_failed = 0
    for f in findings:
        if f.level is Level.RECOMMENDED:
            if f.status is Status.FAIL:
                recommended_failed += 1
            continue
        weight = f.severity.weight * weights.get(f.rule_id, 1.0)
        for tally in (overall, controls[f.control]):
            if f.status is Status.PASS:
                tally.passed += 1
                tally.pass_weight += weight
            elif f.status is Status.FAIL:
                tally.failed += 1
                tally.fail_weight += weight
            elif f.status is Status.NOT_ASSESSED:
                tally.not_assessed += 1
            elif f.status is Status.WAIVED:
                tally.waived += 1
            else:
                tally.errors += 1
    return ScoreCard(
        overall=overall.frozen(),
        controls={c: t.frozen() for c, t in controls.items()},
        recommended_failed=recommended_failed,
    )
