"""Cases of the private-endpoints family, and the mutation helpers the public-access table shares.

The case type is tests/cases/common.py's `TargetCase`: the status the rule must give on the
resources whose id holds `target`, and the one every other finding of the rule must keep.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from auditor.rules.private_endpoints import DEFAULT_GROUPS
from tests import estates
from tests.cases.common import Mutation, Resource, chain, drop_type, set_path, subscription_list_denied
from tests.cases.common import TargetCase as Case

DELETE = object()  # the value that makes `edit` and friends remove a key instead of setting it

PE = "Microsoft.Network/privateEndpoints"
ZONE_GROUPS = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
VNETS = "Microsoft.Network/virtualNetworks"
WORKSPACES = "Microsoft.MachineLearningServices/workspaces"
OUTBOUND = "Microsoft.MachineLearningServices/workspaces/outboundRules"


# --- mutation helpers (shared with tests/cases/public_access.py) -------------------------


def edit(rtype: str, name: str | None, path: str, value: Any) -> Mutation:
    """Set (or with DELETE remove) a dotted path on one resource; `name` may hold `{v}`."""

    def mutate(res: list[Resource], variant: str) -> None:
        set_path(
            estates.find(res, rtype, name.format(v=variant) if name else None), path, value, remove=DELETE
        )

    return mutate


def edit_all(rtype: str, path: str, value: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        for r in res:
            if r["type"].lower() == rtype.lower():
                set_path(r, path, value, remove=DELETE)

    return mutate


def drop(predicate: Callable[[Resource, str], bool]) -> Mutation:
    return lambda res, variant: [r for r in res if not predicate(r, variant)]


def drop_id(fragment: str) -> Mutation:
    """Remove every resource whose id contains `fragment` (with `{v}`), case-insensitively."""
    return drop(lambda r, v: fragment.format(v=v).lower() in r["id"].lower())


def each_variant(per_variant: Callable[[str], Mutation]) -> Mutation:
    """A mutation whose steps depend on the variant."""
    return lambda res, variant: per_variant(variant)(res, variant)


def not_collected(rule: str, resource_type: str) -> Case:
    """The rule's resources were never listed: one not-assessed finding at the subscription."""
    name = resource_type.rsplit("/", 1)[-1].lower() + "-not-collected"
    target = f"/subscriptions/{estates.SUB}$"
    return Case(
        name,
        rule,
        "not_assessed",
        target=target,
        mutate=drop_type(resource_type),
        drop_types=(resource_type,),
    )


def list_denied(rule: str, resource_type: str) -> Case:
    """Listing the type failed with 403 (the resources already read still pass)."""
    name = resource_type.rsplit("/", 1)[-1].lower() + "-list-denied"
    target = f"{estates.SUB}/providers/{resource_type}$"
    return Case(
        name,
        rule,
        "not_assessed",
        target=target,
        errors=subscription_list_denied(resource_type),
        contains="HTTP 403",
    )


# --- private-endpoint specifics -------------------------------------------------------------


def ws_name(variant: str) -> str:
    return "mlw-chat" if variant == "aml" else "hub-chat"


def pe_name(target: str, group: str) -> str:
    return f"pe-{target}-{group}".lower()


def pe_of(target: str, group: str) -> str:
    """A fragment that matches a private endpoint and its zone group (`{v}` allowed)."""
    return f"/privateEndpoints/{pe_name(target, group)}"


def move_pe(target: str, group: str, subnet: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        pe = estates.find(res, PE, pe_name(target.format(v=variant), group))
        pe["properties"]["subnet"]["id"] = estates.Ids(variant).subnet(subnet)

    return mutate


def connection_state(target: str, group: str, status: str | None, manual: bool = False) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = estates.find(res, PE, pe_name(target.format(v=variant), group))["properties"]
        conn = props["privateLinkServiceConnections"][0]
        if manual:
            props["privateLinkServiceConnections"] = []
            props["manualPrivateLinkServiceConnections"] = [conn]
        if status is None:
            conn["properties"].pop("privateLinkServiceConnectionState")
        else:
            conn["properties"]["privateLinkServiceConnectionState"]["status"] = status

    return mutate


def target_state(rtype: str, name: str, status: str | None) -> Mutation:
    """The state a target lists for its (first) private endpoint connection."""

    def mutate(res: list[Resource], variant: str) -> None:
        conn = estates.find(res, rtype, name.format(v=variant))["properties"]["privateEndpointConnections"][0]
        if status is None:
            conn["properties"].pop("privateLinkServiceConnectionState")
        else:
            conn["properties"]["privateLinkServiceConnectionState"]["status"] = status

    return mutate


def zones(target: str, group: str, names: list[str]) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        wanted = f"/privateendpoints/{pe_name(target.format(v=variant), group)}/"
        zg = next(r for r in res if r["type"] == ZONE_GROUPS and wanted in r["id"].lower())
        ids = estates.Ids(variant)
        zg["properties"]["privateDnsZoneConfigs"] = [
            {"name": z, "properties": {"privateDnsZoneId": ids.res("Microsoft.Network/privateDnsZones", z)}}
            for z in names
        ]

    return mutate


def outbound(rule_name: str, path: str, value: Any) -> Mutation:
    """Change one managed-network outbound rule, inline and as a child resource alike."""

    def mutate(res: list[Resource], variant: str) -> None:
        ws = estates.find(res, WORKSPACES, ws_name(variant))
        set_path(ws["properties"]["managedNetwork"]["outboundRules"][rule_name], path, value, remove=DELETE)
        set_path(estates.find(res, OUTBOUND, rule_name)["properties"], path, value, remove=DELETE)

    return mutate


def drop_outbound(rule_name: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        ws = estates.find(res, WORKSPACES, ws_name(variant))
        ws["properties"]["managedNetwork"]["outboundRules"].pop(rule_name)
        return [r for r in res if not (r["type"] == OUTBOUND and r["name"] == rule_name)]

    return mutate


def drop_inline_rules(res: list[Resource], variant: str) -> None:
    estates.find(res, WORKSPACES, ws_name(variant))["properties"]["managedNetwork"].pop("outboundRules")


KV = "Microsoft.KeyVault/vaults"
ACR = "Microsoft.ContainerRegistry/registries"
AOAI = "Microsoft.CognitiveServices/accounts"

CASES: list[Case] = [
    # PE001: presence and placement
    Case("compliant", "PE001", "pass"),
    Case(
        "vault-endpoint-removed",
        "PE001",
        "fail",
        target="/vaults/",
        mutate=drop_id(pe_of("kv-chat-{v}", "vault")),
        contains="vault: no private endpoint",
    ),
    Case(
        "vault-endpoint-in-jumpbox-subnet",
        "PE001",
        "fail",
        target="/vaults/",
        mutate=move_pe("kv-chat-{v}", "vault", "jumpbox"),
        contains="not the private-endpoint subnet",
    ),
    Case(
        "vault-endpoint-in-gateway-subnet",
        "PE001",
        "fail",
        target="/vaults/",
        mutate=move_pe("kv-chat-{v}", "vault", "edge-gateway"),
        contains="application-gateway",
    ),
    Case(
        "workspace-storage-file-endpoint-removed",
        "PE001",
        "fail",
        target="/storageAccounts/stmlchat",
        mutate=drop_id(pe_of("stmlchat{v}", "file")),
        contains="file: no private endpoint",
    ),
    Case(
        "chat-ui-endpoint-removed",
        "PE001",
        "fail",
        target="/sites/app-chat-ui",
        mutate=drop_id(pe_of("app-chat-ui", "sites")),
    ),
    Case(
        "search-endpoint-removed",
        "PE001",
        "fail",
        target="/searchServices/",
        mutate=drop_id(pe_of("srch-chat-{v}", "searchService")),
    ),
    Case(
        "workspace-endpoint-removed",
        "PE001",
        "fail",
        target="/workspaces/",
        mutate=each_variant(lambda v: drop_id(pe_of(ws_name(v), "amlworkspace"))),
    ),
    Case(
        "search-not-required-by-baseline",
        "PE001",
        "pass",
        mutate=drop_id(pe_of("srch-chat-{v}", "searchService")),
        params={"required_groups": {**DEFAULT_GROUPS, "search": []}},
    ),
    Case("endpoints-not-collected", "PE001", "not_assessed", mutate=drop_type(PE), drop_types=(PE,)),
    Case(
        "endpoint-list-denied",
        "PE001",
        "not_assessed",
        target="/vaults/",
        mutate=drop_id(pe_of("kv-chat-{v}", "vault")),
        errors=subscription_list_denied(PE),
        contains="HTTP 403",
    ),
    Case(
        "virtual-network-not-collected", "PE001", "not_assessed", mutate=drop_type(VNETS), drop_types=(VNETS,)
    ),
    # PE002: approval, on the endpoint and on the target
    Case("compliant", "PE002", "pass"),
    Case(
        "vault-connection-pending",
        "PE002",
        "fail",
        target=pe_of("kv-chat-{v}", "vault"),
        mutate=connection_state("kv-chat-{v}", "vault", "Pending"),
        contains="Pending",
    ),
    Case(
        "manual-connection-pending",
        "PE002",
        "fail",
        target=pe_of("crchat{v}", "registry"),
        mutate=connection_state("crchat{v}", "registry", "Pending", manual=True),
        contains="manualPrivateLinkServiceConnections",
    ),
    Case(
        "registry-lists-connection-rejected",
        "PE002",
        "fail",
        target=pe_of("crchat{v}", "registry"),
        mutate=target_state(ACR, "crchat{v}", "Rejected"),
        contains="Rejected",
    ),
    Case(
        "openai-states-missing",
        "PE002",
        "not_assessed",
        target=pe_of("aoai-chat", "account"),
        mutate=chain(connection_state("aoai-chat", "account", None), target_state(AOAI, "aoai-chat", None)),
    ),
    # PE003: private DNS zone groups
    Case("compliant", "PE003", "pass"),
    Case(
        "vault-zone-group-removed",
        "PE003",
        "fail",
        target=pe_of("kv-chat-{v}", "vault"),
        mutate=drop_id(pe_of("kv-chat-{v}", "vault") + "/privateDnsZoneGroups/"),
        contains="no privateDnsZoneGroups",
    ),
    Case(
        "workspace-notebooks-zone-missing",
        "PE003",
        "fail",
        target="-amlworkspace",
        mutate=each_variant(lambda v: zones(ws_name(v), "amlworkspace", ["privatelink.api.azureml.ms"])),
        contains="missing privatelink.notebooks.azure.net",
    ),
    Case(
        "blob-endpoint-in-file-zone",
        "PE003",
        "fail",
        target=pe_of("stwebchat{v}", "blob"),
        mutate=zones("stwebchat{v}", "blob", ["privatelink.file.core.windows.net"]),
    ),
    Case(
        "zone-names-in-upper-case",
        "PE003",
        "pass",
        target=pe_of("kv-chat-{v}", "vault"),
        mutate=zones("kv-chat-{v}", "vault", ["PrivateLink.VaultCore.Azure.Net"]),
    ),
    Case(
        "zone-groups-not-collected",
        "PE003",
        "not_assessed",
        mutate=drop_type(ZONE_GROUPS),
        drop_types=(ZONE_GROUPS,),
    ),
    Case(
        "sovereign-cloud-zones",
        "PE003",
        "fail",
        target=pe_of("kv-chat-{v}", "vault"),
        others=None,
        params={"dns_zones": {"vault": ["privatelink.vaultcore.usgovcloudapi.net"]}},
        contains="missing privatelink.vaultcore.usgovcloudapi.net",
    ),
    # PE004: managed-network outbound rules
    Case("compliant", "PE004", "pass"),
    # Issue 13: the rules found are right, but a Search service that needs one may be unlisted.
    Case(
        "search-list-unreadable",
        "PE004",
        "not_assessed",
        target="/workspaces/",
        errors=subscription_list_denied("Microsoft.Search/searchServices"),
        contains="may be missing",
    ),
    Case(
        "openai-rule-removed",
        "PE004",
        "fail",
        target="/workspaces/",
        mutate=drop_outbound("OpenAI"),
        contains="aoai-chat (account): no PrivateEndpoint outbound rule",
    ),
    Case(
        "openai-rule-wrong-subresource",
        "PE004",
        "fail",
        target="/workspaces/",
        mutate=outbound("OpenAI", "destination.subresourceTarget", "vault"),
        contains="subresourceTarget vault",
    ),
    Case(
        "openai-rule-inactive",
        "PE004",
        "fail",
        target="/workspaces/",
        mutate=outbound("OpenAI", "status", "Inactive"),
        contains="status Inactive",
    ),
    Case(
        "search-rule-removed",
        "PE004",
        "fail",
        target="/workspaces/",
        mutate=drop_outbound("Search"),
        contains="searchService): no PrivateEndpoint",
    ),
    Case(
        "search-rule-not-required",
        "PE004",
        "pass",
        target="/workspaces/",
        mutate=drop_outbound("Search"),
        params={"require_search": False},
    ),
    Case("rules-only-as-children", "PE004", "pass", target="/workspaces/", mutate=drop_inline_rules),
    Case(
        "rules-only-inline",
        "PE004",
        "pass",
        target="/workspaces/",
        mutate=drop_type(OUTBOUND),
        drop_types=(OUTBOUND,),
    ),
    Case(
        "rules-not-readable",
        "PE004",
        "not_assessed",
        target="/workspaces/",
        mutate=chain(drop_inline_rules, drop_type(OUTBOUND)),
        drop_types=(OUTBOUND,),
    ),
    not_collected("PE001", KV),
    list_denied("PE001", "Microsoft.Web/sites"),
    not_collected("PE002", PE),
    not_collected("PE003", PE),
    not_collected("PE004", WORKSPACES),
    list_denied("PE004", WORKSPACES),
]


# --- data stores (Foundry): the stores' private endpoints and DNS zone groups ------------------------

FOUNDRY = ("foundry",)
COSMOS = "Microsoft.DocumentDB/databaseAccounts"


def foundry_vnet(res: list[Resource], variant: str) -> list[Resource]:
    """The Foundry sample's virtual network, for placing endpoints, where the network part adds none."""
    if any(r["type"] == VNETS for r in res):
        return res
    from tests.foundry import IDS, SUBNETS, VNET_PREFIX

    subnets = [
        {
            "name": name,
            "id": IDS.subnet(name),
            "type": "Microsoft.Network/virtualNetworks/subnets",
            "properties": {"addressPrefix": prefix, "provisioningState": "Succeeded"},
        }
        for name, prefix in SUBNETS.items()
    ]
    vnet = {
        "id": IDS.vnet,
        "name": IDS.vnet.rsplit("/", 1)[-1],
        "type": VNETS,
        "location": estates.LOCATION,
        "properties": {"addressSpace": {"addressPrefixes": [VNET_PREFIX]}, "subnets": subnets},
    }
    return [*res, vnet]


FOUNDRY_DATA: list[Case] = [
    dataclasses.replace(c, variants=FOUNDRY)
    for c in [
        Case("compliant", "PE001", "pass", target="/databaseAccounts/", mutate=foundry_vnet),
        Case(
            "cosmos-endpoint-gone",
            "PE001",
            "fail",
            target="/databaseAccounts/",
            mutate=chain(foundry_vnet, drop_id(pe_of("cosmos-chat-threads", "sql"))),
            contains="Sql: no private endpoint",
        ),
        Case(
            "cosmos-endpoint-misplaced",
            "PE001",
            "fail",
            target="/databaseAccounts/",
            mutate=chain(foundry_vnet, move_pe("cosmos-chat-threads", "sql", "jumpbox")),
        ),
        Case(
            "vnet-unread",
            "PE001",
            "not_assessed",
            target="/databaseAccounts/",
            others="not_assessed",
            mutate=drop_type(VNETS),
            drop_types=(VNETS,),
        ),
        Case(
            "cosmos-not-collected",
            "PE001",
            "not_assessed",
            target=f"/subscriptions/{estates.SUB}$",
            mutate=chain(foundry_vnet, drop_type(COSMOS)),
            drop_types=(COSMOS,),
        ),
        Case("compliant", "PE002", "pass", target="pe-cosmos-chat-threads-sql"),
        Case(
            "cosmos-connection-pending",
            "PE002",
            "fail",
            target="pe-cosmos-chat-threads-sql",
            mutate=connection_state("cosmos-chat-threads", "sql", "Pending"),
        ),
        Case("compliant", "PE003", "pass", target="pe-cosmos-chat-threads-sql"),
        Case(
            "cosmos-wrong-zone",
            "PE003",
            "fail",
            target="pe-cosmos-chat-threads-sql",
            mutate=zones("cosmos-chat-threads", "sql", ["privatelink.blob.core.windows.net"]),
            contains="missing privatelink.documents.azure.com",
        ),
        Case(
            "account-two-of-three-zones",
            "PE003",
            "fail",
            target="pe-ais-chat-account",
            mutate=zones(
                "ais-chat", "account", ["privatelink.openai.azure.com", "privatelink.services.ai.azure.com"]
            ),
            contains="missing privatelink.cognitiveservices.azure.com",
        ),
        Case(
            "zone-groups-not-collected",
            "PE003",
            "not_assessed",
            target="pe-cosmos-chat-threads-sql",
            mutate=drop_type(ZONE_GROUPS),
            drop_types=(ZONE_GROUPS,),
            others=None,
        ),
    ]
]
CASES += FOUNDRY_DATA
