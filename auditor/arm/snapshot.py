"""Snapshots: raw ARM resources plus what could not be read, as one JSON document."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
        """Accept a snapshot document or a bare JSON array of ARM resources."""
        if isinstance(data, list):
            return cls(resources=_check_resources(data, source), metadata={"source": "resource-array"})
        if not isinstance(data, dict):
            raise InputError(f"{source}: expected a snapshot object or an array of ARM resources")
        if "resources" not in data:
            # An ARM list response ({"value": [...]}) is a fair thing to hand us too.
            if isinstance(data.get("value"), list):
                return cls(resources=_check_resources(data["value"], source))
            raise InputError(f"{source}: no 'resources' array in the snapshot")
        raw_errors = data.get("errors") or []
        if not isinstance(raw_errors, list) or not all(isinstance(e, dict) for e in raw_errors):
            raise InputError(f"{source}: 'errors' must be an array of objects")
        collected = data.get("collected_types")
        if collected is not None and not (
            isinstance(collected, list) and all(isinstance(t, str) for t in collected)
        ):
            raise InputError(f"{source}: 'collected_types' must be an array of strings")
        metadata = data.get("metadata") or {}
        if not isinstance(metadata, dict):
            raise InputError(f"{source}: 'metadata' must be an object")
        return cls(
            resources=_check_resources(data["resources"], source),
            errors=[CollectionError.from_dict(e) for e in raw_errors],
            metadata=metadata,
            collected_types=collected,
        )


def _check_resources(items: Any, source: str) -> list[dict[str, Any]]:
    if not isinstance(items, list):
        raise InputError(f"{source}: 'resources' must be an array")
    for index, item in enumerate(items):
        if not isinstance(item, dict):
            raise InputError(f"{source}: resource #{index} is not an object")
        if not isinstance(item.get("id"), str) or not isinstance(item.get("type"), str):
            raise InputError(f"{source}: resource #{index} has no string 'id' and 'type'")
    return items


def load_snapshot(path: str | Path) -> Snapshot:
    """Read a snapshot file (or a bare array of resources)."""
    return Snapshot.from_data(read_json(path, "snapshot"), str(path))


def save_snapshot(snapshot: Snapshot, path: str | Path) -> None:
    """Write a snapshot file atomically, readable by its owner only (it holds tenant data)."""
    write_atomic(path, json.dumps(snapshot.to_dict(), indent=1, sort_keys=False) + "\n", private=True)
