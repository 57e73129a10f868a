"""Public IP addresses: what each is attached to, read from its own body."""

from __future__ import annotations

from typing import Any

from auditor.arm import ids
from auditor.arm.estate import dig
from auditor.arm.types import Resource

# What a public IP address says it is attached to: an IP configuration (of a gateway, Bastion host,
# network interface, load balancer, firewall...) or a NAT gateway, which has no IP configuration.
ATTACHMENT_PATHS = ("properties.ipConfiguration", "properties.natGateway")


def attachment(pip: Resource) -> tuple[str, Any] | None:
    """The property naming what a public IP address is attached to and the id it holds; None if
    the address is attached to nothing."""
    for path in ATTACHMENT_PATHS:
        value = dig(pip, path)
        if value is not None:
            return f"{path}.id", dig(value, "id") if isinstance(value, dict) else value
    return None


def attached_owner(pip: Resource) -> tuple[str, str] | None:
    """The top-level resource (id, type) a public IP address is attached to, when that can be told."""
    found = attachment(pip)
    if found is None or not isinstance(found[1], str):
        return None
    return ids.top_level_of(found[1])
