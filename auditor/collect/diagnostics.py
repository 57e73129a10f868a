"""Diagnostic settings (`{resourceId}/providers/Microsoft.Insights/diagnosticSettings`).

azure-mgmt-monitor 6.0.x is the last release with these operations; the only api-versions
ARM offers for them are previews (2021-05-01-preview is the newest).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azure.mgmt.monitor import MonitorManagementClient

from auditor.arm import types

if TYPE_CHECKING:
    from auditor.collect.context import Sub

DIAGNOSTIC_SETTINGS = types.DIAGNOSTIC_SETTINGS
TYPES = (DIAGNOSTIC_SETTINGS,)


def collect_diagnostics(sub: Sub, resource_id: str) -> None:
    """Read the diagnostic settings of one resource (a task of its own)."""
    monitor = sub.client(MonitorManagementClient)
    sub.list(
        DIAGNOSTIC_SETTINGS,
        f"{resource_id}/providers/Microsoft.Insights/diagnosticSettings",
        lambda: monitor.diagnostic_settings.list(resource_id),
        child=True,
    )
