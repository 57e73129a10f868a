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

import math
from collections import Counter
from collections.abc import Iterable, Mapping

from auditor.errors import InputError
from auditor.model import Control, Finding, Level, ScoreCard, Status, Tally

__all__ = ["ScoreCard", "Tally", "combine", "score"]


# Which Tally field a finding of each status counts in.
_FIELD = {
    Status.PASS: "passed",
    Status.FAIL: "failed",
    Status.NOT_ASSESSED: "not_assessed",
    Status.WAIVED: "waived",
    Status.ERROR: "errors",
}


def score(findings: Iterable[Finding], weights: Mapping[str, float] | None = None) -> ScoreCard:
    """Score the findings; `weights` are the baseline's per-rule weights (default 1)."""
    weights = weights or {}
    for rule_id, weight in weights.items():
        # The guard at the score boundary: a NaN or infinite weight would make every score NaN,
        # and `score nan >= 80` lets any gate through. Baselines check this when they load.
        if isinstance(weight, bool) or not math.isfinite(weight) or weight < 0:
            raise InputError(f"rule {rule_id}: weight {weight!r} is not a finite number >= 0")
    # Counted in plain Counters, then frozen into Tallies: the report's values never change.
    overall: Counter[str] = Counter()
    controls: dict[Control, Counter[str]] = {c: Counter() for c in Control}
    recommended_failed = 0
    for f in findings:
        if f.level is Level.RECOMMENDED:
            if f.status is Status.FAIL:
                recommended_failed += 1
            continue
        weight = f.severity.weight * weights.get(f.rule_id, 1.0)
        for counts in (overall, controls[f.control]):
            counts[_FIELD[f.status]] += 1
            if f.status is Status.PASS:
                counts["pass_weight"] += weight  # type: ignore[assignment]
            elif f.status is Status.FAIL:
                counts["fail_weight"] += weight  # type: ignore[assignment]
    for counts in (overall, *controls.values()):
        for key in ("pass_weight", "fail_weight"):
            if not math.isfinite(counts[key]):
                raise InputError(f"the weights add up to {counts[key]} (too large to score)")
    return ScoreCard(
        overall=Tally(**overall),
        controls={c: Tally(**counts) for c, counts in controls.items()},
        recommended_failed=recommended_failed,
    )


def combine(cards: Iterable[ScoreCard]) -> ScoreCard:
    """The tenant's card: the sum of the workloads' tallies (each scored with its own baseline's weights)."""
    overall: Counter[str] = Counter()
    controls: dict[Control, Counter[str]] = {c: Counter() for c in Control}
    recommended_failed = 0
    for card in cards:
        recommended_failed += card.recommended_failed
        pairs = [(overall, card.overall), *((controls[c], t) for c, t in card.controls.items())]
        for counts, tally in pairs:
            for name in ("passed", "failed", "not_assessed", "waived", "errors"):
                counts[name] += getattr(tally, name)
            counts["pass_weight"] += tally.pass_weight  # type: ignore[assignment]
            counts["fail_weight"] += tally.fail_weight  # type: ignore[assignment]
    return ScoreCard(
        overall=Tally(**overall),
        controls={c: Tally(**counts) for c, counts in controls.items()},
        recommended_failed=recommended_failed,
    )
