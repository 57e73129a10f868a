"""Network security groups read the way Azure evaluates them, over classes of traffic.

Every NSG rule uses this package. A question is a *class* of traffic (for example "any
protocol and port from the Internet to subnet S") and the answer splits that class
exactly by the first rule, in priority order, that matches each part of it: custom
rules first (lower priority number first), then Azure's default rules, which apply
even when the ARM body leaves out `defaultSecurityRules`. Deny rules count like allow
rules; the parts an allow rule gets are "allowed", and the evaluation names that rule.

The model:
- Addresses are IPv4 and IPv6 integers on one line (IPv6 after IPv4), as interval sets.
  CIDR prefixes and bare IPs come from `ipaddress`.
- Traffic never mixes address families: Azure carries no packet whose source and destination
  are of different IP versions, so a question only pairs IPv4 with IPv4 and IPv6 with IPv6.
  A virtual network holds only the families of its address space: in an IPv4-only VNet there
  is no IPv6 traffic at all, and every address set is limited to IPv4 (an unknown VNet has both).
- `*` is every address (of the network's families); `0.0.0.0/0` every IPv4 address.
- `Internet` is public address space outside the virtual network (the VNet's own prefixes
  and the unseen part of `VirtualNetwork`), without the platform's host address.
- `VirtualNetwork` is the VNet's address space plus the host address 168.63.129.16, plus
  address space the snapshot cannot show (peered networks, connected on-premises ranges,
  user-defined route prefixes). That unseen part is a named set ("label") whose members
  are unknown: answers that touch it say so instead of guessing.
- `AzureLoadBalancer` is the host address 168.63.129.16.
- Other service tags (`AzureMonitor`, `GatewayManager`, `AzureCloud`, `Storage.EastUS`...)
  are opaque named subsets of public space; a regional tag lies inside its base tag.
- Application security groups are named subsets of the VNet's address space (of any address
  when the VNet is unknown) whose members (NICs) the snapshot does not hold: an answer that
  depends on them is `UNKNOWN`.
- Ports exist for TCP and UDP. A rule with specific ports matches TCP and UDP traffic only;
  ICMP, ESP, AH and other IP protocols are matched only by rules whose ports are all `*`.

A class is a union of boxes (protocols x source addresses x destination addresses x source
ports x destination ports); an address set is a union of regions (an interval set plus
conditions on labels). Subtracting one box from another stays exact, so the answer is a
partition of the question, not a sample.

Modules, lowest first: `intervals` (interval sets, ports, protocols), `addresses` (labels,
regions, address sets, the per-VNet `Network`), `traffic` (packets, boxes, traffic classes),
`policy` (security rules, Azure's defaults, evaluation), `subnets` (a subnet with the policy
that filters it), `explain` (evaluations in words) and `bastion` (the flows Azure Bastion needs).
"""

from auditor.analysis.nsg.addresses import ASG, TAG, UNSEEN, AddressSet, Label, Network, Region
from auditor.analysis.nsg.intervals import (
    ALL_ADDRESSES,
    ALL_PORTS,
    PROTOCOLS,
    Intervals,
    format_ports,
    format_protocols,
    parse_ports,
    parse_protocol,
)
from auditor.analysis.nsg.policy import (
    ALLOW,
    DEFAULT_RULES,
    DENY,
    INBOUND,
    OUTBOUND,
    Answer,
    Evaluation,
    Flow,
    Match,
    Policy,
    SecurityRule,
    parse_rule,
)
from auditor.analysis.nsg.subnets import Scope, role_scopes, scope_of
from auditor.analysis.nsg.traffic import Box, Packet, Traffic, flows, make_box

__all__ = [
    "ALLOW",
    "ALL_ADDRESSES",
    "ALL_PORTS",
    "ASG",
    "DEFAULT_RULES",
    "DENY",
    "INBOUND",
    "OUTBOUND",
    "PROTOCOLS",
    "TAG",
    "UNSEEN",
    "AddressSet",
    "Answer",
    "Box",
    "Evaluation",
    "Flow",
    "Intervals",
    "Label",
    "Match",
    "Network",
    "Packet",
    "Policy",
    "Region",
    "Scope",
    "SecurityRule",
    "Traffic",
    "flows",
    "format_ports",
    "format_protocols",
    "make_box",
    "parse_ports",
    "parse_protocol",
    "parse_rule",
    "role_scopes",
    "scope_of",
]
