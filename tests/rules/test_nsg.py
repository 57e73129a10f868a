"""NSG rules (NSG0xx): the case table, the sample estates, and the drift they must catch."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from auditor.engine.baseline import load_baseline
from auditor.engine.registry import all_rules
from auditor.model import Status
from tests import estates
from tests.cases.common import StatusCase as Case
from tests.cases.common import run_case
from tests.cases.nsg import CASES
from tests.conftest import BASELINES, audit_resources, findings_of

FAMILY = "nsg"
# The rules of the Foundry design's network, which the prompt flow designs do not have.
FOUNDRY_ONLY = {f"NSG0{n}" for n in range(10, 18)}
PARAMS = [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in CASES for v in c.variants]


@pytest.mark.parametrize(("case", "variant"), PARAMS)
def test_case(case: Case, variant: str, tmp_path: Path) -> None:
    found = findings_of(run_case(case, variant, tmp_path), case.rule)
    statuses = sorted(f.status.value for f in found)
    assert statuses == sorted(case.expect), [(f.status.value, f.message) for f in found]
    if case.contains:
        assert any(case.contains in f.message for f in found), [f.message for f in found]
    for f in found:
        json.dumps([f.expected, f.actual])  # the JSON report must be able to carry them
        assert f.resource_id and f.resource_type


def family_rules() -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == FAMILY]


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert len(family_rules()) >= 8
    for rid in family_rules():
        seen = {s for c in CASES if c.rule == rid for s in c.expect}
        assert {"pass", "fail", "not_assessed"} <= seen, rid


def test_every_rule_is_in_both_baselines() -> None:
    """Every rule of the family is in both prompt flow baselines, but those of the Foundry design's
    network (its agents' subnet, routes and firewall), which only the Foundry baseline uses."""
    foundry = set(load_baseline(BASELINES[estates.FOUNDRY]).rules)
    shared = {rid for rid in family_rules() if rid not in FOUNDRY_ONLY}
    assert foundry >= FOUNDRY_ONLY and set(family_rules()) >= FOUNDRY_ONLY
    for name in (BASELINES[v] for v in estates.VARIANTS):
        rules = set(load_baseline(name).rules)
        assert shared <= rules, name
        assert not FOUNDRY_ONLY & rules, name


def test_rules_document_themselves() -> None:
    for rid in family_rules():
        r = all_rules()[rid]
        assert r.description and r.rationale and r.remediation, rid
        assert "Microsoft Learn" in r.rationale or "github.com/Azure-Samples/" in r.rationale, rid


def test_compliant_estates_only_pass(variant: str) -> None:
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == FAMILY]
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    assert {f.rule_id for f in found} == set(family_rules()) - FOUNDRY_ONLY


def test_drifted_estates_fail_where_they_drifted(variant: str) -> None:
    result = audit_resources(estates.drift(estates.compliant(variant), variant), variant)
    failing = {
        (f.rule_id, f.resource_id.rsplit("/", 1)[-1]) for f in result.findings if f.status == Status.FAIL
    }
    # RDP from * on the jump box; the scoring subnet lost its NSG.
    assert {("NSG005", "jumpbox"), ("NSG007", "jumpbox"), ("NSG001", "scoring")} <= failing
    assert {("NSG003", "scoring"), ("NSG004", "scoring"), ("NSG007", "scoring")} <= failing
    jump = [f for f in findings_of(result, "NSG007") if f.resource_id.endswith("/jumpbox")]
    assert jump[0].actual[0]["rule"] == "Allow-RDP-Anywhere" and jump[0].actual[0]["ports"] == "3389"


def test_messages_name_the_nsg_and_the_rule() -> None:
    result = audit_resources(estates.drift(estates.compliant("aistudio"), "aistudio"), "aistudio")
    [jump] = [f for f in findings_of(result, "NSG005")]
    assert "nsg-jumpbox" in jump.message and "Allow-RDP-Anywhere (priority 90)" in jump.message
    assert jump.resource_type == "Microsoft.Network/virtualNetworks/subnets"


def test_private_endpoint_policies_follow_each_reference() -> None:
    # The hub reference sets NetworkSecurityGroupEnabled on the private-endpoint subnet; the
    # ML-workspace reference leaves it unset (Disabled), so the aml baseline only recommends it.
    hub, aml = (load_baseline(BASELINES[v]) for v in ("aistudio", "aml"))
    assert hub.rules["NSG009"].level.value == "required"
    assert aml.rules["NSG009"].level.value == "recommended"
