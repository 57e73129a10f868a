"""Address sets: CIDR spans with conditions on labels (named sets whose members are unknown),
and the `Network` that says what prefixes, service tags and ASGs mean inside one virtual network.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, TypeVar

from auditor.analysis.nsg.intervals import (
    ALL_ADDRESSES,
    FAMILIES,
    V4_MAX,
    V6_BASE,
    V6_MAX,
    Intervals,
    network_span,
)


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
        """Whether answers that depend on the label are still answers (false for ASGs)."""
        return self.kind != ASG

    def describe(self) -> str:
        """The label in words, for messages."""
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
        """Whether the address is in the region, given which labels hold it."""
        if address not in self.spans:
            return False
        return all(valuation(label, address) == member for label, member in self.conds)

    def conflicts(self, other: Region) -> bool:
        """Whether the two regions require opposite memberships of some label (so they are disjoint)."""
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
        """The set of the regions, simplified and merged by their conditions, in a stable order."""
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
        """The set of plain addresses, without label conditions."""
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
        # Kept on the set itself: a network's sets are shared by every rule and every workload with
        # its address space, and split by family again and again. Not a field: equality is unchanged.
        memo: dict[Intervals, AddressSet] | None = self.__dict__.get("_within")
        if memo is None:
            memo = {}
            object.__setattr__(self, "_within", memo)
        found = memo.get(spans)
        if found is None:
            found = memo[spans] = AddressSet.of(Region(r.spans & spans, r.conds) for r in self.regions)
        return found

    def contains(self, address: int, valuation: Valuation) -> bool:
        """Whether the address is in the set, given which labels hold it."""
        return any(r.contains(address, valuation) for r in self.regions)

    def labels(self) -> set[Label]:
        """The labels the set's conditions mention."""
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


T = TypeVar("T")

# --- the address context of one virtual network -----------------------------------

_TAG_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*(\.[A-Za-z0-9]+)*$")
_ANY = {"*", "any"}
_INTERNET = {"internet"}
_VIRTUAL_NETWORK = {"virtualnetwork", "virtual_network"}
_LOAD_BALANCER = {"azureloadbalancer", "azure_loadbalancer"}


class Network:
    """What addresses, service tags and ASGs mean inside one virtual network."""

    def __init__(self, vnet_prefixes: Iterable[str] = ()) -> None:
        # Answers already given (every value is immutable): a network is asked the same items by
        # every rule of every NSG in it.
        self._memo: dict[Any, Any] = {}
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
    @cached_property
    def anywhere(self) -> AddressSet:
        """`*`: every address of the network's families."""
        return AddressSet.spans(self.universe)

    @cached_property
    def internet(self) -> AddressSet:
        """`Internet`: public space outside the VNet and its unseen part, without the platform addresses."""
        return AddressSet.of([Region(self.public, frozenset({(self.unseen, False)}))])

    @cached_property
    def virtual_network(self) -> AddressSet:
        """`VirtualNetwork`: the VNet's space, the host address and the unseen peered space."""
        return AddressSet.of([Region((self.own | HOST) & self.universe)]) | self.peered

    @cached_property
    def peered(self) -> AddressSet:
        """The unseen part of VirtualNetwork: peered and connected address space."""
        return AddressSet.of([Region(self.universe - self.own, frozenset({(self.unseen, True)}))])

    @cached_property
    def own_space(self) -> AddressSet:
        """The VNet's own address prefixes."""
        return AddressSet.spans(self.own)

    @cached_property
    def outside(self) -> AddressSet:
        """Every address outside the VNet's own space and outside the unseen part of VirtualNetwork."""
        return AddressSet.of([Region(self.universe - self.own, frozenset({(self.unseen, False)}))])

    @cached_property
    def platform(self) -> AddressSet:
        """The platform's host addresses (168.63.129.16 and the metadata address)."""
        return AddressSet.spans(PLATFORM & self.universe)

    def tag(self, name: str) -> Label:
        """The label of a service tag (a part of public space)."""
        return Label(TAG, name.lower(), name, self.public)

    def asg(self, asg_id: str) -> AddressSet:
        """NICs of one virtual network; without the VNet's address space, any address."""
        name = asg_id.rstrip("/").rsplit("/", 1)[-1]
        domain = self.own or self.universe
        label = Label(ASG, asg_id.lower().rstrip("/"), name, domain)
        return AddressSet.of([Region(domain, frozenset({(label, True)}))])

    def memo(self, key: Any, build: Callable[[], T]) -> T:
        """`build()`'s value, computed once for this network (for values that depend on it alone)."""
        try:
            return self._memo[key]  # type: ignore[no-any-return]
        except KeyError:
            value = self._memo[key] = build()
            return value

    def addresses(self, item: str) -> AddressSet:
        """One address item of a rule: a prefix, a bare IP, `*` or a service tag."""
        return self.memo(("addresses", str(item)), lambda: self._addresses(item))

    def _addresses(self, item: str) -> AddressSet:
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
        """The union of several address items of a rule."""
        chosen = tuple(str(i) for i in items)
        return self.memo(("union", chosen), lambda: self._union(chosen))

    def _union(self, items: tuple[str, ...]) -> AddressSet:
        out = AddressSet()
        for item in items:
            out = out | self.addresses(item)
        return out


@lru_cache(maxsize=4096)
def network_of(vnet_prefixes: tuple[str, ...]) -> Network:
    """The network of an address space, shared by every VNet with that space (a Network never changes)."""
    return Network(vnet_prefixes)
