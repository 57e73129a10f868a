"""Snapshots: raw ARM resources plus what could not be read, as one JSON document."""

from __future__ import annotations

import errno
import json
import os
import secrets
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from auditor.errors import InputError

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
        return {
            "scope": self.scope,
            "resource_type": self.resource_type,
            "status": self.status,
            "code": self.code,
            "message": self.message,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CollectionError:
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
    resources: list[dict[str, Any]]
    errors: list[CollectionError] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    # Resource types the collection asked for; None when unknown (a bare array).
    collected_types: list[str] | None = None

    def to_dict(self) -> dict[str, Any]:
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


def read_text(path: str | Path, what: str) -> str:
    """A UTF-8 file's text; a missing or unreadable one is an input error naming `what`."""
    p = Path(path)
    try:
        return p.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InputError(f"{what} not found: {p}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot read {what} {p}: {exc}") from None


def read_json(path: str | Path, what: str) -> Any:
    """Parse a JSON file; a missing, unreadable or malformed one is an input error naming `what`."""
    p = Path(path)
    text = read_text(p, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{p}: not valid JSON (line {exc.lineno}, column {exc.colno}: {exc.msg})") from None


def load_snapshot(path: str | Path) -> Snapshot:
    return Snapshot.from_data(read_json(path, "snapshot"), str(path))


def write_atomic(path: str | Path, text: str) -> None:
    """Write a file so that readers see the old content or the new, never half of it.

    The file gets the mode `open(path, "w")` would give it: an existing file keeps its
    own, a new one gets 0o666 less the umask (artifact uploaders in container jobs often
    run as another user and must be able to read what the audit wrote).
    """
    target = Path(path)
    directory = target.parent if str(target.parent) else Path(".")
    try:
        directory.mkdir(parents=True, exist_ok=True)
        fd, tmp = _create_temporary(directory, target.name)
    except OSError as exc:
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        try:
            existing = os.stat(target)
        except FileNotFoundError:
            pass
        else:
            if stat.S_ISREG(existing.st_mode):
                os.chmod(tmp, stat.S_IMODE(existing.st_mode))
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise InputError(f"cannot write {target}: {exc.strerror or exc}") from None


def _create_temporary(directory: Path, name: str) -> tuple[int, Path]:
    """A new, exclusive file next to the target, created with mode 0o666 for the kernel to apply the umask.

    mkstemp would create it 0o600, and reading the umask means setting it, which races with other threads.
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)
    for _ in range(100):
        tmp = directory / f".{name}.{secrets.token_hex(6)}.tmp"
        try:
            return os.open(tmp, flags, 0o666), tmp
        except FileExistsError:
            continue
    raise FileExistsError(errno.EEXIST, "no free temporary file name", str(directory))


def save_snapshot(snapshot: Snapshot, path: str | Path) -> None:
    write_atomic(path, json.dumps(snapshot.to_dict(), indent=1, sort_keys=False) + "\n")
