"""The subscription to read when none is named: as the Azure tools pick it.

`AZURE_SUBSCRIPTION_ID` first, then the Azure CLI's default subscription (the one `az
account show` prints), read from the profile the Azure CLI writes. No subprocess is run:
the profile is a JSON file, and `az` may not even be installed where a saved login is.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBSCRIPTION_ENV = "AZURE_SUBSCRIPTION_ID"
PROFILE = "azureProfile.json"


@dataclass(frozen=True)
class DefaultSubscription:
    """A subscription id and where it came from, in words fit for a line on stderr."""

    subscription_id: str
    source: str


def default_subscription(environ: Mapping[str, str] | None = None) -> DefaultSubscription | None:
    """`AZURE_SUBSCRIPTION_ID`, else the Azure CLI's default subscription, else None."""
    env = os.environ if environ is None else environ
    value = env.get(SUBSCRIPTION_ENV, "").strip()
    if value:
        return DefaultSubscription(value, SUBSCRIPTION_ENV)
    return azure_cli_default(profile_path(env))


def profile_path(environ: Mapping[str, str]) -> Path:
    """`$AZURE_CONFIG_DIR/azureProfile.json`, by default `~/.azure/azureProfile.json`."""
    config_dir = environ.get("AZURE_CONFIG_DIR", "").strip()
    base = Path(config_dir).expanduser() if config_dir else Path.home() / ".azure"
    return base / PROFILE


def azure_cli_default(path: Path) -> DefaultSubscription | None:
    """The subscription marked `isDefault` in an Azure CLI profile; None if there is none.

    A missing, unreadable or malformed profile gives None: with no default the caller asks
    for a subscription, as it would without an Azure CLI.
    """
    try:
        # The Azure CLI on Windows writes the file with a byte-order mark.
        data: Any = json.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, ValueError):
        return None
    subs = data.get("subscriptions") if isinstance(data, dict) else None
    for sub in subs if isinstance(subs, list) else []:
        if not isinstance(sub, dict) or sub.get("isDefault") is not True:
            continue
        sub_id = sub.get("id")
        if not isinstance(sub_id, str) or not sub_id.strip():
            return None
        name = sub.get("name")
        label = f" ({name})" if isinstance(name, str) and name.strip() else ""
        return DefaultSubscription(sub_id.strip(), f"the Azure CLI's default subscription{label}")
    return None
