"""Reliability rules (REL0xx): the case table and the sample estates."""

from __future__ import annotations

from pathlib import Path

import pytest

from auditor.engine.baseline import load_baseline
from auditor.engine.registry import all_rules
from auditor.errors import InputError
from auditor.model import Level, Status
from tests import estates
from tests.cases.common import (
    StatusCase,
    assert_case,
    assert_compliant_estates_only_pass,
    assert_drifted_estates_fail,
    assert_every_rule_has_pass_fail_and_not_assessed_cases,
    assert_every_rule_is_in_both_baselines,
    baseline_copy,
    case_params,
    drifted_findings,
)
from tests.cases.reliability import CASES
from tests.conftest import BASELINES, audit_resources

FAMILY = "reliability"


@pytest.mark.parametrize(("case", "variant"), case_params(CASES))
def test_case(case: StatusCase, variant: str, tmp_path: Path) -> None:
    assert_case(case, variant, tmp_path)


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert_every_rule_has_pass_fail_and_not_assessed_cases(FAMILY, CASES)


def test_every_rule_is_in_both_baselines() -> None:
    assert_every_rule_is_in_both_baselines(FAMILY)
    for name in (BASELINES[v] for v in estates.VARIANTS):
        assert load_baseline(name).rules["REL010"].level is Level.RECOMMENDED, name


def test_compliant_estates_only_pass(variant: str) -> None:
    assert_compliant_estates_only_pass(FAMILY, variant)


def test_drifted_estates_fail(variant: str) -> None:
    # one plan instance and no zone redundancy, one online instance, one search replica, LRS storage
    assert_drifted_estates_fail(FAMILY, variant, {"REL001", "REL002", "REL003", "REL005", "REL009"})


@pytest.mark.parametrize("value", [0, -1, "3", True, 2.5])
def test_invalid_count_parameter_is_an_error(value: object, tmp_path: Path) -> None:
    # Checked when the baseline loads: the audit never runs on a count it cannot apply.
    baseline = baseline_copy("aistudio", "REL005", {"min_replicas": value}, tmp_path)
    with pytest.raises(InputError, match=r"REL005: parameter min_replicas must be"):
        audit_resources(estates.compliant("aistudio"), baseline=str(baseline))


def test_remediations_say_what_to_do_without_zones() -> None:
    rules = all_rules()
    for rid in ("REL001", "REL004", "REL005", "REL006", "REL007", "REL009", "REL011"):
        assert "no availability zones" in rules[rid].remediation, rid


def test_foundry_drifted_sample_fails_each_model_drift() -> None:
    # tests.foundry.models.drift: a second deployment, regional Standard, capacity 10, auto-upgraded.
    found = drifted_findings(FAMILY, "foundry")
    failing = {(f.rule_id, f.resource_id.rsplit("/", 1)[-1]) for f in found if f.status is Status.FAIL}
    assert {("REL013", "chat-fallback"), ("REL050", "chat-fallback"), ("REL051", "chat-fallback")} <= failing
    passing = {(f.rule_id, f.resource_id.rsplit("/", 1)[-1]) for f in found if f.status is Status.PASS}
    assert {("REL050", "chat-agent-model"), ("REL051", "chat-agent-model")} <= passing


def test_foundry_house_reliability() -> None:
    # The house passes the shared plan, gateway and public IP rules; tests.foundry.house.drift turns the
    # plan's zone redundancy off and leaves client affinity at its default.
    result = audit_resources(estates.compliant("foundry"), "foundry")
    house = {"REL001", "REL002", "REL007", "REL008", "REL009", "REL011", "REL012", "REL052"}
    found = [f for f in result.findings if f.rule_id in house]
    assert {f.rule_id for f in found} == house
    assert {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    drifted = drifted_findings(FAMILY, "foundry")
    failing = {(f.rule_id, f.resource_id.rsplit("/", 1)[-1]) for f in drifted if f.status is Status.FAIL}
    assert {("REL001", "asp-chat"), ("REL052", "app-chat-ui")} <= failing
