"""The estate: a snapshot indexed once so that every rule runs in linear time.

Indexes: by id, by type, children of a parent, extension resources (diagnostic
settings) of a target, subnet -> NSG, private-endpoint target -> endpoints,
principal -> role assignments. Ids and types compare case-insensitively.
"""

from __future__ import annotations

import copy
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, TypeVar

from auditor.arm import ids, types
from auditor.arm.reads import ReadLog
from auditor.arm.snapshot import CollectionError, Snapshot
from auditor.arm.types import Resource

T = TypeVar("T")


def dig(obj: Any, path: str, default: Any = None) -> Any:
    """Read a dotted path from ARM JSON; keys match exactly first, then ignoring case."""
    current = obj
    for key in _keys(path):
        if not isinstance(current, dict):
            return default
        if key in current:
            current = current[key]
            continue
        lowered = key.lower()
        for candidate, value in current.items():
            if isinstance(candidate, str) and candidate.lower() == lowered:
                current = value
                break
        else:
            return default
    return current


@functools.lru_cache(maxsize=4096)
def _keys(path: str) -> tuple[str, ...]:
    # Rules dig the same few hundred paths over and over.
    return tuple(path.split("."))


def items_of(value: Any) -> list[Any]:
    """A JSON array's items; anything else (absent, null, an object or a string where ARM has an
    array) is no items, so that a malformed body cannot crash an index or a rule."""
    return value if isinstance(value, list) else []


def same(a: Any, b: Any) -> bool:
    """Case-insensitive equality for ARM enum strings."""
    if isinstance(a, str) and isinstance(b, str):
        return a.lower() == b.lower()
    return bool(a == b)


@dataclass(frozen=True)
class Subnet:
    """A subnet as embedded in its virtual network (or read on its own)."""

    id: str
    name: str
    vnet_id: str
    body: Resource

    @property
    def properties(self) -> dict[str, Any]:
        """The subnet's `properties` object (empty when the body has none)."""
        props = self.body.get("properties")
        return props if isinstance(props, dict) else {}

    @property
    def nsg_id(self) -> str | None:
        """The id of the NSG attached to the subnet; None when it has none."""
        value = dig(self.body, "properties.networkSecurityGroup.id")
        return value if isinstance(value, str) else None

    @property
    def prefixes(self) -> list[str]:
        """The subnet's address prefixes, from `addressPrefix` and `addressPrefixes`."""
        single = self.properties.get("addressPrefix")
        many = items_of(self.properties.get("addressPrefixes"))
        out = [single] if isinstance(single, str) else []
        out.extend(p for p in many if isinstance(p, str) and p not in out)
        return out

    @property
    def delegations(self) -> list[str]:
        """The services the subnet is delegated to (`Microsoft.Web/serverFarms`, ...)."""
        return [
            str(dig(d, "properties.serviceName"))
            for d in items_of(self.properties.get("delegations"))
            if isinstance(d, dict) and dig(d, "properties.serviceName")
        ]


class Estate:
    """Read-only indexes over one snapshot.

    `reading(log)` gives the same indexes bound to a rule's read log: every lookup through it
    records the ARM types it touched there. The estate itself records nothing.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot
        self._log: ReadLog | None = None
        self.resources: list[Resource] = []
        self._by_id: dict[str, Resource] = {}
        self._by_type: dict[str, list[Resource]] = defaultdict(list)
        self._children: dict[str, list[Resource]] = defaultdict(list)
        self._extensions: dict[str, list[Resource]] = defaultdict(list)
        for resource in snapshot.resources:
            key = ids.norm(resource["id"])
            if key in self._by_id:
                continue  # the same resource listed twice (e.g. by list and by get)
            self._by_id[key] = resource
            self.resources.append(resource)
            rtype = resource["type"].lower()
            self._by_type[rtype].append(resource)
            parent = ids.parent_of(resource["id"])
            if parent is not None:
                if rtype.startswith("microsoft.insights/") or rtype.startswith("microsoft.authorization/"):
                    self._extensions[ids.norm(parent)].append(resource)
                else:
                    self._children[ids.norm(parent)].append(resource)
        self.errors: list[CollectionError] = list(snapshot.errors)
        if snapshot.collected_types is None:
            self.collected_types = set(self._by_type)
        else:
            self.collected_types = {t.lower() for t in snapshot.collected_types}
        self._subnets: dict[str, Subnet] = {}
        self._subnet_of_nsg: dict[str, list[Subnet]] = defaultdict(list)
        self._index_subnets()
        self._pe_by_target: dict[str, list[Resource]] = defaultdict(list)
        self._pe_by_subnet: dict[str, list[Resource]] = defaultdict(list)
        self._index_private_endpoints()
        self._assignments_by_principal: dict[str, list[Resource]] = defaultdict(list)
        for ra in self.of_type(types.ROLE_ASSIGNMENTS):
            principal = dig(ra, "properties.principalId")
            if isinstance(principal, str):
                self._assignments_by_principal[principal.lower()].append(ra)
        self._role_defs: dict[str, Resource] = {}
        for rd in self.of_type(types.ROLE_DEFINITIONS):
            self._role_defs[ids.name_of(rd["id"]).lower()] = rd
        # Shared by every view (`reading` copies the reference): derived indexes built once per audit.
        self._memo: dict[Any, Any] = {}
        self._gaps = _GapIndex(self.errors)

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """`build()`'s value, computed once per estate and shared by every view of it.

        For indexes derived from the estate alone (not from what a rule read): the caller still
        records its reads itself, since a cached answer reads nothing.
        """
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = build()
            return value

    # --- generic lookups -------------------------------------------------

    def get(self, resource_id: str | None) -> Resource | None:
        """The resource with this id (compared case-insensitively); None when the estate lacks it."""
        if not resource_id:
            return None
        return self._by_id.get(ids.norm(resource_id))

    def of_type(self, resource_type: str) -> list[Resource]:
        """Every resource of one type."""
        self.note_read(resource_type)
        return self._by_type.get(resource_type.lower(), [])

    def children(self, parent_id: str, child_type: str | None = None) -> list[Resource]:
        """The child resources under a resource, of one type or of all types."""
        found = self._children.get(ids.norm(parent_id), [])
        if child_type is None:
            self.note_read(*(r["type"] for r in found))
            return found
        self.note_read(child_type)
        wanted = child_type.lower()
        return [r for r in found if r["type"].lower() == wanted]

    def diagnostic_settings(self, resource_id: str) -> list[Resource]:
        """The diagnostic settings scoped to a resource."""
        self.note_read(types.DIAGNOSTIC_SETTINGS)
        return [
            r
            for r in self._extensions.get(ids.norm(resource_id), [])
            if same(r["type"], types.DIAGNOSTIC_SETTINGS)
        ]

    # --- which data a rule looked at ---------------------------------------

    def reading(self, log: ReadLog) -> Estate:
        """The same indexes (shared, not copied), recording every type read into `log`."""
        view = copy.copy(self)
        view._log = log
        return view

    @property
    def log(self) -> ReadLog | None:
        """The read log this view records into; None for the estate itself."""
        return self._log

    def note_read(self, *resource_types: str) -> None:
        """Record types read by something built over the estate (the architecture roles)."""
        if self._log is not None:
            self._log.read(*resource_types)

    def broad_gaps(self, resource_types: Iterable[str]) -> list[CollectionError]:
        """Failed list reads (at subscription or resource-group level) of these types or their parents.

        A rule that looked at such a type may have judged an estate with parts missing,
        so its failures are not conclusive.
        """
        wanted = {t.lower() for t in resource_types}
        found = []
        for error in self.errors:
            failed = error.resource_type.lower()
            hit = failed in wanted or any(t.startswith(failed + "/") for t in wanted)
            if hit and _is_list_scope(error.scope):
                found.append(error)
        return found

    # --- coverage: what could not be read --------------------------------

    def gap(self, resource_type: str, scope: str | None = None) -> str | None:
        """Why data of `resource_type` (at or above `scope`) may be missing, or None if it was read.

        A type the collection never asked for, or a failed read whose scope covers
        `scope`, means rules must report `not_assessed` rather than guess.
        """
        wanted = resource_type.lower()
        if self._log is not None:
            # The rule asked about this gap itself and chose its verdicts accordingly.
            self._log.handled(wanted)
        if wanted not in self.collected_types:
            return f"the snapshot holds no {resource_type} data (not collected)"
        if self._gaps.count != len(self.errors):
            self._gaps = _GapIndex(self.errors)  # a failed read added after the estate was built
        error = self._gaps.first(wanted, scope)
        if error is not None:
            return f"reading {resource_type} at {error.scope} failed ({error.outcome})"
        return None

    # --- network ---------------------------------------------------------

    def _index_subnets(self) -> None:
        for vnet in self.of_type(types.VIRTUAL_NETWORKS):
            for body in items_of(dig(vnet, "properties.subnets")):
                if isinstance(body, dict) and isinstance(body.get("id"), str):
                    self._add_subnet(Subnet(body["id"], str(body.get("name", "")), vnet["id"], body))
        for body in self.of_type(types.SUBNETS):
            if ids.norm(body["id"]) not in self._subnets:
                parent = ids.parent_of(body["id"]) or ""
                self._add_subnet(Subnet(body["id"], str(body.get("name", "")), parent, body))

    def _add_subnet(self, subnet: Subnet) -> None:
        self._subnets[ids.norm(subnet.id)] = subnet
        if subnet.nsg_id:
            self._subnet_of_nsg[ids.norm(subnet.nsg_id)].append(subnet)

    @property
    def subnets(self) -> list[Subnet]:
        """Every subnet of every virtual network."""
        self.note_read(types.VIRTUAL_NETWORKS)
        return list(self._subnets.values())

    def subnet(self, subnet_id: str | None) -> Subnet | None:
        """The subnet with this id; None when it is not in the estate."""
        self.note_read(types.VIRTUAL_NETWORKS)
        return self._subnets.get(ids.norm(subnet_id)) if subnet_id else None

    def subnets_of_nsg(self, nsg_id: str) -> list[Subnet]:
        """The subnets an NSG is attached to."""
        self.note_read(types.VIRTUAL_NETWORKS)
        return self._subnet_of_nsg.get(ids.norm(nsg_id), [])

    def _index_private_endpoints(self) -> None:
        for pe in self.of_type(types.PRIVATE_ENDPOINTS):
            # Two connections of one endpoint to the same target still make one endpoint.
            for target in {ids.norm(t) for t in private_link_targets(pe)}:
                self._pe_by_target[target].append(pe)
            subnet_id = dig(pe, "properties.subnet.id")
            if isinstance(subnet_id, str):
                self._pe_by_subnet[ids.norm(subnet_id)].append(pe)

    def private_endpoints_to(self, target_id: str) -> list[Resource]:
        """The private endpoints connected to a resource."""
        self.note_read(types.PRIVATE_ENDPOINTS)
        return self._pe_by_target.get(ids.norm(target_id), [])

    def private_endpoints_in(self, subnet_id: str) -> list[Resource]:
        """The private endpoints placed in a subnet."""
        self.note_read(types.PRIVATE_ENDPOINTS)
        return self._pe_by_subnet.get(ids.norm(subnet_id), [])

    # --- identity --------------------------------------------------------

    def assignments_of(self, principal_id: str) -> list[Resource]:
        """The role assignments of one principal."""
        self.note_read(types.ROLE_ASSIGNMENTS)
        return self._assignments_by_principal.get(principal_id.lower(), [])

    def role_definition(self, role_definition_id: str) -> Resource | None:
        """The role definition with this id (matched by its GUID); None when not read."""
        self.note_read(types.ROLE_DEFINITIONS)
        return self._role_defs.get(ids.name_of(role_definition_id).lower())

    def iter_assignments(self) -> Iterator[Resource]:
        """Every role assignment of the estate."""
        yield from self.of_type(types.ROLE_ASSIGNMENTS)


def display_name(res: Resource) -> str:
    """The resource's name, or the last segment of its id when the body has none."""
    return str(res.get("name") or ids.name_of(res["id"]))


def web_apps(estate: Estate) -> list[Resource]:
    """Web apps of the estate; function apps are not part of the architecture."""
    return [s for s in estate.of_type(types.WEB_SITES) if "functionapp" not in str(s.get("kind", "")).lower()]


def private_link_targets(pe: Resource) -> Iterable[str]:
    """The ids of the resources a private endpoint connects to (automatic and manual)."""
    for key in ("privateLinkServiceConnections", "manualPrivateLinkServiceConnections"):
        for conn in items_of(dig(pe, f"properties.{key}")):
            target = dig(conn, "properties.privateLinkServiceId")
            if isinstance(target, str):
                yield target


class _GapIndex:
    """The failed reads indexed by type and scope, so that `Estate.gap` needs no scan of every error.

    `first(wanted, scope)` is the first error (in snapshot order) whose type is `wanted` or one of
    its parents and whose scope covers `scope` (`_covers`): the answer a scan in order would give.
    """

    def __init__(self, errors: list[CollectionError]) -> None:
        self._errors = errors
        self.count = len(errors)
        # Per failed type (lower case), the index of the first error...
        self._first: dict[str, int] = {}
        # ... whose normalised scope is exactly this one,
        self._at: dict[str, dict[str, int]] = defaultdict(dict)
        # ... whose scope is this one or lies below it,
        self._at_or_below: dict[str, dict[str, int]] = defaultdict(dict)
        # ... and that is subscription-wide (no resource group in its scope), per subscription.
        self._subscription_wide: dict[str, dict[str, int]] = defaultdict(dict)
        for index, error in enumerate(errors):
            failed = error.resource_type.lower()
            self._first.setdefault(failed, index)
            e = ids.norm(error.scope.split("?")[0])
            self._at[failed].setdefault(e, index)
            below = self._at_or_below[failed]
            below.setdefault(e, index)
            for prefix in _prefixes(e):
                below.setdefault(prefix, index)
            sub = ids.subscription_of(e)
            if sub and "/resourcegroups/" not in e:
                self._subscription_wide[failed].setdefault(sub, index)

    def first(self, wanted: str, scope: str | None) -> CollectionError | None:
        """The first failed read of `wanted` (or a parent type) covering `scope`; None when there is none."""
        if not self._errors:
            return None
        # A failed list of parents hides their children too: a 403 on workspaces
        # means their online endpoints were never asked for.
        owners = [wanted[:cut] for cut in range(len(wanted)) if wanted[cut] == "/"] + [wanted]
        found: list[int] = []
        s = None if scope is None else ids.norm(scope)
        sub = None if s is None else ids.subscription_of(s)
        for failed in owners:
            if failed not in self._first:
                continue
            if s is None:
                found.append(self._first[failed])
                continue
            # The error's scope is `scope` or lies below it; or it contains `scope`.
            if s in self._at_or_below[failed]:
                found.append(self._at_or_below[failed][s])
            at = self._at[failed]
            found.extend(at[p] for p in _prefixes(s) if p in at)
            if sub and sub in self._subscription_wide[failed]:
                found.append(self._subscription_wide[failed][sub])
        return self._errors[min(found)] if found else None


def _prefixes(path: str) -> Iterator[str]:
    """Every proper prefix of `path` that ends just before a `/` (the empty one when it starts with `/`)."""
    for cut in range(len(path) - 1, -1, -1):
        if path[cut] == "/":
            yield path[:cut]


def _is_list_scope(error_scope: str) -> bool:
    """True for a list call at subscription or resource-group level (or above).

    `/subscriptions/s/providers/NS/type` and `/subscriptions/s/resourceGroups/g/providers/NS/type`
    hide every resource of that type there; `.../accounts/a/raiPolicies` or
    `{resource}/providers/Microsoft.Insights/diagnosticSettings` concern one resource only.
    """
    path = error_scope.split("?")[0]
    split = ids.split_at_provider(path)
    if split is not None:
        if len(split[1]) > 2:
            return False
        owner = [p.lower() for p in split[0]]
    else:
        owner = [p.lower() for p in ids.segments(path)]
    return len(owner) <= 2 or (len(owner) == 4 and owner[2] == "resourcegroups")


def _covers(error_scope: str, scope: str) -> bool:
    """A failed read at `error_scope` hides data at `scope` if one contains the other."""
    e = ids.norm(error_scope.split("?")[0])
    s = ids.norm(scope)
    if s == e or s.startswith(e + "/") or e.startswith(s + "/"):
        return True
    # Subscription-wide list calls (/subscriptions/x/providers/NS/type) cover every
    # resource group of that subscription.
    sub = ids.subscription_of(e)
    return bool(sub and "/resourcegroups/" not in e and ids.subscription_of(s) == sub)
