"""History documents made harmless to show: the audit reports' neutralisation, applied to every string.

Labels, resource ids, messages and baseline names in the history come from saved reports and
recorded runs, so from whoever can name a resource; the renderers show them only after this.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from auditor.reports.neutral import printable

__all__ = ["neutral"]


def neutral(value: Any, clean: Callable[[Any], str] = printable) -> Any:
    """A copy of `value` (a JSON-like document) with `clean` applied to every string, keys included."""
    if isinstance(value, str):
        return clean(value)
    if isinstance(value, dict):
        return {clean(k) if isinstance(k, str) else k: neutral(v, clean) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [neutral(v, clean) for v in value]
    return value
