"""The Foundry sample's identity: the managed identities' role assignments, control and data plane.

The role table of the reference implementation: the chat UI reads the app storage and calls the Foundry
account (Foundry User, formerly Azure AI User), the gateway reads its certificate from Key Vault, and
the project's user-assigned identity holds the agent's stores: Storage Blob Data Contributor and Storage
Blob Data Owner (the latter under an ABAC condition on the project's containers) on the agent storage,
Cosmos DB Operator on the Cosmos DB account with the data plane's Built-in Data Contributor on the
`enterprise_memory` database, Search Service Contributor and Search Index Data Contributor on AI Search.
The deploying user's assignments are optional in the table; the sample holds some of them.
"""

from __future__ import annotations

import uuid
from typing import Any

from auditor.analysis import builtin_roles as r
from tests.estates import LOCATION, TENANT, Builder, find, principal
from tests.foundry import (
    ACCOUNT,
    AGENT_STORAGE,
    APP_STORAGE,
    CHAT_UI_PRINCIPAL,
    COSMOS,
    COSMOS_DATABASE,
    GATEWAY_PRINCIPAL,
    KEY_VAULT,
    PROJECT,
    PROJECT_IDENTITY,
    PROJECT_PRINCIPAL,
    SEARCH,
)

Resource = dict[str, Any]

SQL_ROLE_ASSIGNMENTS = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"
# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
# The projects and Cosmos DB accounts are core's and data's types; the identity rules read them too.
COLLECTED: list[str] = [
    SQL_ROLE_ASSIGNMENTS,
    "Microsoft.CognitiveServices/accounts/projects",
    "Microsoft.DocumentDB/databaseAccounts",
]

# The project's internal id as ARM returns it (32 hex digits), and the GUID form its containers begin with.
PROJECT_INTERNAL_ID = "5d0c3f8e9b2a4c7d8e1f6a0b3c9d2e47"
DEPLOYER = principal("foundry-deployer")
DATA_CONTRIBUTOR = "00000000-0000-0000-0000-000000000002"
DATABASE_SCOPE = f"{COSMOS}/dbs/{COSMOS_DATABASE.rsplit('/', 1)[-1]}"

_CONTAINER_NAME = "@Resource[Microsoft.Storage/storageAccounts/blobServices/containers:name]"
_TAG_ACTIONS = (
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/read",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/filter/action",
    "Microsoft.Storage/storageAccounts/blobServices/containers/blobs/tags/write",
)


def _guid(*parts: str) -> str:
    """Deterministic GUIDs, so the examples do not change from one generation to the next."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "auditor-sample/" + "/".join(parts)))


def workspace_guid(internal_id: str) -> str:
    """The project's internal id in GUID form, as the reference builds it for the condition."""
    i = internal_id
    return f"{i[:8]}-{i[8:12]}-{i[12:16]}-{i[16:20]}-{i[20:32]}"


def abac_condition(workspace_id: str, agent_suffix: bool = False) -> str:
    """The ABAC condition of the project's Storage Blob Data Owner: the blob tag and filter actions only
    on containers whose name starts with the project's id (with `agent_suffix`, the Foundry agent setup
    templates' form, which also requires the name to end in -azureml-agent)."""
    actions = "  AND  ".join(f"!(ActionMatches{{'{a}'}})" for a in _TAG_ACTIONS)
    containers = f"{_CONTAINER_NAME} StringStartsWithIgnoreCase '{workspace_id}'"
    if agent_suffix:
        containers += f" AND {_CONTAINER_NAME} StringLikeIgnoreCase '*-azureml-agent'"
    return f"(({actions} ) OR ({containers}))"


def sql_role_assignment(
    principal_id: str, scope: str, role: str = DATA_CONTRIBUTOR, account: str = COSMOS
) -> Resource:
    """A Cosmos DB data-plane role assignment as ARM GET returns it (sqlRoleAssignments, 2024-11-15)."""
    name = _guid("sql-ra", principal_id, scope.lower(), role)
    return {
        "id": f"{account}/sqlRoleAssignments/{name}",
        "name": name,
        "type": SQL_ROLE_ASSIGNMENTS,
        "properties": {
            "roleDefinitionId": f"{account}/sqlRoleDefinitions/{role}",
            "scope": scope,
            "principalId": principal_id,
        },
    }


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    name = PROJECT_IDENTITY.rsplit("/", 1)[-1]
    b.add(
        {
            "id": PROJECT_IDENTITY,
            "name": name,
            "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
            "location": LOCATION,
            "properties": {
                "tenantId": TENANT,
                "principalId": PROJECT_PRINCIPAL,
                "clientId": _guid("client", name),
            },
        }
    )
    # The project's internal id (core's project body carries no internalId yet): ARM returns it.
    project = next(res for res in b.resources if res["id"] == PROJECT)
    internal = project["properties"].setdefault("internalId", PROJECT_INTERNAL_ID)

    b.assign(CHAT_UI_PRINCIPAL, APP_STORAGE, r.STORAGE_BLOB_DATA_READER)
    b.assign(CHAT_UI_PRINCIPAL, ACCOUNT, r.FOUNDRY_USER)
    b.assign(GATEWAY_PRINCIPAL, KEY_VAULT, r.KEY_VAULT_SECRETS_USER)
    b.assign(PROJECT_PRINCIPAL, AGENT_STORAGE, r.STORAGE_BLOB_DATA_CONTRIBUTOR)
    b.assign(PROJECT_PRINCIPAL, AGENT_STORAGE, r.STORAGE_BLOB_DATA_OWNER)
    b.resources[-1]["properties"].update(
        {"condition": abac_condition(workspace_guid(internal)), "conditionVersion": "2.0"}
    )
    b.assign(PROJECT_PRINCIPAL, COSMOS, r.COSMOS_DB_OPERATOR)
    b.assign(PROJECT_PRINCIPAL, SEARCH, r.SEARCH_SERVICE_CONTRIBUTOR)
    b.assign(PROJECT_PRINCIPAL, SEARCH, r.SEARCH_INDEX_DATA_CONTRIBUTOR)
    b.add(sql_role_assignment(PROJECT_PRINCIPAL, DATABASE_SCOPE))
    # The deploying user's (pre-production, troubleshooting): allowed, never required.
    b.assign(DEPLOYER, ACCOUNT, r.COGNITIVE_SERVICES_USER, principal_type="User")
    b.assign(DEPLOYER, COSMOS, r.COSMOS_DB_ACCOUNT_READER, principal_type="User")
    b.add(sql_role_assignment(DEPLOYER, COSMOS))


def _assignment(resources: list[Resource], principal_id: str, role: str) -> Resource:
    for res in resources:
        props = res.get("properties", {})
        if (
            res["type"] == "Microsoft.Authorization/roleAssignments"
            and props.get("principalId") == principal_id
            and r.guid_of(props.get("roleDefinitionId", "")) == role
        ):
            return res
    raise KeyError(role)


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
    # An extra Contributor on the project's identity (resource group wide).
    b = Builder("foundry")
    b.assign(PROJECT_PRINCIPAL, b.ids.rg, r.CONTRIBUTOR)
    resources.extend(b.resources)
    # The ABAC condition weakened: the tag actions allowed on every container.
    owner = _assignment(resources, PROJECT_PRINCIPAL, r.STORAGE_BLOB_DATA_OWNER)
    owner["properties"]["condition"] = abac_condition("")
    # The Cosmos DB data role at account scope instead of the database.
    sql = find(resources, SQL_ROLE_ASSIGNMENTS)
    assert sql["properties"]["principalId"] == PROJECT_PRINCIPAL
    sql["properties"]["scope"] = COSMOS
    # The chat UI's Foundry User on the account removed.
    ui = _assignment(resources, CHAT_UI_PRINCIPAL, r.FOUNDRY_USER)
    resources.remove(ui)
