"""Diagnostic settings (`{resourceId}/providers/Microsoft.Insights/diagnosticSettings`) and, once per
resource type, the type's log categories with their category groups
(`{resourceId}/providers/Microsoft.Insights/diagnosticSettingsCategories`).

azure-mgmt-monitor 6.0.x is the last release with these operations; the only api-versions
ARM offers for them are previews (2021-05-01-preview is the newest, the SDK's default for both).
Which categories a group such as `audit` covers is Azure's definition for the resource type, the
same for every resource of it: one read per type, of the first resource whose settings are read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from azure.mgmt.monitor import MonitorManagementClient

from auditor.analysis.log_categories import resource_type_of
from auditor.arm import types

if TYPE_CHECKING:
    from auditor.collect.context import Sub

DIAGNOSTIC_SETTINGS = types.DIAGNOSTIC_SETTINGS
DIAGNOSTIC_CATEGORIES = types.DIAGNOSTIC_CATEGORIES
TYPES = (DIAGNOSTIC_SETTINGS, DIAGNOSTIC_CATEGORIES)


def collect_diagnostics(sub: Sub, resource_id: str) -> None:
    """Read the diagnostic settings of one resource (a task of its own), and its type's categories."""
    monitor = sub.client(MonitorManagementClient)
    # The multi-API client builds a new operations object (serialisers included) on every access:
    # one per subscription's client is enough, for thousands of resources.
    settings = sub.collection.operations(monitor, "diagnostic_settings")
    sub.list(
        DIAGNOSTIC_SETTINGS,
        f"{resource_id}/providers/Microsoft.Insights/diagnosticSettings",
        lambda: settings.list(resource_id),
        child=True,
    )
    rtype = resource_type_of(resource_id)
    if rtype is not None and sub.collection.first_time(f"{DIAGNOSTIC_CATEGORIES}:{rtype.lower()}"):
        sub.list(
            DIAGNOSTIC_CATEGORIES,
            f"{resource_id}/providers/Microsoft.Insights/diagnosticSettingsCategories",
            lambda: monitor.diagnostic_settings_category.list(resource_id),
            child=True,
        )
