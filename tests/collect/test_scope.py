"""What a live run reads, against the fake ARM server: only the named resource groups, and
subscriptions named by id or display name. A scoped run gives what `restrict` makes of a
full one, with fewer requests."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.arm.estate import Estate
from auditor.arm.scope import restrict
from auditor.arm.snapshot import Snapshot
from auditor.errors import AzureAccessError, InputError
from tests.fakearm import FakeArm, LoggedRequest, load_estate
from tests.fakearm.harness import collect, reproduce_errors, sample_path

SAMPLE = "openai-e2e-chat-aml-drifted"
SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
OTHER_SUB = "0b5e3d1c-7a9f-4c2e-8d6b-1f0a9e8c7d65"
GROUP = "rg-chat-aml"
STRAY = f"/subscriptions/{SUB}/resourceGroups/rg-tfstate"
CUSTOM_ROLE = "7d1b4c2a-0000-4000-8000-00000000beef"
AUTH = "Microsoft.Authorization"
# What is listed subscription-wide even when groups are named: what reaches into the groups from above
# (role assignments, locks, policy assignments) and the subscription's own settings (Defender plans).
SUBSCRIPTION_WIDE = {
    f"{AUTH}/roleAssignments".lower(),
    f"{AUTH}/locks".lower(),
    f"{AUTH}/policyAssignments".lower(),
    "microsoft.security/pricings",
}
# Metadata that describes the run rather than what was read.
RUN_METADATA = {"started", "finished", "requests"}

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server


def stray_resources() -> list[dict[str, Any]]:
    """A second resource group (state storage, its vault and identity) outside the workload."""
    vault = f"{STRAY}/providers/Microsoft.KeyVault/vaults/kv-tfstate"
    account = f"{STRAY}/providers/Microsoft.Storage/storageAccounts/sttfstate"
    return [
        {
            "id": vault,
            "name": "kv-tfstate",
            "type": "Microsoft.KeyVault/vaults",
            "location": "eastus",
            "properties": {"tenantId": "t", "sku": {"family": "A", "name": "standard"}},
        },
        {
            "id": f"{vault}/providers/Microsoft.Insights/diagnosticSettings/d",
            "name": "d",
            "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {"logs": []},
        },
        {
            "id": account,
            "name": "sttfstate",
            "type": "Microsoft.Storage/storageAccounts",
            "kind": "StorageV2",
            "location": "eastus",
            "properties": {"allowBlobPublicAccess": True},
        },
        {
            "id": f"{account}/blobServices/default",
            "name": "default",
            "type": "Microsoft.Storage/storageAccounts/blobServices",
            "properties": {},
        },
        {
            "id": f"{STRAY}/providers/Microsoft.ManagedIdentity/userAssignedIdentities/id-tfstate",
            "name": "id-tfstate",
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "location": "eastus",
            "properties": {"principalId": "aaaaaaaa-0000-4000-8000-000000000001"},
        },
        {
            # An assignment in the stray group, of a custom role no other assignment uses.
            "id": f"{STRAY}/providers/{AUTH}/roleAssignments/11111111-0000-4000-8000-0000000000aa",
            "name": "11111111-0000-4000-8000-0000000000aa",
            "type": f"{AUTH}/roleAssignments",
            "properties": {
                "principalId": "aaaaaaaa-0000-4000-8000-000000000001",
                "scope": STRAY,
                "roleDefinitionId": f"/subscriptions/{SUB}/providers/{AUTH}/roleDefinitions/{CUSTOM_ROLE}",
            },
        },
        {
            "id": f"/subscriptions/{SUB}/providers/{AUTH}/roleDefinitions/{CUSTOM_ROLE}",
            "name": CUSTOM_ROLE,
            "type": f"{AUTH}/roleDefinitions",
            "properties": {"roleName": "State Writer", "type": "CustomRole"},
        },
    ]


@pytest.fixture(scope="module")
def sample() -> dict[str, Any]:
    import json

    doc: dict[str, Any] = json.loads(sample_path(SAMPLE).read_text(encoding="utf-8"))
    return doc


@pytest.fixture(scope="module")
def estate(sample: dict[str, Any]) -> list[dict[str, Any]]:
    return [*load_estate(sample), *stray_resources()]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, estate: list[dict[str, Any]]) -> Iterator[FakeArm]:
    with FakeArm(estate, workdir=tmp_path_factory.mktemp("fakearm")) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeArm, estate: list[dict[str, Any]], sample: dict[str, Any]) -> FakeArm:
    server.load(estate)
    server.reset()
    reproduce_errors(server, sample["errors"])  # the sample's refused read is refused again
    return server


def arm_gets(log: list[LoggedRequest]) -> list[LoggedRequest]:
    return [
        r for r in log if r.method == "GET" and r.path.lower().startswith(("/subscriptions", "/providers"))
    ]


def comparable(snapshot: Snapshot) -> dict[str, Any]:
    doc = snapshot.to_dict()
    doc["metadata"] = {k: v for k, v in doc["metadata"].items() if k not in RUN_METADATA}
    return doc


def test_one_group_gives_the_restricted_snapshot_with_fewer_requests(fake: FakeArm) -> None:
    full = collect(fake, [SUB])
    full_log = arm_gets(fake.requests())
    fake.reset()
    reproduce_errors(fake, [{"scope": e.scope, "status": e.status, "code": e.code} for e in full.errors])
    scoped = collect(fake, [SUB], resource_groups=["RG-CHAT-AML"])
    scoped_log = arm_gets(fake.requests())

    assert any("rg-tfstate" in r["id"] for r in full.resources), "the stray group was not served"
    assert full.errors, "the sample's refused read was not reproduced"
    assert comparable(scoped) == comparable(restrict(full, ["RG-CHAT-AML"]))
    assert scoped.metadata["resource_groups"] == [GROUP]
    # The stray role definition is read too: every assignment's definition is, as in a full run.
    assert any(CUSTOM_ROLE in r["id"] for r in scoped.resources)

    assert len(scoped_log) < len(full_log)
    assert not [r.path for r in scoped_log if "rg-tfstate" in r.path.lower()]
    assert any(r.path.lower() == f"/subscriptions/{SUB}/resourcegroups/{GROUP}" for r in scoped_log)
    # Every type the full run listed subscription-wide is listed in the group instead, but
    # role assignments, locks, policy assignments and Defender plans: still listed subscription-wide.
    assert _list_types(scoped_log, rf"/subscriptions/{SUB}") == SUBSCRIPTION_WIDE
    in_group = _list_types(scoped_log, rf"/subscriptions/{SUB}/resourceGroups/{GROUP}")
    assert in_group == _list_types(full_log, rf"/subscriptions/{SUB}") - SUBSCRIPTION_WIDE
    assert {"microsoft.network/virtualnetworks", "microsoft.machinelearningservices/workspaces"} <= in_group


def _list_types(log: list[LoggedRequest], scope: str) -> set[str]:
    """The types listed right at `scope` (`{scope}/providers/NS/type`)."""
    pattern = re.compile(rf"{scope}/providers/([^/]+/[^/]+)", re.I)
    return {m[1].lower() for r in log if (m := pattern.fullmatch(r.path))}


def test_a_missing_resource_group_is_a_usage_error_before_any_list(fake: FakeArm) -> None:
    with pytest.raises(
        InputError, match=rf"resource group 'rg-nope' not found in subscription {SUB}"
    ) as caught:
        collect(fake, [SUB], resource_groups=[GROUP, "rg-nope"])
    assert caught.value.exit_code == 2
    assert not [r.path for r in fake.requests() if "/providers/" in r.path]


def test_a_malformed_group_name_is_refused_before_signing_in(fake: FakeArm) -> None:
    with pytest.raises(InputError, match="is not a resource group name"):
        collect(fake, [SUB], resource_groups=["rg/../other"])
    assert fake.requests() == []


def test_a_group_in_one_of_two_subscriptions(fake: FakeArm, estate: list[dict[str, Any]]) -> None:
    fake.load(estate, subscriptions=[OTHER_SUB])
    scoped = collect(fake, [SUB, OTHER_SUB], resource_groups=[GROUP])
    assert scoped.metadata["subscriptions"] == [SUB, OTHER_SUB]
    other = [r.path for r in arm_gets(fake.requests()) if OTHER_SUB in r.path]
    # The other subscription holds no such group: only what is listed subscription-wide is read.
    assert sorted(other) == sorted(
        [
            f"/subscriptions/{OTHER_SUB}",
            f"/subscriptions/{OTHER_SUB}/providers/{AUTH}/locks",
            f"/subscriptions/{OTHER_SUB}/providers/{AUTH}/policyAssignments",
            f"/subscriptions/{OTHER_SUB}/providers/{AUTH}/roleAssignments",
            f"/subscriptions/{OTHER_SUB}/providers/Microsoft.Security/pricings",
            f"/subscriptions/{OTHER_SUB}/resourcegroups/{GROUP}",
        ]
    )
    with pytest.raises(InputError, match="not found in any of the 2 subscriptions"):
        collect(fake, [SUB, OTHER_SUB], resource_groups=["rg-nope"])


def test_a_failed_group_list_is_recorded_at_the_group_list_scope(fake: FakeArm) -> None:
    nsgs = f"/subscriptions/{SUB}/resourceGroups/{GROUP}/providers/Microsoft.Network/networkSecurityGroups"
    fake.add_fault(f"^{re.escape(nsgs)}$", 403)
    scoped = collect(fake, [SUB], resource_groups=[GROUP])
    failed = [e for e in scoped.errors if e.resource_type == "Microsoft.Network/networkSecurityGroups"]
    assert [(e.scope, e.status, e.code) for e in failed] == [(nsgs, 403, "AuthorizationFailed")]
    assert Estate(scoped).broad_gaps(["Microsoft.Network/networkSecurityGroups"]) == failed


def test_a_rejected_token_on_the_group_read_stays_an_access_error(fake: FakeArm) -> None:
    fake.add_fault(rf"/resourcegroups/{GROUP}$", 401)
    with pytest.raises(AzureAccessError, match="could not authenticate"):
        collect(fake, [SUB], resource_groups=[GROUP])


# --- subscriptions by name ------------------------------------------------


def test_a_subscription_by_display_name_in_any_case(fake: FakeArm, estate: list[dict[str, Any]]) -> None:
    store = fake.load(estate)
    store.add_subscription(SUB, "Contoso Chat Prod")
    snap = collect(fake, ["contoso CHAT prod", SUB], resource_groups=[GROUP])
    assert snap.metadata["subscriptions"] == [SUB]  # a name and the id of one subscription: read once
    assert snap.resources


def test_a_name_of_several_subscriptions_is_ambiguous(fake: FakeArm, estate: list[dict[str, Any]]) -> None:
    store = fake.load(estate)
    store.add_subscription(SUB, "Shared")
    store.add_subscription(OTHER_SUB, "shared")
    with pytest.raises(InputError, match=r"'Shared' matches 2 subscriptions: .*give the id") as caught:
        collect(fake, ["Shared"])
    assert SUB in str(caught.value) and OTHER_SUB in str(caught.value)


def test_an_unknown_name_lists_at_most_ten_visible_subscriptions(
    fake: FakeArm, estate: list[dict[str, Any]]
) -> None:
    extra = [f"{i:08x}-0000-4000-8000-000000000000" for i in range(11)]
    store = fake.load(estate, subscriptions=extra)
    store.add_subscription(SUB, "Contoso Chat Prod")
    with pytest.raises(InputError) as caught:
        collect(fake, ["Contoso Chat Dev"])
    message = str(caught.value)
    assert message.startswith("subscription 'Contoso Chat Dev' not found or not visible to this credential")
    assert "visible: " in message and message.endswith(" and 2 more") and "\n" not in message
    assert caught.value.exit_code == 2


def test_a_rejected_token_on_the_subscription_read_stays_an_access_error(fake: FakeArm) -> None:
    fake.add_fault(rf"^/subscriptions/{SUB}$", 401)
    with pytest.raises(AzureAccessError, match="could not authenticate") as caught:
        collect(fake, [SUB])
    assert caught.value.exit_code == 3
