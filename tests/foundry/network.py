"""The Foundry sample's network: the virtual network, its subnets and NSGs, the route table and Azure
Firewall with its policy.

The layout is the reference implementation's on 192.168.0.0/16 (infra-as-code/bicep/network.bicep and
azure-firewall.bicep), with our names. Where the architecture's text is stricter than the code, the
sample follows the text, as the prompt flow samples do: deny-all inbound on the App Service, jump box
and build agent subnets (their only inbound source is the Bastion subnet), deny-all outbound on the App
Service subnet, its route to the firewall, and firewall rules that name their destinations instead of
the code's `*`.
"""

from __future__ import annotations

from typing import Any

from tests import estates
from tests.estates import LOCATION, Builder, find, make_nsg, public_ip, security_rule
from tests.foundry import (
    FIREWALL,
    FIREWALL_POLICY,
    FIREWALL_PRIVATE_IP,
    IDS,
    ROUTE_TABLE,
    SUBNETS,
    VNET_PREFIX,
)

Resource = dict[str, Any]

VNETS = "Microsoft.Network/virtualNetworks"
NSGS = "Microsoft.Network/networkSecurityGroups"
ROUTE_TABLES = "Microsoft.Network/routeTables"
FIREWALLS = "Microsoft.Network/azureFirewalls"
POLICIES = "Microsoft.Network/firewallPolicies"
RULE_GROUPS = "Microsoft.Network/firewallPolicies/ruleCollectionGroups"

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = [ROUTE_TABLES, FIREWALLS, POLICIES, RULE_GROUPS]

FIREWALL_SUBNETS = ("AzureFirewallSubnet", "AzureFirewallManagementSubnet")
# The subnets the reference sends through the firewall (network.bicep routeTable on each), and the App
# Service subnet, which the article's table routes too ("UDR to firewall: Yes").
ROUTED = ("private-links", "build-agents", "jumpbox", "agent-egress", "web-integration")
DELEGATIONS = {"web-integration": "Microsoft.Web/serverFarms", "agent-egress": "Microsoft.App/environments"}
# What the agents may reach through the firewall: the article's own example (section "Control traffic
# from the Foundry agent subnet"), where the code allows `*`.
AGENT_FQDNS = ["api.example.org"]
JUMP_BOX_FQDNS = ["ai.azure.com", "login.microsoftonline.com", "packages.microsoft.com"]
DDOS_PLAN = f"{IDS.net}/ddosProtectionPlans/ddos-workload"
EGRESS_PIP = f"{IDS.net}/publicIPAddresses/pip-afw-egress"
MANAGEMENT_PIP = f"{IDS.net}/publicIPAddresses/pip-afw-management"

# Log categories of the types this part adds diagnostic settings to (Azure Monitor's "Supported logs").
_FIREWALL_LOGS = (
    "AzureFirewallApplicationRule", "AzureFirewallNetworkRule", "AzureFirewallDnsProxy", "AZFWNetworkRule",
    "AZFWApplicationRule", "AZFWNatRule", "AZFWThreatIntel", "AZFWIdpsSignature", "AZFWDnsQuery",
    "AZFWFqdnResolveFailure", "AZFWFatFlow", "AZFWFlowTrace", "AZFWApplicationRuleAggregation",
    "AZFWNetworkRuleAggregation", "AZFWNatRuleAggregation",
)  # fmt: skip
LOG_CATEGORIES: dict[str, tuple[str, ...]] = {
    FIREWALLS: _FIREWALL_LOGS,
    NSGS: ("NetworkSecurityGroupEvent", "NetworkSecurityGroupRuleCounter"),
    VNETS: ("VMProtectionAlerts",),
}


def nsg_rules() -> dict[str, list[tuple[Any, ...]]]:
    """NSG rules per subnet: (name, priority, direction, access, protocol, src, dst, ports)."""
    appgw, pe, web = SUBNETS["edge-gateway"], SUBNETS["private-links"], SUBNETS["web-integration"]
    bastion, jump, build = SUBNETS["AzureBastionSubnet"], SUBNETS["jumpbox"], SUBNETS["build-agents"]
    agents = SUBNETS["agent-egress"]
    deny_in = ("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*")
    return {
        "edge-gateway": [
            ("AppGw.In.Allow.ControlPlane", 100, "Inbound", "Allow", "*", "*", "*", "65200-65535"),
            ("AppGw.In.Allow443.Internet", 110, "Inbound", "Allow", "Tcp", "Internet", appgw, "443"),
            ("AppGw.In.Allow.LoadBalancer", 120, "Inbound", "Allow", "*", "AzureLoadBalancer", "*", "*"),
            deny_in,
            ("AppGw.Out.Allow.PrivateEndpoints", 100, "Outbound", "Allow", "*", appgw, pe, "*"),
            ("AppGw.Out.Allow.AzureMonitor", 110, "Outbound", "Allow", "*", appgw, "AzureMonitor", "*"),
        ],
        "web-integration": [
            deny_in,
            ("AppPlan.Out.Allow.PrivateEndpoints", 100, "Outbound", "Allow", "Tcp", web, pe, "443"),
            ("AppPlan.Out.Allow.AzureMonitor", 110, "Outbound", "Allow", "*", web, "AzureMonitor", "*"),
            estates.deny_out(web),
        ],
        "private-links": [estates.deny_out(pe)],
        "build-agents": [
            ("BuildAgents.In.Allow.SshRdp", 100, "Inbound", "Allow", "Tcp", bastion, build, ["22", "3389"]),
            deny_in,
            estates.deny_out(build),
        ],
        "AzureBastionSubnet": estates.bastion_rules(bastion),
        "jumpbox": [
            ("JumpBox.In.Allow.SshRdp", 100, "Inbound", "Allow", "Tcp", bastion, jump, ["22", "3389"]),
            deny_in,
            ("JumpBox.Out.Allow.PrivateEndpoints", 100, "Outbound", "Allow", "*", jump, pe, "*"),
            ("JumpBox.Out.Allow.Internet", 130, "Outbound", "Allow", "*", jump, "Internet", "*"),
            estates.deny_out(jump),
        ],
        "agent-egress": [
            deny_in,
            ("Agents.Out.Allow.PrivateEndpoints", 100, "Outbound", "Allow", "*", agents, pe, "*"),
            ("Agents.Out.AllowTcp443.Internet", 110, "Outbound", "Allow", "Tcp", agents, "Internet", "443"),
            estates.deny_out(agents),
        ],
    }  # fmt: skip


def _subnet(name: str, prefix: str) -> Resource:
    props: dict[str, Any] = {
        "addressPrefix": prefix,
        "privateEndpointNetworkPolicies": "Enabled" if name == "private-links" else "Disabled",
        "privateLinkServiceNetworkPolicies": "Enabled",
        "defaultOutboundAccess": False,
        "provisioningState": "Succeeded",
    }
    if name not in FIREWALL_SUBNETS:
        props["networkSecurityGroup"] = {"id": IDS.nsg(name.lower())}
    if name in ROUTED:
        props["routeTable"] = {"id": ROUTE_TABLE}
    service = DELEGATIONS.get(name)
    props["delegations"] = (
        [
            {
                "name": "delegation",
                "id": f"{IDS.subnet(name)}/delegations/delegation",
                "properties": {"serviceName": service, "provisioningState": "Succeeded"},
                "type": "Microsoft.Network/virtualNetworks/subnets/delegations",
            }
        ]
        if service
        else []
    )
    return {"name": name, "id": IDS.subnet(name), "type": f"{VNETS}/subnets", "properties": props}


def _vnet() -> Resource:
    return {
        "id": IDS.vnet,
        "name": "vnet-workload",
        "type": VNETS,
        "location": LOCATION,
        "properties": {
            "addressSpace": {"addressPrefixes": [VNET_PREFIX]},
            # The article: DDoS Protection on the gateway's public IP; the code leaves it off ("production
            # readiness change").
            "enableDdosProtection": True,
            "ddosProtectionPlan": {"id": DDOS_PLAN},
            "subnets": [_subnet(name, prefix) for name, prefix in SUBNETS.items()],
            "provisioningState": "Succeeded",
        },
    }


def _route_table() -> Resource:
    route = "to-firewall"
    return {
        "id": ROUTE_TABLE,
        "name": ROUTE_TABLE.rsplit("/", 1)[-1],
        "type": ROUTE_TABLES,
        "location": LOCATION,
        "properties": {
            "provisioningState": "Succeeded",
            "disableBgpRoutePropagation": True,
            "routes": [
                {
                    "name": route,
                    "id": f"{ROUTE_TABLE}/routes/{route}",
                    "type": f"{ROUTE_TABLES}/routes",
                    "properties": {
                        "provisioningState": "Succeeded",
                        "addressPrefix": "0.0.0.0/0",
                        "nextHopType": "VirtualAppliance",
                        "nextHopIpAddress": FIREWALL_PRIVATE_IP,
                    },
                }
            ],
            "subnets": [{"id": IDS.subnet(name)} for name in ROUTED],
        },
    }


def _firewall() -> Resource:
    egress, management = f"{FIREWALL}/azureFirewallIpConfigurations/egress", f"{FIREWALL}/management"
    return {
        "id": FIREWALL,
        "name": FIREWALL.rsplit("/", 1)[-1],
        "type": FIREWALLS,
        "location": LOCATION,
        "zones": ["1", "2", "3"],
        "properties": {
            "provisioningState": "Succeeded",
            "sku": {"name": "AZFW_VNet", "tier": "Basic"},
            "threatIntelMode": "Alert",
            "additionalProperties": {},
            "ipConfigurations": [
                {
                    "name": "egress",
                    "id": egress,
                    "properties": {
                        "provisioningState": "Succeeded",
                        "privateIPAddress": FIREWALL_PRIVATE_IP,
                        "publicIPAddress": {"id": EGRESS_PIP},
                        "subnet": {"id": IDS.subnet("AzureFirewallSubnet")},
                    },
                }
            ],
            "managementIpConfiguration": {
                "name": "management",
                "id": management,
                "properties": {
                    "provisioningState": "Succeeded",
                    "publicIPAddress": {"id": MANAGEMENT_PIP},
                    "subnet": {"id": IDS.subnet("AzureFirewallManagementSubnet")},
                },
            },
            "firewallPolicy": {"id": FIREWALL_POLICY},
            "networkRuleCollections": [],
            "applicationRuleCollections": [],
            "natRuleCollections": [],
        },
    }


def _https(port: int = 443, kind: str = "Https") -> dict[str, Any]:
    return {"protocolType": kind, "port": port}


def _application_rule(name: str, sources: list[str], fqdns: list[str], protocols: list[Any]) -> Resource:
    return {
        "ruleType": "ApplicationRule",
        "name": name,
        "protocols": protocols,
        "fqdnTags": [],
        "webCategories": [],
        "targetFqdns": fqdns,
        "targetUrls": [],
        "terminateTLS": False,
        "sourceAddresses": sources,
        "destinationAddresses": [],
        "sourceIpGroups": [],
        "httpHeadersToInsert": [],
    }


def _collection(name: str, priority: int, rules: list[Resource]) -> Resource:
    return {
        "ruleCollectionType": "FirewallPolicyFilterRuleCollection",
        "name": name,
        "priority": priority,
        "action": {"type": "Allow"},
        "rules": rules,
    }


def _rule_group(name: str, priority: int, collections: list[Resource]) -> Resource:
    return {
        "id": f"{FIREWALL_POLICY}/ruleCollectionGroups/{name}",
        "name": name,
        "type": RULE_GROUPS,
        "properties": {
            "provisioningState": "Succeeded",
            "priority": priority,
            "ruleCollections": collections,
        },
    }


def _rule_groups() -> list[Resource]:
    jump, agents = SUBNETS["jumpbox"], SUBNETS["agent-egress"]
    network = _collection(
        "jump-box-egress",
        1000,
        [
            {
                "ruleType": "NetworkRule",
                "name": "allow-time-sync",
                "ipProtocols": ["UDP"],
                "sourceAddresses": [jump],
                "sourceIpGroups": [],
                "destinationAddresses": [],
                "destinationIpGroups": [],
                "destinationFqdns": ["time.windows.com"],
                "destinationPorts": ["123"],
            }
        ],
    )
    application = [
        _collection("agent-egress", 1000, [_application_rule("allow-dependencies", [agents], AGENT_FQDNS,
                                                              [_https()])]),
        _collection("jump-box-egress", 1100, [_application_rule("allow-dependencies", [jump], JUMP_BOX_FQDNS,
                                                                [_https(), _https(80, "Http")])]),
    ]  # fmt: skip
    return [
        _rule_group("DefaultNetworkRuleCollectionGroup", 200, [network]),
        _rule_group("DefaultApplicationRuleCollectionGroup", 300, application),
    ]


def _policy(groups: list[Resource]) -> Resource:
    return {
        "id": FIREWALL_POLICY,
        "name": FIREWALL_POLICY.rsplit("/", 1)[-1],
        "type": POLICIES,
        "location": LOCATION,
        "properties": {
            "provisioningState": "Succeeded",
            "sku": {"tier": "Basic"},
            "threatIntelMode": "Alert",
            "ruleCollectionGroups": [{"id": g["id"]} for g in groups],
            "firewalls": [{"id": FIREWALL}],
            "childPolicies": [],
        },
    }


def _log_categories(b: Builder, target_id: str, rtype: str) -> None:
    """The type's log categories as diagnosticSettingsCategories lists them (once per type)."""
    if any(
        r["type"] == "Microsoft.Insights/diagnosticSettingsCategories"
        and f"/{rtype.rsplit('/', 1)[-1]}/".lower() in r["id"].lower()
        for r in b.resources
    ):
        return
    for name in LOG_CATEGORIES[rtype]:
        b.add(
            {
                "id": f"{target_id}/providers/microsoft.insights/diagnosticSettingsCategories/{name}",
                "name": name,
                "type": "Microsoft.Insights/diagnosticSettingsCategories",
                "properties": {"categoryType": "Logs", "categoryGroups": ["allLogs"]},
            }
        )


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""
    vnet = b.add(_vnet())
    nsgs = [b.add(make_nsg(IDS, subnet, rules)) for subnet, rules in nsg_rules().items()]
    b.add(_route_table())
    firewall = b.add(_firewall())
    b.add(public_ip(IDS, "pip-afw-egress", firewall["properties"]["ipConfigurations"][0]["id"]))
    b.add(public_ip(IDS, "pip-afw-management", firewall["properties"]["managementIpConfiguration"]["id"]))
    groups = _rule_groups()
    b.add(_policy(groups))
    for group in groups:
        b.add(group)
    for target in (firewall, vnet, *nsgs):
        _log_categories(b, target["id"], target["type"])
        b.diagnostics(target["id"], groups=["allLogs"])


# --- drift ---------------------------------------------------------------------------------


def subnet_of(resources: list[Resource], name: str) -> Resource:
    """One subnet of the sample's virtual network, by name."""
    vnet = find(resources, VNETS)
    return next(s for s in vnet["properties"]["subnets"] if s["name"] == name)


def rule_collection(resources: list[Resource], group: str, collection: str) -> Resource:
    """One rule collection of the firewall policy, by group and collection name."""
    body = find(resources, RULE_GROUPS, group)
    return next(c for c in body["properties"]["ruleCollections"] if c["name"] == collection)


# What the drifted sample breaks in the network, each named by the test that proves it is caught.
DRIFTS = (
    "the agents may reach any FQDN through the firewall",
    "the agent subnet no longer routes through the firewall",
    "the route table propagates BGP routes",
    "threat intelligence is off",
    "the agent subnet lost its delegation",
    "the private-endpoint subnet's NSG lets traffic out to the Internet",
    "DDoS Protection is off",
)


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
    agents = rule_collection(resources, "DefaultApplicationRuleCollectionGroup", "agent-egress")
    agents["rules"][0]["targetFqdns"] = ["*"]
    egress = subnet_of(resources, "agent-egress")
    egress["properties"].pop("routeTable")
    table = find(resources, ROUTE_TABLES)
    table["properties"]["subnets"] = [
        s for s in table["properties"]["subnets"] if not s["id"].lower().endswith("/agent-egress")
    ]
    table["properties"]["disableBgpRoutePropagation"] = False
    find(resources, POLICIES)["properties"]["threatIntelMode"] = "Off"
    egress["properties"]["delegations"] = []
    vnet = find(resources, VNETS)
    vnet["properties"]["enableDdosProtection"] = False
    vnet["properties"].pop("ddosProtectionPlan")
    nsg = find(resources, NSGS, "nsg-private-links")
    nsg["properties"]["securityRules"].append(
        security_rule(nsg["id"], "Allow-Https-Out", 900, "Outbound", "Allow", "Tcp", "*", "Internet", "443")
    )
