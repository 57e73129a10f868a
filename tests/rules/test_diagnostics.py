"""Diagnostics rules (DIAG0xx): the case table and the sample estates."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine.baseline import load_baseline
from auditor.model import Status
from tests import estates
from tests.cases.common import (
    ResourceCase,
    assert_case,
    assert_compliant_estates_only_pass,
    assert_every_rule_has_pass_fail_and_not_assessed_cases,
    assert_every_rule_is_in_both_baselines,
    case_params,
    drifted_findings,
)
from tests.cases.diagnostics import CASES
from tests.conftest import BASELINES, audit_resources

FAMILY = "diagnostics"


@pytest.mark.parametrize(("case", "variant"), case_params(CASES))
def test_case(case: ResourceCase, variant: str, tmp_path: Path) -> None:
    assert_case(case, variant, tmp_path)


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert_every_rule_has_pass_fail_and_not_assessed_cases(FAMILY, CASES)


def test_every_rule_is_in_both_baselines() -> None:
    assert_every_rule_is_in_both_baselines(FAMILY, prefix="DIAG")


def test_workspace_requirement_follows_the_variant() -> None:
    # Seed 000: the ML workspace captures audit logs; seed 004: hub and project capture all logs.
    assert load_baseline(BASELINES["aml"]).rules["DIAG008"].params.category_groups == ("audit",)
    assert load_baseline(BASELINES["aistudio"]).rules["DIAG008"].params.category_groups == ("allLogs",)


def test_compliant_estates_only_pass(variant: str) -> None:
    assert_compliant_estates_only_pass(FAMILY, variant)


def test_drifted_estates(variant: str) -> None:
    found = drifted_findings(FAMILY, variant)
    failing = {f.rule_id for f in found if f.status is Status.FAIL}
    # The vault lost its setting; the chat UI keeps only HTTP logs.
    assert {"DIAG002", "DIAG010"} <= failing
    # The 403 on the gateway's diagnostic settings: not assessed, neither fail nor pass.
    gateway = [f for f in found if f.rule_id == "DIAG005"]
    assert [f.status for f in gateway] == [Status.NOT_ASSESSED]
    assert "403" in gateway[0].message


def test_foundry_house_diagnostics() -> None:
    # The web app sends the Foundry reference's seven categories; the drifted sample drops one.
    result = audit_resources(estates.compliant("foundry"), "foundry")
    house = {"DIAG002", "DIAG005", "DIAG006", "DIAG010"}
    found = [f for f in result.findings if f.rule_id in house]
    assert {f.rule_id for f in found} == house
    assert {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    [web] = [f for f in drifted_findings(FAMILY, "foundry") if f.rule_id == "DIAG010"]
    assert web.status is Status.FAIL and "AppServiceAuthenticationLogs" in web.message
