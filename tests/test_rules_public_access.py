"""Public-access rules (PUB0xx): the case table, the sample estates and the TLS policy table."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.baseline import load_baseline
from auditor.engine import run_audit
from auditor.model import Level, Status
from auditor.registry import all_rules
from auditor.rules.public_access_web import ssl_policy_minimum
from auditor.snapshot import Snapshot
from tests import estates
from tests.cases.private_endpoints import Case, check, run
from tests.cases.public_access import CASES
from tests.conftest import BASELINES, audit_resources

FAMILY = "public-access"
PARAMS = [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in CASES for v in c.variants]


@pytest.mark.parametrize(("case", "variant"), PARAMS)
def test_case(case: Case, variant: str, tmp_path: Path) -> None:
    found = run(case, variant, tmp_path)
    check(case, variant, found)
    for f in found:
        json.dumps([f.expected, f.actual])  # the JSON report must be able to carry them


def family_rules() -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == FAMILY]


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    for rid in family_rules():
        seen = {c.expect for c in CASES if c.rule == rid}
        assert {"pass", "fail", "not_assessed"} <= seen, rid


def test_every_rule_is_in_both_baselines() -> None:
    for name in BASELINES.values():
        assert set(family_rules()) <= set(load_baseline(name).rules), name


def test_levels_follow_the_references() -> None:
    hub, aml = (load_baseline(BASELINES[v]) for v in ("aistudio", "aml"))
    # Shared keys: off on the hub variant's app storage, on in the ML-workspace reference.
    assert hub.rules["PUB012"].level == Level.REQUIRED and aml.rules["PUB012"].level == Level.RECOMMENDED
    # Not set by any reference: purge protection; FTPS only by the current reference.
    for baseline in (hub, aml):
        assert baseline.rules["PUB014"].level == Level.RECOMMENDED
        assert baseline.rules["PUB017"].level == Level.RECOMMENDED
    assert hub.rules["PUB006"].params == {"accept_firewall_deny": False}
    assert aml.rules["PUB006"].params == {"accept_firewall_deny": True}


def test_compliant_estates_only_pass(variant: str) -> None:
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == FAMILY]
    assert {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    expected = set(family_rules())
    if variant == "aistudio":
        expected.discard("PUB005")  # the hub variant has no compute instance
    assert {f.rule_id for f in found} == expected


def test_drifted_estates_fail(variant: str) -> None:
    result = run_audit(
        Snapshot.from_data(estates.drifted_snapshot(variant)), load_baseline(BASELINES[variant]), "t"
    )
    failing = {f.rule_id for f in result.findings if f.control.value == FAMILY and f.status == Status.FAIL}
    assert {"PUB003", "PUB008", "PUB009", "PUB010", "PUB013", "PUB017", "PUB020"} <= failing


@pytest.mark.parametrize(
    ("policy", "minimum"),
    [
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20150501"}, "TLSv1_0"),
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20170401"}, "TLSv1_1"),
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20170401S"}, "TLSv1_2"),
        ({"policyType": "predefined", "policyName": "appgwsslpolicy20220101"}, "TLSv1_2"),
        ({"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101S"}, "TLSv1_2"),
        ({"policyType": "Predefined", "policyName": "SomethingNew"}, None),
        ({"policyType": "CustomV2", "minProtocolVersion": "TLSv1_3"}, "TLSv1_3"),
        ({"policyType": "Custom"}, None),
        ({"disabledSslProtocols": ["TLSv1_0"]}, "TLSv1_1"),
        ({"disabledSslProtocols": []}, "TLSv1_0"),
        (None, None),
    ],
)
def test_ssl_policy_minimum(policy: object, minimum: str | None) -> None:
    assert ssl_policy_minimum(policy)[0] == minimum
