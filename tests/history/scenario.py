"""The sample estates as nightly shards: the aml sample in two subscriptions, over three nights."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests import paths
from tests.estates import SUB

SUB_B = "9b1d7e42-0c3a-4f65-8d21-6a5e3f0b9c74"
BASELINE = "openai-e2e-chat-aml"
EXAMPLES = paths.ROOT / "examples"
STORAGE = "/providers/Microsoft.Storage/storageAccounts/stwebchataml"
DELETED = "/providers/Microsoft.CognitiveServices/accounts/aoai-chat/deployments/experiment-4o"


def sample(name: str, subscription: str = SUB) -> dict[str, Any]:
    """The aml sample estate `name` (compliant, drifted) moved to `subscription`."""
    text = (EXAMPLES / f"openai-e2e-chat-aml-{name}.json").read_text(encoding="utf-8")
    loaded: dict[str, Any] = json.loads(text.replace(SUB, subscription))
    return loaded


def partly_fixed(subscription: str = SUB) -> dict[str, Any]:
    """The drifted estate with its web storage account fixed and the experimental model deployment deleted."""
    drifted, compliant = sample("drifted", subscription), sample("compliant", subscription)
    fixed = {r["id"].lower(): r for r in compliant["resources"] if r["id"].endswith(STORAGE)}
    resources = []
    for r in drifted["resources"]:
        if r["id"].endswith(DELETED):
            continue
        resources.append(fixed.get(r["id"].lower(), r))
    return {**drifted, "resources": resources}


def write(folder: Path, name: str, data: dict[str, Any]) -> Path:
    """Save an estate as a snapshot file."""
    path = folder / f"{name}.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    return path
