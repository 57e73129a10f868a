"""Narrowing an estate to the workload's resource groups."""

from __future__ import annotations

from collections import defaultdict
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


class Cutter:
    """`select` for many workloads of one snapshot: the snapshot indexed once, each cut in its own size.

    `cut(members, name)` gives what `select(snapshot, members, name)` gives (the same resources and
    failed reads, in snapshot order) without a scan of the whole snapshot per workload.
    """

    def __init__(self, snapshot: Snapshot) -> None:
        self._snapshot = snapshot
        self._positions: dict[str, list[int]] = defaultdict(list)
        for index, resource in enumerate(snapshot.resources):
            self._positions[ids.norm(resource["id"])].append(index)
        self._above_groups: list[int] = []
        self._errors_in: dict[str, list[int]] = defaultdict(list)
        for index, error in enumerate(snapshot.errors):
            group = ids.resource_group_id(error.scope)
            if group is None:
                self._above_groups.append(index)
            else:
                self._errors_in[group.lower()].append(index)

    def cut(self, members: Collection[str], name: str) -> Snapshot:
        """One workload's estate: the resources with these (normalised) ids, as `select` keeps them."""
        snapshot = self._snapshot
        groups = {g.lower() for m in members if (g := ids.resource_group_id(m)) is not None}
        kept = sorted(i for m in members for i in self._positions.get(m, ()))
        failed = sorted([*self._above_groups, *(i for g in groups for i in self._errors_in.get(g, ()))])
        return Snapshot(
            resources=[snapshot.resources[i] for i in kept],
            errors=[snapshot.errors[i] for i in failed],
            metadata={**snapshot.metadata, "workload": name},
            collected_types=snapshot.collected_types,
        )


def groups_in(snapshot: Snapshot) -> set[str]:
    """The resource groups (lower case) that hold a resource of the snapshot."""
    return {g.lower() for r in snapshot.resources if (g := ids.resource_group_of(r["id"])) is not None}
