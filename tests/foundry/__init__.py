"""The Foundry Agent Service sample estate, one module per area, built on the shared `Builder`.

`estate.compliant()` composes the parts in order (house, network, core, models, data, identity); each part
adds its resources to the builder, and each has a `drift(resources)` that changes the settings the
drifted sample breaks. The names below are shared by every part; like the other samples they are
deliberately not the reference implementation's, so roles must come from structure.
"""

from __future__ import annotations

from tests.estates import SUB, Ids, principal

VARIANT = "foundry"
IDS = Ids(VARIANT)
RG = IDS.rg

VNET_PREFIX = "192.168.0.0/16"
# Subnet name -> prefix (the reference's layout on 192.168.0.0/16, with our names).
SUBNETS: dict[str, str] = {
    "web-integration": "192.168.0.0/24",
    "edge-gateway": "192.168.1.0/24",
    "private-links": "192.168.2.0/27",
    "build-agents": "192.168.2.32/27",
    "AzureBastionSubnet": "192.168.2.64/26",
    "jumpbox": "192.168.2.128/28",
    "agent-egress": "192.168.3.0/24",
    "AzureFirewallSubnet": "192.168.4.0/26",
    "AzureFirewallManagementSubnet": "192.168.4.64/26",
}
FIREWALL_PRIVATE_IP = "192.168.4.4"

ACCOUNT = IDS.res("Microsoft.CognitiveServices/accounts", "ais-chat")
PROJECT = f"{ACCOUNT}/projects/chat-agents"
PROJECT_IDENTITY = IDS.res("Microsoft.ManagedIdentity/userAssignedIdentities", "id-agent")
CHAT_UI_IDENTITY = IDS.res("Microsoft.ManagedIdentity/userAssignedIdentities", "id-chat-frontend")
GATEWAY_IDENTITY = IDS.res("Microsoft.ManagedIdentity/userAssignedIdentities", "id-edge-gateway")
COSMOS = IDS.res("Microsoft.DocumentDB/databaseAccounts", "cosmos-chat-threads")
COSMOS_DATABASE = f"{COSMOS}/sqlDatabases/enterprise_memory"
SEARCH = IDS.res("Microsoft.Search/searchServices", "srch-chat-agents")
AGENT_STORAGE = IDS.res("Microsoft.Storage/storageAccounts", "stagentchat")
APP_STORAGE = IDS.res("Microsoft.Storage/storageAccounts", "stwebchatfoundry")
KEY_VAULT = IDS.res("Microsoft.KeyVault/vaults", "kv-chat-foundry")
FIREWALL = IDS.res("Microsoft.Network/azureFirewalls", "afw-egress")
FIREWALL_POLICY = IDS.res("Microsoft.Network/firewallPolicies", "afwp-egress")
ROUTE_TABLE = IDS.res("Microsoft.Network/routeTables", "rt-egress-firewall")
APP_INSIGHTS = IDS.res("Microsoft.Insights/components", "appi-chat")
LOG_ANALYTICS = IDS.res("Microsoft.OperationalInsights/workspaces", "log-chat")

CHAT_UI_SITE = IDS.res("Microsoft.Web/sites", "app-chat-ui")
GATEWAY = IDS.res("Microsoft.Network/applicationGateways", "agw-chat")

# Principal ids (deterministic, as `identity_user` and `identity_system` derive them).
PROJECT_PRINCIPAL = principal("id-agent")
ACCOUNT_PRINCIPAL = principal("ais-chat")
CHAT_UI_PRINCIPAL = principal("id-chat-frontend")
GATEWAY_PRINCIPAL = principal("id-edge-gateway")

__all__ = ["SUB"]
