"""Rules of the nsg family: which subnet may talk to which, read as Azure evaluates NSGs.

Every rule asks `auditor.analysis.nsg.policy` a question about a class of traffic ("anything from the
Internet into this subnet", "anything from this subnet to outside the virtual network") and
judges the answer: which rules, in priority order and after Azure's default rules, let which
part of it through. A rule that is shadowed by a higher-priority deny does not count; a deny
rule that does not cover the subnet (the reference's agents-subnet rule) does not protect it.

The architecture's NSG table (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
architecture", section "Virtual network segmentation and security") is the ground truth; where
Microsoft's reference implementation is looser than the table (reference implementation:
https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/a2dbce5b7c92780389df5d92b80aaf5ab1ea7a50,
https://github.com/Azure-Samples/openai-end-to-end-baseline/tree/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2),
the table wins and the rule's rationale says so.

Results are reported on the subnet (the NSG's name is in the message) because the same NSG
can filter several subnets with different roles. A subnet without an NSG is evaluated as
"nothing filters it" (NSG001 reports the missing NSG itself); a subnet whose NSG is referenced
but was not collected is `not_assessed`, as is an answer that depends on the members of an
application security group (the snapshot holds no NICs).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Annotated, Any

from auditor.analysis.architecture import (
    AGENTS,
    APP_SERVICE,
    APPGW,
    BASTION,
    JUMPBOX,
    NO_NSG_ALLOWED,
    PRIVATE_ENDPOINTS,
    SCORING,
    SUBNET_ROLES,
    TRAINING,
)
from auditor.analysis.coverage import absent, unread
from auditor.analysis.nsg import (
    INBOUND,
    OUTBOUND,
    AddressSet,
    Answer,
    Evaluation,
    Network,
    Policy,
    Traffic,
    flows,
)
from auditor.analysis.nsg.bastion import BASTION_INTERNET_INBOUND, BASTION_REQUIRED, SUBNET
from auditor.analysis.nsg.explain import (
    allowed_text,
    denied_by,
    flows_json,
    missed_denies_text,
    sensitive_ports,
    unknown_text,
    unseen_note,
)
from auditor.analysis.nsg.subnets import (
    Scope,
    nsg_references,
    role_scopes,
    scope_of,
    subnet_prefixes,
    subnet_resource,
)
from auditor.analysis.verdicts import conclude, failed, listed, not_assessed, passed
from auditor.arm import ids, types
from auditor.arm.estate import Estate
from auditor.arm.types import Resource
from auditor.engine.params import OneOf, build
from auditor.engine.registry import Context, rule
from auditor.engine.sources import article, implementation
from auditor.model import Result, Status

VNETS = types.VIRTUAL_NETWORKS
NSGS = types.NETWORK_SECURITY_GROUPS


# --- the subnet under test -------------------------------------------------------------


def _strings(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str | int):
        return [str(value)]
    return [str(v) for v in value]


# --- parameters ----------------------------------------------------------------------

SubnetRoles = tuple[Annotated[str, OneOf(SUBNET_ROLES)], ...]
Ports = tuple[str | int, ...]


@dataclass(frozen=True)
class ExemptParams:
    """NSG001: the subnet roles that need no NSG."""

    exempt_roles: SubnetRoles = (NO_NSG_ALLOWED,)


@dataclass(frozen=True)
class GatewayInboundParams:
    """NSG002: the traffic the Application Gateway subnet must admit."""

    client_sources: tuple[str, ...] = ("Internet",)
    client_ports: Ports = ("443",)
    control_plane_sources: tuple[str, ...] = ("GatewayManager",)
    control_plane_ports: Ports = ("65200-65535",)
    probe_sources: tuple[str, ...] = ("AzureLoadBalancer",)


@dataclass(frozen=True)
class VnetInboundParams:
    """NSG003: the subnet roles that admit only VNet traffic, and platform sources not counted."""

    roles: SubnetRoles = (PRIVATE_ENDPOINTS, APP_SERVICE, AGENTS, TRAINING, SCORING)
    platform_sources: tuple[str, ...] = ("AzureLoadBalancer",)


@dataclass(frozen=True)
class VnetOutboundParams:
    """NSG004: the subnet roles that send only to the VNet."""

    roles: SubnetRoles = (PRIVATE_ENDPOINTS, AGENTS, TRAINING, SCORING)


@dataclass(frozen=True)
class JumpboxParams:
    """NSG005: the administration traffic the jump box admits, and from which subnets."""

    protocol: str = "Tcp"
    ports: Ports = ("22", "3389")
    source_roles: SubnetRoles = (BASTION,)
    platform_sources: tuple[str, ...] = ("AzureLoadBalancer",)


@dataclass(frozen=True)
class AppServiceOutboundParams:
    """NSG006: where the App Service integration subnet may send traffic."""

    roles: SubnetRoles = (APP_SERVICE,)
    destination_roles: SubnetRoles = (PRIVATE_ENDPOINTS,)
    destinations: tuple[str, ...] = ("AzureMonitor",)


@dataclass(frozen=True)
class Allowance:
    """NSG007: Internet traffic a subnet role documents (empty ports or sources mean any)."""

    protocol: str = "*"
    ports: Ports = ()
    sources: tuple[str, ...] = ()


@dataclass(frozen=True)
class InternetInboundParams:
    """NSG007: subnet roles not judged, and the Internet traffic each role may admit."""

    exempt_roles: SubnetRoles = (APPGW, NO_NSG_ALLOWED)
    allowances: Mapping[str, tuple[Allowance, ...]] = field(
        default_factory=lambda: {BASTION: tuple(build(Allowance, e) for e in BASTION_INTERNET_INBOUND)}
    )


@dataclass(frozen=True, kw_only=True)
class Flow:
    """NSG008: one flow Azure Bastion needs (`subnet` standing for the Bastion subnet's prefixes)."""

    name: str
    direction: Annotated[str, OneOf(("Inbound", "Outbound"))]
    protocol: str = "*"
    source: str | tuple[str, ...]
    destination: str | tuple[str, ...]
    ports: Ports = ()


@dataclass(frozen=True)
class BastionParams:
    """NSG008: the flows the Bastion subnet's NSG must allow."""

    required: tuple[Flow, ...] = field(
        default_factory=lambda: tuple(build(Flow, f) for f in BASTION_REQUIRED)
    )


def _shown(value: str | tuple[str, ...]) -> str:
    """A flow's source or destination as the baseline wrote it."""
    return value if isinstance(value, str) else str(list(value))


# --- message helpers -------------------------------------------------------------------


def _addresses(network: Network, items: Iterable[str]) -> AddressSet:
    return network.union(_strings(list(items)))


# --- NSG001 -----------------------------------------------------------------------------


@rule(
    id="NSG001",
    name="subnet-has-nsg",
    control="nsg",
    severity="high",
    title="Every subnet has a network security group",
    rationale="""The architecture (Microsoft Learn, "Baseline OpenAI end-to-end chat reference
    architecture", section "Virtual network segmentation and security"): "each subnet has a network
    security group (NSG) that limits both inbound and outbound traffic for those subnets to just
    what's required" and "add an NSG to every subnet where possible"; every subnet of the reference
    implementation has one (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L53-L155).
    Azure forbids an NSG on AzureFirewallSubnet, AzureFirewallManagementSubnet, GatewaySubnet and
    RouteServerSubnet, which are exempt.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 53, 155),
    ],
    remediation="""az network vnet subnet update -g <rg> --vnet-name <vnet> -n <subnet>
    --network-security-group <nsg>; in Bicep set the subnet's properties.networkSecurityGroup.id.""",
    params=ExemptParams,
)
def subnet_has_nsg(ctx: Context) -> Iterator[Result]:
    """Each subnet (except those with an exempt role: by default the subnets Azure forbids an NSG on)
    has `properties.networkSecurityGroup.id`. Passing only needs the association; rules that read
    the NSG's rules report `not_assessed` when the NSG itself was not collected."""
    exempt = set(ctx.params.exempt_roles)
    yield from unread(ctx.estate, VNETS, "Virtual networks")
    yield from absent(ctx.estate, VNETS, ctx.estate.subnets, "virtual network with subnets")
    for subnet in ctx.estate.subnets:
        if ctx.roles.of_subnet(subnet) & exempt:
            continue
        res = subnet_resource(subnet)
        if not subnet.nsg_id:
            yield failed(
                res,
                f"subnet {subnet.name}: properties.networkSecurityGroup is absent: nothing filters traffic",
                expected="an NSG associated",
                actual=None,
            )
            continue
        note = ""
        if ctx.estate.get(subnet.nsg_id) is None:
            note = (
                " (the NSG itself is not in the snapshot; rules reading its security rules are not assessed)"
            )
        yield passed(
            res,
            f"subnet {subnet.name}: properties.networkSecurityGroup is {ids.name_of(subnet.nsg_id)}{note}",
            expected="an NSG associated",
            actual=subnet.nsg_id,
        )


# --- NSG002: Application Gateway subnet -----------------------------------------------


@rule(
    id="NSG002",
    name="appgw-subnet-inbound",
    control="nsg",
    severity="high",
    title="App Gateway subnet admits clients on 443 and the control plane, nothing else from the Internet",
    rationale="""The architecture's NSG table (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Virtual network segmentation and security"), snet-appGateway
    inbound: the chat UI users' source addresses (such as the public Internet) plus what the service
    requires. The reference allows TCP 443 from Internet, 65200-65535 from any source (the v2 control
    plane; Azure's Application Gateway infrastructure guidance: GatewayManager or Any, the ports are
    protected by Azure certificates) and AzureLoadBalancer, then denies all other inbound (reference
    implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L199-L241).
    A blocked control plane or load-balancer probe breaks the gateway; anything else open to the
    Internet bypasses the WAF's single entry point.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 199, 241),
    ],
    remediation="""Allow TCP client_ports from client_sources to the subnet prefix, TCP 65200-65535 from
    GatewayManager, AzureLoadBalancer, then add a Deny * inbound rule (e.g. priority 1000):
    az network nsg rule create -g <rg> --nsg-name <nsg> -n DenyAllInBound --priority 1000
    --direction Inbound --access Deny --protocol '*' --source-address-prefixes '*'
    --destination-address-prefixes '*' --destination-port-ranges '*'; remove or re-prioritise rules
    that open other ports.""",
    params=GatewayInboundParams,
)
def appgw_subnet_inbound(ctx: Context) -> Iterator[Result]:
    """For each Application Gateway subnet: all of TCP `client_ports` from `client_sources`, TCP
    `control_plane_ports` from `control_plane_sources` and any traffic from `probe_sources` is allowed
    into the subnet's prefixes (a rule that names only the gateway's public IP as destination does not
    count); and no other traffic from the Internet is allowed (the control-plane ports are accepted
    from any source, as Azure documents for v2)."""
    p = ctx.params
    for scope in role_scopes(ctx.estate, ctx.roles, [APPGW]):
        if isinstance(scope, Result):
            yield scope
            continue
        net, own = scope.network, scope.own

        def need(
            sources: Any, protocol: str, ports: Any, net: Network = net, own: AddressSet = own
        ) -> tuple[str, Traffic]:
            text = f"{protocol} {', '.join(_strings(ports))} from {', '.join(_strings(sources))}"
            return text, flows(_addresses(net, sources), own, protocol, _strings(ports))

        probe_sources = ", ".join(_strings(p.probe_sources))
        required = [
            need(p.client_sources, "Tcp", p.client_ports),
            need(p.control_plane_sources, "Tcp", p.control_plane_ports),
            (f"all traffic from {probe_sources}", flows(_addresses(net, p.probe_sources), own)),
        ]
        client = required[0][1]
        problems: list[str] = []
        unknown: list[str] = []
        good: list[str] = []
        for what, traffic in required:
            ev = scope.inbound(traffic)
            answer = ev.all_allowed()
            if answer == Answer.YES:
                good.append(f"{what} allowed by {', '.join(r.label() for r in ev.allowing_rules())}")
            elif answer == Answer.NO:
                problems.append(f"{what} is not (fully) allowed: denied by {denied_by(ev)}")
            else:
                unknown.append(f"{what}: {unknown_text(ev)}")
        documented = client | flows(net.anywhere, own, "*", _strings(p.control_plane_ports))
        extra = scope.inbound(flows(net.internet, own).minus(documented))
        answer = extra.any_allowed()
        if answer == Answer.YES:
            problems.append(
                f"other traffic from the Internet is allowed: {allowed_text(extra)}{sensitive_ports(extra)}"
            )
        elif answer == Answer.UNKNOWN:
            unknown.append(f"other traffic from the Internet: {unknown_text(extra)}")
        expected = {"required": [w for w, _ in required], "other_internet_inbound": "denied"}
        yield conclude(
            scope.resource,
            expected,
            failing=listed(f"{scope.where}: ", problems),
            unknown=listed(f"{scope.where}: ", unknown),
            passing=f"{scope.where}: "
            + "; ".join(good)
            + f"; other Internet traffic is denied by {denied_by(extra)}",
            failed_actual=flows_json(extra),
            passed_actual=[],
        )


# --- NSG003 / NSG004: subnets that talk only within the virtual network ------------------


def _vnet_only(ctx: Context, direction: str) -> Iterator[Result]:
    roles = list(ctx.params.roles)
    for scope in role_scopes(ctx.estate, ctx.roles, roles):
        if isinstance(scope, Result):
            yield scope
            continue
        net = scope.network
        if direction == INBOUND:
            outside = net.outside - _addresses(net, ctx.params.platform_sources)
            ev = scope.inbound(flows(outside, scope.own))
            what, expected = (
                "inbound traffic from outside the virtual network",
                "inbound only from the virtual network",
            )
        else:
            ev = scope.outbound(flows(scope.own, net.outside - net.platform))
            what, expected = (
                "outbound traffic to outside the virtual network",
                "outbound only to the virtual network",
            )
        subnet_roles = ", ".join(sorted(ctx.roles.of_subnet(scope.subnet) & set(roles)))
        answer = ev.any_allowed()
        yield conclude(
            scope.resource,
            expected,
            failing=f"{scope.where}, role {subnet_roles}: {what} is allowed: {allowed_text(ev)}"
            f"{sensitive_ports(ev) if direction == INBOUND else ''}{missed_denies_text(ev)}"
            if answer == Answer.YES
            else None,
            unknown=f"{scope.where}: {what}: {unknown_text(ev)}" if answer == Answer.UNKNOWN else None,
            passing=f"{scope.where}, role {subnet_roles}: {what} is denied by {denied_by(ev)}."
            + (unseen_note(scope, direction) if answer == Answer.NO else ""),
            failed_actual=flows_json(ev),
            passed_actual=[],
        )


@rule(
    id="NSG003",
    name="vnet-only-inbound",
    control="nsg",
    severity="high",
    title="Private-endpoint, App Service, agents, training and scoring subnets admit only VNet traffic",
    rationale="""The architecture's NSG table (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Virtual network segmentation and security"):
    snet-PrivateEndpoints, snet-AppService, snet-agents, snet-training and snet-scoring "allow only
    traffic from the virtual network" inbound, "all other traffic is explicitly denied". The
    reference relies on Azure's default inbound rules for these subnets (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L292-L402);
    any custom rule that admits addresses outside the virtual network breaks the segmentation.
    Traffic from AzureLoadBalancer (the platform's health-probe address, allowed by Azure's default
    rule) is not counted as outside by default.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 292, 402),
    ],
    remediation="""Remove or narrow the inbound rules the finding names (az network nsg rule delete -g <rg>
    --nsg-name <nsg> -n <rule>), or add a higher-priority Deny rule for sources outside the virtual
    network; keep inbound sources to VirtualNetwork or the VNet's own prefixes.""",
    params=VnetInboundParams,
)
def vnet_only_inbound(ctx: Context) -> Iterator[Result]:
    """For each subnet with one of `roles`: no inbound traffic from addresses outside the virtual
    network (outside its address space and outside the VirtualNetwork tag's peered/connected space;
    `platform_sources` excepted) is allowed, on any protocol or port."""
    yield from _vnet_only(ctx, INBOUND)


@rule(
    id="NSG004",
    name="vnet-only-outbound",
    control="nsg",
    severity="high",
    title="Private-endpoint, agents, training and scoring subnets send traffic only within the VNet",
    rationale="""The architecture's NSG table (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Virtual network segmentation and security"):
    snet-PrivateEndpoints, snet-agents, snet-training and snet-scoring "allow only traffic to the
    virtual network" outbound. The reference implements it as a DenyAllOutBound rule at priority
    1000 whose source is the subnet's prefix (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L330,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L354,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L378,
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L402).
    The reference's agents-subnet rule uses the Application Gateway prefix as its source (line 354
    of that file, a known bug), so it does not cover the agents subnet and Azure's default
    AllowInternetOutBound still lets the agents reach the Internet; this rule evaluates the effect,
    so it catches that.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 330),
        implementation("hub", "infra-as-code/bicep/network.bicep", 354),
        implementation("hub", "infra-as-code/bicep/network.bicep", 378),
        implementation("hub", "infra-as-code/bicep/network.bicep", 402),
    ],
    remediation="""Add a Deny rule for all outbound traffic whose source covers the subnet:
    az network nsg rule create -g <rg> --nsg-name <nsg> -n DenyAllOutBound --priority 1000
    --direction Outbound --access Deny --protocol '*' --source-address-prefixes <subnet-prefix>
    --destination-address-prefixes '*' --destination-port-ranges '*'.""",
    params=VnetOutboundParams,
)
def vnet_only_outbound(ctx: Context) -> Iterator[Result]:
    """For each subnet with one of `roles`: no outbound traffic from the subnet's addresses to
    addresses outside the virtual network is allowed. The platform addresses 168.63.129.16 and
    169.254.169.254 are left out: Azure does not apply NSG rules to them."""
    yield from _vnet_only(ctx, OUTBOUND)


# --- NSG005: jump box -----------------------------------------------------------------


@rule(
    id="NSG005",
    name="jumpbox-inbound-from-bastion",
    control="nsg",
    severity="high",
    title="Jump-box subnet admits only RDP and SSH from the Bastion subnet",
    rationale="""The architecture's NSG table (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Virtual network segmentation and security"), snet-jumpbox:
    "allow inbound Remote Desktop Protocol (RDP) and SSH from the Azure Bastion host subnet"; all
    other traffic is explicitly denied. The reference allows TCP 22 and 3389 from the Bastion prefix
    (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L599)
    but has no deny-all inbound, so Azure's default AllowVnetInBound admits every port from the
    whole virtual network: the text wins, and this rule fails the reference as written.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 599),
    ],
    remediation="""Keep the allow rule for TCP 22/3389 from the AzureBastionSubnet prefix and add
    az network nsg rule create -g <rg> --nsg-name <nsg> -n DenyAllInBound --priority 1000
    --direction Inbound --access Deny --protocol '*' --source-address-prefixes '*'
    --destination-address-prefixes '*' --destination-port-ranges '*'; delete rules that admit other
    sources.""",
    params=JumpboxParams,
)
def jumpbox_inbound(ctx: Context) -> Iterator[Result]:
    """For each jump-box subnet: no inbound traffic is allowed except `protocol` `ports` from the
    subnets with `source_roles` (the Bastion subnet); `platform_sources` are not counted; and some of
    that RDP/SSH traffic from the Bastion subnet is allowed (otherwise the jump box is unreachable)."""
    p = ctx.params
    sources = [s for s in ctx.estate.subnets if ctx.roles.of_subnet(s) & set(p.source_roles)]
    ports = _strings(p.ports)
    for scope in role_scopes(ctx.estate, ctx.roles, [JUMPBOX]):
        if isinstance(scope, Result):
            yield scope
            continue
        net = scope.network
        bastion = _addresses(net, subnet_prefixes(sources))
        admin = flows(bastion, scope.own, p.protocol, ports)
        others = net.anywhere - _addresses(net, p.platform_sources)
        extra = scope.inbound(flows(others, scope.own).minus(admin))
        reach = scope.inbound(admin)
        expected = f"inbound only {p.protocol} {', '.join(ports)} from the Bastion subnet"
        problems, unknown = [], []
        extra_answer, reach_answer = extra.any_allowed(), reach.any_allowed()
        if extra_answer == Answer.YES:
            problems.append(
                f"other inbound traffic is allowed: {allowed_text(extra)}{sensitive_ports(extra)}"
            )
        elif extra_answer == Answer.UNKNOWN:
            unknown.append(unknown_text(extra))
        if not sources:
            problems.append("no Bastion subnet was found, so RDP/SSH has no permitted source")
        elif reach_answer == Answer.NO:
            problems.append(
                f"{p.protocol} {', '.join(ports)} from the Bastion subnet is denied by {denied_by(reach)}"
            )
        elif reach_answer == Answer.UNKNOWN:
            unknown.append(unknown_text(reach))
        yield conclude(
            scope.resource,
            expected,
            failing=listed(f"{scope.where}: ", problems),
            unknown=listed(f"{scope.where}: ", unknown),
            passing=(
                f"{scope.where}: {allowed_text(reach)} from the Bastion subnet; "
                f"everything else inbound is denied by {denied_by(extra)}"
            ),
            failed_actual=flows_json(extra),
            passed_actual=flows_json(reach),
        )


# --- NSG006: App Service integration subnet ---------------------------------------------


@rule(
    id="NSG006",
    name="app-service-outbound",
    control="nsg",
    severity="medium",
    title="App Service integration subnet sends traffic only to the private endpoints and Azure Monitor",
    rationale="""The architecture's NSG table (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Virtual network segmentation and security"), snet-AppService
    outbound: "allow access to the private endpoints and Azure Monitor", and "all other traffic is
    explicitly denied". The reference's nsg-appServicesSubnet allows TCP 443 to the private-endpoint
    prefix and AzureMonitor (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L292-L306)
    but has no deny-all outbound, so Azure's default rules still let the web apps reach the whole
    virtual network and the Internet: the text wins, and this rule fails the reference as
    written.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 292, 306),
    ],
    remediation="""Add az network nsg rule create -g <rg> --nsg-name <nsg> -n DenyAllOutBound
    --priority 1000 --direction Outbound --access Deny --protocol '*' --source-address-prefixes
    <subnet-prefix> --destination-address-prefixes '*' --destination-port-ranges '*' after the allow
    rules to the private-endpoint subnet and AzureMonitor.""",
    params=AppServiceOutboundParams,
)
def app_service_outbound(ctx: Context) -> Iterator[Result]:
    """For each subnet with one of `roles`: no outbound traffic is allowed except to the subnets with
    `destination_roles` (the private-endpoint subnet) and to `destinations` (service tags or prefixes;
    AzureMonitor by default). The platform addresses 168.63.129.16 and 169.254.169.254 are left out."""
    p = ctx.params
    targets = [s for s in ctx.estate.subnets if ctx.roles.of_subnet(s) & set(p.destination_roles)]
    for scope in role_scopes(ctx.estate, ctx.roles, p.roles):
        if isinstance(scope, Result):
            yield scope
            continue
        net = scope.network
        allowed_to = _addresses(net, subnet_prefixes(targets) + _strings(p.destinations))
        ev = scope.outbound(flows(scope.own, net.anywhere - allowed_to - net.platform))
        names = [s.name for s in targets] + _strings(p.destinations)
        expected = f"outbound only to {', '.join(names)}"
        answer = ev.any_allowed()
        yield conclude(
            scope.resource,
            expected,
            failing=f"{scope.where}: outbound traffic to destinations other than {', '.join(names)} is "
            f"allowed: {allowed_text(ev)}{missed_denies_text(ev)}"
            if answer == Answer.YES
            else None,
            unknown=f"{scope.where}: {unknown_text(ev)}" if answer == Answer.UNKNOWN else None,
            passing=f"{scope.where}: outbound traffic to anything but {', '.join(names)} is denied by "
            f"{denied_by(ev)}",
            failed_actual=flows_json(ev),
            passed_actual=[],
        )


# --- NSG007: nothing from the Internet --------------------------------------------------


@rule(
    id="NSG007",
    name="no-internet-inbound",
    control="nsg",
    severity="critical",
    title="No subnet admits traffic from the Internet beyond its documented needs",
    rationale="""The architecture has exactly two Internet entry points: the Application Gateway
    (checked by NSG002) and Azure Bastion (TCP 443, plus the GatewayManager control plane), per the
    article's network segmentation guidance and NSG table (Microsoft Learn, "Baseline OpenAI
    end-to-end chat reference architecture", section "Virtual network segmentation and security");
    every other subnet is private, and the jump box is reached only through Bastion. An NSG rule
    that lets SSH, RDP or any other port in from Internet, * or 0.0.0.0/0 (and is not shadowed by a
    higher-priority deny) exposes a subnet directly.""",
    references=[
        article("Virtual network segmentation and security"),
    ],
    remediation="""Delete the rule the finding names (az network nsg rule delete -g <rg> --nsg-name <nsg>
    -n <rule>) or narrow its source to the virtual network; reach virtual machines through Azure
    Bastion instead of opening 22/3389.""",
    params=InternetInboundParams,
)
def no_internet_inbound(ctx: Context) -> Iterator[Result]:
    """For every subnet (except `exempt_roles`) and every NSG not associated with a subnet: no inbound
    traffic from the Internet (public addresses outside the virtual network: what the `Internet` tag,
    `*` and `0.0.0.0/0` all cover) is allowed on any protocol or port, apart from the `allowances` of
    the subnet's roles (a list of {protocol, ports, sources} per role; Bastion's documented 443 and
    GatewayManager 443/4443 by default: a baseline copy that sets `allowances` replaces the whole
    mapping, so it must keep the Bastion entry). An NSG on no collected subnet is judged on its own;
    one attached only to network interfaces that lets Internet traffic in is `not_assessed`, because
    Azure applies the subnet's NSG to inbound traffic first and NICs (so their subnets) are not
    collected."""
    exempt = set(ctx.params.exempt_roles)
    allowances: Mapping[str, tuple[Allowance, ...]] = ctx.params.allowances
    yield from unread(ctx.estate, VNETS, "Virtual networks")
    for subnet in ctx.estate.subnets:
        roles = ctx.roles.of_subnet(subnet)
        if roles & exempt:
            continue
        scope = scope_of(ctx.estate, subnet)
        if isinstance(scope, Result):
            yield scope
            continue
        net = scope.network
        documented = Traffic()
        for role in sorted(roles):
            for entry in allowances.get(role) or ():
                documented = documented | flows(
                    _addresses(net, entry.sources or ["*"]),
                    scope.own,
                    entry.protocol,
                    _strings(entry.ports or ["*"]),
                )
        yield _internet_verdict(
            scope.resource, scope.where, scope.inbound(flows(net.internet, scope.own).minus(documented))
        )
    yield from _unattached_nsgs(ctx.estate)


def _internet_verdict(res: Resource, where: str, ev: Evaluation) -> Result:
    answer = ev.any_allowed()
    shadowed = ""
    if ev.shadowed:
        shadowed = " (shadowed, so without effect: " + ", ".join(r.label() for r in ev.shadowed) + ")"
    return conclude(
        res,
        "no inbound traffic from the Internet",
        failing=f"{where}: inbound traffic from the Internet is allowed: "
        f"{allowed_text(ev)}{sensitive_ports(ev)}"
        if answer == Answer.YES
        else None,
        unknown=f"{where}: {unknown_text(ev)}" if answer == Answer.UNKNOWN else None,
        passing=f"{where}: inbound traffic from the Internet is denied by {denied_by(ev)}{shadowed}",
        failed_actual=flows_json(ev),
        passed_actual=[],
    )


def _names(resource_ids: Iterable[str]) -> str:
    return ", ".join(ids.name_of(i) for i in resource_ids)


def _unattached_nsgs(estate: Estate) -> Iterator[Result]:
    """NSGs that filter no collected subnet, judged without a virtual network's context."""
    for nsg in estate.of_type(NSGS):
        if estate.subnets_of_nsg(nsg["id"]):
            continue
        policy = Policy.from_nsg(nsg)
        if policy.problems:
            yield not_assessed(nsg, f"{'; '.join(policy.problems)}: the NSG cannot be evaluated")
            continue
        net = Network()
        ev = policy.evaluate(net, INBOUND, flows(net.internet, net.anywhere))
        name = nsg.get("name")
        # A listed subnet that was collected but names no NSG (or another) is not filtered by this
        # one: the subnet's own body is what Azure applies.
        subnets = [i for i in nsg_references(nsg, "properties.subnets") if estate.subnet(i) is None]
        nics = nsg_references(nsg, "properties.networkInterfaces")
        if subnets:
            where = f"NSG {name} (associated with subnet(s) {_names(subnets)}, which were not collected)"
        elif nics:
            where = f"NSG {name} (attached only to network interface(s) {_names(nics)})"
        else:
            where = f"NSG {name} (attached to nothing: no subnet and no network interface)"
        verdict = _internet_verdict(nsg, where, ev)
        hidden = estate.broad_gaps([VNETS]) if subnets else []
        if verdict.status == Status.PASS and hidden:
            # The subnets may lie in a virtual network whose list failed: judged alone, the NSG
            # would pass without the subnet's context (its role, its allowances).
            gap = hidden[0]
            yield not_assessed(
                nsg, f"{where}: reading {gap.resource_type} at {gap.scope} failed ({gap.outcome})"
            )
            continue
        if subnets or not nics or verdict.status != Status.FAIL:
            yield verdict
            continue
        # Azure filters inbound traffic with the subnet's NSG before the NIC's: what this NSG lets
        # in may never arrive, but the NIC (and so its subnet) is not in the snapshot.
        yield not_assessed(
            nsg,
            f"{where}: this NSG lets traffic from the Internet in ({allowed_text(ev)}{sensitive_ports(ev)}),"
            " but Azure applies the NSG of the NIC's subnet to inbound traffic first and network"
            " interfaces are not collected, so that subnet and its NSG are unknown",
            "no inbound traffic from the Internet",
        )


# --- NSG008: Azure Bastion ----------------------------------------------------------------


@rule(
    id="NSG008",
    name="bastion-required-traffic",
    control="nsg",
    severity="medium",
    title="Azure Bastion subnet NSG allows the traffic Azure Bastion requires",
    rationale="""The architecture's NSG table (Microsoft Learn, "Baseline OpenAI end-to-end chat
    reference architecture", section "Virtual network segmentation and security"),
    AzureBastionSubnet: "See guidance in Working with NSG access and Azure Bastion". That guidance
    requires, when an NSG is applied: inbound 443 from Internet, 443 from GatewayManager, 443 from
    AzureLoadBalancer, 8080/5701 within VirtualNetwork; outbound 22/3389 to VirtualNetwork, 443 to
    AzureCloud, 8080/5701 within VirtualNetwork and 80 to Internet. A missing rule breaks Bastion
    sessions or blocks the platform's updates to the Bastion host. The reference implements all of
    them (reference implementation:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L428-L576).
    The guidance writes the 8080/5701 data-plane rules with protocol Any from VirtualNetwork to
    VirtualNetwork, and outbound 80 with protocol Any; Bastion needs only TCP there, and 8080/5701
    only between its own instances in AzureBastionSubnet, so narrower rules (Tcp; the
    AzureBastionSubnet or VNet prefix in place of VirtualNetwork) are accepted.""",
    references=[
        article("Virtual network segmentation and security"),
        implementation("hub", "infra-as-code/bicep/network.bicep", 428, 576),
    ],
    remediation="""Add the missing rule, e.g. az network nsg rule create -g <rg> --nsg-name <nsg>
    -n AllowGatewayManagerInbound --priority 110 --direction Inbound --access Allow --protocol Tcp
    --source-address-prefixes GatewayManager --destination-address-prefixes '*'
    --destination-port-ranges 443 (see Azure Bastion's NSG guidance for each rule).""",
    params=BastionParams,
)
def bastion_required(ctx: Context) -> Iterator[Result]:
    """For each Bastion subnet: every flow in `required` ({name, direction, protocol, source,
    destination, ports}, `subnet` standing for the Bastion subnet's prefixes) is entirely allowed.
    By default the 8080/5701 host-communication flows are TCP from and to the Bastion subnet itself
    (between Bastion instances) and session information is TCP 80 to the Internet."""
    required: Sequence[Flow] = ctx.params.required
    for scope in role_scopes(ctx.estate, ctx.roles, [BASTION]):
        if isinstance(scope, Result):
            yield scope
            continue
        net = scope.network

        def side(value: Any, scope: Scope = scope, net: Network = net) -> AddressSet:
            items = _strings(value)
            own = scope.own if SUBNET in items else AddressSet()
            return own | _addresses(net, [i for i in items if i != SUBNET])

        missing, unknown, names = [], [], []
        for flow in required:
            traffic = flows(side(flow.source), side(flow.destination), flow.protocol,
                            _strings(flow.ports or ["*"]))  # fmt: skip
            direction = INBOUND if flow.direction.lower() == "inbound" else OUTBOUND
            ev = scope.policy.evaluate(net, direction, traffic)
            label = (
                f"{flow.name} ({direction} {flow.protocol} "
                f"{', '.join(_strings(flow.ports))} from {_shown(flow.source)} to {_shown(flow.destination)})"
            )
            names.append(flow.name)
            answer = ev.all_allowed()
            if answer == Answer.NO:
                missing.append(f"{label} denied by {denied_by(ev)}")
            elif answer == Answer.UNKNOWN:
                unknown.append(f"{label}: {unknown_text(ev)}")
        yield conclude(
            scope.resource,
            names,
            failing=listed(f"{scope.where}: Bastion traffic blocked: ", missing),
            unknown=listed(f"{scope.where}: ", unknown),
            passing=f"{scope.where}: all {len(names)} flows Azure Bastion requires are allowed",
            failed_actual=missing,
            passed_actual=[],
        )


# --- NSG009: the NSG applies to the private endpoints at all -----------------------------

# The subnet values under which the subnet's NSG filters traffic to its private endpoints.
NSG_APPLIES = ("Enabled", "NetworkSecurityGroupEnabled")


@dataclass(frozen=True)
class EndpointPoliciesParams:
    """NSG009: the subnet roles whose NSG must apply to the private endpoints they hold."""

    roles: SubnetRoles = (PRIVATE_ENDPOINTS,)


@rule(
    id="NSG009",
    name="private-endpoint-network-policies",
    control="nsg",
    severity="high",
    title="The private-endpoint subnet's NSG applies to its private endpoints",
    rationale="""Azure skips a subnet's network security group for the private endpoints in it
    unless the subnet's privateEndpointNetworkPolicies is Enabled or NetworkSecurityGroupEnabled; the
    platform default, Disabled, leaves every rule of the private-endpoint subnet's NSG (and so the
    architecture's "allow only traffic from the virtual network" for snet-PrivateEndpoints, Microsoft
    Learn, "Baseline OpenAI end-to-end chat reference architecture", section "Virtual network
    segmentation and security") without effect on the endpoints it is meant to protect. The AI Studio
    hub reference sets NetworkSecurityGroupEnabled on that subnet; the ML-workspace reference leaves
    it unset, so the aml baseline recommends it.
    The reference implementation sets it in network.bicep:
    https://github.com/Azure-Samples/openai-end-to-end-baseline/blob/7f6ef9546b3e7b7ec3da9410fa5e8615a7b57df2/infra-as-code/bicep/network.bicep#L83-L95.""",
    remediation="""az network vnet subnet update -g <rg> --vnet-name <vnet> -n <subnet>
    --private-endpoint-network-policies NetworkSecurityGroupEnabled; in Bicep the subnet's
    properties.privateEndpointNetworkPolicies: 'NetworkSecurityGroupEnabled'.""",
    params=EndpointPoliciesParams,
    references=[
        article("Virtual network segmentation and security"),
        (
            'Microsoft Learn, "Manage network policies for private endpoints"',
            "https://learn.microsoft.com/azure/private-link/disable-private-endpoint-network-policy",
        ),
        implementation("hub", "infra-as-code/bicep/network.bicep", 83, 95),
    ],
    since="0.2.0",
    status="preview",
)
def private_endpoint_network_policies(ctx: Context) -> Iterator[Result]:
    """Each subnet of the given roles has `properties.privateEndpointNetworkPolicies` Enabled or
    NetworkSecurityGroupEnabled (absent means the platform default Disabled). RouteTableEnabled
    applies route tables only, not the NSG."""
    yield from unread(ctx.estate, VNETS, "Virtual networks")
    wanted = set(ctx.params.roles)
    subnets = [s for s in ctx.estate.subnets if ctx.roles.of_subnet(s) & wanted]
    yield from absent(ctx.estate, VNETS, subnets, "private-endpoint subnet")
    for subnet in subnets:
        value = subnet.properties.get("privateEndpointNetworkPolicies")
        ok = isinstance(value, str) and any(value.lower() == v.lower() for v in NSG_APPLIES)
        shown = "absent (platform default Disabled)" if value is None else str(value)
        effect = (
            "its NSG filters traffic to the private endpoints"
            if ok
            else "its NSG does not apply to the private endpoints it holds"
        )
        nsg = ids.name_of(subnet.nsg_id) if subnet.nsg_id else "no NSG"
        yield (passed if ok else failed)(
            subnet_resource(subnet),
            f"subnet {subnet.name} ({nsg}): properties.privateEndpointNetworkPolicies is {shown}: {effect}",
            list(NSG_APPLIES),
            value,
        )
