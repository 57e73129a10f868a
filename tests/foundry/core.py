"""The Foundry sample's core: the Foundry account, its project, connections, capability hosts,
model deployments and content filters."""

from __future__ import annotations

from typing import Any

from tests.estates import LOCATION, Builder, identity_system, identity_user
from tests.foundry import ACCOUNT, IDS, PROJECT

Resource = dict[str, Any]

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = []


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    b.add(
        {
            "id": ACCOUNT,
            "name": ACCOUNT.rsplit("/", 1)[-1],
            "type": "Microsoft.CognitiveServices/accounts",
            "kind": "AIServices",
            "location": LOCATION,
            "sku": {"name": "S0"},
            "identity": identity_system("ais-chat"),
            "properties": {
                "customSubDomainName": "ais-chat-foundry",
                "publicNetworkAccess": "Disabled",
                "disableLocalAuth": True,
                "allowProjectManagement": True,
                "provisioningState": "Succeeded",
            },
        }
    )
    b.add(
        {
            "id": PROJECT,
            "name": f"{ACCOUNT.rsplit('/', 1)[-1]}/{PROJECT.rsplit('/', 1)[-1]}",
            "type": "Microsoft.CognitiveServices/accounts/projects",
            "location": LOCATION,
            "identity": identity_user(IDS, "id-agent"),
            "properties": {"provisioningState": "Succeeded", "displayName": "Chat agents"},
        }
    )


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
