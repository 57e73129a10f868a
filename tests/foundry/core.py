"""The Foundry sample's core: the Foundry account, its project, the project's connections and the
capability hosts, as ARM GET returns them at api-version 2025-09-01.

Connections come back without their credentials (ARM keeps them for the listsecrets action, which
the auditor never calls); a connection's `metadata.ResourceId` names the resource it reaches.
"""

from __future__ import annotations

from typing import Any

from tests.estates import LOCATION, Builder, identity_system, identity_user
from tests.foundry import (
    ACCOUNT,
    AGENT_STORAGE,
    APP_INSIGHTS,
    COSMOS,
    IDS,
    PROJECT,
    SEARCH,
    SUBNETS,
    VNET_PREFIX,
)

Resource = dict[str, Any]

ACCOUNT_NAME = ACCOUNT.rsplit("/", 1)[-1]
PROJECT_NAME = PROJECT.rsplit("/", 1)[-1]
BING = IDS.res("Microsoft.Bing/accounts", "bing-chat-grounding")
ACCOUNT_CAPABILITY_HOST = f"{ACCOUNT}/capabilityHosts/agents-account"
PROJECT_CAPABILITY_HOST = f"{PROJECT}/capabilityHosts/chat-agents-host"
ACCOUNT_ZONES = [
    "privatelink.services.ai.azure.com",
    "privatelink.openai.azure.com",
    "privatelink.cognitiveservices.azure.com",
]
CONNECTIONS = "Microsoft.CognitiveServices/accounts/projects/connections"
ACCOUNT_CONNECTIONS = "Microsoft.CognitiveServices/accounts/connections"

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = [
    "Microsoft.CognitiveServices/accounts/projects",
    "Microsoft.CognitiveServices/accounts/projects/connections",
    "Microsoft.CognitiveServices/accounts/connections",
    "Microsoft.CognitiveServices/accounts/capabilityHosts",
    "Microsoft.CognitiveServices/accounts/projects/capabilityHosts",
]


def _name(rid: str) -> str:
    return rid.rsplit("/", 1)[-1]


def connection(
    parent: str,
    name: str,
    category: str,
    auth: str,
    target: str,
    resource_id: str,
    shared: bool | None = None,
    rtype: str = CONNECTIONS,
    **extra_metadata: str,
) -> Resource:
    """A connection as GET returns it (no credentials); `shared` is isSharedToAll where it is set."""
    props: dict[str, Any] = {
        "authType": auth,
        "category": category,
        "target": target,
        "metadata": {"ApiType": "Azure", "ResourceId": resource_id, "location": LOCATION, **extra_metadata},
        "useWorkspaceManagedIdentity": False,
        "isSharedToAll": bool(shared),
        "sharedUserList": [],
        "peRequirement": "NotRequired",
        "peStatus": "NotApplicable",
        "error": None,
    }
    return {
        "id": f"{parent}/connections/{name}",
        "name": name,
        "type": rtype,
        "properties": props,
    }


def project_connections() -> list[Resource]:
    """The project's connections as the reference creates them."""
    return [
        connection(
            PROJECT,
            _name(COSMOS),
            "CosmosDb",
            "AAD",
            f"https://{_name(COSMOS)}.documents.azure.com:443/",
            COSMOS,
        ),
        connection(
            PROJECT,
            _name(AGENT_STORAGE),
            "AzureStorageAccount",
            "AAD",
            f"https://{_name(AGENT_STORAGE)}.blob.core.windows.net/",
            AGENT_STORAGE,
        ),
        connection(
            PROJECT,
            _name(SEARCH),
            "CognitiveSearch",
            "AAD",
            f"https://{_name(SEARCH)}.search.windows.net",
            SEARCH,
        ),
        connection(PROJECT, "appi-connection", "AppInsights", "ApiKey", APP_INSIGHTS, APP_INSIGHTS, False),
        connection(
            PROJECT,
            "bingchatgrounding",
            "GroundingWithBingSearch",
            "ApiKey",
            "https://api.bing.microsoft.com/",
            BING,
            False,
            type="bing_grounding",
        ),
    ]


def _agents_subnet_stand_in(b: Builder) -> None:
    """The network part owns the virtual network; until it adds one, a minimal network with the agents
    subnet (delegated to Microsoft.App/environments) stands in, so the injection has a subnet to name."""
    if any(r["type"] == "Microsoft.Network/virtualNetworks" for r in b.resources):
        return
    subnet = IDS.subnet("agent-egress")
    b.add(
        {
            "id": IDS.vnet,
            "name": _name(IDS.vnet),
            "type": "Microsoft.Network/virtualNetworks",
            "location": LOCATION,
            "properties": {
                "provisioningState": "Succeeded",
                "addressSpace": {"addressPrefixes": [VNET_PREFIX]},
                "subnets": [
                    {
                        "name": "agent-egress",
                        "id": subnet,
                        "type": "Microsoft.Network/virtualNetworks/subnets",
                        "properties": {
                            "provisioningState": "Succeeded",
                            "addressPrefix": SUBNETS["agent-egress"],
                            "delegations": [
                                {
                                    "name": "agents",
                                    "id": f"{subnet}/delegations/agents",
                                    "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
                                    "properties": {"serviceName": "Microsoft.App/environments"},
                                }
                            ],
                        },
                    }
                ],
            },
        }
    )


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    _agents_subnet_stand_in(b)
    account = b.add(
        {
            "id": ACCOUNT,
            "name": ACCOUNT_NAME,
            "type": "Microsoft.CognitiveServices/accounts",
            "kind": "AIServices",
            "location": LOCATION,
            "sku": {"name": "S0"},
            "identity": identity_system("ais-chat"),
            "properties": {
                "customSubDomainName": "ais-chat-foundry",
                "endpoint": "https://ais-chat-foundry.cognitiveservices.azure.com/",
                "publicNetworkAccess": "Disabled",
                "disableLocalAuth": True,
                "allowProjectManagement": True,
                "defaultProject": PROJECT_NAME,
                "associatedProjects": [PROJECT_NAME],
                "networkAcls": {
                    "bypass": "None",
                    "defaultAction": "Deny",
                    "ipRules": [],
                    "virtualNetworkRules": [],
                },
                "networkInjections": [
                    {
                        "scenario": "agent",
                        "subnetArmId": IDS.subnet("agent-egress"),
                        "useMicrosoftManagedNetwork": False,
                    }
                ],
                "provisioningState": "Succeeded",
            },
        }
    )
    b.private_endpoint(account, "account", ACCOUNT_ZONES)
    b.diagnostics(ACCOUNT, groups=["allLogs"])
    b.add(
        {
            "id": PROJECT,
            "name": f"{ACCOUNT_NAME}/{PROJECT_NAME}",
            "type": "Microsoft.CognitiveServices/accounts/projects",
            "location": LOCATION,
            "identity": identity_user(IDS, "id-agent"),
            "properties": {
                "provisioningState": "Succeeded",
                "displayName": "Chat agents",
                "description": "Chat with grounding data through Foundry Agent Service.",
                "isDefault": True,
                "endpoints": {
                    "AI Foundry API": f"https://ais-chat-foundry.services.ai.azure.com/api/projects/{PROJECT_NAME}"
                },
            },
        }
    )
    for conn in project_connections():
        b.add(conn)
    b.add(
        {
            "id": ACCOUNT_CAPABILITY_HOST,
            "name": _name(ACCOUNT_CAPABILITY_HOST),
            "type": "Microsoft.CognitiveServices/accounts/capabilityHosts",
            "properties": {"capabilityHostKind": "Agents", "provisioningState": "Succeeded"},
        }
    )
    b.add(
        {
            "id": PROJECT_CAPABILITY_HOST,
            "name": _name(PROJECT_CAPABILITY_HOST),
            "type": "Microsoft.CognitiveServices/accounts/projects/capabilityHosts",
            "properties": {
                "capabilityHostKind": "Agents",
                "threadStorageConnections": [_name(COSMOS)],
                "storageConnections": [_name(AGENT_STORAGE)],
                "vectorStoreConnections": [_name(SEARCH)],
                "provisioningState": "Succeeded",
            },
        }
    )


def _find(resources: list[Resource], rid: str) -> Resource:
    return next(r for r in resources if r["id"].lower() == rid.lower())


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place): local keys accepted,
    the agent not injected into the workload's network, the Bing key shared with every project, a
    connection made at the account, and the capability host's files in another storage account."""
    account = _find(resources, ACCOUNT)
    account["properties"]["disableLocalAuth"] = False
    account["properties"].pop("networkInjections", None)
    _find(resources, f"{PROJECT}/connections/bingchatgrounding")["properties"]["isSharedToAll"] = True
    resources.append(
        connection(
            ACCOUNT,
            "account-search",
            "CognitiveSearch",
            "ApiKey",
            f"https://{_name(SEARCH)}.search.windows.net",
            SEARCH,
            True,
            rtype=ACCOUNT_CONNECTIONS,
        )
    )
    stray = IDS.res("Microsoft.Storage/storageAccounts", "stsharedfiles")
    resources.append(
        connection(
            PROJECT,
            "shared-files",
            "AzureStorageAccount",
            "AAD",
            "https://stsharedfiles.blob.core.windows.net/",
            stray,
        )
    )
    _find(resources, PROJECT_CAPABILITY_HOST)["properties"]["storageConnections"] = ["shared-files"]
