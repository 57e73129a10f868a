"""Cases of the public-access family: the same case type (`TargetCase`) as the private-endpoints table."""

from __future__ import annotations

import copy
import dataclasses
from typing import Any

from tests import estates, foundry
from tests.cases import foundry_core
from tests.cases.common import (
    Mutation,
    Resource,
    chain,
    denied,
    drop_type,
    set_path,
    subscription_list_denied,
)
from tests.cases.common import TargetCase as Case
from tests.cases.private_endpoints import (
    DELETE,
    VNETS,
    WORKSPACES,
    each_variant,
    edit,
    edit_all,
    list_denied,
    not_collected,
    ws_name,
)

AOAI = "Microsoft.CognitiveServices/accounts"
ENDPOINTS = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
COMPUTES = "Microsoft.MachineLearningServices/workspaces/computes"
KV = "Microsoft.KeyVault/vaults"
ACR = "Microsoft.ContainerRegistry/registries"
STORAGE = "Microsoft.Storage/storageAccounts"
SEARCH = "Microsoft.Search/searchServices"
SITES = "Microsoft.Web/sites"
CONFIG = "Microsoft.Web/sites/config"
GATEWAYS = "Microsoft.Network/applicationGateways"
WAF = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
PUBLIC_IPS = "Microsoft.Network/publicIPAddresses"

APP_ST = "stwebchat{v}"
WS_ST = "stmlchat{v}"


def ws(path: str, value: Any) -> Mutation:
    """Edit the workspace (aml) or the hub (aistudio)."""
    return each_variant(lambda v: edit(WORKSPACES, ws_name(v), path, value))


def config(site: str, path: str, value: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        body = next(r for r in res if r["type"] == CONFIG and f"/sites/{site}/" in r["id"])
        if value is DELETE:
            body["properties"].pop(path)
        else:
            body["properties"][path] = value

    return mutate


def drop_config(site: str) -> Mutation:
    return lambda res, variant: [r for r in res if not (r["type"] == CONFIG and f"/sites/{site}/" in r["id"])]


def second_waf_policy_on_listener(mode: str) -> Mutation:
    """A second WAF policy, in `mode`, linked to the gateway's HTTPS listener only."""

    def mutate(res: list[Resource], variant: str) -> None:
        policy = copy.deepcopy(estates.find(res, WAF))
        policy["id"] = policy["id"].rsplit("/", 1)[0] + "/waf-listener"
        policy["name"] = "waf-listener"
        policy["properties"]["policySettings"]["mode"] = mode
        res.append(policy)
        listener = estates.find(res, GATEWAYS)["properties"]["httpListeners"][0]
        listener["properties"]["firewallPolicy"] = {"id": policy["id"]}

    return mutate


def ssl_profile(policy: dict[str, Any]) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        gw = estates.find(res, GATEWAYS)
        gw["properties"]["sslProfiles"] = [{"name": "legacy-clients", "properties": {"sslPolicy": policy}}]

    return mutate


def add_public_ip(name: str, attached_to: str | None, via: str = "ipConfiguration") -> Mutation:
    """Another public IP address, attached through `properties.<via>` to `attached_to` (an id below
    the resource group's providers, or an absolute id); None: attached to nothing."""

    def mutate(res: list[Resource], variant: str) -> None:
        ids = estates.Ids(variant)
        target = (
            attached_to
            if attached_to is None or attached_to.startswith("/")
            else f"{ids.rg}/providers/{attached_to}"
        )
        pip = estates.public_ip(ids, name, target or "")
        del pip["properties"]["ipConfiguration"]
        if target is not None:
            pip["properties"][via] = {"id": target}
        res.append(pip)

    return mutate


REGISTRY_GET_RULE_SET = {"defaultAction": "Allow", "ipRules": []}
WAF_SETTINGS_2019 = {"enabledState": "Enabled", "mode": "Prevention"}

no_computes_readable = chain(drop_type(COMPUTES))
no_endpoints_readable = chain(drop_type(ENDPOINTS), drop_type(ENDPOINTS + "/deployments"))
no_waf_readable = drop_type(WAF)

CASES: list[Case] = [
    # PUB001 Azure OpenAI
    Case("compliant", "PUB001", "pass"),
    Case(
        "public-network-enabled",
        "PUB001",
        "fail",
        target="/accounts/aoai-chat",
        mutate=edit(AOAI, "aoai-chat", "properties.publicNetworkAccess", "Enabled"),
    ),
    Case(
        "public-network-absent",
        "PUB001",
        "fail",
        target="/accounts/aoai-chat",
        mutate=edit(AOAI, "aoai-chat", "properties.publicNetworkAccess", DELETE),
        contains="absent (platform default Enabled)",
    ),
    # Azure ignores the firewall while public network access is Disabled (PUB034 judges it then).
    Case(
        "firewall-allows-behind-disabled-access",
        "PUB001",
        "pass",
        target="/accounts/aoai-chat",
        mutate=edit(AOAI, "aoai-chat", "properties.networkAcls.defaultAction", "Allow"),
        contains="networkAcls.defaultAction is Allow; ignored while public network access is Disabled",
    ),
    Case(
        "firewall-allows-public-access-absent",
        "PUB001",
        "fail",
        target="/accounts/aoai-chat",
        mutate=chain(
            edit(AOAI, "aoai-chat", "properties.publicNetworkAccess", DELETE),
            edit(AOAI, "aoai-chat", "properties.networkAcls.defaultAction", "Allow"),
        ),
        contains="networkAcls.defaultAction is Allow",
    ),
    Case(
        "lower-case-values",
        "PUB001",
        "pass",
        target="/accounts/aoai-chat",
        mutate=chain(
            edit(AOAI, "aoai-chat", "properties.publicNetworkAccess", "disabled"),
            edit(AOAI, "aoai-chat", "properties.networkAcls.defaultAction", "deny"),
        ),
    ),
    # PUB002 workspace, hub and project
    Case("compliant", "PUB002", "pass"),
    Case(
        "workspace-public",
        "PUB002",
        "fail",
        target="/workspaces/",
        mutate=ws("properties.publicNetworkAccess", "Enabled"),
        variants=("aml",),
    ),
    Case(
        "hub-public",
        "PUB002",
        "fail",
        target="/workspaces/hub-chat",
        mutate=ws("properties.publicNetworkAccess", "Enabled"),
        variants=("aistudio",),
    ),
    Case(
        "project-public-behind-vnet",
        "PUB002",
        "fail",
        target="/workspaces/proj-chat",
        mutate=edit(WORKSPACES, "proj-chat", "properties.allowPublicAccessWhenBehindVnet", True),
        variants=("aistudio",),
        contains="allowPublicAccessWhenBehindVnet is true",
    ),
    Case(
        "public-network-absent",
        "PUB002",
        "fail",
        target="/workspaces/",
        mutate=ws("properties.publicNetworkAccess", DELETE),
        variants=("aml",),
        contains="absent (platform default Enabled)",
    ),
    # PUB003 managed network
    Case("compliant", "PUB003", "pass"),
    Case(
        "internet-outbound",
        "PUB003",
        "fail",
        target="/workspaces/",
        mutate=ws("properties.managedNetwork.isolationMode", "AllowInternetOutbound"),
    ),
    Case(
        "no-managed-network",
        "PUB003",
        "fail",
        target="/workspaces/",
        mutate=ws("properties.managedNetwork", DELETE),
        contains="absent (platform default Disabled)",
    ),
    Case(
        "internet-outbound-allowed-by-team",
        "PUB003",
        "pass",
        target="/workspaces/",
        mutate=ws("properties.managedNetwork.isolationMode", "AllowInternetOutbound"),
        params={"allowed_isolation_modes": ["AllowOnlyApprovedOutbound", "AllowInternetOutbound"]},
    ),
    # PUB004 online endpoints
    Case("compliant", "PUB004", "pass"),
    Case(
        "endpoint-public",
        "PUB004",
        "fail",
        target="/onlineEndpoints/",
        mutate=edit(ENDPOINTS, None, "properties.publicNetworkAccess", "Enabled"),
    ),
    Case(
        "endpoint-public-absent",
        "PUB004",
        "fail",
        target="/onlineEndpoints/",
        mutate=edit(ENDPOINTS, None, "properties.publicNetworkAccess", DELETE),
    ),
    Case(
        "endpoints-not-collected",
        "PUB004",
        "not_assessed",
        target="/workspaces/",
        mutate=no_endpoints_readable,
        drop_types=(ENDPOINTS,),
    ),
    Case(
        "endpoints-denied",
        "PUB004",
        "not_assessed",
        target="/workspaces/",
        mutate=no_endpoints_readable,
        errors=subscription_list_denied(ENDPOINTS),
        contains="HTTP 403",
    ),
    # PUB005 compute instances (the hub variant has none)
    Case("compliant", "PUB005", "pass", variants=("aml",)),
    Case(
        "public-ip",
        "PUB005",
        "fail",
        target="/computes/",
        mutate=edit(COMPUTES, None, "properties.properties.enableNodePublicIp", True),
        variants=("aml",),
    ),
    Case(
        "public-ip-absent",
        "PUB005",
        "fail",
        target="/computes/",
        mutate=edit(COMPUTES, None, "properties.properties.enableNodePublicIp", DELETE),
        variants=("aml",),
        contains="absent (platform default true)",
    ),
    Case(
        "public-ssh",
        "PUB005",
        "fail",
        target="/computes/",
        mutate=edit(COMPUTES, None, "properties.properties.sshSettings.sshPublicAccess", "Enabled"),
        variants=("aml",),
    ),
    Case(
        "ssh-absent",
        "PUB005",
        "pass",
        target="/computes/",
        mutate=edit(COMPUTES, None, "properties.properties.sshSettings", DELETE),
        variants=("aml",),
    ),
    Case(
        "computes-not-collected",
        "PUB005",
        "not_assessed",
        target="/workspaces/",
        mutate=no_computes_readable,
        drop_types=(COMPUTES,),
    ),
    # PUB006 Key Vault
    Case("compliant", "PUB006", "pass"),
    Case(
        "firewall-only-hub-variant",
        "PUB006",
        "fail",
        target="/vaults/",
        mutate=edit(KV, None, "properties.publicNetworkAccess", "Enabled"),
        variants=("aistudio",),
    ),
    Case(
        "firewall-only-accepted-in-aml",
        "PUB006",
        "pass",
        target="/vaults/",
        mutate=edit(KV, None, "properties.publicNetworkAccess", "Enabled"),
        variants=("aml",),
        contains="accept_firewall_deny",
    ),
    Case(
        "firewall-with-ip-rule-in-aml",
        "PUB006",
        "fail",
        target="/vaults/",
        mutate=chain(
            edit(KV, None, "properties.publicNetworkAccess", DELETE),
            edit(KV, None, "properties.networkAcls.ipRules", [{"value": "203.0.113.0/24"}]),
        ),
        variants=("aml",),
        contains="still admits 1 ipRules",
    ),
    Case(
        "firewall-with-foreign-subnet-in-aml",
        "PUB006",
        "fail",
        target="/vaults/",
        mutate=chain(
            edit(KV, None, "properties.publicNetworkAccess", DELETE),
            edit(
                KV, None, "properties.networkAcls.virtualNetworkRules", [{"id": "/subscriptions/x/subnets/y"}]
            ),
        ),
        variants=("aml",),
        contains="1 virtualNetworkRules",
    ),
    Case(
        "firewall-allows-behind-disabled-access",
        "PUB006",
        "pass",
        target="/vaults/",
        mutate=edit(KV, None, "properties.networkAcls.defaultAction", "Allow"),
        contains="ignored while public network access is Disabled",
    ),
    Case(
        "firewall-allows-public-access-enabled",
        "PUB006",
        "fail",
        target="/vaults/",
        mutate=chain(
            edit(KV, None, "properties.publicNetworkAccess", "Enabled"),
            edit(KV, None, "properties.networkAcls.defaultAction", "Allow"),
        ),
    ),
    # PUB007 / PUB008 Container Registry
    Case("compliant", "PUB007", "pass"),
    Case(
        "public-network-enabled",
        "PUB007",
        "fail",
        target="/registries/",
        mutate=edit(ACR, None, "properties.publicNetworkAccess", "Enabled"),
    ),
    # The networkRuleSet of Microsoft's RegistryGet.json (2025-11-01), behind Disabled public access.
    Case(
        "rule-set-allows-behind-disabled-access",
        "PUB007",
        "pass",
        target="/registries/",
        mutate=edit(ACR, None, "properties.networkRuleSet", REGISTRY_GET_RULE_SET),
        contains="networkRuleSet.defaultAction is Allow; ignored while public network access is Disabled",
    ),
    Case(
        "rule-set-allows-public-access-enabled",
        "PUB007",
        "fail",
        target="/registries/",
        mutate=chain(
            edit(ACR, None, "properties.publicNetworkAccess", "Enabled"),
            edit(ACR, None, "properties.networkRuleSet", REGISTRY_GET_RULE_SET),
        ),
        contains="networkRuleSet.defaultAction",
    ),
    Case("compliant", "PUB008", "pass"),
    Case(
        "admin-user-enabled",
        "PUB008",
        "fail",
        target="/registries/",
        mutate=edit(ACR, None, "properties.adminUserEnabled", True),
        contains="adminUserEnabled is true",
    ),
    Case(
        "admin-user-absent",
        "PUB008",
        "pass",
        target="/registries/",
        mutate=edit(ACR, None, "properties.adminUserEnabled", DELETE),
        contains="absent (platform default false)",
    ),
    # PUB009 - PUB012 Storage
    Case("compliant", "PUB009", "pass"),
    Case(
        "app-storage-public",
        "PUB009",
        "fail",
        target=APP_ST,
        mutate=chain(
            edit(STORAGE, APP_ST, "properties.publicNetworkAccess", "Enabled"),
            edit(STORAGE, APP_ST, "properties.networkAcls.defaultAction", "Allow"),
        ),
    ),
    Case(
        "firewall-allows-behind-disabled-access",
        "PUB009",
        "pass",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.networkAcls.defaultAction", "Allow"),
        contains="ignored while public network access is Disabled",
        variants=("aistudio",),
    ),
    Case(
        "firewall-only-hub-variant",
        "PUB009",
        "fail",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.publicNetworkAccess", DELETE),
        variants=("aistudio",),
    ),
    Case(
        "firewall-only-accepted-in-aml",
        "PUB009",
        "pass",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.publicNetworkAccess", DELETE),
        variants=("aml",),
    ),
    Case(
        "firewall-with-resource-access-rule-in-aml",
        "PUB009",
        "fail",
        target=WS_ST,
        mutate=chain(
            edit(STORAGE, WS_ST, "properties.publicNetworkAccess", DELETE),
            edit(STORAGE, WS_ST, "properties.networkAcls.resourceAccessRules", [{"resourceId": "*"}]),
        ),
        variants=("aml",),
        contains="1 resourceAccessRules",
    ),
    Case("compliant", "PUB010", "pass"),
    Case(
        "blob-public-access",
        "PUB010",
        "fail",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.allowBlobPublicAccess", True),
    ),
    Case(
        "blob-public-access-absent",
        "PUB010",
        "fail",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.allowBlobPublicAccess", DELETE),
        contains="before November 2023",
    ),
    Case("compliant", "PUB011", "pass"),
    Case(
        "tls-1-1",
        "PUB011",
        "fail",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.minimumTlsVersion", "TLS1_1"),
    ),
    Case(
        "tls-absent",
        "PUB011",
        "fail",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.minimumTlsVersion", DELETE),
        contains="absent (platform default TLS1_0)",
    ),
    Case(
        "tls-1-3",
        "PUB011",
        "pass",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.minimumTlsVersion", "TLS1_3"),
    ),
    Case(
        "http-allowed",
        "PUB011",
        "fail",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.supportsHttpsTrafficOnly", False),
    ),
    Case(
        "https-only-absent",
        "PUB011",
        "pass",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.supportsHttpsTrafficOnly", DELETE),
    ),
    Case("compliant", "PUB012", "pass"),
    Case(
        "app-storage-shared-key",
        "PUB012",
        "fail",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.allowSharedKeyAccess", True),
    ),
    Case(
        "app-storage-shared-key-absent",
        "PUB012",
        "fail",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.allowSharedKeyAccess", DELETE),
        contains="absent (platform default true)",
    ),
    Case(
        "workspace-storage-also-checked",
        "PUB012",
        "fail",
        target=WS_ST,
        others=None,
        params={"storage_roles": ["app-storage", "workspace-storage"]},
    ),
    # PUB013 AI Search
    Case("compliant", "PUB013", "pass"),
    Case(
        "public-enabled",
        "PUB013",
        "fail",
        target="/searchServices/",
        mutate=edit(SEARCH, None, "properties.publicNetworkAccess", "enabled"),
    ),
    Case(
        "public-absent",
        "PUB013",
        "fail",
        target="/searchServices/",
        mutate=edit(SEARCH, None, "properties.publicNetworkAccess", DELETE),
    ),
    Case(
        "upper-case-disabled",
        "PUB013",
        "pass",
        target="/searchServices/",
        mutate=edit(SEARCH, None, "properties.publicNetworkAccess", "Disabled"),
    ),
    # PUB014 Key Vault purge protection
    Case("compliant", "PUB014", "pass"),
    Case(
        "purge-protection-off",
        "PUB014",
        "fail",
        target="/vaults/",
        mutate=edit(KV, None, "properties.enablePurgeProtection", False),
    ),
    Case(
        "purge-protection-absent",
        "PUB014",
        "fail",
        target="/vaults/",
        mutate=edit(KV, None, "properties.enablePurgeProtection", DELETE),
    ),
    # PUB015 - PUB019 web apps
    Case("compliant", "PUB015", "pass"),
    Case(
        "site-public",
        "PUB015",
        "fail",
        target="/sites/app-chat-ui",
        mutate=edit(SITES, "app-chat-ui", "properties.publicNetworkAccess", "Enabled"),
    ),
    Case(
        "site-silent-config-disabled",
        "PUB015",
        "pass",
        target="/sites/app-chat-ui",
        mutate=edit(SITES, "app-chat-ui", "properties.publicNetworkAccess", DELETE),
        contains="config/web publicNetworkAccess is Disabled",
    ),
    Case(
        "site-empty-config-silent",
        "PUB015",
        "fail",
        target="/sites/app-chat-ui",
        mutate=chain(
            edit(SITES, "app-chat-ui", "properties.publicNetworkAccess", ""),
            config("app-chat-ui", "publicNetworkAccess", DELETE),
        ),
    ),
    Case(
        "site-silent-config-not-collected",
        "PUB015",
        "not_assessed",
        target="/sites/",
        mutate=chain(edit_all(SITES, "properties.publicNetworkAccess", DELETE), drop_type(CONFIG)),
        drop_types=(CONFIG,),
    ),
    Case("compliant", "PUB016", "pass"),
    Case(
        "http-allowed",
        "PUB016",
        "fail",
        target="/sites/app-chat-flow",
        mutate=edit(SITES, "app-chat-flow", "properties.httpsOnly", False),
    ),
    Case(
        "https-only-absent",
        "PUB016",
        "fail",
        target="/sites/app-chat-flow",
        mutate=edit(SITES, "app-chat-flow", "properties.httpsOnly", DELETE),
        contains="absent (platform default false)",
    ),
    Case("compliant", "PUB017", "pass"),
    Case(
        "ftps-only",
        "PUB017",
        "fail",
        target="/sites/app-chat-ui",
        mutate=config("app-chat-ui", "ftpsState", "FtpsOnly"),
    ),
    Case(
        "ftps-only-accepted-by-team",
        "PUB017",
        "pass",
        target="/sites/app-chat-ui",
        mutate=config("app-chat-ui", "ftpsState", "FtpsOnly"),
        params={"allowed_states": ["Disabled", "FtpsOnly"]},
    ),
    Case(
        "all-allowed",
        "PUB017",
        "fail",
        target="/sites/app-chat-flow",
        mutate=config("app-chat-flow", "ftpsState", "AllAllowed"),
    ),
    Case(
        "config-not-collected",
        "PUB017",
        "not_assessed",
        target="/sites/",
        mutate=drop_type(CONFIG),
        drop_types=(CONFIG,),
    ),
    Case(
        "config-of-one-site-missing",
        "PUB017",
        "not_assessed",
        target="/sites/app-chat-flow",
        mutate=drop_config("app-chat-flow"),
        contains="not in the snapshot",
    ),
    Case(
        "config-denied",
        "PUB017",
        "not_assessed",
        target="/sites/",
        mutate=drop_type(CONFIG),
        errors=subscription_list_denied(CONFIG),
    ),
    Case("compliant", "PUB018", "pass"),
    Case(
        "tls-1-0",
        "PUB018",
        "fail",
        target="/sites/app-chat-ui",
        mutate=config("app-chat-ui", "minTlsVersion", "1.0"),
    ),
    Case(
        "scm-tls-1-1",
        "PUB018",
        "fail",
        target="/sites/app-chat-ui",
        mutate=config("app-chat-ui", "scmMinTlsVersion", "1.1"),
    ),
    Case(
        "tls-absent",
        "PUB018",
        "pass",
        target="/sites/app-chat-ui",
        mutate=config("app-chat-ui", "minTlsVersion", DELETE),
        contains="absent (platform default 1.2)",
    ),
    Case(
        "tls-1-3",
        "PUB018",
        "pass",
        target="/sites/app-chat-ui",
        mutate=config("app-chat-ui", "minTlsVersion", "1.3"),
    ),
    Case(
        "config-not-collected",
        "PUB018",
        "not_assessed",
        target="/sites/",
        mutate=drop_type(CONFIG),
        drop_types=(CONFIG,),
    ),
    Case("compliant", "PUB019", "pass"),
    Case(
        "not-routed",
        "PUB019",
        "fail",
        target="/sites/app-chat-ui",
        mutate=chain(
            edit(SITES, "app-chat-ui", "properties.vnetRouteAllEnabled", False),
            config("app-chat-ui", "vnetRouteAllEnabled", False),
        ),
        contains="only partly routed",
    ),
    Case(
        "routed-by-config-only",
        "PUB019",
        "pass",
        target="/sites/app-chat-ui",
        mutate=edit(SITES, "app-chat-ui", "properties.vnetRouteAllEnabled", DELETE),
    ),
    Case(
        "routed-by-outbound-vnet-routing",
        "PUB019",
        "pass",
        target="/sites/app-chat-ui",
        mutate=chain(
            edit(SITES, "app-chat-ui", "properties.vnetRouteAllEnabled", DELETE),
            edit(
                SITES,
                "app-chat-ui",
                "properties.outboundVnetRouting",
                {"allTraffic": False, "applicationTraffic": True},
            ),
            config("app-chat-ui", "vnetRouteAllEnabled", False),
        ),
    ),
    Case(
        "no-vnet-integration",
        "PUB019",
        "fail",
        target="/sites/app-chat-flow",
        mutate=edit(SITES, "app-chat-flow", "properties.virtualNetworkSubnetId", None),
        contains="no VNet integration",
    ),
    Case(
        "routing-unknown",
        "PUB019",
        "not_assessed",
        target="/sites/",
        mutate=chain(edit_all(SITES, "properties.vnetRouteAllEnabled", DELETE), drop_type(CONFIG)),
        drop_types=(CONFIG,),
    ),
    # PUB020 - PUB022 Application Gateway
    Case("compliant", "PUB020", "pass"),
    Case(
        "detection-mode",
        "PUB020",
        "fail",
        target="/applicationGateways/",
        mutate=edit(WAF, None, "properties.policySettings.mode", "Detection"),
        contains="mode Detection",
    ),
    Case(
        "policy-disabled",
        "PUB020",
        "fail",
        target="/applicationGateways/",
        mutate=edit(WAF, None, "properties.policySettings.state", "Disabled"),
    ),
    # Api-versions 2018-12-01 and 2019-06-01 name the state `enabledState`: the policySettings of
    # Microsoft's example WafPolicyGet.json of 2019-06-01 (Azure/azure-rest-api-specs at 6e89459a,
    # specification/network/resource-manager/Microsoft.Network/stable/2019-06-01/examples/WafPolicyGet.json).
    Case(
        "enabled-state-2019-06-01",
        "PUB020",
        "pass",
        target="/applicationGateways/",
        mutate=edit(WAF, None, "properties.policySettings", WAF_SETTINGS_2019),
        contains="state Enabled (policySettings.enabledState",
    ),
    Case(
        "enabled-state-disabled",
        "PUB020",
        "fail",
        target="/applicationGateways/",
        mutate=edit(
            WAF, None, "properties.policySettings", {**WAF_SETTINGS_2019, "enabledState": "Disabled"}
        ),
        contains="state Disabled",
    ),
    Case(
        "mode-absent",
        "PUB020",
        "fail",
        target="/applicationGateways/",
        mutate=edit(WAF, None, "properties.policySettings.mode", DELETE),
        contains="absent (platform default Detection)",
    ),
    Case(
        "no-policy-linked",
        "PUB020",
        "fail",
        target="/applicationGateways/",
        mutate=chain(
            edit(GATEWAYS, None, "properties.firewallPolicy", DELETE),
            edit(
                GATEWAYS,
                None,
                "properties.webApplicationFirewallConfiguration",
                {
                    "enabled": True,
                    "firewallMode": "Prevention",
                    "ruleSetType": "OWASP",
                    "ruleSetVersion": "3.2",
                },
            ),
        ),
        contains="legacy webApplicationFirewallConfiguration",
    ),
    Case(
        "listener-policy-in-detection",
        "PUB020",
        "fail",
        target="/applicationGateways/",
        mutate=second_waf_policy_on_listener("Detection"),
        contains="httpListeners[https] -> waf-listener",
    ),
    Case(
        "policy-not-collected",
        "PUB020",
        "not_assessed",
        target="/applicationGateways/",
        mutate=no_waf_readable,
        drop_types=(WAF,),
    ),
    Case("compliant", "PUB021", "pass"),
    Case(
        "legacy-crs-only",
        "PUB021",
        "fail",
        target="/applicationGateways/",
        mutate=edit(
            WAF,
            None,
            "properties.managedRules.managedRuleSets",
            [{"ruleSetType": "OWASP", "ruleSetVersion": "2.2.9"}],
        ),
        contains="OWASP 2.2.9",
    ),
    Case(
        "bot-manager-only",
        "PUB021",
        "fail",
        target="/applicationGateways/",
        mutate=edit(
            WAF,
            None,
            "properties.managedRules.managedRuleSets",
            [{"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.0"}],
        ),
    ),
    Case(
        "no-managed-rules",
        "PUB021",
        "fail",
        target="/applicationGateways/",
        mutate=edit(WAF, None, "properties.managedRules", DELETE),
        contains="no managed rule set",
    ),
    Case(
        "default-rule-set-2-1",
        "PUB021",
        "pass",
        target="/applicationGateways/",
        mutate=edit(
            WAF,
            None,
            "properties.managedRules.managedRuleSets",
            [{"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1"}],
        ),
    ),
    Case(
        "policy-denied",
        "PUB021",
        "not_assessed",
        target="/applicationGateways/",
        mutate=no_waf_readable,
        errors=subscription_list_denied(WAF),
    ),
    Case("compliant", "PUB022", "pass"),
    Case(
        "predefined-2015",
        "PUB022",
        "fail",
        target="/applicationGateways/",
        mutate=edit(
            GATEWAYS,
            None,
            "properties.sslPolicy",
            {"policyType": "Predefined", "policyName": "AppGwSslPolicy20150501"},
        ),
        contains="minimum TLSv1_0",
    ),
    Case(
        "predefined-2022",
        "PUB022",
        "pass",
        target="/applicationGateways/",
        mutate=edit(
            GATEWAYS,
            None,
            "properties.sslPolicy",
            {"policyType": "Predefined", "policyName": "AppGwSslPolicy20220101"},
        ),
    ),
    Case(
        "custom-tls-1-1",
        "PUB022",
        "fail",
        target="/applicationGateways/",
        mutate=edit(GATEWAYS, None, "properties.sslPolicy.minProtocolVersion", "TLSv1_1"),
    ),
    # No policyType: Azure applies minProtocolVersion as it stands.
    Case(
        "min-protocol-without-policy-type",
        "PUB022",
        "pass",
        target="/applicationGateways/",
        mutate=edit(GATEWAYS, None, "properties.sslPolicy", {"minProtocolVersion": "TLSv1_2"}),
        contains="no policyType, minProtocolVersion TLSv1_2",
    ),
    Case(
        "min-protocol-1-1-without-policy-type",
        "PUB022",
        "fail",
        target="/applicationGateways/",
        mutate=edit(GATEWAYS, None, "properties.sslPolicy", {"minProtocolVersion": "TLSv1_1"}),
        contains="minProtocolVersion TLSv1_1",
    ),
    Case(
        "policy-without-version",
        "PUB022",
        "fail",
        target="/applicationGateways/",
        mutate=edit(GATEWAYS, None, "properties.sslPolicy", {"cipherSuites": ["TLS_AES_128_GCM_SHA256"]}),
        contains="AppGwSslPolicy20220101, TLS 1.2, since",
    ),
    Case(
        "policy-absent",
        "PUB022",
        "fail",
        target="/applicationGateways/",
        mutate=edit(GATEWAYS, None, "properties.sslPolicy", DELETE),
        contains="AppGwSslPolicy20150501, TLS 1.0",
    ),
    Case(
        "weak-ssl-profile",
        "PUB022",
        "fail",
        target="/applicationGateways/",
        mutate=ssl_profile({"policyType": "Predefined", "policyName": "AppGwSslPolicy20170401"}),
        contains="sslProfiles[legacy-clients]",
    ),
    Case(
        "disabled-protocols-form",
        "PUB022",
        "pass",
        target="/applicationGateways/",
        mutate=edit(GATEWAYS, None, "properties.sslPolicy", {"disabledSslProtocols": ["TLSv1_0", "TLSv1_1"]}),
    ),
    # PUB023 public IP addresses only on the gateway frontend and Bastion
    Case(
        "compliant",
        "PUB023",
        "pass",
        contains="applicationGateways agw-chat (frontendIPConfigurations/public)",
    ),
    Case(
        "virtual-machine-nic",
        "PUB023",
        "fail",
        target="/publicIPAddresses/pip-vm$",
        mutate=add_public_ip(
            "pip-vm", "Microsoft.Network/networkInterfaces/nic-vm/ipConfigurations/ipconfig1"
        ),
        contains="names Microsoft.Network/networkInterfaces nic-vm (ipConfigurations/ipconfig1); only",
    ),
    Case(
        "load-balancer-frontend",
        "PUB023",
        "fail",
        target="/publicIPAddresses/pip-lb$",
        mutate=add_public_ip("pip-lb", "Microsoft.Network/loadBalancers/lb-web/frontendIPConfigurations/fe"),
        contains="Microsoft.Network/loadBalancers lb-web",
    ),
    Case(
        "nat-gateway",
        "PUB023",
        "fail",
        target="/publicIPAddresses/pip-egress$",
        mutate=add_public_ip("pip-egress", "Microsoft.Network/natGateways/ng-egress", via="natGateway"),
        contains="properties.natGateway.id names Microsoft.Network/natGateways ng-egress",
    ),
    Case(
        "scale-set-instance-nic",
        "PUB023",
        "fail",
        target="/publicIPAddresses/pip-vmss$",
        mutate=add_public_ip(
            "pip-vmss",
            "Microsoft.Compute/virtualMachineScaleSets/vmss-build/virtualMachines/0"
            "/networkInterfaces/nic/ipConfigurations/ip",
        ),
        contains="Microsoft.Compute/virtualMachineScaleSets vmss-build",
    ),
    Case(
        "unattached-passes-with-a-note",
        "PUB023",
        "pass",
        target="/publicIPAddresses/pip-spare$",
        mutate=add_public_ip("pip-spare", None),
        contains="attached to nothing",
    ),
    Case(
        "firewall-not-in-the-architecture",
        "PUB023",
        "fail",
        target="/publicIPAddresses/pip-fw$",
        mutate=add_public_ip(
            "pip-fw", "Microsoft.Network/azureFirewalls/afw-hub/azureFirewallIpConfigurations/ip"
        ),
    ),
    Case(
        "firewall-allowed-by-a-baseline-copy",
        "PUB023",
        "pass",
        target="/publicIPAddresses/pip-fw$",
        mutate=add_public_ip(
            "pip-fw", "Microsoft.Network/azureFirewalls/afw-hub/azureFirewallIpConfigurations/ip"
        ),
        params={
            "allowed_attachment_types": [
                "Microsoft.Network/applicationGateways",
                "Microsoft.Network/bastionHosts",
                "Microsoft.Network/azureFirewalls",
            ]
        },
    ),
    Case(
        "lower-case-attachment-id",
        "PUB023",
        "pass",
        target="/publicIPAddresses/pip-chat-gateway",
        mutate=each_variant(
            lambda v: edit(
                PUBLIC_IPS,
                "pip-chat-gateway",
                "properties.ipConfiguration.id",
                (
                    estates.Ids(v).rg + "/providers/Microsoft.Network/applicationGateways/agw-chat"
                    "/frontendIPConfigurations/public"
                ).lower(),
            )
        ),
    ),
    Case(
        "attachment-unreadable",
        "PUB023",
        "not_assessed",
        target="/publicIPAddresses/pip-chat-gateway",
        mutate=edit(PUBLIC_IPS, "pip-chat-gateway", "properties.ipConfiguration.id", "string"),
        contains="cannot be told",
    ),
    # PUB024 - PUB025 Container Registry hardening
    Case("compliant", "PUB024", "pass", contains="anonymousPullEnabled is false"),
    Case(
        "anonymous-pull-enabled",
        "PUB024",
        "fail",
        target="/registries/",
        mutate=edit(ACR, None, "properties.anonymousPullEnabled", True),
        contains="anonymousPullEnabled is true",
    ),
    Case(
        "anonymous-pull-absent",
        "PUB024",
        "pass",
        target="/registries/",
        mutate=edit(ACR, None, "properties.anonymousPullEnabled", DELETE),
        contains="absent (platform default false)",
    ),
    Case("compliant", "PUB025", "pass", contains="exportPolicy.status is disabled"),
    Case(
        "export-enabled",
        "PUB025",
        "fail",
        target="/registries/",
        mutate=edit(ACR, None, "properties.policies.exportPolicy.status", "enabled"),
    ),
    Case(
        "export-policy-absent",
        "PUB025",
        "fail",
        target="/registries/",
        mutate=edit(ACR, None, "properties.policies", DELETE),
        contains="absent (platform default enabled)",
    ),
    Case(
        "export-disabled-capitalised",
        "PUB025",
        "pass",
        target="/registries/",
        mutate=edit(ACR, None, "properties.policies.exportPolicy.status", "Disabled"),
    ),
    # PUB026 Storage cross-tenant replication
    Case("compliant", "PUB026", "pass", contains="allowCrossTenantReplication is false"),
    Case(
        "cross-tenant-allowed",
        "PUB026",
        "fail",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.allowCrossTenantReplication", True),
    ),
    Case(
        "cross-tenant-absent",
        "PUB026",
        "not_assessed",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.allowCrossTenantReplication", DELETE),
        contains="depends on the account's age",
    ),
    # PUB027 DDoS protection of the gateway's virtual network
    Case("compliant", "PUB027", "pass", contains="ddosProtectionPlan is ddos-workload"),
    Case(
        "ddos-off",
        "PUB027",
        "fail",
        target="/virtualNetworks/vnet-workload",
        mutate=edit(VNETS, None, "properties.enableDdosProtection", False),
    ),
    Case(
        "ddos-absent-no-plan",
        "PUB027",
        "fail",
        target="/virtualNetworks/vnet-workload",
        mutate=chain(
            edit(VNETS, None, "properties.enableDdosProtection", DELETE),
            edit(VNETS, None, "properties.ddosProtectionPlan", DELETE),
        ),
        contains="absent (platform default false)",
    ),
    # PUB028 gateway backends over HTTPS
    Case("compliant", "PUB028", "pass", contains="protocol Https (chat-ui-https)"),
    Case(
        "backend-over-http",
        "PUB028",
        "fail",
        target="/applicationGateways/agw-chat",
        mutate=each_variant(
            lambda v: (
                lambda res, variant: estates.find(res, GATEWAYS)["properties"][
                    "backendHttpSettingsCollection"
                ][0]["properties"].update({"protocol": "Http", "port": 80})
            )
        ),
        contains="chat-ui-https (Http)",
    ),
    Case(
        "no-backend-settings",
        "PUB028",
        "not_assessed",
        target="/applicationGateways/agw-chat",
        mutate=edit(GATEWAYS, None, "properties.backendHttpSettingsCollection", []),
    ),
    # PUB029 Azure OpenAI outbound restriction
    Case("compliant", "PUB029", "pass", contains="restrictOutboundNetworkAccess is true"),
    Case(
        "outbound-open",
        "PUB029",
        "fail",
        target="/accounts/aoai-chat",
        mutate=edit(AOAI, None, "properties.restrictOutboundNetworkAccess", DELETE),
        contains="absent (platform default false)",
    ),
    Case(
        "outbound-restricted-with-list",
        "PUB029",
        "pass",
        target="/accounts/aoai-chat",
        mutate=edit(AOAI, None, "properties.allowedFqdnList", ["contoso.example"]),
        contains="allowed FQDNs: contoso.example",
    ),
    # PUB030 gateway certificates from Key Vault
    Case("compliant", "PUB030", "pass", contains="Key Vault secret reference (gateway-public-cert)"),
    Case(
        "certificate-uploaded",
        "PUB030",
        "fail",
        target="/applicationGateways/agw-chat",
        mutate=edit(
            GATEWAYS,
            None,
            "properties.sslCertificates",
            [{"name": "uploaded", "properties": {"publicCertData": "MIIC..."}}],
        ),
        contains="not referenced from Key Vault: uploaded",
    ),
    Case(
        "no-certificates",
        "PUB030",
        "not_assessed",
        target="/applicationGateways/agw-chat",
        mutate=edit(GATEWAYS, None, "properties.sslCertificates", DELETE),
    ),
    # PUB031 storage copy scope
    Case("compliant", "PUB031", "pass", contains="allowedCopyScope is AAD"),
    Case(
        "copy-scope-absent",
        "PUB031",
        "fail",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.allowedCopyScope", DELETE),
        contains="absent (platform default any source account)",
    ),
    Case(
        "copy-scope-private-link",
        "PUB031",
        "pass",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.allowedCopyScope", "PrivateLink"),
    ),
    # PUB032 registry-scoped tokens only
    Case("compliant", "PUB032", "pass", contains="azureADAuthenticationAsArmPolicy.status is disabled"),
    Case(
        "arm-tokens-accepted",
        "PUB032",
        "fail",
        target="/registries/",
        mutate=edit(ACR, None, "properties.policies.azureADAuthenticationAsArmPolicy", DELETE),
        contains="absent (platform default enabled)",
    ),
    # PUB035 storage local users and SFTP
    Case("compliant", "PUB035", "pass", contains="isLocalUserEnabled is false; properties.isSftpEnabled"),
    Case(
        "local-users-absent",
        "PUB035",
        "fail",
        target=APP_ST,
        mutate=edit(STORAGE, APP_ST, "properties.isLocalUserEnabled", DELETE),
        contains="isLocalUserEnabled is absent (not disabled)",
    ),
    Case(
        "sftp-enabled",
        "PUB035",
        "fail",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.isSftpEnabled", True),
        contains="isSftpEnabled is true",
    ),
    Case(
        "sftp-absent",
        "PUB035",
        "pass",
        target=WS_ST,
        mutate=edit(STORAGE, WS_ST, "properties.isSftpEnabled", DELETE),
        contains="isSftpEnabled is absent (platform default false)",
    ),
    # PUB033 container web apps pull privately with a managed identity
    Case("compliant", "PUB033", "pass", contains="acrUseManagedIdentityCreds is true"),
    Case(
        "registry-password",
        "PUB033",
        "fail",
        target="/sites/app-chat-flow",
        mutate=config("app-chat-flow", "acrUseManagedIdentityCreds", DELETE),
        contains="acrUseManagedIdentityCreds is absent (platform default false)",
    ),
    Case(
        "pull-outside-the-network",
        "PUB033",
        "fail",
        target="/sites/app-chat-flow",
        mutate=edit(SITES, "app-chat-flow", "properties.vnetImagePullEnabled", False),
    ),
    Case(
        "pull-routed-by-outbound-routing",
        "PUB033",
        "pass",
        target="/sites/app-chat-flow",
        mutate=chain(
            edit(SITES, "app-chat-flow", "properties.vnetImagePullEnabled", DELETE),
            edit(SITES, "app-chat-flow", "properties.outboundVnetRouting", {"imagePullTraffic": True}),
        ),
    ),
    Case(
        "config-not-read",
        "PUB033",
        "not_assessed",
        target="/sites/app-chat-flow",
        mutate=drop_config("app-chat-flow"),
    ),
    # Resources that were never listed, or whose list failed
    # PUB034 the firewall behind Disabled public network access
    Case("compliant", "PUB034", "pass"),
    Case(
        "openai-firewall-allows",
        "PUB034",
        "fail",
        target="/accounts/aoai-chat",
        mutate=edit(AOAI, "aoai-chat", "properties.networkAcls.defaultAction", "Allow"),
        contains="re-enabling public access would open the service",
    ),
    Case(
        "registry-rule-set-of-the-example",
        "PUB034",
        "fail",
        target="/registries/",
        mutate=edit(ACR, None, "properties.networkRuleSet", REGISTRY_GET_RULE_SET),
        contains="networkRuleSet.defaultAction is Allow",
    ),
    Case(
        "vault-acl-absent",
        "PUB034",
        "fail",
        target="/vaults/",
        mutate=edit(KV, None, "properties.networkAcls", DELETE),
        contains="absent (platform default Allow)",
    ),
    Case(
        "public-access-enabled-is-the-required-rules-finding",
        "PUB034",
        "pass",
        # The registry, open to the public, is PUB007's failure: were it judged here, it would fail.
        target="/accounts/aoai-chat",
        mutate=chain(
            edit(ACR, None, "properties.publicNetworkAccess", "Enabled"),
            edit(ACR, None, "properties.networkRuleSet.defaultAction", "Allow"),
        ),
    ),
    list_denied("PUB034", STORAGE),
    not_collected("PUB034", ACR),
    not_collected("PUB001", AOAI),
    list_denied("PUB001", AOAI),
    not_collected("PUB002", WORKSPACES),
    not_collected("PUB003", WORKSPACES),
    not_collected("PUB004", WORKSPACES),
    not_collected("PUB005", WORKSPACES),
    not_collected("PUB006", KV),
    list_denied("PUB006", KV),
    not_collected("PUB007", ACR),
    not_collected("PUB008", ACR),
    not_collected("PUB009", STORAGE),
    list_denied("PUB009", STORAGE),
    not_collected("PUB010", STORAGE),
    not_collected("PUB011", STORAGE),
    not_collected("PUB012", STORAGE),
    not_collected("PUB013", SEARCH),
    not_collected("PUB014", KV),
    not_collected("PUB015", SITES),
    not_collected("PUB016", SITES),
    list_denied("PUB016", SITES),
    not_collected("PUB017", SITES),
    not_collected("PUB018", SITES),
    not_collected("PUB019", SITES),
    not_collected("PUB020", GATEWAYS),
    not_collected("PUB021", GATEWAYS),
    list_denied("PUB022", GATEWAYS),
    not_collected("PUB022", GATEWAYS),
    not_collected("PUB023", PUBLIC_IPS),
    list_denied("PUB023", PUBLIC_IPS),
    not_collected("PUB024", ACR),
    not_collected("PUB025", ACR),
    not_collected("PUB026", STORAGE),
    list_denied("PUB026", STORAGE),
    not_collected("PUB027", VNETS),
    not_collected("PUB028", GATEWAYS),
    not_collected("PUB029", AOAI),
    not_collected("PUB030", GATEWAYS),
    not_collected("PUB031", STORAGE),
    not_collected("PUB032", ACR),
    not_collected("PUB033", SITES),
    not_collected("PUB035", STORAGE),
    list_denied("PUB035", STORAGE),
]

# --- network of the Foundry Agent Service design: PUB027 (DDoS Protection, a recommendation there) ---

FOUNDRY = ("foundry",)
CASES += [
    Case(
        "Foundry: compliant",
        "PUB027",
        "pass",
        variants=FOUNDRY,
        contains="ddosProtectionPlan is ddos-workload",
    ),
    Case(
        "Foundry: the reference leaves DDoS Protection off",
        "PUB027",
        "fail",
        target="/virtualNetworks/vnet-workload",
        mutate=chain(
            edit(VNETS, None, "properties.enableDdosProtection", False),
            edit(VNETS, None, "properties.ddosProtectionPlan", DELETE),
        ),
        variants=FOUNDRY,
    ),
    Case(
        "Foundry: virtual networks not collected",
        "PUB027",
        "not_assessed",
        target=f"/subscriptions/{estates.SUB}$",
        mutate=drop_type(VNETS),
        drop_types=(VNETS,),
        variants=FOUNDRY,
    ),
]

# --- data stores (Foundry): Cosmos DB, Defender, policy assignments -------------------------------

FOUNDRY = ("foundry",)
COSMOS = "Microsoft.DocumentDB/databaseAccounts"
PRICINGS = "Microsoft.Security/pricings"
POLICY_ASSIGNMENTS = "Microsoft.Authorization/policyAssignments"
# --- Foundry: the house as the Foundry reference hardens it (ffilter) ------------------------------
FOUNDRY = ("foundry",)
F_SITE = "app-chat-ui"
F_WAF = "waf-chat"


def _foundry(case: Case) -> Case:
    return dataclasses.replace(case, variants=FOUNDRY)


def _drop_policy(guid: str) -> Mutation:
    return lambda res, variant: [
        r for r in res if guid not in str(r.get("properties", {}).get("policyDefinitionId", ""))
    ]


FOUNDRY_DATA: list[Case] = [
    _foundry(c)
    for c in [
        # PUB060 Cosmos DB public network access
        Case("compliant", "PUB060", "pass", target="/databaseAccounts/"),
        Case(
            "public-enabled",
            "PUB060",
            "fail",
            target="/databaseAccounts/",
            mutate=edit(COSMOS, None, "properties.publicNetworkAccess", "Enabled"),
        ),
        Case(
            "public-absent-means-enabled",
            "PUB060",
            "fail",
            target="/databaseAccounts/",
            mutate=edit(COSMOS, None, "properties.publicNetworkAccess", DELETE),
            contains="absent",
        ),
        Case(
            "no-cosmos-account",
            "PUB060",
            "fail",
            target=f"/subscriptions/{estates.SUB}$",
            mutate=drop_type(COSMOS),
            contains="no Cosmos DB account",
        ),
        not_collected("PUB060", COSMOS),
        list_denied("PUB060", COSMOS),
        # PUB061 Cosmos DB local authentication
        Case("compliant", "PUB061", "pass", target="/databaseAccounts/"),
        Case(
            "keys-on",
            "PUB061",
            "fail",
            target="/databaseAccounts/",
            mutate=edit(COSMOS, None, "properties.disableLocalAuth", False),
        ),
        Case(
            "absent-means-keys-on",
            "PUB061",
            "fail",
            target="/databaseAccounts/",
            mutate=edit(COSMOS, None, "properties.disableLocalAuth", DELETE),
            contains="absent",
        ),
        not_collected("PUB061", COSMOS),
        # PUB062 Cosmos DB key-based metadata writes
        Case("compliant", "PUB062", "pass", target="/databaseAccounts/"),
        Case(
            "metadata-writes-by-key",
            "PUB062",
            "fail",
            target="/databaseAccounts/",
            mutate=edit(COSMOS, None, "properties.disableKeyBasedMetadataWriteAccess", False),
        ),
        not_collected("PUB062", COSMOS),
        # PUB064 Defender for AI
        Case("compliant", "PUB064", "pass", target="/pricings/AI", contains="Standard"),
        Case(
            "free-tier",
            "PUB064",
            "fail",
            target="/pricings/AI",
            mutate=edit(PRICINGS, "AI", "properties.pricingTier", "Free"),
        ),
        Case(
            "plan-never-set",
            "PUB064",
            "fail",
            target="/pricings/AI",
            mutate=drop_type(PRICINGS),
            contains="absent",
        ),
        Case(
            "a-second-plan-asked-for",
            "PUB064",
            "fail",
            target="/pricings/CosmosDbs",
            params={"plans": ["AI", "CosmosDbs"]},
        ),
        not_collected("PUB064", PRICINGS),
        Case(
            "pricings-denied",
            "PUB064",
            "not_assessed",
            target=f"{estates.SUB}/providers/{PRICINGS}$",
            errors=subscription_list_denied(PRICINGS),
            others=None,
        ),
        # PUB065 the reference's policy assignments
        Case("compliant", "PUB065", "pass", target="/policyAssignments", contains="all 11"),
        Case(
            "one-removed",
            "PUB065",
            "fail",
            target="/policyAssignments",
            mutate=_drop_policy("44c5a1f9-7ef6-4c38-880c-273e8f7a3c24"),
            contains="missing: 44c5a1f9-7ef6-4c38-880c-273e8f7a3c24",
        ),
        Case(
            "effect-disabled",
            "PUB065",
            "fail",
            target="/policyAssignments",
            mutate=edit_all(POLICY_ASSIGNMENTS, "properties.parameters.effect.value", "Disabled"),
            contains="0 of 11",
        ),
        Case(
            "deny-is-stronger",
            "PUB065",
            "pass",
            target="/policyAssignments",
            mutate=edit_all(POLICY_ASSIGNMENTS, "properties.parameters.effect.value", "Deny"),
        ),
        not_collected("PUB065", POLICY_ASSIGNMENTS),
        list_denied("PUB065", POLICY_ASSIGNMENTS),
        # PUB012 on the agent's storage (the Foundry baseline adds its role)
        Case(
            "agent-storage-shared-key",
            "PUB012",
            "fail",
            target="/stagentchat",
            mutate=edit(STORAGE, "stagentchat", "properties.allowSharedKeyAccess", True),
        ),
    ]
]

CASES += FOUNDRY_DATA


def _bots(version: str | None) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        rule_sets = estates.find(res, WAF)["properties"]["managedRules"]["managedRuleSets"]
        rule_sets[:] = [s for s in rule_sets if s["ruleSetType"] != "Microsoft_BotManagerRuleSet"]
        if version is not None:
            rule_sets.append({"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": version})

    return mutate


FOUNDRY_HOUSE_CASES: list[Case] = [
    Case("SSH off", "PUB080", "pass", target=F_SITE, variants=FOUNDRY, contains="sshEnabled is false"),
    Case(
        "SSH on",
        "PUB080",
        "fail",
        target=F_SITE,
        mutate=edit(SITES, F_SITE, "properties.sshEnabled", True),
        variants=FOUNDRY,
    ),
    Case(
        "SSH left at the default",
        "PUB080",
        "fail",
        target=F_SITE,
        mutate=edit(SITES, F_SITE, "properties.sshEnabled", DELETE),
        variants=FOUNDRY,
        contains="platform default true",
    ),
    _foundry(not_collected("PUB080", SITES)),
    Case("end-to-end encryption", "PUB081", "pass", target=F_SITE, variants=FOUNDRY),
    Case(
        "end-to-end encryption off",
        "PUB081",
        "fail",
        target=F_SITE,
        mutate=edit(SITES, F_SITE, "properties.endToEndEncryptionEnabled", False),
        variants=FOUNDRY,
    ),
    Case(
        "end-to-end encryption absent",
        "PUB081",
        "fail",
        target=F_SITE,
        mutate=edit(SITES, F_SITE, "properties.endToEndEncryptionEnabled", DELETE),
        variants=FOUNDRY,
    ),
    _foundry(not_collected("PUB081", SITES)),
    Case("request bodies enforced", "PUB082", "pass", target=F_WAF, variants=FOUNDRY),
    Case(
        "flags absent: platform defaults",
        "PUB082",
        "pass",
        target=F_WAF,
        mutate=chain(
            edit(WAF, F_WAF, "properties.policySettings.requestBodyEnforcement", DELETE),
            edit(WAF, F_WAF, "properties.policySettings.fileUploadEnforcement", DELETE),
        ),
        variants=FOUNDRY,
    ),
    Case(
        "request body enforcement off",
        "PUB082",
        "fail",
        target=F_WAF,
        mutate=edit(WAF, F_WAF, "properties.policySettings.requestBodyEnforcement", False),
        variants=FOUNDRY,
        contains="requestBodyEnforcement false",
    ),
    Case(
        "request body not inspected",
        "PUB082",
        "fail",
        target=F_WAF,
        mutate=edit(WAF, F_WAF, "properties.policySettings.requestBodyCheck", False),
        variants=FOUNDRY,
    ),
    Case(
        "no policySettings in the body",
        "PUB082",
        "not_assessed",
        target=F_WAF,
        mutate=edit(WAF, F_WAF, "properties.policySettings", DELETE),
        variants=FOUNDRY,
        contains="policySettings is absent",
    ),
    _foundry(not_collected("PUB082", WAF)),
    Case("Bot Manager 1.1", "PUB083", "pass", target=F_WAF, variants=FOUNDRY),
    Case("Bot Manager 1.0", "PUB083", "fail", target=F_WAF, mutate=_bots("1.0"), variants=FOUNDRY),
    Case(
        "Bot Manager 1.0 accepted by a baseline copy",
        "PUB083",
        "pass",
        target=F_WAF,
        mutate=_bots("1.0"),
        params={"minimum_version": "1.0"},
        variants=FOUNDRY,
    ),
    Case("no Bot Manager", "PUB083", "fail", target=F_WAF, mutate=_bots(None), variants=FOUNDRY),
    _foundry(not_collected("PUB083", WAF)),
]

PUBLISHING = "Microsoft.Web/sites/basicPublishingCredentialsPolicies"


def _publishing(policy: str) -> str:
    return f"{foundry.CHAT_UI_SITE}/basicPublishingCredentialsPolicies/{policy}"


def _drop_publishing(policy: str) -> Mutation:
    return lambda res, variant: [r for r in res if r["id"].lower() != _publishing(policy).lower()]


def _allow(policy: str, value: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        body = next(r for r in res if r["id"].lower() == _publishing(policy).lower())
        set_path(body, "properties.allow", value, remove=DELETE)

    return mutate


FOUNDRY_HOUSE_CASES += [
    Case(
        "basic-auth publishing off",
        "PUB084",
        "pass",
        target=F_SITE,
        variants=FOUNDRY,
        contains="ftp allow false, scm allow false",
    ),
    Case(
        "SCM basic auth allowed",
        "PUB084",
        "fail",
        target=F_SITE,
        mutate=_allow("scm", True),
        variants=FOUNDRY,
        contains="scm allow true",
    ),
    Case(
        "FTP basic auth allowed",
        "PUB084",
        "fail",
        target=F_SITE,
        mutate=_allow("ftp", True),
        variants=FOUNDRY,
        contains="ftp allow true",
    ),
    Case(
        "allow absent: the platform default",
        "PUB084",
        "fail",
        target=F_SITE,
        mutate=_allow("ftp", DELETE),
        variants=FOUNDRY,
        contains="ftp allow absent",
    ),
    Case(
        "policies not collected",
        "PUB084",
        "not_assessed",
        target=F_SITE,
        mutate=drop_type(PUBLISHING),
        drop_types=(PUBLISHING,),
        variants=FOUNDRY,
        contains="not collected",
    ),
    Case(
        "SCM policy absent from the snapshot",
        "PUB084",
        "not_assessed",
        target=F_SITE,
        mutate=_drop_publishing("scm"),
        variants=FOUNDRY,
        contains="basicPublishingCredentialsPolicies/scm unknown: it is not in the snapshot",
    ),
    Case(
        "FTP policy read denied",
        "PUB084",
        "not_assessed",
        target=F_SITE,
        mutate=_drop_publishing("ftp"),
        errors=denied(PUBLISHING, lambda v: _publishing("ftp")),
        variants=FOUNDRY,
        contains="HTTP 403",
    ),
    _foundry(not_collected("PUB084", SITES)),
    # PUB001 names what it judges: the Foundry account here, Azure OpenAI in the prompt flow editions.
    Case(
        "names the Foundry account",
        "PUB001",
        "pass",
        target="/accounts/ais-chat",
        variants=FOUNDRY,
        contains="Foundry account: properties.publicNetworkAccess is Disabled",
    ),
    Case(
        "names the Azure OpenAI account",
        "PUB001",
        "fail",
        target="/accounts/aoai-chat",
        mutate=edit(AOAI, "aoai-chat", "properties.publicNetworkAccess", "Enabled"),
        contains="Azure OpenAI account: properties.publicNetworkAccess is Enabled",
    ),
]
CASES += FOUNDRY_HOUSE_CASES
# --- Foundry account and project (fcore) ---------------------------------------------------
FOUNDRY_CORE_RULES = ("PUB040",)  # their cases: tests/cases/foundry_core.py
CASES += foundry_core.PUBLIC_ACCESS
