"""The Foundry sample's data: the agent's stores (Cosmos DB, AI Search, Storage), their private
endpoints, Defender, locks, policies, diagnostics."""

from __future__ import annotations

from typing import Any

from tests.estates import LOCATION, Builder
from tests.foundry import AGENT_STORAGE, COSMOS, SEARCH

Resource = dict[str, Any]

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = []


def _named(resource_id: str, rtype: str, **extra: Any) -> Resource:
    return {
        "id": resource_id,
        "name": resource_id.rsplit("/", 1)[-1],
        "type": rtype,
        "location": LOCATION,
        **extra,
    }


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample (the stores' skeletons; settings to come)."""
    b.add(
        _named(
            COSMOS,
            "Microsoft.DocumentDB/databaseAccounts",
            kind="GlobalDocumentDB",
            properties={"publicNetworkAccess": "Disabled", "disableLocalAuth": True},
        )
    )
    b.add(
        _named(
            SEARCH,
            "Microsoft.Search/searchServices",
            sku={"name": "standard"},
            properties={"publicNetworkAccess": "disabled", "disableLocalAuth": True},
        )
    )
    b.add(
        _named(
            AGENT_STORAGE,
            "Microsoft.Storage/storageAccounts",
            kind="StorageV2",
            sku={"name": "Standard_ZRS"},
            properties={"publicNetworkAccess": "Disabled", "allowSharedKeyAccess": False},
        )
    )


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
