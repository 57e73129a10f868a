"""Reliability rules (REL0xx): the case table and the sample estates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.baseline import load_baseline
from auditor.engine import run_audit
from auditor.model import Level, Status
from auditor.registry import all_rules
from auditor.snapshot import Snapshot
from tests import estates
from tests.cases.content_filter import Case, baseline_copy, run_case
from tests.cases.reliability import CASES
from tests.conftest import BASELINES, audit_resources, findings_of

FAMILY = "reliability"

PARAMS = [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in CASES for v in c.variants]


@pytest.mark.parametrize(("case", "variant"), PARAMS)
def test_case(case: Case, variant: str, tmp_path: Path) -> None:
    found = findings_of(run_case(case, variant, tmp_path), case.rule)
    statuses = sorted(f.status.value for f in found)
    assert statuses == sorted(case.expect), [f.message for f in found]
    if case.contains:
        assert any(case.contains in f.message for f in found), [f.message for f in found]
    for f in found:
        json.dumps([f.expected, f.actual])  # the JSON report must be able to carry them


def family_rules() -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == FAMILY]


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    for rid in family_rules():
        seen = {s for c in CASES if c.rule == rid for s in c.expect}
        assert {"pass", "fail", "not_assessed"} <= seen, rid


def test_every_rule_is_in_both_baselines() -> None:
    for name in BASELINES.values():
        baseline = load_baseline(name)
        assert set(family_rules()) <= set(baseline.rules), name
        assert baseline.rules["REL010"].level is Level.RECOMMENDED


def test_compliant_estates_only_pass(variant: str) -> None:
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == FAMILY]
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    assert {f.rule_id for f in found} == set(family_rules())


def test_drifted_estates_fail(variant: str) -> None:
    snapshot = Snapshot.from_data(estates.drifted_snapshot(variant))
    result = run_audit(snapshot, load_baseline(BASELINES[variant]), "test")
    failing = {f.rule_id for f in result.findings if f.control.value == FAMILY and f.status is Status.FAIL}
    # one plan instance and no zone redundancy, one online instance, one search replica, LRS storage
    assert {"REL001", "REL002", "REL003", "REL005", "REL009"} <= failing


@pytest.mark.parametrize("value", [0, -1, "3", True, 2.5])
def test_invalid_count_parameter_is_an_error(value: object, tmp_path: Path) -> None:
    baseline = baseline_copy("aistudio", "REL005", {"min_replicas": value}, tmp_path)
    found = findings_of(audit_resources(estates.compliant("aistudio"), baseline=str(baseline)), "REL005")
    assert [f.status for f in found] == [Status.ERROR]


def test_remediations_say_what_to_do_without_zones() -> None:
    rules = all_rules()
    for rid in ("REL001", "REL004", "REL005", "REL006", "REL007", "REL009"):
        assert "no availability zones" in rules[rid].remediation, rid
