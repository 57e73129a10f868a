"""NSG security rules, Azure's default rules, and the evaluation of a traffic class against them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from auditor.analysis.nsg.addresses import Label, Network, Valuation, network_of
from auditor.analysis.nsg.intervals import (
    PROTOCOLS,
    Intervals,
    format_ports,
    format_protocols,
    parse_ports,
    parse_protocol,
)
from auditor.analysis.nsg.traffic import Box, Packet, Traffic, make_box

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
        """Whether the rule allows the traffic it matches."""
        return self.access == ALLOW

    def box(self, network: Network) -> Box:
        """The traffic the rule matches, inside the network."""
        # Every rule that evaluates the subnet's NSG asks again: the box depends on the rule and the network.
        return network.memo(("box", self), lambda: self._box(network))

    def _box(self, network: Network) -> Box:
        src = network.union(self.sources)
        for asg in self.source_asgs:
            src = src | network.asg(asg)
        dst = network.union(self.destinations)
        for asg in self.destination_asgs:
            dst = dst | network.asg(asg)
        sports, dports = parse_ports(self.source_ports), parse_ports(self.destination_ports)
        return make_box(parse_protocol(self.protocol), src, dst, sports, dports)

    def label(self) -> str:
        """The rule's name and priority, for messages."""
        if self.implicit:
            return "no NSG (nothing filters the subnet)"
        if self.default:
            return f"default rule {self.name} ({self.priority})"
        return f"{self.name} (priority {self.priority})"

    def detail(self) -> str:
        """What the rule says in one line: access, protocol, source, destination and ports."""
        src = ", ".join(self.sources + tuple(_asg_name(a) for a in self.source_asgs))
        dst = ", ".join(self.destinations + tuple(_asg_name(a) for a in self.destination_asgs))
        ports = ", ".join(self.destination_ports)
        return f"{self.access} {self.protocol} from {src} to {dst} port {ports}"

    def to_dict(self) -> dict[str, Any]:
        """The rule as JSON data."""
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
        probe = network_of(())  # shared: a probe only parses
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
    """The answer to a question about traffic: yes, no, or unknown (it depends on ASG members)."""

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
        """The flow in words: what is let through, by which rule, and what limits it."""
        ports = format_ports(self.ports)
        if self.protocols == PROTOCOLS and ports == "*":
            what = "all traffic"
        else:
            what = format_protocols(self.protocols) + ("" if ports == "*" else f" port {ports}")
        via = f" (only for addresses in {', '.join(self.via)})" if self.via else ""
        return f"{what} by {self.rule.label()}{via}"

    def to_dict(self) -> dict[str, Any]:
        """The flow as JSON data."""
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
        """The parts of the question an allow rule decides."""
        return [m for m in self.matches if m.rule.allows]

    @property
    def denied(self) -> list[Match]:
        """The parts of the question a deny rule decides."""
        return [m for m in self.matches if not m.rule.allows]

    def any_allowed(self) -> Answer:
        """Is some of the traffic allowed?"""
        return _exists(self.allowed)

    def all_allowed(self) -> Answer:
        """Is all of the traffic allowed?"""
        answer = _exists(self.denied)
        return {Answer.YES: Answer.NO, Answer.NO: Answer.YES, Answer.UNKNOWN: Answer.UNKNOWN}[answer]

    def allowing_rules(self) -> list[SecurityRule]:
        """The rules that allow some of the traffic, in evaluation order."""
        return list(dict.fromkeys(m.rule for m in self.allowed))

    def denying_rules(self) -> list[SecurityRule]:
        """The rules that deny some of the traffic, in evaluation order."""
        return list(dict.fromkeys(m.rule for m in self.denied))

    def undetermined(self) -> list[Label]:
        """The application security groups the answer depends on."""
        found = {label for m in self.matches for label in m.box.labels() if not label.determinate}
        return sorted(found, key=lambda label: label.key)

    def flows(self) -> list[Flow]:
        """What each allowing rule lets through, one flow per rule."""
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
        """The rule that decides one packet; None when the packet is not in the question."""
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
        """Split the traffic in one direction by the rule that decides each part of it."""
        # Rules ask the same question of one policy in one network again (and identical NSGs in
        # identical networks, which templates make common, share the answer): values are immutable.
        key = ("evaluate", self, direction, traffic)
        return network.memo(key, lambda: self._evaluate(network, direction, traffic))

    def _evaluate(self, network: Network, direction: str, traffic: Traffic) -> Evaluation:
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
