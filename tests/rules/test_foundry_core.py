"""The Foundry account and project rules on the Foundry samples: the compliant sample passes them, the
drifted sample fails each drift the core part makes, and the roles they rest on come from structure."""

from __future__ import annotations

from auditor.analysis import foundry
from auditor.analysis.architecture import (
    AGENT_FILE_STORE,
    AGENT_THREAD_STORE,
    AGENT_VECTOR_STORE,
    FOUNDRY_ACCOUNT,
    FOUNDRY_PROJECT,
    infer_roles,
)
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Finding, Level, Status
from tests import estates
from tests.conftest import BASELINES, audit_resources
from tests.foundry import ACCOUNT, AGENT_STORAGE, COSMOS, PROJECT, PROJECT_PRINCIPAL, SEARCH, core

CORE_RULES = {"IAM005", "PUB040", "IAM020", "IAM021", "IAM022", "IAM023", "IAM024", "REL020"}


def _drifted() -> list[Finding]:
    snapshot = Snapshot.from_data(estates.drifted_snapshot("foundry"))
    return run_audit(snapshot, load_baseline(BASELINES["foundry"]), "test").findings


def _failing(found: list[Finding], rule_id: str) -> list[Finding]:
    return [f for f in found if f.rule_id == rule_id and f.status is Status.FAIL]


def test_the_core_section_requires_the_rules() -> None:
    baseline = load_baseline(BASELINES["foundry"])
    assert set(baseline.rules) >= CORE_RULES
    assert all(baseline.rules[r].level is Level.REQUIRED for r in CORE_RULES)


def test_the_compliant_sample_passes_every_core_rule() -> None:
    found = [
        f
        for f in audit_resources(estates.compliant("foundry"), "foundry").findings
        if f.rule_id in CORE_RULES
    ]
    assert {f.rule_id for f in found} == CORE_RULES
    assert {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]


def test_drift_local_auth_on() -> None:
    assert [f.resource_id for f in _failing(_drifted(), "IAM005")] == [ACCOUNT]


def test_drift_network_injection_missing() -> None:
    (hit,) = _failing(_drifted(), "PUB040")
    assert hit.resource_id == ACCOUNT and "no entry for scenario agent" in hit.message


def test_drift_api_key_connection_shared_to_all() -> None:
    (hit,) = _failing(_drifted(), "IAM023")
    assert hit.resource_id == f"{PROJECT}/connections/bingchatgrounding"


def test_drift_connection_at_account_level() -> None:
    (hit,) = _failing(_drifted(), "IAM021")
    assert hit.resource_id == ACCOUNT and "account-search" in hit.message


def test_drift_capability_host_files_in_another_storage() -> None:
    (hit,) = _failing(_drifted(), "REL020")
    assert hit.resource_id == PROJECT
    assert "storageConnections names shared-files" in hit.message and "stsharedfiles" in hit.message


def test_roles_come_from_the_capability_host_and_its_connections() -> None:
    estate = Estate(Snapshot.from_data(estates.compliant_snapshot("foundry")))
    roles = infer_roles(estate)
    assert [r["id"] for r in roles.resources(FOUNDRY_ACCOUNT)] == [ACCOUNT]
    assert [r["id"] for r in roles.resources(FOUNDRY_PROJECT)] == [PROJECT]
    assert [r["id"] for r in roles.resources(AGENT_THREAD_STORE)] == [COSMOS]
    assert [r["id"] for r in roles.resources(AGENT_FILE_STORE)] == [AGENT_STORAGE]
    assert [r["id"] for r in roles.resources(AGENT_VECTOR_STORE)] == [SEARCH]
    assert [(i.principal_id, i.kind) for i in roles.identities_of(FOUNDRY_PROJECT)] == [
        (PROJECT_PRINCIPAL, "user")
    ]
    links = foundry.store_links(estate, PROJECT)
    assert [(link.store, link.connection_name) for link in links] == [
        (foundry.THREADS, "cosmos-chat-threads"),
        (foundry.FILES, "stagentchat"),
        (foundry.VECTORS, "srch-chat-agents"),
    ]


def test_a_store_outside_the_estate_gets_no_role() -> None:
    estate = Estate(Snapshot.from_data(estates.drifted_snapshot("foundry")))
    roles = infer_roles(estate)
    assert roles.resources(AGENT_FILE_STORE) == []
    assert core.PROJECT_CAPABILITY_HOST in {link.host_id for link in foundry.store_links(estate, PROJECT)}


def test_the_prompt_flow_samples_have_no_foundry_roles() -> None:
    for variant in estates.VARIANTS:
        roles = infer_roles(Estate(Snapshot.from_data(estates.compliant_snapshot(variant))))
        assert not roles.resources(FOUNDRY_ACCOUNT) and not roles.resources(FOUNDRY_PROJECT), variant
