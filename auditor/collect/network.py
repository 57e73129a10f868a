"""Network: virtual networks (subnets embedded), NSGs, private endpoints and their DNS zone
groups, application gateways, WAF policies, bastion hosts, public IP addresses, route tables, Azure
Firewalls and firewall policies with their rule collection groups."""

from __future__ import annotations

from azure.mgmt.network import NetworkManagementClient

from auditor.arm import types
from auditor.arm.types import Resource
from auditor.collect.context import Sub, name, resource_group

# Subnets come embedded in their virtual network (properties.subnets): no read of their own.
VNETS = types.VIRTUAL_NETWORKS
NSGS = types.NETWORK_SECURITY_GROUPS
PRIVATE_ENDPOINTS = types.PRIVATE_ENDPOINTS
DNS_ZONE_GROUPS = types.PRIVATE_DNS_ZONE_GROUPS
APP_GATEWAYS = types.APPLICATION_GATEWAYS
WAF_POLICIES = types.WAF_POLICIES
BASTIONS = types.BASTION_HOSTS
# Each address names what it is attached to (properties.ipConfiguration / natGateway).
PUBLIC_IPS = types.PUBLIC_IP_ADDRESSES
# Forced tunnelling to the egress firewall (routes embedded in their table), the firewall, and its
# policy's rules, which live in the policy's rule collection groups.
ROUTE_TABLES = types.ROUTE_TABLES
FIREWALLS = types.AZURE_FIREWALLS
FIREWALL_POLICIES = types.FIREWALL_POLICIES
RULE_COLLECTION_GROUPS = types.FIREWALL_RULE_COLLECTION_GROUPS

TYPES = (
    VNETS, NSGS, PRIVATE_ENDPOINTS, DNS_ZONE_GROUPS, APP_GATEWAYS, WAF_POLICIES, BASTIONS, PUBLIC_IPS,
    ROUTE_TABLES, FIREWALLS, FIREWALL_POLICIES, RULE_COLLECTION_GROUPS,
)  # fmt: skip
AREA = "network"


def collect_network(sub: Sub) -> None:
    """Queue the reads of VNets, NSGs, private endpoints, gateways, WAF policies, Bastion, public IPs,
    route tables, firewalls and firewall policies."""
    net = sub.client(NetworkManagementClient)

    def zone_groups(pe: Resource) -> None:
        sub.list(
            DNS_ZONE_GROUPS,
            f"{pe['id']}/privateDnsZoneGroups",
            lambda: net.private_dns_zone_groups.list(name(pe), resource_group(pe)),
            child=True,
        )

    sub.list_resources(VNETS, net.virtual_networks.list_all, net.virtual_networks.list, area=AREA)
    sub.list_resources(
        NSGS, net.network_security_groups.list_all, net.network_security_groups.list, area=AREA
    )
    sub.list_resources(
        PRIVATE_ENDPOINTS,
        net.private_endpoints.list_by_subscription,
        net.private_endpoints.list,
        each=zone_groups,
        area=AREA,
    )
    sub.list_resources(
        APP_GATEWAYS,
        net.application_gateways.list_all,
        net.application_gateways.list,
        diagnostics=True,
        area=AREA,
    )
    sub.list_resources(
        WAF_POLICIES,
        net.web_application_firewall_policies.list_all,
        net.web_application_firewall_policies.list,
        area=AREA,
    )
    sub.list_resources(
        BASTIONS,
        net.bastion_hosts.list,
        net.bastion_hosts.list_by_resource_group,
        diagnostics=True,
        area=AREA,
    )
    sub.list_resources(PUBLIC_IPS, net.public_ip_addresses.list_all, net.public_ip_addresses.list, area=AREA)
    sub.list_resources(ROUTE_TABLES, net.route_tables.list_all, net.route_tables.list, area=AREA)
    sub.list_resources(
        FIREWALLS, net.azure_firewalls.list_all, net.azure_firewalls.list, diagnostics=True, area=AREA
    )

    def rule_groups(policy: Resource) -> None:
        sub.list(
            RULE_COLLECTION_GROUPS,
            f"{policy['id']}/ruleCollectionGroups",
            lambda: net.firewall_policy_rule_collection_groups.list(resource_group(policy), name(policy)),
            child=True,
        )

    sub.list_resources(
        FIREWALL_POLICIES,
        net.firewall_policies.list_all,
        net.firewall_policies.list,
        each=rule_groups,
        area=AREA,
    )
