"""What a rule's page shows beyond its metadata: a passing ARM body and the fix in Azure CLI and Bicep.

The rule catalogue keeps these per rule id in `auditor.rules.guides` (loaded by name, as the engine
loads the rules), so that the pages are generated from data the tests can run through the engine.
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

GUIDE_MODULE = "auditor.rules.guides"


@dataclass(frozen=True)
class Guide:
    """A rule's example and fix.

    `example` is a minimal ARM body (type, name, properties...) that passes the rule; a string
    value in angle brackets (`"<workspace id>"`) stands for a value of the user's estate. `broken`
    maps dotted property paths of that body to values that make it fail (None removes the
    property), so the tests can show that the example is what the rule judges. `cli` holds Azure
    CLI commands and `bicep` a Bicep fragment that set the property right.
    """

    example: Mapping[str, Any]
    broken: Mapping[str, Any]
    cli: str
    bicep: str


def guides() -> dict[str, Guide]:
    """Every rule's guide, by rule id (a rule without one has none yet)."""
    module = importlib.import_module(GUIDE_MODULE)
    found: dict[str, Guide] = dict(module.GUIDES)
    return found
