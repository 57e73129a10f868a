"""Compose the Foundry Agent Service sample estate from its parts."""

from __future__ import annotations

from typing import Any

from tests.estates import COLLECTED_TYPES, Builder
from tests.foundry import VARIANT, core, data, house, identity, models, network

Resource = dict[str, Any]
PARTS = (house, network, core, models, data, identity)


def compliant() -> list[Resource]:
    """The Foundry sample that follows the architecture in every checked setting."""
    b = Builder(VARIANT)
    for part in PARTS:
        part.add(b)
    return b.resources


def drifted(resources: list[Resource]) -> list[Resource]:
    """The compliant sample with every part's drift applied."""
    for part in PARTS:
        part.drift(resources)
    return resources


def collected_types() -> list[str]:
    """What the Foundry sample declares collected: every sample's types and each part's own."""
    return list(dict.fromkeys([*COLLECTED_TYPES, *(t for part in PARTS for t in part.COLLECTED)]))
