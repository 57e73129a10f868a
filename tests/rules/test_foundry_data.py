"""The Foundry baseline's data-store and protection rules on the Foundry sample: the compliant sample
passes each of them, the drifted sample fails each drift of the data part (one test per drift)."""

from __future__ import annotations

import functools

import pytest

from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Finding, Level, Status
from tests import estates
from tests.cases.private_endpoints import foundry_vnet
from tests.conftest import BASELINES, audit_resources
from tests.foundry import AGENT_STORAGE, COSMOS, SEARCH
from tests.foundry.data import DEFENDER_AI

# The rules of this area's sections of the Foundry baseline.
DATA_RULES = {
    "PUB060", "PUB061", "PUB062", "PUB013", "IAM006", "PUB009", "PUB010", "PUB011", "PUB012", "PUB026",
    "PUB031", "PUB035", "PE001", "PE002", "PE003", "DIAG001", "DIAG002", "DIAG004", "DIAG005", "DIAG006",
    "DIAG007", "DIAG010", "DIAG020", "PUB064", "PUB065", "REL031", "REL004", "REL005", "REL009", "REL030",
}  # fmt: skip
RECOMMENDED = {"PUB062", "PUB064", "PUB065", "REL031", "REL030"}


@functools.cache
def _compliant() -> tuple[Finding, ...]:
    # The virtual network is the network part's: without it no private endpoint can be placed.
    resources = foundry_vnet(estates.compliant("foundry"), "foundry")
    return tuple(audit_resources(resources, "foundry").findings)


@functools.cache
def _drifted() -> tuple[Finding, ...]:
    snapshot = Snapshot.from_data(estates.drifted_snapshot("foundry"))
    snapshot.resources[:] = foundry_vnet(snapshot.resources, "foundry")
    return tuple(run_audit(snapshot, load_baseline(BASELINES["foundry"]), "test").findings)


def test_the_sections_select_the_rules_at_their_levels() -> None:
    baseline = load_baseline(BASELINES["foundry"])
    assert set(baseline.rules) >= DATA_RULES
    for rid in DATA_RULES:
        expected = Level.RECOMMENDED if rid in RECOMMENDED else Level.REQUIRED
        assert baseline.rules[rid].level == expected, rid


@pytest.mark.parametrize("rule_id", sorted(DATA_RULES))
def test_compliant_sample_passes(rule_id: str) -> None:
    found = [f for f in _compliant() if f.rule_id == rule_id]
    assert found, f"{rule_id} reported nothing"
    assert {f.status for f in found} == {Status.PASS}, [(f.resource_id, f.message) for f in found]


def _fails(rule_id: str, resource_id: str) -> list[Finding]:
    return [
        f
        for f in _drifted()
        if f.rule_id == rule_id and f.status is Status.FAIL and f.resource_id.lower() == resource_id.lower()
    ]


def test_drift_cosmos_local_auth_on() -> None:
    assert _fails("PUB061", COSMOS)


def test_drift_search_public() -> None:
    assert _fails("PUB013", SEARCH)


def test_drift_agent_storage_shared_key_on() -> None:
    assert _fails("PUB012", AGENT_STORAGE)


def test_drift_search_lock_removed() -> None:
    assert _fails("REL031", SEARCH)


def test_drift_defender_for_ai_free() -> None:
    assert _fails("PUB064", DEFENDER_AI)


def test_drift_cosmos_private_endpoint_gone() -> None:
    assert _fails("PE001", COSMOS)
