"""The Foundry sample's house: what the design shares with the hub variant.

App Service (the chat UI, its plan and autoscale setting), Application Gateway with its WAF policy,
Bastion and the public IPs, Key Vault, the app's storage account, Log Analytics and the two
user-assigned identities of the UI and the gateway, with their private endpoints and diagnostic
settings. They are taken from the hub sample and moved into the Foundry sample's resource group; the
network, the role assignments and everything of the prompt flow tier are left to the other parts.
"""

from __future__ import annotations

import json
from typing import Any

from tests import estates
from tests.estates import Builder

Resource = dict[str, Any]

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = []

# What the house keeps of the hub sample: resources whose id starts with one of these (lower case,
# after the move), and their children, private endpoints and diagnostic settings.
_KEPT = (
    "microsoft.web/sites/app-chat-ui",
    "microsoft.web/serverfarms/asp-chat",
    "microsoft.insights/autoscalesettings/",
    "microsoft.network/applicationgateways/agw-chat",
    "microsoft.network/applicationgatewaywebapplicationfirewallpolicies/waf-chat",
    "microsoft.network/bastionhosts/",
    "microsoft.network/publicipaddresses/",
    "microsoft.keyvault/vaults/kv-chat-foundry",
    "microsoft.storage/storageaccounts/stwebchatfoundry",
    "microsoft.operationalinsights/workspaces/",
    "microsoft.managedidentity/userassignedidentities/",
    "microsoft.network/privateendpoints/pe-app-chat-ui-sites",
    "microsoft.network/privateendpoints/pe-kv-chat-foundry-vault",
    "microsoft.network/privateendpoints/pe-stwebchatfoundry-blob",
)


def _kept(resource: Resource) -> bool:
    if resource["type"] in (
        "Microsoft.Authorization/roleAssignments",
        "Microsoft.Insights/diagnosticSettingsCategories",
    ):
        return False
    local = resource["id"].lower().split("/providers/", 1)[-1]
    return local.startswith(_KEPT)


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    moved = json.loads(json.dumps(estates.compliant("aistudio")).replace("aistudio", "foundry"))
    for resource in moved:
        if not _kept(resource):
            continue
        b.add(resource)
        if resource["type"] == "Microsoft.Insights/diagnosticSettings":
            b.log_categories(resource["id"].split("/providers/Microsoft.Insights/", 1)[0])
    for resource in b.resources:
        # The private endpoints the hub sample recorded on the moved targets stay; the prompt flow
        # app's do not concern the house.
        connections = resource.get("properties", {}).get("privateEndpointConnections")
        if connections:
            resource["properties"]["privateEndpointConnections"] = [
                c for c in connections if "pe-app-chat-flow" not in json.dumps(c)
            ]


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
