"""The Foundry sample's house: what the design shares with the hub variant.

App Service (the chat UI, its plan and autoscale setting), Application Gateway with its WAF policy,
Bastion and the public IPs, Key Vault, the app's storage account, Log Analytics and the two
user-assigned identities of the UI and the gateway, with their private endpoints and diagnostic
settings. They are taken from the hub sample and moved into the Foundry sample's resource group; the
network, the role assignments and everything of the prompt flow tier are left to the other parts.
`_harden` then sets what the Foundry reference changes (infra-as-code/bicep/web-app.bicep and
application-gateway.bicep): the web app with FTPS off, basic-auth publishing off (FTP and SCM), SSH
off, end-to-end encryption, no client affinity, HTTP/2 off and three more log categories; the gateway
with HTTP/2; the WAF policy on Microsoft_DefaultRuleSet 2.1 and Bot Manager 1.1 with request-body enforcement.
"""

from __future__ import annotations

import json
from typing import Any

from tests import estates
from tests.estates import Builder, find
from tests.foundry import CHAT_UI_SITE, GATEWAY

Resource = dict[str, Any]

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
PUBLISHING_POLICIES = "Microsoft.Web/sites/basicPublishingCredentialsPolicies"
COLLECTED: list[str] = [PUBLISHING_POLICIES]

# What the house keeps of the hub sample: resources whose id starts with one of these (lower case,
# after the move), and their children, private endpoints and diagnostic settings.
_KEPT = (
    "microsoft.web/sites/app-chat-ui",
    "microsoft.web/serverfarms/asp-chat",
    "microsoft.insights/autoscalesettings/",
    "microsoft.network/applicationgateways/agw-chat",
    "microsoft.network/applicationgatewaywebapplicationfirewallpolicies/waf-chat",
    "microsoft.network/bastionhosts/",
    "microsoft.network/publicipaddresses/",
    "microsoft.keyvault/vaults/kv-chat-foundry",
    "microsoft.storage/storageaccounts/stwebchatfoundry",
    "microsoft.operationalinsights/workspaces/",
    "microsoft.managedidentity/userassignedidentities/",
    "microsoft.network/privateendpoints/pe-app-chat-ui-sites",
    "microsoft.network/privateendpoints/pe-kv-chat-foundry-vault",
    "microsoft.network/privateendpoints/pe-stwebchatfoundry-blob",
)


def _kept(resource: Resource) -> bool:
    if resource["type"] in (
        "Microsoft.Authorization/roleAssignments",
        "Microsoft.Insights/diagnosticSettingsCategories",
    ):
        return False
    local = resource["id"].lower().split("/providers/", 1)[-1]
    return local.startswith(_KEPT)


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    moved = json.loads(json.dumps(estates.compliant("aistudio")).replace("aistudio", "foundry"))
    for resource in moved:
        if not _kept(resource):
            continue
        b.add(resource)
        if resource["type"] == "Microsoft.Insights/diagnosticSettings":
            b.log_categories(resource["id"].split("/providers/Microsoft.Insights/", 1)[0])
    for resource in b.resources:
        # The private endpoints the hub sample recorded on the moved targets stay; the prompt flow
        # app's do not concern the house.
        connections = resource.get("properties", {}).get("privateEndpointConnections")
        if connections:
            resource["properties"]["privateEndpointConnections"] = [
                c for c in connections if "pe-app-chat-flow" not in json.dumps(c)
            ]
    _harden(b.resources)
    for policy in ("ftp", "scm"):
        b.add(_publishing_policy(policy, allow=False))


def _publishing_policy(policy: str, allow: bool) -> Resource:
    """The chat UI's basic-auth publishing policy for FTP or the SCM site, as ARM returns it."""
    return {
        "id": f"{CHAT_UI_SITE}/basicPublishingCredentialsPolicies/{policy}",
        "name": policy,
        "type": PUBLISHING_POLICIES,
        "properties": {"allow": allow},
    }


# The web app's log categories in the Foundry reference (web-app.bicep): the prompt flow editions' four
# and three more; it sends no metrics.
WEB_APP_LOGS = (
    "AppServiceHTTPLogs",
    "AppServiceConsoleLogs",
    "AppServiceAppLogs",
    "AppServicePlatformLogs",
    "AppServiceAuditLogs",
    "AppServiceIPSecAuditLogs",
    "AppServiceAuthenticationLogs",
)


def _by_id(resources: list[Resource], resource_id: str) -> Resource:
    return next(r for r in resources if r["id"].lower() == resource_id.lower())


def _harden(resources: list[Resource]) -> None:
    site = _by_id(resources, CHAT_UI_SITE)
    site["properties"].update(
        {
            "sshEnabled": False,
            "endToEndEncryptionEnabled": True,
            "clientAffinityEnabled": False,
            "outboundVnetRouting": {
                "applicationTraffic": True,
                "contentShareTraffic": True,
                "imagePullTraffic": True,
            },
        }
    )
    site["properties"]["siteConfig"].update({"ftpsState": "Disabled", "http20Enabled": False})
    _by_id(resources, f"{CHAT_UI_SITE}/config/web")["properties"].update(
        {"ftpsState": "Disabled", "http20Enabled": False}
    )
    setting = _by_id(resources, f"{CHAT_UI_SITE}/providers/Microsoft.Insights/diagnosticSettings/default")
    setting["properties"]["logs"] = [
        {"category": c, "categoryGroup": None, "enabled": True} for c in WEB_APP_LOGS
    ]
    setting["properties"]["metrics"] = []
    _by_id(resources, GATEWAY)["properties"]["enableHttp2"] = True
    waf = find(resources, WAF)
    waf["properties"]["policySettings"] = {
        "state": "Enabled",
        "mode": "Prevention",
        "requestBodyCheck": True,
        "requestBodyEnforcement": True,
        "maxRequestBodySizeInKb": 128,
        "requestBodyInspectLimitInKB": 128,
        "fileUploadEnforcement": True,
        "fileUploadLimitInMb": 10,
    }
    waf["properties"]["managedRules"] = {
        "managedRuleSets": [
            {"ruleSetType": "Microsoft_DefaultRuleSet", "ruleSetVersion": "2.1", "ruleGroupOverrides": []},
            {"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.1", "ruleGroupOverrides": []},
        ],
        # Chat messages trip the SQL, script and command injection groups: the reference excludes the
        # request argument carrying them from those groups only.
        "exclusions": [
            {
                "matchVariable": "RequestArgValues",
                "selectorMatchOperator": "Contains",
                "selector": "content",
                "exclusionManagedRuleSets": [
                    {
                        "ruleSetType": "Microsoft_DefaultRuleSet",
                        "ruleSetVersion": "2.1",
                        "ruleGroups": [{"ruleGroupName": g, "rules": []} for g in _EXCLUDED_GROUPS],
                    }
                ],
            }
        ],
    }


WAF = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
_EXCLUDED_GROUPS = (
    "SQLI",
    "MS-ThreatIntel-SQLI",
    "PROTOCOL-ATTACK",
    "XSS",
    "RCE",
    "LFI",
    "RFI",
    "PHP",
    "MS-ThreatIntel-AppSec",
    "MS-ThreatIntel-WebShells",
    "MS-ThreatIntel-CVEs",
)


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place).

    The web app: SSH on, no end-to-end encryption, client affinity left at its default (on), FTPS
    allowed, basic-auth publishing through the SCM site allowed, the authentication log not collected;
    the WAF policy: request bodies not enforced and Bot Manager 1.0, older than the reference's 1.1; the
    plan: not zone-redundant."""
    site = _by_id(resources, CHAT_UI_SITE)
    site["properties"]["sshEnabled"] = True
    site["properties"]["endToEndEncryptionEnabled"] = False
    site["properties"].pop("clientAffinityEnabled")
    _by_id(resources, f"{CHAT_UI_SITE}/config/web")["properties"]["ftpsState"] = "FtpsOnly"
    _by_id(resources, f"{CHAT_UI_SITE}/basicPublishingCredentialsPolicies/scm")["properties"]["allow"] = True
    setting = _by_id(resources, f"{CHAT_UI_SITE}/providers/Microsoft.Insights/diagnosticSettings/default")
    setting["properties"]["logs"] = [
        log for log in setting["properties"]["logs"] if log["category"] != "AppServiceAuthenticationLogs"
    ]
    waf = find(resources, WAF)
    waf["properties"]["policySettings"]["requestBodyEnforcement"] = False
    for rule_set in waf["properties"]["managedRules"]["managedRuleSets"]:
        if rule_set["ruleSetType"] == "Microsoft_BotManagerRuleSet":
            rule_set["ruleSetVersion"] = "1.0"
    find(resources, "Microsoft.Web/serverfarms")["properties"]["zoneRedundant"] = False
