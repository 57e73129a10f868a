"""Merge the snapshots of shards (one collection split by subscription) into one snapshot.

The union of the resources, the failed reads, the collected types and the subscriptions. A
subscription read by two shards must have been read alike (the same resources and failed reads):
otherwise which copy counts would depend on the order of the files, and the merge is refused.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from auditor.arm import ids
from auditor.arm.snapshot import SNAPSHOT_FORMAT, CollectionError, Snapshot
from auditor.errors import MergeConflictError

__all__ = ["merge_snapshots"]


def merge_snapshots(shards: Sequence[tuple[str, Snapshot]]) -> Snapshot:
    """One snapshot of every shard's (name, snapshot); a conflict between shards is a `MergeConflictError`."""
    if not shards:
        raise MergeConflictError("nothing to merge")
    for name, shard in shards:
        if shard.collected_types is None:
            raise MergeConflictError(
                f"{name}: not a snapshot document of `auditor collect` ({SNAPSHOT_FORMAT}): a bare list of "
                "resources says nothing of what was collected"
            )
    owner: dict[str, str] = {}  # subscription (lower case) -> first shard that holds it
    parts: dict[str, dict[str, Any]] = {}  # that shard's resources and errors of the subscription
    resources: list[dict[str, Any]] = []
    errors: list[CollectionError] = []
    types: dict[str, str] = {}
    subscriptions: dict[str, str] = {}
    unscoped: dict[str, tuple[str, dict[str, Any]]] = {}
    unscoped_errors: list[dict[str, Any]] = []
    for name, shard in shards:
        mine = _by_subscription(shard)
        # Resources outside any subscription (tenant level) are merged one by one below.
        repeated = {sub for sub in mine if sub in owner and sub}
        for sub in sorted(repeated):
            if _canonical(mine[sub]) != _canonical(parts[sub]):
                raise MergeConflictError(
                    f"{name} and {owner[sub]} both hold subscription {sub}, with different content:"
                    " merge the shards of one collection only"
                )
        for sub, part in mine.items():
            if sub not in owner:
                owner[sub], parts[sub] = name, part
        for r in shard.resources:
            sub = _subscription(r["id"])
            if not sub:
                _add_unscoped(r, name, unscoped, resources)
            elif sub not in repeated:
                resources.append(r)
        for e in shard.errors:
            sub = _subscription(e.scope)
            if sub and sub not in repeated:
                errors.append(e)
            elif not sub and e.to_dict() not in unscoped_errors:
                # A failed read outside any subscription (an unreadable resource): once per content.
                unscoped_errors.append(e.to_dict())
                errors.append(e)
        for t in shard.collected_types or []:
            types.setdefault(t.lower(), t)
        for sub in _listed(shard):
            subscriptions.setdefault(sub.lower(), sub)
    metadata = _metadata([s for _, s in shards], sorted(subscriptions.values(), key=str.lower), len(shards))
    return Snapshot(
        resources=resources,
        errors=errors,
        metadata=metadata,
        collected_types=sorted(types.values(), key=str.lower),
    )


def _add_unscoped(
    resource: dict[str, Any],
    name: str,
    seen: dict[str, tuple[str, dict[str, Any]]],
    out: list[dict[str, Any]],
) -> None:
    """A tenant-level resource: kept once; two different bodies under one id are a conflict."""
    key = ids.norm(resource["id"])
    if key not in seen:
        seen[key] = (name, resource)
        out.append(resource)
    elif seen[key][1] != resource:
        raise MergeConflictError(
            f"{name} and {seen[key][0]} both hold {resource['id']}, with different content"
        )


def _subscription(resource_id: str) -> str:
    return (ids.subscription_of(resource_id) or "").lower()


def _by_subscription(shard: Snapshot) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for sub in _listed(shard):
        out.setdefault(sub.lower(), {"resources": [], "errors": []})
    for r in shard.resources:
        out.setdefault(_subscription(r["id"]), {"resources": [], "errors": []})["resources"].append(r)
    for e in shard.errors:
        out.setdefault(_subscription(e.scope), {"resources": [], "errors": []})["errors"].append(e.to_dict())
    return out


def _canonical(part: dict[str, Any]) -> list[str]:
    """The content of one subscription, whatever the order it was listed in."""
    texts = [json.dumps(r, sort_keys=True, default=str) for r in part["resources"]]
    texts += ["error:" + json.dumps(e, sort_keys=True) for e in part["errors"]]
    return sorted(texts)


def _listed(shard: Snapshot) -> list[str]:
    subs = shard.metadata.get("subscriptions")
    if isinstance(subs, list) and all(isinstance(s, str) for s in subs):
        return list(subs)
    return sorted({s for s in (_subscription(r["id"]) for r in shard.resources) if s})


def _metadata(shards: list[Snapshot], subscriptions: list[str], count: int) -> dict[str, Any]:
    """The shards' metadata: the values they share, the subscriptions of all, and what the merge did."""
    out: dict[str, Any] = {}
    keys = [k for s in shards for k in s.metadata]
    for key in dict.fromkeys(keys):
        values = [s.metadata.get(key) for s in shards]
        if all(v == values[0] for v in values):
            out[key] = values[0]
    if any(s.metadata.get("partial") is True for s in shards):
        # One shard's time limit ran out: the merged snapshot is partial too.
        out["partial"] = True
        limits = [s.metadata.get("deadline_seconds") for s in shards]
        numbers = [v for v in limits if isinstance(v, (int, float)) and not isinstance(v, bool)]
        if numbers:
            out["deadline_seconds"] = max(numbers)
    groups = [s.metadata.get("resource_groups") for s in shards]
    lists = [g for g in groups if isinstance(g, list)]
    if len(lists) == len(groups):
        out["resource_groups"] = sorted({g for gs in lists for g in gs if isinstance(g, str)}, key=str.lower)
    else:
        out.pop("resource_groups", None)
    # Which shard of how many it was (`--shard I/N`) no longer holds.
    out.pop("shard", None)
    out["subscriptions"] = subscriptions
    out["merged_shards"] = count
    return out
