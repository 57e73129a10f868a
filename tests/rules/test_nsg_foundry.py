"""The Foundry design's network rules (NSG010-NSG018) on the Foundry sample: the compliant sample passes
every nsg rule of its baseline, the drifted one fails each network drift, and the roles come from
structure."""

from __future__ import annotations

import pytest

from auditor.analysis.architecture import AGENT_EGRESS, FIREWALL_SUBNETS, infer_roles
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Finding, Status
from tests import estates
from tests.conftest import BASELINES, audit_resources
from tests.foundry import network

VARIANT = estates.FOUNDRY


# The network section's rules of other families (DDoS Protection is judged by the public-access family).
NETWORK_RULES = {"PUB027"}


def nsg_findings(drifted: bool) -> list[Finding]:
    """The findings of the baseline's network section: the nsg family and NETWORK_RULES."""
    resources = estates.compliant(VARIANT)
    if drifted:
        resources = estates.drift(resources, VARIANT)
    found = audit_resources(resources, VARIANT).findings
    return [f for f in found if f.control.value == "nsg" or f.rule_id in NETWORK_RULES]


def failing(found: list[Finding]) -> set[tuple[str, str]]:
    return {(f.rule_id, f.resource_id.rsplit("/", 1)[-1]) for f in found if f.status is Status.FAIL}


def test_compliant_sample_passes_every_network_rule_of_its_baseline() -> None:
    found = nsg_findings(drifted=False)
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    enabled = {r for r in load_baseline(BASELINES[VARIANT]).rules if r.startswith("NSG")} | NETWORK_RULES
    assert {f.rule_id for f in found} == enabled
    assert enabled >= {f"NSG0{n:02d}" for n in range(1, 18)}


# Each drift of the sample's network (tests/foundry/network.py DRIFTS) and the failure that names it.
CAUGHT = {
    "the agents may reach any FQDN through the firewall": ("NSG015", "afwp-egress"),
    "the agent subnet no longer routes through the firewall": ("NSG012", "agent-egress"),
    "the route table propagates BGP routes": ("NSG013", "rt-egress-firewall"),
    "threat intelligence is off": ("NSG016", "afwp-egress"),
    "the agent subnet lost its delegation": ("NSG010", estates.SUB),
    "the private-endpoint subnet's NSG lets traffic out to the Internet": ("NSG004", "private-links"),
    "DDoS Protection is off": ("PUB027", "vnet-workload"),
}


def test_every_drift_is_named() -> None:
    assert set(CAUGHT) == set(network.DRIFTS)


@pytest.mark.parametrize("drift", network.DRIFTS)
def test_drifted_sample_fails_each_network_drift(drift: str) -> None:
    assert CAUGHT[drift] in failing(nsg_findings(drifted=True))


def test_drift_messages_name_the_rule_and_the_subnet() -> None:
    found = {f.rule_id: f for f in nsg_findings(drifted=True) if f.status is Status.FAIL}
    assert "DefaultApplicationRuleCollectionGroup/agent-egress/allow-dependencies" in found["NSG015"].message
    assert "threatIntelMode is Off" in found["NSG016"].message
    assert "subnet agent-egress: properties.routeTable is absent" in found["NSG012"].message


def test_drifted_snapshot_fails_the_same_drifts() -> None:
    snapshot = Snapshot.from_data(estates.drifted_snapshot(VARIANT))
    result = run_audit(snapshot, load_baseline(BASELINES[VARIANT]), "test")
    assert set(CAUGHT.values()) <= failing(result.findings)


def test_roles_come_from_structure_not_names() -> None:
    resources = estates.compliant(VARIANT)
    vnet = estates.find(resources, "Microsoft.Network/virtualNetworks")
    for subnet in vnet["properties"]["subnets"]:
        if subnet["name"] == "agent-egress":
            subnet["name"] = "snet-x"  # neither "agent" nor "egress" in the name
    snapshot = Snapshot.from_data(estates.snapshot_document(resources, VARIANT, drifted=False))
    estate = Estate(snapshot)
    roles = infer_roles(estate)
    assert [s.name for s in roles.subnets(AGENT_EGRESS)] == ["snet-x"]
    assert sorted(s.name for s in roles.subnets(FIREWALL_SUBNETS)) == sorted(network.FIREWALL_SUBNETS)
