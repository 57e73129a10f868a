"""Rules: a stable id, metadata for the reports and docs, and a pure check function.

A rule module declares rules with the `rule` decorator; the registry keeps them
in one place so the CLI, baselines, docs and tests all see the same catalogue.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from auditor.engine.params import is_params_class
from auditor.model import Control, Result, Severity

if TYPE_CHECKING:
    from auditor.analysis.architecture import Roles
    from auditor.arm.estate import Estate
    from auditor.arm.reads import ReadLog

RULE_ID = re.compile(r"^[A-Z]{2,5}\d{3}$")


@dataclass(frozen=True)
class Context:
    """What a check may look at: the estate, the inferred roles, its parameters, its read log.

    `params` is the rule's parameter dataclass as the baseline set it (None for a rule
    without parameters). `estate` and `roles` are bound to `reads`: every lookup through them
    records the ARM types it touched there, and the engine settles the verdicts on that log.
    """

    estate: Estate
    roles: Roles
    params: Any
    reads: ReadLog


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
    # The frozen dataclass of the rule's parameters (see engine/params.py); None: it has none.
    params: type[Any] | None = None
    # Who declared it; a description of what it checks comes from the docstring.
    description: str = ""

    def run(self, ctx: Context) -> list[Result]:
        return list(self.check(ctx))


_REGISTRY: dict[str, Rule] = {}


def rule(
    *,
    id: str,
    name: str,
    control: Control | str,
    severity: Severity | str,
    title: str,
    rationale: str,
    remediation: str,
    params: type[Any] | None = None,
) -> Callable[[CheckFn], CheckFn]:
    """Register a check function as a rule; `params` is its parameter dataclass, if it has any."""
    if not RULE_ID.match(id):
        raise ValueError(f"rule id {id!r} does not look like ABC123")
    if params is not None and not is_params_class(params):
        raise ValueError(f"{id}: params must be a frozen dataclass, not {params!r}")

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
            params=params,
            description=doc,
        )
        return fn

    return register


def all_rules() -> dict[str, Rule]:
    """Every registered rule, importing the rule modules on first use."""
    import auditor.rules  # noqa: F401  (registers the rules as a side effect)

    return dict(sorted(_REGISTRY.items()))
