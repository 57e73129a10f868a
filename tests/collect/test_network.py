"""The network collector's reads of the Foundry design's egress (route tables, Azure Firewalls, firewall
policies and their rule collection groups) through azure-mgmt-network against the fake ARM server."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from auditor.arm import ids as armid
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.collect import network
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Status
from tests import estates
from tests.fakearm import FakeArm
from tests.fakearm.harness import collect
from tests.foundry import FIREWALL_POLICY
from tests.foundry import network as sample

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server

EGRESS = {t.lower() for t in sample.COLLECTED}


@pytest.fixture(scope="module")
def served() -> list[dict[str, Any]]:
    return estates.compliant(estates.FOUNDRY)


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory, served: list[dict[str, Any]]) -> Iterator[FakeArm]:
    with FakeArm(served, workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


@pytest.fixture(scope="module")
def snapshot(fake: FakeArm) -> Snapshot:
    fake.reset()
    return collect(fake, [estates.SUB])


def test_the_collector_reads_what_the_sample_declares() -> None:
    assert {t.lower() for t in network.TYPES} >= EGRESS
    assert set(sample.COLLECTED) <= set(estates.collected_types(estates.FOUNDRY))


def test_egress_resources_come_back_exactly_as_served(
    snapshot: Snapshot, served: list[dict[str, Any]]
) -> None:
    want = {armid.norm(r["id"]): r for r in served if r["type"].lower() in EGRESS}
    got = {armid.norm(r["id"]): r for r in snapshot.resources if r["type"].lower() in EGRESS}
    assert sorted(want) == sorted(got)
    assert {r["type"] for r in want.values()} == set(sample.COLLECTED)
    for key, body in want.items():
        assert got[key] == body, f"{key} changed on the way through the SDK"
    assert not [e for e in snapshot.errors if e.resource_type.lower() in EGRESS]


def test_the_firewall_diagnostics_are_read(snapshot: Snapshot) -> None:
    settings = [
        r["id"].lower()
        for r in snapshot.resources
        if r["type"] == "Microsoft.Insights/diagnosticSettings" and "/azurefirewalls/" in r["id"].lower()
    ]
    assert settings


def test_collected_egress_passes_the_network_rules(snapshot: Snapshot) -> None:
    result = run_audit(snapshot, load_baseline("microsoft-foundry-chat"), "test")
    found = [f for f in result.findings if f.rule_id in {"NSG012", "NSG013", "NSG015", "NSG016"}]
    assert {f.rule_id for f in found} == {"NSG012", "NSG013", "NSG015", "NSG016"}
    assert {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]


def test_a_denied_rule_group_list_is_a_read_error_and_not_assessed(fake: FakeArm) -> None:
    fake.reset()
    fake.add_fault("/firewallPolicies/[^/]+/ruleCollectionGroups$", 403)
    try:
        snap = collect(fake, [estates.SUB])
    finally:
        fake.reset()
    [error] = [e for e in snap.errors if e.resource_type == network.RULE_COLLECTION_GROUPS]
    assert error.status == 403 and armid.norm(error.scope) == armid.norm(
        f"{FIREWALL_POLICY}/ruleCollectionGroups"
    )
    assert not Estate(snap).children(FIREWALL_POLICY, network.RULE_COLLECTION_GROUPS)
    result = run_audit(snap, load_baseline("microsoft-foundry-chat"), "test")
    nsg015 = [f for f in result.findings if f.rule_id == "NSG015"]
    assert nsg015 and {f.status for f in nsg015} == {Status.NOT_ASSESSED}
