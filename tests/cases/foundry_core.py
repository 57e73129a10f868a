"""Cases of the Foundry account and project rules (PUB040, IAM005, IAM020-IAM024, REL020) on the Foundry
sample; each family's table adds its own at its end."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from tests.cases.common import (
    Mutation,
    Resource,
    ResourceCase,
    StatusCase,
    TargetCase,
    chain,
    denied,
    drop_type,
)
from tests.foundry import ACCOUNT, IDS, PROJECT, SEARCH, SUB, core

FOUNDRY = ("foundry",)
ACCOUNTS = "Microsoft.CognitiveServices/accounts"
PROJECTS = "Microsoft.CognitiveServices/accounts/projects"
CONNECTIONS = "Microsoft.CognitiveServices/accounts/projects/connections"
ACCOUNT_CONNECTIONS = "Microsoft.CognitiveServices/accounts/connections"
HOSTS = "Microsoft.CognitiveServices/accounts/projects/capabilityHosts"
VNETS = "Microsoft.Network/virtualNetworks"
SITES = "Microsoft.Web/sites"
SUB_ID = f"/subscriptions/{SUB}"


def _edit(rid: str, change: Callable[[Resource], None]) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        change(next(r for r in res if r["id"].lower() == rid.lower()))

    return mutate


def _props(rid: str, **values: Any) -> Mutation:
    """Set (None: remove) properties of one resource."""

    def change(r: Resource) -> None:
        for key, value in values.items():
            if value is None:
                r["properties"].pop(key, None)
            else:
                r["properties"][key] = value

    return _edit(rid, change)


def _add(resource: Resource) -> Mutation:
    return lambda res, variant: [*res, resource]


def _injection(**values: Any) -> Mutation:
    return _edit(ACCOUNT, lambda r: r["properties"]["networkInjections"][0].update(values))


def _undelegate(res: list[Resource], variant: str) -> None:
    vnet = next(r for r in res if r["type"] == VNETS)
    for subnet in vnet["properties"]["subnets"]:
        if subnet["name"] == "agent-egress":
            subnet["properties"]["delegations"] = []


def _system_identity(r: Resource) -> None:
    r["identity"] = {"type": "SystemAssigned", "principalId": "6c1d0b9e-0000-4000-8000-00000000ab01"}


def _share_identity(res: list[Resource], variant: str) -> None:
    account = next(r for r in res if r["id"] == ACCOUNT)
    project = next(r for r in res if r["id"] == PROJECT)
    account["identity"] = {
        "type": "UserAssigned",
        **{"userAssignedIdentities": project["identity"]["userAssignedIdentities"]},
    }


HOST = core.PROJECT_CAPABILITY_HOST
BING = f"{PROJECT}/connections/bingchatgrounding"
APPI = f"{PROJECT}/connections/appi-connection"
SEARCH_CONN = f"{PROJECT}/connections/{SEARCH.rsplit('/', 1)[-1]}"
ACCOUNT_SEARCH = core.connection(
    ACCOUNT,
    "account-search",
    "CognitiveSearch",
    "AAD",
    "https://x.search.windows.net",
    SEARCH,
    rtype=ACCOUNT_CONNECTIONS,
)
FOREIGN_STORAGE = (
    "/subscriptions/0b5e3d1c-7a9f-4c2e-8d6b-1f0a9e8c7d65/resourceGroups/shared"
    "/providers/Microsoft.Storage/storageAccounts/stshared"
)
FOREIGN = core.connection(
    PROJECT,
    "shared-files",
    "AzureStorageAccount",
    "AAD",
    "https://stshared.blob.core.windows.net/",
    FOREIGN_STORAGE,
)
NOT_A_SEARCH = core.connection(
    PROJECT,
    "kv-as-search",
    "CognitiveSearch",
    "AAD",
    "https://kv.vault.azure.net/",
    IDS.res("Microsoft.KeyVault/vaults", "kv-chat-foundry"),
)


def _host_list(prop: str, names: list[str]) -> Mutation:
    return _props(HOST, **{prop: names})


PUBLIC_ACCESS: list[TargetCase] = [
    TargetCase(
        "compliant",
        "PUB040",
        "pass",
        variants=FOUNDRY,
        target="ais-chat$",
        contains="delegated to Microsoft.App/environments",
    ),
    TargetCase(
        "no-agent-injection",
        "PUB040",
        "fail",
        variants=FOUNDRY,
        target="ais-chat$",
        mutate=_props(ACCOUNT, networkInjections=None),
        contains="no entry for scenario agent",
    ),
    TargetCase(
        "microsoft-managed-network",
        "PUB040",
        "fail",
        variants=FOUNDRY,
        target="ais-chat$",
        mutate=_injection(useMicrosoftManagedNetwork=True),
        contains="Microsoft's managed network",
    ),
    TargetCase(
        "subnet-not-delegated",
        "PUB040",
        "fail",
        variants=FOUNDRY,
        target="ais-chat$",
        mutate=_undelegate,
        contains="not delegated to Microsoft.App/environments",
    ),
    TargetCase(
        "subnet-elsewhere",
        "PUB040",
        "fail",
        variants=FOUNDRY,
        target="ais-chat$",
        mutate=_injection(subnetArmId=IDS.vnet + "/subnets/other"),
        contains="not in the audited estate",
    ),
    TargetCase(
        "vnets-not-collected",
        "PUB040",
        "not_assessed",
        variants=FOUNDRY,
        target="ais-chat$",
        drop_types=(VNETS,),
        mutate=drop_type(VNETS),
        contains="unknown",
    ),
    TargetCase(
        "accounts-not-collected",
        "PUB040",
        "not_assessed",
        variants=FOUNDRY,
        target=SUB,
        drop_types=(ACCOUNTS,),
        mutate=drop_type(ACCOUNTS),
    ),
]

IDENTITY: list[ResourceCase] = [
    # IAM005 on the Foundry account (the prompt flow cases hold its other cases)
    ResourceCase("foundry-compliant", "IAM005", {"ais-chat": "pass"}, variants=FOUNDRY),
    ResourceCase(
        "foundry-local-auth-on",
        "IAM005",
        {"ais-chat": "fail"},
        variants=FOUNDRY,
        mutate=_props(ACCOUNT, disableLocalAuth=False),
    ),
    ResourceCase(
        "foundry-names-the-account",
        "IAM005",
        {"ais-chat": "fail"},
        variants=FOUNDRY,
        mutate=_props(ACCOUNT, disableLocalAuth=False),
        contains="Foundry account: properties.disableLocalAuth is false",
    ),
    # IAM020: the project's own user-assigned identity
    ResourceCase("compliant", "IAM020", {"chat-agents": "pass"}, variants=FOUNDRY, contains="id-agent"),
    ResourceCase(
        "system-assigned",
        "IAM020",
        {"chat-agents": "fail"},
        variants=FOUNDRY,
        mutate=_edit(PROJECT, _system_identity),
        contains="no user-assigned identity",
    ),
    ResourceCase(
        "shared-with-account",
        "IAM020",
        {"chat-agents": "fail"},
        variants=FOUNDRY,
        mutate=_share_identity,
        contains="also acts for ais-chat",
    ),
    ResourceCase(
        "projects-not-collected", "IAM020", {SUB_ID: "not_assessed"}, variants=FOUNDRY, drop_types=(PROJECTS,)
    ),
    # Whether another resource shares the identity is unknown when a type that could was not read.
    ResourceCase(
        "web-apps-unreadable",
        "IAM020",
        {"chat-agents": "not_assessed"},
        variants=FOUNDRY,
        errors=denied(SITES, lambda v: f"{SUB_ID}/providers/{SITES}"),
        contains="whether a resource besides the project acts with id-agent is unknown",
    ),
    ResourceCase(
        "web-apps-not-collected",
        "IAM020",
        {"chat-agents": "not_assessed"},
        variants=FOUNDRY,
        mutate=drop_type(SITES),
        drop_types=(SITES,),
        contains="not collected",
    ),
    ResourceCase(
        "shared-although-web-apps-unreadable",
        "IAM020",
        {"chat-agents": "fail"},
        variants=FOUNDRY,
        mutate=_share_identity,
        errors=denied(SITES, lambda v: f"{SUB_ID}/providers/{SITES}"),
        contains="also acts for ais-chat",
    ),
    # IAM021: connections only at project level
    ResourceCase("compliant", "IAM021", {"ais-chat": "pass"}, variants=FOUNDRY),
    ResourceCase(
        "account-connection",
        "IAM021",
        {"ais-chat": "fail"},
        variants=FOUNDRY,
        mutate=_add(ACCOUNT_SEARCH),
        contains="account-search",
    ),
    ResourceCase(
        "account-connections-denied",
        "IAM021",
        {"ais-chat": "not_assessed"},
        variants=FOUNDRY,
        errors=denied(ACCOUNT_CONNECTIONS, lambda v: f"{ACCOUNT}/connections"),
        others=None,
    ),
    # IAM022: Entra ID on the Cosmos DB, Storage and AI Search connections
    ResourceCase("compliant", "IAM022", {SEARCH_CONN: "pass"}, variants=FOUNDRY),
    ResourceCase(
        "search-with-key",
        "IAM022",
        {SEARCH_CONN: "fail"},
        variants=FOUNDRY,
        mutate=_props(SEARCH_CONN, authType="ApiKey"),
        contains="authType is ApiKey",
    ),
    ResourceCase(
        "connections-not-collected",
        "IAM022",
        {SUB_ID: "not_assessed"},
        variants=FOUNDRY,
        drop_types=(CONNECTIONS,),
    ),
    # IAM023: API-key connections not shared to all
    ResourceCase("compliant", "IAM023", {BING: "pass", APPI: "pass"}, variants=FOUNDRY),
    ResourceCase(
        "bing-shared",
        "IAM023",
        {BING: "fail"},
        variants=FOUNDRY,
        mutate=_props(BING, isSharedToAll=True),
        contains="isSharedToAll is true",
    ),
    ResourceCase(
        "sharing-unknown",
        "IAM023",
        {APPI: "not_assessed"},
        variants=FOUNDRY,
        mutate=_props(APPI, isSharedToAll=None),
        contains="absent",
    ),
    # IAM024: allowProjectManagement
    ResourceCase("compliant", "IAM024", {"ais-chat": "pass"}, variants=FOUNDRY),
    ResourceCase(
        "projects-not-allowed",
        "IAM024",
        {"ais-chat": "fail"},
        variants=FOUNDRY,
        mutate=_props(ACCOUNT, allowProjectManagement=False),
    ),
    ResourceCase(
        "accounts-not-collected", "IAM024", {SUB_ID: "not_assessed"}, variants=FOUNDRY, drop_types=(ACCOUNTS,)
    ),
]

RELIABILITY: list[StatusCase] = [
    StatusCase(
        "compliant", "REL020", ("pass",), variants=FOUNDRY, contains="thread store (Cosmos DB): cosmos"
    ),
    StatusCase(
        "files-in-another-subscription",
        "REL020",
        ("fail",),
        variants=FOUNDRY,
        mutate=chain(_add(FOREIGN), _host_list("storageConnections", ["shared-files"])),
        contains="not in the audited estate",
    ),
    StatusCase(
        "no-vector-store",
        "REL020",
        ("fail",),
        variants=FOUNDRY,
        mutate=_host_list("vectorStoreConnections", []),
        contains="vectorStoreConnections names no connection",
    ),
    StatusCase(
        "unknown-connection",
        "REL020",
        ("fail",),
        variants=FOUNDRY,
        mutate=_host_list("threadStorageConnections", ["gone"]),
        contains="not a connection of the project",
    ),
    StatusCase(
        "wrong-type",
        "REL020",
        ("fail",),
        variants=FOUNDRY,
        mutate=chain(_add(NOT_A_SEARCH), _host_list("vectorStoreConnections", ["kv-as-search"])),
        contains="not Microsoft.Search/searchServices",
    ),
    StatusCase(
        "no-capability-host",
        "REL020",
        ("fail",),
        variants=FOUNDRY,
        mutate=drop_type(HOSTS),
        contains="no capability host of kind Agents",
    ),
    StatusCase(
        "hosts-denied",
        "REL020",
        ("not_assessed",),
        variants=FOUNDRY,
        errors=denied(HOSTS, lambda v: f"{PROJECT}/capabilityHosts"),
        contains="capability hosts are unknown",
    ),
    StatusCase(
        "connections-denied",
        "REL020",
        ("not_assessed",),
        variants=FOUNDRY,
        errors=denied(CONNECTIONS, lambda v: f"{PROJECT}/connections"),
        contains="connections are unknown",
    ),
    StatusCase(
        "projects-not-collected",
        "REL020",
        ("not_assessed",),
        variants=FOUNDRY,
        drop_types=(PROJECTS,),
        mutate=drop_type(PROJECTS),
    ),
]
