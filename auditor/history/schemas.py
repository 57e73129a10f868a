"""The JSON Schemas of `auditor diff --format json` and `auditor history --format json`, as shipped."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

NAMES = ("diff", "history")


def load(name: str) -> dict[str, Any]:
    """The schema of the `diff` or `history` JSON document."""
    if name not in NAMES:
        raise ValueError(f"no schema {name!r} (one of {', '.join(NAMES)})")
    text = resources.files("auditor.history").joinpath(f"{name}.schema.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text)
    return loaded
