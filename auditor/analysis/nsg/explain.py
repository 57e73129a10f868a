"""NSG evaluations in words and JSON, for the messages of the nsg rules."""

from __future__ import annotations

from typing import Any

from auditor.analysis.nsg.policy import INBOUND, Answer, Evaluation
from auditor.analysis.nsg.subnets import Scope
from auditor.analysis.nsg.traffic import flows
from auditor.arm.estate import dig

WELL_KNOWN_PORTS = {22: "SSH", 3389: "RDP"}

NOT_READ_NICS = "NIC memberships are not in the snapshot"


def allowed_text(ev: Evaluation) -> str:
    """What the allow rules let through, rule by rule."""
    return "; ".join(f.describe() for f in ev.flows())


def denied_by(ev: Evaluation) -> str:
    """The rules that deny the traffic, or `no rule`."""
    rules = ev.denying_rules()
    return ", ".join(r.label() for r in rules) if rules else "no rule"


def unknown_text(ev: Evaluation) -> str:
    """Why the answer depends on application security group members."""
    groups = ", ".join(label.name for label in ev.undetermined())
    return (
        f"the verdict depends on which NICs belong to application security group(s) {groups}; {NOT_READ_NICS}"
    )


def flows_json(ev: Evaluation) -> list[dict[str, Any]]:
    """The allowed flows as JSON, for a finding's actual value."""
    return [f.to_dict() for f in ev.flows()]


def sensitive_ports(ev: Evaluation) -> str:
    """`including SSH (22), RDP (3389)` when those ports are among the allowed ones."""
    hits = []
    for port, name in WELL_KNOWN_PORTS.items():
        if any(port in m.box.dst_ports and m.box.protocols & {"Tcp", "Udp"} for m in ev.allowed):
            hits.append(f"{name} ({port})")
    return f", including {', '.join(hits)}" if hits else ""


def missed_denies_text(ev: Evaluation) -> str:
    """A note naming the deny rules that do not cover the traffic."""
    if not ev.missed_denies:
        return ""
    names = "; ".join(f"{r.label()}: {r.detail()}" for r in ev.missed_denies)
    return f". Deny rule(s) that do not cover this traffic: {names}"


def unseen_note(scope: Scope, direction: str) -> str:
    """A note when the VirtualNetwork tag lets this subnet talk to address space we cannot see."""
    unseen = scope.network.peered
    if direction == INBOUND:
        ev = scope.inbound(flows(unseen, scope.own))
    else:
        ev = scope.outbound(flows(scope.own, unseen))
    if ev.any_allowed() == Answer.NO:
        return ""
    rules = ", ".join(r.label() for r in ev.allowing_rules())
    vnet = scope.network_body
    peerings = [
        str(p.get("name"))
        for p in dig(vnet, "properties.virtualNetworkPeerings") or []
        if isinstance(p, dict)
    ]
    listed = f" (the VNet lists peering(s) {', '.join(peerings)})" if peerings else ""
    return (
        f" Note: {rules} also admit(s) the peered or connected address space that the VirtualNetwork"
        f" service tag covers{listed}; the snapshot cannot show that space (peered and on-premises"
        " prefixes, user-defined route prefixes), so it is counted as inside the network."
    )
