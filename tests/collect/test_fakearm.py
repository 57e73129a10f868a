"""The fake ARM server answers like ARM: by id, by collection, paged, and only to a token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import requests

from tests.fakearm import FakeArm

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server

SUB = "11111111-2222-4333-8444-555555555555"
RG = f"/subscriptions/{SUB}/resourceGroups/rg"
VNET = f"{RG}/providers/Microsoft.Network/virtualNetworks/vnet"
ACCOUNT = f"{RG}/providers/Microsoft.CognitiveServices/accounts/oai"
PRINCIPAL = "99999999-0000-4000-8000-000000000001"
ROLE = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
ROLE_DEFINITIONS = "Microsoft.Authorization/roleDefinitions"


def resources() -> list[dict[str, Any]]:
    subnets = [
        {"id": f"{VNET}/subnets/s{i}", "name": f"s{i}", "properties": {"addressPrefix": f"10.0.{i}.0/24"}}
        for i in range(3)
    ]
    return [
        {
            "id": VNET,
            "name": "vnet",
            "type": "Microsoft.Network/virtualNetworks",
            "properties": {"subnets": subnets},
        },
        *(
            {
                "id": f"{RG}/providers/Microsoft.Network/networkSecurityGroups/n{i}",
                "name": f"n{i}",
                "type": "Microsoft.Network/networkSecurityGroups",
                "properties": {},
            }
            for i in range(5)
        ),
        {"id": ACCOUNT, "name": "oai", "type": "Microsoft.CognitiveServices/accounts", "kind": "OpenAI"},
        {
            "id": f"{ACCOUNT}/deployments/gpt",
            "name": "gpt",
            "type": "Microsoft.CognitiveServices/accounts/deployments",
        },
        {
            "id": f"{ACCOUNT}/providers/Microsoft.Insights/diagnosticSettings/d",
            "name": "d",
            "type": "Microsoft.Insights/diagnosticSettings",
            "properties": {},
        },
        {
            "id": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments/a1",
            "name": "a1",
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {
                "principalId": PRINCIPAL,
                "scope": f"/subscriptions/{SUB}",
                "roleDefinitionId": f"/subscriptions/{SUB}/providers/{ROLE_DEFINITIONS}/{ROLE}",
            },
        },
        {
            "id": f"{ACCOUNT}/providers/Microsoft.Authorization/roleAssignments/a2",
            "name": "a2",
            "type": "Microsoft.Authorization/roleAssignments",
            "properties": {"principalId": "other", "scope": ACCOUNT, "roleDefinitionId": ROLE},
        },
        {
            "id": f"/providers/Microsoft.Authorization/roleDefinitions/{ROLE}",
            "name": ROLE,
            "type": "Microsoft.Authorization/roleDefinitions",
            "properties": {"roleName": "Cognitive Services OpenAI User"},
        },
    ]


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FakeArm]:
    with FakeArm(resources(), workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


@pytest.fixture(scope="module")
def session(fake: FakeArm) -> requests.Session:
    s = requests.Session()
    s.verify = str(fake.ca_path)
    s.trust_env = False
    form = {
        "client_id": fake.client_id,
        "client_secret": fake.client_secret,
        "grant_type": "client_credentials",
        "scope": f"{fake.url}/.default",
    }
    token = s.post(f"{fake.url}/{fake.tenant}/oauth2/v2.0/token", data=form, timeout=10).json()[
        "access_token"
    ]
    s.headers["Authorization"] = f"Bearer {token}"
    return s


def get_all(session: requests.Session, fake: FakeArm, path: str, query: str = "") -> list[dict[str, Any]]:
    url: str | None = f"{fake.url}{path}?api-version=2099-01-01{query}"
    items: list[dict[str, Any]] = []
    while url:
        body = session.get(url, timeout=10).json()
        assert len(body["value"]) <= fake.page_size
        items.extend(body["value"])
        url = body.get("nextLink")
    return items


def test_get_by_id_ignores_case_and_api_version(fake: FakeArm, session: requests.Session) -> None:
    body = session.get(f"{fake.url}{ACCOUNT.upper()}?api-version=1999-01-01", timeout=10).json()
    assert body["name"] == "oai"


def test_subscription_resource_group_child_and_extension_lists_page(
    fake: FakeArm, session: requests.Session
) -> None:
    nsgs = f"/subscriptions/{SUB}/providers/Microsoft.Network/networkSecurityGroups"
    assert [r["name"] for r in get_all(session, fake, nsgs)] == [f"n{i}" for i in range(5)]
    assert len(get_all(session, fake, f"{RG}/providers/Microsoft.Network/networkSecurityGroups")) == 5
    assert [r["name"] for r in get_all(session, fake, f"{ACCOUNT}/deployments")] == ["gpt"]
    assert [
        r["name"]
        for r in get_all(session, fake, f"{ACCOUNT}/providers/Microsoft.Insights/diagnosticSettings")
    ] == ["d"]
    assert get_all(session, fake, f"{ACCOUNT}/raiPolicies") == []  # parent exists: an empty list
    missing = session.get(
        f"{fake.url}{RG}/providers/Microsoft.CognitiveServices/accounts/nope/raiPolicies", timeout=10
    )
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "ParentResourceNotFound"


def test_subnets_inside_the_vnet_and_on_their_own(fake: FakeArm, session: requests.Session) -> None:
    vnet = session.get(f"{fake.url}{VNET}", timeout=10).json()
    assert [s["name"] for s in vnet["properties"]["subnets"]] == ["s0", "s1", "s2"]
    assert (
        session.get(f"{fake.url}{VNET}/subnets/s1", timeout=10).json()["properties"]["addressPrefix"]
        == "10.0.1.0/24"
    )
    assert len(get_all(session, fake, f"{VNET}/subnets")) == 3


def test_subscriptions_role_assignments_and_definitions(fake: FakeArm, session: requests.Session) -> None:
    assert [s["subscriptionId"] for s in get_all(session, fake, "/subscriptions")] == [SUB]
    assert session.get(f"{fake.url}/subscriptions/{SUB}", timeout=10).json()["tenantId"] == fake.tenant
    listed = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments"
    assert {r["name"] for r in get_all(session, fake, listed)} == {"a1", "a2"}
    assert {r["name"] for r in get_all(session, fake, listed, "&$filter=atScope()")} == {"a1"}
    by_principal = get_all(session, fake, listed, f"&$filter=principalId eq '{PRINCIPAL}'")
    assert [r["name"] for r in by_principal] == ["a1"]
    rd = session.get(
        f"{fake.url}/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{ROLE}", timeout=10
    )
    assert rd.json()["properties"]["roleName"] == "Cognitive Services OpenAI User"


def test_no_token_no_answer(fake: FakeArm) -> None:
    answer = requests.get(f"{fake.url}{VNET}", verify=str(fake.ca_path), timeout=10)
    assert answer.status_code == 401
    forged = requests.get(
        f"{fake.url}{VNET}",
        headers={"Authorization": "Bearer fake-token-x"},
        verify=str(fake.ca_path),
        timeout=10,
    )
    assert forged.status_code == 401


def test_wrong_secret_gets_no_token(fake: FakeArm) -> None:
    form = {
        "client_id": fake.client_id,
        "client_secret": "nope",
        "grant_type": "client_credentials",
        "scope": f"{fake.url}/.default",
    }
    answer = requests.post(
        f"{fake.url}/{fake.tenant}/oauth2/v2.0/token", data=form, verify=str(fake.ca_path), timeout=10
    )
    assert answer.status_code == 401 and answer.json()["error"] == "invalid_client"


@pytest.mark.writes_on_purpose
def test_writes_are_refused_and_logged(fake: FakeArm, session: requests.Session) -> None:
    fake.reset()
    for method in ("PUT", "PATCH", "DELETE", "POST"):
        assert session.request(method, f"{fake.url}{ACCOUNT}/listKeys", timeout=10).status_code == 405
    assert [(r.method, r.status) for r in fake.requests()] == [
        ("PUT", 405),
        ("PATCH", 405),
        ("DELETE", 405),
        ("POST", 405),
    ]


def test_faults_hit_the_first_n_matching_requests(fake: FakeArm, session: requests.Session) -> None:
    fake.reset()
    fake.add_fault("/deployments$", 429, times=2, retry_after=3)
    fake.add_fault("networkSecurityGroups/n1$", 403)
    first = session.get(f"{fake.url}{ACCOUNT}/deployments", timeout=10)
    assert first.status_code == 429 and first.headers["Retry-After"] == "3"
    assert session.get(f"{fake.url}{ACCOUNT}/deployments", timeout=10).status_code == 429
    assert session.get(f"{fake.url}{ACCOUNT}/deployments", timeout=10).status_code == 200
    denied = session.get(f"{fake.url}{RG}/providers/Microsoft.Network/networkSecurityGroups/n1", timeout=10)
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "AuthorizationFailed"
    assert [r.status for r in fake.requests()] == [429, 429, 200, 403]
    fake.reset()
