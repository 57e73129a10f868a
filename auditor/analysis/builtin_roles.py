"""Azure built-in role definition GUIDs the architecture's role-assignment tables use.

The GUIDs are Azure's own and identical in every public tenant; compare role
assignments by these GUIDs, never by display name. Checked against Microsoft's
"Azure built-in roles" reference (learn.microsoft.com, role-based-access-control/
built-in-roles). The AzureML Workspace Connection Secrets Reader role is not listed
there; its GUID is the one the reference implementations assign
(openai-end-to-end-baseline machinelearning.bicep) and its built-in roleName is
"Azure Machine Learning Workspace Connection Secrets Reader".
The Foundry roles carry the names Learn gives them since their rename ("Foundry User" was "Azure AI
User", "Foundry Project Manager" "Azure AI Project Manager", "Foundry Account Owner" "Azure AI Account
Owner", "Foundry Owner" "Azure AI Owner"; Microsoft Learn, "Role-based access control for Microsoft
Foundry"): the GUIDs did not change.
"""

from __future__ import annotations

OWNER = "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
CONTRIBUTOR = "b24988ac-6180-42a0-ab88-20f7382dd24c"
USER_ACCESS_ADMINISTRATOR = "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR = "f58310d9-a9f6-439a-9e8d-f62e7b41a168"
READER = "acdd72a7-3385-48ef-bd42-f606fba81ae7"
AZURE_AI_ADMINISTRATOR = "b78c5d69-af96-48a3-bf8d-a8b4d589de94"
KEY_VAULT_ADMINISTRATOR = "00482a5a-887f-4fb3-b363-3b7fe8e74483"
KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6"
STORAGE_ACCOUNT_CONTRIBUTOR = "17d1049b-9a84-46fb-8f53-869881c3d3ab"
STORAGE_BLOB_DATA_CONTRIBUTOR = "ba92f5b4-2d11-453d-a403-e96b0029c9fe"
STORAGE_BLOB_DATA_OWNER = "b7e6dc6d-f1e8-4753-8033-0f276bb0955b"
STORAGE_BLOB_DATA_READER = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1"
STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR = "69566ab7-960f-475b-8e7c-b3118f30c6bd"
STORAGE_TABLE_DATA_CONTRIBUTOR = "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3"
AZUREML_CONNECTION_SECRETS_READER = "ea01e6af-a1c1-4350-9563-ad00f8c72ec5"
AZUREML_METRICS_WRITER = "635dd51f-9968-44d3-b7fb-6d9a6bd613ae"
ACR_PULL = "7f951dda-4ed3-4680-a7ca-43fe172d538d"
ACR_PUSH = "8311e382-0749-4cb8-b61a-304f252e45ec"
COGNITIVE_SERVICES_OPENAI_USER = "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd"
COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR = "a001fd3d-188f-4b5d-821b-7da978bf7442"
COGNITIVE_SERVICES_USER = "a97b65f3-24c7-4388-baec-2e87135dc908"
COGNITIVE_SERVICES_CONTRIBUTOR = "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68"
COGNITIVE_SERVICES_DATA_READER = "b59867f0-fa02-499b-be73-45a86b5b3e1c"
AZURE_AI_DEVELOPER = "64702f94-c441-49e6-a78b-ef80e0188fee"
FOUNDRY_USER = "53ca6127-db72-4b80-b1b0-d745d6d5456d"
FOUNDRY_PROJECT_MANAGER = "eadc314b-1a2d-4efa-be10-5d325db5065e"
FOUNDRY_ACCOUNT_OWNER = "e47c6f54-e4a2-4754-9501-8e0985b135e1"
FOUNDRY_OWNER = "c883944f-8b7b-4483-af10-35834be79c4a"
COSMOS_DB_OPERATOR = "230815da-be43-4aae-9cb4-875f7bd000aa"
COSMOS_DB_ACCOUNT_READER = "fbdf93bf-df7d-467e-a4d2-9458aa1360c8"
KEY_VAULT_SECRETS_OFFICER = "b86a8fe4-44ce-4948-aee5-eccb2c155cd7"
KEY_VAULT_CRYPTO_OFFICER = "14b46e9e-c2b7-41b4-b07b-48a6ebf60603"
KEY_VAULT_CRYPTO_USER = "12338af0-0e69-4776-bea7-57ae8d297424"
KEY_VAULT_CERTIFICATES_OFFICER = "a4417e6f-fecd-4de8-b567-7b0420556985"
KEY_VAULT_CERTIFICATE_USER = "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba"
STORAGE_FILE_DATA_PRIVILEGED_READER = "b8eda974-7b85-4f76-af95-65846b26df6d"
STORAGE_FILE_DATA_SMB_SHARE_CONTRIBUTOR = "0c867c2a-1d8c-454a-a3db-ab2ea1bdc8bb"
STORAGE_FILE_DATA_SMB_SHARE_ELEVATED_CONTRIBUTOR = "a7264617-510b-434b-a828-9731dc254ea7"
STORAGE_FILE_DATA_SMB_SHARE_READER = "aba4ae5f-2193-4029-9191-0cb91df5e314"
STORAGE_QUEUE_DATA_CONTRIBUTOR = "974c5e8b-45b9-4653-ba55-5f855dd0fb88"
STORAGE_QUEUE_DATA_READER = "19e7f393-937e-4f77-808e-94535e297925"
STORAGE_TABLE_DATA_READER = "76199698-9eea-4c19-bc75-cec21354c6b6"
SEARCH_INDEX_DATA_CONTRIBUTOR = "8ebe5a00-799e-43f5-93ac-243d3dce84a7"
SEARCH_INDEX_DATA_READER = "1407120a-92aa-4202-b7e9-c0e197c71c8f"
SEARCH_SERVICE_CONTRIBUTOR = "7ca78c08-252a-4471-8644-bb5ff32d4ba0"

NAMES: dict[str, str] = {
    OWNER: "Owner",
    CONTRIBUTOR: "Contributor",
    USER_ACCESS_ADMINISTRATOR: "User Access Administrator",
    ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR: "Role Based Access Control Administrator",
    READER: "Reader",
    AZURE_AI_ADMINISTRATOR: "Azure AI Administrator",
    KEY_VAULT_ADMINISTRATOR: "Key Vault Administrator",
    KEY_VAULT_SECRETS_USER: "Key Vault Secrets User",
    STORAGE_ACCOUNT_CONTRIBUTOR: "Storage Account Contributor",
    STORAGE_BLOB_DATA_CONTRIBUTOR: "Storage Blob Data Contributor",
    STORAGE_BLOB_DATA_OWNER: "Storage Blob Data Owner",
    STORAGE_BLOB_DATA_READER: "Storage Blob Data Reader",
    STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR: "Storage File Data Privileged Contributor",
    STORAGE_TABLE_DATA_CONTRIBUTOR: "Storage Table Data Contributor",
    AZUREML_CONNECTION_SECRETS_READER: "Azure Machine Learning Workspace Connection Secrets Reader",
    AZUREML_METRICS_WRITER: "AzureML Metrics Writer (preview)",
    ACR_PULL: "AcrPull",
    ACR_PUSH: "AcrPush",
    COGNITIVE_SERVICES_OPENAI_USER: "Cognitive Services OpenAI User",
    COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR: "Cognitive Services OpenAI Contributor",
    COGNITIVE_SERVICES_USER: "Cognitive Services User",
    COGNITIVE_SERVICES_CONTRIBUTOR: "Cognitive Services Contributor",
    COGNITIVE_SERVICES_DATA_READER: "Cognitive Services Data Reader",
    AZURE_AI_DEVELOPER: "Azure AI Developer",
    FOUNDRY_USER: "Foundry User",
    FOUNDRY_PROJECT_MANAGER: "Foundry Project Manager",
    FOUNDRY_ACCOUNT_OWNER: "Foundry Account Owner",
    FOUNDRY_OWNER: "Foundry Owner",
    COSMOS_DB_OPERATOR: "Cosmos DB Operator",
    COSMOS_DB_ACCOUNT_READER: "Cosmos DB Account Reader Role",
    KEY_VAULT_SECRETS_OFFICER: "Key Vault Secrets Officer",
    KEY_VAULT_CRYPTO_OFFICER: "Key Vault Crypto Officer",
    KEY_VAULT_CRYPTO_USER: "Key Vault Crypto User",
    KEY_VAULT_CERTIFICATES_OFFICER: "Key Vault Certificates Officer",
    KEY_VAULT_CERTIFICATE_USER: "Key Vault Certificate User",
    STORAGE_FILE_DATA_PRIVILEGED_READER: "Storage File Data Privileged Reader",
    STORAGE_FILE_DATA_SMB_SHARE_CONTRIBUTOR: "Storage File Data SMB Share Contributor",
    STORAGE_FILE_DATA_SMB_SHARE_ELEVATED_CONTRIBUTOR: "Storage File Data SMB Share Elevated Contributor",
    STORAGE_FILE_DATA_SMB_SHARE_READER: "Storage File Data SMB Share Reader",
    STORAGE_QUEUE_DATA_CONTRIBUTOR: "Storage Queue Data Contributor",
    STORAGE_QUEUE_DATA_READER: "Storage Queue Data Reader",
    STORAGE_TABLE_DATA_READER: "Storage Table Data Reader",
    SEARCH_INDEX_DATA_CONTRIBUTOR: "Search Index Data Contributor",
    SEARCH_INDEX_DATA_READER: "Search Index Data Reader",
    SEARCH_SERVICE_CONTRIBUTOR: "Search Service Contributor",
}

# Roles that write everything or hand out roles (Microsoft.Authorization/roleAssignments/write).
PRIVILEGED = {OWNER, CONTRIBUTOR, USER_ACCESS_ADMINISTRATOR, ROLE_BASED_ACCESS_CONTROL_ADMINISTRATOR}

# Roles that reach the data itself (DataActions), or hand out keys that do: model calls,
# blobs, files, tables, queues, secrets, keys, certificates, search indexes. Storage Account
# Contributor (Microsoft.Storage/storageAccounts/*) can list the account keys, Search Service
# Contributor (Microsoft.Search/searchServices/*) the admin API keys.
DATA_PLANE = {
    STORAGE_ACCOUNT_CONTRIBUTOR,
    SEARCH_SERVICE_CONTRIBUTOR,
    COGNITIVE_SERVICES_OPENAI_USER,
    COGNITIVE_SERVICES_OPENAI_CONTRIBUTOR,
    COGNITIVE_SERVICES_USER,
    COGNITIVE_SERVICES_CONTRIBUTOR,
    COGNITIVE_SERVICES_DATA_READER,
    AZURE_AI_DEVELOPER,
    FOUNDRY_USER,
    FOUNDRY_PROJECT_MANAGER,
    FOUNDRY_OWNER,
    KEY_VAULT_ADMINISTRATOR,
    KEY_VAULT_SECRETS_USER,
    KEY_VAULT_SECRETS_OFFICER,
    KEY_VAULT_CRYPTO_OFFICER,
    KEY_VAULT_CRYPTO_USER,
    KEY_VAULT_CERTIFICATES_OFFICER,
    KEY_VAULT_CERTIFICATE_USER,
    STORAGE_BLOB_DATA_CONTRIBUTOR,
    STORAGE_BLOB_DATA_OWNER,
    STORAGE_BLOB_DATA_READER,
    STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
    STORAGE_FILE_DATA_PRIVILEGED_READER,
    STORAGE_FILE_DATA_SMB_SHARE_CONTRIBUTOR,
    STORAGE_FILE_DATA_SMB_SHARE_ELEVATED_CONTRIBUTOR,
    STORAGE_FILE_DATA_SMB_SHARE_READER,
    STORAGE_QUEUE_DATA_CONTRIBUTOR,
    STORAGE_QUEUE_DATA_READER,
    STORAGE_TABLE_DATA_CONTRIBUTOR,
    STORAGE_TABLE_DATA_READER,
    SEARCH_INDEX_DATA_CONTRIBUTOR,
    SEARCH_INDEX_DATA_READER,
    AZUREML_CONNECTION_SECRETS_READER,
}


# Azure Cosmos DB's data-plane roles for the NoSQL API: role definitions under the account
# (Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions), assigned with sqlRoleAssignments, not Azure
# RBAC. The two built-in ones have fixed names in every account (Microsoft Learn, "Use data plane
# role-based access control with Azure Cosmos DB for NoSQL").
# Kept out of NAMES, which holds Azure RBAC role definitions only.
COSMOS_DATA_ROLES: dict[str, str] = {
    "00000000-0000-0000-0000-000000000001": "Cosmos DB Built-in Data Reader",
    "00000000-0000-0000-0000-000000000002": "Cosmos DB Built-in Data Contributor",
}


def guid_of(role_definition_id: str) -> str:
    """The GUID at the end of a role definition id, lower-cased."""
    return role_definition_id.rstrip("/").rsplit("/", 1)[-1].lower()


def name_of(role_definition_id: str) -> str:
    """The built-in role's name for a role definition id; its GUID when the role is not a known one."""
    guid = guid_of(role_definition_id)
    return NAMES.get(guid, guid)
