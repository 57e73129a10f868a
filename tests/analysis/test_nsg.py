"""The NSG evaluator: unit tests, and property tests against a per-packet evaluator written apart.

`brute_decision` below is a second, deliberately naive reading of Azure's semantics: it takes
the ARM rule bodies as they are, sorts them, and tests one packet at a time with `ipaddress`.
The class-based evaluator must agree with it on every packet of every random rule set, for
every assignment of the unknown sets (service tags, peered space, ASG members) to addresses,
in a dual-stack and in an IPv4-only virtual network. A packet whose source and destination are
of different IP versions, or of a version the network's address space lacks, is not traffic:
neither evaluator decides it.
"""

from __future__ import annotations

import ipaddress
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from auditor.analysis.nsg.addresses import ASG, TAG, UNSEEN, AddressSet, Label, Network
from auditor.analysis.nsg.intervals import ALL_ADDRESSES, V4_MAX, V6_BASE, Intervals, format_ports
from auditor.analysis.nsg.policy import INBOUND, OUTBOUND, Answer, Policy, parse_rule
from auditor.analysis.nsg.traffic import Box, Packet, flows

VNET = ["10.0.0.0/16", "fd00:1::/64"]
VNET_V4 = ["10.0.0.0/16"]
VNETS = [VNET, VNET_V4]
ASG_WEB = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg-web"
ASG_DB = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Network/applicationSecurityGroups/asg-db"

# --- a second, naive reading of the semantics ---------------------------------------------

IP = ipaddress.IPv4Address | ipaddress.IPv6Address
NON_PUBLIC = [
    ipaddress.ip_network(n)
    for n in (
        "0.0.0.0/8", "10.0.0.0/8", "100.64.0.0/10", "127.0.0.0/8", "169.254.0.0/16", "172.16.0.0/12",
        "192.0.0.0/24", "192.168.0.0/16", "198.18.0.0/15", "224.0.0.0/4", "240.0.0.0/4",
        "::/128", "::1/128", "fc00::/7", "fe80::/10", "ff00::/8",
    )
]  # fmt: skip
HOST = ipaddress.ip_address("168.63.129.16")
PLATFORM = {HOST, ipaddress.ip_address("169.254.169.254")}
Nets = Sequence[ipaddress.IPv4Network | ipaddress.IPv6Network]
VNET_NETS: Nets = [ipaddress.ip_network(n) for n in VNET]
DEFAULTS = [
    ("AllowVnetInBound", 65000, "Inbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowAzureLoadBalancerInBound", 65001, "Inbound", "Allow", "AzureLoadBalancer", "*"),
    ("DenyAllInBound", 65500, "Inbound", "Deny", "*", "*"),
    ("AllowVnetOutBound", 65000, "Outbound", "Allow", "VirtualNetwork", "VirtualNetwork"),
    ("AllowInternetOutBound", 65001, "Outbound", "Allow", "*", "Internet"),
    ("DenyAllOutBound", 65500, "Outbound", "Deny", "*", "*"),
]

World = Mapping[str, frozenset[IP]]


def inside(ip: IP, nets: list[Any]) -> bool:
    return any(ip.version == n.version and ip in n for n in nets)


def nets(vnet: list[str]) -> Nets:
    return [ipaddress.ip_network(n) for n in vnet]


def in_vnet(ip: IP, vnet: Nets = VNET_NETS) -> bool:
    return inside(ip, vnet)


def is_traffic(src: IP, dst: IP, vnet: Nets = VNET_NETS) -> bool:
    """Azure carries a packet only between addresses of one IP version, and only of a version
    the VNet's address space has (both when the address space is unknown)."""
    versions = {n.version for n in vnet} or {4, 6}
    return src.version == dst.version and src.version in versions


def tag_member(world: World, key: str, ip: IP, vnet: Nets = VNET_NETS) -> bool:
    if inside(ip, NON_PUBLIC) or in_vnet(ip, vnet) or ip in PLATFORM:
        return False
    # A regional tag (storage.eastus) lies inside its base tag (storage).
    return any(ip in members for k, members in world.items() if k == key or k.startswith(key + "."))


def unseen_member(world: World, ip: IP, vnet: Nets = VNET_NETS) -> bool:
    return not in_vnet(ip, vnet) and ip in world.get("@unseen", frozenset())


def asg_member(world: World, asg_id: str, ip: IP, vnet: Nets = VNET_NETS) -> bool:
    return in_vnet(ip, vnet) and ip in world.get(asg_id.lower(), frozenset())


def item_matches(item: str, ip: IP, world: World, vnet: Nets = VNET_NETS) -> bool:
    text = item.strip()
    lowered = text.lower()
    if lowered in ("*", "any"):
        return True
    if lowered == "internet":
        return (
            not inside(ip, NON_PUBLIC)
            and not in_vnet(ip, vnet)
            and ip not in PLATFORM
            and not unseen_member(world, ip, vnet)
        )
    if lowered == "virtualnetwork":
        return in_vnet(ip, vnet) or ip == HOST or unseen_member(world, ip, vnet)
    if lowered == "azureloadbalancer":
        return ip == HOST
    try:
        net = ipaddress.ip_network(text, strict=False)
    except ValueError:
        return tag_member(world, lowered, ip, vnet)
    return ip.version == net.version and ip in net


def port_ranges(items: list[str]) -> list[tuple[int, int]]:
    out = []
    for item in items:
        if item == "*":
            return [(0, 65535)]
        lo, _, hi = item.partition("-")
        out.append((int(lo), int(hi or lo)))
    return out


def every_port(ranges: list[tuple[int, int]]) -> bool:
    reach = -1
    for lo, hi in sorted(ranges):
        if lo > reach + 1:
            return False
        reach = max(reach, hi)
    return reach >= 65535


def values(props: Mapping[str, Any], singular: str, plural: str) -> list[str]:
    found = [props[singular]] if props.get(singular) else []
    return found + list(props.get(plural) or [])


def rule_matches(
    props: Mapping[str, Any], packet: tuple[str, IP, IP, int, int], world: World, vnet: Nets = VNET_NETS
) -> bool:
    protocol, src, dst, sport, dport = packet
    if props["protocol"] != "*" and props["protocol"].lower() != protocol.lower():
        return False
    sports = port_ranges(values(props, "sourcePortRange", "sourcePortRanges"))
    dports = port_ranges(values(props, "destinationPortRange", "destinationPortRanges"))
    if protocol in ("Tcp", "Udp"):
        if not any(lo <= dport <= hi for lo, hi in dports) or not any(lo <= sport <= hi for lo, hi in sports):
            return False
    elif not every_port(sports) or not every_port(dports):
        return False  # ICMP, ESP, AH and others have no ports: only "*" rules match them
    for side, ip in (("source", src), ("destination", dst)):
        items = values(props, f"{side}AddressPrefix", f"{side}AddressPrefixes")
        groups = [g["id"] for g in props.get(f"{side}ApplicationSecurityGroups") or []]
        if not (
            any(item_matches(i, ip, world, vnet) for i in items)
            or any(asg_member(world, g, ip, vnet) for g in groups)
        ):
            return False
    return True


def brute_decision(
    nsg: Mapping[str, Any],
    direction: str,
    packet: tuple[str, IP, IP, int, int],
    world: World,
    vnet: Nets = VNET_NETS,
) -> tuple[str, int, str] | None:
    """The rule that decides the packet; None when the packet cannot exist in the network."""
    if not is_traffic(packet[1], packet[2], vnet):
        return None
    custom = [r for r in nsg["properties"]["securityRules"] if r["properties"]["direction"] == direction]
    ordered = sorted(custom, key=lambda r: r["properties"]["priority"])
    for r in ordered:
        if rule_matches(r["properties"], packet, world, vnet):
            return r["name"], r["properties"]["priority"], r["properties"]["access"]
    for name, priority, d, access, src, dst in DEFAULTS:
        if d != direction:
            continue
        props = {"protocol": "*", "sourcePortRange": "*", "destinationPortRange": "*",
                 "sourceAddressPrefix": src, "destinationAddressPrefix": dst}  # fmt: skip
        if rule_matches(props, packet, world, vnet):
            return name, priority, access
    raise AssertionError("the default deny-all matches everything")


def to_number(ip: IP) -> int:
    return int(ip) + (0 if ip.version == 4 else V6_BASE)


def from_number(n: int) -> IP:
    return ipaddress.IPv4Address(n) if n < V6_BASE else ipaddress.IPv6Address(n - V6_BASE)


def valuation_for(world: World, vnet: Nets = VNET_NETS) -> Callable[[Label, int], bool]:
    def valuation(label: Label, n: int) -> bool:
        ip = from_number(n)
        if label.kind == TAG:
            return tag_member(world, label.key, ip, vnet)
        if label.kind == UNSEEN:
            return unseen_member(world, ip, vnet)
        assert label.kind == ASG
        return asg_member(world, label.key, ip, vnet)

    return valuation


def packet_of(p: tuple[str, IP, IP, int, int]) -> Packet:
    return Packet(p[0], to_number(p[1]), to_number(p[2]), p[3], p[4])


# --- strategies --------------------------------------------------------------------------

ITEMS = [
    "*", "Internet", "VirtualNetwork", "AzureLoadBalancer", "GatewayManager", "AzureCloud", "Storage",
    "Storage.EastUS", "0.0.0.0/0", "::/0", "10.0.0.0/16", "10.0.1.0/24", "10.0.1.7", "10.0.0.0/8",
    "192.168.0.0/16", "203.0.113.0/24", "8.8.8.8", "168.63.129.16", "2001:db8::/32", "fd00:1::/64",
]  # fmt: skip
PORTS = ["*", "22", "3389", "20-25", "443", "65200-65535", "0-65535", "1-1024", "80"]
PROTOCOLS = ["*", "Tcp", "Udp", "Icmp", "Esp", "Ah"]
POINT_TEXT = """
    10.0.0.0 10.0.0.5 10.0.1.0 10.0.1.7 10.0.1.8 10.0.1.255 10.0.2.1 10.0.255.255 10.1.0.1 9.255.255.255
    11.0.0.0 192.168.1.1 172.16.0.1 203.0.113.0 203.0.113.9 203.0.114.0 8.8.8.8 8.8.8.9 1.1.1.1
    168.63.129.16 168.63.129.17 169.254.169.254 0.0.0.0 255.255.255.255 2001:db8::1 2001:db9::1
    fd00:1::5 fd00:2::5 ::1 2606:4700::1111
"""
POINTS: list[IP] = sorted({ipaddress.ip_address(a) for a in POINT_TEXT.split()}, key=to_number)
WORLD_KEYS = [
    "gatewaymanager",
    "azurecloud",
    "storage",
    "storage.eastus",
    "@unseen",
    ASG_WEB.lower(),
    ASG_DB.lower(),
]
PACKET_PORTS = [0, 1, 19, 20, 22, 25, 26, 80, 443, 1024, 1025, 3389, 65199, 65200, 65535]

worlds = st.fixed_dictionaries({k: st.frozensets(st.sampled_from(POINTS)) for k in WORLD_KEYS})
packets = st.tuples(
    st.sampled_from(["Tcp", "Udp", "Icmp", "Esp", "Ah", "Other"]),
    st.sampled_from(POINTS),
    st.sampled_from(POINTS),
    st.sampled_from(PACKET_PORTS),
    st.sampled_from(PACKET_PORTS),
)


@st.composite
def field_values(draw: st.DrawFn, pool: list[str]) -> list[str]:
    return draw(st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=True))


def put(props: dict[str, Any], singular: str, plural: str, items: list[str], form: int) -> None:
    """Lists in the plural field, one value in either; ARM may leave the other field empty or out."""
    if form > 0 or len(items) > 1:
        props[plural] = items
        if form == 2:
            props[singular] = ""
    else:
        props[singular] = items[0]
        if form == -1:
            props[plural] = []


@st.composite
def security_rules(draw: st.DrawFn, max_size: int = 6) -> list[dict[str, Any]]:
    count = draw(st.integers(0, max_size))
    priorities = draw(st.lists(st.integers(100, 4096), min_size=count, max_size=count, unique=True))
    rules = []
    for i, priority in enumerate(priorities):
        props: dict[str, Any] = {
            "priority": priority,
            "direction": draw(st.sampled_from(["Inbound", "Outbound"])),
            "access": draw(st.sampled_from(["Allow", "Deny"])),
            "protocol": draw(st.sampled_from(PROTOCOLS)),
        }
        for side in ("source", "destination"):
            if draw(st.integers(0, 5)) == 0:
                props[f"{side}ApplicationSecurityGroups"] = [{"id": draw(st.sampled_from([ASG_WEB, ASG_DB]))}]
            else:
                prefix = f"{side}AddressPrefix"
                put(props, prefix, prefix + "es", draw(field_values(ITEMS)), draw(st.integers(-1, 2)))
            ports = f"{side}PortRange"
            pool = PORTS if side == "destination" or draw(st.integers(0, 3)) == 0 else ["*"]
            put(props, ports, ports + "s", draw(field_values(pool)), draw(st.integers(-1, 2)))
        rules.append({"name": f"r{i}", "properties": props})
    return rules


def nsg_of(rules: list[dict[str, Any]], with_defaults: bool = False) -> dict[str, Any]:
    props: dict[str, Any] = {"securityRules": rules}
    if with_defaults:  # ARM's own copy; the evaluator uses its built-in defaults either way
        props["defaultSecurityRules"] = [
            {"name": n, "properties": {"priority": p, "direction": d, "access": a, "protocol": "*",
                                        "sourceAddressPrefix": s, "destinationAddressPrefix": t,
                                        "sourcePortRange": "*", "destinationPortRange": "*"}}
            for n, p, d, a, s, t in DEFAULTS
        ]  # fmt: skip
    return {"name": "nsg-test", "id": "/subscriptions/s/nsg-test", "properties": props}


QUERY_ITEMS = [*ITEMS, "@outside"]


def query_set(net: Network, item: str) -> AddressSet:
    return net.outside if item == "@outside" else net.addresses(item)


def query_matches(item: str, ip: IP, world: World, vnet: Nets = VNET_NETS) -> bool:
    if item == "@outside":
        return not in_vnet(ip, vnet) and not unseen_member(world, ip, vnet)
    return item_matches(item, ip, world, vnet)


# Broad classes half of the time, so that many of the sampled packets fall inside the question.
BROAD = ["*", "Internet", "@outside", "VirtualNetwork", "0.0.0.0/0", "10.0.0.0/8"]
query_items = st.one_of(st.sampled_from(BROAD), st.sampled_from(QUERY_ITEMS))
queries = st.tuples(
    query_items,
    query_items,
    st.sampled_from(PROTOCOLS),
    st.lists(st.sampled_from(PORTS), min_size=1, max_size=2),
)


def in_query(
    query: tuple[str, str, str, list[str]],
    p: tuple[str, IP, IP, int, int],
    world: World,
    vnet: Nets = VNET_NETS,
) -> bool:
    src, dst, protocol, ports = query
    ranges = port_ranges(ports)
    if not is_traffic(p[1], p[2], vnet):
        return False
    if not query_matches(src, p[1], world, vnet) or not query_matches(dst, p[2], world, vnet):
        return False
    if protocol != "*" and protocol != p[0]:
        return False
    if every_port(ranges):
        return True
    return p[0] in ("Tcp", "Udp") and any(lo <= p[4] <= hi for lo, hi in ranges)


PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def decisions(
    rules: list[dict[str, Any]],
    direction: str,
    query: Any,
    pkts: list[Any],
    world: World,
    vnet: list[str] = VNET,
) -> list[tuple[str, int, str] | None]:
    net = Network(vnet)
    policy = Policy.from_nsg(nsg_of(rules))
    assert policy.problems == ()
    src, dst, protocol, ports = query
    ev = policy.evaluate(net, direction, flows(query_set(net, src), query_set(net, dst), protocol, ports))
    valuation = valuation_for(world, nets(vnet))
    out: list[tuple[str, int, str] | None] = []
    for p in pkts:
        rule = ev.decided_by(packet_of(p), valuation)
        out.append(None if rule is None else (rule.name, rule.priority, rule.access))
    return out


# --- property tests ---------------------------------------------------------------------


EVERYTHING = ("*", "*", "*", ["*"])
many_packets = st.lists(packets, min_size=10, max_size=40)


vnets = st.sampled_from(VNETS)


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(security_rules(), st.sampled_from([INBOUND, OUTBOUND]), queries, many_packets, worlds, vnets)
def test_agrees_with_the_per_packet_evaluator(
    rules: list[dict[str, Any]], direction: str, query: Any, pkts: list[Any], world: World, vnet: list[str]
) -> None:
    """Asked about all traffic, or about a narrower class, the evaluator decides each packet of it
    with the rule the per-packet evaluator picks, and decides nothing outside the class (nor any
    packet that mixes address families or has a family the network lacks)."""
    nsg = nsg_of(rules)
    truth = [brute_decision(nsg, direction, p, world, nets(vnet)) for p in pkts]
    assert decisions(rules, direction, EVERYTHING, pkts, world, vnet) == truth
    got = decisions(rules, direction, query, pkts, world, vnet)
    for p, decision, expected in zip(pkts, got, truth, strict=True):
        assert decision == (expected if in_query(query, p, world, nets(vnet)) else None), p


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(security_rules(), st.sampled_from([INBOUND, OUTBOUND]), worlds, vnets, st.data())
def test_query_is_partitioned_exactly(
    rules: list[dict[str, Any]], direction: str, world: World, vnet: list[str], data: Any
) -> None:
    """Each packet of the question lies in exactly one decided part; the answers match the parts."""
    net = Network(vnet)
    query = data.draw(queries)
    src, dst, protocol, ports = query
    ev = Policy.from_nsg(nsg_of(rules)).evaluate(
        net, direction, flows(query_set(net, src), query_set(net, dst), protocol, ports)
    )
    valuation = valuation_for(world, nets(vnet))
    for p in data.draw(many_packets):
        hits = [m for m in ev.matches if m.box.contains(packet_of(p), valuation)]
        assert len(hits) == (1 if in_query(query, p, world, nets(vnet)) else 0)
        if hits and hits[0].rule.allows:
            assert ev.any_allowed() != Answer.NO
        if hits and not hits[0].rule.allows:
            assert ev.all_allowed() != Answer.YES


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(
    security_rules(),
    st.sampled_from([INBOUND, OUTBOUND]),
    queries,
    many_packets,
    worlds,
    st.randoms(),
)
def test_rule_order_in_the_body_does_not_matter(
    rules: list[dict[str, Any]], direction: str, query: Any, pkts: list[Any], world: World, rnd: random.Random
) -> None:
    shuffled = list(rules)
    rnd.shuffle(shuffled)
    assert decisions(rules, direction, query, pkts, world) == decisions(
        shuffled, direction, query, pkts, world
    )


def flip_forms(rules: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Singular values into one-element plural lists, one-element lists into singular values."""
    out = []
    for r in rules:
        props = dict(r["properties"])
        for singular in (
            "sourceAddressPrefix",
            "destinationAddressPrefix",
            "sourcePortRange",
            "destinationPortRange",
        ):
            plural = singular + ("es" if singular.endswith("Prefix") else "s")
            one, many = props.get(singular), props.get(plural) or []
            if one:
                props[singular], props[plural] = "", [one]
            elif len(many) == 1:
                props[singular], props[plural] = many[0], []
        out.append({"name": r["name"], "properties": props})
    return out


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(security_rules(), st.sampled_from([INBOUND, OUTBOUND]), queries, many_packets, worlds)
def test_singular_and_plural_fields_are_equivalent(
    rules: list[dict[str, Any]], direction: str, query: Any, pkts: list[Any], world: World
) -> None:
    assert decisions(rules, direction, query, pkts, world) == decisions(
        flip_forms(rules), direction, query, pkts, world
    )


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(
    security_rules(),
    st.sampled_from([INBOUND, OUTBOUND]),
    st.integers(100, 4096),
    queries,
    many_packets,
    worlds,
)
def test_a_deny_all_makes_every_later_allow_irrelevant(
    rules: list[dict[str, Any]], direction: str, priority: int, query: Any, pkts: list[Any], world: World
) -> None:
    rules = [r for r in rules if r["properties"]["priority"] != priority]
    deny = {"name": "deny-all", "properties": {"priority": priority, "direction": direction, "access": "Deny",
            "protocol": "*", "sourceAddressPrefix": "*", "destinationAddressPrefix": "*",
            "sourcePortRange": "*", "destinationPortRange": "*"}}  # fmt: skip
    with_deny = [*rules, deny]
    earlier_only = [
        r
        for r in with_deny
        if r["properties"]["direction"] != direction or r["properties"]["priority"] <= priority
    ]
    got = decisions(with_deny, direction, query, pkts, world)
    assert got == decisions(earlier_only, direction, query, pkts, world)
    for decision in got:
        assert decision is None or decision[2] == "Deny" or decision[1] < priority
    net = Network(VNET)
    ev = Policy.from_nsg(nsg_of(with_deny)).evaluate(net, direction, flows(net.anywhere, net.anywhere))
    assert all(r.priority < priority for r in ev.allowing_rules())


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(
    security_rules(),
    security_rules(max_size=1),
    st.sampled_from([INBOUND, OUTBOUND]),
    many_packets,
    worlds,
)
def test_adding_a_rule_moves_traffic_only_its_own_way(
    rules: list[dict[str, Any]], extra: list[dict[str, Any]], direction: str, pkts: list[Any], world: World
) -> None:
    """An added Allow never denies a packet that was allowed; an added Deny never allows one."""
    used = {r["properties"]["priority"] for r in rules}
    added = [dict(r, name="added") for r in extra if r["properties"]["priority"] not in used]
    query = ("*", "*", "*", ["*"])
    before = decisions(rules, direction, query, pkts, world)
    after = decisions(rules + added, direction, query, pkts, world)
    for p, b, a in zip(pkts, before, after, strict=True):
        assert (a is None) == (b is None) == (not is_traffic(p[1], p[2])), p
        if a is None or b is None:
            continue
        if added and added[0]["properties"]["access"] == "Allow" and b[2] == "Allow":
            assert a[2] == "Allow"
        if added and added[0]["properties"]["access"] == "Deny" and b[2] == "Deny":
            assert a[2] == "Deny"


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(security_rules(), st.sampled_from([INBOUND, OUTBOUND]), queries, many_packets, worlds)
def test_defaults_apply_with_or_without_the_arm_copy(
    rules: list[dict[str, Any]], direction: str, query: Any, pkts: list[Any], world: World
) -> None:
    net = Network(VNET)
    src, dst, protocol, ports = query
    traffic = flows(query_set(net, src), query_set(net, dst), protocol, ports)
    valuation = valuation_for(world)
    a = Policy.from_nsg(nsg_of(rules)).evaluate(net, direction, traffic)
    b = Policy.from_nsg(nsg_of(rules, with_defaults=True)).evaluate(net, direction, traffic)
    for p in pkts:
        assert a.decided_by(packet_of(p), valuation) == b.decided_by(packet_of(p), valuation)


def families_of(box: Box) -> tuple[set[int], set[int]]:
    """The IP versions a box's sources and destinations touch."""

    def versions(side: AddressSet) -> set[int]:
        found = set()
        for region in side.regions:
            for lo, hi in region.spans.spans:
                found |= {4} if hi <= V4_MAX else {6} if lo >= V6_BASE else {4, 6}
        return found

    return versions(box.src), versions(box.dst)


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(security_rules(), st.sampled_from([INBOUND, OUTBOUND]), queries, vnets)
def test_traffic_never_mixes_address_families(
    rules: list[dict[str, Any]], direction: str, query: Any, vnet: list[str]
) -> None:
    """Every part of a question, and every part a rule decides, pairs one IP version with itself,
    and an IPv4-only network has no IPv6 part at all."""
    net = Network(vnet)
    src, dst, protocol, ports = query
    traffic = flows(query_set(net, src), query_set(net, dst), protocol, ports)
    ev = Policy.from_nsg(nsg_of(rules)).evaluate(net, direction, traffic)
    allowed = {n.version for n in nets(vnet)}
    for box in [*traffic.boxes, *(m.box for m in ev.matches)]:
        sources, destinations = families_of(box)
        assert len(sources) == 1 and sources == destinations, box
    for m in ev.matches:
        assert families_of(m.box)[0] <= allowed


@pytest.mark.slow  # a property-based search over thousands of rule sets
@PROPERTY
@given(
    security_rules(),
    st.sampled_from([INBOUND, OUTBOUND]),
    st.integers(100, 4096),
    st.sampled_from([("0.0.0.0/0", "*"), ("*", "0.0.0.0/0"), ("0.0.0.0/0", "0.0.0.0/0")]),
    queries,
    many_packets,
    worlds,
)
def test_an_ipv4_deny_all_is_a_deny_all_in_an_ipv4_only_network(
    rules: list[dict[str, Any]],
    direction: str,
    priority: int,
    sides: tuple[str, str],
    query: Any,
    pkts: list[Any],
    world: World,
) -> None:
    """In a VNet without IPv6 address space, 0.0.0.0/0 in a deny-all decides what * would."""
    rules = [r for r in rules if r["properties"]["priority"] != priority]

    def deny(src: str, dst: str) -> dict[str, Any]:
        return rule("deny-all", priority, direction, "Deny", "*", src, dst, "*")

    v4 = decisions([*rules, deny(*sides)], direction, query, pkts, world, VNET_V4)
    assert v4 == decisions([*rules, deny("*", "*")], direction, query, pkts, world, VNET_V4)


# --- interval and address-set algebra ------------------------------------------------------

spans = st.lists(st.tuples(st.integers(0, 63), st.integers(0, 63)).map(sorted).map(tuple), max_size=5)


@given(spans, spans)
def test_interval_algebra_matches_python_sets(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> None:
    x, y = Intervals.of(a), Intervals.of(b)
    sx = {i for lo, hi in a for i in range(lo, hi + 1)}
    sy = {i for lo, hi in b for i in range(lo, hi + 1)}
    for result, expected in ((x | y, sx | sy), (x & y, sx & sy), (x - y, sx - sy)):
        assert {i for i in range(64) if i in result} == expected
        assert all(lo <= hi for lo, hi in result.spans)
        assert all(p[1] + 1 < q[0] for p, q in zip(result.spans, result.spans[1:], strict=False))


@PROPERTY
@given(
    st.sampled_from(QUERY_ITEMS), st.sampled_from(QUERY_ITEMS), st.sampled_from(QUERY_ITEMS), worlds, vnets
)
def test_address_set_algebra_matches_membership(
    a: str, b: str, c: str, world: World, vnet: list[str]
) -> None:
    """Set algebra agrees with membership; a network's address sets hold only its families."""
    net = Network(vnet)
    x, y, z = query_set(net, a), query_set(net, b), query_set(net, c)
    valuation = valuation_for(world, nets(vnet))
    versions = {n.version for n in nets(vnet)}
    combos: dict[str, tuple[AddressSet, Callable[[bool, bool, bool], bool]]] = {
        "and": (x & y, lambda p, q, r: p and q),
        "or": (x | y, lambda p, q, r: p or q),
        "minus": (x - y, lambda p, q, r: p and not q),
        "mixed": ((x | z) - (y & z), lambda p, q, r: (p or r) and not (q and r)),
    }
    for ip in POINTS:
        n = to_number(ip)
        ma, mb, mc = (ip.version in versions and query_matches(i, ip, world, nets(vnet)) for i in (a, b, c))
        assert x.contains(n, valuation) == ma
        for name, (result, truth) in combos.items():
            assert result.contains(n, valuation) == truth(ma, mb, mc), (name, ip)


# --- unit tests -----------------------------------------------------------------------------


def rule(
    name: str, priority: int, direction: str, access: str, protocol: str, src: Any, dst: Any, ports: Any
) -> dict[str, Any]:
    props: dict[str, Any] = {"priority": priority, "direction": direction, "access": access}
    props.update(protocol=protocol, sourcePortRange="*")
    for singular, value in (
        ("sourceAddressPrefix", src),
        ("destinationAddressPrefix", dst),
        ("destinationPortRange", ports),
    ):
        plural = singular + ("es" if singular.endswith("Prefix") else "s")
        props[plural if isinstance(value, list) else singular] = value
    return {"name": name, "properties": props}


JUMP = "10.0.3.0/28"
BASTION = "10.0.2.64/26"


def jumpbox(*extra: dict[str, Any]) -> Policy:
    return Policy.from_nsg(
        nsg_of(
            [
                rule(
                    "Jumpbox.In.Allow.SshRdp", 100, "Inbound", "Allow", "Tcp", BASTION, JUMP, ["22", "3389"]
                ),
                rule("DenyAllInBound", 1000, "Inbound", "Deny", "*", "*", "*", "*"),
                *extra,
            ]
        )
    )


def test_rdp_from_anywhere_is_found_and_named() -> None:
    net = Network(VNET)
    policy = jumpbox(rule("Allow-RDP-Anywhere", 90, "Inbound", "Allow", "Tcp", "*", "*", "3389"))
    ev = policy.evaluate(net, INBOUND, flows(net.internet, net.addresses(JUMP)))
    assert ev.any_allowed() == Answer.YES
    [flow] = ev.flows()
    assert (flow.rule.name, format_ports(flow.ports), sorted(flow.protocols)) == (
        "Allow-RDP-Anywhere",
        "3389",
        ["Tcp"],
    )
    assert flow.describe() == "Tcp port 3389 by Allow-RDP-Anywhere (priority 90)"


def test_an_allow_below_a_deny_all_is_shadowed() -> None:
    net = Network(VNET)
    policy = jumpbox(rule("Allow-RDP-Anywhere", 2000, "Inbound", "Allow", "Tcp", "*", "*", "3389"))
    ev = policy.evaluate(net, INBOUND, flows(net.internet, net.addresses(JUMP)))
    assert ev.any_allowed() == Answer.NO
    assert [r.name for r in ev.shadowed] == ["Allow-RDP-Anywhere"]
    assert [r.label() for r in ev.denying_rules()] == ["DenyAllInBound (priority 1000)"]


def test_default_rules_apply_without_default_security_rules_in_the_body() -> None:
    net = Network(VNET)
    empty = Policy.from_nsg({"name": "bare", "properties": {"securityRules": []}})
    out = empty.evaluate(net, OUTBOUND, flows(net.addresses("10.0.1.0/24"), net.internet))
    assert [r.label() for r in out.allowing_rules()] == ["default rule AllowInternetOutBound (65001)"]
    inbound = empty.evaluate(net, INBOUND, flows(net.internet, net.addresses("10.0.1.0/24")))
    assert inbound.any_allowed() == Answer.NO
    assert [r.name for r in inbound.denying_rules()] == ["DenyAllInBound"]
    vnet = empty.evaluate(net, INBOUND, flows(net.own_space, net.addresses("10.0.1.0/24"), "Tcp", "22"))
    assert vnet.all_allowed() == Answer.YES
    lb = empty.evaluate(net, INBOUND, flows(net.addresses("AzureLoadBalancer"), net.addresses("10.0.1.0/24")))
    assert [r.name for r in lb.allowing_rules()] == [
        "AllowVnetInBound"
    ]  # the host address is in VirtualNetwork


def test_deny_all_outbound_must_cover_the_subnet_as_source() -> None:
    """The reference's agents-subnet bug: a deny-all whose source is another subnet protects nothing."""
    net = Network(VNET)
    agents, appgw = "10.0.2.32/27", "10.0.1.0/24"
    buggy = Policy.from_nsg(nsg_of([rule("DenyAllOutBound", 1000, "Outbound", "Deny", "*", appgw, "*", "*")]))
    ev = buggy.evaluate(net, OUTBOUND, flows(net.addresses(agents), net.outside - net.platform))
    assert ev.any_allowed() == Answer.YES
    assert [r.name for r in ev.allowing_rules()] == ["AllowInternetOutBound"]
    assert [r.name for r in ev.missed_denies] == ["DenyAllOutBound"]
    fixed = Policy.from_nsg(
        nsg_of([rule("DenyAllOutBound", 1000, "Outbound", "Deny", "*", agents, "*", "*")])
    )
    assert fixed.evaluate(net, OUTBOUND, flows(net.addresses(agents), net.outside)).any_allowed() == Answer.NO


def test_a_deny_all_from_0_0_0_0_slash_0_covers_an_ipv4_only_network() -> None:
    """Only same-family traffic exists: no IPv6 source reaches an IPv4 subnet, and an IPv4-only
    network has no IPv6 traffic for the default VirtualNetwork rules to admit."""
    v4_only = Network(VNET_V4)
    policy = Policy.from_nsg(
        nsg_of(
            [
                rule("ssh", 100, "Inbound", "Allow", "Tcp", BASTION, JUMP, ["22", "3389"]),
                rule("deny", 1000, "Inbound", "Deny", "*", "0.0.0.0/0", "*", "*"),
            ]
        )
    )
    others = flows(v4_only.anywhere - v4_only.addresses(BASTION), v4_only.addresses(JUMP))
    ev = policy.evaluate(v4_only, INBOUND, others)
    assert ev.any_allowed() == Answer.NO and [r.name for r in ev.denying_rules()] == ["deny"]
    # Asked with addresses of both families, the answer is the same: the IPv6 part cannot exist.
    everywhere = AddressSet.spans(ALL_ADDRESSES)
    assert policy.evaluate(v4_only, INBOUND, flows(everywhere, everywhere)).allowing_rules() == [
        policy.rules[0]
    ]
    assert flows(v4_only.addresses("::/0"), v4_only.anywhere).boxes == ()
    # In a dual-stack network the IPv6 part of the VNet is still let in by AllowVnetInBound.
    dual = Network(VNET)
    ev = policy.evaluate(dual, INBOUND, flows(dual.anywhere - dual.addresses(BASTION), dual.own_space))
    assert [r.name for r in ev.allowing_rules()] == ["AllowVnetInBound"]
    assert [families_of(m.box) for m in ev.allowed] == [({6}, {6})]


def test_ports_exist_only_for_tcp_and_udp() -> None:
    net = Network(VNET)
    some_ports = Policy.from_nsg(nsg_of([rule("web", 100, "Inbound", "Allow", "*", "*", "*", "443")]))
    icmp = some_ports.evaluate(net, INBOUND, flows(net.internet, net.own_space, "Icmp"))
    assert icmp.any_allowed() == Answer.NO
    tcp_udp = some_ports.evaluate(net, INBOUND, flows(net.internet, net.own_space, "*", "443"))
    assert tcp_udp.all_allowed() == Answer.YES
    every_port = Policy.from_nsg(nsg_of([rule("all", 100, "Inbound", "Allow", "*", "*", "*", "0-65535")]))
    assert (
        every_port.evaluate(net, INBOUND, flows(net.internet, net.own_space, "Esp")).all_allowed()
        == Answer.YES
    )


def test_service_tags() -> None:
    net = Network(VNET)
    everything = net.anywhere
    assert not (net.internet & net.own_space)
    assert not (net.internet & net.addresses("AzureLoadBalancer"))
    assert net.own_space.regions[0].spans.issubset(
        net.addresses("0.0.0.0/0").regions[0].spans | net.addresses("::/0").regions[0].spans
    )
    assert not (net.addresses("0.0.0.0/0") - everything)
    # A regional tag lies inside its base tag; tags are public space, never the VNet.
    assert not (net.addresses("Storage.EastUS") - net.addresses("Storage"))
    assert net.addresses("Storage") - net.addresses("Storage.EastUS")
    assert not (net.addresses("AzureCloud") & net.own_space)
    with pytest.raises(ValueError):
        net.addresses("10.0.0.300/24")
    with pytest.raises(ValueError):
        net.addresses("not a tag!")


def test_gateway_manager_needs_a_rule_that_covers_it() -> None:
    net = Network(VNET)
    subnet = net.addresses("10.0.1.0/24")
    query = flows(net.addresses("GatewayManager"), subnet, "Tcp", "65200-65535")
    for src, ok in (("GatewayManager", True), ("*", True), ("Internet", False), ("AzureCloud", False)):
        policy = Policy.from_nsg(
            nsg_of(
                [
                    rule("cp", 100, "Inbound", "Allow", "*", src, "*", "65200-65535"),
                    rule("deny", 1000, "Inbound", "Deny", "*", "*", "*", "*"),
                ]
            )
        )
        # Internet leaves out the peered space a GatewayManager address might sit in; AzureCloud is
        # an opaque tag that need not hold every GatewayManager address.
        assert (policy.evaluate(net, INBOUND, query).all_allowed() == Answer.YES) is ok, src


def test_application_security_groups_make_the_answer_unknown() -> None:
    net = Network(VNET)
    body = rule("asg-ssh", 100, "Inbound", "Allow", "Tcp", "*", "*", "22")
    del body["properties"]["destinationAddressPrefix"]
    body["properties"]["destinationApplicationSecurityGroups"] = [{"id": ASG_WEB}]
    policy = Policy.from_nsg(nsg_of([body]))
    ev = policy.evaluate(net, INBOUND, flows(net.internet, net.addresses("10.0.1.0/24")))
    assert ev.any_allowed() == Answer.UNKNOWN
    assert [label.name for label in ev.undetermined()] == ["asg-web"]
    # ASG members are NICs inside the VNet: traffic to addresses outside it is not in doubt.
    outside = policy.evaluate(net, INBOUND, flows(net.internet, net.addresses("192.168.0.0/24")))
    assert outside.any_allowed() == Answer.NO
    # Without the VNet's address space (an NSG on no known subnet) the group could be anywhere.
    unknown_vnet = Network()
    loose = policy.evaluate(unknown_vnet, INBOUND, flows(unknown_vnet.internet, unknown_vnet.anywhere))
    assert loose.any_allowed() == Answer.UNKNOWN


def test_unrestricted_policy_allows_everything() -> None:
    net = Network(VNET)
    ev = Policy.unrestricted().evaluate(net, INBOUND, flows(net.internet, net.own_space))
    assert ev.all_allowed() == Answer.YES
    assert ev.flows()[0].describe() == "all traffic by no NSG (nothing filters the subnet)"


@pytest.mark.parametrize(
    ("props", "problem"),
    [
        ({"priority": "high"}, "priority"),
        ({"sourceAddressPrefix": "10.0.0.0/33"}, "not an address prefix"),
        ({"destinationPortRange": "70000"}, "not a port"),
        ({"destinationPortRange": "25-20"}, "not a port"),
        ({"protocol": "Gre"}, "unknown protocol"),
        ({"access": "Maybe"}, "direction/access"),
        ({"sourceAddressPrefix": None}, "no source"),
    ],
)
def test_unreadable_rules_are_problems_not_guesses(props: dict[str, Any], problem: str) -> None:
    body = rule("bad", 100, "Inbound", "Allow", "Tcp", "*", "*", "22")
    body["properties"].update(props)
    policy = Policy.from_nsg(nsg_of([body]))
    assert len(policy.problems) == 1 and problem in policy.problems[0]
    assert Policy.from_nsg({"name": "x"}).problems
    assert "securityRules is absent" in Policy.from_nsg({"name": "x", "properties": {}}).problems[0]


def test_singular_and_plural_fields_are_merged() -> None:
    body = rule("both", 100, "Inbound", "Allow", "Tcp", "10.0.1.0/24", "*", "22")
    body["properties"]["sourceAddressPrefixes"] = ["10.0.2.0/24"]
    body["properties"]["destinationPortRanges"] = ["3389"]
    parsed = parse_rule(body)
    assert parsed.sources == ("10.0.1.0/24", "10.0.2.0/24")
    assert parsed.destination_ports == ("22", "3389")


def test_evaluation_is_fast_enough_for_large_nsgs() -> None:
    rnd = random.Random(7)
    rules = [
        rule(f"r{i}", 100 + i, rnd.choice(["Inbound", "Outbound"]), rnd.choice(["Allow", "Deny"]),
             rnd.choice(PROTOCOLS), rnd.sample(ITEMS, 2), rnd.choice(ITEMS), rnd.sample(PORTS, 2))
        for i in range(60)
    ]  # fmt: skip
    net = Network(VNET)
    policy = Policy.from_nsg(nsg_of(rules))
    ev = policy.evaluate(net, INBOUND, flows(net.internet, net.own_space))
    assert ev.matches
