"""Traffic classes: packets, boxes (protocols x addresses x ports) and unions of boxes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from auditor.analysis.nsg.addresses import AddressSet, Label, Valuation
from auditor.analysis.nsg.intervals import (
    ALL_ADDRESSES,
    ALL_PORTS,
    FAMILIES,
    PORTED,
    Intervals,
    parse_ports,
    parse_protocol,
)

# --- traffic classes -----------------------------------------------------------


@dataclass(frozen=True)
class Packet:
    """One packet: a protocol, addresses and ports (the per-packet cross-check uses it)."""

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
        """Whether the box holds no traffic."""
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
        """Whether the packet is in the box, given which labels hold its addresses."""
        return (
            packet.protocol in self.protocols
            and packet.src_port in self.src_ports
            and packet.dst_port in self.dst_ports
            and self.src.contains(packet.src, valuation)
            and self.dst.contains(packet.dst, valuation)
        )

    def labels(self) -> set[Label]:
        """The labels the box's address sets mention."""
        return self.src.labels() | self.dst.labels()

    @property
    def determinate(self) -> bool:
        """Whether the box depends on no application security group."""
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
        """The traffic without the other traffic, still exact."""
        current = [b for b in self.boxes if not b.empty()]
        for cut in other.boxes:
            if cut.empty():
                continue
            current = [piece for box in current for piece in box.minus(cut)]
        return Traffic(tuple(current))

    def contains(self, packet: Packet, valuation: Valuation) -> bool:
        """Whether the packet is in the traffic, given which labels hold its addresses."""
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
