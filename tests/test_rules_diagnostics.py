"""Diagnostics rules (DIAG0xx): the case table and the sample estates."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.baseline import load_baseline
from auditor.engine import run_audit
from auditor.model import Status
from auditor.registry import all_rules
from auditor.snapshot import Snapshot
from tests import estates
from tests.cases.diagnostics import CASES
from tests.cases.identity import Case, run_case
from tests.conftest import BASELINES, audit_resources
from tests.test_rules_identity import check

FAMILY = "diagnostics"
PARAMS = [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in CASES for v in c.variants]


@pytest.mark.parametrize(("case", "variant"), PARAMS)
def test_case(case: Case, variant: str, tmp_path: Path) -> None:
    check(case, variant, run_case(case, variant, tmp_path))


def family_rules() -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == FAMILY]


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    for rid in family_rules():
        cases = [c for c in CASES if c.rule == rid]
        seen = {s for c in cases for s in c.expect.values()} | {c.others for c in cases if not c.expect}
        assert {"pass", "fail", "not_assessed"} <= seen, rid


def test_every_rule_is_in_both_baselines() -> None:
    for name in BASELINES.values():
        assert set(family_rules()) == {r for r in load_baseline(name).rules if r.startswith("DIAG")}, name


def test_workspace_requirement_follows_the_variant() -> None:
    # Seed 000: the ML workspace captures audit logs; seed 004: hub and project capture all logs.
    assert load_baseline(BASELINES["aml"]).rules["DIAG008"].params["category_groups"] == ["audit"]
    assert load_baseline(BASELINES["aistudio"]).rules["DIAG008"].params["category_groups"] == ["allLogs"]


def test_compliant_estates_only_pass(variant: str) -> None:
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == FAMILY]
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    assert {f.rule_id for f in found} == set(family_rules())


def test_drifted_estates(variant: str) -> None:
    result = run_audit(
        Snapshot.from_data(estates.drifted_snapshot(variant)), load_baseline(BASELINES[variant]), "t"
    )
    found = [f for f in result.findings if f.control.value == FAMILY]
    failing = {f.rule_id for f in found if f.status is Status.FAIL}
    # The vault lost its setting; the chat UI keeps only HTTP logs.
    assert {"DIAG002", "DIAG010"} <= failing
    # The 403 on the gateway's diagnostic settings: not assessed, neither fail nor pass.
    gateway = [f for f in found if f.rule_id == "DIAG005"]
    assert [f.status for f in gateway] == [Status.NOT_ASSESSED]
    assert "403" in gateway[0].message
