"""The Foundry sample's data: the agent's stores (Cosmos DB, AI Search, Storage), their private
endpoints, Defender, locks, policies, diagnostics.

Bodies follow the shapes ARM returns (azure-rest-api-specs examples: DatabaseAccounts_Get,
Services_Get, StorageAccounts_GetProperties, Pricings_Get, ManagementLocks_GetAtResourceLevel,
PolicyAssignments_Get); the settings follow the reference implementation (cosmos-db.bicep,
ai-search.bicep, ai-agent-blob-storage.bicep, azure-policies.bicep), except where the article asks
for more: Cosmos DB is zone-redundant here, as the article recommends.
"""

from __future__ import annotations

import uuid
from typing import Any

from tests.estates import LOCATION, SUB, Builder, identity_system
from tests.foundry import (
    ACCOUNT,
    AGENT_STORAGE,
    COSMOS,
    COSMOS_DATABASE,
    FIREWALL,
    IDS,
    RG,
    SEARCH,
)

Resource = dict[str, Any]

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = [
    "Microsoft.DocumentDB/databaseAccounts",
    "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
    "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments",
    "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions",
    "Microsoft.Security/pricings",
    "Microsoft.Authorization/locks",
    "Microsoft.Authorization/policyAssignments",
]

# The stores send all logs (categoryGroup allLogs, as the article asks); these are the categories the
# reference names instead (cosmos-db.bicep, ai-agent-blob-storage.bicep, azure-firewall.bicep).
COSMOS_LOGS = [
    "DataPlaneRequests",
    "PartitionKeyRUConsumption",
    "ControlPlaneRequests",
    "DataPlaneRequests5M",
    "DataPlaneRequests15M",
]
STORAGE_LOGS = ["StorageRead", "StorageWrite", "StorageDelete"]
FIREWALL_LOGS = [
    "AzureFirewallApplicationRule",
    "AzureFirewallNetworkRule",
    "AzureFirewallDnsProxy",
    "AZFWNetworkRule",
    "AZFWApplicationRule",
    "AZFWNatRule",
    "AZFWThreatIntel",
    "AZFWIdpsSignature",
    "AZFWDnsQuery",
    "AZFWFqdnResolveFailure",
    "AZFWFatFlow",
    "AZFWFlowTrace",
    "AZFWApplicationRuleAggregation",
    "AZFWNetworkRuleAggregation",
    "AZFWNatRuleAggregation",
]
ACCOUNT_LOGS = ["Audit", "RequestResponse", "AzureOpenAIRequestUsage", "Trace"]
ACCOUNT_ZONES = [
    "privatelink.services.ai.azure.com",
    "privatelink.openai.azure.com",
    "privatelink.cognitiveservices.azure.com",
]

# The built-in policy definitions azure-policies.bicep assigns (all with effect Audit), by GUID.
REFERENCE_POLICIES: dict[str, str] = {
    "71ef260a-8f18-47b7-abcb-62d0673d94dc": "Azure AI Services resources should have key access disabled",
    "037eea7a-bd0a-46c5-9a66-03aea78705d3": "Azure AI Services resources should restrict network access",
    "44c5a1f9-7ef6-4c38-880c-273e8f7a3c24": "Azure Cosmos DB accounts should be zone redundant",
    "58440f8a-10c5-4151-bdce-dfbaad4a20b7": "CosmosDB accounts should use private link",
    "5450f5bd-9c72-4390-a9c4-a7aba4edfdd2": "Cosmos DB database accounts should have local authentication "
    "methods disabled",
    "797b37f7-06b8-444c-b1ad-fc62867f335a": "Azure Cosmos DB should disable public network access",
    "ee980b6d-0eca-4501-8d54-f6290fd512c3": "Azure AI Search services should disable public network access",
    "90bc8109-d21a-4692-88fc-51419391da3d": "Azure AI Search service should be zone redundant",
    "6300012e-e9a4-4649-b41f-a85f5c43be91": "Azure AI Search services should have local authentication "
    "methods disabled",
    "b2982f36-99f2-4db5-8eff-283140c09693": "Storage accounts should disable public network access",
    "8c6a50c6-9ffd-4ae7-986f-5fa6111f9a54": "Storage accounts should prevent shared key access",
}

DEFENDER_AI = f"/subscriptions/{SUB}/providers/Microsoft.Security/pricings/AI"
COSMOS_ENDPOINT = IDS.res("Microsoft.Network/privateEndpoints", "pe-cosmos-chat-threads-sql")
LOCKS = {
    target: f"{target}/providers/Microsoft.Authorization/locks/{target.rsplit('/', 1)[-1]}-lock"
    for target in (COSMOS, SEARCH, AGENT_STORAGE)
}


def _named(resource_id: str, rtype: str, **extra: Any) -> Resource:
    return {
        "id": resource_id,
        "name": resource_id.rsplit("/", 1)[-1],
        "type": rtype,
        "location": LOCATION,
        **extra,
    }


def _cosmos() -> Resource:
    name = COSMOS.rsplit("/", 1)[-1]
    region = {
        "id": f"{name}-{LOCATION}",
        "locationName": "East US 2",
        "documentEndpoint": f"https://{name}-{LOCATION}.documents.azure.com:443/",
        "provisioningState": "Succeeded",
        "failoverPriority": 0,
        "isZoneRedundant": True,
    }
    return _named(
        COSMOS,
        "Microsoft.DocumentDB/databaseAccounts",
        kind="GlobalDocumentDB",
        tags={},
        identity={"type": "None"},
        properties={
            "provisioningState": "Succeeded",
            "documentEndpoint": f"https://{name}.documents.azure.com:443/",
            "databaseAccountOfferType": "Standard",
            "consistencyPolicy": {
                "defaultConsistencyLevel": "Session",
                "maxIntervalInSeconds": 5,
                "maxStalenessPrefix": 100,
            },
            "locations": [region],
            "readLocations": [region],
            "writeLocations": [region],
            "failoverPolicies": [{"id": region["id"], "locationName": "East US 2", "failoverPriority": 0}],
            "publicNetworkAccess": "Disabled",
            "disableLocalAuth": True,
            "disableKeyBasedMetadataWriteAccess": True,
            "minimalTlsVersion": "Tls12",
            "networkAclBypass": "None",
            "networkAclBypassResourceIds": [],
            "ipRules": [],
            "isVirtualNetworkFilterEnabled": False,
            "virtualNetworkRules": [],
            "enableAutomaticFailover": False,
            "enableMultipleWriteLocations": False,
            "enableFreeTier": False,
            "enableBurstCapacity": False,
            "capacityMode": "Provisioned",
            "diagnosticLogSettings": {"enableFullTextQuery": "False"},
            "backupPolicy": {
                "type": "Continuous",
                "continuousModeProperties": {"tier": "Continuous7Days"},
            },
            "cors": [],
        },
    )


def _lock(target_id: str) -> Resource:
    name = f"{target_id.rsplit('/', 1)[-1]}-lock"
    return {
        "id": LOCKS[target_id],
        "name": name,
        "type": "Microsoft.Authorization/locks",
        "properties": {
            "level": "CanNotDelete",
            "notes": "Prevent deleting; recovery not practical. Hard dependency of the agent service.",
            "owners": [],
        },
    }


def _policy_assignment(guid: str, display: str) -> Resource:
    # Named as the reference names them: a GUID derived from the group and the definition.
    scope = RG
    name = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{scope.lower()}/{guid}"))
    return {
        "id": f"{scope}/providers/Microsoft.Authorization/policyAssignments/{name}",
        "name": name,
        "type": "Microsoft.Authorization/policyAssignments",
        "properties": {
            "displayName": f"chat - {display}",
            "policyDefinitionId": f"/providers/Microsoft.Authorization/policyDefinitions/{guid}",
            "definitionVersion": "1.*.*",
            "scope": scope,
            "notScopes": [],
            "parameters": {"effect": {"value": "Audit"}},
            "enforcementMode": "Default",
            "assignmentType": "Custom",
        },
    }


def _find(b: Builder, resource_id: str) -> Resource | None:
    return next((r for r in b.resources if r["id"].lower() == resource_id.lower()), None)


def _has_endpoint(b: Builder, target_id: str) -> bool:
    return any(
        r["type"] == "Microsoft.Network/privateEndpoints"
        and target_id.lower() in str(r.get("properties", {}).get("privateLinkServiceConnections")).lower()
        for r in b.resources
    )


def _has_settings(b: Builder, target_id: str) -> bool:
    prefix = f"{target_id}/providers/Microsoft.Insights/diagnosticSettings/".lower()
    return any(r["id"].lower().startswith(prefix) for r in b.resources)


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    cosmos = b.add(_cosmos())
    b.add(
        {
            "id": COSMOS_DATABASE,
            "name": COSMOS_DATABASE.rsplit("/", 1)[-1],
            "type": "Microsoft.DocumentDB/databaseAccounts/sqlDatabases",
            "properties": {"resource": {"id": "enterprise_memory", "_rid": "d2xrAA==", "_etag": '"0000"'}},
        }
    )
    b.private_endpoint(cosmos, "Sql", ["privatelink.documents.azure.com"])
    b.diagnostics(COSMOS, groups=["allLogs"])

    search = b.add(
        _named(
            SEARCH,
            "Microsoft.Search/searchServices",
            sku={"name": "standard"},
            identity=identity_system("srch-chat-agents"),
            properties={
                "replicaCount": 3,
                "partitionCount": 1,
                "hostingMode": "Default",
                "publicNetworkAccess": "disabled",
                "disableLocalAuth": True,
                "authOptions": None,
                "networkRuleSet": {"ipRules": [], "bypass": "None"},
                "semanticSearch": "disabled",
                "status": "running",
                "provisioningState": "succeeded",
            },
        )
    )
    b.private_endpoint(search, "searchService", ["privatelink.search.windows.net"])
    b.diagnostics(SEARCH, groups=["allLogs"])

    storage = b.add(
        _named(
            AGENT_STORAGE,
            "Microsoft.Storage/storageAccounts",
            kind="StorageV2",
            sku={"name": "Standard_GZRS", "tier": "Standard"},
            properties={
                "accessTier": "Hot",
                "allowBlobPublicAccess": False,
                "allowSharedKeyAccess": False,
                "allowCrossTenantReplication": False,
                "allowedCopyScope": "AAD",
                "defaultToOAuthAuthentication": True,
                "publicNetworkAccess": "Disabled",
                "networkAcls": {
                    "defaultAction": "Deny",
                    "bypass": "AzureServices",
                    "ipRules": [],
                    "virtualNetworkRules": [],
                },
                "minimumTlsVersion": "TLS1_2",
                "supportsHttpsTrafficOnly": True,
                "isHnsEnabled": False,
                "isLocalUserEnabled": False,
                "isSftpEnabled": False,
                "isNfsV3Enabled": False,
                "provisioningState": "Succeeded",
            },
        )
    )
    blob = f"{AGENT_STORAGE}/blobServices/default"
    b.add(
        {
            "id": blob,
            "name": "default",
            "type": "Microsoft.Storage/storageAccounts/blobServices",
            "properties": {"deleteRetentionPolicy": {"enabled": True, "days": 7}},
        }
    )
    # Every StorageV2 account answers for its file service too; the reference uses only blobs.
    b.add(
        {
            "id": f"{AGENT_STORAGE}/fileServices/default",
            "name": "default",
            "type": "Microsoft.Storage/storageAccounts/fileServices",
            "properties": {},
        }
    )
    b.private_endpoint(storage, "blob", ["privatelink.blob.core.windows.net"])
    b.diagnostics(blob, groups=["allLogs"])

    for target in (COSMOS, SEARCH, AGENT_STORAGE):
        b.add(_lock(target))
    b.add(
        {
            "id": DEFENDER_AI,
            "name": "AI",
            "type": "Microsoft.Security/pricings",
            "properties": {
                "pricingTier": "Standard",
                "freeTrialRemainingTime": "PT0S",
                "enablementTime": "2026-06-01T00:00:00Z",
            },
        }
    )
    for guid, display in REFERENCE_POLICIES.items():
        b.add(_policy_assignment(guid, display))

    # The design's other services need a private endpoint and diagnostics as well; their parts own
    # them, and add them in the end: until then (or if they do not) they are added here, once.
    account = _find(b, ACCOUNT)
    if account is not None:
        if not _has_endpoint(b, ACCOUNT):
            b.private_endpoint(account, "account", ACCOUNT_ZONES)
        if not _has_settings(b, ACCOUNT):
            b.diagnostics(ACCOUNT, categories=ACCOUNT_LOGS)
    if _find(b, FIREWALL) is not None and not _has_settings(b, FIREWALL):
        b.diagnostics(FIREWALL, categories=FIREWALL_LOGS)


def _get(resources: list[Resource], resource_id: str) -> Resource:
    return next(r for r in resources if r["id"].lower() == resource_id.lower())


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
    # Someone turned keys back on to debug the thread store, and opened search to the Internet.
    _get(resources, COSMOS)["properties"]["disableLocalAuth"] = False
    _get(resources, SEARCH)["properties"]["publicNetworkAccess"] = "enabled"
    _get(resources, AGENT_STORAGE)["properties"]["allowSharedKeyAccess"] = True
    _get(resources, DEFENDER_AI)["properties"]["pricingTier"] = "Free"
    # The search service's lock was removed to move it; the thread store's private endpoint was
    # deleted with a subnet clean-up.
    endpoint = COSMOS_ENDPOINT.lower()
    gone = {LOCKS[SEARCH].lower(), endpoint, f"{endpoint}/privatednszonegroups/default"}
    resources[:] = [r for r in resources if r["id"].lower() not in gone]
    _get(resources, COSMOS)["properties"]["privateEndpointConnections"] = []
