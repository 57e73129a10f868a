"""Which categories a diagnostic-settings category group covers: read from Azure, else the table."""

from __future__ import annotations

from typing import Any

import pytest

from auditor.analysis.log_categories import DOCUMENTED_SOURCE, groups_of, resource_type_of
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot

VAULT = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.KeyVault/vaults/kv"
WORKFLOW = "/subscriptions/s/resourcegroups/rg/providers/microsoft.logic/workflows/wf"


def category(owner: str, name: str, kind: str, groups: list[str] | None) -> dict[str, Any]:
    """A category as Microsoft's listDiagnosticSettingsCategories.json (2021-05-01-preview) shows one."""
    properties: dict[str, Any] = {"categoryType": kind}
    if groups is not None:
        properties["categoryGroups"] = groups
    return {
        "id": f"{owner}/providers/microsoft.insights/diagnosticSettingsCategories/{name}",
        "type": "microsoft.insights/diagnosticSettingsCategories",
        "name": name,
        "properties": properties,
    }


def estate(*resources: dict[str, Any]) -> Estate:
    return Estate(Snapshot(resources=list(resources)))


@pytest.mark.parametrize(
    ("resource_id", "rtype"),
    [
        (VAULT, "Microsoft.KeyVault/vaults"),
        (
            "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/st/blobServices/default",
            "Microsoft.Storage/storageAccounts/blobServices",
        ),
        ("/subscriptions/s/resourceGroups/rg", None),
    ],
)
def test_resource_type_of(resource_id: str, rtype: str | None) -> None:
    assert resource_type_of(resource_id) == rtype


def test_groups_read_from_azure_ignore_metrics() -> None:
    found = groups_of(
        estate(
            category(WORKFLOW, "WorkflowRuntime", "Logs", ["allLogs"]),
            category(WORKFLOW, "WorkflowMetric", "Metrics", None),
        ),
        "Microsoft.Logic/workflows",
    )
    assert found is not None and "read from Azure" in found.source
    assert found.members == {"alllogs": {"workflowruntime"}, "audit": frozenset()}
    assert found.covers("audit", "WorkflowRuntime") is False
    assert found.covers("allLogs", "anything") is True


def test_documented_table_without_azure_data() -> None:
    found = groups_of(estate(), "microsoft.keyvault/VAULTS")
    assert found is not None and found.source == DOCUMENTED_SOURCE
    assert found.covers("audit", "AuditEvent") is True
    assert found.covers("audit", "AzurePolicyEvaluationDetails") is False


def test_unknown_type_is_unresolved() -> None:
    assert groups_of(estate(), "Microsoft.Storage/storageAccounts/blobServices") is None
    other = groups_of(estate(category(VAULT, "AuditEvent", "Logs", ["audit"])), "Microsoft.Logic/workflows")
    assert other is None
