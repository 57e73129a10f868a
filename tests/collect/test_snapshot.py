"""The collectors against the fake ARM server, in process: what a snapshot holds."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from auditor.analysis.log_categories import groups_of, resource_type_of
from auditor.arm import ids as armid
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.collect.progress import status_line
from auditor.collect.run import AREAS
from tests.fakearm import FakeArm, LoggedRequest, load_estate
from tests.fakearm.harness import collect, sample_path
from tests.fakearm.store import platform_defaults

SAMPLE = "openai-e2e-chat-aml-drifted"
SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
OTHER_SUB = "0b5e3d1c-7a9f-4c2e-8d6b-1f0a9e8c7d65"

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server


@pytest.fixture(scope="module")
def estate() -> list[dict[str, Any]]:
    return load_estate(sample_path(SAMPLE))


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory, estate: list[dict[str, Any]]) -> Iterator[FakeArm]:
    with FakeArm(estate, workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


@pytest.fixture(scope="module")
def collected(fake: FakeArm) -> tuple[Snapshot, list[LoggedRequest]]:
    fake.reset()
    snap = collect(fake, [SUB])
    return snap, fake.requests()


@pytest.fixture(scope="module")
def snapshot(collected: tuple[Snapshot, list[LoggedRequest]]) -> Snapshot:
    return collected[0]


def by_id(resources: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {armid.norm(r["id"]): r for r in resources}


def walk_keys(
    value: Any, skip: frozenset[str] = frozenset({"tags", "userAssignedIdentities"})
) -> Iterator[str]:
    if isinstance(value, dict):
        for key, inner in value.items():
            yield key
            if key not in skip:
                yield from walk_keys(inner, skip)
    elif isinstance(value, list):
        for inner in value:
            yield from walk_keys(inner, skip)


def test_every_collected_type_comes_back_exactly_as_served(
    snapshot: Snapshot, estate: list[dict[str, Any]]
) -> None:
    collected = {t.lower() for t in snapshot.collected_types or []}
    # The server also answers what ARM gives every web app (its default publishing policies).
    answered = [*estate, *platform_defaults(estate)]
    served = {k: r for k, r in by_id(answered).items() if r["type"].lower() in collected}
    got = by_id(snapshot.resources)
    assert sorted(served) == sorted(got)  # nothing missing, nothing invented
    for key, body in served.items():
        assert got[key] == body, f"{key} changed on the way through the SDK"


def test_bodies_keep_arm_key_names(snapshot: Snapshot) -> None:
    nsg = next(
        r
        for r in snapshot.resources
        if r["type"] == "Microsoft.Network/networkSecurityGroups"
        and any(
            "destinationPortRanges" in (rule.get("properties") or {})
            for rule in r["properties"]["securityRules"]
        )
    )
    assert isinstance(nsg["properties"]["securityRules"][0]["properties"]["priority"], int)
    with_uami = [r for r in snapshot.resources if (r.get("identity") or {}).get("userAssignedIdentities")]
    assert with_uami
    for resource in with_uami:
        for key in resource["identity"]["userAssignedIdentities"]:
            assert key.lower().startswith("/subscriptions/") and "/userassignedidentities/" in key.lower()
    keys = set(walk_keys(snapshot.resources))
    assert {"provisioningState", "publicNetworkAccess", "principalId", "roleDefinitionId"} <= keys
    assert not {k for k in keys if "_" in k and k.lower() == k and k[0].isalpha()}, "snake_case keys leaked"


def test_metadata_types_and_order(snapshot: Snapshot) -> None:
    meta = snapshot.metadata
    assert meta["subscriptions"] == [SUB]
    assert meta["tenant"] and meta["started"] <= meta["finished"]
    assert meta["arm_endpoint"].startswith("https://127.0.0.1:")
    assert meta["tool"] == "auditor" and meta["tool_version"]
    every_type = {t for _, types in AREAS for t in types} | {
        "Microsoft.Insights/diagnosticSettings",
        "Microsoft.Insights/diagnosticSettingsCategories",
    }
    assert set(snapshot.collected_types or []) == every_type
    for rtype in {r["type"] for r in snapshot.resources}:
        assert rtype in meta["api_versions"], rtype
    assert meta["api_versions"]["Microsoft.Insights/diagnosticSettings"] == "2021-05-01-preview"
    assert meta["api_versions"]["Microsoft.Insights/diagnosticSettingsCategories"] == "2021-05-01-preview"
    assert all(v == "2025-09-01" for k, v in meta["api_versions"].items() if "MachineLearningServices" in k)
    ids = [armid.norm(r["id"]) for r in snapshot.resources]
    assert ids == sorted(ids) and len(ids) == len(set(ids))


def test_child_and_extension_entries_have_full_ids_and_types(snapshot: Snapshot) -> None:
    diag = [r for r in snapshot.resources if r["type"] == "Microsoft.Insights/diagnosticSettings"]
    assert diag
    for setting in diag:
        parent = armid.parent_of(setting["id"])
        assert parent and "/providers/microsoft.insights/diagnosticsettings/" in setting["id"].lower()
    for rtype in (
        "Microsoft.Web/sites/config",
        "Microsoft.Storage/storageAccounts/blobServices",
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
        "Microsoft.CognitiveServices/accounts/raiPolicies",
    ):
        found = [r for r in snapshot.resources if r["type"] == rtype]
        assert found, rtype
        for child in found:
            parent = armid.parent_of(child["id"])
            assert parent is not None and any(
                armid.norm(r["id"]) == armid.norm(parent) for r in snapshot.resources
            )


def test_reads_only_and_pages_through_lists(
    collected: tuple[Snapshot, list[LoggedRequest]], fake: FakeArm
) -> None:
    snapshot, log = collected
    assert {r.method for r in log} == {"GET", "POST"}
    assert [r.path for r in log if r.method == "POST"] == [f"/{fake.tenant}/oauth2/v2.0/token"]
    assert any("skiptoken" in r.query for r in log), "no list was long enough to page"
    assert all(r.status == 200 for r in log)
    text = json.dumps(snapshot.to_dict())
    assert fake.client_secret not in text and not any(t in text for t in fake.tokens)


def test_same_snapshot_sequentially_and_with_one_item_pages(fake: FakeArm, snapshot: Snapshot) -> None:
    fake.page_size = 1
    try:
        again = collect(fake, [SUB], workers=1)
    finally:
        fake.page_size = 2
    assert again.resources == snapshot.resources
    assert [e.to_dict() for e in again.errors] == [e.to_dict() for e in snapshot.errors]


def test_all_subscriptions_are_listed_when_none_are_named(
    tmp_path: Path, estate: list[dict[str, Any]]
) -> None:
    other: dict[str, Any] = {
        "id": f"/subscriptions/{OTHER_SUB}/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv-other",
        "name": "kv-other",
        "type": "Microsoft.KeyVault/vaults",
        "location": "westeurope",
        "properties": {
            "tenantId": "t",
            "sku": {"family": "A", "name": "standard"},
            "publicNetworkAccess": "Enabled",
        },
    }
    with FakeArm([*estate, other], workdir=tmp_path) as server:
        snap = collect(server, None)
        log = server.requests()
    assert sorted(snap.metadata["subscriptions"]) == sorted([SUB, OTHER_SUB])
    assert any(armid.norm(r["id"]) == armid.norm(other["id"]) for r in snap.resources)
    assert any(r.path == "/subscriptions" for r in log)


def test_progress_messages_name_each_area(fake: FakeArm) -> None:
    messages: list[str] = []
    collect(fake, [SUB], progress=messages.append)
    assert messages[0] == f"subscription {SUB}"
    assert "network: 1 virtualNetworks" in messages and "identity: 5 userAssignedIdentities" in messages
    assert messages[-1].startswith("done: ") and messages[-1].endswith(" read errors")


def test_status_line_only_on_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with status_line(enabled=False) as progress:
        assert progress is None
    with status_line(enabled=True) as progress:
        assert progress is not None
        progress("network: 3 virtualNetworks")
    assert capsys.readouterr().out == ""  # the status never touches stdout (the report's stream)


def test_log_categories_are_read_once_per_resource_type(
    collected: tuple[Snapshot, list[LoggedRequest]],
) -> None:
    snapshot, log = collected
    suffix = "/providers/microsoft.insights/diagnosticsettingscategories"
    reads = [r.path for r in log if r.method == "GET" and r.path.lower().endswith(suffix)]
    owners = [r[: -len(suffix)] for r in reads]
    per_type = [str(resource_type_of(owner)).lower() for owner in owners]
    assert reads and len(per_type) == len(set(per_type)), sorted(per_type)
    # Both storage accounts log on blobServices/default: one read for the type.
    assert per_type.count("microsoft.storage/storageaccounts/blobservices") == 1
    registry = groups_of(Estate(snapshot), "Microsoft.ContainerRegistry/registries")
    assert registry is not None and "read from Azure" in registry.source
    assert registry.members["audit"] == {"containerregistryloginevents", "containerregistryrepositoryevents"}
