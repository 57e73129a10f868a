"""The Foundry sample's network: the virtual network, its subnets and NSGs, the route table and Azure
Firewall with its policy."""

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
