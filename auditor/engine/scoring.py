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
from dataclasses import dataclass, field
from typing import Any

from auditor.model import Control, Finding, Level, Status


@dataclass
class Tally:
    passed: int = 0
    failed: int = 0
    not_assessed: int = 0
    waived: int = 0
    errors: int = 0
    pass_weight: float = 0.0
    fail_weight: float = 0.0

    @property
    def assessed(self) -> int:
        return self.passed + self.failed

    @property
    def active(self) -> bool:
        """Whether any required finding fell in this tally (reports skip empty families)."""
        return bool(self.assessed or self.not_assessed or self.waived or self.errors)

    @property
    def score(self) -> float | None:
        total = self.pass_weight + self.fail_weight
        if total == 0:
            return None
        return round(100.0 * self.pass_weight / total, 1)

    @property
    def coverage(self) -> float:
        judged = self.assessed + self.waived
        considered = judged + self.not_assessed + self.errors
        return round(judged / considered, 4) if considered else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "score": self.score,
            "coverage": self.coverage,
            "passed": self.passed,
            "failed": self.failed,
            "not_assessed": self.not_assessed,
            "waived": self.waived,
            "error": self.errors,
        }


@dataclass
class ScoreCard:
    overall: Tally = field(default_factory=Tally)
    controls: dict[Control, Tally] = field(default_factory=dict)
    recommended_failed: int = 0

    @property
    def score(self) -> float:
        value = self.overall.score
        return 0.0 if value is None else value

    @property
    def coverage(self) -> float:
        return self.overall.coverage


def score(findings: Iterable[Finding], weights: Mapping[str, float] | None = None) -> ScoreCard:
    weights = weights or {}
    card = ScoreCard(controls={c: Tally() for c in Control})
    for f in findings:
        if f.level is Level.RECOMMENDED:
            if f.status is Status.FAIL:
                card.recommended_failed += 1
            continue
        weight = f.severity.weight * weights.get(f.rule_id, 1.0)
        for tally in (card.overall, card.controls[f.control]):
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
    return card
