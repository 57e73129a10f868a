"""Cases of the nsg family: a mutation of the compliant estate and the statuses it must give.

The compliant estates encode the architecture's NSG table (where it is stricter than the
reference implementation); `reference_nsgs` rewrites them the way Microsoft's reference
implementation has them, so that the rules that side with the text can be seen failing it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.analysis.nsg.bastion import BASTION_INTERNET_INBOUND
from tests import estates
from tests.cases.common import Mutation, Resource, chain, denied
from tests.cases.common import StatusCase as Case
from tests.foundry import network as foundry_network

NSGS = "Microsoft.Network/networkSecurityGroups"
VNETS = "Microsoft.Network/virtualNetworks"
GATEWAYS = "Microsoft.Network/applicationGateways"
ASG = (
    "/subscriptions/{sub}/resourceGroups/rg-apps/providers/Microsoft.Network/applicationSecurityGroups/{name}"
)
P = estates.SUBNETS  # subnet name -> prefix


def statuses(passed: int = 0, failed: int = 0, not_assessed: int = 0) -> tuple[str, ...]:
    return ("pass",) * passed + ("fail",) * failed + ("not_assessed",) * not_assessed


def nsg(res: list[Resource], subnet: str) -> Resource:
    return estates.find(res, NSGS, f"nsg-{subnet.lower()}")


def vnet(res: list[Resource]) -> Resource:
    return estates.find(res, VNETS)


def add_rule(subnet: str, *rule: Any) -> Mutation:
    """Add a security rule (name, priority, direction, access, protocol, source, destination, ports)."""

    def mutate(res: list[Resource], variant: str) -> None:
        group = nsg(res, subnet)
        group["properties"]["securityRules"].append(estates.security_rule(group["id"], *rule))

    return mutate


def drop_rule(subnet: str, name: str, direction: str | None = None) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = nsg(res, subnet)["properties"]
        before = len(props["securityRules"])
        props["securityRules"] = [
            r
            for r in props["securityRules"]
            if not (r["name"] == name and direction in (None, r["properties"]["direction"]))
        ]
        assert len(props["securityRules"]) < before, f"no rule {name} on {subnet}"

    return mutate


def set_rule(subnet: str, name: str, **changes: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        for r in nsg(res, subnet)["properties"]["securityRules"]:
            if r["name"] == name:
                r["properties"].update(changes)
                return
        raise AssertionError(f"no rule {name} on {subnet}")

    return mutate


def asg_rule(
    subnet: str, name: str, priority: int, direction: str, access: str, side: str, other: str, ports: str
) -> Mutation:
    """A rule whose `side` ("source" or "destination") is an application security group."""

    def mutate(res: list[Resource], variant: str) -> None:
        group = nsg(res, subnet)
        body = estates.security_rule(
            group["id"], name, priority, direction, access, "Tcp", other, other, ports
        )
        props = body["properties"]
        props.pop(f"{side}AddressPrefix")
        props[f"{side}ApplicationSecurityGroups"] = [
            {"id": ASG.format(sub=estates.SUB, name="asg-" + name.lower())}
        ]
        group["properties"]["securityRules"].append(body)

    return mutate


def forget_nsg(subnet: str) -> Mutation:
    """The subnet still references its NSG, but the NSG is not in the snapshot."""
    return lambda res, variant: [r for r in res if r["id"] != nsg(res, subnet)["id"]]


def detach(subnet: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        for s in vnet(res)["properties"]["subnets"]:
            if s["name"] == subnet:
                s["properties"].pop("networkSecurityGroup")

    return mutate


def add_subnet(name: str, prefix: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        ids = estates.Ids(variant)
        vnet(res)["properties"]["subnets"].append(
            {
                "name": name,
                "id": ids.subnet(name),
                "type": f"{VNETS}/subnets",
                "properties": {"addressPrefix": prefix},
            }
        )

    return mutate


def remove_subnet(name: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = vnet(res)["properties"]
        props["subnets"] = [s for s in props["subnets"] if s["name"] != name]

    return mutate


def add_peering(name: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        peering = {
            "name": name,
            "id": f"{estates.Ids(variant).vnet}/virtualNetworkPeerings/{name}",
            "properties": {},
        }
        vnet(res)["properties"].setdefault("virtualNetworkPeerings", []).append(peering)

    return mutate


def drop_rules_list(subnet: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        nsg(res, subnet)["properties"].pop("securityRules")

    return mutate


def add_loose_nsg(*rules: tuple[Any, ...]) -> Mutation:
    """An NSG associated with nothing: no subnet and no network interface."""

    def mutate(res: list[Resource], variant: str) -> None:
        group = estates.make_nsg(estates.Ids(variant), "vm-nic", rules)
        group["properties"].pop("subnets")
        res.append(group)

    return mutate


def add_foreign_nsg(*rules: tuple[Any, ...]) -> Mutation:
    """An NSG on a subnet of a virtual network that was not collected."""

    def mutate(res: list[Resource], variant: str) -> None:
        ids = estates.Ids(variant)
        group = estates.make_nsg(ids, "vm-nic", rules)
        group["properties"]["subnets"] = [{"id": f"{ids.net}/virtualNetworks/vnet-other/subnets/apps"}]
        res.append(group)

    return mutate


def add_nic_nsg(*rules: tuple[Any, ...]) -> Mutation:
    """An NSG on a VM's network interface only (NICs are not collected, so their subnet is unknown)."""

    def mutate(res: list[Resource], variant: str) -> None:
        ids = estates.Ids(variant)
        group = estates.make_nsg(ids, "vm-nic", rules)
        group["properties"].pop("subnets")
        group["properties"]["networkInterfaces"] = [{"id": f"{ids.net}/networkInterfaces/nic-vm-1"}]
        res.append(group)

    return mutate


def without(rtype: str) -> Mutation:
    return lambda res, variant: [r for r in res if r["type"].lower() != rtype.lower()]


def nsg_read_denied(variant: str) -> list[dict[str, Any]]:
    return denied(NSGS, lambda v: f"{estates.Ids(v).rg}/providers/{NSGS}")(variant)


def vnet_list_denied(variant: str) -> list[dict[str, Any]]:
    return denied(VNETS, lambda v: f"/subscriptions/{estates.SUB}/providers/{VNETS}")(variant)


def reference_nsgs(res: list[Resource], variant: str) -> list[Resource] | None:
    """The NSGs as Microsoft's reference implementation deploys them (V1/V2 network.bicep).

    Three differences from the architecture's text: no deny-all outbound on the App Service
    subnet (L292-306), no deny-all inbound on the jump box (L599-644), and the agents-subnet
    DenyAllOutBound with the Application Gateway prefix as its source (L354).
    """
    return chain(
        drop_rule("web-integration", "DenyAllOutBound"),
        drop_rule("jumpbox", "DenyAllInBound"),
        set_rule("build-agents", "DenyAllOutBound", sourceAddressPrefix=P["edge-gateway"]),
    )(res, variant)


Errors = Callable[[str], list[dict[str, Any]]]

# --- NSG001 -------------------------------------------------------------------------------

NSG001 = [
    Case("compliant", "NSG001", statuses(passed=8), contains="networkSecurityGroup is nsg-"),
    Case("a subnet without NSG", "NSG001", statuses(7, 1), detach("scoring"), contains="is absent"),
    Case(
        "subnets where Azure forbids an NSG are exempt",
        "NSG001",
        statuses(passed=8),
        chain(add_subnet("GatewaySubnet", "10.20.5.0/27"), add_subnet("AzureFirewallSubnet", "10.20.6.0/26")),
    ),
    Case("a new subnet without NSG", "NSG001", statuses(8, 1), add_subnet("experiments", "10.20.7.0/24")),
    Case(
        "the association counts even when the NSG was not collected",
        "NSG001",
        statuses(passed=8),
        forget_nsg("jumpbox"),
        contains="not in the snapshot",
    ),
    Case(
        "virtual networks not collected",
        "NSG001",
        statuses(not_assessed=1),
        without(VNETS),
        drop_types=(VNETS,),
        contains="not collected",
    ),
    Case(
        "virtual networks could not be listed",
        "NSG001",
        statuses(not_assessed=1),
        without(VNETS),
        errors=vnet_list_denied,
        contains="403",
    ),
]

# --- NSG002 -------------------------------------------------------------------------------

APPGW = "edge-gateway"
NSG002 = [
    Case(
        "compliant",
        "NSG002",
        statuses(passed=1),
        contains="other Internet traffic is denied by DenyAllInBound",
    ),
    Case(
        "SSH open to the Internet",
        "NSG002",
        statuses(failed=1),
        add_rule(APPGW, "Allow-SSH", 130, "Inbound", "Allow", "Tcp", "Internet", "*", "22"),
        contains="SSH (22)",
    ),
    Case(
        "control plane blocked",
        "NSG002",
        statuses(failed=1),
        drop_rule(APPGW, "AppGw.In.Allow.ControlPlane"),
        contains="Tcp 65200-65535 from GatewayManager is not (fully) allowed",
    ),
    Case(
        "control plane from GatewayManager only",
        "NSG002",
        statuses(passed=1),
        set_rule(APPGW, "AppGw.In.Allow.ControlPlane", sourceAddressPrefix="GatewayManager", protocol="Tcp"),
    ),
    Case(
        "load-balancer probes denied",
        "NSG002",
        statuses(failed=1),
        add_rule(APPGW, "Deny-LB", 90, "Inbound", "Deny", "*", "AzureLoadBalancer", "*", "*"),
        contains="AzureLoadBalancer",
    ),
    Case(
        "clients not allowed on 443",
        "NSG002",
        statuses(failed=1),
        drop_rule(APPGW, "AppGw.In.Allow443.Internet"),
        contains="Tcp 443 from Internet is not (fully) allowed",
    ),
    Case(
        "a shadowed allow does not count",
        "NSG002",
        statuses(passed=1),
        add_rule(APPGW, "Allow-RDP-Late", 2000, "Inbound", "Allow", "Tcp", "*", "*", "3389"),
    ),
    Case(
        "a team restricting clients to its own range sees 443 open to everyone else",
        "NSG002",
        statuses(failed=1),
        params={"client_sources": ["203.0.113.0/24"]},
        contains="other traffic from the Internet is allowed: Tcp port 443",
    ),
    Case(
        "a team restricting clients to its own range, with the NSG to match",
        "NSG002",
        statuses(passed=1),
        set_rule(APPGW, "AppGw.In.Allow443.Internet", sourceAddressPrefix="203.0.113.0/24"),
        params={"client_sources": ["203.0.113.0/24"]},
    ),
    Case(
        "an application security group decides",
        "NSG002",
        statuses(not_assessed=1),
        asg_rule(APPGW, "Web", 105, "Inbound", "Allow", "destination", "Internet", "8080"),
        contains="application security group",
    ),
    Case(
        "NSG not collected",
        "NSG002",
        statuses(not_assessed=1),
        forget_nsg(APPGW),
        contains="could not be read",
    ),
    Case(
        "NSG read denied",
        "NSG002",
        statuses(not_assessed=1),
        forget_nsg(APPGW),
        errors=nsg_read_denied,
        contains="HTTP 403",
    ),
    Case(
        "gateways not collected: the gateway subnet is unknown",
        "NSG002",
        statuses(not_assessed=1),
        drop_types=(GATEWAYS,),
        mutate=without(GATEWAYS),
    ),
]

# --- NSG003 / NSG004 ----------------------------------------------------------------------

NSG003 = [
    Case("compliant", "NSG003", statuses(passed=5), contains="counted as inside the network"),
    Case(
        "private endpoints reachable from the Internet",
        "NSG003",
        statuses(4, 1),
        add_rule("private-links", "Allow-443", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "443"),
        contains="Tcp port 443 by Allow-443 (priority 100)",
    ),
    Case(
        "App Service subnet admits a range outside the VNet",
        "NSG003",
        statuses(4, 1),
        add_rule("web-integration", "Allow-OnPrem", 100, "Inbound", "Allow", "*", "192.168.0.0/16", "*", "*"),
        contains="role app-service-integration",
    ),
    Case("subnet without NSG", "NSG003", statuses(4, 1), detach("scoring"), contains="no NSG"),
    Case(
        "sources limited to the VNet tag pass",
        "NSG003",
        statuses(passed=5),
        add_rule("training", "Allow-Vnet", 100, "Inbound", "Allow", "*", "VirtualNetwork", "*", "*"),
    ),
    Case(
        "an application security group decides",
        "NSG003",
        statuses(4, not_assessed=1),
        asg_rule("scoring", "Scorers", 100, "Inbound", "Allow", "destination", "*", "443"),
    ),
    Case(
        "NSG not collected",
        "NSG003",
        statuses(4, not_assessed=1),
        forget_nsg("training"),
        errors=nsg_read_denied,
    ),
    Case(
        "only the roles a team lists", "NSG003", statuses(passed=1), params={"roles": ["private-endpoints"]}
    ),
    Case(
        "peerings the VNet lists are named",
        "NSG003",
        statuses(passed=5),
        add_peering("peer-hub"),
        contains="the VNet lists peering(s) peer-hub",
    ),
    Case(
        "an NSG body without its rules list",
        "NSG003",
        statuses(4, not_assessed=1),
        drop_rules_list("training"),
        contains="securityRules is absent",
    ),
]

NSG004 = [
    Case("compliant", "NSG004", statuses(passed=4), contains="denied by DenyAllOutBound (priority 1000)"),
    Case(
        "the reference's agents-subnet rule covers the gateway prefix instead",
        "NSG004",
        statuses(3, 1),
        set_rule("build-agents", "DenyAllOutBound", sourceAddressPrefix=P["edge-gateway"]),
        contains="Deny rule(s) that do not cover this traffic: DenyAllOutBound (priority 1000)",
    ),
    Case(
        "private-endpoint subnet without deny-all outbound",
        "NSG004",
        statuses(3, 1),
        drop_rule("private-links", "DenyAllOutBound"),
        contains="default rule AllowInternetOutBound (65001)",
    ),
    Case(
        "training subnet may reach Storage",
        "NSG004",
        statuses(3, 1),
        add_rule("training", "Allow-Storage", 900, "Outbound", "Allow", "Tcp", "*", "Storage", "443"),
        contains="only for addresses in Storage",
    ),
    Case(
        "outbound to the VNet tag stays inside",
        "NSG004",
        statuses(passed=4),
        add_rule("scoring", "Allow-Vnet", 900, "Outbound", "Allow", "*", "*", "VirtualNetwork", "*"),
        contains="peered or connected address space",
    ),
    Case(
        "an application security group decides",
        "NSG004",
        statuses(3, not_assessed=1),
        asg_rule("training", "Trainers", 900, "Outbound", "Allow", "source", "Internet", "443"),
        contains="asg-trainers",
    ),
    Case("NSG not collected", "NSG004", statuses(3, not_assessed=1), forget_nsg("scoring")),
    Case(
        "a deny-all written with 0.0.0.0/0 covers an IPv4-only network",
        "NSG004",
        statuses(passed=4),
        set_rule("private-links", "DenyAllOutBound", destinationAddressPrefix="0.0.0.0/0"),
        contains="denied by DenyAllOutBound (priority 1000)",
    ),
    Case(
        "a deny-all written with ::/0 leaves the IPv4 traffic open",
        "NSG004",
        statuses(3, 1),
        set_rule("private-links", "DenyAllOutBound", destinationAddressPrefix="::/0"),
        contains="default rule AllowInternetOutBound (65001)",
    ),
]

# --- NSG005 -------------------------------------------------------------------------------

JUMP = "jumpbox"
NSG005 = [
    Case("compliant", "NSG005", statuses(passed=1), contains="Tcp port 22, 3389 by Jumpbox.In.Allow.SshRdp"),
    Case(
        "RDP open to anywhere",
        "NSG005",
        statuses(failed=1),
        add_rule(JUMP, "Allow-RDP-Anywhere", 90, "Inbound", "Allow", "Tcp", "*", "*", "3389"),
        contains="RDP (3389)",
    ),
    Case(
        "the reference's jump box lacks a deny-all inbound",
        "NSG005",
        statuses(failed=1),
        drop_rule(JUMP, "DenyAllInBound"),
        contains="default rule AllowVnetInBound (65000)",
    ),
    Case(
        "SSH only is still reachable",
        "NSG005",
        statuses(passed=1),
        set_rule(JUMP, "Jumpbox.In.Allow.SshRdp", destinationPortRanges=["22"]),
    ),
    Case(
        "Bastion cannot reach the jump box",
        "NSG005",
        statuses(failed=1),
        drop_rule(JUMP, "Jumpbox.In.Allow.SshRdp"),
        contains="from the Bastion subnet is denied by DenyAllInBound",
    ),
    Case(
        "no Bastion subnet",
        "NSG005",
        statuses(failed=1),
        remove_subnet("AzureBastionSubnet"),
        contains="no Bastion",
    ),
    Case(
        "an application security group decides",
        "NSG005",
        statuses(not_assessed=1),
        asg_rule(JUMP, "Admins", 90, "Inbound", "Allow", "source", "*", "22"),
    ),
    Case("NSG not collected", "NSG005", statuses(not_assessed=1), forget_nsg(JUMP)),
    Case(
        "a deny-all inbound from 0.0.0.0/0 covers an IPv4-only network",
        "NSG005",
        statuses(passed=1),
        set_rule(JUMP, "DenyAllInBound", sourceAddressPrefix="0.0.0.0/0"),
        contains="denied by DenyAllInBound (priority 1000)",
    ),
    Case(
        "a deny-all inbound to 0.0.0.0/0 covers an IPv4-only network",
        "NSG005",
        statuses(passed=1),
        set_rule(JUMP, "DenyAllInBound", destinationAddressPrefix="0.0.0.0/0"),
    ),
    Case(
        "a deny-all inbound from ::/0 leaves the IPv4 network open",
        "NSG005",
        statuses(failed=1),
        set_rule(JUMP, "DenyAllInBound", sourceAddressPrefix="::/0"),
        contains="default rule AllowVnetInBound (65000)",
    ),
]

# --- NSG006 -------------------------------------------------------------------------------

WEB = "web-integration"
NSG006 = [
    Case("compliant", "NSG006", statuses(passed=1), contains="anything but private-links, AzureMonitor"),
    Case(
        "the reference's App Service subnet lacks a deny-all outbound",
        "NSG006",
        statuses(failed=1),
        drop_rule(WEB, "DenyAllOutBound"),
        contains="default rule AllowInternetOutBound (65001)",
    ),
    Case(
        "web apps may reach Storage",
        "NSG006",
        statuses(failed=1),
        add_rule(WEB, "Allow-Storage", 120, "Outbound", "Allow", "Tcp", "*", "Storage", "443"),
        contains="Allow-Storage (priority 120)",
    ),
    Case(
        "a team that allows Storage says so",
        "NSG006",
        statuses(passed=1),
        add_rule(WEB, "Allow-Storage", 120, "Outbound", "Allow", "Tcp", "*", "Storage", "443"),
        params={"destinations": ["AzureMonitor", "Storage"]},
    ),
    Case(
        "an application security group decides",
        "NSG006",
        statuses(not_assessed=1),
        asg_rule(WEB, "Apps", 90, "Outbound", "Allow", "source", "Internet", "443"),
    ),
    Case("NSG not collected", "NSG006", statuses(not_assessed=1), forget_nsg(WEB), errors=nsg_read_denied),
    Case(
        "a deny-all outbound to 0.0.0.0/0 covers an IPv4-only network",
        "NSG006",
        statuses(passed=1),
        set_rule(WEB, "DenyAllOutBound", destinationAddressPrefix="0.0.0.0/0"),
        contains="denied by DenyAllOutBound (priority 1000)",
    ),
]

# --- NSG007 -------------------------------------------------------------------------------

NSG007 = [
    Case("compliant", "NSG007", statuses(passed=7)),
    Case(
        "RDP open to anywhere on the jump box",
        "NSG007",
        statuses(6, 1),
        add_rule(JUMP, "Allow-RDP-Anywhere", 90, "Inbound", "Allow", "Tcp", "*", "*", "3389"),
        contains="Tcp port 3389 by Allow-RDP-Anywhere (priority 90), including RDP (3389)",
    ),
    Case(
        "0.0.0.0/0 counts as the Internet",
        "NSG007",
        statuses(6, 1),
        add_rule("private-links", "Allow-All-v4", 100, "Inbound", "Allow", "Tcp", "0.0.0.0/0", "*", "1-1024"),
        contains="SSH (22)",
    ),
    Case(
        "a shadowed allow has no effect",
        "NSG007",
        statuses(passed=7),
        add_rule(JUMP, "Allow-SSH-Late", 2000, "Inbound", "Allow", "Tcp", "Internet", "*", "22"),
        contains="shadowed, so without effect: Allow-SSH-Late (priority 2000)",
    ),
    Case(
        "Bastion beyond its documented needs",
        "NSG007",
        statuses(6, 1),
        add_rule("AzureBastionSubnet", "Allow-SSH", 95, "Inbound", "Allow", "Tcp", "Internet", "*", "22"),
        contains="Allow-SSH (priority 95)",
    ),
    Case(
        "a subnet without NSG (its former NSG is judged on its own)",
        "NSG007",
        statuses(7, 1),
        detach("scoring"),
        contains="all traffic by no NSG",
    ),
    Case(
        "an NSG attached to nothing is judged on its own",
        "NSG007",
        statuses(7, 1),
        add_loose_nsg(("Allow-RDP", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "3389")),
        contains="attached to nothing",
    ),
    Case(
        "an NSG attached to nothing that denies the Internet",
        "NSG007",
        statuses(passed=8),
        add_loose_nsg(("Allow-Vnet-RDP", 100, "Inbound", "Allow", "Tcp", "VirtualNetwork", "*", "3389")),
        contains="attached to nothing",
    ),
    Case(
        "an NSG on a subnet that was not collected is judged on its own",
        "NSG007",
        statuses(7, 1),
        add_foreign_nsg(("Allow-RDP", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "3389")),
        contains="associated with subnet(s) apps, which were not collected",
    ),
    Case(
        "a NIC's NSG that allows the Internet: the subnet's NSG filters first and is unknown",
        "NSG007",
        statuses(7, not_assessed=1),
        add_nic_nsg(("Allow-SSH", 100, "Inbound", "Allow", "Tcp", "Internet", "*", "22")),
        contains="network interface(s) nic-vm-1",
    ),
    Case(
        "a NIC's NSG that denies the Internet by itself",
        "NSG007",
        statuses(passed=8),
        add_nic_nsg(("Allow-Vnet-SSH", 100, "Inbound", "Allow", "Tcp", "VirtualNetwork", "*", "22")),
        contains="network interface(s) nic-vm-1",
    ),
    Case(
        "an application security group decides",
        "NSG007",
        statuses(6, not_assessed=1),
        asg_rule("training", "Notebooks", 100, "Inbound", "Allow", "destination", "Internet", "8888"),
    ),
    Case(
        "NSG not collected", "NSG007", statuses(6, not_assessed=1), forget_nsg(JUMP), errors=nsg_read_denied
    ),
    Case(
        "a team documents an exception for a role",
        "NSG007",
        statuses(passed=7),
        add_rule(JUMP, "Allow-RDP-Office", 90, "Inbound", "Allow", "Tcp", "198.51.100.0/24", "*", "3389"),
        params={
            "allowances": {
                "bastion": BASTION_INTERNET_INBOUND,
                "jumpbox": [{"protocol": "Tcp", "ports": ["3389"], "sources": ["198.51.100.0/24"]}],
            }
        },
    ),
]

# --- NSG008 -------------------------------------------------------------------------------

BASTION = "AzureBastionSubnet"
NSG008 = [
    Case("compliant", "NSG008", statuses(passed=1), contains="all 8 flows"),
    Case(
        "no route to AzureCloud",
        "NSG008",
        statuses(failed=1),
        drop_rule(BASTION, "Bastion.Out.Allow.AzureCloudCommunication"),
        contains="azure-cloud",
    ),
    Case(
        "control plane blocked",
        "NSG008",
        statuses(failed=1),
        drop_rule(BASTION, "Bastion.In.Allow.GatewayManager"),
        contains="gateway-manager",
    ),
    Case(
        "SSH and RDP to the VNet only partly allowed",
        "NSG008",
        statuses(failed=1),
        set_rule(BASTION, "Bastion.Out.Allow.SshRdp", destinationPortRanges=["22"]),
        contains="ssh-rdp",
    ),
    Case("no NSG blocks nothing", "NSG008", statuses(passed=1), detach(BASTION)),
    Case(
        "an application security group decides",
        "NSG008",
        statuses(not_assessed=1),
        asg_rule(BASTION, "Blocked", 90, "Inbound", "Deny", "destination", "Internet", "443"),
    ),
    Case("NSG not collected", "NSG008", statuses(not_assessed=1), forget_nsg(BASTION)),
    Case(
        "host communication and session information narrowed to Tcp",
        "NSG008",
        statuses(passed=1),
        chain(
            set_rule(BASTION, "Bastion.In.Allow.BastionHostCommunication", protocol="Tcp"),
            set_rule(BASTION, "Bastion.Out.Allow.BastionHostCommunication", protocol="Tcp"),
            set_rule(BASTION, "Bastion.Out.Allow.GetSessionInformation", protocol="Tcp"),
        ),
        contains="all 8 flows",
    ),
    Case(
        "host communication narrowed to the Bastion subnet",
        "NSG008",
        statuses(passed=1),
        chain(
            set_rule(
                BASTION,
                "Bastion.In.Allow.BastionHostCommunication",
                sourceAddressPrefix=P[BASTION],
                destinationAddressPrefix=P[BASTION],
            ),
            set_rule(
                BASTION,
                "Bastion.Out.Allow.BastionHostCommunication",
                sourceAddressPrefix=P[BASTION],
                destinationAddressPrefix=P[BASTION],
            ),
        ),
    ),
    Case(
        "host communication narrowed to the VNet's prefix",
        "NSG008",
        statuses(passed=1),
        chain(
            set_rule(
                BASTION,
                "Bastion.In.Allow.BastionHostCommunication",
                sourceAddressPrefix=estates.VNET_PREFIX,
                destinationAddressPrefix=estates.VNET_PREFIX,
            ),
            set_rule(
                BASTION,
                "Bastion.Out.Allow.BastionHostCommunication",
                sourceAddressPrefix=estates.VNET_PREFIX,
                destinationAddressPrefix=estates.VNET_PREFIX,
            ),
        ),
    ),
    Case(
        "host communication from another subnet only",
        "NSG008",
        statuses(failed=1),
        set_rule(BASTION, "Bastion.In.Allow.BastionHostCommunication", sourceAddressPrefix=P["jumpbox"]),
        contains="bastion-host-communication-in",
    ),
    Case(
        "host communication on Udp only",
        "NSG008",
        statuses(failed=1),
        set_rule(BASTION, "Bastion.Out.Allow.BastionHostCommunication", protocol="Udp"),
        contains="bastion-host-communication-out",
    ),
    Case(
        "session information on Udp only",
        "NSG008",
        statuses(failed=1),
        set_rule(BASTION, "Bastion.Out.Allow.GetSessionInformation", protocol="Udp"),
        contains="session-information",
    ),
]

# --- NSG009 -------------------------------------------------------------------------------


def pe_policies(value: Any) -> Mutation:
    """Set (None: remove) the private-endpoint subnet's privateEndpointNetworkPolicies."""

    def mutate(res: list[Resource], variant: str) -> None:
        for s in vnet(res)["properties"]["subnets"]:
            if s["name"] == "private-links":
                if value is None:
                    s["properties"].pop("privateEndpointNetworkPolicies", None)
                else:
                    s["properties"]["privateEndpointNetworkPolicies"] = value

    return mutate


NSG009 = [
    Case("compliant", "NSG009", statuses(passed=1), contains="is NetworkSecurityGroupEnabled"),
    Case("Enabled also applies the NSG", "NSG009", statuses(passed=1), pe_policies("Enabled")),
    Case("lower-case value", "NSG009", statuses(passed=1), pe_policies("networksecuritygroupenabled")),
    Case("Disabled", "NSG009", statuses(failed=1), pe_policies("Disabled"), contains="does not apply"),
    Case(
        "absent means Disabled",
        "NSG009",
        statuses(failed=1),
        pe_policies(None),
        contains="absent (platform default Disabled)",
    ),
    Case("route tables only", "NSG009", statuses(failed=1), pe_policies("RouteTableEnabled")),
    Case("no private-endpoint subnet", "NSG009", statuses(failed=1), remove_subnet("private-links")),
    Case(
        "virtual networks not collected",
        "NSG009",
        statuses(not_assessed=1),
        without(VNETS),
        drop_types=(VNETS,),
        contains="not collected",
    ),
]

# --- the reference implementation, as deployed --------------------------------------------

REFERENCE = [
    Case("reference implementation", rid, expect, reference_nsgs)
    for rid, expect in (
        ("NSG001", statuses(passed=8)),
        ("NSG002", statuses(passed=1)),
        ("NSG003", statuses(passed=5)),
        ("NSG004", statuses(3, 1)),
        ("NSG005", statuses(failed=1)),
        ("NSG006", statuses(failed=1)),
        ("NSG007", statuses(passed=7)),
        ("NSG008", statuses(passed=1)),
    )
]

CASES: list[Case] = NSG001 + NSG002 + NSG003 + NSG004 + NSG005 + NSG006 + NSG007 + NSG008 + NSG009 + REFERENCE

# --- network of the Foundry Agent Service design (NSG010-NSG017, and the shared rules on its sample) ---

FOUNDRY = ("foundry",)
ROUTE_TABLES = "Microsoft.Network/routeTables"
FIREWALLS = "Microsoft.Network/azureFirewalls"
POLICIES = "Microsoft.Network/firewallPolicies"
RULE_GROUPS = "Microsoft.Network/firewallPolicies/ruleCollectionGroups"
APPLICATION_RULES = "DefaultApplicationRuleCollectionGroup"


def on_subnet(name: str, **changes: Any) -> Mutation:
    """Set (None: remove) properties of one subnet of the Foundry sample."""

    def mutate(res: list[Resource], variant: str) -> None:
        props = foundry_network.subnet_of(res, name)["properties"]
        for key, value in changes.items():
            if value is None:
                props.pop(key, None)
            else:
                props[key] = value

    return mutate


def inject_agents(subnet: str) -> Mutation:
    """The Foundry account injects its agents into `subnet` (properties.networkInjections)."""

    def mutate(res: list[Resource], variant: str) -> None:
        account = estates.find(res, "Microsoft.CognitiveServices/accounts")
        account["properties"]["networkInjections"] = [
            {
                "scenario": "agent",
                "subnetArmId": estates.Ids(variant).subnet(subnet),
                "useMicrosoftManagedNetwork": False,
            }
        ]

    return mutate


def on_route(**changes: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        estates.find(res, ROUTE_TABLES)["properties"]["routes"][0]["properties"].update(changes)

    return mutate


def on_table(**changes: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = estates.find(res, ROUTE_TABLES)["properties"]
        for key, value in changes.items():
            if value is None:
                props.pop(key, None)
            else:
                props[key] = value

    return mutate


def on_policy(**changes: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        props = estates.find(res, POLICIES)["properties"]
        for key, value in changes.items():
            if value is None:
                props.pop(key, None)
            else:
                props[key] = value

    return mutate


def on_agent_rule(**changes: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        collection = foundry_network.rule_collection(res, APPLICATION_RULES, "agent-egress")
        collection["rules"][0].update(changes)

    return mutate


def on_network_rule(**changes: Any) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        collection = foundry_network.rule_collection(
            res, "DefaultNetworkRuleCollectionGroup", "jump-box-egress"
        )
        collection["rules"][0].update(changes)

    return mutate


def firewall_ip(ip: str) -> Mutation:
    def mutate(res: list[Resource], variant: str) -> None:
        estates.find(res, FIREWALLS)["properties"]["ipConfigurations"][0]["properties"][
            "privateIPAddress"
        ] = ip

    return mutate


def route_table_denied(variant: str) -> list[dict[str, Any]]:
    return denied(ROUTE_TABLES, lambda v: f"{estates.Ids(v).rg}/providers/{ROUTE_TABLES}")(variant)


def rule_groups_denied(variant: str) -> list[dict[str, Any]]:
    policy = estates.find(estates.compliant(variant), POLICIES)["id"]
    return denied(RULE_GROUPS, lambda v: f"{policy}/ruleCollectionGroups")(variant)


FOUNDRY_SHARED = [
    Case(f"Foundry sample: {rid}", rid, expect, variants=FOUNDRY)
    for rid, expect in (
        ("NSG001", statuses(passed=7)),
        ("NSG002", statuses(passed=1)),
        ("NSG003", statuses(passed=3)),
        ("NSG004", statuses(passed=1)),
        ("NSG005", statuses(passed=1)),
        ("NSG006", statuses(passed=1)),
        ("NSG007", statuses(passed=6)),
        ("NSG008", statuses(passed=1)),
        ("NSG009", statuses(passed=1)),
    )
] + [
    Case(
        "Foundry: the reference's build agents admit the whole VNet, which NSG003 accepts",
        "NSG003",
        statuses(passed=3),
        chain(
            drop_rule("build-agents", "DenyAllInBound"),
            drop_rule("build-agents", "BuildAgents.In.Allow.SshRdp"),
        ),
        variants=FOUNDRY,
    ),
]

NSG010 = [
    Case("compliant", "NSG010", statuses(passed=1), variants=FOUNDRY, contains="Microsoft.App/environments"),
    Case(
        "the networkInjections subnet is the delegated one",
        "NSG010",
        statuses(passed=1),
        inject_agents("agent-egress"),
        variants=FOUNDRY,
        contains="the networkInjections subnet of ais-chat",
    ),
    Case(
        "the delegation is gone from the injected subnet",
        "NSG010",
        statuses(failed=1),
        chain(inject_agents("agent-egress"), on_subnet("agent-egress", delegations=[])),
        variants=FOUNDRY,
        contains="delegations are none",
    ),
    Case(
        "no delegated subnet at all",
        "NSG010",
        statuses(failed=1),
        on_subnet("agent-egress", delegations=[]),
        variants=FOUNDRY,
        # The account injects its agents there, so the finding names the injected subnet.
        contains="(the networkInjections subnet of ais-chat): delegations are none",
    ),
    Case(
        "the account injects into a subnet that does not exist",
        "NSG010",
        statuses(passed=1, failed=1),
        inject_agents("agents-gone"),
        variants=FOUNDRY,
        contains="not in the snapshot",
    ),
    Case(
        "virtual networks not collected",
        "NSG010",
        statuses(not_assessed=2),
        without(VNETS),
        drop_types=(VNETS,),
        variants=FOUNDRY,
    ),
]

AGENTS_SUBNET = "agent-egress"
NSG011 = [
    Case("compliant", "NSG011", statuses(passed=1), variants=FOUNDRY, contains="Tcp 443 to the Internet"),
    Case(
        "inbound from the VNet admitted",
        "NSG011",
        statuses(failed=1),
        add_rule(AGENTS_SUBNET, "Allow-Vnet", 900, "Inbound", "Allow", "*", "VirtualNetwork", "*", "*"),
        variants=FOUNDRY,
        contains="inbound traffic is allowed",
    ),
    Case(
        "the reference's rules without the deny-all inbound",
        "NSG011",
        statuses(failed=1),
        drop_rule(AGENTS_SUBNET, "DenyAllInBound"),
        variants=FOUNDRY,
        contains="default rule AllowVnetInBound (65000)",
    ),
    Case(
        "HTTP to the Internet as well",
        "NSG011",
        statuses(failed=1),
        add_rule(AGENTS_SUBNET, "Allow-Http", 120, "Outbound", "Allow", "Tcp", "*", "Internet", "80"),
        variants=FOUNDRY,
        contains="Allow-Http (priority 120)",
    ),
    Case(
        "the private endpoints cut off",
        "NSG011",
        statuses(failed=1),
        drop_rule(AGENTS_SUBNET, "Agents.Out.Allow.PrivateEndpoints"),
        variants=FOUNDRY,
        contains="traffic to private-links is denied",
    ),
    Case(
        "an application security group decides",
        "NSG011",
        statuses(not_assessed=1),
        asg_rule(AGENTS_SUBNET, "Agents", 90, "Outbound", "Allow", "source", "Internet", "22"),
        variants=FOUNDRY,
    ),
    Case(
        "NSG not collected", "NSG011", statuses(not_assessed=1), forget_nsg(AGENTS_SUBNET), variants=FOUNDRY
    ),
]

NSG012 = [
    Case(
        "compliant", "NSG012", statuses(passed=4), variants=FOUNDRY, contains="to afw-egress at 192.168.4.4"
    ),
    Case(
        "the agents' subnet lost its route table",
        "NSG012",
        statuses(3, 1),
        on_subnet(AGENTS_SUBNET, routeTable=None),
        variants=FOUNDRY,
        contains="subnet agent-egress: properties.routeTable is absent",
    ),
    Case(
        "the route points at another appliance",
        "NSG012",
        statuses(failed=4),
        on_route(nextHopIpAddress="192.168.4.10"),
        variants=FOUNDRY,
        contains="no route sends 0.0.0.0/0 to the firewall's private IP address (192.168.4.4)",
    ),
    Case(
        "the firewall's address is read from the firewall",
        "NSG012",
        statuses(passed=4),
        chain(firewall_ip("192.168.4.5"), on_route(nextHopIpAddress="192.168.4.5")),
        variants=FOUNDRY,
        contains="at 192.168.4.5",
    ),
    Case(
        "a more specific route to the Internet bypasses the firewall",
        "NSG012",
        statuses(failed=4),
        lambda res, v: estates.find(res, ROUTE_TABLES)["properties"]["routes"].append(
            {"name": "direct", "properties": {"addressPrefix": "20.0.0.0/8", "nextHopType": "Internet"}}
        ),
        variants=FOUNDRY,
        contains="route(s) direct send traffic straight to the Internet",
    ),
    Case(
        "no firewall",
        "NSG012",
        statuses(failed=4),
        without(FIREWALLS),
        variants=FOUNDRY,
        contains="no Azure Firewall",
    ),
    Case(
        "firewalls not collected",
        "NSG012",
        statuses(not_assessed=1),
        without(FIREWALLS),
        drop_types=(FIREWALLS,),
        variants=FOUNDRY,
    ),
    Case(
        "the route table could not be read",
        "NSG012",
        statuses(not_assessed=4),
        without(ROUTE_TABLES),
        errors=route_table_denied,
        variants=FOUNDRY,
        contains="HTTP 403",
    ),
]

NSG013 = [
    Case("compliant", "NSG013", statuses(passed=1), variants=FOUNDRY, contains="is true"),
    Case(
        "BGP propagation on",
        "NSG013",
        statuses(failed=1),
        on_table(disableBgpRoutePropagation=False),
        variants=FOUNDRY,
    ),
    Case(
        "absent means propagated",
        "NSG013",
        statuses(failed=1),
        on_table(disableBgpRoutePropagation=None),
        variants=FOUNDRY,
        contains="absent (routes are propagated)",
    ),
    Case(
        "the route table could not be read",
        "NSG013",
        statuses(not_assessed=4),
        without(ROUTE_TABLES),
        errors=route_table_denied,
        variants=FOUNDRY,
    ),
]

NSG014 = [
    Case("compliant", "NSG014", statuses(passed=1), variants=FOUNDRY, contains="subnet web-integration"),
    Case(
        "the reference's App Service subnet has no route table",
        "NSG014",
        statuses(failed=1),
        on_subnet("web-integration", routeTable=None),
        variants=FOUNDRY,
    ),
    Case(
        "the route table could not be read",
        "NSG014",
        statuses(not_assessed=1),
        without(ROUTE_TABLES),
        errors=route_table_denied,
        variants=FOUNDRY,
    ),
]

NSG015 = [
    Case("compliant", "NSG015", statuses(passed=1), variants=FOUNDRY, contains="all 3 allow rules"),
    Case(
        "the reference's * target",
        "NSG015",
        statuses(failed=1),
        on_agent_rule(targetFqdns=["*"]),
        variants=FOUNDRY,
        contains="DefaultApplicationRuleCollectionGroup/agent-egress/allow-dependencies: targetFqdns *",
    ),
    Case(
        "a wildcard domain",
        "NSG015",
        statuses(failed=1),
        on_agent_rule(targetFqdns=["*.example.org"]),
        variants=FOUNDRY,
        contains="targetFqdns *.example.org",
    ),
    Case(
        "a wildcard the team accepts",
        "NSG015",
        statuses(passed=1),
        on_agent_rule(targetFqdns=["*.example.org"]),
        params={"accepted": ["*.example.org"]},
        variants=FOUNDRY,
    ),
    Case(
        "the reference's network rule to anywhere",
        "NSG015",
        statuses(failed=1),
        on_network_rule(destinationAddresses=["*"], destinationFqdns=[]),
        variants=FOUNDRY,
        contains="jump-box-egress/allow-time-sync: destinationAddresses *",
    ),
    Case(
        "a deny collection may name anything",
        "NSG015",
        statuses(passed=1),
        lambda res, v: foundry_network.rule_collection(res, APPLICATION_RULES, "agent-egress").update(
            {
                "action": {"type": "Deny"},
                "rules": [{"ruleType": "ApplicationRule", "name": "x", "targetFqdns": ["*"]}],
            }
        ),
        variants=FOUNDRY,
    ),
    Case(
        "rule collection groups could not be read",
        "NSG015",
        statuses(not_assessed=2),
        without(RULE_GROUPS),
        errors=rule_groups_denied,
        variants=FOUNDRY,
        contains="HTTP 403",
    ),
    Case(
        "a listed group missing from the snapshot",
        "NSG015",
        statuses(not_assessed=1),
        lambda res, v: [r for r in res if not r["id"].endswith("/DefaultNetworkRuleCollectionGroup")],
        variants=FOUNDRY,
        contains="DefaultNetworkRuleCollectionGroup not in the snapshot",
    ),
    Case(
        "no firewall",
        "NSG015",
        statuses(1, 1),
        without(FIREWALLS),
        variants=FOUNDRY,
        contains="no Azure Firewall",
    ),
]


def firewall_without_policy(res: list[Resource], variant: str) -> list[Resource]:
    """The firewall's classic settings: no policy, its own threat intelligence mode (Off)."""
    estates.find(res, FIREWALLS)["properties"].update({"firewallPolicy": None, "threatIntelMode": "Off"})
    return [r for r in res if r["type"] not in (POLICIES, RULE_GROUPS)]


NSG016 = [
    Case("compliant", "NSG016", statuses(passed=1), variants=FOUNDRY, contains="threatIntelMode is Alert"),
    Case("Deny passes", "NSG016", statuses(passed=1), on_policy(threatIntelMode="Deny"), variants=FOUNDRY),
    Case("Off fails", "NSG016", statuses(failed=1), on_policy(threatIntelMode="Off"), variants=FOUNDRY),
    Case(
        "absent is not assessed",
        "NSG016",
        statuses(not_assessed=1),
        on_policy(threatIntelMode=None),
        variants=FOUNDRY,
    ),
    Case(
        "a firewall without a policy is judged on its own",
        "NSG016",
        statuses(failed=1),
        firewall_without_policy,
        variants=FOUNDRY,
        contains="firewall afw-egress: properties.threatIntelMode is Off",
    ),
    Case(
        "policies not collected",
        "NSG016",
        statuses(not_assessed=2),
        without(POLICIES),
        drop_types=(POLICIES,),
        variants=FOUNDRY,
    ),
]


NSG017 = [
    Case(
        "compliant", "NSG017", statuses(passed=9), variants=FOUNDRY, contains="defaultOutboundAccess is false"
    ),
    Case(
        "default outbound access on the build agents",
        "NSG017",
        statuses(8, 1),
        on_subnet("build-agents", defaultOutboundAccess=True),
        variants=FOUNDRY,
    ),
    Case(
        "absent is not assessed",
        "NSG017",
        statuses(8, not_assessed=1),
        on_subnet("jumpbox", defaultOutboundAccess=None),
        variants=FOUNDRY,
    ),
]

CASES += FOUNDRY_SHARED + NSG010 + NSG011 + NSG012 + NSG013 + NSG014 + NSG015 + NSG016 + NSG017
