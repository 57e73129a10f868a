"""From SDK models to raw ARM JSON, and how entries get their full type and id."""

from __future__ import annotations

from typing import Any

import pytest
from azure.core.pipeline import PipelineContext, PipelineRequest
from azure.core.rest import HttpRequest
from azure.mgmt.network.models import NetworkSecurityGroup
from azure.mgmt.search.models import SearchService

from auditor.collect.cloud import Cloud
from auditor.collect.context import Collection, RefusedRequest, Settings
from auditor.collect.convert import arm_item, arm_items, entry, is_dict_model, to_arm

SEARCH_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Search/searchServices/x"
RAW_SEARCH: dict[str, Any] = {
    "id": SEARCH_ID,
    "name": "x",
    "type": "Microsoft.Search/searchServices",
    "location": "eastus",
    "properties": {
        "publicNetworkAccess": "disabled",
        "replicaCount": 3,
        "authOptions": None,
        "newerField": 1,
    },
}
NSG: dict[str, Any] = {
    "id": "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/networkSecurityGroups/n",
    "name": "n",
    "type": "Microsoft.Network/networkSecurityGroups",
    "properties": {
        "securityRules": [
            {"name": "r", "properties": {"destinationPortRanges": ["22", "3389"], "priority": 100}}
        ],
        "newerField": None,
    },
}


def test_dict_models_give_back_the_wire_json_unchanged() -> None:
    model = NetworkSecurityGroup(NSG)
    assert is_dict_model(model)
    assert to_arm(model) == NSG  # nulls and fields unknown to the SDK included


def test_msrest_models_lose_data_so_the_raw_body_is_kept() -> None:
    model = SearchService.deserialize(RAW_SEARCH)
    assert not is_dict_model(model)
    assert "replica_count" in model.as_dict()  # why as_dict() is not used for these
    serialized = to_arm(model)
    assert serialized["properties"]["replicaCount"] == 3
    assert "newerField" not in serialized["properties"] and "authOptions" not in serialized["properties"]
    assert arm_items([model], [{"value": [RAW_SEARCH]}]) == [RAW_SEARCH]
    assert arm_item(model, [RAW_SEARCH]) == RAW_SEARCH


def test_msrest_falls_back_to_serialize_without_a_matching_body() -> None:
    model = SearchService.deserialize(RAW_SEARCH)
    assert arm_items([model], []) == [to_arm(model)]
    assert arm_items([model], [{"value": [RAW_SEARCH, RAW_SEARCH]}]) == [to_arm(model)]
    assert arm_item(model, []) == to_arm(model)


def test_to_arm_refuses_what_it_cannot_convert() -> None:
    with pytest.raises(TypeError):
        to_arm(object())


def test_entry_sets_the_full_type() -> None:
    body = entry(
        {"id": "/x/outboundRules/r", "name": "r", "type": "workspace/outboundRules"},
        "Microsoft.MachineLearningServices/workspaces/outboundRules",
        collection="/x/outboundRules",
    )
    assert body["type"] == "Microsoft.MachineLearningServices/workspaces/outboundRules"
    assert body["id"] == "/x/outboundRules/r"


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("string", "/ws/onlineEndpoints/ep"),  # placeholder id
        ("/other/resource/onlineEndpoints/ep", "/ws/onlineEndpoints/ep"),  # not where it was read
        ("/WS/ONLINEENDPOINTS/ep", "/WS/ONLINEENDPOINTS/ep"),  # same place, other case: kept
        (None, "/ws/onlineEndpoints/ep"),
    ],
)
def test_entry_rebuilds_ids_that_do_not_lie_where_they_were_read(given: str | None, expected: str) -> None:
    body = entry({"id": given, "name": "ep"}, "T", collection="/ws/onlineEndpoints")
    assert body["id"] == expected


def test_entry_of_a_singleton_takes_the_requested_path() -> None:
    path = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/a/config/web"
    assert entry({"id": "web", "name": "a"}, "Microsoft.Web/sites/config", expected_id=path)["id"] == path
    assert entry({"id": path.upper()}, "Microsoft.Web/sites/config", expected_id=path)["id"] == path.upper()


def test_top_level_ids_are_kept_even_when_odd() -> None:
    odd = "/subscriptions/{subscription-id}/resourceGroups/r/providers/Microsoft.Storage/storageAccounts/sto"
    assert entry({"id": odd}, "Microsoft.Storage/storageAccounts")["id"] == odd


@pytest.fixture
def collection() -> Any:
    col = Collection(
        Cloud("https://arm.example"), credential=None, settings=Settings(workers=1), progress=None
    )
    yield col
    col.close()


def request(method: str, url: str) -> PipelineRequest[HttpRequest]:
    return PipelineRequest(HttpRequest(method, url), PipelineContext(None))


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("POST", "https://arm.example/subscriptions/s/providers/Microsoft.Search/register"),
        ("PUT", "https://arm.example/subscriptions/s/resourceGroups/rg"),
        ("DELETE", "https://arm.example/subscriptions/s/resourceGroups/rg"),
        ("GET", "https://management.azure.com/subscriptions/s/providers/Microsoft.KeyVault/vaults"),
        ("GET", "https://arm.example.evil.test/subscriptions/s"),
    ],
)
def test_request_hook_lets_only_gets_to_the_arm_host_through(
    collection: Collection, method: str, url: str
) -> None:
    with pytest.raises(RefusedRequest):
        collection._on_request(request(method, url))
    assert collection.request_count == 0


def test_request_hook_counts_and_notes_api_versions(collection: Collection) -> None:
    collection._local.rtype = "Microsoft.KeyVault/vaults"
    collection._on_request(
        request("GET", "https://ARM.example/subscriptions/s/providers/x?api-version=2026-05-15")
    )
    assert collection.request_count == 1
    assert collection.api_versions == {"Microsoft.KeyVault/vaults": "2026-05-15"}
