"""Estate indexes and coverage gaps."""

from __future__ import annotations

from auditor.estate import Estate, dig, same
from auditor.roles import (
    APP_SERVICE,
    APPGW,
    BASTION,
    CHAT_UI,
    JUMPBOX,
    PRIVATE_ENDPOINTS,
    PROMPTFLOW_APP,
    infer_roles,
)
from auditor.snapshot import CollectionError, Snapshot
from tests import estates


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
