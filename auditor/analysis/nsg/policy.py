"""Network security groups read the way Azure evaluates them, over classes of traffic.

Every NSG rule uses this module. A question is a *class* of traffic (for example "any
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
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any

# --- interval sets -----------------------------------------------------------

V4_MAX = 2**32 - 1
V6_BASE = 2**32
V6_MAX = V6_BASE + 2**128 - 1
PORT_MAX = 65535


@dataclass(frozen=True)
class Intervals:
    """A set of integers as sorted, disjoint, non-adjacent closed spans."""

    spans: tuple[tuple[int, int], ...] = ()

    @staticmethod
    def of(spans: Iterable[tuple[int, int]]) -> Intervals:
        merged: list[list[int]] = []
        for lo, hi in sorted(spans):
            if lo > hi:
                raise ValueError(f"empty span {lo}-{hi}")
            if merged and lo <= merged[-1][1] + 1:
                merged[-1][1] = max(merged[-1][1], hi)
            else:
                merged.append([lo, hi])
        return Intervals(tuple((lo, hi) for lo, hi in merged))

    def __bool__(self) -> bool:
        return bool(self.spans)

    def __or__(self, other: Intervals) -> Intervals:
        return Intervals.of(self.spans + other.spans)

    def __and__(self, other: Intervals) -> Intervals:
        out: list[tuple[int, int]] = []
        a, b = self.spans, other.spans
        i = j = 0
        while i < len(a) and j < len(b):
            lo, hi = max(a[i][0], b[j][0]), min(a[i][1], b[j][1])
            if lo <= hi:
                out.append((lo, hi))
            if a[i][1] < b[j][1]:
                i += 1
            else:
                j += 1
        return Intervals(tuple(out))

    def __sub__(self, other: Intervals) -> Intervals:
        out: list[tuple[int, int]] = []
        b = other.spans
        j = 0
        for lo, hi in self.spans:
            while j < len(b) and b[j][1] < lo:
                j += 1
            cur = lo
            k = j
            while k < len(b) and b[k][0] <= hi and cur <= hi:
                if b[k][0] > cur:
                    out.append((cur, b[k][0] - 1))
                cur = max(cur, b[k][1] + 1)
                k += 1
            if cur <= hi:
                out.append((cur, hi))
        return Intervals(tuple(out))

    def __contains__(self, value: object) -> bool:
        if not isinstance(value, int):
            return False
        i = bisect.bisect_right(self.spans, value, key=lambda span: span[0]) - 1
        return i >= 0 and self.spans[i][0] <= value <= self.spans[i][1]

    def issubset(self, other: Intervals) -> bool:
        return not (self - other)


ALL_ADDRESSES = Intervals(((0, V6_MAX),))
IPV4 = Intervals(((0, V4_MAX),))
IPV6 = Intervals(((V6_BASE, V6_MAX),))
FAMILIES = (IPV4, IPV6)
ALL_PORTS = Intervals(((0, PORT_MAX),))
NO_PORTS = Intervals()


def network_span(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> tuple[int, int]:
    base = 0 if net.version == 4 else V6_BASE
    return base + int(net.network_address), base + int(net.broadcast_address)


def _spans(prefixes: Iterable[str]) -> Intervals:
    return Intervals.of(network_span(ipaddress.ip_network(p, strict=False)) for p in prefixes)


# The host address (health probes, DNS, DHCP) and the instance metadata address. Azure
# does not apply NSG rules to traffic to them unless a rule names their service tag.
HOST_IP = "168.63.129.16"
PLATFORM_IPS = (HOST_IP, "169.254.169.254")
HOST = _spans([HOST_IP])
PLATFORM = _spans(PLATFORM_IPS)

# Address space that is not reachable on the public Internet (RFC 6890 special ranges).
NOT_PUBLIC = _spans(
    [
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    ]
)  # fmt: skip
PUBLIC = ALL_ADDRESSES - NOT_PUBLIC


def parse_ports(items: Iterable[str]) -> Intervals:
    """`*`, `443`, `65200-65535` (and lists of them) as a port set."""
    spans: list[tuple[int, int]] = []
    for raw in items:
        text = str(raw).strip()
        if text in ("*", "any", "Any"):
            return ALL_PORTS
        match = re.fullmatch(r"(\d{1,5})(?:\s*-\s*(\d{1,5}))?", text)
        if not match:
            raise ValueError(f"not a port or port range: {raw!r}")
        lo = int(match.group(1))
        hi = int(match.group(2)) if match.group(2) else lo
        if lo > hi or hi > PORT_MAX:
            raise ValueError(f"not a port or port range: {raw!r}")
        spans.append((lo, hi))
    return Intervals.of(spans)


def format_ports(ports: Intervals) -> str:
    if ports == ALL_PORTS:
        return "*"
    return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ports.spans)


# --- protocols ----------------------------------------------------------------

TCP, UDP, ICMP, ESP, AH, OTHER = "Tcp", "Udp", "Icmp", "Esp", "Ah", "Other"
PROTOCOLS = frozenset({TCP, UDP, ICMP, ESP, AH, OTHER})
PORTED = frozenset({TCP, UDP})
_PROTOCOL_NAMES = {p.lower(): p for p in (TCP, UDP, ICMP, ESP, AH)}


def parse_protocol(text: str) -> frozenset[str]:
    lowered = str(text).strip().lower()
    if lowered in ("*", "any", "all"):
        return PROTOCOLS
    if lowered in _PROTOCOL_NAMES:
        return frozenset({_PROTOCOL_NAMES[lowered]})
    raise ValueError(f"unknown protocol {text!r}")


def format_protocols(protocols: Iterable[str]) -> str:
    found = set(protocols)
    if found == PROTOCOLS:
        return "*"
    order = [TCP, UDP, ICMP, ESP, AH, OTHER]
    return "/".join(p if p != OTHER else "other IP protocols" for p in order if p in found)


# --- labels: named address sets whose members the snapshot does not show --------

TAG = "service-tag"
UNSEEN = "unseen-vnet-space"
ASG = "application-security-group"


@dataclass(frozen=True)
class Label:
    """A named set of addresses inside `domain` whose exact members are unknown.

    Service tags and the unseen part of `VirtualNetwork` are *opaque but determinate*:
    an answer that depends on them is still an answer ("from addresses in AzureCloud").
    Application security groups are *indeterminate*: which addresses they hold depends
    on NICs the snapshot does not hold, so an answer that depends on them is UNKNOWN.
    """

    kind: str
    key: str
    name: str = field(compare=False)
    domain: Intervals = field(compare=False, repr=False)

    @property
    def determinate(self) -> bool:
        return self.kind != ASG

    def describe(self) -> str:
        if self.kind == TAG:
            return f"service tag {self.name}"
        if self.kind == UNSEEN:
            return "the part of VirtualNetwork the snapshot cannot show (peered or connected address space)"
        return f"application security group {self.name}"


Literal = tuple[Label, bool]
Valuation = Callable[[Label, int], bool]


def _literal_order(lit: Literal) -> tuple[str, str, bool]:
    return (lit[0].kind, lit[0].key, lit[1])


@dataclass(frozen=True)
class Region:
    """Addresses in `spans` for which every (label, member?) condition holds."""

    spans: Intervals
    conds: frozenset[Literal] = frozenset()

    def contains(self, address: int, valuation: Valuation) -> bool:
        if address not in self.spans:
            return False
        return all(valuation(label, address) == member for label, member in self.conds)

    def conflicts(self, other: Region) -> bool:
        return any((label, not member) in self.conds for label, member in other.conds)


def _simplify(region: Region) -> Region | None:
    spans = region.spans
    conds: set[Literal] = set()
    for label, member in region.conds:
        if member:
            spans = spans & label.domain
            conds.add((label, member))
        elif spans & label.domain:
            conds.add((label, member))  # outside its domain a label never holds: drop the test
    if not spans:
        return None
    return Region(spans, frozenset(conds))


@dataclass(frozen=True)
class AddressSet:
    """A union of regions."""

    regions: tuple[Region, ...] = ()

    @staticmethod
    def of(regions: Iterable[Region]) -> AddressSet:
        by_conds: dict[frozenset[Literal], Intervals] = {}
        for region in regions:
            simple = _simplify(region)
            if simple is None:
                continue
            by_conds[simple.conds] = by_conds.get(simple.conds, Intervals()) | simple.spans
        ordered = sorted(by_conds.items(), key=lambda kv: sorted(_literal_order(c) for c in kv[0]))
        return AddressSet(tuple(Region(spans, conds) for conds, spans in ordered))

    @staticmethod
    def spans(spans: Intervals) -> AddressSet:
        return AddressSet.of([Region(spans)])

    def __bool__(self) -> bool:
        return bool(self.regions)

    def __or__(self, other: AddressSet) -> AddressSet:
        return AddressSet.of(self.regions + (other - self).regions)

    def __and__(self, other: AddressSet) -> AddressSet:
        out: list[Region] = []
        for a in self.regions:
            for b in other.regions:
                if a.conflicts(b):
                    continue
                spans = a.spans & b.spans
                if spans:
                    out.append(Region(spans, a.conds | b.conds))
        return AddressSet.of(out)

    def __sub__(self, other: AddressSet) -> AddressSet:
        current = list(self.regions)
        for b in other.regions:
            nxt: list[Region] = []
            for a in current:
                nxt.extend(_region_minus(a, b))
            current = nxt
        return AddressSet.of(current)

    def within(self, spans: Intervals) -> AddressSet:
        """The part of the set inside `spans` (e.g. one address family)."""
        return AddressSet.of(Region(r.spans & spans, r.conds) for r in self.regions)

    def contains(self, address: int, valuation: Valuation) -> bool:
        return any(r.contains(address, valuation) for r in self.regions)

    def labels(self) -> set[Label]:
        return {label for r in self.regions for label, _ in r.conds}

    def describe(self, limit: int = 4) -> str:
        """Human text: CIDR blocks (at most `limit`) and the label conditions."""
        parts = []
        for region in self.regions:
            text = _describe_spans(region.spans, limit)
            positive = [label.name for label, member in sorted(region.conds, key=_literal_order) if member]
            if positive:
                text += " in " + " and ".join(positive)
            parts.append(text)
        return "; ".join(parts) if parts else "no address"


def _region_minus(a: Region, b: Region) -> list[Region]:
    if a.conflicts(b):
        return [a]
    inside = a.spans & b.spans
    if not inside:
        return [a]
    out: list[Region] = []
    outside = a.spans - b.spans
    if outside:
        out.append(Region(outside, a.conds))
    # Inside b's spans, a point escapes b when one of b's extra conditions fails: split
    # on the first failing one so that the pieces stay disjoint.
    conds = set(a.conds)
    for label, member in sorted(b.conds - a.conds, key=_literal_order):
        spans = inside & label.domain if not member else inside
        if spans:
            out.append(Region(spans, frozenset(conds | {(label, not member)})))
        conds.add((label, member))
    return out


def _describe_spans(spans: Intervals, limit: int) -> str:
    if spans == ALL_ADDRESSES:
        return "any address"
    blocks: list[str] = []
    for lo, hi in spans.spans:
        for version, base, top in ((4, 0, V4_MAX), (6, V6_BASE, V6_MAX)):
            a, b = max(lo, base), min(hi, top)
            if a > b:
                continue
            first = ipaddress.ip_address(a - base) if version == 4 else ipaddress.IPv6Address(a - base)
            last = ipaddress.ip_address(b - base) if version == 4 else ipaddress.IPv6Address(b - base)
            blocks.extend(str(n) for n in ipaddress.summarize_address_range(first, last))
    if len(blocks) > limit:
        return ", ".join(blocks[:limit]) + f" and {len(blocks) - limit} more block(s)"
    return ", ".join(blocks)


# --- the address context of one virtual network -----------------------------------

_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$")
_ANY = {"*", "any"}
_INTERNET = {"internet"}
_VIRTUAL_NETWORK = {"virtualnetwork", "virtual_network"}
_LOAD_BALANCER = {"azureloadbalancer", "azure_loadbalancer"}


class Network:
    """What addresses, service tags and ASGs mean inside one virtual network."""

    def __init__(self, vnet_prefixes: Iterable[str] = ()) -> None:
        self.prefixes = tuple(vnet_prefixes)
        self.own = _spans(self.prefixes)
        # NICs only get addresses of the families in the VNet's address space, so an IPv4-only
        # VNet has no IPv6 traffic at all; without the address space, both families count.
        families = [f for f in FAMILIES if f & self.own] or list(FAMILIES)
        self.universe = Intervals.of(span for f in families for span in f.spans)
        outside = self.universe - self.own
        self.unseen = Label(UNSEEN, "virtualnetwork", "VirtualNetwork (peered/connected)", outside)
        self.public = (PUBLIC & self.universe) - self.own - PLATFORM

    # Address sets the rules ask about.
    @property
    def anywhere(self) -> AddressSet:
        return AddressSet.spans(self.universe)

    @property
    def internet(self) -> AddressSet:
        return AddressSet.of([Region(self.public, frozenset({(self.unseen, False)}))])

    @property
    def virtual_network(self) -> AddressSet:
        return AddressSet.of([Region((self.own | HOST) & self.universe)]) | self.peered

    @property
    def peered(self) -> AddressSet:
        """The unseen part of VirtualNetwork: peered and connected address space."""
        return AddressSet.of([Region(self.universe - self.own, frozenset({(self.unseen, True)}))])

    @property
    def own_space(self) -> AddressSet:
        return AddressSet.spans(self.own)

    @property
    def outside(self) -> AddressSet:
        """Every address outside the VNet's own space and outside the unseen part of VirtualNetwork."""
        return AddressSet.of([Region(self.universe - self.own, frozenset({(self.unseen, False)}))])

    @property
    def platform(self) -> AddressSet:
        return AddressSet.spans(PLATFORM & self.universe)

    def tag(self, name: str) -> Label:
        return Label(TAG, name.lower(), name, self.public)

    def asg(self, asg_id: str) -> AddressSet:
        """NICs of one virtual network; without the VNet's address space, any address."""
        name = asg_id.rstrip("/").rsplit("/", 1)[-1]
        domain = self.own or self.universe
        label = Label(ASG, asg_id.lower().rstrip("/"), name, domain)
        return AddressSet.of([Region(domain, frozenset({(label, True)}))])

    def addresses(self, item: str) -> AddressSet:
        """One address item of a rule: a prefix, a bare IP, `*` or a service tag."""
        text = str(item).strip()
        lowered = text.lower()
        if lowered in _ANY:
            return self.anywhere
        if lowered in _INTERNET:
            return self.internet
        if lowered in _VIRTUAL_NETWORK:
            return self.virtual_network
        if lowered in _LOAD_BALANCER:
            return AddressSet.spans(HOST & self.universe)
        try:
            return AddressSet.spans(_spans([text]) & self.universe)
        except ValueError:
            pass
        if not _TAG_NAME.match(text):
            raise ValueError(f"not an address prefix or service tag: {item!r}")
        conds = {(self.tag(text), True)}
        if "." in text:  # Storage.EastUS lies inside Storage
            conds.add((self.tag(text.split(".", 1)[0]), True))
        return AddressSet.of([Region(self.public, frozenset(conds))])

    def union(self, items: Iterable[str]) -> AddressSet:
        out = AddressSet()
        for item in items:
            out = out | self.addresses(item)
        return out


# --- traffic classes -----------------------------------------------------------


@dataclass(frozen=True)
class Packet:
    protocol: str
    src: int
    dst: int
    src_port: int
    dst_port: int


@dataclass(frozen=True)
class Box:
    """Protocols x source addresses x destination addresses x source ports x destination ports."""

    protocols: frozenset[str]
    src: AddressSet
    dst: AddressSet
    src_ports: Intervals
    dst_ports: Intervals

    def empty(self) -> bool:
        return not (self.protocols and self.src and self.dst and self.src_ports and self.dst_ports)

    def __and__(self, other: Box) -> Box | None:
        protocols = self.protocols & other.protocols
        if not protocols:
            return None
        dst_ports = self.dst_ports & other.dst_ports
        src_ports = self.src_ports & other.src_ports
        if not (dst_ports and src_ports):
            return None
        dst = self.dst & other.dst
        if not dst:
            return None
        src = self.src & other.src
        if not src:
            return None
        return Box(protocols, src, dst, src_ports, dst_ports)

    def minus(self, other: Box) -> list[Box]:
        """Disjoint boxes covering self without other (cheap dimensions split first)."""
        if (self & other) is None:
            return [self]
        pieces: list[Box] = []
        cur = self
        rest = cur.protocols - other.protocols
        if rest:
            pieces.append(replace(cur, protocols=frozenset(rest)))
        cur = replace(cur, protocols=cur.protocols & other.protocols)
        rest_ports = cur.dst_ports - other.dst_ports
        if rest_ports:
            pieces.append(replace(cur, dst_ports=rest_ports))
        cur = replace(cur, dst_ports=cur.dst_ports & other.dst_ports)
        rest_ports = cur.src_ports - other.src_ports
        if rest_ports:
            pieces.append(replace(cur, src_ports=rest_ports))
        cur = replace(cur, src_ports=cur.src_ports & other.src_ports)
        rest_addr = cur.dst - other.dst
        if rest_addr:
            pieces.append(replace(cur, dst=rest_addr))
        cur = replace(cur, dst=cur.dst & other.dst)
        rest_addr = cur.src - other.src
        if rest_addr:
            pieces.append(replace(cur, src=rest_addr))
        return pieces

    def by_family(self, universe: Intervals = ALL_ADDRESSES) -> list[Box]:
        """The box as one box per address family in `universe`, each pairing that family only."""
        out = []
        for family in FAMILIES:
            part = family & universe
            box = replace(self, src=self.src.within(part), dst=self.dst.within(part))
            if not box.empty():
                out.append(box)
        return out

    def contains(self, packet: Packet, valuation: Valuation) -> bool:
        return (
            packet.protocol in self.protocols
            and packet.src_port in self.src_ports
            and packet.dst_port in self.dst_ports
            and self.src.contains(packet.src, valuation)
            and self.dst.contains(packet.dst, valuation)
        )

    def labels(self) -> set[Label]:
        return self.src.labels() | self.dst.labels()

    @property
    def determinate(self) -> bool:
        return all(label.determinate for label in self.labels())


def make_box(
    protocols: frozenset[str], src: AddressSet, dst: AddressSet, src_ports: Intervals, dst_ports: Intervals
) -> Box:
    """A box with Azure's port semantics: specific ports only exist for TCP and UDP."""
    if src_ports != ALL_PORTS or dst_ports != ALL_PORTS:
        protocols = protocols & PORTED
    return Box(frozenset(protocols), src, dst, src_ports, dst_ports)


@dataclass(frozen=True)
class Traffic:
    """A class of traffic: a union of boxes."""

    boxes: tuple[Box, ...] = ()

    def __bool__(self) -> bool:
        return any(not b.empty() for b in self.boxes)

    def __or__(self, other: Traffic) -> Traffic:
        return Traffic(self.boxes + other.boxes)

    def minus(self, other: Traffic) -> Traffic:
        current = [b for b in self.boxes if not b.empty()]
        for cut in other.boxes:
            if cut.empty():
                continue
            current = [piece for box in current for piece in box.minus(cut)]
        return Traffic(tuple(current))

    def contains(self, packet: Packet, valuation: Valuation) -> bool:
        return any(b.contains(packet, valuation) for b in self.boxes)


def flows(
    src: AddressSet,
    dst: AddressSet,
    protocol: str | Iterable[str] = "*",
    ports: str | Iterable[str] = "*",
    src_ports: str | Iterable[str] = "*",
) -> Traffic:
    """The traffic class `protocol` from `src` to `dst` on destination `ports`: IPv4 sources with
    IPv4 destinations and IPv6 with IPv6 (no packet mixes the two)."""
    names = [protocol] if isinstance(protocol, str) else list(protocol)
    protos: frozenset[str] = frozenset()
    for name in names:
        protos = protos | parse_protocol(name)
    dports = parse_ports([ports] if isinstance(ports, str) else ports)
    sports = parse_ports([src_ports] if isinstance(src_ports, str) else src_ports)
    return Traffic(tuple(make_box(protos, src, dst, sports, dports).by_family()))


# --- security rules -----------------------------------------------------------------

INBOUND, OUTBOUND = "Inbound", "Outbound"
ALLOW, DENY = "Allow", "Deny"


@dataclass(frozen=True)
class SecurityRule:
    """One NSG rule with its singular and plural ARM fields merged."""

    name: str
    priority: int
    direction: str
    access: str
    protocol: str
    sources: tuple[str, ...] = ()
    destinations: tuple[str, ...] = ()
    source_asgs: tuple[str, ...] = ()
    destination_asgs: tuple[str, ...] = ()
    source_ports: tuple[str, ...] = ("*",)
    destination_ports: tuple[str, ...] = ("*",)
    default: bool = False
    implicit: bool = False  # stands for "no NSG at all"

    @property
    def allows(self) -> bool:
        return self.access == ALLOW

    def box(self, network: Network) -> Box:
        src = network.union(self.sources)
        for asg in self.source_asgs:
            src = src | network.asg(asg)
        dst = network.union(self.destinations)
        for asg in self.destination_asgs:
            dst = dst | network.asg(asg)
        sports, dports = parse_ports(self.source_ports), parse_ports(self.destination_ports)
        return make_box(parse_protocol(self.protocol), src, dst, sports, dports)

    def label(self) -> str:
        if self.implicit:
            return "no NSG (nothing filters the subnet)"
        if self.default:
            return f"default rule {self.name} ({self.priority})"
        return f"{self.name} (priority {self.priority})"

    def detail(self) -> str:
        src = ", ".join(self.sources + tuple(_asg_name(a) for a in self.source_asgs))
        dst = ", ".join(self.destinations + tuple(_asg_name(a) for a in self.destination_asgs))
        ports = ", ".join(self.destination_ports)
        return f"{self.access} {self.protocol} from {src} to {dst} port {ports}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "priority": self.priority,
            "direction": self.direction,
            "access": self.access,
            "protocol": self.protocol,
            "source": list(self.sources) + [_asg_name(a) for a in self.source_asgs],
            "destination": list(self.destinations) + [_asg_name(a) for a in self.destination_asgs],
            "destination_ports": list(self.destination_ports),
            "default": self.default,
        }


def _asg_name(asg_id: str) -> str:
    return "ASG " + asg_id.rstrip("/").rsplit("/", 1)[-1]


def _field(props: Mapping[str, Any], key: str) -> Any:
    if key in props:
        return props[key]
    lowered = key.lower()
    for k, v in props.items():
        if isinstance(k, str) and k.lower() == lowered:
            return v
    return None


def _merged(props: Mapping[str, Any], singular: str, plural: str) -> tuple[str, ...]:
    """ARM returns a single value in the singular field and a list in the plural; merge both."""
    out: list[str] = []
    one = _field(props, singular)
    if isinstance(one, str) and one.strip():
        out.append(one.strip())
    many = _field(props, plural)
    if isinstance(many, list):
        out.extend(str(v).strip() for v in many if isinstance(v, str | int) and str(v).strip())
    return tuple(dict.fromkeys(out))


def _asgs(props: Mapping[str, Any], key: str) -> tuple[str, ...]:
    found = _field(props, key)
    if not isinstance(found, list):
        return ()
    return tuple(str(a["id"]) for a in found if isinstance(a, dict) and isinstance(a.get("id"), str))


def parse_rule(body: Mapping[str, Any], default: bool = False) -> SecurityRule:
    """A rule from its ARM body (`{name, properties: {...}}`); ValueError when it cannot be read."""
    props = body.get("properties") if isinstance(body.get("properties"), dict) else body
    assert isinstance(props, Mapping)
    name = str(body.get("name") or "(unnamed)")
    priority = _field(props, "priority")
    if not isinstance(priority, int) or isinstance(priority, bool):
        raise ValueError(f"rule {name}: priority {priority!r} is not a number")
    direction = str(_field(props, "direction") or "")
    access = str(_field(props, "access") or "")
    direction = {"inbound": INBOUND, "outbound": OUTBOUND}.get(direction.lower(), "")
    access = {"allow": ALLOW, "deny": DENY}.get(access.lower(), "")
    if not direction or not access:
        raise ValueError(f"rule {name}: direction/access missing or unknown")
    protocol_set = parse_protocol(str(_field(props, "protocol") or ""))
    rule = SecurityRule(
        name=name,
        priority=priority,
        direction=direction,
        access=access,
        protocol="*" if protocol_set == PROTOCOLS else next(iter(protocol_set)),
        sources=_merged(props, "sourceAddressPrefix", "sourceAddressPrefixes"),
        destinations=_merged(props, "destinationAddressPrefix", "destinationAddressPrefixes"),
        source_asgs=_asgs(props, "sourceApplicationSecurityGroups"),
        destination_asgs=_asgs(props, "destinationApplicationSecurityGroups"),
        source_ports=_merged(props, "sourcePortRange", "sourcePortRanges"),
        destination_ports=_merged(props, "destinationPortRange", "destinationPortRanges"),
        default=default,
    )
    for side, prefixes, asgs in (
        ("source", rule.sources, rule.source_asgs),
        ("destination", rule.destinations, rule.destination_asgs),
    ):
        if not prefixes and not asgs:
            raise ValueError(f"rule {name}: no {side} address prefix or application security group")
        probe = Network()
        for item in prefixes:
            probe.addresses(item)  # raises on nonsense
    for side, ports in (("source", rule.source_ports), ("destination", rule.destination_ports)):
        if not ports:
            raise ValueError(f"rule {name}: no {side} port range")
        parse_ports(ports)
    return rule


def _default(name: str, priority: int, direction: str, access: str, src: str, dst: str) -> SecurityRule:
    return SecurityRule(name, priority, direction, access, "*", (src,), (dst,), default=True)


# Azure's default rules: present in every NSG, after the custom rules, not removable.
DEFAULT_RULES = (
    _default("AllowVnetInBound", 65000, INBOUND, ALLOW, "VirtualNetwork", "VirtualNetwork"),
    _default("AllowAzureLoadBalancerInBound", 65001, INBOUND, ALLOW, "AzureLoadBalancer", "*"),
    _default("DenyAllInBound", 65500, INBOUND, DENY, "*", "*"),
    _default("AllowVnetOutBound", 65000, OUTBOUND, ALLOW, "VirtualNetwork", "VirtualNetwork"),
    _default("AllowInternetOutBound", 65001, OUTBOUND, ALLOW, "*", "Internet"),
    _default("DenyAllOutBound", 65500, OUTBOUND, DENY, "*", "*"),
)


# --- evaluation ---------------------------------------------------------------------


class Answer(StrEnum):
    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"  # depends on the members of an application security group


@dataclass(frozen=True)
class Match:
    """The part of the question that `rule` decides (it is the first rule to match it)."""

    rule: SecurityRule
    box: Box


@dataclass(frozen=True)
class Flow:
    """What one allow rule lets through of the question, for messages and JSON."""

    rule: SecurityRule
    protocols: frozenset[str]
    ports: Intervals
    via: tuple[str, ...]  # named sets every part of it is limited to (service tags, ASGs, peered space)
    determinate: bool

    def describe(self) -> str:
        ports = format_ports(self.ports)
        if self.protocols == PROTOCOLS and ports == "*":
            what = "all traffic"
        else:
            what = format_protocols(self.protocols) + ("" if ports == "*" else f" port {ports}")
        via = f" (only for addresses in {', '.join(self.via)})" if self.via else ""
        return f"{what} by {self.rule.label()}{via}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule": self.rule.name,
            "priority": self.rule.priority,
            "default": self.rule.default,
            "protocols": format_protocols(self.protocols),
            "ports": format_ports(self.ports),
            "via": list(self.via),
            "determinate": self.determinate,
        }


@dataclass(frozen=True)
class Evaluation:
    """The question, split by the rule that decides each part of it."""

    direction: str
    matches: tuple[Match, ...]
    shadowed: tuple[SecurityRule, ...]  # allow rules that match the question but never decide
    missed_denies: tuple[SecurityRule, ...]  # custom deny rules that match none of the question

    @property
    def allowed(self) -> list[Match]:
        return [m for m in self.matches if m.rule.allows]

    @property
    def denied(self) -> list[Match]:
        return [m for m in self.matches if not m.rule.allows]

    def any_allowed(self) -> Answer:
        """Is some of the traffic allowed?"""
        return _exists(self.allowed)

    def all_allowed(self) -> Answer:
        """Is all of the traffic allowed?"""
        answer = _exists(self.denied)
        return {Answer.YES: Answer.NO, Answer.NO: Answer.YES, Answer.UNKNOWN: Answer.UNKNOWN}[answer]

    def allowing_rules(self) -> list[SecurityRule]:
        return list(dict.fromkeys(m.rule for m in self.allowed))

    def denying_rules(self) -> list[SecurityRule]:
        return list(dict.fromkeys(m.rule for m in self.denied))

    def undetermined(self) -> list[Label]:
        """The application security groups the answer depends on."""
        found = {label for m in self.matches for label in m.box.labels() if not label.determinate}
        return sorted(found, key=lambda label: label.key)

    def flows(self) -> list[Flow]:
        out = []
        for rule in self.allowing_rules():
            boxes = [m.box for m in self.allowed if m.rule == rule]
            protocols = frozenset().union(*(b.protocols for b in boxes))
            ports = Intervals()
            for b in boxes:
                ports = ports | b.dst_ports
            out.append(Flow(rule, protocols, ports, _via(boxes), all(b.determinate for b in boxes)))
        return out

    def decided_by(self, packet: Packet, valuation: Valuation) -> SecurityRule | None:
        for m in self.matches:
            if m.box.contains(packet, valuation):
                return m.rule
        return None


def _exists(matches: Sequence[Match]) -> Answer:
    if not matches:
        return Answer.NO
    if any(m.box.determinate for m in matches):
        return Answer.YES
    return Answer.UNKNOWN


def _via(boxes: Sequence[Box]) -> tuple[str, ...]:
    """Named sets that limit every allowed box on one side; empty when some box is unconditional."""
    names: set[str] = set()
    for box in boxes:
        limited = False
        for side in (box.src, box.dst):
            if side.regions and all(any(member for _, member in r.conds) for r in side.regions):
                limited = True
            names.update(label.name for r in side.regions for label, member in r.conds if member)
        if not limited:
            return ()
    return tuple(sorted(names))


@dataclass(frozen=True)
class Policy:
    """The rules that filter a subnet's traffic: one NSG, or none at all."""

    name: str
    rules: tuple[SecurityRule, ...]
    problems: tuple[str, ...] = ()

    @classmethod
    def from_nsg(cls, nsg: Mapping[str, Any]) -> Policy:
        """Custom rules from `properties.securityRules`, then Azure's defaults (always, built in)."""
        props = nsg.get("properties")
        name = str(nsg.get("name") or nsg.get("id") or "NSG")
        if not isinstance(props, dict):
            return cls(name, DEFAULT_RULES, (f"NSG {name} has no properties in the snapshot",))
        custom: list[SecurityRule] = []
        problems: list[str] = []
        raw = _field(props, "securityRules")
        if not isinstance(raw, list):
            # ARM always returns the list (empty when there are no custom rules): its absence
            # means the snapshot holds an incomplete body, not an NSG without rules.
            problems.append(
                f"NSG {name}: properties.securityRules is {'absent' if raw is None else 'not a list'}"
            )
            raw = []
        for body in raw:
            if not isinstance(body, dict):
                problems.append(f"NSG {name}: a security rule is not an object")
                continue
            try:
                custom.append(parse_rule(body))
            except ValueError as exc:
                problems.append(f"NSG {name}: {exc}")
        return cls(name, tuple(custom) + DEFAULT_RULES, tuple(problems))

    @classmethod
    def unrestricted(cls) -> Policy:
        """No NSG: nothing filters the traffic."""
        rules = tuple(
            SecurityRule("(no NSG)", 0, d, ALLOW, "*", ("*",), ("*",), implicit=True)
            for d in (INBOUND, OUTBOUND)
        )
        return cls("(no NSG)", rules)

    def ordered(self, direction: str) -> list[SecurityRule]:
        """Azure's order: custom rules by priority, then the default rules by priority."""
        chosen = [r for r in self.rules if r.direction == direction]
        return sorted(chosen, key=lambda r: (r.default, r.priority, r.name))

    def evaluate(self, network: Network, direction: str, traffic: Traffic) -> Evaluation:
        # Only traffic that can exist in the network: same-family pairs of its address families.
        question = [part for b in traffic.boxes for part in b.by_family(network.universe)]
        remaining = list(question)
        matches: list[Match] = []
        shadowed: list[SecurityRule] = []
        missed: list[SecurityRule] = []
        for rule in self.ordered(direction):
            rule_box = rule.box(network)
            decided = False
            nxt: list[Box] = []
            for box in remaining:
                part = box & rule_box
                if part is None:
                    nxt.append(box)
                    continue
                decided = True
                matches.append(Match(rule, part))
                nxt.extend(box.minus(rule_box))
            remaining = nxt
            if not decided and not rule.default and not rule.implicit:
                touches = any((b & rule_box) is not None for b in question)
                if rule.allows and touches:
                    shadowed.append(rule)
                elif not rule.allows and not touches:
                    missed.append(rule)
        # Every direction ends with a default deny-all, so nothing is left undecided.
        assert not remaining or not self.rules
        return Evaluation(direction, tuple(matches), tuple(shadowed), tuple(missed))
