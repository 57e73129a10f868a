"""Snapshots: raw ARM resources plus what could not be read, as one JSON document."""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.arm import ids
from auditor.errors import InputError
from auditor.files import read_json, write_atomic

SNAPSHOT_FORMAT = "auditor-snapshot/1"


@dataclass
class CollectionError:
    """A read that failed: where, which resource type it was for, and what ARM said."""

    scope: str
    resource_type: str
    status: int | None
    code: str
    message: str

    @property
    def outcome(self) -> str:
        """`HTTP 403 AuthorizationFailed`, or `failed Timeout` when no HTTP status came back."""
        status = f"HTTP {self.status}" if self.status else "failed"
        return f"{status} {self.code}" if self.code else status

    def to_dict(self) -> dict[str, Any]:
        """The failed read as JSON data."""
        return {
            "scope": self.scope,
            "resource_type": self.resource_type,
            "status": self.status,
            "code": self.code,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionError:
        """A failed read from a snapshot's JSON, tolerating missing fields."""
        status = data.get("status")
        return cls(
            scope=str(data.get("scope", "")),
            resource_type=str(data.get("resource_type", "")),
            status=int(status) if isinstance(status, int) else None,
            code=str(data.get("code", "")),
            message=str(data.get("message", "")),
        )


@dataclass
class Snapshot:
    """Raw ARM resources as read, the reads that failed, and what was asked for."""

    resources: list[dict[str, Any]]
    errors: list[CollectionError] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    # Resource types the collection asked for; None when unknown (a bare array).
    collected_types: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The snapshot as one JSON document."""
        return {
            "format": SNAPSHOT_FORMAT,
            "metadata": self.metadata,
            "collected_types": self.collected_types,
            "errors": [e.to_dict() for e in self.errors],
            "resources": self.resources,
        }

    @classmethod
    def from_data(cls, data: Any, source: str = "<data>") -> Snapshot:
        """Accept a snapshot document or a bare JSON array of ARM resources.

        A resource without `type` gets it from its id; one without an id is left out and
        recorded as a failed read of its type, so that every check that needed it is not
        assessed. Two ids that differ only in case (or a trailing slash) are an input error:
        ARM would call them one resource, and which body counted would depend on file order.
        """
        if isinstance(data, list):
            resources, unread = _check_resources(data, source)
            return cls(resources=resources, errors=unread, metadata={"source": "resource-array"})
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a snapshot object or an array of ARM resources")
        if "resources" not in data:
            # An ARM list response ({"value": [...]}) is a fair thing to hand us too.
            if isinstance(data.get("value"), list):
                resources, unread = _check_resources(data["value"], source)
                return cls(resources=resources, errors=unread)
            raise InputError(f"{source}: no 'resources' array in the snapshot")
        _check_format(data.get("format"), source)
        raw_errors = [] if data.get("errors") is None else data["errors"]
        if not isinstance(raw_errors, list) or not all(isinstance(e, dict) for e in raw_errors):
            raise InputError(f"{source}: 'errors' must be an array of objects")
        for index, raw in enumerate(raw_errors):
            _check_error(raw, index, source)
        collected = data.get("collected_types")
        if collected is not None and not (
            isinstance(collected, list) and all(isinstance(t, str) for t in collected)
        ):
            raise InputError(f"{source}: 'collected_types' must be an array of strings")
        metadata = {} if data.get("metadata") is None else data["metadata"]
        if not isinstance(metadata, dict):
            raise InputError(f"{source}: 'metadata' must be an object")
        resources, unread = _check_resources(data["resources"], source)
        return cls(
            resources=resources,
            errors=[CollectionError.from_dict(e) for e in raw_errors] + unread,
            metadata=metadata,
            collected_types=collected,
        )


# The field types of a recorded failed read; a missing field is tolerated (older snapshots).
_ERROR_FIELDS: dict[str, tuple[type, ...]] = {
    "scope": (str,),
    "resource_type": (str,),
    "status": (int, type(None)),
    "code": (str,),
    "message": (str,),
}
# Where a resource without an id sits is unknown: its failed read covers every scope.
UNREADABLE_SCOPE = "/"
UNREADABLE_CODE = "UnreadableResource"


def _check_format(value: Any, source: str) -> None:
    if value is None or value == SNAPSHOT_FORMAT:
        return
    family = SNAPSHOT_FORMAT.split("/")[0] + "/"
    if isinstance(value, str) and value.startswith(family):
        raise InputError(
            f"{source}: at $.format: snapshot format {value!r} is not one this auditor reads"
            f" ({SNAPSHOT_FORMAT}); a newer auditor wrote it"
        )
    raise InputError(f"{source}: at $.format: unknown snapshot format {value!r} (expected {SNAPSHOT_FORMAT})")


def _check_error(raw: dict[str, Any], index: int, source: str) -> None:
    for key, allowed in _ERROR_FIELDS.items():
        value = raw.get(key)
        if key in raw and (not isinstance(value, allowed) or isinstance(value, bool)):
            names = " or ".join("null" if t is type(None) else t.__name__ for t in allowed)
            raise InputError(f"{source}: at $.errors[{index}].{key}: expected {names}, not {value!r:.60}")


def _check_resources(items: Any, source: str) -> tuple[list[dict[str, Any]], list[CollectionError]]:
    """The readable resources (a missing `type` taken from the id), and a failed read per unreadable one."""
    if not isinstance(items, list):
        raise InputError(f"{source}: 'resources' must be an array")
    out: list[dict[str, Any]] = []
    unread: list[CollectionError] = []
    seen: dict[str, str] = {}
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"{source}: resource #{index} is not an object")
        rid, rtype = item.get("id"), item.get("type")
        if not isinstance(rid, str) or not rid.strip():
            if not isinstance(rtype, str) or not rtype.strip():
                raise InputError(
                    f"{source}: resource #{index} has no string 'id' and 'type': nothing tells what it is"
                )
            unread.append(
                CollectionError(
                    scope=UNREADABLE_SCOPE,
                    resource_type=rtype,
                    status=None,
                    code=UNREADABLE_CODE,
                    message=f"resource #{index} of type {rtype} in {source} has no id and could not be read",
                )
            )
            continue
        if not isinstance(rtype, str) or not rtype.strip():
            derived = ids.type_of(rid)
            if derived is None:
                raise InputError(
                    f"{source}: resource #{index} has no string 'id' and 'type'"
                    f" (no type given, and none can be read from the id {rid!r:.120})"
                )
            item = {**item, "type": derived}
        key = ids.norm(rid)
        first = seen.setdefault(key, rid)
        if first != rid:
            raise InputError(
                f"{source}: resource #{index}: ids {first!r:.200} and {rid!r:.200} differ only in case"
                " or a trailing slash, so ARM would take them for one resource; keep one"
            )
        out.append(item)
    return out, unread


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file (or a bare array of resources); one over the size limit is refused unread."""
    _check_size(Path(path))
    return Snapshot.from_data(read_json(path, "snapshot"), str(path))


# An audit holds the parsed estate, its findings and the rendered reports at once: benchmarks/
# input_bench.py measured a peak of 26.5x the file's size on a 101 MB snapshot (2.7 GB). Refuse a
# larger file up front, with a clear message, rather than swap for an hour.
MAX_SNAPSHOT_MB_ENV = "AUDITOR_MAX_SNAPSHOT_MB"
DEFAULT_MAX_SNAPSHOT_MB = 100
# Peak memory of an audit per byte of snapshot, as measured there (rounded up).
MEMORY_PER_SNAPSHOT_BYTE = 27


def max_snapshot_bytes() -> int:
    """The largest snapshot file accepted, in bytes (`AUDITOR_MAX_SNAPSHOT_MB`, default 100 MB)."""
    raw = os.environ.get(MAX_SNAPSHOT_MB_ENV, "").strip()
    if not raw:
        return DEFAULT_MAX_SNAPSHOT_MB * 1024 * 1024
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{MAX_SNAPSHOT_MB_ENV}={raw!r}: expected a positive number of megabytes")
    return int(value * 1024 * 1024)


def _check_size(path: Path) -> None:
    try:
        size = path.stat().st_size
    except OSError:
        return  # read_json says what is wrong with the path
    limit = max_snapshot_bytes()
    if size > limit:
        raise InputError(
            f"{path}: snapshot of {size / 2**20:.0f} MB is over the limit of {limit / 2**20:.0f} MB"
            f" (set {MAX_SNAPSHOT_MB_ENV} to raise it; an audit needs up to about"
            f" {MEMORY_PER_SNAPSHOT_BYTE}x the file size in memory)"
        )


def save_snapshot(snapshot: Snapshot, path: str | Path) -> None:
    """Write a snapshot file atomically, readable by its owner only (it holds tenant data)."""
    write_atomic(path, json.dumps(snapshot.to_dict(), indent=1, sort_keys=False) + "\n", private=True)
