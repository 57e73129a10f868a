"""Data services: Key Vault, Container Registry, Storage (with its blob and file services),
AI Search and Cosmos DB (accounts, their SQL databases and SQL role assignments and definitions).

Storage diagnostic settings live on `blobServices/default` and `fileServices/default`,
not on the account, so those are read as entries of their own. Cosmos DB's keys and connection
strings are never requested (listKeys and listConnectionStrings are POSTs the request hook refuses
anyway): the account body carries the flags the rules judge.
"""

from __future__ import annotations

from azure.mgmt.containerregistry import ContainerRegistryManagementClient
from azure.mgmt.cosmosdb import CosmosDBManagementClient
from azure.mgmt.keyvault import KeyVaultManagementClient
from azure.mgmt.search import SearchManagementClient
from azure.mgmt.storage import StorageManagementClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group

VAULTS = types.KEY_VAULTS
REGISTRIES = types.CONTAINER_REGISTRIES
STORAGE = types.STORAGE_ACCOUNTS
BLOB_SERVICES = types.BLOB_SERVICES
FILE_SERVICES = types.FILE_SERVICES
SEARCH = types.SEARCH_SERVICES
COSMOS = types.COSMOS_ACCOUNTS
COSMOS_DATABASES = types.COSMOS_SQL_DATABASES
COSMOS_ROLE_ASSIGNMENTS = types.COSMOS_SQL_ROLE_ASSIGNMENTS
COSMOS_ROLE_DEFINITIONS = types.COSMOS_SQL_ROLE_DEFINITIONS

TYPES = (
    VAULTS,
    REGISTRIES,
    STORAGE,
    BLOB_SERVICES,
    FILE_SERVICES,
    SEARCH,
    COSMOS,
    COSMOS_DATABASES,
    COSMOS_ROLE_ASSIGNMENTS,
    COSMOS_ROLE_DEFINITIONS,
)
AREA = "data services"
# Account kinds without a file service: reading it would only give an error.
NO_FILE_SERVICE = {"blobstorage", "blockblobstorage"}


def collect_data(sub: Sub) -> None:
    """Queue the reads of Key Vault, Container Registry, Storage, AI Search and Cosmos DB."""
    kv = sub.client(KeyVaultManagementClient)
    acr = sub.client(ContainerRegistryManagementClient)
    st = sub.client(StorageManagementClient)
    search = sub.client(SearchManagementClient)
    cosmos = sub.client(CosmosDBManagementClient)

    def services(account: Resource) -> None:
        rg, acct = resource_group(account), name(account)
        blob = f"{account['id']}/blobServices/default"
        sub.get(BLOB_SERVICES, blob, lambda: st.blob_services.get_service_properties(rg, acct))
        sub.diagnostics(blob)
        if str(account.get("kind", "")).lower() not in NO_FILE_SERVICE:
            files = f"{account['id']}/fileServices/default"
            sub.get(FILE_SERVICES, files, lambda: st.file_services.get_service_properties(rg, acct))
            sub.diagnostics(files)

    def cosmos_children(account: Resource) -> None:
        rg, acct, aid = resource_group(account), name(account), account["id"]
        sub.list(
            COSMOS_DATABASES,
            f"{aid}/sqlDatabases",
            lambda: cosmos.sql_resources.list_sql_databases(rg, acct),
            child=True,
        )
        sub.list(
            COSMOS_ROLE_ASSIGNMENTS,
            f"{aid}/sqlRoleAssignments",
            lambda: cosmos.sql_resources.list_sql_role_assignments(rg, acct),
            child=True,
        )
        sub.list(
            COSMOS_ROLE_DEFINITIONS,
            f"{aid}/sqlRoleDefinitions",
            lambda: cosmos.sql_resources.list_sql_role_definitions(rg, acct),
            child=True,
        )

    sub.list_resources(
        VAULTS,
        kv.vaults.list_by_subscription,
        kv.vaults.list_by_resource_group,
        diagnostics=True,
        area=AREA,
    )
    sub.list_resources(
        REGISTRIES,
        acr.registries.list,
        acr.registries.list_by_resource_group,
        diagnostics=True,
        area=AREA,
    )
    sub.list_resources(
        STORAGE,
        st.storage_accounts.list,
        st.storage_accounts.list_by_resource_group,
        each=services,
        area=AREA,
    )
    sub.list_resources(
        SEARCH,
        search.services.list_by_subscription,
        search.services.list_by_resource_group,
        diagnostics=True,
        area=AREA,
    )
    sub.list_resources(
        COSMOS,
        cosmos.database_accounts.list,
        cosmos.database_accounts.list_by_resource_group,
        diagnostics=True,
        each=cosmos_children,
        area=AREA,
    )
