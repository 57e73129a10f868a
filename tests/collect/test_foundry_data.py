"""The Foundry data part's reads against the fake ARM server: Cosmos DB (accounts, SQL databases, SQL
role assignments and definitions), Defender pricings, management locks and policy assignments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.arm import ids as armid
from auditor.arm.snapshot import Snapshot
from auditor.collect import data, protection
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Status
from tests import estates
from tests.conftest import BASELINES
from tests.fakearm import FakeArm
from tests.fakearm.harness import collect
from tests.foundry import COSMOS, SEARCH
from tests.foundry import data as part

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server

SUB = estates.SUB
MINE = {t.lower() for t in part.COLLECTED}


@pytest.fixture(scope="module")
def estate() -> list[dict[str, Any]]:
    resources = estates.with_role_definitions(estates.compliant("foundry"))
    # A role assignment and a definition of the thread store's data plane, as ARM lists them.
    definition = f"{COSMOS}/sqlRoleDefinitions/00000000-0000-0000-0000-000000000002"
    resources += [
        {
            "id": definition,
            "name": "00000000-0000-0000-0000-000000000002",
            "type": "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions",
            "properties": {
                "roleName": "Cosmos DB Built-in Data Contributor",
                "type": "BuiltInRole",
                "assignableScopes": [COSMOS],
                "permissions": [{"dataActions": ["Microsoft.DocumentDB/databaseAccounts/readMetadata"]}],
            },
        },
        {
            "id": f"{COSMOS}/sqlRoleAssignments/5a1f0c1e-0000-4000-8000-000000000001",
            "name": "5a1f0c1e-0000-4000-8000-000000000001",
            "type": "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
            "properties": {
                "roleDefinitionId": definition,
                "principalId": "7d3c0f5e-0000-4000-8000-000000000002",
                "scope": f"{COSMOS}/dbs/enterprise_memory",
            },
        },
    ]
    return resources


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory, estate: list[dict[str, Any]]) -> Iterator[FakeArm]:
    with FakeArm(estate, workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


@pytest.fixture(scope="module")
def snapshot(fake: FakeArm) -> Snapshot:
    fake.reset()
    return collect(fake, [SUB])


def test_the_part_collects_what_the_collectors_read() -> None:
    read = {t.lower() for t in (*data.TYPES, *protection.TYPES)}
    assert read >= MINE


def test_every_type_of_the_part_comes_back_as_served(
    snapshot: Snapshot, estate: list[dict[str, Any]]
) -> None:
    served = {armid.norm(r["id"]): r for r in estate if r["type"].lower() in MINE}
    got = {armid.norm(r["id"]): r for r in snapshot.resources if r["type"].lower() in MINE}
    assert {r["type"].lower() for r in got.values()} == MINE  # every type, at least once
    assert sorted(served) == sorted(got)
    for key, body in served.items():
        assert got[key] == body, f"{key} changed on the way through the SDK"
    assert not [e for e in snapshot.errors if e.resource_type.lower() in MINE]
    versions = snapshot.metadata["api_versions"]
    assert {t.lower() for t in versions} >= MINE


def test_locks_at_resource_scope_come_from_the_subscription_list(snapshot: Snapshot) -> None:
    locks = [r for r in snapshot.resources if r["type"] == "Microsoft.Authorization/locks"]
    assert sorted(armid.norm(r["id"]) for r in locks) == sorted(armid.norm(i) for i in part.LOCKS.values())


def test_no_key_or_connection_string_is_ever_asked_for(snapshot: Snapshot, fake: FakeArm) -> None:
    paths = [r.path.lower() for r in fake.requests()]
    assert any("/microsoft.documentdb/databaseaccounts" in p for p in paths)
    assert not [p for p in paths if re.search(r"listkeys|listconnectionstrings|readonlykeys", p)]
    # Every ARM request is a read (the POSTs go to the token endpoint).
    assert {r.method for r in fake.requests() if r.path.lower().startswith("/subscriptions")} == {"GET"}


def _audit(snapshot: Snapshot, rule_id: str) -> list[Any]:
    report = run_audit(snapshot, load_baseline(BASELINES["foundry"]), "test")
    return [f for f in report.findings if f.rule_id == rule_id]


@pytest.mark.parametrize(
    ("path", "rule_id", "resource"),
    [
        (f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings", "PUB064", "pricings"),
        (f"/subscriptions/{SUB}/providers/Microsoft.Authorization/locks", "REL031", SEARCH),
        (f"/subscriptions/{SUB}/providers/Microsoft.Authorization/policyAssignments", "PUB065", "policy"),
        (
            f"/subscriptions/{SUB}/providers/Microsoft.DocumentDB/databaseAccounts",
            "PUB061",
            "databaseAccounts",
        ),
    ],
)
def test_a_failed_read_is_not_assessed(
    fake: FakeArm, tmp_path: Path, path: str, rule_id: str, resource: str
) -> None:
    fake.reset()
    fake.add_fault(f"^{re.escape(path)}$", 403, code="AuthorizationFailed")
    try:
        snap = collect(fake, [SUB])
    finally:
        fake.reset()
    assert [e for e in snap.errors if armid.norm(e.scope) == armid.norm(path)]
    found = _audit(snap, rule_id)
    assert found and not [
        f for f in found if f.status is Status.PASS and resource.lower() in f.resource_id.lower()
    ]
    assert [f for f in found if f.status is Status.NOT_ASSESSED], [(f.resource_id, f.message) for f in found]
