"""Sample estates: the reference architecture as ARM GET would return it, per variant.

`compliant(variant)` builds an estate that follows the architecture (and, where the
architecture's text is stricter than Microsoft's reference implementation, the text:
deny-all outbound on the App Service subnet, deny-all inbound on the jump-box subnet,
the agents-subnet deny rule on the agents prefix). `drifted(variant)` applies drift in
every control family. Tests mutate these estates for their failing cases, and
`python -m tests.make_examples` writes them to examples/.

Names are deliberately not the reference implementation's: roles must come from structure.
"""

from __future__ import annotations

import copy
import uuid
from collections.abc import Callable, Iterable
from typing import Any

from auditor.analysis import builtin_roles
from auditor.analysis.log_categories import resource_type_of

Resource = dict[str, Any]

SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
TENANT = "72f988bf-0000-4000-8000-0000000000aa"
LOCATION = "eastus2"
VARIANTS = ("aistudio", "aml")
# The Foundry Agent Service variant's sample is built in tests/foundry from the same Builder.
FOUNDRY = "foundry"
ROLE_DEFINITIONS = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions"

# Every ARM type the collector reads; examples declare them as collected.
COLLECTED_TYPES = [
    "Microsoft.Network/virtualNetworks",
    "Microsoft.Network/networkSecurityGroups",
    "Microsoft.Network/privateEndpoints",
    "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
    "Microsoft.Network/applicationGateways",
    "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
    "Microsoft.Network/bastionHosts",
    "Microsoft.Network/publicIPAddresses",
    "Microsoft.CognitiveServices/accounts",
    "Microsoft.CognitiveServices/accounts/deployments",
    "Microsoft.CognitiveServices/accounts/raiPolicies",
    "Microsoft.MachineLearningServices/workspaces",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
    "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
    "Microsoft.MachineLearningServices/workspaces/computes",
    "Microsoft.MachineLearningServices/workspaces/outboundRules",
    "Microsoft.MachineLearningServices/workspaces/connections",
    "Microsoft.Web/sites",
    "Microsoft.Web/sites/config",
    "Microsoft.Web/serverfarms",
    "Microsoft.Insights/autoscalesettings",
    "Microsoft.KeyVault/vaults",
    "Microsoft.ContainerRegistry/registries",
    "Microsoft.Storage/storageAccounts",
    "Microsoft.Storage/storageAccounts/blobServices",
    "Microsoft.Storage/storageAccounts/fileServices",
    "Microsoft.Search/searchServices",
    "Microsoft.ManagedIdentity/userAssignedIdentities",
    "Microsoft.Authorization/roleAssignments",
    "Microsoft.Authorization/roleDefinitions",
    "Microsoft.Insights/diagnosticSettings",
    "Microsoft.Insights/diagnosticSettingsCategories",
]

# The log categories of each resource type as `diagnosticSettingsCategories` returns them, with their
# category groups, for the types the samples hold one resource of (the collector reads the categories
# of the first resource of each type; with several, which one comes first is not fixed). The audit
# categories are those Microsoft Learn's "Supported logs" pages name as audit logs.
CATEGORY_GROUPS: dict[str, dict[str, list[str]]] = {
    "Microsoft.CognitiveServices/accounts": {
        "Audit": ["audit", "allLogs"],
        "RequestResponse": ["allLogs"],
        "AzureOpenAIRequestUsage": ["allLogs"],
        "Trace": ["allLogs"],
    },
    "Microsoft.KeyVault/vaults": {
        "AuditEvent": ["audit", "allLogs"],
        "AzurePolicyEvaluationDetails": ["allLogs"],
    },
    "Microsoft.ContainerRegistry/registries": {
        "ContainerRegistryRepositoryEvents": ["audit", "allLogs"],
        "ContainerRegistryLoginEvents": ["audit", "allLogs"],
    },
    "Microsoft.Network/applicationGateways": {
        "ApplicationGatewayAccessLog": ["allLogs"],
        "ApplicationGatewayPerformanceLog": ["allLogs"],
        "ApplicationGatewayFirewallLog": ["allLogs"],
    },
    "Microsoft.Network/bastionHosts": {"BastionAuditLogs": ["audit", "allLogs"]},
}


def _guid(*parts: str) -> str:
    """Deterministic GUIDs so the examples do not change from one generation to the next."""
    return str(uuid.uuid5(uuid.NAMESPACE_URL, "auditor-sample/" + "/".join(parts)))


class Ids:
    """The ARM ids of one sample estate."""

    def __init__(self, variant: str) -> None:
        self.variant = variant
        self.rg = f"/subscriptions/{SUB}/resourceGroups/rg-chat-{variant}"
        self.net = self.rg + "/providers/Microsoft.Network"
        self.vnet = self.net + "/virtualNetworks/vnet-workload"

    def subnet(self, name: str) -> str:
        return f"{self.vnet}/subnets/{name}"

    def nsg(self, name: str) -> str:
        return f"{self.net}/networkSecurityGroups/nsg-{name}"

    def res(self, provider_type: str, name: str) -> str:
        return f"{self.rg}/providers/{provider_type}/{name}"


# Subnet name -> (prefix, role used below). Names avoid the reference's on purpose.
SUBNETS: dict[str, str] = {
    "web-integration": "10.20.0.0/24",
    "edge-gateway": "10.20.1.0/24",
    "private-links": "10.20.2.0/27",
    "build-agents": "10.20.2.32/27",
    "AzureBastionSubnet": "10.20.2.64/26",
    "jumpbox": "10.20.2.128/28",
    "training": "10.20.3.0/24",
    "scoring": "10.20.4.0/24",
}
VNET_PREFIX = "10.20.0.0/16"

DEFAULT_RULES = [
    ("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
    ("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
    ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
    ("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
]


def security_rule(
    nsg_id: str,
    name: str,
    priority: int,
    direction: str,
    access: str,
    protocol: str,
    source: str | list[str],
    destination: str | list[str],
    ports: str | list[str],
    kind: str = "securityRules",
) -> Resource:
    """One NSG rule in ARM's shape: a single value in the singular field, a list in the plural."""
    props: dict[str, Any] = {
        "provisioningState": "Succeeded",
        "priority": priority,
        "direction": direction,
        "access": access,
        "protocol": protocol,
        "sourcePortRange": "*",
    }
    for singular, plural, value in (
        ("sourceAddressPrefix", "sourceAddressPrefixes", source),
        ("destinationAddressPrefix", "destinationAddressPrefixes", destination),
        ("destinationPortRange", "destinationPortRanges", ports),
    ):
        if isinstance(value, list):
            props[plural] = value
        else:
            props[singular] = value
    return {
        "name": name,
        "id": f"{nsg_id}/{kind}/{name}",
        "type": f"Microsoft.Network/networkSecurityGroups/{kind}",
        "properties": props,
    }


def deny_out(prefix: str) -> tuple[Any, ...]:
    """The deny-all outbound rule the architecture puts on VNet-only subnets."""
    return ("DenyAllOutBound", 1000, "Outbound", "Deny", "*", prefix, "*", "*")


def bastion_rules(bastion: str) -> list[tuple[Any, ...]]:
    """The NSG rules Azure Bastion needs on its subnet (`bastion`: the subnet's prefix), in every sample."""
    return [
        ("Bastion.In.Allow.Https", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "443"),
        ("Bastion.In.Allow.GatewayManager", 110, "Inbound", "Allow", "Tcp", "GatewayManager", "*",
         ["443", "4443"]),
        ("Bastion.In.Allow.LoadBalancer", 120, "Inbound", "Allow", "Tcp", "AzureLoadBalancer", "*",
         "443"),
        ("Bastion.In.Allow.BastionHostCommunication", 130, "Inbound", "Allow", "*", "VirtualNetwork",
         "VirtualNetwork", ["8080", "5701"]),
        ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*"),
        ("Bastion.Out.Allow.SshRdp", 100, "Outbound", "Allow", "Tcp", "*", "VirtualNetwork",
         ["22", "3389"]),
        ("Bastion.Out.Allow.AzureMonitor", 110, "Outbound", "Allow", "*", bastion, "AzureMonitor", "*"),
        ("Bastion.Out.Allow.AzureCloudCommunication", 120, "Outbound", "Allow", "Tcp", "*", "AzureCloud",
         "443"),
        ("Bastion.Out.Allow.BastionHostCommunication", 130, "Outbound", "Allow", "*", "VirtualNetwork",
         "VirtualNetwork", ["8080", "5701"]),
        ("Bastion.Out.Allow.GetSessionInformation", 140, "Outbound", "Allow", "*", "*", "Internet",
         ["80", "443"]),
        ("DenyAllOutBound", 1000, "Outbound", "Deny", "*", "*", "*", "*"),
    ]  # fmt: skip


def nsg_rules(variant: str) -> dict[str, list[tuple[Any, ...]]]:
    """NSG rules per subnet: (name, priority, direction, access, protocol, src, dst, ports)."""
    appgw, pe = SUBNETS["edge-gateway"], SUBNETS["private-links"]
    web, bastion, jump = SUBNETS["web-integration"], SUBNETS["AzureBastionSubnet"], SUBNETS["jumpbox"]
    return {
        "edge-gateway": [
            ("AppGw.In.Allow.ControlPlane", 100, "Inbound", "Allow", "*", "*", "*", "65200-65535"),
            ("AppGw.In.Allow443.Internet", 110, "Inbound", "Allow", "Tcp", "Internet", appgw, "443"),
            ("AppGw.In.Allow.LoadBalancer", 120, "Inbound", "Allow", "*", "AzureLoadBalancer", "*", "*"),
            ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*"),
            ("AppGw.Out.Allow.PrivateEndpoints", 100, "Outbound", "Allow", "*", appgw, pe, "*"),
            ("AppGw.Out.Allow.AzureMonitor", 110, "Outbound", "Allow", "*", appgw, "AzureMonitor", "*"),
        ],
        "web-integration": [
            ("AppPlan.Out.Allow.PrivateEndpoints", 100, "Outbound", "Allow", "Tcp", web, pe, "443"),
            ("AppPlan.Out.Allow.AzureMonitor", 110, "Outbound", "Allow", "*", web, "AzureMonitor", "*"),
            ("DenyAllOutBound", 1000, "Outbound", "Deny", "*", web, "*", "*"),
        ],
        "private-links": [deny_out(pe)],
        "build-agents": [deny_out(SUBNETS["build-agents"])],
        "training": [deny_out(SUBNETS["training"])],
        "scoring": [deny_out(SUBNETS["scoring"])],
        "AzureBastionSubnet": bastion_rules(bastion),
        "jumpbox": [
            ("Jumpbox.In.Allow.SshRdp", 100, "Inbound", "Allow", "Tcp", bastion, jump, ["22", "3389"]),
            ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*"),
            ("Jumpbox.Out.Allow.PrivateEndpoints", 100, "Outbound", "Allow", "*", jump, pe, "*"),
            ("Jumpbox.Out.Allow.Internet", 130, "Outbound", "Allow", "*", jump, "Internet", "*"),
            ("DenyAllOutBound", 1000, "Outbound", "Deny", "*", jump, "*", "*"),
        ],
    }  # fmt: skip


def make_nsg(ids: Ids, subnet: str, rules: Iterable[tuple[Any, ...]]) -> Resource:
    nsg_id = ids.nsg(subnet.lower())
    return {
        "id": nsg_id,
        "name": f"nsg-{subnet.lower()}",
        "type": "Microsoft.Network/networkSecurityGroups",
        "location": LOCATION,
        "properties": {
            "provisioningState": "Succeeded",
            "securityRules": [security_rule(nsg_id, *r) for r in rules],
            "defaultSecurityRules": [
                security_rule(nsg_id, n, p, d, a, "*", s, t, "*", kind="defaultSecurityRules")
                for n, p, d, a, s, t in DEFAULT_RULES
            ],
            "subnets": [{"id": ids.subnet(subnet)}],
        },
    }


def make_vnet(ids: Ids) -> Resource:
    subnets = []
    for name, prefix in SUBNETS.items():
        props: dict[str, Any] = {
            "addressPrefix": prefix,
            "networkSecurityGroup": {"id": ids.nsg(name.lower())},
            "privateEndpointNetworkPolicies": "Disabled",
            "privateLinkServiceNetworkPolicies": "Enabled",
            "provisioningState": "Succeeded",
        }
        if name == "web-integration":
            props["delegations"] = [
                {
                    "name": "delegation",
                    "id": f"{ids.subnet(name)}/delegations/delegation",
                    "properties": {"serviceName": "Microsoft.Web/serverFarms"},
                    "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
                }
            ]
        if name == "private-links":
            props["privateEndpointNetworkPolicies"] = "NetworkSecurityGroupEnabled"
            props["defaultOutboundAccess"] = False
        subnets.append(
            {
                "name": name,
                "id": ids.subnet(name),
                "type": "Microsoft.Network/virtualNetworks/subnets",
                "properties": props,
            }
        )
    return {
        "id": ids.vnet,
        "name": "vnet-workload",
        "type": "Microsoft.Network/virtualNetworks",
        "location": LOCATION,
        "properties": {
            "addressSpace": {"addressPrefixes": [VNET_PREFIX]},
            "enableDdosProtection": True,
            "ddosProtectionPlan": {"id": ids.net + "/ddosProtectionPlans/ddos-workload"},
            "subnets": subnets,
            "provisioningState": "Succeeded",
        },
    }


def public_ip(
    ids: Ids, name: str, attached_to: str, sku: str = "Standard", zones: Iterable[str] = ("1", "2", "3")
) -> Resource:
    """A static public IP address attached to an IP configuration (`attached_to`), as ARM GET returns it."""
    body: Resource = {
        "id": f"{ids.net}/publicIPAddresses/{name}",
        "name": name,
        "type": "Microsoft.Network/publicIPAddresses",
        "location": LOCATION,
        "sku": {"name": sku, "tier": "Regional"},
        "properties": {
            "provisioningState": "Succeeded",
            "publicIPAddressVersion": "IPv4",
            "publicIPAllocationMethod": "Static",
            "idleTimeoutInMinutes": 4,
            "ipConfiguration": {"id": attached_to},
        },
    }
    if zones:
        body["zones"] = list(zones)
    return body


def identity_system(seed: str) -> dict[str, Any]:
    return {"type": "SystemAssigned", "principalId": _guid("principal", seed), "tenantId": TENANT}


def identity_user(ids: Ids, *uamis: str, system_seed: str | None = None) -> dict[str, Any]:
    block: dict[str, Any] = {
        "type": "SystemAssigned, UserAssigned" if system_seed else "UserAssigned",
        "userAssignedIdentities": {
            ids.res("Microsoft.ManagedIdentity/userAssignedIdentities", u): {
                "principalId": _guid("principal", u),
                "clientId": _guid("client", u),
            }
            for u in uamis
        },
    }
    if system_seed:
        block["principalId"] = _guid("principal", system_seed)
        block["tenantId"] = TENANT
    return block


def approved_connection(target_id: str, pe_id: str) -> dict[str, Any]:
    return {
        "id": f"{target_id}/privateEndpointConnections/{pe_id.rsplit('/', 1)[-1]}",
        "name": pe_id.rsplit("/", 1)[-1],
        "properties": {
            "privateEndpoint": {"id": pe_id},
            "privateLinkServiceConnectionState": {"status": "Approved", "description": "Auto-approved"},
            "provisioningState": "Succeeded",
        },
    }


class Builder:
    """Accumulates the resources of one sample estate."""

    def __init__(self, variant: str) -> None:
        if variant not in (*VARIANTS, FOUNDRY):
            raise ValueError(variant)
        self.variant = variant
        self.ids = Ids(variant)
        self.resources: list[Resource] = []
        self._categories_of: set[str] = set()
        self.law = self.ids.res("Microsoft.OperationalInsights/workspaces", "log-chat")
        self.pe_subnet = self.ids.subnet("private-links")

    def add(self, resource: Resource) -> Resource:
        self.resources.append(resource)
        return resource

    # -- private endpoints and diagnostics ---------------------------------

    def private_endpoint(self, target: Resource, group: str, zones: list[str]) -> None:
        name = f"pe-{target['name']}-{group}".lower()
        pe_id = self.ids.res("Microsoft.Network/privateEndpoints", name)
        self.add(
            {
                "id": pe_id,
                "name": name,
                "type": "Microsoft.Network/privateEndpoints",
                "location": LOCATION,
                "properties": {
                    "provisioningState": "Succeeded",
                    "subnet": {"id": self.pe_subnet},
                    "privateLinkServiceConnections": [
                        {
                            "name": name,
                            "id": f"{pe_id}/privateLinkServiceConnections/{name}",
                            "properties": {
                                "privateLinkServiceId": target["id"],
                                "groupIds": [group],
                                "privateLinkServiceConnectionState": {
                                    "status": "Approved",
                                    "description": "",
                                },
                                "provisioningState": "Succeeded",
                            },
                        }
                    ],
                    "manualPrivateLinkServiceConnections": [],
                },
            }
        )
        zone_group_id = f"{pe_id}/privateDnsZoneGroups/default"
        self.add(
            {
                "id": zone_group_id,
                "name": "default",
                "type": "Microsoft.Network/privateEndpoints/privateDnsZoneGroups",
                "properties": {
                    "provisioningState": "Succeeded",
                    "privateDnsZoneConfigs": [
                        {
                            "name": zone.replace(".", "-"),
                            "properties": {
                                "privateDnsZoneId": self.ids.res("Microsoft.Network/privateDnsZones", zone)
                            },
                        }
                        for zone in zones
                    ],
                },
            }
        )
        target.setdefault("properties", {}).setdefault("privateEndpointConnections", []).append(
            approved_connection(target["id"], pe_id)
        )

    def log_categories(self, target_id: str) -> None:
        """The target type's log categories, as Azure lists them for it, the first time the type is seen."""
        of = (resource_type_of(target_id) or "").lower()
        rtype = next((t for t in CATEGORY_GROUPS if t.lower() == of), None)
        if rtype is None or rtype in self._categories_of:
            return
        self._categories_of.add(rtype)
        for name, groups in CATEGORY_GROUPS[rtype].items():
            self.add(
                {
                    "id": f"{target_id}/providers/microsoft.insights/diagnosticSettingsCategories/{name}",
                    "name": name,
                    "type": "Microsoft.Insights/diagnosticSettingsCategories",
                    "properties": {"categoryType": "Logs", "categoryGroups": list(groups)},
                }
            )

    def diagnostics(
        self, target_id: str, categories: list[str] | None = None, groups: list[str] | None = None
    ) -> None:
        self.log_categories(target_id)
        logs = [{"category": c, "categoryGroup": None, "enabled": True} for c in categories or []]
        logs += [{"category": None, "categoryGroup": g, "enabled": True} for g in groups or []]
        self.add(
            {
                "id": f"{target_id}/providers/Microsoft.Insights/diagnosticSettings/default",
                "name": "default",
                "type": "Microsoft.Insights/diagnosticSettings",
                "properties": {
                    "workspaceId": self.law,
                    "logs": logs,
                    "metrics": [{"category": "AllMetrics", "enabled": True}],
                    "logAnalyticsDestinationType": None,
                },
            }
        )

    def assign(
        self, principal: str, scope: str, role_guid: str, principal_type: str = "ServicePrincipal"
    ) -> None:
        name = _guid("ra", principal, scope.lower(), role_guid)
        self.add(
            {
                "id": f"{scope}/providers/Microsoft.Authorization/roleAssignments/{name}",
                "name": name,
                "type": "Microsoft.Authorization/roleAssignments",
                "properties": {
                    "roleDefinitionId": f"{ROLE_DEFINITIONS}/{role_guid}",
                    "principalId": principal,
                    "principalType": principal_type,
                    "scope": scope,
                },
            }
        )


def principal(seed: str) -> str:
    return _guid("principal", seed)


def autoscale_setting(ids: Ids, plan_id: str, minimum: int) -> Resource:
    """The plan's autoscale setting as the references deploy it: CPU above 70 % adds an instance."""
    name = "autoscale-asp-chat"
    cpu = {
        "metricName": "CpuPercentage",
        "metricNamespace": "microsoft.web/serverfarms",
        "metricResourceUri": plan_id,
        "timeGrain": "PT1M",
        "statistic": "Average",
        "timeWindow": "PT10M",
        "timeAggregation": "Average",
        "operator": "GreaterThan",
        "threshold": 70,
        "dimensions": [],
        "dividePerInstance": False,
    }
    return {
        "id": ids.res("Microsoft.Insights/autoscalesettings", name),
        "name": name,
        "type": "Microsoft.Insights/autoscalesettings",
        "location": LOCATION,
        "tags": {},
        "properties": {
            "name": name,
            "enabled": True,
            "targetResourceUri": plan_id,
            "targetResourceLocation": LOCATION,
            "profiles": [
                {
                    "name": "CpuScaleOut",
                    "capacity": {"minimum": str(minimum), "maximum": "5", "default": str(minimum)},
                    "rules": [
                        {
                            "metricTrigger": cpu,
                            "scaleAction": {
                                "direction": "Increase",
                                "type": "ChangeCount",
                                "value": "1",
                                "cooldown": "PT10M",
                            },
                        }
                    ],
                }
            ],
            "notifications": [],
        },
    }


def compliant(variant: str) -> list[Resource]:
    """A sample estate that follows the architecture of `variant` in every checked setting."""
    if variant == FOUNDRY:
        from tests.foundry import estate as foundry  # the parts import this module

        return foundry.compliant()
    b = Builder(variant)
    ids = b.ids
    aml = variant == "aml"

    b.add(
        {
            "id": b.law,
            "name": "log-chat",
            "type": "Microsoft.OperationalInsights/workspaces",
            "location": LOCATION,
            "properties": {"sku": {"name": "PerGB2018"}, "retentionInDays": 30},
        }
    )
    b.add(make_vnet(ids))
    for subnet, rules in nsg_rules(variant).items():
        b.add(make_nsg(ids, subnet, rules))

    uamis = ["id-chat-frontend", "id-edge-gateway"]
    if aml:
        uamis += ["id-ml-workspace", "id-ml-endpoint", "id-ml-compute"]
    for u in uamis:
        b.add(
            {
                "id": ids.res("Microsoft.ManagedIdentity/userAssignedIdentities", u),
                "name": u,
                "type": "Microsoft.ManagedIdentity/userAssignedIdentities",
                "location": LOCATION,
                "properties": {
                    "principalId": principal(u),
                    "clientId": _guid("client", u),
                    "tenantId": TENANT,
                },
            }
        )

    # Azure OpenAI, its content filter and its model deployment.
    aoai = b.add(
        {
            "id": ids.res("Microsoft.CognitiveServices/accounts", "aoai-chat"),
            "name": "aoai-chat",
            "type": "Microsoft.CognitiveServices/accounts",
            "kind": "OpenAI",
            "location": LOCATION,
            "sku": {"name": "S0"},
            "properties": {
                "customSubDomainName": f"aoai-chat-{variant}",
                "publicNetworkAccess": "Disabled",
                "networkAcls": {"defaultAction": "Deny", "ipRules": [], "virtualNetworkRules": []},
                "disableLocalAuth": True,
                "restrictOutboundNetworkAccess": True,
                "allowedFqdnList": [],
                "provisioningState": "Succeeded",
            },
        }
    )
    level_key = "allowedContentLevel" if aml else "severityThreshold"
    filters: list[dict[str, Any]] = []
    for source in ("Prompt", "Completion"):
        for category in ("hate", "sexual", "selfharm", "violence"):
            filters.append(
                {"name": category, "blocking": True, "enabled": True, level_key: "Low", "source": source}
            )
        if source == "Prompt":
            filters.append({"name": "jailbreak", "blocking": True, "enabled": True, "source": source})
        filters.append({"name": "profanity", "blocking": True, "enabled": True, "source": source})
    b.add(
        {
            "id": aoai["id"] + "/raiPolicies/strict-blocking",
            "name": "strict-blocking",
            "type": "Microsoft.CognitiveServices/accounts/raiPolicies",
            "properties": {
                "type": "UserManaged",
                "basePolicyName": "Microsoft.Default",
                "mode": "Default",
                "contentFilters": filters,
            },
        }
    )
    b.add(
        {
            "id": aoai["id"] + "/deployments/chat-model",
            "name": "chat-model",
            "type": "Microsoft.CognitiveServices/accounts/deployments",
            "sku": {"name": "Standard", "capacity": 25},
            "properties": {
                "model": {"format": "OpenAI", "name": "gpt-35-turbo", "version": "0125"},
                "raiPolicyName": "strict-blocking",
                "versionUpgradeOption": "NoAutoUpgrade",
                "provisioningState": "Succeeded",
            },
        }
    )
    b.private_endpoint(aoai, "account", ["privatelink.openai.azure.com"])
    b.diagnostics(aoai["id"], groups=["allLogs"])

    # Dependencies of the workspace / hub.
    kv = b.add(
        {
            "id": ids.res("Microsoft.KeyVault/vaults", f"kv-chat-{variant}"),
            "name": f"kv-chat-{variant}",
            "type": "Microsoft.KeyVault/vaults",
            "location": LOCATION,
            "properties": {
                "tenantId": TENANT,
                "sku": {"family": "A", "name": "standard"},
                "enableRbacAuthorization": True,
                "accessPolicies": [],
                "enableSoftDelete": True,
                "softDeleteRetentionInDays": 7,
                "enablePurgeProtection": True,
                "publicNetworkAccess": "Disabled",
                "networkAcls": {
                    "defaultAction": "Deny",
                    "bypass": "AzureServices",
                    "ipRules": [],
                    "virtualNetworkRules": [],
                },
                "enabledForDeployment": False,
                "enabledForTemplateDeployment": False,
            },
        }
    )
    b.private_endpoint(kv, "vault", ["privatelink.vaultcore.azure.net"])
    b.diagnostics(kv["id"], categories=["AuditEvent", "AzurePolicyEvaluationDetails"])

    acr = b.add(
        {
            "id": ids.res("Microsoft.ContainerRegistry/registries", f"crchat{variant}"),
            "name": f"crchat{variant}",
            "type": "Microsoft.ContainerRegistry/registries",
            "location": LOCATION,
            "sku": {"name": "Premium", "tier": "Premium"},
            "properties": {
                "adminUserEnabled": False,
                "publicNetworkAccess": "Disabled",
                "networkRuleSet": {"defaultAction": "Deny", "ipRules": []},
                "networkRuleBypassOptions": "AzureServices",
                "zoneRedundancy": "Enabled",
                "anonymousPullEnabled": False,
                "dataEndpointEnabled": False,
                "policies": {
                    "exportPolicy": {"status": "disabled"},
                    "azureADAuthenticationAsArmPolicy": {"status": "disabled"},
                },
            },
        }
    )
    b.private_endpoint(acr, "registry", ["privatelink.azurecr.io"])
    b.diagnostics(acr["id"], categories=["ContainerRegistryRepositoryEvents", "ContainerRegistryLoginEvents"])

    def storage(name: str, shared_key: bool) -> Resource:
        account = b.add(
            {
                "id": ids.res("Microsoft.Storage/storageAccounts", name),
                "name": name,
                "type": "Microsoft.Storage/storageAccounts",
                "kind": "StorageV2",
                "location": LOCATION,
                "sku": {"name": "Standard_ZRS", "tier": "Standard"},
                "properties": {
                    "allowBlobPublicAccess": False,
                    "allowSharedKeyAccess": shared_key,
                    "publicNetworkAccess": "Disabled",
                    "networkAcls": {
                        "defaultAction": "Deny",
                        "bypass": "AzureServices",
                        "ipRules": [],
                        "virtualNetworkRules": [],
                    },
                    "minimumTlsVersion": "TLS1_2",
                    "supportsHttpsTrafficOnly": True,
                    "allowCrossTenantReplication": False,
                    "allowedCopyScope": "AAD",
                    "defaultToOAuthAuthentication": True,
                    "isLocalUserEnabled": False,
                    "isSftpEnabled": False,
                },
            }
        )
        for service in ("blobServices", "fileServices"):
            sid = f"{account['id']}/{service}/default"
            b.add(
                {
                    "id": sid,
                    "name": "default",
                    "type": f"Microsoft.Storage/storageAccounts/{service}",
                    "properties": {},
                }
            )
            b.diagnostics(sid, categories=["StorageRead", "StorageWrite", "StorageDelete"])
        return account

    ws_storage = storage(f"stmlchat{variant}", shared_key=True)
    b.private_endpoint(ws_storage, "blob", ["privatelink.blob.core.windows.net"])
    b.private_endpoint(ws_storage, "file", ["privatelink.file.core.windows.net"])
    app_storage = storage(f"stwebchat{variant}", shared_key=False)
    b.private_endpoint(app_storage, "blob", ["privatelink.blob.core.windows.net"])

    search = b.add(
        {
            "id": ids.res("Microsoft.Search/searchServices", f"srch-chat-{variant}"),
            "name": f"srch-chat-{variant}",
            "type": "Microsoft.Search/searchServices",
            "location": LOCATION,
            "sku": {"name": "standard"},
            "identity": identity_system("search"),
            "properties": {
                "replicaCount": 3,
                "partitionCount": 1,
                "hostingMode": "default",
                "publicNetworkAccess": "disabled",
                "disableLocalAuth": True,
                "authOptions": None,
                "networkRuleSet": {"ipRules": [], "bypass": "None"},
                "semanticSearch": "disabled",
            },
        }
    )
    b.private_endpoint(search, "searchService", ["privatelink.search.windows.net"])
    b.diagnostics(search["id"], groups=["allLogs"])

    appi = ids.res("Microsoft.Insights/components", "appi-chat")
    workspace_common = {
        "publicNetworkAccess": "Disabled",
        "allowPublicAccessWhenBehindVnet": False,
        "v1LegacyMode": False,
        "hbiWorkspace": False,
    }
    ml_type = "Microsoft.MachineLearningServices/workspaces"
    if aml:
        ws = b.add(
            {
                "id": ids.res(ml_type, "mlw-chat"),
                "name": "mlw-chat",
                "type": ml_type,
                "kind": "Default",
                "location": LOCATION,
                "sku": {"name": "Basic", "tier": "Basic"},
                "identity": identity_user(ids, "id-ml-workspace"),
                "properties": {
                    **workspace_common,
                    "primaryUserAssignedIdentity": ids.res(
                        "Microsoft.ManagedIdentity/userAssignedIdentities", "id-ml-workspace"
                    ),
                    "storageAccount": ws_storage["id"],
                    "keyVault": kv["id"],
                    "containerRegistry": acr["id"],
                    "applicationInsights": appi,
                    "managedNetwork": _managed_network(aoai["id"], search["id"]),
                    "systemDatastoresAuthMode": "identity",
                },
            }
        )
        endpoint_parent = ws
        endpoint_identity = identity_user(ids, "id-ml-endpoint")
        b.diagnostics(ws["id"], groups=["audit"])
        compute = b.add(
            {
                "id": ws["id"] + "/computes/ci-flow-author",
                "name": "ci-flow-author",
                "type": "Microsoft.MachineLearningServices/workspaces/computes",
                "location": LOCATION,
                "identity": identity_user(ids, "id-ml-compute"),
                "properties": {
                    "computeType": "ComputeInstance",
                    "disableLocalAuth": True,
                    "properties": {
                        "vmSize": "STANDARD_DS3_V2",
                        "enableNodePublicIp": False,
                        "sshSettings": {"sshPublicAccess": "Disabled"},
                        "applicationSharingPolicy": "Personal",
                    },
                },
            }
        )
        del compute
    else:
        ws = b.add(
            {
                "id": ids.res(ml_type, "hub-chat"),
                "name": "hub-chat",
                "type": ml_type,
                "kind": "Hub",
                "location": LOCATION,
                "sku": {"name": "Basic", "tier": "Basic"},
                "identity": identity_system("hub"),
                "properties": {
                    **workspace_common,
                    "storageAccount": ws_storage["id"],
                    "keyVault": kv["id"],
                    "containerRegistry": acr["id"],
                    "applicationInsights": appi,
                    "managedNetwork": _managed_network(aoai["id"], search["id"]),
                    "allowRoleAssignmentOnRG": False,
                    "systemDatastoresAuthMode": "identity",
                    "enableDataIsolation": True,
                },
            }
        )
        b.diagnostics(ws["id"], groups=["allLogs"])
        b.add(
            {
                "id": ws["id"] + "/connections/aoai",
                "name": "aoai",
                "type": "Microsoft.MachineLearningServices/workspaces/connections",
                "properties": {
                    "authType": "AAD",
                    "category": "AzureOpenAI",
                    "isSharedToAll": True,
                    "useWorkspaceManagedIdentity": True,
                    "peRequirement": "Required",
                    "target": "https://aoai-chat.openai.azure.com/",
                    "metadata": {"ApiType": "Azure", "ResourceId": aoai["id"]},
                },
            }
        )
        project = b.add(
            {
                "id": ids.res(ml_type, "proj-chat"),
                "name": "proj-chat",
                "type": ml_type,
                "kind": "Project",
                "location": LOCATION,
                "sku": {"name": "Basic", "tier": "Basic"},
                "identity": identity_system("project"),
                "properties": {**workspace_common, "hubResourceId": ws["id"], "enableDataIsolation": True},
            }
        )
        b.diagnostics(project["id"], groups=["allLogs"])
        endpoint_parent = project
        endpoint_identity = identity_system("endpoint")
    for rule in _outbound_rules(ws["id"], aoai["id"], search["id"]):
        b.add(rule)
    b.private_endpoint(ws, "amlworkspace", ["privatelink.api.azureml.ms", "privatelink.notebooks.azure.net"])

    endpoint = b.add(
        {
            "id": endpoint_parent["id"] + "/onlineEndpoints/ept-chat",
            "name": "ept-chat",
            "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints",
            "kind": "Managed",
            "location": LOCATION,
            "identity": endpoint_identity,
            "properties": {
                "authMode": "AADToken",
                "publicNetworkAccess": "Disabled",
                "provisioningState": "Succeeded",
                "traffic": {"blue": 100},
            },
        }
    )
    b.add(
        {
            "id": endpoint["id"] + "/deployments/blue",
            "name": "blue",
            "type": "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments",
            "kind": "Managed",
            "location": LOCATION,
            "sku": {"name": "Default", "tier": "Standard", "capacity": 3},
            "properties": {
                "endpointComputeType": "Managed",
                "instanceType": "Standard_D2as_v4",
                "scaleSettings": {"scaleType": "Default"},
                "egressPublicNetworkAccess": "Disabled",
                "appInsightsEnabled": True,
            },
        }
    )
    b.diagnostics(
        endpoint["id"],
        categories=[
            "AmlOnlineEndpointConsoleLog",
            "AmlOnlineEndpointTrafficLog",
            "AmlOnlineEndpointEventLog",
        ],
    )

    # App Service: plan, chat UI, prompt-flow host.
    plan = b.add(
        {
            "id": ids.res("Microsoft.Web/serverfarms", "asp-chat"),
            "name": "asp-chat",
            "type": "Microsoft.Web/serverfarms",
            "kind": "linux",
            "location": LOCATION,
            "sku": {"name": "P1v3", "tier": "PremiumV3", "size": "P1v3", "family": "Pv3", "capacity": 3},
            "properties": {"zoneRedundant": True, "reserved": True, "numberOfWorkers": 3},
        }
    )
    b.add(autoscale_setting(ids, plan["id"], minimum=3))
    sites = {}
    for site_name, is_pf in (("app-chat-ui", False), ("app-chat-flow", True)):
        site_id = ids.res("Microsoft.Web/sites", site_name)
        identity = (
            identity_user(ids, "id-chat-frontend", system_seed="flow-app")
            if is_pf and not aml
            else identity_user(ids, "id-chat-frontend")
        )
        linux_fx = "DOCKER|crchat.azurecr.io/promptflow:1" if is_pf else "DOTNETCORE|8.0"
        site = b.add(
            {
                "id": site_id,
                "name": site_name,
                "type": "Microsoft.Web/sites",
                "kind": "app,linux,container" if is_pf else "app,linux",
                "location": LOCATION,
                "identity": identity,
                "properties": {
                    "serverFarmId": plan["id"],
                    "httpsOnly": True,
                    "publicNetworkAccess": "Disabled",
                    "vnetRouteAllEnabled": True,
                    "virtualNetworkSubnetId": ids.subnet("web-integration"),
                    "defaultHostName": f"{site_name}-{variant}.azurewebsites.net",
                    "hostNames": [f"{site_name}-{variant}.azurewebsites.net"],
                    "clientCertEnabled": False,
                    "siteConfig": {"linuxFxVersion": linux_fx},
                    **({"vnetImagePullEnabled": True} if is_pf else {}),
                },
            }
        )
        b.add(
            {
                "id": site_id + "/config/web",
                "name": "web",
                "type": "Microsoft.Web/sites/config",
                "properties": {
                    "linuxFxVersion": linux_fx,
                    "ftpsState": "Disabled",
                    "minTlsVersion": "1.2",
                    "scmMinTlsVersion": "1.2",
                    "http20Enabled": True,
                    "alwaysOn": True,
                    "vnetRouteAllEnabled": True,
                    "publicNetworkAccess": "Disabled",
                    **({"acrUseManagedIdentityCreds": True} if is_pf else {}),
                },
            }
        )
        b.private_endpoint(site, "sites", ["privatelink.azurewebsites.net"])
        b.diagnostics(
            site_id,
            categories=[
                "AppServiceHTTPLogs",
                "AppServiceConsoleLogs",
                "AppServiceAppLogs",
                "AppServicePlatformLogs",
            ],
        )
        sites[is_pf] = site

    # Edge: WAF policy, Application Gateway, Bastion, and their public IP addresses (the only two).
    gw_id = ids.res("Microsoft.Network/applicationGateways", "agw-chat")
    bastion_id = ids.res("Microsoft.Network/bastionHosts", "bas-chat")
    gw_pip = b.add(public_ip(ids, "pip-chat-gateway", f"{gw_id}/frontendIPConfigurations/public"))
    bastion_pip = b.add(public_ip(ids, "pip-chat-bastion", f"{bastion_id}/bastionHostIpConfigurations/ip"))
    waf = b.add(
        {
            "id": ids.res("Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies", "waf-chat"),
            "name": "waf-chat",
            "type": "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies",
            "location": LOCATION,
            "properties": {
                "policySettings": {
                    "state": "Enabled",
                    "mode": "Prevention",
                    "requestBodyCheck": True,
                    "fileUploadLimitInMb": 10,
                },
                "managedRules": {
                    "managedRuleSets": [
                        {"ruleSetType": "OWASP", "ruleSetVersion": "3.2", "ruleGroupOverrides": []},
                        {"ruleSetType": "Microsoft_BotManagerRuleSet", "ruleSetVersion": "1.0"},
                    ],
                    "exclusions": [],
                },
                "customRules": [],
            },
        }
    )
    gw = b.add(
        {
            "id": gw_id,
            "name": "agw-chat",
            "type": "Microsoft.Network/applicationGateways",
            "location": LOCATION,
            "zones": ["1", "2", "3"],
            "identity": identity_user(ids, "id-edge-gateway"),
            "properties": {
                "sku": {"name": "WAF_v2", "tier": "WAF_v2"},
                "autoscaleConfiguration": {"minCapacity": 2, "maxCapacity": 5},
                "sslPolicy": {
                    "policyType": "Custom",
                    "minProtocolVersion": "TLSv1_2",
                    "cipherSuites": [
                        "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                        "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                    ],
                },
                "firewallPolicy": {"id": waf["id"]},
                "enableHttp2": False,
                "gatewayIPConfigurations": [
                    {
                        "name": "gw-ipconfig",
                        "id": f"{gw_id}/gatewayIPConfigurations/gw-ipconfig",
                        "properties": {"subnet": {"id": ids.subnet("edge-gateway")}},
                    }
                ],
                "frontendIPConfigurations": [
                    {
                        "name": "public",
                        "id": f"{gw_id}/frontendIPConfigurations/public",
                        "properties": {
                            "privateIPAllocationMethod": "Dynamic",
                            "publicIPAddress": {"id": gw_pip["id"]},
                        },
                    }
                ],
                "backendAddressPools": [
                    {
                        "name": "chat-ui",
                        "id": f"{gw_id}/backendAddressPools/chat-ui",
                        "properties": {
                            "backendAddresses": [{"fqdn": sites[False]["properties"]["defaultHostName"]}]
                        },
                    }
                ],
                "sslCertificates": [
                    {
                        "name": "gateway-public-cert",
                        "id": f"{gw_id}/sslCertificates/gateway-public-cert",
                        "properties": {
                            "keyVaultSecretId": f"https://kv-chat-{variant}.vault.azure.net/secrets/gateway-public-cert"
                        },
                    }
                ],
                "backendHttpSettingsCollection": [
                    {
                        "name": "chat-ui-https",
                        "id": f"{gw_id}/backendHttpSettingsCollection/chat-ui-https",
                        "properties": {
                            "port": 443,
                            "protocol": "Https",
                            "cookieBasedAffinity": "Disabled",
                            "pickHostNameFromBackendAddress": True,
                            "requestTimeout": 20,
                        },
                    }
                ],
                "httpListeners": [
                    {
                        "name": "https",
                        "id": f"{gw_id}/httpListeners/https",
                        "properties": {"protocol": "Https", "requireServerNameIndication": True},
                    }
                ],
            },
        }
    )
    waf["properties"]["applicationGateways"] = [{"id": gw["id"]}]
    b.diagnostics(
        gw["id"],
        categories=[
            "ApplicationGatewayAccessLog",
            "ApplicationGatewayPerformanceLog",
            "ApplicationGatewayFirewallLog",
        ],
    )
    bastion = b.add(
        {
            "id": bastion_id,
            "name": "bas-chat",
            "type": "Microsoft.Network/bastionHosts",
            "location": LOCATION,
            "sku": {"name": "Basic"},
            "properties": {
                "scaleUnits": 2,
                "ipConfigurations": [
                    {
                        "name": "bastion-ip",
                        "id": f"{bastion_id}/bastionHostIpConfigurations/ip",
                        "properties": {
                            "subnet": {"id": ids.subnet("AzureBastionSubnet")},
                            "publicIPAddress": {"id": bastion_pip["id"]},
                        },
                    }
                ],
            },
        }
    )
    b.diagnostics(bastion["id"], categories=["BastionAuditLogs"])

    _role_assignments(b, aoai, kv, acr, ws_storage, app_storage, ws, endpoint_parent, sites)
    return b.resources


def _managed_network(aoai_id: str, search_id: str) -> dict[str, Any]:
    return {
        "isolationMode": "AllowOnlyApprovedOutbound",
        "status": {"status": "Active", "sparkReady": False},
        "outboundRules": {
            "wikipedia": {
                "type": "FQDN",
                "destination": "en.wikipedia.org",
                "category": "UserDefined",
                "status": "Active",
            },
            "OpenAI": {
                "type": "PrivateEndpoint",
                "destination": {
                    "serviceResourceId": aoai_id,
                    "subresourceTarget": "account",
                    "sparkEnabled": False,
                },
                "category": "UserDefined",
                "status": "Active",
            },
            "Search": {
                "type": "PrivateEndpoint",
                "destination": {
                    "serviceResourceId": search_id,
                    "subresourceTarget": "searchService",
                    "sparkEnabled": False,
                },
                "category": "UserDefined",
                "status": "Active",
            },
        },
    }


def _outbound_rules(ws_id: str, aoai_id: str, search_id: str) -> list[Resource]:
    return [
        {
            "id": f"{ws_id}/outboundRules/{name}",
            "name": name,
            "type": "Microsoft.MachineLearningServices/workspaces/outboundRules",
            "properties": body,
        }
        for name, body in _managed_network(aoai_id, search_id)["outboundRules"].items()
    ]


def _role_assignments(
    b: Builder,
    aoai: Resource,
    kv: Resource,
    acr: Resource,
    ws_storage: Resource,
    app_storage: Resource,
    ws: Resource,
    endpoint_parent: Resource,
    sites: dict[bool, Resource],
) -> None:
    r = builtin_roles
    ids = b.ids
    app_ui, agw = principal("id-chat-frontend"), principal("id-edge-gateway")
    # The chat UI tier (App Service baseline) and the gateway, same in both variants.
    b.assign(app_ui, kv["id"], r.KEY_VAULT_SECRETS_USER)
    b.assign(app_ui, app_storage["id"], r.STORAGE_BLOB_DATA_READER)
    b.assign(app_ui, acr["id"], r.ACR_PULL)
    b.assign(agw, kv["id"], r.KEY_VAULT_SECRETS_USER)
    if b.variant == "aml":
        wsi, ept, ci = principal("id-ml-workspace"), principal("id-ml-endpoint"), principal("id-ml-compute")
        b.assign(wsi, ids.rg, r.CONTRIBUTOR)
        b.assign(wsi, ws_storage["id"], r.STORAGE_BLOB_DATA_CONTRIBUTOR)
        b.assign(wsi, ws_storage["id"], r.STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR)
        b.assign(wsi, kv["id"], r.KEY_VAULT_ADMINISTRATOR)
        b.assign(wsi, acr["id"], r.ACR_PUSH)
        b.assign(ept, acr["id"], r.ACR_PULL)
        b.assign(ept, ws_storage["id"], r.STORAGE_BLOB_DATA_READER)
        b.assign(ept, ws["id"], r.AZUREML_CONNECTION_SECRETS_READER)
        b.assign(ci, acr["id"], r.ACR_PULL)
        b.assign(ci, ws_storage["id"], r.STORAGE_BLOB_DATA_READER)
        return
    hub, proj, ept = principal("hub"), principal("project"), principal("endpoint")
    b.assign(hub, ids.rg, r.CONTRIBUTOR)
    b.assign(hub, ws["id"], r.AZURE_AI_ADMINISTRATOR)
    b.assign(proj, endpoint_parent["id"], r.AZURE_AI_ADMINISTRATOR)
    for who in (hub, proj):
        b.assign(who, acr["id"], r.CONTRIBUTOR)
        b.assign(who, kv["id"], r.CONTRIBUTOR)
        b.assign(who, kv["id"], r.KEY_VAULT_ADMINISTRATOR)
        for role in (
            r.READER,
            r.STORAGE_ACCOUNT_CONTRIBUTOR,
            r.STORAGE_BLOB_DATA_CONTRIBUTOR,
            r.STORAGE_FILE_DATA_PRIVILEGED_CONTRIBUTOR,
            r.STORAGE_TABLE_DATA_CONTRIBUTOR,
        ):
            b.assign(who, ws_storage["id"], role)
    b.assign(ept, endpoint_parent["id"], r.AZUREML_CONNECTION_SECRETS_READER)
    b.assign(ept, endpoint_parent["id"], r.AZUREML_METRICS_WRITER)
    b.assign(ept, acr["id"], r.ACR_PULL)
    b.assign(ept, aoai["id"], r.COGNITIVE_SERVICES_OPENAI_USER)
    b.assign(ept, ws_storage["id"], r.STORAGE_BLOB_DATA_CONTRIBUTOR)
    b.assign(ept, ws_storage["id"], r.STORAGE_BLOB_DATA_READER)
    b.assign(principal("flow-app"), aoai["id"], r.COGNITIVE_SERVICES_OPENAI_USER)
    # A person developing flows in the portal: optional in the table, reported, never required.
    b.assign(principal("flow-author"), aoai["id"], r.COGNITIVE_SERVICES_OPENAI_USER, principal_type="User")


def with_role_definitions(resources: list[Resource]) -> list[Resource]:
    """Add the role definitions the assignments use, as the collector does."""
    used = sorted(
        {
            builtin_roles.guid_of(r["properties"]["roleDefinitionId"])
            for r in resources
            if r["type"] == "Microsoft.Authorization/roleAssignments"
        }
    )
    out = list(resources)
    for guid in used:
        out.append(
            {
                "id": f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleDefinitions/{guid}",
                "name": guid,
                "type": "Microsoft.Authorization/roleDefinitions",
                "properties": {
                    "roleName": builtin_roles.NAMES.get(guid, guid),
                    "type": "BuiltInRole",
                    "assignableScopes": ["/"],
                },
            }
        )
    return out


# --- drift -------------------------------------------------------------------


def find(resources: list[Resource], rtype: str, name: str | None = None) -> Resource:
    """The first resource of a type (and name); tests use it to mutate one resource."""
    for res in resources:
        if res["type"].lower() == rtype.lower() and (name is None or res["name"] == name):
            return res
    raise KeyError(f"{rtype} {name or ''} not in estate")


def remove(resources: list[Resource], predicate: Callable[[Resource], bool]) -> list[Resource]:
    return [r for r in resources if not predicate(r)]


def drift(resources: list[Resource], variant: str) -> list[Resource]:
    """Drift in every control family, the way estates drift in real life."""
    if variant == FOUNDRY:
        from tests.foundry import estate as foundry

        return foundry.drifted(copy.deepcopy(resources))
    res = copy.deepcopy(resources)
    ids = Ids(variant)
    # nsg: RDP opened to the Internet on the jump box; the scoring subnet lost its NSG.
    jump_nsg = find(res, "Microsoft.Network/networkSecurityGroups", "nsg-jumpbox")
    jump_nsg["properties"]["securityRules"].append(
        security_rule(jump_nsg["id"], "Allow-RDP-Anywhere", 90, "Inbound", "Allow", "Tcp", "*", "*", "3389")
    )
    vnet = find(res, "Microsoft.Network/virtualNetworks")
    for subnet in vnet["properties"]["subnets"]:
        if subnet["name"] == "scoring":
            subnet["properties"].pop("networkSecurityGroup")
    # ARM keeps the association on both sides: the detached NSG no longer lists the subnet.
    find(res, "Microsoft.Network/networkSecurityGroups", "nsg-scoring")["properties"]["subnets"] = []
    # private-endpoints: AI Search reachable only publicly; the vault's endpoint is pending approval.
    search = find(res, "Microsoft.Search/searchServices")
    res = remove(
        res, lambda r: r["type"].startswith("Microsoft.Network/privateEndpoints") and "srch-chat" in r["id"]
    )
    search["properties"]["privateEndpointConnections"] = []
    for pe in res:
        if pe["type"] == "Microsoft.Network/privateEndpoints" and "kv-chat" in pe["name"]:
            conn = pe["properties"]["privateLinkServiceConnections"][0]["properties"]
            conn["privateLinkServiceConnectionState"]["status"] = "Pending"
    # public-access: storage opened up, ACR admin user, WAF in detection mode, web app FTPS.
    search["properties"]["publicNetworkAccess"] = "enabled"
    app_storage = find(res, "Microsoft.Storage/storageAccounts", f"stwebchat{variant}")
    app_storage["properties"].update(
        {"allowBlobPublicAccess": True, "publicNetworkAccess": "Enabled", "minimumTlsVersion": "TLS1_0"}
    )
    app_storage["properties"]["networkAcls"]["defaultAction"] = "Allow"
    find(res, "Microsoft.ContainerRegistry/registries")["properties"]["adminUserEnabled"] = True
    find(res, "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies")["properties"][
        "policySettings"
    ]["mode"] = "Detection"
    for cfg in res:
        if cfg["type"] == "Microsoft.Web/sites/config":
            cfg["properties"]["ftpsState"] = "AllAllowed"
    ws_type = "Microsoft.MachineLearningServices/workspaces"
    ws = find(res, ws_type, "mlw-chat" if variant == "aml" else "hub-chat")
    ws["properties"]["managedNetwork"]["isolationMode"] = "AllowInternetOutbound"
    # identity: keys back on, a broad Contributor for the endpoint, OpenAI User handed out subscription-wide.
    find(res, "Microsoft.CognitiveServices/accounts")["properties"]["disableLocalAuth"] = False
    find(res, "Microsoft.KeyVault/vaults")["properties"]["enableRbacAuthorization"] = False
    endpoint_principal = principal("id-ml-endpoint" if variant == "aml" else "endpoint")
    b = Builder(variant)
    b.assign(endpoint_principal, ids.rg, builtin_roles.CONTRIBUTOR)
    b.assign(principal("someone-else"), f"/subscriptions/{SUB}", builtin_roles.COGNITIVE_SERVICES_OPENAI_USER)
    res.extend(b.resources)
    # diagnostics: the vault lost its setting; the chat UI keeps only HTTP logs.
    res = remove(
        res,
        lambda r: r["type"] == "Microsoft.Insights/diagnosticSettings" and "/vaults/" in r["id"].lower(),
    )
    ui_diag = find(res, "Microsoft.Insights/diagnosticSettings")
    for r in res:
        if r["type"] == "Microsoft.Insights/diagnosticSettings" and "/sites/app-chat-ui/" in r["id"]:
            ui_diag = r
    ui_diag["properties"]["logs"] = [
        {"category": "AppServiceHTTPLogs", "categoryGroup": None, "enabled": True}
    ]
    # content-filter: hate loosened to High on completions, jailbreak off, a deployment with no policy.
    policy = find(res, "Microsoft.CognitiveServices/accounts/raiPolicies")
    for f in policy["properties"]["contentFilters"]:
        if f["name"] == "hate" and f["source"] == "Completion":
            f["allowedContentLevel" if variant == "aml" else "severityThreshold"] = "High"
        if f["name"] == "jailbreak":
            f["enabled"] = False
    deployment = copy.deepcopy(find(res, "Microsoft.CognitiveServices/accounts/deployments"))
    deployment["id"] = deployment["id"].rsplit("/", 1)[0] + "/experiment-4o"
    deployment["name"] = "experiment-4o"
    deployment["properties"].pop("raiPolicyName")
    deployment["properties"]["model"] = {"format": "OpenAI", "name": "gpt-4o", "version": "2024-08-06"}
    res.append(deployment)
    # public-access: a debugging VM got its own public IP (Basic, no zone), outside the edge.
    res.append(
        public_ip(
            ids,
            "pip-vm-debug",
            f"{ids.net}/networkInterfaces/nic-vm-debug/ipConfigurations/ipconfig1",
            sku="Basic",
            zones=(),
        )
    )
    # reliability: one instance everywhere.
    plan = find(res, "Microsoft.Web/serverfarms")
    plan["sku"]["capacity"] = 1
    plan["properties"].update({"zoneRedundant": False, "numberOfWorkers": 1})
    autoscale = find(res, "Microsoft.Insights/autoscalesettings")
    for profile in autoscale["properties"]["profiles"]:
        profile["capacity"].update({"minimum": "1", "default": "1"})
    find(res, "Microsoft.MachineLearningServices/workspaces/onlineEndpoints/deployments")["sku"][
        "capacity"
    ] = 1
    search["properties"]["replicaCount"] = 1
    find(res, "Microsoft.Storage/storageAccounts", f"stmlchat{variant}")["sku"]["name"] = "Standard_LRS"
    return res


def snapshot_document(resources: list[Resource], variant: str, drifted: bool) -> dict[str, Any]:
    """Wrap resources as the collector would save them."""
    errors: list[dict[str, Any]] = []
    if drifted:
        # Someone removed the auditor's read access to the gateway's diagnostic settings.
        gw = Ids(variant).res("Microsoft.Network/applicationGateways", "agw-chat")
        resources = remove(
            resources,
            lambda r: (
                r["type"] == "Microsoft.Insights/diagnosticSettings"
                and r["id"].lower().startswith(gw.lower() + "/")
            ),
        )
        errors.append(
            {
                "scope": f"{gw}/providers/Microsoft.Insights/diagnosticSettings",
                "resource_type": "Microsoft.Insights/diagnosticSettings",
                "status": 403,
                "code": "AuthorizationFailed",
                "message": "The client does not have authorization to perform action "
                "'Microsoft.Insights/diagnosticSettings/read' over scope of the gateway.",
            }
        )
    return {
        "format": "auditor-snapshot/1",
        "metadata": {
            "tool": "auditor",
            "description": f"Sample estate, {variant} variant, {'drifted' if drifted else 'compliant'}",
            "tenant": TENANT,
            "subscriptions": [SUB],
        },
        "collected_types": collected_types(variant),
        "errors": errors,
        "resources": sorted(with_role_definitions(resources), key=lambda r: r["id"].lower()),
    }


def collected_types(variant: str) -> list[str]:
    """The types a variant's sample declares collected (the Foundry sample reads more)."""
    if variant == FOUNDRY:
        from tests.foundry import estate as foundry

        return foundry.collected_types()
    return COLLECTED_TYPES


def compliant_snapshot(variant: str) -> dict[str, Any]:
    return snapshot_document(compliant(variant), variant, drifted=False)


def drifted_snapshot(variant: str) -> dict[str, Any]:
    return snapshot_document(drift(compliant(variant), variant), variant, drifted=True)
