"""Azure RBAC as the snapshot shows it, and the architecture's role-assignment tables.

An assignment hands out a role definition (compared by GUID) at a scope, and covers that scope
and, when inheritance is accepted, everything below it. A table row names an identity role, a
scope role (both of analysis/architecture.py, or `resource-group`, or `portal-user` for people)
and a role definition; `Scopes` resolves a scope role to candidate ARM scopes for one identity's
resource. A role definition is privileged when it is listed or its permissions write everything
or hand out roles, and data-plane when it is a built-in data role or has DataActions.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from auditor.analysis import builtin_roles
from auditor.analysis.architecture import (
    AGENT_FILE_STORE,
    AGENT_THREAD_STORE,
    AGENT_VECTOR_STORE,
    APP_STORAGE,
    APPGW_IDENTITY,
    FOUNDRY_ACCOUNT,
    FOUNDRY_PROJECT,
    HUB,
    IDENTITY_ROLES,
    OPENAI,
    PROJECT,
    WORKSPACE,
    WORKSPACE_KEYVAULT,
    WORKSPACE_REGISTRY,
    WORKSPACE_STORAGE,
    Identity,
    Roles,
    workspace_kind,
)
from auditor.arm import ids, types
from auditor.arm.estate import Estate, dig, same
from auditor.arm.types import Resource

# People (the hub table's "portal users"): assignments to them are reported, never required.
PORTAL_USER = "portal-user"
# principalType values of role assignments to people.
PEOPLE_TYPES = ("user", "group", "foreigngroup")

RESOURCE_GROUP = "resource-group"
# The Foundry design's Key Vault (the gateway's certificates): no workspace names it, so every vault.
KEY_VAULT = "key-vault"
SCOPE_ROLES = (
    RESOURCE_GROUP,
    HUB,
    PROJECT,
    WORKSPACE,
    OPENAI,
    WORKSPACE_STORAGE,
    APP_STORAGE,
    WORKSPACE_KEYVAULT,
    WORKSPACE_REGISTRY,
    FOUNDRY_ACCOUNT,
    FOUNDRY_PROJECT,
    KEY_VAULT,
    AGENT_THREAD_STORE,
    AGENT_FILE_STORE,
    AGENT_VECTOR_STORE,
)
# The agent's stores by type, for an estate where no capability host says which resources they are.
AGENT_STORE_TYPES = {
    AGENT_THREAD_STORE: types.COSMOS_ACCOUNTS,
    AGENT_FILE_STORE: types.STORAGE_ACCOUNTS,
    AGENT_VECTOR_STORE: types.SEARCH_SERVICES,
}
ROW_IDENTITIES = (*IDENTITY_ROLES, PORTAL_USER)


@dataclass(frozen=True)
class Row:
    """One row of a role-assignment table: `identity` needs `role_definition` on `scope`."""

    identity: str
    scope: str
    role_definition: str  # role definition GUID, lower case
    name: str
    optional: bool = False

    @property
    def label(self) -> str:
        """`<role definition name> on <scope role>`, for messages."""
        return f"{self.name} on {self.scope}"


def parse_table(raw: Any) -> list[Row]:
    """The baseline's `table` parameter as rows; a malformed row is an error, never skipped."""
    if not isinstance(raw, list):
        raise ValueError("parameter 'table' must be a list of {identity, scope, role} rows")
    rows = []
    for entry in raw:
        if not isinstance(entry, Mapping) or not all(
            isinstance(entry.get(k), str) for k in ("identity", "scope", "role")
        ):
            raise ValueError(f"table row {entry!r} needs string fields identity, scope and role")
        identity, scope = entry["identity"].lower(), entry["scope"].lower()
        if identity not in ROW_IDENTITIES:
            raise ValueError(f"table row {dict(entry)}: identity must be one of {', '.join(ROW_IDENTITIES)}")
        if scope not in SCOPE_ROLES:
            raise ValueError(f"table row {dict(entry)}: scope must be one of {', '.join(SCOPE_ROLES)}")
        guid = builtin_roles.guid_of(entry["role"])
        name = str(entry.get("name") or builtin_roles.name_of(guid))
        rows.append(Row(identity, scope, guid, name, bool(entry.get("optional", False))))
    return rows


def assignment_scope(ra: Resource) -> str:
    """`properties.scope`, or the part of the assignment id before the provider."""
    scope = dig(ra, "properties.scope")
    if isinstance(scope, str) and scope:
        return scope
    rid = ra["id"]
    cut = rid.lower().find(f"/providers/{types.ROLE_ASSIGNMENTS.lower()}/")
    return rid[:cut] if cut > 0 else "/"


def role_definition_of(ra: Resource) -> str:
    """The GUID of the role definition an assignment hands out."""
    return builtin_roles.guid_of(str(dig(ra, "properties.roleDefinitionId") or ""))


def above_everything(scope: str) -> bool:
    """The tenant root and management groups: the collector only sees those that apply."""
    s = ids.norm(scope)
    return s == "" or s.startswith("/providers/microsoft.management/managementgroups/")


def covers(assigned: str, target: str, inherited: bool) -> bool:
    """An assignment at `assigned` grants access at `target` (exactly, or from a parent if allowed)."""
    if ids.norm(assigned) == ids.norm(target):
        return True
    return inherited and (above_everything(assigned) or ids.is_within(target, assigned))


class Scopes:
    """Resolves a scope role to candidate ARM scopes for one identity's resource."""

    def __init__(self, estate: Estate, roles: Roles) -> None:
        self.estate = estate
        self.roles = roles
        self._all: dict[str, list[str]] = {}

    def all_of(self, role: str) -> list[str]:
        """Ids of every resource in an architecture role, sorted."""
        if role not in self._all:
            self._all[role] = sorted(r["id"] for r in self.roles.resources(role))
        return self._all[role]

    def _workspace_of(self, res: Resource | None) -> Resource | None:
        if res is None:
            return None
        if same(res.get("type"), types.ML_WORKSPACES):
            return res
        if str(res.get("type", "")).lower() in (types.ML_ONLINE_ENDPOINTS.lower(), types.ML_COMPUTES.lower()):
            return self.estate.get(ids.parent_of(res["id"]))
        return None

    def anchors(self, res: Resource | None) -> dict[str, str]:
        """The hub / project / workspace a resource belongs to, and the one owning the dependencies."""
        ws = self._workspace_of(res)
        if ws is None:
            return {}
        kind = workspace_kind(ws)
        found = {kind: ws["id"], "owner": ws["id"]}
        if kind == PROJECT:
            hub = dig(ws, "properties.hubResourceId")
            if isinstance(hub, str) and hub:
                found[HUB] = hub
                found["owner"] = hub
            else:
                del found["owner"]
        return found

    def candidates(self, scope_role: str, res: Resource | None) -> list[str]:
        """The ARM scopes a row's scope role may mean for the identity of `res` (None: any resource)."""
        if scope_role == RESOURCE_GROUP:
            rg = ids.resource_group_id(res["id"]) if res else None
            return [rg] if rg else []
        foundry = self._foundry_candidates(scope_role, res)
        if foundry is not None:
            return foundry
        anchors = self.anchors(res)
        if scope_role in (HUB, PROJECT, WORKSPACE):
            return [anchors[scope_role]] if scope_role in anchors else self.all_of(scope_role)
        owner = self.estate.get(anchors.get("owner"))
        prop = {
            WORKSPACE_STORAGE: "storageAccount",
            WORKSPACE_KEYVAULT: "keyVault",
            WORKSPACE_REGISTRY: "containerRegistry",
        }
        if scope_role in prop:
            dep = dig(owner, f"properties.{prop[scope_role]}") if owner else None
            return [dep] if isinstance(dep, str) and dep else self.all_of(scope_role)
        if scope_role == OPENAI and owner is not None:
            reached = {ids.norm(t) for t in self._outbound_targets(owner)}
            linked = [a for a in self.all_of(OPENAI) if ids.norm(a) in reached]
            if linked:
                return linked
        return self.all_of(scope_role)

    def _foundry_candidates(self, scope_role: str, res: Resource | None) -> list[str] | None:
        """The Foundry design's scopes: a project's own account and itself, every Key Vault, the agent's
        stores (by type where no resource has their role), the app storage that is not one of them.
        None for the other scope roles."""
        is_project = res is not None and same(res.get("type"), types.FOUNDRY_PROJECTS)
        if scope_role == FOUNDRY_ACCOUNT and is_project and res is not None:
            return [ids.parent_of(res["id"]) or ""]
        if scope_role == FOUNDRY_PROJECT and is_project and res is not None:
            return [res["id"]]
        if scope_role == KEY_VAULT:
            return sorted(r["id"] for r in self.estate.of_type(types.KEY_VAULTS))
        if scope_role in AGENT_STORE_TYPES:
            return self.all_of(scope_role) or sorted(
                r["id"] for r in self.estate.of_type(AGENT_STORE_TYPES[scope_role])
            )
        if scope_role == APP_STORAGE:
            stores = {ids.norm(r) for r in self.all_of(AGENT_FILE_STORE)}
            return [r for r in self.all_of(APP_STORAGE) if ids.norm(r) not in stores]
        return None

    def _outbound_targets(self, ws: Resource) -> Iterator[str]:
        """Private-endpoint destinations of the workspace's managed network (inline and child rules)."""
        inline = dig(ws, "properties.managedNetwork.outboundRules") or {}
        bodies: list[Any] = list(inline.values()) if isinstance(inline, dict) else []
        bodies += [r.get("properties") for r in self.estate.children(ws["id"], types.ML_OUTBOUND_RULES)]
        for body in bodies:
            if isinstance(body, dict) and same(body.get("type"), "PrivateEndpoint"):
                target = dig(body, "destination.serviceResourceId")
                if isinstance(target, str):
                    yield target


def identity_resources(estate: Estate, roles: Roles, role: str) -> list[Resource]:
    """The resources acting as an identity role (gateways are not in the resource-role table)."""
    found = estate.of_type(types.APPLICATION_GATEWAYS) if role == APPGW_IDENTITY else roles.resources(role)
    return sorted(found, key=lambda r: ids.norm(r["id"]))


def identities_by_resource(roles: Roles) -> dict[tuple[str, str], list[Identity]]:
    """The identities of the architecture by (identity role, resource id)."""
    grouped: dict[tuple[str, str], list[Identity]] = defaultdict(list)
    for ident in roles.identities:
        grouped[(ident.role, ids.norm(ident.resource_id))].append(ident)
    return grouped


def unresolved_uamis(estate: Estate, res: Resource) -> list[str]:
    """User-assigned identities whose principal id is neither in the block nor on a collected UAMI."""
    block = res.get("identity")
    uamis = block.get("userAssignedIdentities") if isinstance(block, dict) else None
    missing = []
    for uami_id, details in (uamis or {}).items():
        if isinstance(details, dict) and details.get("principalId"):
            continue
        if not dig(estate.get(uami_id), "properties.principalId"):
            missing.append(uami_id)
    return missing


def held_by(estate: Estate, idents: Iterable[Identity]) -> list[tuple[str, str, Resource]]:
    """(role definition GUID, scope, assignment) for every assignment of the identities' principals."""
    seen: set[str] = set()
    out = []
    for ident in idents:
        for ra in estate.assignments_of(ident.principal_id):
            if ids.norm(ra["id"]) not in seen:
                seen.add(ids.norm(ra["id"]))
                out.append((role_definition_of(ra), assignment_scope(ra), ra))
    return out


# What makes a role privileged, whatever its name: it writes everything, or it hands out roles.
PRIVILEGED_ACTIONS = ("*", "Microsoft.Authorization/*", "Microsoft.Authorization/roleAssignments/write")


def _matches(pattern: str, action: str) -> bool:
    """An Azure RBAC action pattern (`*` matches any run of characters) covers `action`, ignoring case."""
    parts = [re.escape(p) for p in pattern.lower().split("*")]
    return re.fullmatch(".*".join(parts), action.lower()) is not None


def grants(permissions: Iterable[Any], action: str) -> bool:
    """A permission block's actions cover `action` and the same block's notActions do not."""
    for perm in permissions:
        allow = [str(a) for a in dig(perm, "actions") or []]
        deny = [str(a) for a in dig(perm, "notActions") or []]
        if any(_matches(a, action) for a in allow) and not any(_matches(n, action) for n in deny):
            return True
    return False


def privilege_of(
    estate: Estate, guid: str, listed: set[str], role_definition_id: str | None = None
) -> tuple[bool | None, str]:
    """(privileged, why): listed by GUID, or the collected definition grants a PRIVILEGED_ACTIONS entry.
    None when the role definition is not a built-in the auditor knows and its definition was not collected."""
    if guid in listed:
        return True, ""
    perms = dig(estate.role_definition(guid), "properties.permissions")
    if isinstance(perms, list):
        hit = next((a for a in PRIVILEGED_ACTIONS if grants(perms, a)), None)
        return (True, f" (its definition grants {hit})") if hit else (False, "")
    if guid in builtin_roles.NAMES:
        return False, ""
    if estate.role_definition(guid) is not None:
        return None, f"role definition {guid} was read without properties.permissions"
    gap = estate.gap(types.ROLE_DEFINITIONS, role_definition_id) if role_definition_id else None
    return None, f"role definition {guid} not collected" + (f" ({gap})" if gap else "")


def allowances(scopes: Scopes, rows: list[Row], guids: set[str]) -> dict[tuple[str, str], list[str]]:
    """(principal, role definition GUID) -> scopes where the table grants it, over every role the
    principal plays."""
    by_identity: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.role_definition in guids:
            by_identity[row.identity].append(row)
    allowed: dict[tuple[str, str], list[str]] = defaultdict(list)
    for ident in scopes.roles.identities:
        res = scopes.estate.get(ident.resource_id)
        for row in by_identity.get(ident.role, []):
            allowed[(ident.principal_id.lower(), row.role_definition)].extend(
                scopes.candidates(row.scope, res)
            )
    return allowed


def is_data_plane(estate: Estate, guid: str, extra: Iterable[str]) -> bool:
    """A built-in data role, a role the baseline names, or a definition in the snapshot with DataActions."""
    if guid in builtin_roles.DATA_PLANE or guid in {builtin_roles.guid_of(g) for g in extra}:
        return True
    definition = estate.role_definition(guid)
    for perm in dig(definition, "properties.permissions") or []:
        if isinstance(perm, dict) and perm.get("dataActions"):
            return True
    return False


def holders(rows: Iterable[Row]) -> dict[str, list[str]]:
    """Role definition GUID -> the identity roles a table gives it to, sorted."""
    out: dict[str, set[str]] = defaultdict(set)
    for row in rows:
        out[row.role_definition].add(row.identity)
    return {guid: sorted(who) for guid, who in out.items()}
