"""Stable identities across runs: the finding key, and the unit (subscription) a resource belongs to."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The unit of findings that belong to no subscription (tenant scope, a rule that raised):
# every run audits it.
TENANT_UNIT = ""


def normalised(resource_id: str) -> str:
    """A resource id as keys use it: ARM ids are case-insensitive, and a trailing slash means nothing."""
    return resource_id.strip().rstrip("/").lower()


def finding_key(rule_id: str, resource_id: str, workload: str = "") -> str:
    """The key of a finding across runs: the rule id, the normalised resource id and the workload.

    The workload is its identity (subscription/resource group/core name), lower case: a resource
    shared by two workloads is judged in each, and each verdict has its own history. A finding of
    no workload (an audit that found none, a report written before workloads) keeps the old
    `rule|resource` form, so keys recorded before stay valid.
    """
    base = f"{rule_id}|{normalised(resource_id)}"
    return f"{base}|{workload.strip().lower()}" if workload.strip() else base


_SUBSCRIPTIONS = "/subscriptions/"
_GROUPS = "/resourcegroups/"


def unit_of(resource_id: str) -> str:
    """The subscription id (lower case) a resource id is under, or the tenant unit."""
    low = resource_id.strip().lower()
    if not low.startswith(_SUBSCRIPTIONS):
        return TENANT_UNIT
    return low[len(_SUBSCRIPTIONS) :].split("/", 1)[0]


def group_of(resource_id: str) -> str:
    """The resource group (lower case) a resource id is in, or '' above resource groups."""
    low = resource_id.strip().lower()
    at = low.find(_GROUPS)
    if at < 0:
        return ""
    return low[at + len(_GROUPS) :].split("/", 1)[0]


class Coverage:
    """Which finding keys a run audited: its subscriptions (and resource groups, when restricted)."""

    def __init__(self, subscriptions: Iterable[str], resource_groups: Iterable[str] = ()) -> None:
        self.units = {s.lower() for s in subscriptions} | {TENANT_UNIT}
        self.groups = {g.lower() for g in resource_groups}

    @classmethod
    def of_scope(cls, scope: Mapping[str, Any]) -> Coverage:
        """The coverage of a report's scope block."""
        return cls(scope.get("subscriptions") or (), scope.get("resource_groups") or ())

    def covers(self, unit: str, group: str) -> bool:
        """Whether a key of this unit and resource group was audited (subscription-level ones always are)."""
        if unit not in self.units:
            return False
        return not self.groups or not group or group in self.groups
