"""Rules: a stable id, metadata for the reports and docs, and a pure check function.

A rule module declares rules with the `rule` decorator; the registry keeps them
in one place so the CLI, baselines, docs and tests all see the same catalogue.
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.model import Control, Result, Severity

if TYPE_CHECKING:
    from auditor.analysis.architecture import Roles
    from auditor.arm.estate import Estate

RULE_ID = re.compile(r"^[A-Z]{2,5}\d{3}$")


@dataclass(frozen=True)
class Context:
    """What a check may look at: the estate, the inferred roles, its parameters."""

    estate: Estate
    roles: Roles
    params: Mapping[str, Any]
    variant: str


CheckFn = Callable[[Context], Iterable[Result]]


@dataclass(frozen=True)
class Rule:
    id: str
    name: str
    control: Control
    severity: Severity
    title: str
    rationale: str
    remediation: str
    check: CheckFn
    params: Mapping[str, Any] = field(default_factory=dict)
    # Who declared it; a description of what it checks comes from the docstring.
    description: str = ""

    def run(self, ctx: Context) -> list[Result]:
        return list(self.check(ctx))


_REGISTRY: dict[str, Rule] = {}
RULE_PACKAGE = "auditor.rules"


def rule(
    *,
    id: str,
    name: str,
    control: Control | str,
    severity: Severity | str,
    title: str,
    rationale: str,
    remediation: str,
    params: Mapping[str, Any] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    """Register a check function as a rule."""
    if not RULE_ID.match(id):
        raise ValueError(f"rule id {id!r} does not look like ABC123")

    def register(fn: CheckFn) -> CheckFn:
        if id in _REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        doc = " ".join((fn.__doc__ or "").split())
        _REGISTRY[id] = Rule(
            id=id,
            name=name,
            control=Control(control),
            severity=Severity(severity),
            title=title,
            rationale=" ".join(rationale.split()),
            remediation=" ".join(remediation.split()),
            check=fn,
            params=dict(params or {}),
            description=doc,
        )
        return fn

    return register


def all_rules() -> dict[str, Rule]:
    """Every registered rule, importing the rule modules on first use."""
    # By name, plugin-style: the rule catalogue sits above the engine and registers itself on import.
    importlib.import_module(RULE_PACKAGE)

    return dict(sorted(_REGISTRY.items()))
