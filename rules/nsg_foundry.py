"""Rules of the nsg family for the Foundry Agent Service design: the agents' egress subnet, forced
tunnelling to Azure Firewall, and the firewall's policy.

The design injects the agents into a subnet delegated to Microsoft.App/environments, filters that
subnet with an NSG that lets out only traffic to the private endpoints and HTTPS, and sends the
Internet-bound traffic of the routed subnets to Azure Firewall with a route table, where FQDN rules name
what the agents may reach (Microsoft Learn, "Baseline Microsoft Foundry chat reference architecture",
sections "Control traffic from the Foundry agent subnet" and "Virtual network segmentation and
security"; reference implementation:
https://github.com/Azure-Samples/microsoft-foundry-baseline/tree/1d6dd6815011d88ebfbe2acec65fb2ba3455c804).
The NSG verdicts use the same exact evaluator as the other rules of the family; the firewall's address
is read from the firewall, never assumed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Annotated, Any

from auditor.analysis.architecture import (
    AGENT_DELEGATION,
    AGENT_EGRESS,
    AGENTS,
    APP_SERVICE,
    JUMPBOX,
    PRIVATE_ENDPOINTS,
    SUBNET_ROLES,
    agent_injections,
)
from auditor.analysis.coverage import absent, unread
from auditor.analysis.nsg import Answer, flows
from auditor.analysis.nsg.explain import allowed_text, denied_by, flows_json, missed_denies_text, unknown_text
from auditor.analysis.nsg.subnets import role_scopes, subnet_prefixes, subnet_resource
from auditor.analysis.verdicts import conclude, failed, listed, not_assessed, passed
from auditor.arm import ids, types
from auditor.arm.estate import Estate, Subnet, dig, same
from auditor.arm.types import Resource
from auditor.engine.params import OneOf
from auditor.engine.registry import Context, rule
from auditor.engine.sources import foundry_article, implementation
from auditor.model import Result

VNETS = types.VIRTUAL_NETWORKS
ROUTE_TABLES = types.ROUTE_TABLES
FIREWALLS = types.AZURE_FIREWALLS
POLICIES = types.FIREWALL_POLICIES
RULE_GROUPS = types.FIREWALL_RULE_COLLECTION_GROUPS

SubnetRoles = tuple[Annotated[str, OneOf(SUBNET_ROLES)], ...]

SEGMENTATION = foundry_article("Virtual network segmentation and security")
AGENT_EGRESS_SECTION = foundry_article("Control traffic from the Foundry agent subnet")
_NETWORK = "infra-as-code/bicep/network.bicep"
_FIREWALL = "infra-as-code/bicep/azure-firewall.bicep"


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int):
        return [str(value)]
    return [str(v) for v in value]


# --- NSG010: the agents' subnet ---------------------------------------------------------------


@rule(
    id="NSG010",
    name="agent-subnet-delegated",
    control="nsg",
    severity="high",
    title="The agents' egress subnet exists and is delegated to Microsoft.App/environments",
    rationale="""The architecture routes all of Foundry Agent Service's outbound traffic "through a
    delegated subnet within your virtual network", the sole egress point of the agents (Microsoft
    Learn, "Baseline Microsoft Foundry chat reference architecture", section "Control traffic from the
    Foundry agent subnet"). The reference delegates snet-agentsEgress to Microsoft.App/environments and
    names it in the Foundry account's networkInjections (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/network.bicep#L154-L177,
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/ai-foundry.bicep#L84-L90).
    Without the delegation the agents cannot be injected, and their traffic escapes the NSG, the route
    table and the firewall.""",
    references=[
        AGENT_EGRESS_SECTION,
        implementation("foundry", _NETWORK, 154, 177),
        implementation("foundry", "infra-as-code/bicep/ai-foundry.bicep", 84, 90),
    ],
    remediation="""az network vnet subnet update -g <rg> --vnet-name <vnet> -n <agents-subnet>
    --delegations Microsoft.App/environments; in Bicep the subnet's properties.delegations:
    [{name: 'Microsoft.App/environments', properties: {serviceName: 'Microsoft.App/environments'}}], and
    the account's properties.networkInjections: [{scenario: 'agent', subnetArmId: <subnet id>,
    useMicrosoftManagedNetwork: false}].""",
    since="0.2.0",
    status="preview",
)
def agent_subnet_delegated(ctx: Context) -> Iterator[Result]:
    """A subnet delegated to Microsoft.App/environments exists; and every subnet a Foundry account's
    `properties.networkInjections[].subnetArmId` names exists and carries that delegation."""
    yield from unread(ctx.estate, VNETS, "Virtual networks")
    injected = agent_injections(ctx.estate)
    delegated = [s for s in ctx.estate.subnets if any(same(d, AGENT_DELEGATION) for d in s.delegations)]
    judged: set[str] = set()
    for key, account in injected.items():
        subnet = ctx.estate.subnet(key)
        judged.add(key)
        if subnet is None:
            where = {"id": account, "type": types.COGNITIVE_ACCOUNTS}
            gap = ctx.estate.gap(VNETS, key.split("/subnets/", 1)[0])
            if gap:
                yield not_assessed(where, f"the agents' subnet {ids.name_of(key)} could not be read: {gap}")
            else:
                yield failed(
                    where,
                    f"{ids.name_of(account)}: properties.networkInjections names subnet {ids.name_of(key)}, "
                    "which is not in the snapshot",
                    expected="an existing subnet delegated to " + AGENT_DELEGATION,
                    actual=key,
                )
            continue
        yield _delegation_verdict(subnet, f" (the networkInjections subnet of {ids.name_of(account)})")
    for subnet in delegated:
        if ids.norm(subnet.id) not in judged:
            yield _delegation_verdict(subnet, "")
    if not injected and not delegated:
        yield from absent(ctx.estate, VNETS, [], f"subnet delegated to {AGENT_DELEGATION}")


def _delegation_verdict(subnet: Subnet, why: str) -> Result:
    services = subnet.delegations
    ok = any(same(d, AGENT_DELEGATION) for d in services)
    shown = ", ".join(services) if services else "none"
    return (passed if ok else failed)(
        subnet_resource(subnet),
        f"subnet {subnet.name}{why}: delegations are {shown}",
        expected=AGENT_DELEGATION,
        actual=services,
    )


# --- NSG011: the agents' subnet NSG ---------------------------------------------------------------


@dataclass(frozen=True)
class AgentEgressParams:
    """NSG011: what the agents' subnet may send, besides traffic to the private-endpoint subnet."""

    destination_roles: SubnetRoles = (PRIVATE_ENDPOINTS,)
    internet_protocol: str = "Tcp"
    internet_ports: tuple[str | int, ...] = ("443",)


@rule(
    id="NSG011",
    name="agent-subnet-nsg",
    control="nsg",
    severity="high",
    title="The agents' subnet admits nothing, and sends only to the private endpoints and HTTPS",
    rationale="""The architecture (Microsoft Learn, "Baseline Microsoft Foundry chat reference
    architecture", section "Control traffic from the Foundry agent subnet"): "The NSG attached to the
    agent egress subnet blocks all inbound traffic because no legitimate ingress should occur. Outbound
    NSG rules allow access only to private endpoint subnets within the virtual network and to
    Transmission Control Protocol (TCP) port 443 for internet-bound traffic. The NSG denies all other
    traffic." The reference's nsg-agentsEgressSubnet does exactly that with DenyAllInBound,
    Agents.Out.Allow.PrivateEndpoints, Agents.Out.AllowTcp443.Internet and DenyAllOutBound (reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/network.bicep#L413-L466).""",
    references=[
        AGENT_EGRESS_SECTION,
        implementation("foundry", _NETWORK, 413, 466),
    ],
    remediation="""On the agents' subnet NSG: az network nsg rule create ... -n DenyAllInBound --priority 1000
    --direction Inbound --access Deny --protocol '*' --source-address-prefixes '*'
    --destination-address-prefixes '*' --destination-port-ranges '*'; allow outbound to the
    private-endpoint subnet's prefix and Tcp 443 to Internet, then DenyAllOutBound at priority 1000 from
    the subnet's prefix; delete the rules the finding names.""",
    params=AgentEgressParams,
    since="0.2.0",
    status="preview",
)
def agent_subnet_nsg(ctx: Context) -> Iterator[Result]:
    """For each agents' subnet (delegated to Microsoft.App/environments or named by networkInjections):
    no inbound traffic from any source is allowed; no outbound traffic is allowed except to the subnets
    with `destination_roles` and `internet_protocol` `internet_ports` to the Internet (the platform
    addresses 168.63.129.16 and 169.254.169.254 are left out); and some traffic to the private-endpoint
    subnet is allowed (otherwise the agents cannot reach their stores)."""
    p = ctx.params
    targets = [s for s in ctx.estate.subnets if ctx.roles.of_subnet(s) & set(p.destination_roles)]
    ports = _strings(p.internet_ports)
    for scope in role_scopes(ctx.estate, ctx.roles, [AGENT_EGRESS]):
        if isinstance(scope, Result):
            yield scope
            continue
        net = scope.network
        inbound = scope.inbound(flows(net.anywhere, scope.own))
        to_targets = net.union(subnet_prefixes(targets))
        https = flows(scope.own, net.internet, p.internet_protocol, ports)
        outbound = scope.outbound(flows(scope.own, net.anywhere - to_targets - net.platform).minus(https))
        reach = scope.outbound(flows(scope.own, to_targets))
        problems: list[str] = []
        unknown: list[str] = []
        for what, ev in (("inbound traffic", inbound), ("other outbound traffic", outbound)):
            answer = ev.any_allowed()
            if answer == Answer.YES:
                problems.append(f"{what} is allowed: {allowed_text(ev)}{missed_denies_text(ev)}")
            elif answer == Answer.UNKNOWN:
                unknown.append(f"{what}: {unknown_text(ev)}")
        names = ", ".join(s.name for s in targets)
        if not targets:
            problems.append("no private-endpoint subnet was found, so the agents cannot reach their stores")
        elif reach.any_allowed() == Answer.NO:
            problems.append(f"traffic to {names} is denied by {denied_by(reach)}")
        expected = {
            "inbound": "denied",
            "outbound": [names or "the private-endpoint subnet", f"{p.internet_protocol} {', '.join(ports)}"],
        }
        yield conclude(
            scope.resource,
            expected,
            failing=listed(f"{scope.where}: ", problems),
            unknown=listed(f"{scope.where}: ", unknown),
            passing=f"{scope.where}: inbound traffic is denied by {denied_by(inbound)}; outbound only to "
            f"{names} and {p.internet_protocol} {', '.join(ports)} to the Internet (the rest is denied by "
            f"{denied_by(outbound)})",
            failed_actual=flows_json(outbound) + flows_json(inbound),
            passed_actual=[],
        )


# --- NSG012 / NSG014: forced tunnelling to the firewall ---------------------------------------


@dataclass(frozen=True)
class RouteParams:
    """NSG012 and NSG014: the subnet roles whose Internet-bound traffic goes to the firewall."""

    roles: SubnetRoles = (PRIVATE_ENDPOINTS, AGENTS, JUMPBOX, AGENT_EGRESS)


def firewall_addresses(estate: Estate) -> dict[str, str]:
    """The private IP addresses of the Azure Firewalls in the estate -> the firewall's name."""
    found: dict[str, str] = {}
    for fw in estate.of_type(FIREWALLS):
        for cfg in dig(fw, "properties.ipConfigurations") or []:
            ip = dig(cfg, "properties.privateIPAddress")
            if isinstance(ip, str) and ip:
                found[ip] = str(fw.get("name"))
        ip = dig(fw, "properties.hubIPAddresses.privateIPAddress")
        if isinstance(ip, str) and ip:
            found[ip] = str(fw.get("name"))
    return found


def _route_table(ctx: Context, subnet: Subnet) -> Resource | Result | None:
    """The subnet's route table, a not-assessed result when it could not be read, or None for none."""
    table_id = dig(subnet.properties, "routeTable.id")
    if not isinstance(table_id, str) or not table_id:
        return None
    table = ctx.estate.get(table_id)
    if table is None:
        reason = ctx.estate.gap(ROUTE_TABLES, table_id) or "it is not in the snapshot"
        return not_assessed(
            subnet_resource(subnet),
            f"subnet {subnet.name} uses route table {ids.name_of(table_id)}, which could not be read: "
            + reason,
        )
    return table


def _is_default(prefix: Any) -> bool:
    try:
        return ipaddress.ip_network(str(prefix), strict=False) == ipaddress.ip_network("0.0.0.0/0")
    except ValueError:
        return False


def _forced_tunnel(ctx: Context) -> Iterator[Result]:
    yield from unread(ctx.estate, VNETS, "Virtual networks")
    yield from unread(ctx.estate, FIREWALLS, "Azure Firewalls")
    wanted = set(ctx.params.roles)
    subnets = [s for s in ctx.estate.subnets if ctx.roles.of_subnet(s) & wanted]
    firewalls = firewall_addresses(ctx.estate)
    expected = "0.0.0.0/0 -> VirtualAppliance at the firewall's private IP address"
    for subnet in subnets:
        res = subnet_resource(subnet)
        table = _route_table(ctx, subnet)
        if isinstance(table, Result):
            yield table
            continue
        if table is None:
            yield failed(
                res,
                f"subnet {subnet.name}: properties.routeTable is absent: its Internet-bound traffic "
                "leaves without passing the firewall",
                expected,
                None,
            )
            continue
        if not firewalls:
            if (
                ctx.estate.gap(FIREWALLS) is None
                and types.AZURE_FIREWALLS.lower() in ctx.estate.collected_types
            ):
                yield failed(
                    res,
                    f"subnet {subnet.name}: no Azure Firewall with a private IP address is in the audited "
                    f"scope, so route table {table.get('name')} cannot send its traffic to one",
                    expected,
                    None,
                )
            continue
        routes = [r for r in dig(table, "properties.routes") or [] if isinstance(r, dict)]
        default = [r for r in routes if _is_default(dig(r, "properties.addressPrefix"))]
        bypass = [
            str(r.get("name"))
            for r in routes
            if same(dig(r, "properties.nextHopType"), "Internet") and r not in default
        ]
        good = [
            r
            for r in default
            if same(dig(r, "properties.nextHopType"), "VirtualAppliance")
            and dig(r, "properties.nextHopIpAddress") in firewalls
        ]
        where = f"subnet {subnet.name} (route table {table.get('name')})"
        shown = [
            {k: dig(r, f"properties.{k}") for k in ("addressPrefix", "nextHopType", "nextHopIpAddress")}
            | {"name": r.get("name")}
            for r in default
        ]
        if good and not bypass:
            fw = firewalls[str(dig(good[0], "properties.nextHopIpAddress"))]
            yield passed(
                res,
                f"{where}: route {good[0].get('name')} sends 0.0.0.0/0 to {fw} at "
                f"{dig(good[0], 'properties.nextHopIpAddress')}",
                expected,
                shown,
            )
            continue
        problems = []
        if not good:
            problems.append(
                "no route sends 0.0.0.0/0 to the firewall's private IP address ("
                + ", ".join(sorted(firewalls))
                + ")"
                + (f"; 0.0.0.0/0 goes to {shown}" if shown else "")
            )
        if bypass:
            problems.append(f"route(s) {', '.join(bypass)} send traffic straight to the Internet")
        yield failed(res, f"{where}: " + "; ".join(problems), expected, shown)


@rule(
    id="NSG012",
    name="egress-through-firewall",
    control="nsg",
    severity="high",
    title="The routed subnets send 0.0.0.0/0 to Azure Firewall's private address",
    rationale="""The architecture (Microsoft Learn, "Baseline Microsoft Foundry chat reference
    architecture", section "Control traffic from the Foundry agent subnet" and section "Virtual network
    segmentation and security") applies a user-defined route that directs the agents' Internet traffic
    through Azure Firewall, and forced tunnelling on every subnet that supports it, "even on subnets
    where you don't expect egress". The reference attaches its route table udr-internet-to-firewall to
    the private-endpoint, build-agent, jump-box and agents' subnets, with one route: 0.0.0.0/0 to
    VirtualAppliance at the firewall's private IP (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/network.bicep#L89-L177,
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/azure-firewall.bicep#L246-L257).
    The firewall's address is read from the firewall's own ipConfigurations; a route to any other
    appliance, or a more specific route with next hop Internet, bypasses the egress rules.""",
    references=[
        AGENT_EGRESS_SECTION,
        SEGMENTATION,
        implementation("foundry", _NETWORK, 89, 177),
        implementation("foundry", _FIREWALL, 246, 257),
    ],
    remediation="""az network route-table route create -g <rg> --route-table-name <table> -n to-firewall
    --address-prefix 0.0.0.0/0 --next-hop-type VirtualAppliance --next-hop-ip-address <firewall private
    IP>; az network vnet subnet update -g <rg> --vnet-name <vnet> -n <subnet> --route-table <table>.""",
    params=RouteParams,
    since="0.2.0",
    status="preview",
)
def egress_through_firewall(ctx: Context) -> Iterator[Result]:
    """Each subnet with one of `roles` has a route table with a route for 0.0.0.0/0 whose next hop is
    VirtualAppliance at the private IP address of an Azure Firewall of the estate
    (`properties.ipConfigurations[].properties.privateIPAddress`), and no route with next hop Internet.
    No firewall in a read list fails; a route table or firewall list that could not be read is not
    assessed."""
    yield from _forced_tunnel(ctx)


@dataclass(frozen=True)
class AppServiceRouteParams(RouteParams):
    """NSG014: the subnet roles judged (the App Service integration subnet)."""

    roles: SubnetRoles = (APP_SERVICE,)


@rule(
    id="NSG014",
    name="app-service-egress-through-firewall",
    control="nsg",
    severity="medium",
    title="The App Service integration subnet sends 0.0.0.0/0 to Azure Firewall",
    rationale="""The architecture's table (Microsoft Learn, "Baseline Microsoft Foundry chat reference
    architecture", section "Virtual network segmentation and security") marks the App Service subnet
    "UDR to firewall: Yes", with firewall egress rules "To Azure Monitor", and asks for forced
    tunnelling on all supported subnets; the reference implementation attaches no route table to
    snet-appServicePlan (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/network.bicep#L55-L74;
    its route to the firewall:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/azure-firewall.bicep#L246-L257).
    The two disagree, so this is a recommendation: the article's route closes the web app's path to the
    Internet that its NSG alone governs.""",
    references=[
        SEGMENTATION,
        implementation("foundry", _NETWORK, 55, 74),
        implementation("foundry", _FIREWALL, 246, 257),
    ],
    remediation="""Attach the firewall route table to the App Service integration subnet (az network vnet
    subnet update -g <rg> --vnet-name <vnet> -n <subnet> --route-table <table>) and allow AzureMonitor in
    the firewall policy.""",
    params=AppServiceRouteParams,
    since="0.2.0",
    status="preview",
)
def app_service_egress_through_firewall(ctx: Context) -> Iterator[Result]:
    """As NSG012, for the subnets with `roles` (the App Service integration subnet by default)."""
    yield from _forced_tunnel(ctx)


# --- NSG013: BGP propagation --------------------------------------------------------------------


@rule(
    id="NSG013",
    name="route-table-bgp-propagation-off",
    control="nsg",
    severity="medium",
    title="The firewall route table does not propagate BGP routes",
    rationale="""A route learned over BGP (from an ExpressRoute or VPN gateway) can be more specific than
    the 0.0.0.0/0 route to the firewall and take traffic around it. The reference's route table
    udr-internet-to-firewall sets disableBgpRoutePropagation: true (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/network.bicep#L713-L719),
    so that the user-defined routes alone decide the egress path the architecture requires (Microsoft
    Learn, "Baseline Microsoft Foundry chat reference architecture", section "Virtual network
    segmentation and security").""",
    references=[SEGMENTATION, implementation("foundry", _NETWORK, 713, 719)],
    remediation="""az network route-table update -g <rg> -n <table> --disable-bgp-route-propagation true;
    in Bicep properties.disableBgpRoutePropagation: true.""",
    params=RouteParams,
    since="0.2.0",
    status="preview",
)
def route_table_bgp_off(ctx: Context) -> Iterator[Result]:
    """Every route table attached to a subnet with one of `roles` has
    `properties.disableBgpRoutePropagation` true (absent means false: routes are propagated). Subnets
    without a route table are NSG012's; a route table that could not be read is not assessed."""
    yield from unread(ctx.estate, VNETS, "Virtual networks")
    wanted = set(ctx.params.roles)
    tables: dict[str, tuple[Resource, list[str]]] = {}
    for subnet in ctx.estate.subnets:
        if not ctx.roles.of_subnet(subnet) & wanted:
            continue
        table = _route_table(ctx, subnet)
        if isinstance(table, Result):
            yield table
        elif table is not None:
            tables.setdefault(ids.norm(table["id"]), (table, []))[1].append(subnet.name)
    for table, names in tables.values():
        value = dig(table, "properties.disableBgpRoutePropagation")
        shown = "absent (routes are propagated)" if value is None else str(value).lower()
        yield (passed if value is True else failed)(
            table,
            f"route table {table.get('name')} (subnets {', '.join(names)}): "
            f"properties.disableBgpRoutePropagation is {shown}",
            True,
            value,
        )


# --- NSG015 / NSG016: the firewall policy ---------------------------------------------------------

# Destinations that stand for "anywhere" in a firewall policy's network rules.
_ANYWHERE = {"*", "0.0.0.0/0", "::/0", "any", "internet"}


@dataclass(frozen=True)
class DestinationParams:
    """NSG015: wildcard destinations a team accepts (written exactly as in the policy)."""

    accepted: tuple[str, ...] = ()


def _policies(ctx: Context) -> Iterator[Resource | Result]:
    """The firewall policies the estate's firewalls use (or every policy when no firewall names one)."""
    yield from unread(ctx.estate, POLICIES, "Firewall policies")
    yield from unread(ctx.estate, FIREWALLS, "Azure Firewalls")
    policies = ctx.estate.of_type(POLICIES)
    used = {
        ids.norm(pid)
        for fw in ctx.estate.of_type(FIREWALLS)
        if isinstance(pid := dig(fw, "properties.firewallPolicy.id"), str)
    }
    for fw in ctx.estate.of_type(FIREWALLS):
        pid = dig(fw, "properties.firewallPolicy.id")
        if isinstance(pid, str) and ctx.estate.get(pid) is None:
            reason = ctx.estate.gap(POLICIES, pid) or "it is not in the snapshot"
            yield not_assessed(fw, f"{fw.get('name')} uses firewall policy {ids.name_of(pid)}: {reason}")
    yield from absent(ctx.estate, FIREWALLS, ctx.estate.of_type(FIREWALLS), "Azure Firewall")
    for policy in policies:
        if not used or ids.norm(policy["id"]) in used:
            yield policy


def _broad(rule_body: dict[str, Any], accepted: set[str]) -> list[str]:
    """The destinations of one rule that stand for anywhere or are wildcards."""
    found = []
    kind = str(rule_body.get("ruleType") or "")
    for key in ("targetFqdns", "targetUrls", "destinationFqdns"):
        found += [f"{key} {v}" for v in _strings(rule_body.get(key)) if "*" in v and v not in accepted]
    for key in ("destinationAddresses", "translatedAddress"):
        if key == "translatedAddress" and kind != "NatRule":
            continue
        found += [
            f"{key} {v}" for v in _strings(rule_body.get(key)) if v.lower() in _ANYWHERE and v not in accepted
        ]
    return found


@rule(
    id="NSG015",
    name="firewall-named-destinations",
    control="nsg",
    severity="high",
    title="Firewall policy rules allow only named destinations, no wildcards",
    rationale="""Azure Firewall "enforces fully qualified domain name (FQDN)-based rules, which ensures
    that only approved destinations are reachable" (Microsoft Learn, "Baseline Microsoft Foundry chat
    reference architecture", section "Components"), and the agents may reach only what the firewall
    allows "from this subnet", for example `api.example.org` on port 443 (section "Control traffic from
    the Foundry agent subnet"). The reference implementation ships `*` as the target of every
    rule, each marked "Production readiness change: tighten" or "refine your target FQDNs" (reference
    implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/azure-firewall.bicep#L96-L197):
    the text wins, and this rule fails the reference as deployed. A `*` target or destination (or
    0.0.0.0/0) turns the egress firewall into an open door for data exfiltration.""",
    references=[
        AGENT_EGRESS_SECTION,
        foundry_article("Components"),
        implementation("foundry", _FIREWALL, 96, 197),
    ],
    remediation="""Replace the wildcard with the FQDNs the workload needs, e.g. az network firewall policy
    rule-collection-group collection rule update -g <rg> --policy-name <policy>
    --rule-collection-group-name <group> --collection-name <collection> -n <rule> --target-fqdns
    api.example.org; list a wildcard the team accepts in the rule's `accepted` parameter.""",
    params=DestinationParams,
    since="0.2.0",
    status="preview",
)
def firewall_named_destinations(ctx: Context) -> Iterator[Result]:
    """For each firewall policy a firewall uses: no rule of an Allow rule collection of its rule
    collection groups has a target FQDN, target URL or destination FQDN containing `*`, or a destination
    address `*`, `0.0.0.0/0`, `::/0`, Any or Internet (values in `accepted` excepted). A policy whose
    rule collection groups could not be read is not assessed."""
    accepted = set(ctx.params.accepted)
    yield from unread(ctx.estate, RULE_GROUPS, "Firewall policy rule collection groups")
    for policy in _policies(ctx):
        if isinstance(policy, Result):
            yield policy
            continue
        listed_ids = [
            str(g["id"]) for g in dig(policy, "properties.ruleCollectionGroups") or [] if isinstance(g, dict)
        ]
        groups = ctx.estate.children(policy["id"], RULE_GROUPS)
        have = {ids.norm(g["id"]) for g in groups}
        missing = [g for g in listed_ids if ids.norm(g) not in have]
        gap = ctx.estate.gap(RULE_GROUPS, f"{policy['id']}/ruleCollectionGroups")
        if missing or gap:
            why = (
                gap or f"rule collection group(s) {', '.join(map(ids.name_of, missing))} not in the snapshot"
            )
            yield not_assessed(policy, f"firewall policy {policy.get('name')}: {why}")
            continue
        broad: list[str] = []
        count = 0
        for group in groups:
            for coll in dig(group, "properties.ruleCollections") or []:
                if not isinstance(coll, dict) or not same(dig(coll, "action.type"), "Allow"):
                    continue
                for body in coll.get("rules") or []:
                    if not isinstance(body, dict):
                        continue
                    count += 1
                    wide = _broad(body, accepted)
                    if wide:
                        broad.append(
                            f"{group.get('name')}/{coll.get('name')}/{body.get('name')}: {', '.join(wide)}"
                        )
        where = f"firewall policy {policy.get('name')}"
        expected = "named destinations only"
        if broad:
            yield failed(policy, f"{where}: rules allow any destination: {'; '.join(broad)}", expected, broad)
        else:
            yield passed(policy, f"{where}: all {count} allow rules name their destinations", expected, [])


@rule(
    id="NSG016",
    name="firewall-threat-intelligence",
    control="nsg",
    severity="medium",
    title="Azure Firewall's threat intelligence alerts or denies",
    rationale="""Threat-intelligence-based filtering alerts on (Alert) or blocks (Deny) traffic to and from
    known malicious addresses and domains; Off leaves the egress firewall blind to them. The reference
    sets threatIntelMode Alert on both the firewall policy and the firewall (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/azure-firewall.bicep#L85-L93,
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/azure-firewall.bicep#L201-L244),
    where the architecture has the firewall inspect all egress (Microsoft Learn, "Baseline Microsoft
    Foundry chat reference architecture", section "Virtual network segmentation and security").""",
    references=[
        SEGMENTATION,
        (
            'Microsoft Learn, "Azure Firewall threat intelligence-based filtering"',
            "https://learn.microsoft.com/azure/firewall/threat-intel",
        ),
        implementation("foundry", _FIREWALL, 85, 93),
        implementation("foundry", _FIREWALL, 201, 244),
    ],
    remediation="""az network firewall policy update -g <rg> -n <policy> --threat-intel-mode Alert (or
    Deny); in Bicep the policy's properties.threatIntelMode: 'Alert'.""",
    since="0.2.0",
    status="preview",
)
def firewall_threat_intelligence(ctx: Context) -> Iterator[Result]:
    """For each firewall policy a firewall uses, `properties.threatIntelMode` is Alert or Deny (Off fails;
    absent is not assessed); a firewall with no policy is judged on its own threatIntelMode."""
    allowed = ("Alert", "Deny")
    targets: list[Resource] = []
    for policy in _policies(ctx):
        if isinstance(policy, Result):
            yield policy
        else:
            targets.append(policy)
    targets += [fw for fw in ctx.estate.of_type(FIREWALLS) if not dig(fw, "properties.firewallPolicy.id")]
    for res in targets:
        mode = dig(res, "properties.threatIntelMode")
        kind = "firewall policy" if same(res.get("type"), POLICIES) else "firewall"
        if not isinstance(mode, str):
            yield not_assessed(
                res, f"{kind} {res.get('name')}: properties.threatIntelMode is absent", list(allowed)
            )
            continue
        ok = any(same(mode, a) for a in allowed)
        yield (passed if ok else failed)(
            res, f"{kind} {res.get('name')}: properties.threatIntelMode is {mode}", list(allowed), mode
        )


# --- NSG017: default outbound access -----------------------------------------------------------


@rule(
    id="NSG017",
    name="no-default-outbound-access",
    control="nsg",
    severity="medium",
    title="Subnets have default outbound access turned off",
    rationale="""Default outbound access gives virtual machines in a subnet an implicit public address to
    reach the Internet, around the NSG's intent and the firewall. The reference sets
    defaultOutboundAccess: false on every subnet, "Force your build agent traffic through your
    firewall" (reference implementation:
    https://github.com/Azure-Samples/microsoft-foundry-baseline/blob/1d6dd6815011d88ebfbe2acec65fb2ba3455c804/infra-as-code/bicep/network.bicep#L55-L198),
    as the architecture sends all egress through Azure Firewall (Microsoft Learn, "Baseline Microsoft
    Foundry chat reference architecture", section "Virtual network segmentation and security").""",
    references=[
        SEGMENTATION,
        (
            'Microsoft Learn, "Default outbound access in Azure"',
            "https://learn.microsoft.com/azure/virtual-network/ip-services/default-outbound-access",
        ),
        implementation("foundry", _NETWORK, 55, 198),
    ],
    remediation="""az network vnet subnet update -g <rg> --vnet-name <vnet> -n <subnet>
    --default-outbound false; in Bicep the subnet's properties.defaultOutboundAccess: false.""",
    since="0.2.0",
    status="preview",
)
def no_default_outbound_access(ctx: Context) -> Iterator[Result]:
    """Every subnet has `properties.defaultOutboundAccess` false. Absent is not assessed: what Azure then
    applies depends on the API version the subnet was created with."""
    yield from unread(ctx.estate, VNETS, "Virtual networks")
    yield from absent(ctx.estate, VNETS, ctx.estate.subnets, "virtual network with subnets")
    for subnet in ctx.estate.subnets:
        res = subnet_resource(subnet)
        value = subnet.properties.get("defaultOutboundAccess")
        message = f"subnet {subnet.name}: properties.defaultOutboundAccess is "
        if value is None:
            yield not_assessed(
                res,
                message + "absent (the default depends on the API version that created the subnet)",
                False,
            )
        else:
            yield (passed if value is False else failed)(res, message + str(value).lower(), False, value)
