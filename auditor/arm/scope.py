"""Narrowing an estate to the workload's resource groups."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from auditor.arm import ids
from auditor.arm.snapshot import Snapshot


def restrict(snapshot: Snapshot, resource_groups: Iterable[str]) -> Snapshot:
    """Keep what lies in the given resource groups, plus what sits above any resource group.

    Subscription-level resources (role assignments and definitions at subscription scope)
    stay: a role granted on the whole subscription reaches into the workload's groups.
    """
    wanted = {g.lower() for g in resource_groups}

    def keep(resource_id: str) -> bool:
        group = ids.resource_group_of(resource_id)
        return group is None or group.lower() in wanted

    return Snapshot(
        resources=[r for r in snapshot.resources if keep(r["id"])],
        errors=[e for e in snapshot.errors if keep(e.scope)],
        metadata={**snapshot.metadata, "resource_groups": sorted(wanted)},
        collected_types=snapshot.collected_types,
    )


def select(snapshot: Snapshot, members: Collection[str], name: str) -> Snapshot:
    """Keep the resources with these (normalised) ids: one workload's estate.

    Failed reads stay when they lie above resource groups or in a resource group that holds one of
    the members: a failed list there may hide the workload's resources (missing data is never a pass).
    """
    groups = {g.lower() for m in members if (g := ids.resource_group_id(m)) is not None}

    def keep_error(scope: str) -> bool:
        group = ids.resource_group_id(scope)
        return group is None or group.lower() in groups

    return Snapshot(
        resources=[r for r in snapshot.resources if ids.norm(r["id"]) in members],
        errors=[e for e in snapshot.errors if keep_error(e.scope)],
        metadata={**snapshot.metadata, "workload": name},
        collected_types=snapshot.collected_types,
    )


def groups_in(snapshot: Snapshot) -> set[str]:
    """The resource groups (lower case) that hold a resource of the snapshot."""
    return {g.lower() for r in snapshot.resources if (g := ids.resource_group_of(r["id"])) is not None}
