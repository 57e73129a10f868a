"""Data services: Key Vault, Container Registry, Storage (with its blob and file services)
and AI Search.

Storage diagnostic settings live on `blobServices/default` and `fileServices/default`,
not on the account, so those are read as entries of their own.
"""

from __future__ import annotations

from azure.mgmt.containerregistry import ContainerRegistryManagementClient
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

TYPES = (VAULTS, REGISTRIES, STORAGE, BLOB_SERVICES, FILE_SERVICES, SEARCH)
AREA = "data services"
# Account kinds without a file service: reading it would only give an error.
NO_FILE_SERVICE = {"blobstorage", "blockblobstorage"}


def collect_data(sub: Sub) -> None:
    """Queue the reads of Key Vault, Container Registry, Storage and AI Search."""
    kv = sub.client(KeyVaultManagementClient)
    acr = sub.client(ContainerRegistryManagementClient)
    st = sub.client(StorageManagementClient)
    search = sub.client(SearchManagementClient)

    def services(account: Resource) -> None:
        rg, acct = resource_group(account), name(account)
        blob = f"{account['id']}/blobServices/default"
        sub.get(BLOB_SERVICES, blob, lambda: st.blob_services.get_service_properties(rg, acct))
        sub.diagnostics(blob)
        if str(account.get("kind", "")).lower() not in NO_FILE_SERVICE:
            files = f"{account['id']}/fileServices/default"
            sub.get(FILE_SERVICES, files, lambda: st.file_services.get_service_properties(rg, acct))
            sub.diagnostics(files)

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
