"""The Foundry sample's models: the account's model deployments, content filters and blocklists."""

from __future__ import annotations

from typing import Any

from tests.estates import Builder

Resource = dict[str, Any]

# The types this part reads beyond every sample's (tests.estates.COLLECTED_TYPES).
COLLECTED: list[str] = []


def add(b: Builder) -> None:
    """Add this part's compliant resources to the sample."""


def drift(resources: list[Resource]) -> None:
    """Break the settings the drifted sample breaks in this part (in place)."""
