"""Rules: a stable id, metadata for the reports and docs, and a pure check function.

A rule module declares rules with the `rule` decorator; the registry keeps them
in one place so the CLI, baselines, docs and tests all see the same catalogue.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from auditor.model import Control, Result, Severity, Status

if TYPE_CHECKING:
    from auditor.estate import Estate, Resource
    from auditor.roles import Roles

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
    import auditor.rules  # noqa: F401  (registers the rules as a side effect)

    return dict(sorted(_REGISTRY.items()))


# --- helpers that rules use to build results --------------------------------


def passed(res: Resource, message: str, expected: Any = None, actual: Any = None) -> Result:
    return Result(res["id"], res["type"], Status.PASS, message, expected, actual)


def failed(res: Resource, message: str, expected: Any = None, actual: Any = None) -> Result:
    return Result(res["id"], res["type"], Status.FAIL, message, expected, actual)


def not_assessed(res: Resource, message: str, expected: Any = None) -> Result:
    return Result(res["id"], res["type"], Status.NOT_ASSESSED, message, expected, None)


def must_be_true(res: Resource, path: str, absent_means: str) -> Result:
    """Pass when the boolean at `path` is true; the message shows its value, or what absence means."""
    from auditor.estate import dig

    value = dig(res, path)
    shown = f"absent ({absent_means})" if value is None else json.dumps(value)
    return verdict(value is True, res, f"{path} is {shown}", expected=True, actual=value)


def verdict(ok: bool, res: Resource, message: str, expected: Any = None, actual: Any = None) -> Result:
    """Pass or fail with the same message; the message states the property and its value."""
    status = Status.PASS if ok else Status.FAIL
    return Result(res["id"], res["type"], status, message, expected, actual)
