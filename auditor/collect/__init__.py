"""Collectors: the only code that talks to Azure. Read-only, raw ARM JSON out."""

from __future__ import annotations

from auditor.collect.cloud import Cloud
from auditor.collect.context import Settings
from auditor.collect.run import collect_snapshot

__all__ = ["Cloud", "Settings", "collect_snapshot"]
