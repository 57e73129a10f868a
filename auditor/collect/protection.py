"""Subscription-wide protections: Microsoft Defender for Cloud plans (`Microsoft.Security/pricings`),
management locks and Azure Policy assignments.

All three are listed once per subscription: the pricings at the subscription (a plan such as `AI` is
set there), the locks at every scope inside it (`list_at_subscription_level` returns those on the
subscription, its groups and their resources), and the policy assignments that apply to it (its own,
its groups' and those inherited from management groups). When only some resource groups are read,
the run narrows what lies below the subscription, as it does for role assignments.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from azure.mgmt.resource.locks import ManagementLockClient
from azure.mgmt.resource.policy import PolicyClient
from azure.mgmt.security import SecurityCenter

from auditor.arm import types
from auditor.collect.context import Sub

PRICINGS = types.SECURITY_PRICINGS
LOCKS = types.MANAGEMENT_LOCKS
POLICY_ASSIGNMENTS = types.POLICY_ASSIGNMENTS

TYPES = (PRICINGS, LOCKS, POLICY_ASSIGNMENTS)
AREA = "protections"


def collect_protection(sub: Sub) -> None:
    """Queue the reads of the Defender plans, the management locks and the policy assignments."""
    security = sub.client(SecurityCenter)
    locks = sub.client(ManagementLockClient)
    policy = sub.client(PolicyClient)
    scope = sub.prefix.lstrip("/")

    def pricings() -> Iterable[Any]:
        # The pricings list is one body, not a pager: its `value` holds every plan.
        return security.pricings.list(scope).value or []

    sub.list(PRICINGS, f"{sub.prefix}/providers/{PRICINGS}", pricings, child=True, area=AREA)
    sub.list(
        LOCKS, f"{sub.prefix}/providers/{LOCKS}", locks.management_locks.list_at_subscription_level, area=AREA
    )
    sub.list(
        POLICY_ASSIGNMENTS,
        f"{sub.prefix}/providers/{POLICY_ASSIGNMENTS}",
        policy.policy_assignments.list,
        area=AREA,
    )
