"""A tenant of several workloads built from the sample estates: copies in their own resource groups
(and subscriptions), with their own principals and host names, plus resources of no workload."""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

from tests.paths import EXAMPLES

SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
OTHER_SUB = "9b1d7c3e-0a4f-4e2b-8d6c-5f3a1e7b9c20"
_GROUPS = {"aistudio": "rg-chat-aistudio", "aml": "rg-chat-aml"}
_GUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def sample(name: str) -> dict[str, Any]:
    """One sample snapshot document (e.g. `aistudio-compliant`)."""
    loaded: dict[str, Any] = json.loads((EXAMPLES / f"openai-e2e-chat-{name}.json").read_text())
    return loaded


def copy_of(name: str, group: str, subscription: str = SUB, salt: str = "") -> dict[str, Any]:
    """The sample's resources and failed reads moved to `group` (and `subscription`), with principals and
    host names of its own: `{"resources": [...], "errors": [...]}`."""
    doc = sample(name)
    text = json.dumps({"resources": doc["resources"], "errors": doc["errors"]})
    text = text.replace(f"/resourceGroups/{_GROUPS[name.split('-')[0]]}", f"/resourceGroups/{group}")
    text = text.replace(SUB, subscription)
    if salt:
        principals = set(re.findall(r'"principalId": "([0-9a-f-]{36})"', text))
        for old in principals:
            text = text.replace(old, str(uuid.uuid5(uuid.NAMESPACE_URL, salt + old)))
        text = re.sub(r"(app-[a-z0-9-]+)\.azurewebsites\.net", rf"\1-{salt}.azurewebsites.net", text)
    moved: dict[str, Any] = json.loads(text)
    return moved


def unrelated(group: str = "rg-tfstate", subscription: str = SUB) -> dict[str, Any]:
    """A Terraform state vault and a Cloud Shell storage account, both open to the Internet."""
    base = f"/subscriptions/{subscription}/resourceGroups/{group}/providers"
    resources = [
        {
            "id": f"{base}/Microsoft.KeyVault/vaults/kv-tfstate",
            "name": "kv-tfstate",
            "type": "Microsoft.KeyVault/vaults",
            "location": "eastus2",
            "properties": {"publicNetworkAccess": "Enabled", "enableRbacAuthorization": False},
        },
        {
            "id": f"{base}/Microsoft.Storage/storageAccounts/stcloudshell",
            "name": "stcloudshell",
            "type": "Microsoft.Storage/storageAccounts",
            "kind": "StorageV2",
            "location": "eastus2",
            "properties": {"publicNetworkAccess": "Enabled", "allowSharedKeyAccess": True},
        },
    ]
    return {"resources": resources, "errors": []}


def snapshot_doc(parts: list[dict[str, Any]], subscriptions: list[str]) -> dict[str, Any]:
    """A snapshot document of these parts (each `{"resources", "errors"}`), collected like the samples."""
    doc = sample("aistudio-compliant")
    seen: set[str] = set()
    unique = []
    for r in (r for part in parts for r in part["resources"]):
        if r["id"].lower() not in seen:
            seen.add(r["id"].lower())
            unique.append(r)
    collected = sorted(set(doc["collected_types"]) | set(sample("aml-compliant")["collected_types"]))
    return {
        "format": doc["format"],
        "metadata": {**doc["metadata"], "description": "several workloads", "subscriptions": subscriptions},
        "collected_types": collected,
        "errors": [e for part in parts for e in part.get("errors", [])],
        "resources": unique,
    }


def tenant() -> dict[str, Any]:
    """dev (compliant) and prod (drifted) hub copies, an ML-workspace copy in another subscription, and
    an unrelated resource group."""
    parts = [
        copy_of("aistudio-compliant", "rg-chat-dev", salt="dev"),
        copy_of("aistudio-drifted", "rg-chat-prod", salt="prod"),
        copy_of("aml-compliant", "rg-chat-ml", subscription=OTHER_SUB, salt="ml"),
        unrelated(),
    ]
    return snapshot_doc(parts, [SUB, OTHER_SUB])


def narrowed_to_group(part: dict[str, Any], group: str) -> dict[str, Any]:
    """The part with its subscription-wide role assignments moved to `group` (same principal and role).

    A grant at the subscription reaches every workload of it, by design (docs/workloads.md); a copy
    whose drift must stay its own holds it in its own resource group instead.
    """
    out = []
    for r in part["resources"]:
        scope = str(r.get("properties", {}).get("scope", ""))
        if r["type"] == "Microsoft.Authorization/roleAssignments" and scope.count("/") == 2:
            rg = f"{scope}/resourceGroups/{group}"
            r = {**r, "id": f"{rg}/providers/Microsoft.Authorization/roleAssignments/{r['name']}"}
            r["properties"] = {**r["properties"], "scope": rg}
        out.append(r)
    return {**part, "resources": out}


def dev_prod_tenant(
    subscriptions: list[str],
) -> tuple[dict[str, Any], dict[str, tuple[str, dict[str, Any]]]]:
    """Each subscription holds a compliant dev copy (rg-chat-dev), a drifted prod copy (rg-chat-prod) and
    an unrelated application (rg-tfstate); the variant alternates by subscription (hub, ML workspace).

    Returns the snapshot document and, per copy's core resource group id (lower case), its variant
    and the snapshot document of that copy alone.
    """
    parts = []
    alone: dict[str, tuple[str, dict[str, Any]]] = {}
    for i, sub in enumerate(subscriptions):
        variant = ("aistudio", "aml")[i % 2]
        for env, state in (("dev", "compliant"), ("prod", "drifted")):
            group = f"rg-chat-{env}"
            part = copy_of(f"{variant}-{state}", group, subscription=sub, salt=f"{sub}-{env}")
            part = narrowed_to_group(part, group)
            parts.append(part)
            key = f"/subscriptions/{sub}/resourcegroups/{group}"
            alone[key] = (variant, snapshot_doc([part], [sub]))
        parts.append(unrelated(subscription=sub))
    return snapshot_doc(parts, subscriptions), alone
