"""Large made-up estates for load tests: many web apps, storage accounts, vaults..."""

from __future__ import annotations

from typing import Any

Resource = dict[str, Any]


def synthetic_estate(subscription: str, size: int) -> list[Resource]:
    """`size` each of web apps (with config/web and diagnostic settings), storage accounts
    (with blob and file services), key vaults, OpenAI accounts (with a deployment) and
    private endpoints, spread over resource groups of ten."""
    out: list[Resource] = []
    ops = f"/subscriptions/{subscription}/resourceGroups/rg-ops"
    law = f"{ops}/providers/Microsoft.OperationalInsights/workspaces/law"

    def diag(target: str) -> None:
        out.append(
            {
                "id": f"{target}/providers/Microsoft.Insights/diagnosticSettings/default",
                "name": "default",
                "type": "Microsoft.Insights/diagnosticSettings",
                "properties": {
                    "workspaceId": law,
                    "logs": [{"categoryGroup": "allLogs", "enabled": True}],
                    "metrics": [],
                },
            }
        )

    for i in range(size):
        rg = f"/subscriptions/{subscription}/resourceGroups/rg-{i // 10:02d}"
        site = f"{rg}/providers/Microsoft.Web/sites/app-{i:03d}"
        out.append(
            {
                "id": site,
                "name": f"app-{i:03d}",
                "type": "Microsoft.Web/sites",
                "kind": "app,linux",
                "location": "eastus",
                "properties": {"httpsOnly": True, "publicNetworkAccess": "Disabled"},
            }
        )
        out.append(
            {
                "id": f"{site}/config/web",
                "name": "web",
                "type": "Microsoft.Web/sites/config",
                "properties": {"ftpsState": "Disabled", "minTlsVersion": "1.2"},
            }
        )
        diag(site)
        account = f"{rg}/providers/Microsoft.Storage/storageAccounts/st{i:03d}"
        out.append(
            {
                "id": account,
                "name": f"st{i:03d}",
                "type": "Microsoft.Storage/storageAccounts",
                "kind": "StorageV2",
                "location": "eastus",
                "sku": {"name": "Standard_ZRS"},
                "properties": {"allowBlobPublicAccess": False, "publicNetworkAccess": "Disabled"},
            }
        )
        for service in ("blobServices", "fileServices"):
            out.append(
                {
                    "id": f"{account}/{service}/default",
                    "name": "default",
                    "type": f"Microsoft.Storage/storageAccounts/{service}",
                    "properties": {},
                }
            )
            diag(f"{account}/{service}/default")
        vault = f"{rg}/providers/Microsoft.KeyVault/vaults/kv-{i:03d}"
        out.append(
            {
                "id": vault,
                "name": f"kv-{i:03d}",
                "type": "Microsoft.KeyVault/vaults",
                "location": "eastus",
                "properties": {
                    "tenantId": subscription,
                    "sku": {"family": "A", "name": "standard"},
                    "enableRbacAuthorization": True,
                },
            }
        )
        diag(vault)
        oai = f"{rg}/providers/Microsoft.CognitiveServices/accounts/oai-{i:03d}"
        out.append(
            {
                "id": oai,
                "name": f"oai-{i:03d}",
                "type": "Microsoft.CognitiveServices/accounts",
                "kind": "OpenAI",
                "location": "eastus",
                "properties": {"publicNetworkAccess": "Disabled"},
            }
        )
        out.append(
            {
                "id": f"{oai}/deployments/gpt",
                "name": "gpt",
                "type": "Microsoft.CognitiveServices/accounts/deployments",
                "sku": {"name": "Standard", "capacity": 10},
                "properties": {"raiPolicyName": "Microsoft.DefaultV2"},
            }
        )
        diag(oai)
        pe = f"{rg}/providers/Microsoft.Network/privateEndpoints/pe-{i:03d}"
        out.append(
            {
                "id": pe,
                "name": f"pe-{i:03d}",
                "type": "Microsoft.Network/privateEndpoints",
                "location": "eastus",
                "properties": {
                    "privateLinkServiceConnections": [
                        {"name": "c", "properties": {"privateLinkServiceId": vault, "groupIds": ["vault"]}}
                    ]
                },
            }
        )
    return out
