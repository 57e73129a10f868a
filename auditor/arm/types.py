"""The ARM vocabulary: one constant per resource type the auditor reads, and the resource itself.

Types are written as ARM returns them in `type` and compare case-insensitively everywhere
(the estate lower-cases them). Outside this module only the collectors, which name the types
they list, spell a `Microsoft.*` type out; a test keeps it that way.
"""

from __future__ import annotations

from typing import Any

Resource = dict[str, Any]
"""One ARM resource as its JSON body: `id`, `type`, `name`, `properties`..."""

# --- Microsoft.App ------------------------------------------------------------------

# Not read: the service a subnet is delegated to for Foundry Agent Service's network injection.
APP_ENVIRONMENTS = "Microsoft.App/environments"

# --- Microsoft.Authorization -------------------------------------------------------

ROLE_ASSIGNMENTS = "Microsoft.Authorization/roleAssignments"
ROLE_DEFINITIONS = "Microsoft.Authorization/roleDefinitions"
MANAGEMENT_LOCKS = "Microsoft.Authorization/locks"
POLICY_ASSIGNMENTS = "Microsoft.Authorization/policyAssignments"

# --- Microsoft.CognitiveServices ---------------------------------------------------

COGNITIVE_ACCOUNTS = "Microsoft.CognitiveServices/accounts"
COGNITIVE_DEPLOYMENTS = "Microsoft.CognitiveServices/accounts/deployments"
RAI_POLICIES = "Microsoft.CognitiveServices/accounts/raiPolicies"
RAI_BLOCKLISTS = "Microsoft.CognitiveServices/accounts/raiBlocklists"
COGNITIVE_CONNECTIONS = "Microsoft.CognitiveServices/accounts/connections"
COGNITIVE_CAPABILITY_HOSTS = "Microsoft.CognitiveServices/accounts/capabilityHosts"
FOUNDRY_PROJECTS = "Microsoft.CognitiveServices/accounts/projects"
FOUNDRY_PROJECT_CONNECTIONS = "Microsoft.CognitiveServices/accounts/projects/connections"
FOUNDRY_PROJECT_CAPABILITY_HOSTS = "Microsoft.CognitiveServices/accounts/projects/capabilityHosts"

# --- Microsoft.ContainerRegistry ---------------------------------------------------

CONTAINER_REGISTRIES = "Microsoft.ContainerRegistry/registries"

# --- Microsoft.DocumentDB ---------------------------------------------------------

COSMOS_ACCOUNTS = "Microsoft.DocumentDB/databaseAccounts"
COSMOS_SQL_DATABASES = "Microsoft.DocumentDB/databaseAccounts/sqlDatabases"
COSMOS_SQL_ROLE_ASSIGNMENTS = "Microsoft.DocumentDB/databaseAccounts/sqlRoleAssignments"
COSMOS_SQL_ROLE_DEFINITIONS = "Microsoft.DocumentDB/databaseAccounts/sqlRoleDefinitions"

# --- Microsoft.Insights ------------------------------------------------------------

AUTOSCALE_SETTINGS = "Microsoft.Insights/autoscalesettings"
DIAGNOSTIC_SETTINGS = "Microsoft.Insights/diagnosticSettings"
DIAGNOSTIC_CATEGORIES = "Microsoft.Insights/diagnosticSettingsCategories"

# --- Microsoft.KeyVault ------------------------------------------------------------

KEY_VAULTS = "Microsoft.KeyVault/vaults"

# --- Microsoft.MachineLearningServices ---------------------------------------------

ML_WORKSPACES = "Microsoft.MachineLearningServices/workspaces"
ML_ONLINE_ENDPOINTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
ML_ONLINE_DEPLOYMENTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments"
ML_COMPUTES = "Microsoft.MachineLearningServices/workspaces/computes"
ML_OUTBOUND_RULES = "Microsoft.MachineLearningServices/workspaces/outboundRules"
ML_CONNECTIONS = "Microsoft.MachineLearningServices/workspaces/connections"

# --- Microsoft.ManagedIdentity -----------------------------------------------------

USER_ASSIGNED_IDENTITIES = "Microsoft.ManagedIdentity/userAssignedIdentities"

# --- Microsoft.Network -------------------------------------------------------------

AZURE_FIREWALLS = "Microsoft.Network/azureFirewalls"
FIREWALL_POLICIES = "Microsoft.Network/firewallPolicies"
FIREWALL_RULE_COLLECTION_GROUPS = "Microsoft.Network/firewallPolicies/ruleCollectionGroups"
ROUTE_TABLES = "Microsoft.Network/routeTables"
APPLICATION_GATEWAYS = "Microsoft.Network/applicationGateways"
WAF_POLICIES = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
BASTION_HOSTS = "Microsoft.Network/bastionHosts"
NETWORK_SECURITY_GROUPS = "Microsoft.Network/networkSecurityGroups"
PRIVATE_ENDPOINTS = "Microsoft.Network/privateEndpoints"
PRIVATE_DNS_ZONE_GROUPS = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
PUBLIC_IP_ADDRESSES = "Microsoft.Network/publicIPAddresses"
VIRTUAL_NETWORKS = "Microsoft.Network/virtualNetworks"
SUBNETS = "Microsoft.Network/virtualNetworks/subnets"

# --- Microsoft.Resources -----------------------------------------------------------

SUBSCRIPTIONS = "Microsoft.Resources/subscriptions"
RESOURCE_GROUPS = "Microsoft.Resources/resourceGroups"

# --- Microsoft.Search --------------------------------------------------------------

SEARCH_SERVICES = "Microsoft.Search/searchServices"

# --- Microsoft.Security ------------------------------------------------------------

SECURITY_PRICINGS = "Microsoft.Security/pricings"

# --- Microsoft.Storage -------------------------------------------------------------

STORAGE_ACCOUNTS = "Microsoft.Storage/storageAccounts"
BLOB_SERVICES = "Microsoft.Storage/storageAccounts/blobServices"
FILE_SERVICES = "Microsoft.Storage/storageAccounts/fileServices"

# --- Microsoft.Web -----------------------------------------------------------------

SERVER_FARMS = "Microsoft.Web/serverfarms"
# The delegation of the subnet Foundry Agent Service is injected into.
APP_ENVIRONMENTS = "Microsoft.App/environments"
WEB_SITES = "Microsoft.Web/sites"
SITE_CONFIG = "Microsoft.Web/sites/config"
# The basic-auth publishing policies of a web app (`ftp`, `scm`): flags only, no credentials.
SITE_PUBLISHING_POLICIES = "Microsoft.Web/sites/basicPublishingCredentialsPolicies"
