"""Which resources form which workload: every instance of the architecture in one estate.

A workload is found from its core, the part only this architecture has:

- an Azure Machine Learning workspace (kind Default) with an online endpoint: the ML-workspace
  variant (`aml`);
- a workspace of kind Hub whose project (or the hub itself) has an online endpoint: the hub
  variant (`aistudio`);
- a Cognitive Services account of kind AIServices with a project and a capability host (on the
  account or a project): the Foundry Agent Service design (`foundry`).

From each core the relations the architecture defines are followed, forwards (an ARM id in a
body: a workspace's Key Vault, registry, storage and Application Insights, a private endpoint's
subnet, a subnet's NSG, a gateway's WAF policy and public IPs, a web app's plan, a diagnostic
setting's Log Analytics workspace, a user-assigned identity, an outbound rule's or connection's
target) and backwards for what attaches itself to a member (a private endpoint to it or into its
network, a gateway, bastion, firewall or web app placed in its network, a web app on its plan, an
autoscale setting on its plan, a project on its hub), plus the gateway's backends (by host name
or private endpoint address), each identity's role assignments, and a connection's target found
by its endpoint's host name. Child resources (deployments, diagnostic settings, ...) follow their
parent. A peering is not followed: a peered network is another workload's or the platform's.

Sharing: all cores are followed at once, one relation at a time. A resource goes to the
workload that reaches it first; one that two workloads reach at the same step (a hub network,
a central Log Analytics workspace or DNS zone) is shared: it is judged in each workload that
reaches it (its settings are part of each one's architecture), and nothing is followed from it,
so a shared network never merges two workloads. What lies above resource groups (role
definitions, subscription-level role assignments, Defender plans, policy assignments) and what is
scoped to a resource group holding a workload's resource (role assignments and locks there) is
context of every such workload. Everything else is out of scope, with the reason.
"""

from __future__ import annotations

import bisect
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig, display_name, items_of, same, web_apps
from auditor.arm.types import Resource
from auditor.errors import InputError
from auditor.model import Placement

AML = "aml"
AISTUDIO = "aistudio"
FOUNDRY = "foundry"
VARIANTS = (AML, AISTUDIO, FOUNDRY)

# What attaches itself to a member it references, and so joins that member's workload.
_ATTACHING = {
    t.lower()
    for t in (
        types.PRIVATE_ENDPOINTS,
        types.APPLICATION_GATEWAYS,
        types.BASTION_HOSTS,
        types.AZURE_FIREWALLS,
        types.WEB_SITES,
        types.AUTOSCALE_SETTINGS,
        types.ML_WORKSPACES,
    )
}
# Body keys that name another workload's or the platform's resources, not this one's.
_NOT_FOLLOWED_KEYS = {"virtualnetworkpeerings", "remotevirtualnetwork"}
# Types whose references say who may do what, not what belongs together.
_NOT_FOLLOWED_TYPES = {
    t.lower() for t in (types.ROLE_ASSIGNMENTS, types.ROLE_DEFINITIONS, types.POLICY_ASSIGNMENTS)
}
_CONNECTION_TYPES = {t.lower() for t in (types.ML_CONNECTIONS, types.FOUNDRY_PROJECT_CONNECTIONS)}
_ID = re.compile(r"^/subscriptions/[^/]+/", re.IGNORECASE)


@dataclass(frozen=True)
class Workload:
    """One instance of the architecture: its name, variant, core and member resources (normalised ids)."""

    name: str
    variant: str
    core_id: str
    variant_reason: str
    members: frozenset[str] = field(default_factory=frozenset)
    # unique across subscriptions and stable across runs (see `identity`); the name is for reading
    id: str = ""


@dataclass(frozen=True)
class Discovery:
    """The workloads of an estate, where each resource was placed and why, and how they were found."""

    workloads: tuple[Workload, ...]
    placements: tuple[Placement, ...]
    method: str = "discovered"
    # why no workload was found (empty when some were)
    note: str = ""


@dataclass(frozen=True)
class Core:
    """A resource that makes a workload: its id, the variant it stands for and why."""

    resource_id: str
    variant: str
    reason: str


# --- the cores ------------------------------------------------------------------------------------


def find_cores(estate: Estate, within: Iterable[Resource] | None = None) -> list[Core]:
    """The cores of the architecture in the estate (or among `within`), in a stable order."""
    pool = list(within) if within is not None else estate.resources
    cores: list[Core] = []
    for res in pool:
        rtype = res["type"].lower()
        if rtype == types.ML_WORKSPACES.lower():
            core = _workspace_core(estate, res)
        elif rtype == types.COGNITIVE_ACCOUNTS.lower():
            core = _foundry_core(estate, res)
        else:
            core = None
        if core is not None:
            cores.append(core)
    return sorted(cores, key=lambda c: ids.norm(c.resource_id))


def _endpoints_unread(estate: Estate, scope: str) -> str | None:
    return estate.gap(types.ML_ONLINE_ENDPOINTS, scope)


def _workspace_core(estate: Estate, ws: Resource) -> Core | None:
    kind = str(ws.get("kind") or "Default").lower()
    name = display_name(ws)
    if kind == "project":
        return None  # a project belongs to its hub's workload
    if kind == "hub":
        projects = [
            p
            for p in estate.of_type(types.ML_WORKSPACES)
            if same(p.get("kind"), "Project")
            and ids.norm(str(dig(p, "properties.hubResourceId") or "")) == ids.norm(ws["id"])
        ]
        served = [p for p in [ws, *projects] if estate.children(p["id"], types.ML_ONLINE_ENDPOINTS)]
        if served:
            where = display_name(served[0])
            return Core(
                ws["id"], AISTUDIO, f"workspace {name} is of kind Hub and {where} serves an online endpoint"
            )
        gap = _endpoints_unread(estate, ws["id"])
        if gap:
            return Core(
                ws["id"], AISTUDIO, f"workspace {name} is of kind Hub ({gap}, so taken as serving one)"
            )
        return None
    if kind != "default":
        return None  # FeatureStore and other kinds are not this architecture
    if estate.children(ws["id"], types.ML_ONLINE_ENDPOINTS):
        return Core(
            ws["id"], AML, f"workspace {name} (kind {ws.get('kind') or 'Default'}) serves an online endpoint"
        )
    gap = _endpoints_unread(estate, ws["id"])
    if gap:
        return Core(
            ws["id"],
            AML,
            f"workspace {name} is a machine learning workspace ({gap}, so taken as serving one)",
        )
    return None


def _foundry_core(estate: Estate, acct: Resource) -> Core | None:
    if not same(acct.get("kind"), "AIServices"):
        return None
    projects = estate.children(acct["id"], types.FOUNDRY_PROJECTS)
    if not projects:
        return None
    hosts = list(estate.children(acct["id"], types.COGNITIVE_CAPABILITY_HOSTS))
    for project in projects:
        hosts.extend(estate.children(project["id"], types.FOUNDRY_PROJECT_CAPABILITY_HOSTS))
    name = display_name(acct)
    if hosts:
        return Core(
            acct["id"], FOUNDRY, f"account {name} of kind AIServices has a project and a capability host"
        )
    gap = estate.gap(types.FOUNDRY_PROJECT_CAPABILITY_HOSTS, projects[0]["id"])
    if gap:
        return Core(acct["id"], FOUNDRY, f"account {name} of kind AIServices has a project ({gap})")
    return None


# --- the relations ------------------------------------------------------------------------------


class _Graph:
    """The relations between the estate's resources, indexed once."""

    def __init__(self, estate: Estate) -> None:
        self.estate = estate
        self.children: dict[str, list[str]] = defaultdict(list)
        self.forward: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.backward: dict[str, list[tuple[str, str]]] = defaultdict(list)
        self.by_principal: dict[str, list[str]] = defaultdict(list)
        hosts = _host_index(estate)
        for res in estate.resources:
            key = ids.norm(res["id"])
            parent = ids.parent_of(res["id"])
            if parent is not None and estate.get(parent) is not None:
                self.children[ids.norm(parent)].append(key)
            rtype = res["type"].lower()
            if rtype in _NOT_FOLLOWED_TYPES:
                continue
            for path, target in _references(res):
                resolved = self._resolve(target)
                if resolved is None or resolved == key or ids.is_within(key, resolved):
                    continue
                self.forward[key].append((resolved, f"{path} of {_label(estate, res)}"))
                if rtype in _ATTACHING:
                    what = _noun(res)
                    self.backward[resolved].append(
                        (key, f"{what} {display_name(res)} references it ({path})")
                    )
            if rtype in _CONNECTION_TYPES:
                host = _host(dig(res, "properties.target"))
                target_id = hosts.get(host) if host else None
                if target_id is not None and target_id != key:
                    self.forward[key].append(
                        (target_id, f"the target {host} of connection {display_name(res)}")
                    )
        self._gateway_backends()
        for ra in estate.of_type(types.ROLE_ASSIGNMENTS):
            principal = dig(ra, "properties.principalId")
            if isinstance(principal, str):
                self.by_principal[principal.lower()].append(ids.norm(ra["id"]))

    def _resolve(self, target: str) -> str | None:
        if self.estate.get(target) is not None:
            return ids.norm(target)
        subnet = self.estate.subnet(target)
        if subnet is not None and self.estate.get(subnet.vnet_id) is not None:
            return ids.norm(subnet.vnet_id)
        top = ids.top_level_of(target)
        if top is not None and self.estate.get(top[0]) is not None:
            return ids.norm(top[0])
        return None

    def _gateway_backends(self) -> None:
        from auditor.analysis.architecture import private_endpoint_addresses

        by_host: dict[str, str] = {}
        by_ip: dict[str, str] = {}
        for site in web_apps(self.estate):
            names = [dig(site, "properties.defaultHostName")]
            names += items_of(dig(site, "properties.hostNames")) + items_of(
                dig(site, "properties.enabledHostNames")
            )
            pe_ips, pe_names = private_endpoint_addresses(self.estate, site["id"])
            for name in [*names, *pe_names]:
                if isinstance(name, str) and name:
                    by_host.setdefault(name.lower(), ids.norm(site["id"]))
            for ip in pe_ips:
                by_ip.setdefault(ip, ids.norm(site["id"]))
        for gw in self.estate.of_type(types.APPLICATION_GATEWAYS):
            for pool in items_of(dig(gw, "properties.backendAddressPools")):
                for addr in items_of(dig(pool, "properties.backendAddresses")):
                    fqdn, ip = dig(addr, "fqdn"), dig(addr, "ipAddress")
                    target = by_host.get(fqdn.lower()) if isinstance(fqdn, str) else None
                    target = target or (by_ip.get(ip) if isinstance(ip, str) else None)
                    if target is not None:
                        shown = fqdn if isinstance(fqdn, str) and fqdn else ip
                        why = f"a backend pool of gateway {display_name(gw)} points at it ({shown})"
                        self.forward[ids.norm(gw["id"])].append((target, why))

    def neighbours(self, key: str) -> Iterator[tuple[str, str]]:
        """Where the relations lead from one member, with the reason each neighbour joins."""
        res = self.estate.get(key)
        if res is None:
            return
        name = display_name(res)
        for child in self.children.get(key, ()):
            yield child, f"child resource of {name}"
        yield from self.forward.get(key, ())
        yield from self.backward.get(key, ())
        for principal in _principals(self.estate, res):
            for ra in self.by_principal.get(principal, ()):
                yield ra, f"role assignment of the identity of {name}"


_NOUNS = {
    types.PRIVATE_ENDPOINTS.lower(): "private endpoint",
    types.APPLICATION_GATEWAYS.lower(): "application gateway",
    types.BASTION_HOSTS.lower(): "bastion host",
    types.AZURE_FIREWALLS.lower(): "firewall",
    types.WEB_SITES.lower(): "web app",
    types.AUTOSCALE_SETTINGS.lower(): "autoscale setting",
    types.ML_WORKSPACES.lower(): "workspace",
}


def _noun(res: Resource) -> str:
    return _NOUNS.get(str(res.get("type", "")).lower(), "resource")


def _label(estate: Estate, res: Resource) -> str:
    """The resource's name, with its parent's for a child (a diagnostic setting is often `default`)."""
    parent = ids.parent_of(res["id"])
    if parent is None:
        return display_name(res)
    return f"{display_name(res)} of {ids.name_of(parent)}"


def _references(res: Resource) -> list[tuple[str, str]]:
    """(JSON path, ARM id) of every id in a body outside its own `id`, keys included (identity blocks).

    In document order (the order decides which reason a resource joins a workload for); built in one
    list by plain recursion, and a path is only made for what holds an id or more to look into.
    """
    found: list[tuple[str, str]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            for k, v in value.items():
                if not isinstance(k, str) or k.lower() in _NOT_FOLLOWED_KEYS:
                    continue
                if path == "" and k == "id":
                    continue
                if k.startswith("/") and _ID.match(k):
                    found.append(((path or k), k))
                if isinstance(v, str):
                    if v.startswith("/") and _ID.match(v):
                        found.append((f"{path}.{k}" if path else k, v))
                elif isinstance(v, (dict, list)):
                    walk(v, f"{path}.{k}" if path else k)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, str):
                    if item.startswith("/") and _ID.match(item):
                        found.append((path, item))
                elif isinstance(item, (dict, list)):
                    walk(item, path)

    walk(res, "")
    return found


def _principals(estate: Estate, res: Resource) -> list[str]:
    found = []
    block = res.get("identity")
    if isinstance(block, dict):
        principal = block.get("principalId")
        if isinstance(principal, str) and principal:
            found.append(principal.lower())
    if same(res.get("type"), types.USER_ASSIGNED_IDENTITIES):
        principal = dig(res, "properties.principalId")
        if isinstance(principal, str) and principal:
            found.append(principal.lower())
    return found


def _host(url: Any) -> str | None:
    if not isinstance(url, str) or not url:
        return None
    try:
        host = urlsplit(url if "//" in url else f"//{url}").hostname
    except ValueError:
        return None
    return host.lower() if host else None


def _host_index(estate: Estate) -> dict[str, str]:
    """Endpoint host name -> the account, search service, storage account or database that serves it."""
    found: dict[str, str] = {}
    for rtype in (
        types.COGNITIVE_ACCOUNTS,
        types.SEARCH_SERVICES,
        types.STORAGE_ACCOUNTS,
        types.COSMOS_ACCOUNTS,
    ):
        for res in estate.of_type(rtype):
            values = [dig(res, "properties.endpoint"), dig(res, "properties.documentEndpoint")]
            for block in ("properties.endpoints", "properties.primaryEndpoints"):
                table = dig(res, block)
                if isinstance(table, dict):
                    values.extend(table.values())
            for value in values:
                host = _host(value)
                if host:
                    found.setdefault(host, ids.norm(res["id"]))
            if same(rtype, types.SEARCH_SERVICES):
                found.setdefault(f"{display_name(res).lower()}.search.windows.net", ids.norm(res["id"]))
    return found


# --- discovery ------------------------------------------------------------------------------------


def discover(estate: Estate) -> Discovery:
    """Every workload of the estate, each resource's place and the reason (see the module docstring)."""
    cores = find_cores(estate)
    if not cores:
        return Discovery((), tuple(_out_of_scope(estate, {}, {})), note=_why_none(estate))
    names = _names([c.resource_id for c in cores], estate)
    graph = _Graph(estate)
    owners: dict[str, set[str]] = {}
    reasons: dict[str, dict[str, str]] = defaultdict(dict)
    frontier: list[tuple[str, str]] = []
    for core in cores:
        key = ids.norm(core.resource_id)
        owners[key] = {names[key]}
        reasons[key][names[key]] = f"the workload's core: {core.reason}"
        frontier.append((key, names[key]))
    while frontier:
        reached: dict[str, dict[str, str]] = defaultdict(dict)
        for key, workload in frontier:
            if len(owners[key]) > 1:
                continue  # shared: nothing is followed from it
            for target, why in graph.neighbours(key):
                if target in owners:
                    continue
                reached[target].setdefault(workload, why)
        frontier = []
        for target, by in reached.items():
            owners[target] = set(by)
            for workload, why in by.items():
                reasons[target][workload] = why
                frontier.append((target, workload))
    # A shared resource's children are judged with it (its diagnostic settings, its subnets' bodies).
    for key in [k for k, o in owners.items() if len(o) > 1]:
        stack = list(graph.children.get(key, ()))
        while stack:
            child = stack.pop()
            if child not in owners:
                owners[child] = set(owners[key])
                for workload in owners[key]:
                    reasons[child][workload] = (
                        f"child resource of the shared {display_name(estate.get(key) or {'id': key})}"
                    )
                stack.extend(graph.children.get(child, ()))
    _add_context(estate, owners, reasons)
    members: dict[str, set[str]] = defaultdict(set)
    for key, workloads in owners.items():
        for workload in workloads:
            members[workload].add(key)
    identities = _identities([c.resource_id for c in cores])
    found = tuple(
        Workload(
            name=names[ids.norm(c.resource_id)],
            variant=c.variant,
            core_id=c.resource_id,
            variant_reason=c.reason,
            members=frozenset(members[names[ids.norm(c.resource_id)]]),
            id=identities[ids.norm(c.resource_id)],
        )
        for c in cores
    )
    return Discovery(found, _placements(estate, owners, reasons))


def identity(core_id: str) -> str:
    """A discovered workload's identity: `subscription/resource group/core name` (as ARM spells them).

    The short name a report shows may repeat across shards or change when another copy appears;
    this does not, so merged reports, the run history and SARIF fingerprints key on it.
    """
    name = ids.name_of(core_id)
    group = ids.resource_group_of(core_id) or ""
    sub = ids.subscription_of(core_id) or ""
    return f"{sub}/{group}/{name}"


def _identities(core_ids: Sequence[str]) -> dict[str, str]:
    """Each core's identity; the whole core id for two cores of one name in one group (two types)."""
    plain = {ids.norm(rid): identity(rid) for rid in core_ids}
    counts: dict[str, int] = defaultdict(int)
    for value in plain.values():
        counts[value.lower()] += 1
    return {key: value if counts[value.lower()] == 1 else key for key, value in plain.items()}


def short_names(identities: Sequence[str]) -> dict[str, str]:
    """Identity -> the name a report shows: the core's name, with its group (and subscription) where
    names clash. An identity that is not `subscription/group/name` (a defined workload) is its own name."""

    def label(ident: str, depth: int) -> str:
        parts = ident.split("/")
        if len(parts) != 3:
            return ident
        sub, group, name = parts
        return [name, f"{group}/{name}", f"{sub}/{group}/{name}"][depth]

    out: dict[str, str] = {}
    for depth in range(3):
        labels = [label(ident, depth) for ident in identities]
        counts: dict[str, int] = defaultdict(int)
        for lab in labels:
            counts[lab.lower()] += 1
        for ident, lab in zip(identities, labels, strict=True):
            if ident not in out and (counts[lab.lower()] == 1 or depth == 2):
                out[ident] = lab
    return out


def _names(core_ids: Sequence[str], estate: Estate) -> dict[str, str]:
    """Each core's workload name: its resource's name, with its group (and subscription) where names clash."""
    shown = short_names([identity(rid) for rid in core_ids])
    return {ids.norm(rid): shown[identity(rid)] for rid in core_ids}


def _scope_group(rid: str) -> str | None:
    """The resource group (normalised id) a resource scoped to a resource group belongs to; None otherwise.

    Role assignments and locks at a resource group, and the resource group itself.
    """
    parts = ids.segments(rid)
    lowered = [p.lower() for p in parts]
    if len(parts) == 4 and lowered[0] == "subscriptions" and lowered[2] == "resourcegroups":
        return ids.norm(rid)
    split = ids.split_at_provider(rid)
    if split is None:
        return None
    scope = [p.lower() for p in split[0]]
    if len(scope) == 4 and scope[2] == "resourcegroups":
        return ids.norm("/" + "/".join(split[0]))
    return None


def _add_context(estate: Estate, owners: dict[str, set[str]], reasons: dict[str, dict[str, str]]) -> None:
    """Resources above resource groups, and those scoped to a workload's resource group, as context.

    A role assignment there whose principal is a workload's identity belongs to that workload alone: a
    subscription-wide Contributor given to prod's endpoint is prod's deviation, not dev's.
    """
    by_group: dict[str, set[str]] = defaultdict(set)
    by_sub: dict[str, set[str]] = defaultdict(set)
    every: set[str] = set()
    principal_of: dict[str, set[str]] = defaultdict(set)
    for key, workloads in owners.items():
        group = ids.resource_group_id(key)
        if group is not None:
            by_group[ids.norm(group)].update(workloads)
        sub = ids.subscription_of(key)
        if sub is not None:
            by_sub[sub.lower()].update(workloads)
        every.update(workloads)
        res = estate.get(key)
        if res is not None:
            for principal in _principals(estate, res):
                principal_of[principal].update(workloads)
    for res in estate.resources:
        key = ids.norm(res["id"])
        if key in owners:
            continue
        group = _scope_group(res["id"])
        if group is not None:
            candidates = set(by_group.get(group, ()))
            where = f"scoped to resource group {ids.name_of(group)}, which holds the workload's resources"
        elif ids.resource_group_of(res["id"]) is None:
            sub = ids.subscription_of(res["id"])
            candidates = set(by_sub.get(sub.lower(), ())) if sub else set(every)
            at = f"subscription {sub}" if sub else "the tenant"
            where = f"above resource groups (at {at}): context of the workloads there"
        else:
            continue
        holders: set[str] = set()
        if same(res.get("type"), types.ROLE_ASSIGNMENTS):
            principal = dig(res, "properties.principalId")
            if isinstance(principal, str):
                holders = principal_of.get(principal.lower(), set())
        if holders & candidates:
            candidates &= holders
            where = f"{where}; assigned to the workload's identity"
        if candidates:
            owners[key] = candidates
            for w in candidates:
                reasons[key][w] = where


def _placements(
    estate: Estate, owners: Mapping[str, set[str]], reasons: Mapping[str, Mapping[str, str]]
) -> tuple[Placement, ...]:
    out = []
    for res in estate.resources:
        key = ids.norm(res["id"])
        workloads = sorted(owners.get(key, ()))
        for w in workloads:
            shared = tuple(o for o in workloads if o != w)
            out.append(Placement(res["id"], w, reasons[key][w], shared))
    out.extend(_out_of_scope(estate, owners, reasons))
    return tuple(out)


_UNUSED = {
    types.COGNITIVE_ACCOUNTS.lower(): "no workload's core uses this account",
    types.KEY_VAULTS.lower(): "no workload's core uses this vault",
    types.STORAGE_ACCOUNTS.lower(): "no workload's core uses this storage account",
}


def _out_of_scope(
    estate: Estate, owners: Mapping[str, set[str]], reasons: Mapping[str, Mapping[str, str]]
) -> list[Placement]:
    out = []
    for res in estate.resources:
        key = ids.norm(res["id"])
        if key in owners:
            continue
        parent = ids.parent_of(res["id"])
        while parent is not None and estate.get(parent) is None:
            parent = ids.parent_of(parent)
        if parent is not None and ids.norm(parent) not in owners:
            why = f"its parent {display_name(estate.get(parent) or {'id': parent})} is out of scope"
        else:
            why = _UNUSED.get(
                res["type"].lower(), "no relation of the architecture leads to it from a workload's core"
            )
        out.append(Placement(res["id"], None, f"out of scope: {why} (name it in --workloads to judge it)"))
    return out


def _why_none(estate: Estate) -> str:
    """Why no core was found: no workspace or Foundry account, or the reads that could have shown one."""
    gaps = [
        g
        for t in (
            types.ML_WORKSPACES,
            types.ML_ONLINE_ENDPOINTS,
            types.COGNITIVE_ACCOUNTS,
            types.FOUNDRY_PROJECTS,
        )
        if (g := estate.gap(t)) is not None and "not collected" not in g
    ]
    base = (
        "no instance of the architecture found: no machine learning workspace or hub serving an online "
        "endpoint, and no AIServices account with a project and a capability host"
    )
    return f"{base} ({'; '.join(gaps)})" if gaps else base


# --- a definition file ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Definition:
    """One workload as a definition file names it: resource ids (each with what lies below it) and tags."""

    name: str
    resources: tuple[str, ...] = ()
    tags: Mapping[str, str] = field(default_factory=dict)


def defined(estate: Estate, definitions: Sequence[Definition]) -> Discovery:
    """The workloads a definition file names; the variant of each is detected from the cores it holds."""
    owners: dict[str, set[str]] = {}
    reasons: dict[str, dict[str, str]] = defaultdict(dict)
    graph = _Graph(estate)
    index = _DefinitionIndex(estate.resources)
    for d in definitions:
        picked = []
        for res in index.candidates(d):
            hit = next((r for r in d.resources if ids.is_within(res["id"], r)), None)
            tags = res.get("tags")
            tagged = (
                bool(d.tags)
                and isinstance(tags, dict)
                and all(str(tags.get(k)) == v for k, v in d.tags.items())
            )
            if hit is not None:
                picked.append((ids.norm(res["id"]), f"named in the definition file ({hit})"))
            elif tagged:
                shown = ", ".join(f"{k}={v}" for k, v in d.tags.items())
                picked.append((ids.norm(res["id"]), f"tagged {shown} as the definition file asks"))
        if not picked:
            # A typo in an id or a tag must not read as an estate that fails everything.
            raise InputError(
                f"workload {d.name!r} of the definition file matches no resource of the estate"
                " (check its resource ids and tags)"
            )
        stack = list(picked)
        while stack:
            key, why = stack.pop()
            if d.name in owners.get(key, set()):
                continue
            owners.setdefault(key, set()).add(d.name)
            reasons[key][d.name] = why
            body = estate.get(key)
            stack.extend(
                (c, f"child resource of {display_name(body) if body else key}")
                for c in graph.children.get(key, ())
            )
    _add_context(estate, owners, reasons)
    workloads = []
    for d in definitions:
        members = frozenset(k for k, o in owners.items() if d.name in o)
        cores = find_cores(estate, [r for r in (estate.get(k) for k in sorted(members)) if r is not None])
        if cores:
            core = cores[0]
            variants = sorted({c.variant for c in cores})
            reason = (
                core.reason
                if len(variants) == 1
                else f"{core.reason} (it also holds cores of {', '.join(variants)})"
            )
            workloads.append(Workload(d.name, core.variant, core.resource_id, reason, members, d.name))
        else:
            workloads.append(
                Workload(d.name, "", "", "no core of the architecture among its resources", members, d.name)
            )
    return Discovery(tuple(workloads), _placements(estate, owners, reasons), method="definition file")


class _DefinitionIndex:
    """The resources a definition can pick, found without a scan of the estate per definition.

    `candidates(d)` is, in estate order, every resource that lies within one of `d`'s ids or carries
    its first tag's value (a superset of what `d` picks: the caller applies the full test), so that a
    file of many workloads costs what its workloads hold, not workloads x resources.
    """

    def __init__(self, resources: Sequence[Resource]) -> None:
        self._resources = resources
        self._ids = sorted((ids.norm(r["id"]), i) for i, r in enumerate(resources))
        self._keys = [key for key, _ in self._ids]
        self._tagged: dict[tuple[str, str], list[int]] = defaultdict(list)
        for i, res in enumerate(resources):
            tags = res.get("tags")
            if isinstance(tags, dict):
                for k, v in tags.items():
                    self._tagged[(k, str(v))].append(i)

    def candidates(self, d: Definition) -> list[Resource]:
        """The resources that may match `d`, in estate order."""
        found: set[int] = set()
        for named in d.resources:
            key = ids.norm(named)
            # `key` itself, then everything below it: one contiguous run of the sorted ids each.
            for low, high in ((key, key + "\0"), (key + "/", key + "0")):
                start, end = bisect.bisect_left(self._keys, low), bisect.bisect_left(self._keys, high)
                found.update(i for _, i in self._ids[start:end])
        if d.tags:
            k, v = next(iter(d.tags.items()))
            if v == "None":
                # str(tags.get(k)) is "None" for a body without that tag too: test every tagged body.
                found.update(i for i, r in enumerate(self._resources) if isinstance(r.get("tags"), dict))
            else:
                found.update(self._tagged.get((k, v), ()))
        return [self._resources[i] for i in sorted(found)]


def placements_of(discovery: Discovery, workload: str | None) -> list[Placement]:
    """The placements in one workload (None: out of scope)."""
    return [p for p in discovery.placements if p.workload == workload]
