"""ARM property values in findings: whether one is set, how it reads, where it ranks in an ordered list."""

from __future__ import annotations

from typing import Any


def present(value: Any) -> bool:
    """Set to something: neither absent (None) nor the empty string."""
    return value is not None and value != ""


def shown(value: Any, default: str | None = None) -> str:
    """A property value as ARM JSON writes it, or `absent` with the platform default."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if present(value):
        return str(value)
    return f"absent (platform default {default})" if default else "absent"


def rank(value: Any, order: list[str]) -> int:
    """The position of `value` in `order`, ignoring case; -1 when it is not there."""
    lowered = [o.lower() for o in order]
    return lowered.index(value.lower()) if isinstance(value, str) and value.lower() in lowered else -1
