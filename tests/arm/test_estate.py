"""Estate indexes and coverage gaps."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from auditor.analysis.architecture import (
    APP_SERVICE,
    APPGW,
    BASTION,
    CHAT_UI,
    JUMPBOX,
    PRIVATE_ENDPOINTS,
    PROMPTFLOW_APP,
    Roles,
    infer_roles,
)
from auditor.arm.estate import Estate, dig, same
from auditor.arm.snapshot import CollectionError, Snapshot
from tests import estates
from tests.cases.common import Mutation, drop_type
from tests.cases.identity import CHAT_IP, chat_behind_ip, custom_domain, unmatched_backend


def _estate(variant: str = "aistudio", **kwargs: object) -> Estate:
    doc = estates.compliant_snapshot(variant)
    return Estate(Snapshot.from_data({**doc, **kwargs}))


def test_dig_and_same() -> None:
    body = {"properties": {"PublicNetworkAccess": "disabled", "list": [1]}}
    assert dig(body, "properties.publicNetworkAccess") == "disabled"
    assert dig(body, "properties.missing.deeper", "x") == "x"
    assert dig(body, "properties.list.0") is None
    assert same("Disabled", "disabled") and not same("Disabled", None)


def test_indexes() -> None:
    estate = _estate()
    aoai = estates.find(estate.resources, "Microsoft.CognitiveServices/accounts")
    assert estate.get(aoai["id"].upper()) is aoai
    assert {r["name"] for r in estate.children(aoai["id"])} == {"strict-blocking", "chat-model"}
    assert len(estate.diagnostic_settings(aoai["id"])) == 1
    assert len(estate.private_endpoints_to(aoai["id"])) == 1
    assert len(estate.subnets) == len(estates.SUBNETS)
    nsg = estates.find(estate.resources, "Microsoft.Network/networkSecurityGroups", "nsg-jumpbox")
    assert [s.name for s in estate.subnets_of_nsg(nsg["id"])] == ["jumpbox"]


def test_duplicate_resources_are_indexed_once() -> None:
    doc = estates.compliant_snapshot("aml")
    doc["resources"] = doc["resources"] + doc["resources"][:5]
    assert len(Estate(Snapshot.from_data(doc)).resources) == len(doc["resources"]) - 5


def test_gap_from_errors_and_collected_types() -> None:
    estate = _estate()
    site = estates.find(estate.resources, "Microsoft.Web/sites")
    assert estate.gap("Microsoft.Web/sites/config", site["id"]) is None
    assert "not collected" in str(estate.gap("Microsoft.Compute/virtualMachines"))
    err = CollectionError(
        scope=f"/subscriptions/{estates.SUB}/providers/Microsoft.Web/sites",
        resource_type="Microsoft.Web/sites/config",
        status=403, code="AuthorizationFailed", message="no",
    )  # fmt: skip
    estate.errors.append(err)
    assert "HTTP 403 AuthorizationFailed" in str(estate.gap("Microsoft.Web/sites/config", site["id"]))
    assert estate.gap("Microsoft.Web/sites/config", "/subscriptions/other/resourceGroups/x") is None


def test_bare_array_counts_present_types_as_collected() -> None:
    resources = estates.compliant("aml")
    estate = Estate(Snapshot.from_data(resources))
    assert estate.gap("Microsoft.Web/sites") is None
    assert estate.gap("Microsoft.Authorization/roleDefinitions") is not None


def test_roles_come_from_structure_not_names(variant: str) -> None:
    estate = _estate(variant)
    roles = infer_roles(estate)
    by_name = {s.name: roles.of_subnet(s) for s in estate.subnets}
    assert APPGW in by_name["edge-gateway"]
    assert PRIVATE_ENDPOINTS in by_name["private-links"]
    assert APP_SERVICE in by_name["web-integration"]
    assert BASTION in by_name["AzureBastionSubnet"]
    assert JUMPBOX in by_name["jumpbox"]
    assert [r["name"] for r in roles.resources(CHAT_UI)] == ["app-chat-ui"]
    assert [r["name"] for r in roles.resources(PROMPTFLOW_APP)] == ["app-chat-flow"]
    assert all(e.reason for e in roles.explanations)


def test_baseline_overrides_roles() -> None:
    estate = _estate()
    roles = infer_roles(
        estate, {"subnets": {"training": "jumpbox"}, "resources": {"app-chat-flow": "chat-ui-app"}}
    )
    training = next(s for s in estate.subnets if s.name == "training")
    assert roles.of_subnet(training) == {"jumpbox"}
    assert {r["name"] for r in roles.resources(CHAT_UI)} == {"app-chat-ui", "app-chat-flow"}


def _roles_after(variant: str, *mutations: Mutation, overrides: dict[str, Any] | None = None) -> Roles:
    resources = estates.compliant(variant)
    for mutate in mutations:
        resources = mutate(resources, variant) or resources
    estate = Estate(Snapshot.from_data(estates.snapshot_document(resources, variant, drifted=False)))
    return infer_roles(estate, overrides)


def _web_roles(roles: Roles) -> dict[str, list[str]]:
    return {role: sorted(r["name"] for r in roles.resources(role)) for role in (CHAT_UI, PROMPTFLOW_APP)}


def _reasons(roles: Roles, name: str) -> list[str]:
    return [e.reason for e in roles.explanations if e.resource_id.endswith("/" + name)]


EXPECTED_WEB_ROLES = {CHAT_UI: ["app-chat-ui"], PROMPTFLOW_APP: ["app-chat-flow"]}


@pytest.mark.parametrize("where", ["customDnsConfigs", "ipConfigurations"])
def test_chat_ui_found_by_its_private_endpoint_ip(variant: str, where: str) -> None:
    roles = _roles_after(variant, chat_behind_ip(where))
    assert _web_roles(roles) == EXPECTED_WEB_ROLES
    assert any(CHAT_IP in r and "private endpoint" in r for r in _reasons(roles, "app-chat-ui"))


def test_unmatched_backend_falls_back_to_the_kind_of_app(variant: str) -> None:
    roles = _roles_after(variant, unmatched_backend)
    assert _web_roles(roles) == EXPECTED_WEB_ROLES
    for name in ("app-chat-ui", "app-chat-flow"):
        assert all(r.startswith("fallback") for r in _reasons(roles, name)), _reasons(roles, name)
        assert _reasons(roles, name)


def test_no_gateway_falls_back_too() -> None:
    roles = _roles_after("aml", drop_type("Microsoft.Network/applicationGateways"))
    assert _web_roles(roles) == EXPECTED_WEB_ROLES
    assert "no Application Gateway backend address" in _reasons(roles, "app-chat-ui")[0]


def test_chat_ui_set_by_the_baseline_is_matched_so_no_fallback() -> None:
    roles = _roles_after("aml", unmatched_backend, overrides={"resources": {"app-chat-ui": CHAT_UI}})
    assert _web_roles(roles) == EXPECTED_WEB_ROLES
    assert not any("fallback" in r for r in _reasons(roles, "app-chat-flow"))


def test_chat_ui_on_a_custom_domain_is_not_also_the_flow_app(variant: str) -> None:
    roles = _roles_after(variant, custom_domain)
    assert _web_roles(roles) == EXPECTED_WEB_ROLES
    assert any("chat.contoso.com" in r for r in _reasons(roles, "app-chat-ui"))


def _unrelated_site(res: list[dict[str, Any]], variant: str) -> None:
    """A code (not container) web app on a plan of its own, not behind the gateway."""
    site = copy.deepcopy(estates.find(res, "Microsoft.Web/sites", "app-chat-ui"))
    site["id"] = site["id"].replace("app-chat-ui", "app-status")
    site["name"] = "app-status"
    site["properties"]["serverFarmId"] += "-2"
    site["properties"]["defaultHostName"] = "app-status.azurewebsites.net"
    site["properties"]["hostNames"] = ["app-status.azurewebsites.net"]
    res.append(site)


def test_a_web_app_without_a_role_is_explained() -> None:
    roles = _roles_after("aml", _unrelated_site)
    assert _web_roles(roles) == EXPECTED_WEB_ROLES
    (note,) = [e for e in roles.explanations if e.resource_id.endswith("/app-status")]
    assert note.role == "none" and "roles.resources" in note.reason
