"""Infer what each resource is in the reference architecture, without relying on names.

Real estates do not use the reference implementation's names, so roles come
from structure: which subnet holds the gateway or the private endpoints, which
is delegated to App Service, which identity belongs to the hub, the project, the
online endpoint. Name patterns are used only where nothing structural exists
(jump box, build agents, training, scoring subnets), and a baseline can override
every inference.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from auditor.analysis import foundry
from auditor.arm import ids, types
from auditor.arm.estate import Estate, Subnet, dig, same, web_apps
from auditor.arm.types import Resource
from auditor.model import RoleExplanation

# Subnet roles
APPGW = "application-gateway"
PRIVATE_ENDPOINTS = "private-endpoints"
APP_SERVICE = "app-service-integration"
BASTION = "bastion"
JUMPBOX = "jumpbox"
AGENTS = "agents"
TRAINING = "training"
SCORING = "scoring"
NO_NSG_ALLOWED = "nsg-not-supported"
# The Foundry Agent Service design's subnets, both from structure: the subnet delegated to
# Microsoft.App/environments (where networkInjections puts the agents), and the subnets Azure names
# for Azure Firewall.
AGENT_EGRESS = "agent-egress"
FIREWALL_SUBNETS = "azure-firewall"  # AzureFirewallSubnet and AzureFirewallManagementSubnet

SUBNET_ROLES = (
    APPGW,
    PRIVATE_ENDPOINTS,
    APP_SERVICE,
    BASTION,
    JUMPBOX,
    AGENTS,
    TRAINING,
    SCORING,
    NO_NSG_ALLOWED,
    AGENT_EGRESS,
    FIREWALL_SUBNETS,
)

# The subnets Azure Firewall is deployed into (names fixed by Azure).
FIREWALL_SUBNET_NAMES = {"azurefirewallsubnet", "azurefirewallmanagementsubnet"}
# The delegation Foundry Agent Service's network injection needs on the agents' subnet.
AGENT_DELEGATION = types.APP_ENVIRONMENTS

# Subnets where Azure does not support an NSG.
NSG_FORBIDDEN_NAMES = {
    "azurefirewallsubnet",
    "azurefirewallmanagementsubnet",
    "gatewaysubnet",
    "routeserversubnet",
}

DEFAULT_SUBNET_PATTERNS: dict[str, str] = {
    JUMPBOX: r"(?i)jump",
    AGENTS: r"(?i)(agent|build)",
    TRAINING: r"(?i)train",
    SCORING: r"(?i)(scor|inferenc)",
}

# Identity and resource roles
HUB = "hub"
PROJECT = "project"
WORKSPACE = "workspace"
ONLINE_ENDPOINT = "online-endpoint"
COMPUTE = "compute-instance"
CHAT_UI = "chat-ui-app"
PROMPTFLOW_APP = "promptflow-app"
APPGW_IDENTITY = "application-gateway"
OPENAI = "openai"
WORKSPACE_STORAGE = "workspace-storage"
APP_STORAGE = "app-storage"
WORKSPACE_KEYVAULT = "workspace-keyvault"
WORKSPACE_REGISTRY = "workspace-registry"

# The Foundry Agent Service design's resource and identity roles (its subnet roles are above): which
# tuple above each joins is decided where it is inferred.
FOUNDRY_ACCOUNT = "foundry-account"
FOUNDRY_PROJECT = "foundry-project"  # the project, and its identity
AGENT_THREAD_STORE = "agent-thread-store"  # Cosmos DB, through the capability host
AGENT_FILE_STORE = "agent-file-store"  # Storage, through the capability host
AGENT_VECTOR_STORE = "agent-vector-store"  # AI Search, through the capability host
# Store (auditor.analysis.foundry) -> the role of the resource the capability host names for it.
AGENT_STORE_ROLES = {
    foundry.THREADS: AGENT_THREAD_STORE,
    foundry.FILES: AGENT_FILE_STORE,
    foundry.VECTORS: AGENT_VECTOR_STORE,
}

IDENTITY_ROLES: tuple[str, ...] = (
    HUB, PROJECT, WORKSPACE, ONLINE_ENDPOINT, COMPUTE, CHAT_UI, PROMPTFLOW_APP, APPGW_IDENTITY,
    FOUNDRY_PROJECT,
)  # fmt: skip
RESOURCE_ROLES = (
    HUB, PROJECT, WORKSPACE, ONLINE_ENDPOINT, COMPUTE, CHAT_UI, PROMPTFLOW_APP, OPENAI,
    WORKSPACE_STORAGE, APP_STORAGE, WORKSPACE_KEYVAULT, WORKSPACE_REGISTRY,
    FOUNDRY_ACCOUNT, FOUNDRY_PROJECT, AGENT_THREAD_STORE, AGENT_FILE_STORE, AGENT_VECTOR_STORE,
)  # fmt: skip

IDENTITIES = "user-assigned-identities"

# The ARM types each role is inferred from: when reading one of them failed, a rule that
# relied on the role may have judged an incomplete picture (Estate.broad_gaps).
_NET = types.VIRTUAL_NETWORKS
_ML = types.ML_WORKSPACES
# Web app roles come from the gateway's backend pools and the apps' private endpoints.
_SITES = (types.WEB_SITES, types.APPLICATION_GATEWAYS, types.PRIVATE_ENDPOINTS)
# The agents' subnet can also be named by an account's networkInjections; it is noted as read from the
# networks only, so that a failed account list does not cloud the NSG verdicts of every subnet.
_NET_ONLY = (
    APP_SERVICE, BASTION, JUMPBOX, AGENTS, TRAINING, SCORING, NO_NSG_ALLOWED, AGENT_EGRESS, FIREWALL_SUBNETS,
)  # fmt: skip
ROLE_SOURCES: dict[str, tuple[str, ...]] = {
    APPGW: (_NET, types.APPLICATION_GATEWAYS),
    PRIVATE_ENDPOINTS: (_NET, types.PRIVATE_ENDPOINTS),
    **{role: (_NET,) for role in _NET_ONLY},
    HUB: (_ML,),
    PROJECT: (_ML,),
    WORKSPACE: (_ML,),
    ONLINE_ENDPOINT: (_ML, types.ML_ONLINE_ENDPOINTS),
    COMPUTE: (_ML, types.ML_COMPUTES),
    OPENAI: (types.COGNITIVE_ACCOUNTS,),
    WORKSPACE_STORAGE: (_ML, types.STORAGE_ACCOUNTS),
    APP_STORAGE: (_ML, types.STORAGE_ACCOUNTS),
    WORKSPACE_KEYVAULT: (_ML, types.KEY_VAULTS),
    WORKSPACE_REGISTRY: (_ML, types.CONTAINER_REGISTRIES),
    CHAT_UI: _SITES,
    PROMPTFLOW_APP: _SITES,
    IDENTITIES: (types.USER_ASSIGNED_IDENTITIES,),
    FOUNDRY_ACCOUNT: (types.COGNITIVE_ACCOUNTS, types.FOUNDRY_PROJECTS),
    FOUNDRY_PROJECT: (types.FOUNDRY_PROJECTS,),
    **{
        role: (
            types.FOUNDRY_PROJECTS,
            types.FOUNDRY_PROJECT_CAPABILITY_HOSTS,
            types.FOUNDRY_PROJECT_CONNECTIONS,
            foundry.STORES[store][1],
        )
        for store, role in AGENT_STORE_ROLES.items()
    },
}

# --- the Foundry design's identities ------------------------------------------------------------
# The account's system-assigned identity and each project's (user-assigned in the reference) act for
# their resources: the role table gives the project's the agent's stores.
IDENTITY_ROLES = (*IDENTITY_ROLES, FOUNDRY_ACCOUNT)
ROLE_SOURCES.setdefault(FOUNDRY_ACCOUNT, (types.COGNITIVE_ACCOUNTS,))
ROLE_SOURCES.setdefault(FOUNDRY_PROJECT, (types.COGNITIVE_ACCOUNTS, types.FOUNDRY_PROJECTS))


@dataclass(frozen=True)
class Identity:
    """A principal that acts for a resource of the architecture."""

    principal_id: str
    role: str
    resource_id: str
    kind: str  # "system" or "user"
    identity_resource_id: str | None = None


@dataclass
class Roles:
    """The role of every subnet, resource and identity in the reference, with the reasons."""

    subnet_roles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    resource_roles: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))
    identities: list[Identity] = field(default_factory=list)
    explanations: list[RoleExplanation] = field(default_factory=list)
    _estate: Estate | None = None
    _principal_roles: dict[str, set[str]] | None = None

    def reading(self, estate: Estate) -> Roles:
        """The same roles over `estate` (a view bound to a rule's read log, see Estate.reading), so
        that asking for a role records the types it was inferred from in that log."""
        return replace(self, _estate=estate)

    def _note(self, *roles: str) -> None:
        """Record in the estate's read log which types these roles were inferred from (see settle)."""
        if self._estate is not None:
            self._estate.note_read(*_sources_of(roles))

    def of_subnet(self, subnet: Subnet) -> set[str]:
        """The roles of one subnet (empty when it has none)."""
        self._note(*SUBNET_ROLES)
        return self.subnet_roles.get(ids.norm(subnet.id), set())

    def subnets(self, role: str) -> list[Subnet]:
        """The subnets that have a role."""
        assert self._estate is not None
        self._note(role)
        return [s for s in self._estate.subnets if role in self.subnet_roles.get(ids.norm(s.id), set())]

    def of_resource(self, resource_id: str) -> set[str]:
        """The roles of one resource (empty when it has none)."""
        self._note(*RESOURCE_ROLES)
        return self.resource_roles.get(ids.norm(resource_id), set())

    def resources(self, role: str) -> list[Resource]:
        """The resources of the estate that have a role."""
        assert self._estate is not None
        self._note(role)
        found = []
        for rid, roles in self.resource_roles.items():
            if role in roles:
                res = self._estate.get(rid)
                if res is not None:
                    found.append(res)
        return found

    def identities_of(self, role: str) -> list[Identity]:
        """The identities that act for resources of a role."""
        self._note(role, IDENTITIES)
        return [i for i in self.identities if i.role == role]

    def identity_roles_of(self, principal_id: str) -> set[str]:
        """The roles of the resources a principal acts for."""
        self._note(*IDENTITY_ROLES, IDENTITIES)
        if self._principal_roles is None:
            self._principal_roles = _principal_roles(self.identities)
        return set(self._principal_roles.get(principal_id.lower(), ()))


@functools.lru_cache(maxsize=256)
def _sources_of(roles: tuple[str, ...]) -> tuple[str, ...]:
    # Asked for the same few role tuples by every rule: ROLE_SOURCES is complete once imported.
    return tuple(t for role in roles for t in ROLE_SOURCES.get(role, ()))


def infer_roles(estate: Estate, overrides: Mapping[str, Any] | None = None) -> Roles:
    """Infer subnet, resource and identity roles; `overrides` come from the baseline's `roles`."""
    overrides = overrides or {}
    roles = Roles(_estate=estate)
    _infer_subnets(estate, roles, overrides)
    _infer_resources(estate, roles, overrides)
    _infer_foundry_identity_holders(estate, roles)
    _infer_identities(estate, roles)
    # Built once after inference, so that every rule's view (Roles.reading) shares it.
    roles._principal_roles = _principal_roles(roles.identities)
    return roles


def _principal_roles(identities: list[Identity]) -> dict[str, set[str]]:
    found: dict[str, set[str]] = defaultdict(set)
    for ident in identities:
        found[ident.principal_id.lower()].add(ident.role)
    return found


def _explain(roles: Roles, table: dict[str, set[str]], rid: str, role: str, reason: str) -> None:
    if role not in table[ids.norm(rid)]:
        table[ids.norm(rid)].add(role)
        roles.explanations.append(RoleExplanation(rid, role, reason))


def _infer_subnets(estate: Estate, roles: Roles, overrides: Mapping[str, Any]) -> None:
    explicit: Mapping[str, Any] = overrides.get("subnets") or {}
    patterns = {**DEFAULT_SUBNET_PATTERNS, **(overrides.get("subnet_patterns") or {})}
    gateway_subnets: dict[str, str] = {}
    for gw in estate.of_type(types.APPLICATION_GATEWAYS):
        for cfg in dig(gw, "properties.gatewayIPConfigurations") or []:
            sid = dig(cfg, "properties.subnet.id")
            if isinstance(sid, str):
                gateway_subnets[ids.norm(sid)] = gw["id"]
    # The workload's virtual network holds the gateway or the App Service integration subnet;
    # private endpoints in another network (a hub, a shared services VNet) are not in the
    # architecture's private-endpoint subnet.
    workload_vnets = {
        ids.norm(s.vnet_id)
        for s in estate.subnets
        if ids.norm(s.id) in gateway_subnets
        or any(same(d, "Microsoft.Web/serverFarms") for d in s.delegations)
    }
    injected = agent_injections(estate)
    table = roles.subnet_roles
    for subnet in estate.subnets:
        key = ids.norm(subnet.id)
        forced = explicit.get(subnet.name) or explicit.get(subnet.id) or explicit.get(key)
        if forced:
            for role in [forced] if isinstance(forced, str) else list(forced):
                _explain(roles, table, subnet.id, role, "set by the baseline's roles.subnets")
            continue
        lowered = subnet.name.lower()
        if key in gateway_subnets:
            _explain(
                roles,
                table,
                subnet.id,
                APPGW,
                f"holds the IP configuration of {ids.name_of(gateway_subnets[key])}",
            )
        # A private endpoint dropped into the jump-box, agents, training or scoring subnet does not
        # make that subnet the private-endpoint subnet: the name pattern keeps its role below.
        named_for_other_role = any(re.search(p, subnet.name) for p in patterns.values())
        outside = bool(workload_vnets) and ids.norm(subnet.vnet_id) not in workload_vnets
        if estate.private_endpoints_in(subnet.id) and not named_for_other_role and not outside:
            count = len(estate.private_endpoints_in(subnet.id))
            _explain(roles, table, subnet.id, PRIVATE_ENDPOINTS, f"holds {count} private endpoint(s)")
        if any(same(d, "Microsoft.Web/serverFarms") for d in subnet.delegations):
            _explain(roles, table, subnet.id, APP_SERVICE, "delegated to Microsoft.Web/serverFarms")
        if any(same(d, AGENT_DELEGATION) for d in subnet.delegations):
            _explain(roles, table, subnet.id, AGENT_EGRESS, f"delegated to {AGENT_DELEGATION}")
        elif key in injected:
            _explain(
                roles,
                table,
                subnet.id,
                AGENT_EGRESS,
                f"named by the networkInjections of {ids.name_of(injected[key])}",
            )
        if lowered in FIREWALL_SUBNET_NAMES:
            _explain(roles, table, subnet.id, FIREWALL_SUBNETS, f"named {subnet.name} (fixed by Azure)")
        if lowered == "azurebastionsubnet":
            _explain(roles, table, subnet.id, BASTION, "named AzureBastionSubnet (fixed by Azure)")
        if lowered in NSG_FORBIDDEN_NAMES:
            _explain(roles, table, subnet.id, NO_NSG_ALLOWED, f"{subnet.name} does not support an NSG")
        if table.get(key):
            continue
        for role, pattern in patterns.items():
            if re.search(pattern, subnet.name):
                _explain(roles, table, subnet.id, role, f"name matches {pattern!r}")
                break


def agent_injections(estate: Estate) -> dict[str, str]:
    """The subnets Foundry accounts (kind AIServices) inject their agents into
    (properties.networkInjections[].subnetArmId, normalised) -> the account's id."""
    found: dict[str, str] = {}
    for acct in estate.of_type(types.COGNITIVE_ACCOUNTS):
        if str(acct.get("kind", "")).lower() != "aiservices":
            continue  # only Foundry accounts (kind AIServices) inject agents
        for injection in dig(acct, "properties.networkInjections") or []:
            sid = dig(injection, "subnetArmId")
            if isinstance(sid, str) and sid:
                found.setdefault(ids.norm(sid), acct["id"])
    return found


def _override_resources(estate: Estate, roles: Roles, overrides: Mapping[str, Any]) -> set[str]:
    forced: set[str] = set()
    for key, value in (overrides.get("resources") or {}).items():
        matches = [r for r in estate.resources if ids.norm(r["id"]) == ids.norm(key) or r.get("name") == key]
        for res in matches:
            forced.add(ids.norm(res["id"]))
            for role in [value] if isinstance(value, str) else list(value):
                _explain(
                    roles, roles.resource_roles, res["id"], role, "set by the baseline's roles.resources"
                )
    return forced


def workspace_kind(ws: Resource) -> str:
    """The role of an Azure Machine Learning workspace by its kind: hub, project or plain workspace."""
    kind = str(ws.get("kind") or "Default").lower()
    if kind == "hub":
        return HUB
    if kind == "project":
        return PROJECT
    return WORKSPACE


def _infer_resources(estate: Estate, roles: Roles, overrides: Mapping[str, Any]) -> None:
    forced = _override_resources(estate, roles, overrides)
    table = roles.resource_roles

    def add(res: Resource | str, role: str, reason: str) -> None:
        rid = res if isinstance(res, str) else res["id"]
        if ids.norm(rid) not in forced:
            _explain(roles, table, rid, role, reason)

    for acct in estate.of_type(types.COGNITIVE_ACCOUNTS):
        if str(acct.get("kind", "")).lower() in ("openai", "aiservices"):
            add(acct, OPENAI, f"Cognitive Services account of kind {acct.get('kind')}")
    _infer_foundry(estate, add)
    for ws in estate.of_type(types.ML_WORKSPACES):
        role = workspace_kind(ws)
        add(ws, role, f"machine learning workspace of kind {ws.get('kind') or 'Default'}")
        if role == PROJECT:
            continue  # a project uses its hub's dependencies
        for prop, dep_role in (
            ("storageAccount", WORKSPACE_STORAGE),
            ("keyVault", WORKSPACE_KEYVAULT),
            ("containerRegistry", WORKSPACE_REGISTRY),
        ):
            dep = dig(ws, f"properties.{prop}")
            if isinstance(dep, str) and dep:
                add(estate.get(dep) or dep, dep_role, f"properties.{prop} of {ws.get('name')}")
        for ep in estate.children(ws["id"], types.ML_ONLINE_ENDPOINTS):
            add(ep, ONLINE_ENDPOINT, f"online endpoint of {ws.get('name')}")
        for comp in estate.children(ws["id"], types.ML_COMPUTES):
            if same(dig(comp, "properties.computeType"), "ComputeInstance"):
                add(comp, COMPUTE, f"compute instance of {ws.get('name')}")
    for ws in estate.of_type(types.ML_WORKSPACES):
        if workspace_kind(ws) == PROJECT:
            for ep in estate.children(ws["id"], types.ML_ONLINE_ENDPOINTS):
                add(ep, ONLINE_ENDPOINT, f"online endpoint of project {ws.get('name')}")
    for st in estate.of_type(types.STORAGE_ACCOUNTS):
        # The agent's file store belongs to Foundry Agent Service, not to the application.
        if not roles.of_resource(st["id"]) & {WORKSPACE_STORAGE, AGENT_FILE_STORE}:
            add(st, APP_STORAGE, "storage account not used by a workspace")
    _infer_sites(estate, roles, add)


def _infer_foundry(estate: Estate, add: Any) -> None:
    """The Foundry account, its projects, and the stores each project's capability host wires in."""
    for acct in estate.of_type(types.COGNITIVE_ACCOUNTS):
        if foundry.is_foundry_account(estate, acct):
            add(acct, FOUNDRY_ACCOUNT, "AIServices account that manages projects")
    for proj in foundry.projects(estate):
        add(proj, FOUNDRY_PROJECT, f"project of {ids.name_of(foundry.account_of(proj['id']))}")
    for store, links in foundry.agent_stores(estate).items():
        for link in links:
            assert link.resource_id is not None  # agent_stores keeps only links that reach a resource
            add(
                estate.get(link.resource_id) or link.resource_id,
                AGENT_STORE_ROLES[store],
                f"{foundry.STORES[store][0]} of {ids.name_of(link.host_id)} names connection "
                f"{link.connection_name}",
            )


def is_container_site(estate: Estate, site: Resource) -> bool:
    """A web app running a container image (how the prompt-flow runtime is hosted): its kind, or
    linuxFxVersion DOCKER|... on the site body or its config/web."""
    if "container" in str(site.get("kind", "")).lower():
        return True
    bodies = [dig(site, "properties.siteConfig")]
    bodies += [r.get("properties") for r in estate.children(site["id"], types.SITE_CONFIG)]
    return any(str(dig(b, "linuxFxVersion") or "").upper().startswith("DOCKER|") for b in bodies)


def private_endpoint_addresses(estate: Estate, target_id: str) -> tuple[set[str], set[str]]:
    """(IP addresses, FQDNs) of the private endpoints to a resource, where their ARM bodies give them."""
    ips: set[str] = set()
    names: set[str] = set()
    for pe in estate.private_endpoints_to(target_id):
        for cfg in dig(pe, "properties.customDnsConfigs") or []:
            ips.update(a for a in dig(cfg, "ipAddresses") or [] if isinstance(a, str) and a)
            fqdn = dig(cfg, "fqdn")
            if isinstance(fqdn, str) and fqdn:
                names.add(fqdn.lower())
        for cfg in dig(pe, "properties.ipConfigurations") or []:
            ip = dig(cfg, "properties.privateIPAddress")
            if isinstance(ip, str) and ip:
                ips.add(ip)
    return ips, names


def _backend_addresses(estate: Estate) -> tuple[dict[str, str], dict[str, str]]:
    """Host names and IP addresses of every Application Gateway backend pool -> the gateway's name."""
    hosts: dict[str, str] = {}
    ips: dict[str, str] = {}
    for gw in estate.of_type(types.APPLICATION_GATEWAYS):
        for pool in dig(gw, "properties.backendAddressPools") or []:
            for addr in dig(pool, "properties.backendAddresses") or []:
                fqdn, ip = dig(addr, "fqdn"), dig(addr, "ipAddress")
                if isinstance(fqdn, str) and fqdn:
                    hosts.setdefault(fqdn.lower(), str(gw.get("name")))
                if isinstance(ip, str) and ip:
                    ips.setdefault(ip, str(gw.get("name")))
    return hosts, ips


def _roles_of(roles: Roles, res: Resource) -> set[str]:
    return roles.resource_roles.get(ids.norm(res["id"]), set())


def _infer_sites(estate: Estate, roles: Roles, add: Any) -> None:
    """The chat UI is the web app a gateway backend pool points at, by host name or by the IP of the
    app's private endpoint; the prompt-flow app is another web app that runs a container or shares
    the chat UI's plan. When no backend matches any web app, the kind of app decides (a fallback the
    reason says); a web app left without a role is still explained."""
    backend_hosts, backend_ips = _backend_addresses(estate)
    sites = web_apps(estate)
    # Sites the baseline made the chat UI count as recognised.
    chat = {ids.norm(s["id"]) for s in sites if CHAT_UI in _roles_of(roles, s)}
    for site in sites:
        hosts = {str(h).lower() for h in dig(site, "properties.hostNames") or []}
        hosts.update(str(h).lower() for h in dig(site, "properties.enabledHostNames") or [])
        default = dig(site, "properties.defaultHostName")
        if isinstance(default, str):
            hosts.add(default.lower())
        pe_ips, pe_names = private_endpoint_addresses(estate, site["id"])
        by_host = sorted(hosts.union(pe_names).intersection(backend_hosts))
        by_ip = sorted(pe_ips.intersection(backend_ips))
        if by_host:
            gw, reason = backend_hosts[by_host[0]], f"its host name {by_host[0]}"
        elif by_ip:
            gw, reason = backend_ips[by_ip[0]], f"{by_ip[0]}, the IP of its private endpoint"
        else:
            continue
        add(site, CHAT_UI, f"a backend pool of {gw} points at {reason}")
        chat.add(ids.norm(site["id"]))
    if not chat:
        why = (
            "no Application Gateway backend address names a web app's host or private endpoint IP"
            if backend_hosts or backend_ips
            else "no Application Gateway backend address in the snapshot"
        )
        for site in sites:
            if is_container_site(estate, site):
                add(site, PROMPTFLOW_APP, f"fallback ({why}): a container web app, so the prompt flow app")
            else:
                add(site, CHAT_UI, f"fallback ({why}): a web app not running a container, so the chat UI")
        return
    chat_plans = {
        ids.norm(plan)
        for s in sites
        if ids.norm(s["id"]) in chat and isinstance(plan := dig(s, "properties.serverFarmId"), str)
    }
    for site in sites:
        key = ids.norm(site["id"])
        if key in chat:
            continue  # the chat UI is never also the prompt-flow app
        plan = dig(site, "properties.serverFarmId")
        if is_container_site(estate, site) or (isinstance(plan, str) and ids.norm(plan) in chat_plans):
            add(site, PROMPTFLOW_APP, "web app beside the chat UI (prompt flow host)")
        elif not _roles_of(roles, site):
            roles.explanations.append(
                RoleExplanation(
                    site["id"],
                    "none",
                    "web app neither behind the gateway nor a container nor on the chat UI's plan; "
                    "name its role in the baseline's roles.resources",
                )
            )


def _infer_foundry_identity_holders(estate: Estate, roles: Roles) -> None:
    """The Foundry resources whose identities the role table names, where nothing else gave them their
    role: every project (a child of an account), and the account that holds projects. A resource the
    baseline's roles.resources names keeps the roles it was given."""
    forced = {
        ids.norm(e.resource_id)
        for e in roles.explanations
        if e.reason == "set by the baseline's roles.resources"
    }
    table = roles.resource_roles
    for project in estate.of_type(types.FOUNDRY_PROJECTS):
        account = ids.parent_of(project["id"])
        if ids.norm(project["id"]) not in forced and not table.get(ids.norm(project["id"])):
            _explain(roles, table, project["id"], FOUNDRY_PROJECT, f"project of {ids.name_of(account or '')}")
        if (
            account
            and ids.norm(account) not in forced
            and FOUNDRY_ACCOUNT not in table.get(ids.norm(account), ())
        ) and estate.get(account) is not None:
            _explain(roles, table, account, FOUNDRY_ACCOUNT, f"holds project {ids.name_of(project['id'])}")


def _infer_identities(estate: Estate, roles: Roles) -> None:
    # One entry per principal, role and resource: a user-assigned identity shared by two
    # endpoints (or two web apps) acts for both, and each must be checked.
    seen: set[tuple[str, str, str]] = set()
    for rid, role_set in list(roles.resource_roles.items()):
        res = estate.get(rid)
        if res is None:
            continue
        for role in role_set:
            if role in IDENTITY_ROLES:
                for ident in identities_of_resource(estate, res, role):
                    if (ident.principal_id.lower(), role, rid) not in seen:
                        seen.add((ident.principal_id.lower(), role, rid))
                        roles.identities.append(ident)
    for gw in estate.of_type(types.APPLICATION_GATEWAYS):
        for ident in identities_of_resource(estate, gw, APPGW_IDENTITY):
            key = (ident.principal_id.lower(), APPGW_IDENTITY, ids.norm(gw["id"]))
            if key not in seen:
                seen.add(key)
                roles.identities.append(ident)


def identities_of_resource(estate: Estate, res: Resource, role: str) -> list[Identity]:
    """The system-assigned principal and every user-assigned identity of a resource."""
    found: list[Identity] = []
    block = res.get("identity")
    if not isinstance(block, dict):
        return found
    principal = block.get("principalId")
    if isinstance(principal, str) and principal:
        found.append(Identity(principal, role, res["id"], "system"))
    for uami_id, details in (block.get("userAssignedIdentities") or {}).items():
        pid = details.get("principalId") if isinstance(details, dict) else None
        if not pid:
            uami = estate.get(uami_id)
            pid = dig(uami, "properties.principalId") if uami else None
        if isinstance(pid, str) and pid:
            found.append(Identity(pid, role, res["id"], "user", uami_id))
    return found


def system_principal_missing(res: Resource) -> bool:
    """The identity block says SystemAssigned but carries no principalId (a body read without it)."""
    block = res.get("identity")
    if not isinstance(block, dict):
        return False
    kind = str(block.get("type") or "").replace(" ", "").lower()
    principal = block.get("principalId")
    return "systemassigned" in kind.split(",") and not (isinstance(principal, str) and principal)
