"""Rules of the private-endpoints family: every service of the architecture is reached over Private Link.

The targets come from the inferred roles and resource types, never from names: the
Azure OpenAI account, the ML workspace or AI Studio hub (a project has no endpoint of
its own), the Key Vault, the Container Registry, the workspace storage (blob and file),
the app storage (blob), AI Search and each web app.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from auditor.analysis.architecture import (
    APP_SERVICE,
    APP_STORAGE,
    APPGW,
    BASTION,
    HUB,
    OPENAI,
    PRIVATE_ENDPOINTS,
    WORKSPACE,
    WORKSPACE_STORAGE,
    Roles,
)
from auditor.analysis.coverage import unread
from auditor.analysis.verdicts import failed, not_assessed, passed
from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig, display_name, items_of, same, web_apps
from auditor.arm.types import Resource
from auditor.engine.registry import Context, rule
from auditor.engine.sources import article, implementation
from auditor.model import Result

PE_TYPE = types.PRIVATE_ENDPOINTS
ZONE_GROUP_TYPE = types.PRIVATE_DNS_ZONE_GROUPS
VNET_TYPE = types.VIRTUAL_NETWORKS
OUTBOUND_RULE_TYPE = types.ML_OUTBOUND_RULES
WORKSPACES = types.ML_WORKSPACES

# The private-link sub-resources (groupIds) each part of the architecture needs. A baseline
# can switch one off with an empty list or ask for more.
DEFAULT_GROUPS: dict[str, list[str]] = {
    "openai": ["account"],
    "ml-workspace": ["amlworkspace"],
    "key-vault": ["vault"],
    "container-registry": ["registry"],
    "workspace-storage": ["blob", "file"],
    "app-storage": ["blob"],
    "search": ["searchService"],
    "web-app": ["sites"],
}

# The ARM type behind each kind of target, for reporting types that could not be listed.
TYPE_OF_KIND: dict[str, str] = {
    "openai": types.COGNITIVE_ACCOUNTS,
    "ml-workspace": WORKSPACES,
    "key-vault": types.KEY_VAULTS,
    "container-registry": types.CONTAINER_REGISTRIES,
    "workspace-storage": types.STORAGE_ACCOUNTS,
    "app-storage": types.STORAGE_ACCOUNTS,
    "search": types.SEARCH_SERVICES,
    "web-app": types.WEB_SITES,
    "cosmos-db": types.COSMOS_ACCOUNTS,
}

# Kinds a baseline may ask for beyond the defaults: the Foundry Agent Service design's thread store.
# Not required by default, so that estates of the prompt flow designs (which have no Cosmos DB and
# whose snapshots may not list the type) are judged as before.
EXTRA_GROUPS: dict[str, list[str]] = {"cosmos-db": ["Sql"]}
ALL_GROUPS: dict[str, list[str]] = {**DEFAULT_GROUPS, **EXTRA_GROUPS}

# Private DNS zones per groupId in Azure's public cloud; sovereign clouds use other
# suffixes (for example privatelink.openai.azure.us), so a baseline copy can replace them.
DEFAULT_ZONES: dict[str, list[str]] = {
    "account": ["privatelink.openai.azure.com"],
    "amlworkspace": ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"],
    "vault": ["privatelink.vaultcore.azure.net"],
    "registry": ["privatelink.azurecr.io"],
    "blob": ["privatelink.blob.core.windows.net"],
    "file": ["privatelink.file.core.windows.net"],
    "searchService": ["privatelink.search.windows.net"],
    "sites": ["privatelink.azurewebsites.net"],
}


def _tuples(table: dict[str, list[str]]) -> dict[str, tuple[str, ...]]:
    return {k: tuple(v) for k, v in table.items()}


@dataclass(frozen=True)
class GroupParams:
    """PE001: the groupIds each kind of target needs (an empty list switches a kind off)."""

    required_groups: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _tuples(DEFAULT_GROUPS))


@dataclass(frozen=True)
class ZoneParams:
    """PE003: the private DNS zones each groupId needs."""

    dns_zones: Mapping[str, tuple[str, ...]] = field(default_factory=lambda: _tuples(DEFAULT_ZONES))


@dataclass(frozen=True)
class OutboundParams:
    """PE004: the sub-resources the managed network's outbound rules must target."""

    openai_subresource: str = "account"
    search_subresource: str = "searchService"
    require_search: bool = True


# Subnets that can never be the private-endpoint subnet even if someone placed an endpoint there.
_NOT_PE_SUBNET = {APPGW, APP_SERVICE, BASTION}


@dataclass
class Target:
    """A resource that must be reachable over Private Link, and the groupIds it needs."""

    resource: Resource
    kinds: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def id(self) -> str:
        """The target's resource id."""
        return str(self.resource["id"])

    @property
    def name(self) -> str:
        """The target's name."""
        return str(self.resource.get("name") or ids.name_of(self.id))


# The types whose resources `targets` finds: a failed list of one hides its private endpoints' findings.
TARGET_TYPES = (
    types.COGNITIVE_ACCOUNTS,
    types.ML_WORKSPACES,
    types.KEY_VAULTS,
    types.CONTAINER_REGISTRIES,
    types.STORAGE_ACCOUNTS,
    types.SEARCH_SERVICES,
    types.WEB_SITES,
)


def _unread_targets(ctx: Context) -> Iterator[Result]:
    """Not assessed where a list of the services that need private endpoints failed."""
    for rtype in TARGET_TYPES:
        yield from unread(ctx.estate, rtype, f"{rtype} resources")
    # Cosmos DB only where it was meant to be read: its failed lists, not its absence from older
    # snapshots' collected types.
    if types.COSMOS_ACCOUNTS.lower() in ctx.estate.collected_types:
        yield from unread(ctx.estate, types.COSMOS_ACCOUNTS, f"{types.COSMOS_ACCOUNTS} resources")


def targets(ctx: Context, required: Mapping[str, Any]) -> list[Target]:
    """Every resource of the architecture that needs a private endpoint, with its groupIds."""
    found: dict[str, Target] = {}

    def add(res: Resource, kind: str) -> None:
        groups = [str(g) for g in required.get(kind) or []]
        if not groups:
            return
        target = found.setdefault(ids.norm(res["id"]), Target(res))
        if kind not in target.kinds:
            target.kinds.append(kind)
        for group in groups:
            if not any(same(group, g) for g in target.groups):
                target.groups.append(group)

    estate, roles = ctx.estate, ctx.roles
    for res in roles.resources(OPENAI):
        add(res, "openai")
    for role in (WORKSPACE, HUB):
        for res in roles.resources(role):
            add(res, "ml-workspace")
    for res in estate.of_type(types.KEY_VAULTS):
        add(res, "key-vault")
    for res in estate.of_type(types.CONTAINER_REGISTRIES):
        add(res, "container-registry")
    for res in roles.resources(WORKSPACE_STORAGE):
        add(res, "workspace-storage")
    for res in roles.resources(APP_STORAGE):
        add(res, "app-storage")
    for res in estate.of_type(types.SEARCH_SERVICES):
        add(res, "search")
    for res in web_apps(estate):
        add(res, "web-app")
    for res in estate.of_type(types.COSMOS_ACCOUNTS):
        add(res, "cosmos-db")
    return list(found.values())


def connections_to(pe: Resource, target_id: str) -> list[tuple[str, dict[str, Any]]]:
    """The endpoint's connections (automatic and manual) that point at `target_id`."""
    found = []
    for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
        for conn in items_of(dig(pe, f"properties.{key}")):
            target = dig(conn, "properties.privateLinkServiceId")
            if isinstance(conn, dict) and isinstance(target, str) and ids.norm(target) == ids.norm(target_id):
                found.append((key, conn))
    return found


def _group_ids(conn: dict[str, Any]) -> list[str]:
    """The groupIds of a private link connection."""
    return [str(g) for g in items_of(dig(conn, "properties.groupIds")) if isinstance(g, str)]


def subnet_placement(estate: Estate, roles: Roles, pe: Resource) -> tuple[str, str]:
    """("ok" | "wrong" | "unknown", description) for the subnet a private endpoint sits in."""
    subnet_id = dig(pe, "properties.subnet.id")
    if not isinstance(subnet_id, str):
        return "unknown", f"{display_name(pe)} has no properties.subnet.id"
    subnet = estate.subnet(subnet_id)
    if subnet is None:
        reason = estate.gap(VNET_TYPE, subnet_id) or "its virtual network is not in the snapshot"
        return (
            "unknown",
            f"{display_name(pe)} is in subnet {ids.name_of(subnet_id)}, which could not be read: {reason}",
        )
    subnet_roles = roles.of_subnet(subnet)
    if PRIVATE_ENDPOINTS in subnet_roles and not subnet_roles & _NOT_PE_SUBNET:
        return "ok", f"{display_name(pe)} in subnet {subnet.name}"
    shown = ", ".join(sorted(subnet_roles)) or "no inferred role"
    return (
        "wrong",
        f"{display_name(pe)} in subnet {subnet.name} (role: {shown}), not the private-endpoint subnet",
    )


def endpoints_of(
    estate: Estate, target: Target
) -> Iterator[tuple[Resource, list[tuple[str, dict[str, Any]]]]]:
    """Each private endpoint to the target with its connections to it, once per endpoint."""
    seen: set[str] = set()
    for pe in estate.private_endpoints_to(target.id):
        key = ids.norm(pe["id"])
        if key not in seen:
            seen.add(key)
            yield pe, connections_to(pe, target.id)


# --- PE001 -------------------------------------------------------------------


@rule(
    id="PE001",
    name="private-endpoint-in-pe-subnet",
    control="private-endpoints",
    severity="high",
    title="Each service of the architecture has a private endpoint in the private-endpoint subnet",
    rationale="""The architecture reaches every PaaS service over Private Link from one dedicated
    private-endpoint subnet ("private endpoints are used throughout this architecture": Microsoft
    Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Ingress to Machine
    Learning", a statement the AI Studio hub edition repeats); the reference implementation gives
    Azure OpenAI `account`, the workspace or hub `amlworkspace` (the project has none of its own),
    Key Vault `vault`, Container Registry `registry`, the workspace storage `blob` and `file`, the
    app storage `blob`, each web app `sites`, all in snet-privateEndpoints (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L206-L263,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L536-L608,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/keyvault.bicep#L109-L162,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/acr.bicep#L116-L167,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L151-L170,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/storage.bicep#L292-L399,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L238-L288,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep#L437-L470).
    AI Search is in the article's design but not in the ML-workspace or hub reference
    implementation; its `searchService` endpoint follows the Foundry Agent Service reference
    implementation (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-search.bicep#L136-L168),
    and so does Cosmos DB's `Sql`, which the Foundry baseline asks for (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/cosmos-db.bicep#L167-L201).""",
    references=[
        article("Ingress to Machine Learning"),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 206, 263),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 536, 608),
        implementation("hub", "infra-as-code/bicep/keyvault.bicep", 109, 162),
        implementation("hub", "infra-as-code/bicep/acr.bicep", 116, 167),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 151, 170),
        implementation("hub", "infra-as-code/bicep/storage.bicep", 292, 399),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 238, 288),
        implementation("hub", "infra-as-code/bicep/webapp.bicep", 437, 470),
        implementation("foundry", "infra-as-code/bicep/ai-search.bicep", 136, 168),
        implementation("foundry", "infra-as-code/bicep/cosmos-db.bicep", 167, 201),
    ],
    remediation="""az network private-endpoint create -g <rg> -n <pe-name> --vnet-name <vnet>
    --subnet <private-endpoint-subnet> --private-connection-resource-id <resource-id>
    --group-id <groupId> --connection-name <pe-name>; in Bicep a Microsoft.Network/privateEndpoints
    resource with properties.subnet.id set to the private-endpoint subnet and
    privateLinkServiceConnections[].properties.groupIds: ['<groupId>'].""",
    params=GroupParams,
)
def private_endpoint_present(ctx: Context) -> Iterator[Result]:
    """For each target and each groupId the baseline requires (`required_groups`, keyed by
    openai, ml-workspace, key-vault, container-registry, workspace-storage, app-storage, search,
    web-app, and cosmos-db, which only the Foundry baseline asks for: `Sql`), a private endpoint
    connects to the target with that groupId and sits in a subnet inferred as the private-endpoint
    subnet. An endpoint whose virtual network was not read makes
    the verdict not assessed; no endpoint at all is not assessed only when private endpoints could
    not be read."""
    required: Mapping[str, Any] = ctx.params.required_groups
    for rtype in dict.fromkeys(
        TYPE_OF_KIND[k] for k, groups in required.items() if groups and k in TYPE_OF_KIND
    ):
        yield from unread(ctx.estate, rtype, f"{rtype} resources")
    for target in targets(ctx, required):
        endpoints = list(endpoints_of(ctx.estate, target))
        gap = ctx.estate.gap(PE_TYPE, target.id)
        good: dict[str, list[str]] = {}
        problems: list[str] = []
        unknown: list[str] = []
        for group in target.groups:
            placements = [
                subnet_placement(ctx.estate, ctx.roles, pe)
                for pe, conns in endpoints
                if any(same(group, g) for _, conn in conns for g in _group_ids(conn))
            ]
            ok = [text for verdict_, text in placements if verdict_ == "ok"]
            if ok:
                good[group] = ok
            elif any(v == "unknown" for v, _ in placements):
                unknown.extend(f"{group}: {text}" for v, text in placements if v == "unknown")
            elif placements:
                problems.extend(f"{group}: {text}" for _, text in placements)
            elif gap:
                unknown.append(f"{group}: no private endpoint found, but {gap}")
            else:
                problems.append(f"{group}: no private endpoint")
        expected = {"groupIds": target.groups, "subnet": PRIVATE_ENDPOINTS}
        actual = {g: good.get(g, []) for g in target.groups}
        found = "; ".join(f"{g}: {', '.join(v)}" for g, v in good.items())
        if problems:
            message = "private endpoint missing or misplaced: " + "; ".join(problems)
            yield failed(target.resource, message + (f" (found {found})" if found else ""), expected, actual)
        elif unknown:
            yield not_assessed(
                target.resource, "cannot place the private endpoint(s): " + "; ".join(unknown), expected
            )
        else:
            yield passed(
                target.resource,
                f"private endpoint(s) in the private-endpoint subnet: {found}",
                expected,
                actual,
            )


# --- PE002 -------------------------------------------------------------------


@rule(
    id="PE002",
    name="private-endpoint-connection-approved",
    control="private-endpoints",
    severity="medium",
    title="Private endpoint connections to the architecture's services are Approved",
    rationale="""A private endpoint carries traffic only once its connection is Approved; a Pending,
    Rejected or Disconnected connection leaves the service without its private path, and the
    architecture keeps traffic to the services on Private Link (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", section "Networking") (on the target
    resource, properties.privateEndpointConnections[]...status must also be 'Approved'; the
    reference creates automatically approved connections, reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/keyvault.bicep#L109-L162
    and its siblings).""",
    references=[
        article("Networking"),
        implementation("hub", "infra-as-code/bicep/keyvault.bicep", 109, 162),
    ],
    remediation="""az network private-endpoint-connection approve
    --id <target-resource-id>/privateEndpointConnections/<name> --description "Approved"; or
    recreate the endpoint with privateLinkServiceConnections (automatic approval) by an identity
    that holds write access on the target.""",
)
def private_endpoint_approved(ctx: Context) -> Iterator[Result]:
    """Every private endpoint to a target of PE001: the state of each of its connections to the
    target (`privateLinkServiceConnections` and `manualPrivateLinkServiceConnections`,
    `properties.privateLinkServiceConnectionState.status`) is Approved, and so is the state the
    target lists for that endpoint in `properties.privateEndpointConnections` where the target's
    GET returns that list. One finding per private endpoint."""
    yield from unread(ctx.estate, PE_TYPE, "Private endpoints")
    yield from _unread_targets(ctx)
    for target in targets(ctx, ALL_GROUPS):
        listed: dict[str, Any] = {}
        for conn in dig(target.resource, "properties.privateEndpointConnections") or []:
            pe_id = dig(conn, "properties.privateEndpoint.id")
            if isinstance(pe_id, str):
                listed[ids.norm(pe_id)] = dig(conn, "properties.privateLinkServiceConnectionState.status")
        for pe, conns in endpoints_of(ctx.estate, target):
            states = [
                (
                    f"{key}[{conn.get('name', '?')}].privateLinkServiceConnectionState.status",
                    dig(conn, "properties.privateLinkServiceConnectionState.status"),
                )
                for key, conn in conns
            ]
            key = ids.norm(pe["id"])
            if key in listed:
                where = f"{target.name} properties.privateEndpointConnections[{display_name(pe)}]"
                states.append((where, listed[key]))
            actual = {where: state for where, state in states}
            shown = "; ".join(f"{where} is {state or 'absent'}" for where, state in states)
            message = f"to {target.name}: {shown}"
            bad = [s for _, s in states if isinstance(s, str) and s and not same(s, "Approved")]
            if bad:
                yield failed(pe, message, "Approved", actual)
            elif any(not s for _, s in states):
                yield not_assessed(pe, f"{message} (a connection state is missing)", "Approved")
            else:
                yield passed(pe, message, "Approved", actual)


# --- PE003 -------------------------------------------------------------------


def _zone_groups(estate: Estate, pe: Resource) -> list[Resource]:
    """The private DNS zone groups of a private endpoint."""
    # Match on the id segment as well: some API bodies carry no or an odd `type` for zone groups.
    return [
        child
        for child in estate.children(pe["id"])
        if same(child.get("type"), ZONE_GROUP_TYPE) or "/privatednszonegroups/" in child["id"].lower()
    ]


@rule(
    id="PE003",
    name="private-endpoint-dns-zone-group",
    control="private-endpoints",
    severity="medium",
    title="Private endpoints register in the right privatelink.* private DNS zones",
    rationale="""Private DNS zones map each service's FQDN to its private endpoint's address
    (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", AI Studio hub
    edition, section "Components", Azure DNS and its private DNS zones); without the zone group,
    clients resolve the public address and either fail or leave the private path. The reference
    gives every endpoint a privateDnsZoneGroups child pointing at its privatelink zone (for example,
    reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L206-L263,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L536-L608
    with both azureml zones).""",
    references=[
        article("Components"),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 206, 263),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 536, 608),
    ],
    remediation="""az network private-endpoint dns-zone-group create -g <rg> --endpoint-name <pe> -n default
    --private-dns-zone <privatelink-zone-resource-id> --zone-name <zone>; in Bicep a
    Microsoft.Network/privateEndpoints/privateDnsZoneGroups child with
    properties.privateDnsZoneConfigs[].properties.privateDnsZoneId.""",
    params=ZoneParams,
)
def private_endpoint_dns(ctx: Context) -> Iterator[Result]:
    """Every private endpoint to a target of PE001 whose groupId is in `dns_zones` has a
    privateDnsZoneGroups child whose `privateDnsZoneConfigs[].properties.privateDnsZoneId` names
    each zone `dns_zones` lists for that groupId (zone names compare case-insensitively). Not
    assessed when zone groups could not be read."""
    yield from unread(ctx.estate, PE_TYPE, "Private endpoints")
    yield from _unread_targets(ctx)
    table: Mapping[str, Any] = ctx.params.dns_zones
    zones_by_group = {str(g).lower(): [str(z) for z in zs or []] for g, zs in table.items()}
    for target in targets(ctx, ALL_GROUPS):
        for pe, conns in endpoints_of(ctx.estate, target):
            required: list[str] = []
            for _, conn in conns:
                for group in _group_ids(conn):
                    for zone in zones_by_group.get(group.lower(), []):
                        if zone.lower() not in (z.lower() for z in required):
                            required.append(zone)
            if not required:
                continue
            groups = _zone_groups(ctx.estate, pe)
            if not groups:
                gap = ctx.estate.gap(ZONE_GROUP_TYPE, pe["id"])
                if gap:
                    yield not_assessed(
                        pe, f"to {target.name}: private DNS zone groups unknown: {gap}", required
                    )
                else:
                    yield failed(pe, f"to {target.name}: no privateDnsZoneGroups child", required, [])
                continue
            present = [
                ids.name_of(zone_id)
                for zg in groups
                for cfg in dig(zg, "properties.privateDnsZoneConfigs") or []
                if isinstance(zone_id := dig(cfg, "properties.privateDnsZoneId"), str)
            ]
            lowered = {z.lower() for z in present}
            missing = [z for z in required if z.lower() not in lowered]
            message = f"to {target.name}: privateDnsZoneGroups point at {', '.join(present) or 'no zone'}"
            if missing:
                yield failed(pe, f"{message}; missing {', '.join(missing)}", required, present)
            else:
                yield passed(pe, message, required, present)


# --- PE004 -------------------------------------------------------------------


def outbound_rules(estate: Estate, ws: Resource) -> tuple[list[tuple[str, dict[str, Any]]], bool]:
    """The workspace's managed-network outbound rules, and whether the list is known to be complete."""
    found: list[tuple[str, dict[str, Any]]] = []
    inline = dig(ws, "properties.managedNetwork.outboundRules")
    if isinstance(inline, dict):
        found.extend((str(name), body) for name, body in inline.items() if isinstance(body, dict))
    for child in estate.children(ws["id"]):
        if "/outboundrules/" in child["id"].lower() and isinstance(child.get("properties"), dict):
            found.append((display_name(child), child["properties"]))
    complete = isinstance(inline, dict) or estate.gap(OUTBOUND_RULE_TYPE, ws["id"]) is None
    return found, complete


@rule(
    id="PE004",
    name="managed-network-private-endpoint-rules",
    control="private-endpoints",
    severity="medium",
    title="The ML managed network has private-endpoint outbound rules to Azure OpenAI and AI Search",
    rationale="""The workspace (the article's Machine Learning workspace edition) or hub (its AI
    Studio hub edition) uses managed virtual network isolation in which "you must configure
    user-defined outbound rules" for Azure OpenAI and AI Search, all connected "through private link"
    (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", section
    "Flow from the Machine Learning-managed virtual network to Azure PaaS services"). The reference
    declares the Azure OpenAI rule
    {type: PrivateEndpoint, destination.serviceResourceId: <AOAI>, subresourceTarget: account}
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L298-L317,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L156-L181);
    the AI Search rule is the article's text (neither the ML-workspace nor the hub reference
    implementation deploys AI Search), so it is required whenever AI Search exists.""",
    references=[
        article("Flow from the Machine Learning-managed virtual network to Azure PaaS services"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 298, 317),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 156, 181),
    ],
    remediation="""az ml workspace outbound-rule set -g <rg> --workspace-name <hub-or-workspace> --rule <name>
    --type private_endpoint --service-resource-id <openai-or-search-id> --subresource-target
    account|searchService; in Bicep properties.managedNetwork.outboundRules.<name>: {type:
    'PrivateEndpoint', destination: {serviceResourceId: <id>, subresourceTarget: 'account'}}.""",
    params=OutboundParams,
)
def managed_network_outbound_rules(ctx: Context) -> Iterator[Result]:
    """For each ML workspace or hub (projects inherit the hub's managed network): an outbound rule
    in `properties.managedNetwork.outboundRules` or a `workspaces/outboundRules` child has
    `type: PrivateEndpoint`, `destination.serviceResourceId` equal to each Azure OpenAI account
    (and each AI Search service when `require_search`), `destination.subresourceTarget` equal to
    the expected sub-resource, and `status` Active where a status is given. Not assessed when
    neither source of rules could be read."""
    yield from unread(ctx.estate, WORKSPACES, "Machine learning workspaces")
    wanted: list[tuple[Resource, str]] = [
        (a, ctx.params.openai_subresource) for a in ctx.roles.resources(OPENAI)
    ]
    if ctx.params.require_search:
        search_sub = ctx.params.search_subresource
        wanted.extend((s, search_sub) for s in ctx.estate.of_type(types.SEARCH_SERVICES))
    # The services that need a rule must all be known before the rules can be called complete.
    needed = [types.COGNITIVE_ACCOUNTS, *([types.SEARCH_SERVICES] if ctx.params.require_search else [])]
    unlisted = next((g for t in needed if (g := ctx.estate.gap(t))), None)
    for ws in [*ctx.roles.resources(WORKSPACE), *ctx.roles.resources(HUB)]:
        if not wanted:
            yield not_assessed(ws, "no Azure OpenAI account in the snapshot to require an outbound rule for")
            continue
        rules, complete = outbound_rules(ctx.estate, ws)
        # The workspace's private-endpoint rules by destination, in their order: one pass, not one per target.
        by_destination: dict[str, list[tuple[str, Resource]]] = {}
        for name, body in rules:
            if same(body.get("type"), "PrivateEndpoint") and isinstance(
                dest := dig(body, "destination.serviceResourceId"), str
            ):
                by_destination.setdefault(ids.norm(dest), []).append((name, body))
        ok: list[str] = []
        bad: list[str] = []
        missing: list[str] = []
        for target, sub in wanted:
            matches = by_destination.get(ids.norm(target["id"]), [])
            label = f"{display_name(target)} ({sub})"
            good = [
                n
                for n, b in matches
                if same(dig(b, "destination.subresourceTarget"), sub)
                and (not b.get("status") or same(b["status"], "Active"))
            ]
            if good:
                ok.append(f"{label}: rule {good[0]}")
            elif matches:
                n, b = matches[0]
                bad.append(
                    f"{label}: rule {n} has subresourceTarget {dig(b, 'destination.subresourceTarget')} "
                    f"and status {b.get('status') or 'absent'}"
                )
            else:
                missing.append(label)
        expected = [
            {"type": "PrivateEndpoint", "serviceResourceId": t["id"], "subresourceTarget": s}
            for t, s in wanted
        ]
        if bad or (missing and complete):
            problems = bad + [f"{m}: no PrivateEndpoint outbound rule" for m in missing]
            yield failed(ws, "managed network outbound rules: " + "; ".join(problems), expected, ok)
        elif missing:
            reason = ctx.estate.gap(OUTBOUND_RULE_TYPE, ws["id"])
            yield not_assessed(
                ws,
                f"no outbound rule found for {', '.join(missing)}, and "
                f"properties.managedNetwork.outboundRules is absent while {reason}",
                expected,
            )
        elif unlisted:
            yield not_assessed(
                ws,
                "managed network outbound rules: " + "; ".join(ok) + f"; but {unlisted}, "
                "so a service that needs a rule may be missing from this list",
                expected,
            )
        else:
            yield passed(ws, "managed network outbound rules: " + "; ".join(ok), expected, ok)
