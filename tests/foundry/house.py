"""The Foundry sample's house: App Service, the gateway and its WAF policy, Key Vault, the app's
storage, Bastion, public IPs, Log Analytics."""

from __future__ import annotations

from typing import Any

from tests.estates import Builder

Resource = dict[str, Any]


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
