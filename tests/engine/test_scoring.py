"""The score formula documented in the README."""

from __future__ import annotations

from auditor.engine.scoring import score
from auditor.model import Control, Finding, Level, Severity, Status


def _f(
    status: Status, severity: Severity = Severity.HIGH, control: Control = Control.NSG, **kw: object
) -> Finding:
    return Finding(
        rule_id=str(kw.get("rule_id", "NSG001")), control=control, resource_id="/x", resource_type="t",
        status=status, severity=severity, title="t", message="m", expected=None, actual=None, remediation="r",
        level=kw.get("level", Level.REQUIRED),  # type: ignore[arg-type]
    )  # fmt: skip


def test_weighted_by_severity() -> None:
    card = score([_f(Status.PASS, Severity.CRITICAL), _f(Status.FAIL, Severity.LOW)])
    assert card.score == round(100 * 10 / 11, 1)
    assert card.coverage == 1.0


def test_not_assessed_lowers_coverage_not_score() -> None:
    card = score([_f(Status.PASS), _f(Status.NOT_ASSESSED), _f(Status.ERROR), _f(Status.PASS)])
    assert card.score == 100.0
    assert card.coverage == 0.5


def test_nothing_assessed_is_zero_not_a_pass() -> None:
    card = score([_f(Status.NOT_ASSESSED)])
    assert card.score == 0.0
    assert card.controls[Control.NSG].score is None
    assert card.controls[Control.IDENTITY].score is None


def test_recommended_never_scored_and_waived_left_out() -> None:
    card = score(
        [
            _f(Status.PASS),
            _f(Status.FAIL, level=Level.RECOMMENDED),
            _f(Status.WAIVED, control=Control.IDENTITY),
        ]
    )
    assert card.score == 100.0
    assert card.recommended_failed == 1
    assert card.controls[Control.IDENTITY].waived == 1
    assert card.coverage == 1.0  # a waived finding was read: waiving never lowers coverage


def test_baseline_weights_and_families() -> None:
    findings = [_f(Status.PASS, rule_id="A"), _f(Status.FAIL, rule_id="B", control=Control.DIAGNOSTICS)]
    card = score(findings, {"A": 3.0})
    assert card.score == 75.0
    assert card.controls[Control.NSG].score == 100.0
    assert card.controls[Control.DIAGNOSTICS].score == 0.0


def test_a_weight_that_is_not_finite_never_reaches_a_score() -> None:
    import math

    import pytest

    from auditor.errors import InputError

    for weight in (math.nan, math.inf, -1.0):
        with pytest.raises(InputError, match="NSG001: weight"):
            score([_f(Status.PASS), _f(Status.FAIL)], {"NSG001": weight})
    # Each weight finite, the sum not: refused rather than scored as NaN.
    many = [_f(Status.PASS, rule_id=f"NSG{i:03d}") for i in range(1, 4)]
    with pytest.raises(InputError, match="too large to score"):
        score(many, {f"NSG{i:03d}": 1e308 for i in range(1, 4)})
