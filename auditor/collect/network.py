"""Network: virtual networks (subnets embedded), NSGs, private endpoints and their DNS zone
groups, application gateways, WAF policies, bastion hosts and public IP addresses."""

from __future__ import annotations

from azure.mgmt.network import NetworkManagementClient

from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group

# Subnets come embedded in their virtual network (properties.subnets): no read of their own.
VNETS = "Microsoft.Network/virtualNetworks"
NSGS = "Microsoft.Network/networkSecurityGroups"
PRIVATE_ENDPOINTS = "Microsoft.Network/privateEndpoints"
DNS_ZONE_GROUPS = "Microsoft.Network/privateEndpoints/privateDnsZoneGroups"
APP_GATEWAYS = "Microsoft.Network/applicationGateways"
WAF_POLICIES = "Microsoft.Network/ApplicationGatewayWebApplicationFirewallPolicies"
BASTIONS = "Microsoft.Network/bastionHosts"
# Each address names what it is attached to (properties.ipConfiguration / natGateway).
PUBLIC_IPS = "Microsoft.Network/publicIPAddresses"

TYPES = (VNETS, NSGS, PRIVATE_ENDPOINTS, DNS_ZONE_GROUPS, APP_GATEWAYS, WAF_POLICIES, BASTIONS, PUBLIC_IPS)
AREA = "network"


def collect_network(sub: Sub) -> None:
    net = sub.client(NetworkManagementClient)
    prefix = f"{sub.prefix}/providers/Microsoft.Network"

    def zone_groups(pe: Resource) -> None:
        sub.list(
            DNS_ZONE_GROUPS,
            f"{pe['id']}/privateDnsZoneGroups",
            lambda: net.private_dns_zone_groups.list(name(pe), resource_group(pe)),
            child=True,
        )

    sub.list(VNETS, f"{prefix}/virtualNetworks", net.virtual_networks.list_all, area=AREA)
    sub.list(NSGS, f"{prefix}/networkSecurityGroups", net.network_security_groups.list_all, area=AREA)
    sub.list(
        PRIVATE_ENDPOINTS,
        f"{prefix}/privateEndpoints",
        net.private_endpoints.list_by_subscription,
        each=zone_groups,
        area=AREA,
    )
    sub.list(
        APP_GATEWAYS,
        f"{prefix}/applicationGateways",
        net.application_gateways.list_all,
        diagnostics=True,
        area=AREA,
    )
    sub.list(
        WAF_POLICIES,
        f"{prefix}/ApplicationGatewayWebApplicationFirewallPolicies",
        net.web_application_firewall_policies.list_all,
        area=AREA,
    )
    sub.list(BASTIONS, f"{prefix}/bastionHosts", net.bastion_hosts.list, diagnostics=True, area=AREA)
    sub.list(PUBLIC_IPS, f"{prefix}/publicIPAddresses", net.public_ip_addresses.list_all, area=AREA)
