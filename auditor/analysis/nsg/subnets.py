"""A subnet under test: the NSG policy that filters it and the address context of its virtual network."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from auditor.analysis.architecture import APPGW, PRIVATE_ENDPOINTS, Roles
from auditor.analysis.coverage import unread
from auditor.analysis.nsg.addresses import AddressSet, Network, network_of
from auditor.analysis.nsg.policy import INBOUND, OUTBOUND, Evaluation, Policy
from auditor.analysis.nsg.traffic import Traffic
from auditor.analysis.verdicts import not_assessed
from auditor.arm import ids, types
from auditor.arm.estate import Estate, Subnet, dig
from auditor.arm.types import Resource
from auditor.model import Result

# Roles inferred from other resources: when those could not be read, a subnet may be missing its role.
_ROLE_SOURCES = {
    APPGW: (types.APPLICATION_GATEWAYS, "Application Gateways"),
    PRIVATE_ENDPOINTS: (types.PRIVATE_ENDPOINTS, "private endpoints"),
}


@dataclass(frozen=True)
class Scope:
    """A subnet, the policy that filters it and the address context of its virtual network."""

    subnet: Subnet
    policy: Policy
    network: Network
    nsg_name: str | None
    network_body: Resource

    @property
    def resource(self) -> Resource:
        """The subnet as a resource to report on."""
        return subnet_resource(self.subnet)

    @property
    def where(self) -> str:
        """The subnet and its NSG in words, for messages."""
        nsg = f"NSG {self.nsg_name}" if self.nsg_name else "no NSG"
        return f"subnet {self.subnet.name} ({nsg})"

    @property
    def own(self) -> AddressSet:
        """The subnet's own address prefixes."""
        return self.network.union(self.subnet.prefixes)

    def inbound(self, traffic: Traffic) -> Evaluation:
        """How the policy decides traffic coming into the subnet."""
        return self.policy.evaluate(self.network, INBOUND, traffic)

    def outbound(self, traffic: Traffic) -> Evaluation:
        """How the policy decides traffic leaving the subnet."""
        return self.policy.evaluate(self.network, OUTBOUND, traffic)


def subnet_resource(subnet: Subnet) -> Resource:
    """The subnet as a resource to report on."""
    return {"id": subnet.id, "type": types.SUBNETS}


def scope_of(estate: Estate, subnet: Subnet) -> Scope | Result:
    """The subnet's policy and network, or `not_assessed` when either could not be read."""
    res = subnet_resource(subnet)
    vnet = estate.get(subnet.vnet_id)
    space = dig(vnet, "properties.addressSpace.addressPrefixes") if vnet else None
    if not isinstance(space, list) or not space:
        reason = (
            estate.gap(types.VIRTUAL_NETWORKS, subnet.vnet_id)
            or "it is not in the snapshot or has no addressSpace"
        )
        return not_assessed(
            res, f"the address space of virtual network {ids.name_of(subnet.vnet_id)} is unknown: {reason}"
        )
    if not subnet.prefixes:
        return not_assessed(res, f"subnet {subnet.name} has no addressPrefix(es) in the snapshot")
    try:
        network = network_of(tuple(str(p) for p in space))
        network.union(subnet.prefixes)
    except ValueError as exc:
        return not_assessed(res, f"subnet {subnet.name}: cannot read its address space ({exc})")
    if not subnet.nsg_id:
        return Scope(subnet, Policy.unrestricted(), network, None, vnet or {})
    nsg = estate.get(subnet.nsg_id)
    name = ids.name_of(subnet.nsg_id)
    if nsg is None:
        reason = estate.gap(types.NETWORK_SECURITY_GROUPS, subnet.nsg_id) or "it is not in the snapshot"
        return not_assessed(res, f"subnet {subnet.name} uses NSG {name}, which could not be read: {reason}")
    # Parsed once per audit: every NSG rule asks for the policies of the subnets it judges.
    policy = estate.memo(("nsg.policy", ids.norm(subnet.nsg_id)), lambda: Policy.from_nsg(nsg))
    if policy.problems:
        return not_assessed(res, f"{'; '.join(policy.problems)}: the NSG cannot be evaluated")
    return Scope(subnet, policy, network, name, vnet or {})


def role_scopes(estate: Estate, roles: Roles, wanted_roles: Iterable[str]) -> Iterator[Scope | Result]:
    """Every subnet holding one of `wanted_roles`, or the reasons why none can be judged."""
    wanted = set(wanted_roles)
    yield from unread(estate, types.VIRTUAL_NETWORKS, "Virtual networks")
    found = [s for s in estate.subnets if roles.of_subnet(s) & wanted]
    if not found:
        for role in sorted(wanted):
            if role in _ROLE_SOURCES:
                rtype, what = _ROLE_SOURCES[role]
                yield from unread(estate, rtype, f"{what} (which mark the {role} subnet)")
    for subnet in found:
        yield scope_of(estate, subnet)


def subnet_prefixes(subnets: Sequence[Subnet]) -> list[str]:
    """The address prefixes of the subnets, in order."""
    return [p for s in subnets for p in s.prefixes]


def nsg_references(nsg: Resource, path: str) -> list[str]:
    """Ids of the resources an NSG lists under `path` (`properties.subnets`, `...networkInterfaces`)."""
    found = dig(nsg, path)
    if not isinstance(found, list):
        return []
    return [str(r["id"]) for r in found if isinstance(r, dict) and isinstance(r.get("id"), str)]
