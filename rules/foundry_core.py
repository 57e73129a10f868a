"""Rules of the Foundry account and project (Foundry Agent Service variant), across families: the
agent's network injection, projects and their own identity, connections at project level with
Microsoft Entra ID where the reference uses it, and the capability host's stores.

The account's public network access and local authentication are judged by PUB001 and IAM005,
which select every Cognitive Services account of kind OpenAI or AIServices.
"""

from __future__ import annotations

from typing import Any

from auditor.analysis import foundry
from auditor.analysis.architecture import FOUNDRY_ACCOUNT
from auditor.analysis.values import present
from auditor.analysis.verdicts import conclude, failed, listed, must_be_true, not_assessed, verdict
from auditor.arm import ids, types
from auditor.arm.estate import dig, same
from auditor.arm.types import Resource
from auditor.engine.registry import Context, rule
from auditor.engine.sources import foundry_article, implementation
from auditor.model import Result

ACCOUNTS = types.COGNITIVE_ACCOUNTS
PROJECTS = types.FOUNDRY_PROJECTS
CONNECTIONS = types.FOUNDRY_PROJECT_CONNECTIONS
ACCOUNT_CONNECTIONS = types.COGNITIVE_CONNECTIONS
HOSTS = types.FOUNDRY_PROJECT_CAPABILITY_HOSTS
AGENTS_DELEGATION = types.APP_ENVIRONMENTS
FOUNDRY_FILE = "infra-as-code/bicep/ai-foundry.bicep"
PROJECT_FILE = "infra-as-code/bicep/ai-foundry-project.bicep"
# Connection categories of the stores the reference reaches with Microsoft Entra ID.
STORE_CATEGORIES = {"cosmosdb", "azurestorageaccount", "azureblob", "cognitivesearch"}
STORE_TYPES = {types.COSMOS_ACCOUNTS.lower(), types.STORAGE_ACCOUNTS.lower(), types.SEARCH_SERVICES.lower()}
# Connection auth types that carry a secret (the rest use an identity, or nothing).
SECRET_AUTH = {"apikey", "accountkey", "accesskey", "customkeys", "sas", "pat", "usernamepassword", "oauth2"}


def foundry_accounts(ctx: Context) -> list[Resource]:
    """The accounts the architecture uses as its Foundry account."""
    return ctx.roles.resources(FOUNDRY_ACCOUNT)


def ai_services_accounts(ctx: Context) -> list[Resource]:
    """Every Cognitive Services account of kind AIServices (a Foundry account or one meant to be)."""
    return [a for a in ctx.estate.of_type(ACCOUNTS) if same(a.get("kind"), "AIServices")]


def _target_type(conn: Resource) -> str:
    rid = foundry.connection_resource(conn)
    return ((ids.type_of(rid) or "") if rid else "").lower()


def store_connections(ctx: Context) -> list[Resource]:
    """The project connections to a Cosmos DB account, a storage account or an AI Search service."""
    return [
        c
        for c in ctx.estate.of_type(CONNECTIONS)
        if str(dig(c, "properties.category") or "").lower() in STORE_CATEGORIES
        or _target_type(c) in STORE_TYPES
    ]


def secret_connections(ctx: Context) -> list[Resource]:
    """The project connections that authenticate with a secret (an API key and the like)."""
    return [
        c
        for c in ctx.estate.of_type(CONNECTIONS)
        if str(dig(c, "properties.authType") or "").lower() in SECRET_AUTH
    ]


@rule(
    id="PUB040",
    name="foundry-agent-network-injection",
    control="public-access",
    severity="high",
    title="Foundry Agent Service runs in the workload's agents subnet (network injection)",
    rationale="""The agents' outbound traffic leaves through the workload's own network, where NSGs,
    the route table and Azure Firewall filter it (Microsoft Learn, "Baseline Microsoft Foundry chat
    reference architecture", section "Networking"). The reference injects the agent into a subnet
    delegated to Microsoft.App/environments: properties.networkInjections holds
    {scenario: agent, subnetArmId: the agents subnet, useMicrosoftManagedNetwork: false}
    (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L84-L90).""",
    references=[
        foundry_article("Networking"),
        implementation("foundry", FOUNDRY_FILE, 84, 90),
    ],
    remediation="""Redeploy the account with properties.networkInjections: [{scenario: 'agent',
    subnetArmId: <agents subnet id>, useMicrosoftManagedNetwork: false}], the subnet delegated to
    Microsoft.App/environments (network injection is set when the account is created).""",
    resource_type=ACCOUNTS,
    what="Cognitive Services accounts",
    absent="Foundry account",
    select=foundry_accounts,
    since="0.2.0",
    status="preview",
)
def agent_network_injection(ctx: Context, account: Resource) -> Result:
    """An `agent` entry in `properties.networkInjections` names a subnet of the estate delegated to
    Microsoft.App/environments and does not use Microsoft's managed network."""
    injections = dig(account, "properties.networkInjections")
    agent = [
        i
        for i in (injections if isinstance(injections, list) else [])
        if isinstance(i, dict) and same(i.get("scenario"), "agent")
    ]
    expected = {
        "scenario": "agent",
        "subnet delegated to": AGENTS_DELEGATION,
        "useMicrosoftManagedNetwork": False,
    }
    if not agent:
        return failed(
            account,
            "properties.networkInjections has no entry for scenario agent: the agents egress from "
            "Microsoft's network, outside the workload's NSGs and firewall",
            expected,
            injections,
        )
    entry = agent[0]
    if entry.get("useMicrosoftManagedNetwork") is True:
        return failed(
            account, "the agent network injection uses Microsoft's managed network", expected, entry
        )
    subnet_id = entry.get("subnetArmId")
    subnet = ctx.estate.subnet(subnet_id if isinstance(subnet_id, str) else None)
    if subnet is None:
        gap = ctx.estate.gap(types.VIRTUAL_NETWORKS)
        if gap is not None or not isinstance(subnet_id, str):
            return not_assessed(
                account, f"the agent's subnet {subnet_id} is unknown: {gap or 'no subnet id'}", expected
            )
        return failed(
            account,
            f"the agent is injected into {subnet_id}, which is not in the audited estate",
            expected,
            entry,
        )
    delegated = any(same(d, AGENTS_DELEGATION) for d in subnet.delegations)
    return verdict(
        delegated,
        account,
        f"the agent is injected into subnet {subnet.name}"
        + (
            f", delegated to {AGENTS_DELEGATION}"
            if delegated
            else f", which is not delegated to {AGENTS_DELEGATION}"
        ),
        expected,
        {**entry, "delegations": subnet.delegations},
    )


# The types of the design whose resources can act with a user-assigned identity: whether another
# resource shares the project's identity is known only when all of them were read. Projects are the
# rule's own type: where they could not be read, the engine reports that scope not assessed.
IDENTITY_HOLDERS = (
    ACCOUNTS,
    types.WEB_SITES,
    types.APPLICATION_GATEWAYS,
    types.SEARCH_SERVICES,
    types.COSMOS_ACCOUNTS,
    types.STORAGE_ACCOUNTS,
    types.CONTAINER_REGISTRIES,
    types.ML_WORKSPACES,
    types.ML_ONLINE_ENDPOINTS,
    types.ML_COMPUTES,
)


@rule(
    id="IAM020",
    name="foundry-project-own-user-assigned-identity",
    control="identity",
    severity="medium",
    title="Each Foundry project has its own user-assigned managed identity",
    rationale="""All agents of a project act with the project's managed identity, which holds
    elevated roles on the agent's Cosmos DB, Storage and AI Search; the article asks for a distinct
    identity per project (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture",
    section "Identity and access management") and a user-assigned one, so that a re-created project
    keeps its role assignments (section "Disaster recovery"). The reference gives the project a
    user-assigned identity of its own (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry-project.bicep#L88-L96).""",
    references=[
        foundry_article("Identity and access management"),
        foundry_article("Disaster recovery"),
        implementation("foundry", PROJECT_FILE, 88, 96),
    ],
    remediation="""Create a user-assigned identity for the project and set identity: {type:
    'UserAssigned', userAssignedIdentities: {'<identity id>': {}}} on the
    Microsoft.CognitiveServices/accounts/projects resource; use no other resource's identity.""",
    resource_type=PROJECTS,
    what="Foundry projects",
    absent="Foundry project",
    since="0.2.0",
    status="preview",
)
def project_identity(ctx: Context, project: Resource) -> Result:
    """`identity.type` includes UserAssigned, and no other resource of the estate uses that identity.
    A project without one fails; a shared one fails; otherwise not assessed when a type whose
    resources could share it (`IDENTITY_HOLDERS`) was not read (not collected, or a read failed)."""
    raw = project.get("identity")
    block: dict[str, Any] = raw if isinstance(raw, dict) else {}
    kinds = {k.strip().lower() for k in str(block.get("type") or "None").split(",")}
    uamis = list((block.get("userAssignedIdentities") or {}).keys()) if "userassigned" in kinds else []
    expected = "a user-assigned identity of its own"
    if not uamis:
        return failed(
            project,
            f"identity.type is {block.get('type') or 'absent (no identity)'}: no user-assigned identity",
            expected,
            block.get("type"),
        )
    shared: list[str] = []
    for res in ctx.estate.resources:
        if ids.norm(res["id"]) == ids.norm(project["id"]) or not isinstance(res.get("identity"), dict):
            continue
        theirs = {ids.norm(u) for u in (res["identity"].get("userAssignedIdentities") or {})}
        for uami in uamis:
            if ids.norm(uami) in theirs:
                shared.append(f"{ids.name_of(uami)} also acts for {ids.name_of(res['id'])}")
    gaps = [gap for holder in IDENTITY_HOLDERS if (gap := ctx.estate.gap(holder)) is not None]
    names = ", ".join(ids.name_of(u) for u in uamis)
    unknown = None
    if gaps:
        unknown = f"whether a resource besides the project acts with {names} is unknown: {gaps[0]}"
    return conclude(
        project,
        expected,
        failing=listed("the project's identity is shared: ", shared),
        unknown=unknown,
        passing=f"the project acts with user-assigned identity {names}, used by no other resource",
        failed_actual=shared,
        passed_actual=[ids.name_of(u) for u in uamis],
    )


@rule(
    id="IAM021",
    name="foundry-connections-at-project-level",
    control="identity",
    severity="high",
    title="The Foundry account has no account-level connections",
    rationale="""An account-level connection applies to every current and future project of the
    account and can grant broad access to the resource it reaches; the article asks for project-level
    connections only (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture",
    section "Foundry project role assignments and connections" and section "Connections"). The reference
    creates every connection under the project (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry-project.bicep).""",
    references=[
        foundry_article("Foundry project role assignments and connections"),
        foundry_article("Connections"),
        implementation("foundry", PROJECT_FILE),
    ],
    remediation="""Re-create each account-level connection in the project that needs it
    (Microsoft.CognitiveServices/accounts/projects/connections), then delete the account-level one
    (az rest --method delete --url <connection id>?api-version=2025-09-01).""",
    resource_type=ACCOUNTS,
    what="Cognitive Services accounts",
    absent="Foundry account",
    select=foundry_accounts,
    since="0.2.0",
    status="preview",
)
def connections_at_project_level(ctx: Context, account: Resource) -> Result:
    """The account has no `connections` children (the read of them succeeded)."""
    gap = ctx.estate.gap(ACCOUNT_CONNECTIONS, account["id"])
    if gap is not None:
        return not_assessed(
            account, f"the account's connections are unknown: {gap}", "no account-level connection"
        )
    names = [ids.name_of(c["id"]) for c in ctx.estate.children(account["id"], ACCOUNT_CONNECTIONS)]
    return verdict(
        not names,
        account,
        f"account-level connections: {', '.join(names)} (every project of the account can use them)"
        if names
        else "the account has no account-level connection",
        "no account-level connection",
        names,
    )


@rule(
    id="IAM022",
    name="foundry-store-connections-entra-id",
    control="identity",
    severity="high",
    title="The project's Cosmos DB, Storage and AI Search connections use Microsoft Entra ID",
    rationale="""Connections should authenticate with Microsoft Entra ID where the resource supports it,
    with no preshared secret (Microsoft Learn, "Baseline Microsoft Foundry chat reference
    architecture", section "Connections" and section "Foundry project role assignments and connections");
    the reference's Cosmos DB, Storage and AI Search connections set authType: AAD (reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry-project.bicep).""",
    references=[
        foundry_article("Connections"),
        foundry_article("Foundry project role assignments and connections"),
        implementation("foundry", PROJECT_FILE),
    ],
    remediation="""Re-create the connection with properties.authType: 'AAD' and grant the project's
    identity the data-plane roles the reference grants it on the resource.""",
    resource_type=CONNECTIONS,
    what="Foundry project connections",
    select=store_connections,
    since="0.2.0",
    status="preview",
)
def store_connection_entra(ctx: Context, conn: Resource) -> Result:
    """`properties.authType` is AAD on every connection to a Cosmos DB, Storage or AI Search resource."""
    auth = dig(conn, "properties.authType")
    return verdict(
        same(auth, "AAD"),
        conn,
        f"properties.authType is {auth if present(auth) else 'absent'} "
        f"({dig(conn, 'properties.category')} connection)",
        "AAD",
        auth,
    )


@rule(
    id="IAM023",
    name="foundry-secret-connections-not-shared",
    control="identity",
    severity="medium",
    title="API-key connections of a Foundry project are not shared with every user",
    rationale="""Where a connection needs a secret, scope it so that only its owner uses it (Microsoft
    Learn, "Baseline Microsoft Foundry chat reference architecture", section "Foundry project role
    assignments and connections"); the reference's two API-key connections, Application Insights and
    Grounding with Bing Search, set isSharedToAll: false (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry-project.bicep).""",
    references=[
        foundry_article("Foundry project role assignments and connections"),
        implementation("foundry", PROJECT_FILE),
    ],
    remediation="""Set properties.isSharedToAll: false on the connection (re-create it with that
    setting if your tooling cannot update it).""",
    resource_type=CONNECTIONS,
    what="Foundry project connections",
    select=secret_connections,
    since="0.2.0",
    status="preview",
)
def secret_connection_not_shared(ctx: Context, conn: Resource) -> Result:
    """`properties.isSharedToAll` is false on every connection that authenticates with a secret."""
    shared = dig(conn, "properties.isSharedToAll")
    auth = dig(conn, "properties.authType")
    if shared is None:
        return not_assessed(conn, f"properties.isSharedToAll is absent ({auth} connection)", False)
    return verdict(
        shared is False,
        conn,
        f"properties.isSharedToAll is {str(shared).lower()} ({auth} connection)",
        False,
        shared,
    )


@rule(
    id="IAM024",
    name="foundry-project-management-allowed",
    control="identity",
    severity="medium",
    title="The Foundry account manages projects (allowProjectManagement)",
    rationale="""Projects are the boundary of the agents' identity and connections (Microsoft Learn,
    "Baseline Microsoft Foundry chat reference architecture", section "Foundry project role
    assignments and connections"); the reference creates the account with
    properties.allowProjectManagement: true (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L74).""",
    references=[
        foundry_article("Foundry project role assignments and connections"),
        implementation("foundry", FOUNDRY_FILE, 74),
    ],
    remediation="""az resource update --ids <account id> --set properties.allowProjectManagement=true; in
    Bicep properties.allowProjectManagement: true on the Microsoft.CognitiveServices/accounts resource.""",
    resource_type=ACCOUNTS,
    what="Cognitive Services accounts",
    absent="Foundry account",
    select=ai_services_accounts,
    since="0.2.0",
    status="preview",
)
def project_management(ctx: Context, account: Resource) -> Result:
    """`properties.allowProjectManagement` is true on every account of kind AIServices."""
    return must_be_true(account, "properties.allowProjectManagement", "projects not allowed")


def _store_problems(ctx: Context, project: Resource) -> tuple[list[str], list[str], dict[str, list[str]]]:
    """What is wrong with the stores the project's capability hosts name, what could not be told, and
    the resources each store reaches."""
    wrong: list[str] = []
    unknown: list[str] = []
    reached: dict[str, list[str]] = {store: [] for store in foundry.STORES}
    links = foundry.store_links(ctx.estate, project["id"])
    for store, (prop, rtype) in foundry.STORES.items():
        mine = [link for link in links if link.store == store]
        if not mine:
            wrong.append(f"{prop} names no connection (no {foundry.STORE_LABELS[store]})")
        for link in mine:
            where = f"{prop} names {link.connection_name}"
            if link.connection_id is None:
                wrong.append(f"{where}, which is not a connection of the project")
                continue
            if link.resource_id is None:
                wrong.append(f"{where}, which names no resource (no metadata.ResourceId)")
                continue
            target = ctx.estate.get(link.resource_id)
            if target is None:
                gap = ctx.estate.gap(rtype)
                if gap is not None:
                    unknown.append(f"{where}, reaching {ids.name_of(link.resource_id)}: {gap}")
                else:
                    wrong.append(
                        f"{where}, reaching {link.resource_id}, which is not in the audited estate (not the "
                        "workload's own)"
                    )
                continue
            if not same(target.get("type"), rtype):
                wrong.append(
                    f"{where}, reaching {ids.name_of(target['id'])} of type {target.get('type')}, not {rtype}"
                )
                continue
            reached[store].append(ids.name_of(target["id"]))
    return wrong, unknown, reached


@rule(
    id="REL020",
    name="foundry-capability-host-own-stores",
    control="reliability",
    severity="high",
    title="The capability host keeps agent state in the workload's own Cosmos DB, Storage and AI Search",
    rationale="""The agents' reliability depends on their dependencies, Cosmos DB (threads), Storage
    (files) and AI Search (vectors), which you configure and back up in your own subscription; the
    article asks for dedicated instances for them (Microsoft Learn, "Baseline Microsoft Foundry chat
    reference architecture", section "Zone redundancy in your orchestration layer" and section "Isolate
    Foundry Agent Service dependencies from similar workload components"). The reference's
    capability host of kind Agents names the project's Cosmos DB, Storage and AI Search connections in
    threadStorageConnections, storageConnections and vectorStoreConnections (reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry-project.bicep).""",
    references=[
        foundry_article("Zone redundancy in your orchestration layer"),
        foundry_article("Isolate Foundry Agent Service dependencies from similar workload components"),
        implementation("foundry", PROJECT_FILE),
    ],
    remediation="""Create the project's capability host (capabilityHostKind: 'Agents') with
    threadStorageConnections, storageConnections and vectorStoreConnections naming the project's
    connections to the workload's own Cosmos DB account, storage account and AI Search service
    (a capability host cannot be changed: delete and re-create it).""",
    resource_type=PROJECTS,
    what="Foundry projects",
    absent="Foundry project",
    since="0.2.0",
    status="preview",
)
def capability_host_stores(ctx: Context, project: Resource) -> Result:
    """The project has a capability host of kind Agents whose thread, file and vector store lists name
    project connections that reach a Cosmos DB account, a storage account and an AI Search service of
    the audited estate; not assessed when the capability hosts or connections could not be read."""
    expected = {
        prop: f"a connection to the workload's own {rtype}" for prop, rtype in foundry.STORES.values()
    }
    for rtype, what in ((HOSTS, "capability hosts"), (CONNECTIONS, "connections")):
        gap = ctx.estate.gap(rtype, project["id"])
        if gap is not None:
            return not_assessed(project, f"the project's {what} are unknown: {gap}", expected)
    hosts = foundry.agent_hosts(ctx.estate, project["id"])
    if not hosts:
        return failed(project, "the project has no capability host of kind Agents", expected, None)
    wrong, unknown, reached = _store_problems(ctx, project)
    return conclude(
        project,
        expected,
        failing=listed("", wrong),
        unknown=listed("", unknown),
        passing="; ".join(f"{foundry.STORE_LABELS[s]}: {', '.join(names)}" for s, names in reached.items()),
        failed_actual=wrong,
        passed_actual=reached,
    )
