"""Rules of the identity family: who holds which role where, and which services still take keys.

The architecture lists every role assignment its managed identities need, per variant:
the ML-workspace variant's table (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
architecture", Machine Learning workspace edition, section "Machine Learning role-based access
roles"; reference implementation:
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L138-L261)
and the hub variant's table (the same article, AI Studio hub edition, section "Machine Learning
role-based access roles"), plus the chat UI and Application Gateway identities of the App Service
baseline (reference implementation:
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/webapp.bicep,
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep,
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/gateway.bicep
and
https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep).
A baseline carries its variant's table as the `table` parameter: rows of

    {identity: <identity role>, scope: <scope role>, role: <role definition GUID>, name: <label>}

where the identity role is one of roles.py's (hub, project, workspace, online-endpoint,
compute-instance, chat-ui-app, promptflow-app, application-gateway, or `portal-user` for people)
and the scope role one of resource-group, hub, project, workspace, openai, workspace-storage,
app-storage, workspace-keyvault, workspace-registry. Rows with `optional: true` are reported,
never required (the hub table's portal users). Role assignments compare by role definition
GUID, scopes case-insensitively.

Scopes resolve relative to the identity's resource where the estate says how: an online
endpoint's `project` is its parent, a project's `workspace-storage` is its hub's
`properties.storageAccount`, `openai` is the account the workspace's managed network reaches
through a private-endpoint outbound rule. Where nothing relates them (the chat UI and the app
storage) every resource of that role is a candidate, and one holding the assignment suffices.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Annotated, Any

from auditor.analysis import builtin_roles
from auditor.analysis.architecture import (
    AGENT_THREAD_STORE,
    COMPUTE,
    FOUNDRY_PROJECT,
    HUB,
    IDENTITY_ROLES,
    ONLINE_ENDPOINT,
    OPENAI,
    PROJECT,
    WORKSPACE,
    Identity,
    system_principal_missing,
)
from auditor.analysis.coverage import unread
from auditor.analysis.foundry import account_label
from auditor.analysis.rbac import (
    PEOPLE_TYPES,
    PORTAL_USER,
    RESOURCE_GROUP,
    Row,
    Scopes,
    above_everything,
    allowances,
    assignment_scope,
    covers,
    held_by,
    holders,
    identities_by_resource,
    identity_resources,
    is_data_plane,
    parse_table,
    privilege_of,
    role_definition_of,
    unresolved_uamis,
)
from auditor.analysis.values import shown
from auditor.analysis.verdicts import failed, must_be_true, not_assessed, passed, verdict
from auditor.arm import ids, types
from auditor.arm.estate import dig, display_name, same
from auditor.arm.types import Resource
from auditor.engine.params import Check, OneOf
from auditor.engine.registry import Context, rule
from auditor.engine.sources import article, foundry_article, implementation
from auditor.model import Result

ROLE_ASSIGNMENTS = types.ROLE_ASSIGNMENTS
UAMIS = types.USER_ASSIGNED_IDENTITIES
WORKSPACES = types.ML_WORKSPACES
ENDPOINTS = types.ML_ONLINE_ENDPOINTS
COMPUTES = types.ML_COMPUTES
CONNECTIONS = types.ML_CONNECTIONS
ACCOUNTS = types.COGNITIVE_ACCOUNTS
SEARCH = types.SEARCH_SERVICES
VAULTS = types.KEY_VAULTS


# --- parameters ------------------------------------------------------------------


def _valid_table(rows: tuple[Mapping[str, Any], ...]) -> None:
    parse_table(list(rows))


@dataclass(frozen=True)
class TableParams:
    """IAM001, IAM009: the variant's role-assignment table (no default: the baseline gives it), and
    whether an assignment inherited from a parent scope counts."""

    table: Annotated[tuple[Mapping[str, Any], ...], Check(_valid_table)]
    accept_inherited: bool = False


@dataclass(frozen=True)
class PrivilegedParams(TableParams):
    """IAM002: the table, and the role definition GUIDs that count as privileged whatever they grant."""

    privileged_roles: tuple[str, ...] = tuple(sorted(builtin_roles.PRIVILEGED))


@dataclass(frozen=True)
class DataPlaneParams(TableParams):
    """IAM003: the table, and role definition GUIDs to count as data-plane roles besides the built-in ones."""

    data_plane_roles: tuple[str, ...] = ()


@dataclass(frozen=True)
class SeparateParams:
    """IAM004: the identity roles whose resources must not share an identity."""

    roles: tuple[Annotated[str, OneOf(IDENTITY_ROLES)], ...] = (
        HUB,
        PROJECT,
        WORKSPACE,
        ONLINE_ENDPOINT,
        COMPUTE,
    )


@dataclass(frozen=True)
class AuthModeParams:
    """IAM008: the online endpoint auth modes accepted."""

    accepted_auth_modes: tuple[Annotated[str, OneOf(("AADToken", "AMLToken", "Key"))], ...] = ("AADToken",)


MISSING_PRINCIPAL = "identity.type includes SystemAssigned but identity.principalId is missing from the body"


def no_identity(res: Resource) -> str:
    """Why a resource has no managed identity: no identity block, or its type (None)."""
    block = res.get("identity")
    if not isinstance(block, dict):
        return "no identity block"
    return f"identity.type is {block.get('type')}"


def _describe(idents: Sequence[Identity]) -> str:
    """The identities in words, for messages."""
    parts = []
    for i in idents:
        if i.kind == "system":
            parts.append(f"system-assigned principal {i.principal_id}")
        else:
            parts.append(f"user-assigned {ids.name_of(i.identity_resource_id or '')} ({i.principal_id})")
    return ", ".join(parts) or "no identity"


def _scope_label(scope: str) -> str:
    """A scope's name, for messages."""
    return ids.name_of(scope) or scope


@rule(
    id="IAM001",
    name="role-assignment-table",
    control="identity",
    severity="high",
    title="Every role assignment of the architecture's table exists for the right identity and scope",
    rationale="""The architecture lists the role assignments its managed identities need and says all
    of them must exist: the ML-workspace variant's table (Microsoft Learn, "Baseline OpenAI end-to-end
    chat reference architecture", Machine Learning workspace edition, section "Machine Learning
    role-based access roles"; reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L138-L261)
    and the hub variant's table (the same article, AI Studio hub edition, same section: hub, project,
    online endpoint and App Service rows, and every assignment listed in the table must be created),
    plus the chat UI identity (Key Vault Secrets User, Storage Blob Data Reader on the app storage,
    AcrPull; reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/webapp.bicep
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/webapp.bicep)
    and the Application Gateway identity (Key Vault Secrets User; reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/gateway.bicep
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/gateway.bicep).
    Without them prompt flow, the endpoint and the chat UI fail at run time or someone widens access
    by hand. In the hub variant the text asks for user-assigned identities with manually created
    assignments, where the hub variant's reference implementation relies on the platform's automatic
    ones for hub and project; the text wins, and the platform's assignments satisfy the rows when they
    exist.""",
    references=[
        article("Machine Learning role-based access roles"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 138, 261),
        implementation("aml", "infra-as-code/bicep/webapp.bicep"),
        implementation("hub", "infra-as-code/bicep/webapp.bicep"),
        implementation("aml", "infra-as-code/bicep/gateway.bicep"),
        implementation("hub", "infra-as-code/bicep/gateway.bicep"),
    ],
    remediation="""az role assignment create --assignee-object-id <principalId> --assignee-principal-type
    ServicePrincipal --role <role GUID> --scope <scope id>; in Bicep a
    Microsoft.Authorization/roleAssignments resource with properties.principalId,
    properties.roleDefinitionId and scope set to the resource in the table.""",
    params=TableParams,
)
def role_assignment_table(ctx: Context) -> Iterator[Result]:
    """For every resource acting as an identity role of the table (hub, project, workspace, online
    endpoint, compute instance, chat UI and prompt-flow web apps, Application Gateway): each required
    row is held by one of its identities (system- or user-assigned), by role definition GUID, at one of
    the row's candidate scopes (or above it when `accept_inherited`). Optional rows and portal users
    are left to IAM009. Missing role-assignment data, or a principal id missing from the identity
    block (system-assigned) or from the snapshot (user-assigned), makes a row not assessed."""
    yield from _unread_identities(ctx)
    rows = [r for r in parse_table(list(ctx.params.table)) if not r.optional and r.identity != PORTAL_USER]
    inherited = ctx.params.accept_inherited
    scopes = Scopes(ctx.estate, ctx.roles)
    grouped = identities_by_resource(ctx.roles)
    by_identity: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        by_identity[row.identity].append(row)
    for role, role_rows in by_identity.items():
        for res in identity_resources(ctx.estate, ctx.roles, role):
            yield _check_rows(
                ctx, scopes, res, role, role_rows, grouped.get((role, ids.norm(res["id"])), []), inherited
            )


# The types whose resources carry the table's identities: a failed list of one hides its rows.
IDENTITY_TYPES = (
    types.ML_WORKSPACES,
    types.ML_ONLINE_ENDPOINTS,
    types.ML_COMPUTES,
    types.WEB_SITES,
    types.APPLICATION_GATEWAYS,
    types.FOUNDRY_PROJECTS,
    types.ROLE_ASSIGNMENTS,
)


def _unread_identities(ctx: Context) -> Iterator[Result]:
    """Not assessed where a list of identity-bearing resources (or of role assignments) failed."""
    seen: set[str] = set()
    # Children carrying identities are listed under their parent: a failed list there hides them too.
    children = {types.ML_ONLINE_ENDPOINTS.lower(), types.ML_COMPUTES.lower()}
    under = [e for e in ctx.estate.errors if e.resource_type.lower() in children]
    for gap in [*ctx.estate.broad_gaps(IDENTITY_TYPES), *under]:
        if ids.norm(gap.scope) not in seen:
            seen.add(ids.norm(gap.scope))
            yield not_assessed(
                {"id": gap.scope, "type": gap.resource_type},
                f"{gap.resource_type} at {gap.scope} could not be read ({gap.outcome}); "
                "the identities there and their role assignments are unknown",
            )


def _check_rows(
    ctx: Context,
    scopes: Scopes,
    res: Resource,
    role: str,
    rows: list[Row],
    idents: list[Identity],
    inherited: bool,
) -> Result:
    estate = ctx.estate
    expected = [r.label for r in rows]
    unresolved = unresolved_uamis(estate, res)
    blind = system_principal_missing(res)
    if not idents:
        if unresolved:
            reason = estate.gap(UAMIS, unresolved[0]) or "the identity is not in the snapshot"
            return not_assessed(
                res, f"principal of user-assigned identity {unresolved[0]} unknown: {reason}", expected
            )
        if blind:
            return not_assessed(
                res, f"{role}: {MISSING_PRINCIPAL}, so its role assignments are unknown", expected
            )
        return failed(
            res,
            f"{role} has no managed identity ({no_identity(res)}); the table assigns it: "
            + "; ".join(expected),
            expected,
            [],
        )
    held = held_by(estate, idents)
    present, missing, unknown = [], [], []
    for row in rows:
        cands = scopes.candidates(row.scope, res)
        hit = next(
            (
                scope
                for guid, scope, _ in held
                if guid == row.role_definition and any(covers(scope, c, inherited) for c in cands)
            ),
            None,
        )
        if hit is not None:
            present.append(f"{row.label} ({_scope_label(hit)})")
            continue
        where = ", ".join(_scope_label(c) for c in cands) or f"no {row.scope} resource in the estate"
        gap = next((g for c in [res["id"], *cands] if (g := estate.gap(ROLE_ASSIGNMENTS, c))), None)
        if gap or unresolved or blind:
            why = gap or (
                f"user-assigned identity {unresolved[0]} unresolved" if unresolved else MISSING_PRINCIPAL
            )
            unknown.append(f"{row.label} ({where}): {why}")
        else:
            missing.append(f"{row.label} ({where})")
    who = _describe(idents)
    if missing:
        return failed(res, f"{role} identity ({who}) lacks: " + "; ".join(missing), expected, present)
    if unknown:
        return not_assessed(res, f"{role} identity ({who}): cannot tell " + "; ".join(unknown), expected)
    return passed(
        res, f"{role} identity ({who}) holds all {len(rows)} table assignment(s)", expected, present
    )


# --- privileged roles ----------------------------------------------------------------


def _identity_subjects(
    ctx: Context,
) -> Iterator[tuple[str, Resource, list[Identity], str | None, bool]]:
    """Each (identity role, resource) the least-privilege rules judge, in id order: its identities,
    the gap in its role-assignment data (None when read), and whether a system-assigned principal
    id is missing from its body (then its identities cannot be matched to assignments)."""
    grouped = identities_by_resource(ctx.roles)
    blind = {
        (role, ids.norm(res["id"]))
        for role in IDENTITY_ROLES
        for res in identity_resources(ctx.estate, ctx.roles, role)
        if system_principal_missing(res)
    }
    for role, rid in sorted(set(grouped) | blind, key=lambda k: (k[1], k[0])):
        res = ctx.estate.get(rid)
        if res is not None:
            gap = ctx.estate.gap(ROLE_ASSIGNMENTS, res["id"])
            yield role, res, grouped.get((role, rid), []), gap, (role, rid) in blind


@rule(
    id="IAM002",
    name="no-excess-privileged-roles",
    control="identity",
    severity="high",
    title="No workload identity holds Owner, Contributor or a role-assigning role beyond its table",
    rationale="""The architecture's identities follow least privilege (Microsoft Learn, "Baseline
    OpenAI end-to-end chat reference architecture", section "Machine Learning role-based access roles":
    "This architecture follows the principle of least privilege"); its tables grant control-plane write
    only where needed: the ML workspace identity's Contributor on the resource group (Machine Learning
    workspace edition; reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L138-L146),
    and in the hub variant the hub identity's Contributor on the resource group and the hub and project
    identities' Contributor on the container registry and Key Vault (AI Studio hub edition, same
    section). Any other Owner, Contributor, User Access
    Administrator or Role Based Access Control Administrator, or any role (custom ones included) whose
    definition grants *, Microsoft.Authorization/* or Microsoft.Authorization/roleAssignments/write,
    lets a compromised endpoint, web app or gateway take over the workload or hand itself more.""",
    references=[
        article("Machine Learning role-based access roles"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 138, 146),
    ],
    remediation="""az role assignment delete --ids <assignment id>; grant the narrower role the table names
    instead.""",
    params=PrivilegedParams,
)
def no_excess_privileged(ctx: Context) -> Iterator[Result]:
    """For every resource with a workload identity (any identity role), every assignment of its
    principals to a privileged role must match a table row for one of the principal's identity roles,
    at or below that row's scope. Privileged: a GUID in `privileged_roles` (Owner, Contributor, User
    Access Administrator, Role Based Access Control Administrator), or a role (custom ones included)
    whose collected definition grants `*`, `Microsoft.Authorization/*` or
    `Microsoft.Authorization/roleAssignments/write` (its actions minus notActions). A role the auditor
    does not know as built-in whose definition was not collected, or an identity whose system-assigned
    principal id is missing from the body, makes the resource not assessed. An excess assignment
    found fails even where other assignments could not be read."""
    yield from _unread_identities(ctx)
    rows = parse_table(list(ctx.params.table))
    listed = {builtin_roles.guid_of(g) for g in ctx.params.privileged_roles}
    scopes = Scopes(ctx.estate, ctx.roles)
    allowed = allowances(scopes, rows, {r.role_definition for r in rows})
    privileged_rows = [r for r in rows if privilege_of(ctx.estate, r.role_definition, listed)[0]]
    for role, res, idents, gap, is_blind in _identity_subjects(ctx):
        granted: list[str] = []
        excess: list[str] = []
        unknown = [MISSING_PRINCIPAL] if is_blind else []
        for ident in idents:
            for guid, scope, ra in held_by(ctx.estate, [ident]):
                label = f"{builtin_roles.name_of(guid)} on {scope}"
                ok = any(ids.is_within(scope, s) for s in allowed.get((ident.principal_id.lower(), guid), []))
                rd_id = str(dig(ra, "properties.roleDefinitionId") or guid)
                privileged, why = privilege_of(ctx.estate, guid, listed, rd_id)
                if privileged is False:
                    continue
                if ok:
                    granted.append(label)
                elif privileged:
                    excess.append(f"{label}{why}")
                else:
                    unknown.append(f"{label}: {why}")
        expected = sorted(r.label for r in privileged_rows if r.identity == role)
        who = _describe(idents)
        if excess:
            yield failed(
                res,
                f"{role} identity ({who}) holds privileged role(s) the table does not grant: "
                + "; ".join(excess),
                expected,
                excess + granted,
            )
        elif gap:
            yield not_assessed(res, f"{role} identity's role assignments unknown: {gap}", expected)
        elif unknown:
            yield not_assessed(res, f"{role} identity ({who}): cannot tell " + "; ".join(unknown), expected)
        else:
            yield passed(
                res,
                f"{role} identity ({who}) holds no privileged role beyond the table"
                + (f" ({'; '.join(granted)})" if granted else ""),
                expected,
                granted,
            )


@rule(
    id="IAM003",
    name="no-broad-data-plane-roles",
    control="identity",
    severity="high",
    title="No data-plane role at subscription or resource-group scope outside the table",
    rationale="""The AI Studio hub edition of the architecture article (Microsoft Learn, "Baseline
    OpenAI end-to-end chat reference architecture", section "Machine Learning role-based access roles")
    warns that a Cognitive Services OpenAI User assignment reaches every deployment of the account and
    asks that assignments give no access beyond what each identity needs; the tables (both editions,
    same section) scope every data-plane role to one resource (the Azure OpenAI account, the
    workspace storage, the vault). A data-plane role (Cognitive Services OpenAI User or Contributor,
    Storage Blob/File/Table/Queue Data *, Key Vault data roles, Search index data roles), or a role that
    hands out keys to the data (Storage Account Contributor lists the account keys, which the workspace
    storage still accepts; Search Service Contributor reads the admin API keys), at subscription or
    resource-group scope gives its holder the data of every such service in that scope.""",
    references=[
        article("Machine Learning role-based access roles"),
    ],
    remediation="""az role assignment delete --ids <assignment id>; then az role assignment create ...
    --scope <the single resource id the table names>.""",
    params=DataPlaneParams,
)
def no_broad_data_plane(ctx: Context) -> Iterator[Result]:
    """For each subscription and resource group holding the architecture's resources: no assignment at
    that scope (or at a management group / the tenant root above it) of a data-plane role, unless a
    table row grants that role at `resource-group` scope to an identity role the principal plays.
    `data_plane_roles` adds GUIDs to the built-in list."""
    rows = parse_table(list(ctx.params.table))
    rg_rows = {(r.identity, r.role_definition) for r in rows if r.scope == RESOURCE_GROUP}
    extra = list(ctx.params.data_plane_roles)
    scopes: dict[str, str] = {}
    for key in list(ctx.roles.resource_roles) + [i.resource_id for i in ctx.roles.identities]:
        rid = (ctx.estate.get(key) or {"id": key})["id"]
        sub, rg = ids.subscription_of(rid), ids.resource_group_id(rid)
        if sub:
            scopes.setdefault(ids.norm(f"/subscriptions/{sub}"), f"/subscriptions/{sub}")
        if rg:
            scopes.setdefault(ids.norm(rg), rg)
    at_scope: dict[str, list[Resource]] = defaultdict(list)
    above: list[Resource] = []
    for ra in ctx.estate.iter_assignments():
        scope = assignment_scope(ra)
        (above if above_everything(scope) else at_scope[ids.norm(scope)]).append(ra)
    for key in sorted(scopes):
        scope = scopes[key]
        is_rg = ids.resource_group_of(scope) is not None
        res = {
            "id": scope,
            "type": types.RESOURCE_GROUPS if is_rg else types.SUBSCRIPTIONS,
        }
        gap = ctx.estate.gap(ROLE_ASSIGNMENTS, scope)
        if gap:
            yield not_assessed(res, f"role assignments at {scope} unknown: {gap}")
            continue
        offenders = []
        unknown = []
        for ra in at_scope.get(key, []) + ([] if is_rg else above):
            guid = role_definition_of(ra)
            if not is_data_plane(ctx.estate, guid, extra):
                if _undefined(ctx, guid):
                    rd_id = str(dig(ra, "properties.roleDefinitionId") or guid)
                    gap = ctx.estate.gap(types.ROLE_DEFINITIONS, rd_id)
                    unknown.append(
                        f"role {guid} at {assignment_scope(ra)}: its definition was not read"
                        + (f" ({gap})" if gap else "")
                    )
                continue
            principal = str(dig(ra, "properties.principalId") or "")
            plays = ctx.roles.identity_roles_of(principal) if principal else set()
            if is_rg and any((p, guid) in rg_rows for p in plays):
                continue
            kind = dig(ra, "properties.principalType") or "principal"
            offenders.append(f"{builtin_roles.name_of(guid)} to {kind} {principal} at {assignment_scope(ra)}")
        where = "resource group" if is_rg else "subscription"
        if unknown and not offenders:
            yield not_assessed(
                res, f"cannot tell whether these grant data-plane access: {'; '.join(unknown)}", []
            )
            continue
        yield verdict(
            not offenders,
            res,
            f"data-plane role(s) assigned at {where} scope: " + "; ".join(offenders)
            if offenders
            else f"no data-plane role assigned at {where} scope {_scope_label(scope)}",
            expected=[],
            actual=offenders,
        )


def _undefined(ctx: Context, guid: str) -> bool:
    """A role the auditor does not know as built-in, whose definition (with permissions) was not read."""
    if guid in builtin_roles.NAMES:
        return False
    return not isinstance(dig(ctx.estate.role_definition(guid), "properties.permissions"), list)


# --- separate identities -------------------------------------------------------------------


def identity_keys(res: Resource) -> list[str]:
    """What makes two resources share an identity: the same system principal or the same UAMI."""
    block = res.get("identity")
    if not isinstance(block, dict):
        return []
    keys = []
    if isinstance(block.get("principalId"), str) and block["principalId"]:
        keys.append("principal:" + block["principalId"].lower())
    for uami_id, details in (block.get("userAssignedIdentities") or {}).items():
        keys.append("uami:" + ids.norm(uami_id))
        if isinstance(details, dict) and isinstance(details.get("principalId"), str):
            keys.append("principal:" + details["principalId"].lower())
    return keys


@rule(
    id="IAM004",
    name="separate-identities",
    control="identity",
    severity="medium",
    title="Workspace or hub, project, online endpoint and compute use separate identities",
    rationale="""The architecture asks for a separate managed identity per ML resource: the workspace,
    the compute instance and the online endpoint (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", Machine Learning workspace edition, section "Identity and access
    management": "Create separate managed identities for the following Machine Learning resources"; the
    ML-workspace reference creates id-amlworkspace, id-amlonlineendpoint, id-amlinstancecompute
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep)),
    and in the hub variant the hub, each project and each online endpoint (AI Studio hub edition, same
    section). A shared identity carries the
    union of the roles, so the endpoint would hold the workspace's Contributor and Key Vault
    Administrator.""",
    references=[
        article("Identity and access management"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep"),
    ],
    remediation="""Create one user-assigned identity per resource (az identity create -g <rg> -n <name>)
    and attach it (identity.userAssignedIdentities in Bicep), or use each resource's system-assigned
    identity; then grant each only its rows of the table.""",
    params=SeparateParams,
)
def separate_identities(ctx: Context) -> Iterator[Result]:
    """Across resources in the identity roles `roles`: no two resources share a system-assigned
    principal, a user-assigned identity resource, or a user-assigned principal id. A resource whose
    body names a system-assigned identity without its principal id, and shares nothing else, is not
    assessed."""
    yield from unread(ctx.estate, WORKSPACES, "machine learning workspaces")
    yield from unread(ctx.estate, ENDPOINTS, "online endpoints")
    if COMPUTE in ctx.params.roles:
        yield from unread(ctx.estate, COMPUTES, "workspace computes")
    members: list[tuple[str, Resource]] = []
    seen: set[str] = set()
    for role in ctx.params.roles:
        for res in identity_resources(ctx.estate, ctx.roles, str(role)):
            if ids.norm(res["id"]) not in seen:
                seen.add(ids.norm(res["id"]))
                members.append((str(role), res))
    users: dict[str, list[str]] = defaultdict(list)
    for role, res in members:
        for key in set(identity_keys(res)):
            users[key].append(f"{role} {res.get('name') or ids.name_of(res['id'])}")
    for role, res in members:
        label = f"{role} {res.get('name') or ids.name_of(res['id'])}"
        keys = identity_keys(res)
        shared = sorted({other for key in keys for other in users[key] if other != label})
        if not shared and system_principal_missing(res):
            # The unseen system-assigned principal could be the one another resource uses.
            yield not_assessed(res, f"{label}: {MISSING_PRINCIPAL}", "own identity")
            continue
        if not keys:
            yield passed(res, f"{label} has no managed identity, so shares none", "own identity", None)
            continue
        yield verdict(
            not shared,
            res,
            f"{label} shares its identity with " + ", ".join(shared)
            if shared
            else f"{label} has its own identity",
            expected="own identity",
            actual=shared or "own identity",
        )


def openai_accounts(ctx: Context) -> list[Resource]:
    """The accounts the architecture uses as Azure OpenAI."""
    return ctx.roles.resources(OPENAI)


def online_endpoints(ctx: Context) -> list[Resource]:
    """The architecture's managed online endpoints."""
    return ctx.roles.resources(ONLINE_ENDPOINT)


# --- local authentication --------------------------------------------------------------------


@rule(
    id="IAM005",
    name="openai-local-auth-disabled",
    control="identity",
    severity="high",
    title="The Azure OpenAI or Foundry account accepts only Microsoft Entra ID (local keys disabled)",
    rationale="""In the hub variant the online endpoint is the only service left on key-based
    authentication (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture", AI
    Studio hub edition, section "Key rotation": the one service in the architecture that uses key-based
    authentication is the Machine Learning managed online endpoint); the endpoint and the prompt-flow
    App Service call Azure OpenAI with their identities (Cognitive Services OpenAI User rows), and the
    hub reference sets properties.disableLocalAuth: true (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/openai.bicep#L45):
    required. The ML-workspace variant's article still names Azure OpenAI as one of its two
    key-authenticated services (Machine Learning workspace edition, section "Key rotation"; the
    ML-workspace reference leaves disableLocalAuth unset and hands the key to the prompt-flow app from
    Key Vault), while its governance section asks to disable local
    authentication on Azure AI services: recommended there. In the Foundry edition the rule judges the
    Foundry account (kind AIServices): the article asks to turn off key-based and other local
    authentication in Foundry tools (Microsoft Learn, "Baseline Microsoft Foundry chat reference
    architecture", section "Governance through policy") and that reference sets disableLocalAuth: true
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L75):
    required.""",
    references=[
        article("Key rotation"),
        implementation("hub", "infra-as-code/bicep/openai.bicep", 45),
        foundry_article("Governance through policy"),
        implementation("foundry", "infra-as-code/bicep/ai-foundry.bicep", 75),
    ],
    remediation="""az resource update --ids <account id> --set properties.disableLocalAuth=true; in Bicep
    properties.disableLocalAuth: true on the Microsoft.CognitiveServices/accounts resource (grant
    Cognitive Services OpenAI User to the callers first).""",
    resource_type=ACCOUNTS,
    what="Cognitive Services accounts",
    select=openai_accounts,
)
def openai_local_auth(ctx: Context, acct: Resource) -> Result:
    """`properties.disableLocalAuth` is true on every Azure OpenAI or Foundry account (absent: keys
    accepted). The message names which of the two the account is."""
    result = must_be_true(acct, "properties.disableLocalAuth", "keys accepted")
    return replace(result, message=f"{account_label(ctx.estate, acct)}: {result.message}")


@rule(
    id="IAM006",
    name="search-local-auth-disabled",
    control="identity",
    severity="medium",
    title="AI Search accepts only Microsoft Entra ID (API keys disabled)",
    rationale="""The articles name only Azure OpenAI (ML-workspace variant) and the online endpoint as
    key-authenticated services (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", both editions, section "Key rotation"), so the prompt flow reaches AI Search with
    its identity, and their governance sections ask to disable keys and other local authentication;
    Microsoft's current reference sets properties.disableLocalAuth: true on the search service
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-search.bicep#L66).
    The ML-workspace and hub references deploy no AI Search.""",
    references=[
        article("Key rotation"),
        implementation("foundry", "infra-as-code/bicep/ai-search.bicep", 66),
    ],
    remediation="""az search service update -g <rg> -n <name> --disable-local-auth true; in Bicep
    properties.disableLocalAuth: true (and no authOptions) on Microsoft.Search/searchServices.""",
    resource_type=SEARCH,
    what="AI Search services",
)
def search_local_auth(ctx: Context, svc: Resource) -> Result:
    """`properties.disableLocalAuth` is true on every AI Search service."""
    return must_be_true(svc, "properties.disableLocalAuth", "API keys accepted")


@rule(
    id="IAM007",
    name="key-vault-rbac-authorization",
    control="identity",
    severity="high",
    title="Key Vault uses Azure RBAC authorization, not access policies",
    rationale="""Every role the tables grant on the vault (Key Vault Administrator for the workspace or
    hub and project, Key Vault Secrets User for the chat UI and the Application Gateway; Microsoft
    Learn, "Baseline OpenAI end-to-end chat reference architecture", both editions, section "Machine
    Learning role-based access roles") works only under the RBAC permission model; the references set
    properties.enableRbacAuthorization: true (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/keyvault.bicep#L62;
    reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/keyvault.bicep#L61).
    With access policies the table's assignments do nothing and access is governed outside Azure
    RBAC.""",
    references=[
        article("Machine Learning role-based access roles"),
        implementation("aml", "infra-as-code/bicep/keyvault.bicep", 62),
        implementation("hub", "infra-as-code/bicep/keyvault.bicep", 61),
    ],
    remediation="""az keyvault update -g <rg> -n <name> --enable-rbac-authorization true; in Bicep
    properties.enableRbacAuthorization: true on Microsoft.KeyVault/vaults.""",
    resource_type=VAULTS,
    what="Key Vaults",
)
def key_vault_rbac(ctx: Context, vault: Resource) -> Result:
    """`properties.enableRbacAuthorization` is true on every Key Vault (absent means access policies)."""
    return must_be_true(vault, "properties.enableRbacAuthorization", "access policies")


@rule(
    id="IAM008",
    name="online-endpoint-entra-auth",
    control="identity",
    severity="medium",
    title="Managed online endpoints authenticate callers with Microsoft Entra ID tokens",
    rationale="""Both variants keep the online endpoint on key authentication (properties.authMode: Key;
    reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L340;
    reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L272
    with the comment "Ideally this should be based on Microsoft Entra ID access"; both editions of the
    architecture article list it under key rotation: Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Key rotation"). The chat UI has a
    managed identity, so Entra ID tokens (authMode: AADToken) remove a long-lived key from Key Vault and
    its rotation; hardening beyond the architecture, hence a recommendation.""",
    references=[
        article("Key rotation"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 340),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 272),
    ],
    remediation="""Recreate or update the endpoint with auth_mode: aad_token (az ml online-endpoint update
    ... --set auth_mode=aad_token where supported); in Bicep properties.authMode: 'AADToken', and grant
    the chat UI identity the AzureML Data Scientist role or a custom role with the
    onlineEndpoints/score/action permission.""",
    params=AuthModeParams,
    resource_type=ENDPOINTS,
    what="online endpoints",
    select=online_endpoints,
)
def endpoint_entra_auth(ctx: Context, ep: Resource) -> Result:
    """`properties.authMode` of every managed online endpoint is one of `accepted_auth_modes`."""
    accepted = list(ctx.params.accepted_auth_modes)
    mode = dig(ep, "properties.authMode")
    ok = any(same(mode, m) for m in accepted)
    return verdict(ok, ep, f"properties.authMode is {mode}", expected=accepted, actual=mode)


# --- people ------------------------------------------------------------------------------------


@rule(
    id="IAM009",
    name="portal-user-assignments",
    control="identity",
    severity="low",
    title="People's role assignments on the workload match the table's portal-user rows",
    rationale="""The AI Studio hub edition of the architecture article (Microsoft Learn, "Baseline
    OpenAI end-to-end chat reference architecture", section "Machine Learning role-based access roles")
    lists the portal users who develop prompt flows as optional rows (Cognitive Services OpenAI User on
    Azure OpenAI, Storage Blob Data Contributor with a condition and Storage File Data Privileged
    Contributor on the storage account) and asks that no assignment gives them access to resources they
    do not need; the hub reference grants the deploying user exactly these, "pre-production only"
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L96-L130).
    They are reported, never required.""",
    references=[
        article("Machine Learning role-based access roles"),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 96, 130),
    ],
    remediation="""az role assignment delete --ids <assignment id> for people who no longer author flows;
    prefer a group, and a condition limiting blob access to the project's containers.""",
    params=TableParams,
)
def portal_user_assignments(ctx: Context) -> Iterator[Result]:
    """Every assignment to a user or group whose scope is one of the architecture's resources (or
    lies below one) is reported: pass when it matches an optional `portal-user` row of the table (role
    GUID, at or below a resource of the row's scope role), fail otherwise. No such assignment: nothing
    to report. Unreadable role assignments are not assessed at the scope that failed."""
    yield from unread(ctx.estate, ROLE_ASSIGNMENTS, "role assignments")
    rows = [r for r in parse_table(list(ctx.params.table)) if r.identity == PORTAL_USER]
    scopes = Scopes(ctx.estate, ctx.roles)
    allowed = {(r.role_definition, ids.norm(c)) for r in rows for c in scopes.candidates(r.scope, None)}
    known = {ids.norm(rid) for rid in ctx.roles.resource_roles}
    for ra in sorted(ctx.estate.iter_assignments(), key=lambda r: ids.norm(r["id"])):
        if str(dig(ra, "properties.principalType") or "").lower() not in PEOPLE_TYPES:
            continue
        scope = assignment_scope(ra)
        target = _architecture_resource(scope, known)
        if target is None:
            continue
        guid = role_definition_of(ra)
        who = f"{dig(ra, 'properties.principalType')} {dig(ra, 'properties.principalId')}"
        label = f"{builtin_roles.name_of(guid)} on {_scope_label(scope)}"
        ok = any((guid, a) in allowed for a in _ancestors(scope))
        yield verdict(
            ok,
            ra,
            f"{who} holds {label}"
            + (" (an optional portal-user row of the table)" if ok else ", not a portal-user row"),
            expected=[r.label for r in rows],
            actual=label,
        )


def _ancestors(scope: str) -> Iterator[str]:
    """The scope and each parent resource up to the provider segment."""
    current: str | None = ids.norm(scope)
    while current:
        yield current
        current = ids.parent_of(current)
        current = ids.norm(current) if current else None


def _architecture_resource(scope: str, known: set[str]) -> str | None:
    return next((a for a in _ancestors(scope) if a in known), None)


# --- least privilege as a whole ----------------------------------------------------------------


@dataclass(frozen=True)
class LeastPrivilegeParams(TableParams):
    """IAM010: the table, and whether a role the table gives nobody counts as a deviation too."""

    only_table_roles: bool = True


@rule(
    id="IAM010",
    name="roles-held-by-their-identity",
    control="identity",
    severity="medium",
    title="No workload identity holds a role the table gives another identity, or at another scope",
    rationale="""The architecture "follows the principle of least privilege by only assigning roles to
    the preceding identities where they're required" (Microsoft Learn, "Baseline OpenAI end-to-end
    chat reference architecture", section "Machine Learning role-based access roles", in its
    ML-workspace and AI Studio hub editions): every role of its table belongs to one identity at one
    scope. IAM002 and IAM003 catch privileged and broad-scope roles; a workload identity that holds an
    ordinary role meant for another (the chat UI with the workspace's Storage Blob Data Contributor,
    the gateway with AcrPull) or at a scope the table does not name (Key Vault Secrets User on a
    second vault) is as much a deviation from the table.
    The reference implementation sets it in machinelearning.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L138-L261.""",
    remediation="""az role assignment delete --ids <assignment id>; give the identity only its own rows
    of the table, at the scopes they name.""",
    params=LeastPrivilegeParams,
    references=[
        article("Machine Learning role-based access roles"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 138, 261),
    ],
    since="0.2.0",
    status="preview",
)
def roles_held_by_their_identity(ctx: Context) -> Iterator[Result]:
    """For every resource with a workload identity: every role assignment of its principals whose role
    the table names (any role, with `only_table_roles` false) matches a row for one of the roles the
    principal plays, at or below one of that row's scopes. The message names the identities the table
    gives the role to. Missing role-assignment data, or a system-assigned principal id missing from
    the body, is not assessed; a deviation found fails even where other assignments could not be read."""
    # A failed list of identity-bearing resources hides their identities: not assessed, never vanished.
    yield from _unread_identities(ctx)
    rows = parse_table(list(ctx.params.table))
    owners = holders(rows)
    scopes = Scopes(ctx.estate, ctx.roles)
    allowed = allowances(scopes, rows, set(owners))
    for role, res, idents, gap, is_blind in _identity_subjects(ctx):
        own = sorted(r.label for r in rows if r.identity == role and not r.optional)
        held: list[str] = []
        deviations: list[str] = []
        for ident in idents:
            for guid, scope, _ in held_by(ctx.estate, [ident]):
                if ctx.params.only_table_roles and guid not in owners:
                    continue
                label = f"{builtin_roles.name_of(guid)} on {_scope_label(scope)}"
                if any(ids.is_within(scope, s) for s in allowed.get((ident.principal_id.lower(), guid), [])):
                    held.append(label)
                elif guid not in owners:
                    deviations.append(f"{label} (the table gives it to no identity)")
                elif role in owners[guid] or any(
                    p in owners[guid] for p in ctx.roles.identity_roles_of(ident.principal_id)
                ):
                    deviations.append(f"{label} (outside the scopes the table gives this identity)")
                else:
                    deviations.append(f"{label} (the table gives it to {', '.join(owners[guid])})")
        who = _describe(idents)
        if deviations:
            yield failed(
                res,
                f"{role} identity ({who}) holds role(s) the table does not give it: " + "; ".join(deviations),
                own,
                deviations + held,
            )
        elif gap:
            yield not_assessed(res, f"{role} identity's role assignments unknown: {gap}", own)
        elif is_blind:
            yield not_assessed(res, f"{role}: {MISSING_PRINCIPAL}", own)
        else:
            yield passed(
                res,
                f"{role} identity ({who}) holds only roles the table gives it"
                + (f" ({'; '.join(held)})" if held else ""),
                own,
                held,
            )


# --- the workspace's own storage access ---------------------------------------------------------


def _workspaces_and_hubs(ctx: Context) -> list[Resource]:
    """The ML workspaces and hubs (a project uses its hub's storage and setting)."""
    return [*ctx.roles.resources(WORKSPACE), *ctx.roles.resources(HUB)]


@rule(
    id="IAM011",
    name="workspace-datastores-use-identity",
    control="identity",
    severity="medium",
    title="The ML workspace or hub reaches its storage with its managed identity, not account keys",
    rationale="""By default a workspace or hub reads and writes its system datastores (the workspace
    storage of the role tables, Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "Machine Learning role-based access roles") with the storage account key,
    so anyone holding the key holds the data; with systemDatastoresAuthMode: identity it uses its
    managed identity and the table's Storage Blob and File Data roles (Microsoft Learn, "Disable shared
    key access for your hub's storage account"). The AI Studio hub reference sets identity; the
    Machine Learning workspace reference leaves the key default, so the aml baseline recommends it.
    The reference implementation sets it in machinelearning.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L191.""",
    remediation="""az ml workspace update -g <rg> -n <workspace> --system-datastores-auth-mode identity;
    in Bicep properties.systemDatastoresAuthMode: 'identity'.""",
    resource_type=WORKSPACES,
    what="Machine learning workspaces",
    select=_workspaces_and_hubs,
    references=[
        article("Machine Learning role-based access roles"),
        (
            'Microsoft Learn, "Disable shared key access for your hub\'s storage account"',
            "https://learn.microsoft.com/azure/ai-foundry/how-to/disable-local-auth",
        ),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 191),
    ],
    since="0.2.0",
    status="preview",
)
def workspace_datastores_identity(ctx: Context, ws: Resource) -> Result:
    """Every workspace and hub has `properties.systemDatastoresAuthMode` identity (absent means the
    platform default, the account key)."""
    value = dig(ws, "properties.systemDatastoresAuthMode")
    shown_value = value if isinstance(value, str) and value else "absent (platform default accessKey)"
    message = f"properties.systemDatastoresAuthMode is {shown_value}"
    return verdict(same(value, "identity"), ws, message, "identity", value)


# Computes whose sign-in Azure Machine Learning manages; attached computes keep their own.
_MANAGED_COMPUTES = ("ComputeInstance", "AmlCompute")


@rule(
    id="IAM012",
    name="compute-local-auth-disabled",
    control="identity",
    severity="medium",
    title="Compute instances and clusters accept only Microsoft Entra ID",
    rationale="""A compute that keeps local authentication can be reached with keys and tokens outside
    Microsoft Entra ID and the role assignments the architecture's identities rest on; the article
    recommends disabling key and other local authentication (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", section "Governance through policy"). The Machine Learning
    workspace reference's compute instance sets disableLocalAuth: true; the AI Studio hub reference has
    no compute instance (serverless sessions), so the rule only speaks where a compute exists.
    The reference implementation sets it in machinelearning.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50/infra-as-code/bicep/machinelearning.bicep#L353-L388.""",
    remediation="""The setting is fixed when the compute is created: delete the compute
    (az ml compute delete -g <rg> -w <workspace> -n <name>) and create it again from Bicep with
    properties.disableLocalAuth: true.""",
    references=[
        article("Governance through policy"),
        implementation("aml", "infra-as-code/bicep/machinelearning.bicep", 353, 388),
    ],
    since="0.2.0",
    status="preview",
)
def compute_local_auth(ctx: Context) -> Iterator[Result]:
    """Every compute of computeType ComputeInstance or AmlCompute under a workspace, hub or project has
    `properties.disableLocalAuth` true (absent means false). Not assessed, per workspace, when its
    computes could not be read; nothing is reported where no such compute exists."""
    yield from unread(ctx.estate, WORKSPACES, "Machine learning workspaces")
    for ws in [*ctx.roles.resources(WORKSPACE), *ctx.roles.resources(HUB), *ctx.roles.resources(PROJECT)]:
        computes = ctx.estate.children(ws["id"], COMPUTES)
        gap = ctx.estate.gap(COMPUTES, ws["id"])
        if not computes and gap:
            yield not_assessed(ws, f"computes of {display_name(ws)} unknown: {gap}")
            continue
        for comp in computes:
            kind = dig(comp, "properties.computeType")
            if not any(same(kind, k) for k in _MANAGED_COMPUTES):
                continue
            value = dig(comp, "properties.disableLocalAuth")
            message = f"properties.disableLocalAuth is {shown(value, 'false')} ({kind})"
            yield verdict(value is True, comp, message, True, value)


def _hubs_and_projects(ctx: Context) -> list[Resource]:
    """The AI Studio hubs and their projects (a workspace of the other edition has no projects)."""
    return [*ctx.roles.resources(HUB), *ctx.roles.resources(PROJECT)]


@rule(
    id="IAM013",
    name="hub-data-isolation",
    control="identity",
    severity="medium",
    title="The AI Studio hub and its projects keep each project's data apart",
    rationale="""A hub's storage account and container registry are shared by all of its projects
    (Microsoft Learn, "Hub Class" of the azure-ai-ml SDK); with enableDataIsolation the hub keeps each
    project's data in them apart, so one project's identity and users do not reach another's
    artifacts. The AI Studio hub reference sets enableDataIsolation: true on the hub and on the
    project; the flag is fixed when the workspace is created and defaults to false. The Machine
    Learning workspace edition has no hub, so the rule only speaks where a hub or project exists.
    The reference implementation sets it in machinelearning.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L193
    and
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L257.""",
    remediation="""The flag is fixed when the hub or project is created: create it again with
    az ml workspace create --kind hub (or project) and enable_data_isolation: true in its YAML file,
    or in Bicep properties.enableDataIsolation: true, and move the work over.""",
    resource_type=WORKSPACES,
    what="Machine learning workspaces",
    select=_hubs_and_projects,
    references=[
        (
            'Microsoft Learn, "Hub Class" (azure-ai-ml)',
            "https://learn.microsoft.com/python/api/azure-ai-ml/azure.ai.ml.entities.hub",
        ),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 193),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 257),
    ],
    since="0.2.0",
    status="preview",
)
def hub_data_isolation(ctx: Context, ws: Resource) -> Result:
    """Every hub and project has `properties.enableDataIsolation` true (absent means false)."""
    value = dig(ws, "properties.enableDataIsolation")
    message = f"properties.enableDataIsolation is {shown(value, 'false')}"
    return verdict(value is True, ws, message, True, value)


@rule(
    id="IAM014",
    name="hub-openai-connection-uses-entra-id",
    control="identity",
    severity="medium",
    title="The AI Studio hub's Azure OpenAI connections authenticate with Microsoft Entra ID",
    rationale="""Flows of the hub's projects call Azure OpenAI through the hub's connection; a connection
    of authType ApiKey stores an account key in the hub, which the architecture avoids by giving the
    identities roles instead (Microsoft Learn, "Baseline OpenAI end-to-end chat reference architecture",
    section "Machine Learning role-based access roles"). The AI Studio hub reference's aoai connection
    has authType AAD, uses the workspace's managed identity and requires a private endpoint
    (peRequirement: Required), which the message also shows. The Machine Learning workspace edition has
    no hub, so the rule only speaks where a hub or project has an Azure OpenAI connection.
    The reference implementation sets it in machinelearning.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/machinelearning.bicep#L200-L215.""",
    remediation="""Recreate the connection with Microsoft Entra ID: in Bicep a
    Microsoft.MachineLearningServices/workspaces/connections resource with category 'AzureOpenAI',
    authType 'AAD', useWorkspaceManagedIdentity: true and peRequirement: 'Required', then delete the
    key-based one (az ml connection delete -g <rg> -w <hub> -n <name>).""",
    references=[
        article("Machine Learning role-based access roles"),
        implementation("hub", "infra-as-code/bicep/machinelearning.bicep", 200, 215),
    ],
    since="0.2.0",
    status="preview",
)
def hub_openai_connection_auth(ctx: Context) -> Iterator[Result]:
    """Every connection of category AzureOpenAI under a hub or project has `properties.authType` AAD.
    Not assessed, per hub or project, when its connections could not be read; nothing is reported where
    no such connection exists."""
    yield from unread(ctx.estate, WORKSPACES, "Machine learning workspaces")
    for ws in _hubs_and_projects(ctx):
        connections = ctx.estate.children(ws["id"], CONNECTIONS)
        gap = ctx.estate.gap(CONNECTIONS, ws["id"])
        if not connections and gap:
            yield not_assessed(ws, f"connections of {display_name(ws)} unknown: {gap}")
            continue
        for conn in connections:
            if not same(dig(conn, "properties.category"), "AzureOpenAI"):
                continue
            auth = dig(conn, "properties.authType")
            pe = dig(conn, "properties.peRequirement")
            message = f"properties.authType is {shown(auth)}; properties.peRequirement is {shown(pe)}"
            yield verdict(same(auth, "AAD"), conn, message, "AAD", auth)


# --- the Foundry design: the agent's stores ------------------------------------------------------

_FOUNDRY_BICEP = "infra-as-code/bicep/ai-foundry-project.bicep"
_AGENT_SETUP_TEMPLATE = (
    "Microsoft Foundry samples, standard agent setup: blob-storage-container-role-assignments.bicep, "
    "lines 23-38",
    "https://github.com/microsoft-foundry/foundry-samples/blob/f4609b3db20a1a56521d4cb62b01e8ef95e665b9/"
    "infrastructure/infrastructure-setup-bicep/22-private-network-agent-setup/modules-network-secured/"
    "blob-storage-container-role-assignments.bicep#L23-L38",
)
PROJECTS = types.FOUNDRY_PROJECTS
SQL_ROLE_ASSIGNMENTS = types.COSMOS_SQL_ROLE_ASSIGNMENTS

# The blob actions the ABAC condition confines to the project's containers.
_TAG_ACTIONS = frozenset(
    f"microsoft.storage/storageaccounts/blobservices/containers/blobs/{a}"
    for a in ("tags/read", "filter/action", "tags/write")
)
_CONTAINER_TERM = re.compile(
    r"@resource\[microsoft\.storage/storageaccounts/blobservices/containers:name\]"
    r"(stringstartswithignorecase|stringstartswith|stringlikeignorecase|stringlike|"
    r"stringequalsignorecase|stringequals)'([^']*)'"
)
_ACTION_TERM = re.compile(r"!\(actionmatches\{'([^']+)'\}\)")
_GUID = re.compile(r"^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$")


def workspace_ids(project: Resource | None) -> set[str]:
    """The forms of a project's internal id its containers' names begin with (lower case): as ARM
    returns it and as a GUID; empty when the body does not carry it."""
    raw = dig(project, "properties.internalId") if project else None
    if not isinstance(raw, str) or not raw:
        return set()
    plain = raw.replace("-", "").lower()
    dashed = f"{plain[:8]}-{plain[8:12]}-{plain[12:16]}-{plain[16:20]}-{plain[20:]}"
    return {raw.lower(), plain, dashed}


def abac_prefixes(condition: str) -> tuple[str | None, list[str]]:
    """Parse an ABAC condition of the two forms Microsoft's templates write: the blob tag and filter
    actions allowed only where the container's name starts with a prefix (and, in the agent setup
    templates' form, further terms ANDed on the container name). Returns (why the condition is not of
    that form or does not confine the three actions, None when it is; the StringStartsWith prefixes)."""
    text = re.sub(r"\s+", "", condition).lower()
    parts = text.split(")or(")
    if len(parts) != 2 or not parts[0].startswith("((") or not parts[1].endswith("))"):
        return "it is not of the form ((not these actions) OR (container name terms))", []
    actions_text, containers_text = parts[0][2:], parts[1][:-2]
    actions = _ACTION_TERM.findall(actions_text)
    if not actions or _ACTION_TERM.sub("", actions_text).replace("and", "") != "":
        return "its first part is not a list of excluded actions", []
    missing = sorted(_TAG_ACTIONS - set(actions))
    if missing:
        return "it leaves " + ", ".join("blobs/" + m.split("/blobs/")[-1] for m in missing) + (
            " unconfined"
        ), []
    terms = containers_text.split("and@")
    parsed = [_CONTAINER_TERM.fullmatch(t if i == 0 else "@" + t) for i, t in enumerate(terms)]
    if not all(parsed):
        return "its second part is not a set of container-name terms joined by AND", []
    prefixes = [m.group(2) for m in parsed if m and m.group(1).startswith("stringstartswith")]
    return None, prefixes


def _judge_condition(ra: Resource, project: Resource | None) -> tuple[bool | None, str]:
    """(ok, why) for the condition of a project's Storage Blob Data Owner assignment; ok None when the
    project's internal id is unknown, so the container prefix cannot be matched."""
    condition = dig(ra, "properties.condition")
    version = dig(ra, "properties.conditionVersion")
    if not isinstance(condition, str) or not condition.strip():
        return False, "no condition: the role reaches the blob tags of every container"
    if str(version) != "2.0":
        return False, f"properties.conditionVersion is {shown(version)}, not 2.0"
    problem, prefixes = abac_prefixes(condition)
    if problem:
        return False, f"the condition does not confine the blob tag actions ({problem})"
    wanted = workspace_ids(project)
    if not wanted:
        if any(_GUID.match(p) for p in prefixes):
            return None, "the project's properties.internalId is not in its body, so the container " + (
                f"prefix {prefixes[0]!r} cannot be matched to it"
            )
        return False, "the condition names no project id as the container prefix: " + (
            ", ".join(repr(p) for p in prefixes) or "none"
        )
    # A prefix that begins with the project's id is at least as narrow.
    if not any(p.lower().startswith(w) for p in prefixes for w in wanted):
        return False, (
            "the condition does not restrict the containers to the project's (names starting with "
            f"{max(wanted, key=len)}): prefixes " + (", ".join(repr(p) for p in prefixes) or "none")
        )
    return True, f"conditionVersion 2.0, containers starting with {prefixes[0]}"


def _project_subjects(ctx: Context) -> Iterator[tuple[Resource, list[Identity]]]:
    """Each Foundry project and its identities, in id order."""
    grouped = identities_by_resource(ctx.roles)
    for res in identity_resources(ctx.estate, ctx.roles, FOUNDRY_PROJECT):
        yield res, grouped.get((FOUNDRY_PROJECT, ids.norm(res["id"])), [])


@rule(
    id="IAM030",
    name="agent-storage-abac-condition",
    control="identity",
    severity="high",
    title="The project's Storage Blob Data Owner is confined to its own containers by an ABAC condition",
    rationale="""Foundry Agent Service needs the project's identity to hold Storage Blob Data Owner on the
    agent storage (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture", section
    "Foundry project role assignments and connections": these roles give nearly full access, so keep
    them to what the agent needs). The reference implementation assigns it with an ABAC condition
    (conditionVersion 2.0) that allows the blob tag read, tag write and filter actions only on
    containers whose name starts with the project's internal id (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry-project.bicep#L220-L229);
    Microsoft's standard agent setup templates write the same condition with a further term requiring
    the name to end in -azureml-agent (Microsoft Foundry samples:
    https://github.com/microsoft-foundry/foundry-samples/blob/f4609b3db20a1a56521d4cb62b01e8ef95e665b9/infrastructure/infrastructure-setup-bicep/22-private-network-agent-setup/modules-network-secured/blob-storage-container-role-assignments.bicep#L23-L38).
    Both forms pass. No condition, a condition of another version, one that
    leaves any of the three actions unconfined, or one whose container prefix is not the project's id
    lets the agent, or whoever acts as the project, reach every container's blobs by their tags.""",
    remediation="""Recreate the assignment with the condition: az role assignment create
    --assignee-object-id <project principal id> --assignee-principal-type ServicePrincipal --role
    b7e6dc6d-f1e8-4753-8033-0f276bb0955b --scope <agent storage account id> --condition-version 2.0
    --condition "<the reference's condition with the project's internal id as a GUID>", then delete the
    unconditioned one; in Bicep properties.condition and properties.conditionVersion: '2.0'.""",
    references=[
        foundry_article("Foundry project role assignments and connections"),
        implementation("foundry", _FOUNDRY_BICEP, 220, 229),
        _AGENT_SETUP_TEMPLATE,
    ],
    since="0.2.0",
    status="preview",
)
def agent_storage_abac_condition(ctx: Context) -> Iterator[Result]:
    """Every Storage Blob Data Owner assignment of a Foundry project's identities (at any scope) has
    conditionVersion 2.0 and a condition of one of the two forms whose container-name prefix is the
    project's `properties.internalId` (as ARM returns it or as a GUID). A project whose role assignments
    could not be read is not assessed; one without the assignment is left to IAM001."""
    yield from _unread_identities(ctx)
    owner = builtin_roles.STORAGE_BLOB_DATA_OWNER
    for project, idents in _project_subjects(ctx):
        held = [(scope, ra) for guid, scope, ra in held_by(ctx.estate, idents) if guid == owner]
        gap = ctx.estate.gap(ROLE_ASSIGNMENTS, project["id"])
        if not held:
            if gap:
                yield not_assessed(project, f"the project identity's role assignments are unknown: {gap}")
            continue
        for scope, ra in held:
            ok, why = _judge_condition(ra, project)
            message = f"Storage Blob Data Owner on {_scope_label(scope)} for {display_name(project)}: {why}"
            expected = "conditionVersion 2.0, blob tag actions only on the project's containers"
            if ok is None:
                yield not_assessed(ra, message, expected)
            else:
                yield verdict(ok, ra, message, expected, dig(ra, "properties.condition"))


@dataclass(frozen=True)
class CosmosDataParams:
    """IAM031: the Cosmos DB database Foundry Agent Service keeps its threads in, and the data-plane role
    definition the project's identity holds on it."""

    database: str = "enterprise_memory"
    role: str = "00000000-0000-0000-0000-000000000002"


def _cosmos_scope(scope: str, account: str) -> tuple[str, str]:
    """(kind, database) of a sqlRoleAssignment scope: 'account', 'database' or 'container' of the
    account (dbs/<db> or sqlDatabases/<db>), or 'other'."""
    if scope.strip() in ("", "/"):
        return "account", ""
    s, a = ids.norm(scope), ids.norm(account)
    if s == a:
        return "account", ""
    if not s.startswith(a + "/"):
        return "other", ""
    rest = s[len(a) + 1 :].split("/")
    if len(rest) >= 2 and rest[0] in ("dbs", "sqldatabases"):
        return ("database" if len(rest) == 2 else "container"), rest[1]
    return "other", ""


def _thread_stores(ctx: Context) -> list[Resource]:
    """The Cosmos DB accounts the agent keeps its threads in: those of the thread-store role, else every
    Cosmos DB account."""
    found = ctx.roles.resources(AGENT_THREAD_STORE) or ctx.estate.of_type(types.COSMOS_ACCOUNTS)
    return sorted(found, key=lambda r: ids.norm(r["id"]))


@rule(
    id="IAM031",
    name="cosmos-data-role-on-database",
    control="identity",
    severity="high",
    title="The project's Cosmos DB data role is scoped to the agent's database, not the whole account",
    rationale="""The project's identity reads and writes the agent's threads in Cosmos DB through a
    data-plane role assignment (Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments), not Azure
    RBAC. The reference implementation gives it Cosmos DB Built-in Data Contributor
    (00000000-0000-0000-0000-000000000002) on the enterprise_memory database only (reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry-project.bicep#L234-L247),
    which keeps the rest of the account out of the agent's reach (Microsoft
    Learn, "Baseline Microsoft Foundry chat reference architecture", section "Foundry project role
    assignments and connections"). The same role at account scope reaches every database in the
    account; a Cosmos DB data role held by another workload identity is one the table gives nobody. The
    deploying user's account-wide assignment in the reference is for troubleshooting and is not
    judged.""",
    remediation="""az cosmosdb sql role assignment create -g <rg> -a <account> --role-definition-id
    00000000-0000-0000-0000-000000000002 --principal-id <project principal id> --scope
    "/dbs/enterprise_memory", then az cosmosdb sql role assignment delete for the account-wide one; in
    Bicep a Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments resource with scope
    '${cosmosDbAccount.id}/dbs/enterprise_memory'.""",
    params=CosmosDataParams,
    references=[
        foundry_article("Foundry project role assignments and connections"),
        implementation("foundry", _FOUNDRY_BICEP, 234, 247),
    ],
    since="0.2.0",
    status="preview",
)
def cosmos_data_role_on_database(ctx: Context) -> Iterator[Result]:
    """For every thread-store Cosmos DB account: the identities of the Foundry projects hold the `role`
    data-plane role definition at the `database` database (dbs/<name>, or a container in it), and no
    workload identity (any identity role) holds a data-plane role at the account, at another database
    or, other than the project's, at all. People and principals the estate does not know are not
    judged. Not assessed when the account's sqlRoleAssignments could not be read."""
    yield from unread(ctx.estate, types.COSMOS_ACCOUNTS, "Cosmos DB accounts")
    database, role = ctx.params.database.lower(), ctx.params.role.lower()
    project_principals = {i.principal_id.lower() for i in ctx.roles.identities_of(FOUNDRY_PROJECT)}
    workload = {i.principal_id.lower() for i in ctx.roles.identities}
    expected = f"{builtin_roles.COSMOS_DATA_ROLES.get(role, role)} on database {ctx.params.database}"
    for account in _thread_stores(ctx):
        assignments = ctx.estate.children(account["id"], SQL_ROLE_ASSIGNMENTS)
        gap = ctx.estate.gap(SQL_ROLE_ASSIGNMENTS, account["id"])
        if gap and not assignments:
            yield not_assessed(
                account, f"data-plane role assignments of {display_name(account)} unknown: {gap}"
            )
            continue
        held: list[str] = []
        wrong: list[str] = []
        for ra in sorted(assignments, key=lambda r: ids.norm(r["id"])):
            principal = str(dig(ra, "properties.principalId") or "").lower()
            if principal not in workload:
                continue
            guid = builtin_roles.guid_of(str(dig(ra, "properties.roleDefinitionId") or ""))
            scope = str(dig(ra, "properties.scope") or "")
            kind, db = _cosmos_scope(scope, account["id"])
            label = (
                f"{builtin_roles.COSMOS_DATA_ROLES.get(guid, guid)} to {principal} at {kind} {db}".rstrip()
            )
            if principal not in project_principals:
                wrong.append(f"{label} (the table gives Cosmos DB data roles only to the project)")
            elif kind not in ("database", "container") or db != database:
                wrong.append(f"{label} (not the {ctx.params.database} database)")
            elif guid == role:
                held.append(principal)
        missing = sorted(project_principals - set(held))
        if project_principals and len(missing) == len(project_principals):
            wrong.append(f"no project identity holds {expected}")
        if wrong:
            yield failed(account, f"{display_name(account)}: " + "; ".join(wrong), expected, wrong)
        elif gap:
            yield not_assessed(
                account, f"data-plane role assignments of {display_name(account)}: {gap}", expected
            )
        elif not project_principals:
            yield not_assessed(
                account,
                "no Foundry project identity is known, so who holds the data role cannot be judged",
                expected,
            )
        else:
            yield passed(
                account, f"{display_name(account)}: the project identity holds {expected}", expected, held
            )
