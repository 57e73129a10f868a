"""Interval sets of integers, and the two things NSG rules count with them: ports and protocols.

Addresses are integers on one line, IPv4 first and IPv6 after it (`V6_BASE` on); a port set
is an interval set within 0-65535.
"""

from __future__ import annotations

import bisect
import ipaddress
import re
from collections.abc import Iterable
from dataclasses import dataclass

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
        """The set of the spans, sorted and merged; a span whose low end is above its high end is an error."""
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
        """Whether every integer of this set is in the other."""
        return not (self - other)


ALL_ADDRESSES = Intervals(((0, V6_MAX),))
IPV4 = Intervals(((0, V4_MAX),))
IPV6 = Intervals(((V6_BASE, V6_MAX),))
FAMILIES = (IPV4, IPV6)
ALL_PORTS = Intervals(((0, PORT_MAX),))


def network_span(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> tuple[int, int]:
    """The first and last address of a network, on the one line of IPv4 and IPv6."""
    base = 0 if net.version == 4 else V6_BASE
    return base + int(net.network_address), base + int(net.broadcast_address)


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
    """A port set as NSG rules write it: `*`, or ports and ranges separated by commas."""
    if ports == ALL_PORTS:
        return "*"
    return ", ".join(str(lo) if lo == hi else f"{lo}-{hi}" for lo, hi in ports.spans)


# --- protocols ----------------------------------------------------------------

TCP, UDP, ICMP, ESP, AH, OTHER = "Tcp", "Udp", "Icmp", "Esp", "Ah", "Other"
PROTOCOLS = frozenset({TCP, UDP, ICMP, ESP, AH, OTHER})
PORTED = frozenset({TCP, UDP})
_PROTOCOL_NAMES = {p.lower(): p for p in (TCP, UDP, ICMP, ESP, AH)}


def parse_protocol(text: str) -> frozenset[str]:
    """An NSG rule's protocol (`Tcp`, `*`, ...) as a set of protocols."""
    lowered = str(text).strip().lower()
    if lowered in ("*", "any", "all"):
        return PROTOCOLS
    if lowered in _PROTOCOL_NAMES:
        return frozenset({_PROTOCOL_NAMES[lowered]})
    raise ValueError(f"unknown protocol {text!r}")


def format_protocols(protocols: Iterable[str]) -> str:
    """A set of protocols in words: `*`, or the names joined by slashes."""
    found = set(protocols)
    if found == PROTOCOLS:
        return "*"
    order = [TCP, UDP, ICMP, ESP, AH, OTHER]
    return "/".join(p if p != OTHER else "other IP protocols" for p in order if p in found)
