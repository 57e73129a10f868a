"""Large made-up estates for load tests: many web apps, storage accounts, vaults..."""

from __future__ import annotations

import json
import uuid
from typing import Any

Resource = dict[str, Any]
# Resources `synthetic_estate` makes per unit of `size` (an app with its config and settings...).
UNRELATED_PER_UNIT = 13


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


def tenant_subscriptions(count: int) -> list[str]:
    """`count` made-up subscription ids, the same on every run."""
    return [str(uuid.uuid5(uuid.NAMESPACE_URL, f"auditor-synthetic-tenant/{i}")) for i in range(count)]


def synthetic_tenant(
    subscriptions: int, workloads: int, resources_per_subscription: int = 0, drifted_every: int = 3
) -> tuple[list[str], list[Resource]]:
    """A tenant of `subscriptions` subscriptions, each holding `workloads` copies of the sample
    estates (tests/estates.py; variants alternate, every `drifted_every`-th copy drifted) under
    renamed resource groups, topped up with unrelated resources (web apps, storage, vaults,
    OpenAI accounts and private endpoints of `synthetic_estate`) to about
    `resources_per_subscription` ARM resources. Returns the subscription ids and the resources."""
    from tests import estates

    subs = tenant_subscriptions(subscriptions)
    copies = []
    for w in range(workloads):
        variant = estates.VARIANTS[w % len(estates.VARIANTS)]
        built = estates.compliant(variant)
        if drifted_every and w % drifted_every == drifted_every - 1:
            built = estates.drift(built, variant)
        copies.append((variant, w, json.dumps(estates.with_role_definitions(built))))
    out: list[Resource] = []
    for sub in subs:
        count = 0
        for variant, w, text in copies:
            renamed = text.replace(estates.SUB, sub).replace(
                f"rg-chat-{variant}", f"rg-chat-{variant}-{w:02d}"
            )
            items = json.loads(renamed)
            out.extend(items)
            count += len(items)
        filler = max(0, resources_per_subscription - count) // UNRELATED_PER_UNIT
        if filler:
            out.extend(synthetic_estate(sub, filler))
    return subs, out
