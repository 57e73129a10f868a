"""Rules: a stable id, metadata for the reports and docs, and a pure check function.

A rule module declares rules with the `rule` decorator; the registry keeps them
in one place so the CLI, baselines, docs and tests all see the same catalogue.
"""

from __future__ import annotations

import functools
import importlib
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING, Any, TypeVar

from auditor.analysis.coverage import absent, unread
from auditor.arm import ids
from auditor.engine.params import is_params_class
from auditor.model import Control, Reference, Result, RuleInfo, RuleStatus, Severity, Status

if TYPE_CHECKING:
    from auditor.analysis.architecture import Roles
    from auditor.arm.estate import Estate
    from auditor.arm.reads import ReadLog
    from auditor.arm.types import Resource

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
# The check of a rule bound to one resource type: one verdict per resource (None: nothing to say).
ResourceCheck = Callable[[Context, "Resource"], "Result | None"]
Selector = Callable[[Context], "list[Resource]"]
F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True, kw_only=True)
class Rule(RuleInfo):
    """A registered rule: what the reports say about it (RuleInfo), and how it is checked."""

    check: CheckFn
    # The frozen dataclass of the rule's parameters (see engine/params.py); None: it has none.
    params: type[Any] | None = None
    # The ARM type a per-resource rule judges (the engine enumerates it); None: the rule spans the estate.
    resource_type: str | None = None

    @functools.cached_property
    def info(self) -> RuleInfo:
        """The rule as the reports see it, without its check (made once: every workload's report has it)."""
        return RuleInfo(**{f.name: getattr(self, f.name) for f in fields(RuleInfo)})

    def run(self, ctx: Context) -> list[Result]:
        """Run the check once, collecting its results."""
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
    params: type[Any] | None = None,
    resource_type: str | None = None,
    what: str = "",
    absent: str | None = None,
    select: Selector | None = None,
    references: Iterable[Reference | tuple[str, str]] = (),
    since: str = "0.1.0",
    status: RuleStatus | str = RuleStatus.STABLE,
) -> Callable[[F], F]:
    """Register a check function as a rule; `params` is its parameter dataclass, if it has any.

    With `resource_type` the function is a per-resource check `check(ctx, res) -> Result | None`,
    and the engine does the rest: not-assessed results where the type could not be listed
    (`what` names the resources, plural), a failure per subscription when none exists and
    `absent` names the missing component (singular), and the check on every resource of the
    type (or those `select` picks) in id order. Without it, `check(ctx)` yields every result.
    `references` are the public sources the rule rests on, as `Reference` or `(title, url)`.
    """
    if not RULE_ID.match(id):
        raise ValueError(f"rule id {id!r} does not look like ABC123")
    if params is not None and not is_params_class(params):
        raise ValueError(f"{id}: params must be a frozen dataclass, not {params!r}")

    if resource_type is not None and not what:
        raise ValueError(f"{id}: a rule bound to a resource type names its resources (what=...)")

    refs = tuple(r if isinstance(r, Reference) else Reference(*r) for r in references)
    for ref in refs:
        if not ref.url.startswith("https://"):
            raise ValueError(f"{id}: a reference is a public https URL, not {ref.url!r}")

    def register(fn: F) -> F:
        if id in _REGISTRY:
            raise ValueError(f"duplicate rule id {id}")
        check: CheckFn = fn
        if resource_type is not None:
            check = _each_resource(fn, resource_type, what, absent, select)
        doc = " ".join((fn.__doc__ or "").split())
        _REGISTRY[id] = Rule(
            id=id,
            name=name,
            control=Control(control),
            severity=Severity(severity),
            title=title,
            rationale=" ".join(rationale.split()),
            remediation=" ".join(remediation.split()),
            check=check,
            params=params,
            description=doc,
            resource_type=resource_type,
            references=refs,
            since=since,
            status=RuleStatus(status),
        )
        return fn

    return register


def _each_resource(
    fn: ResourceCheck, resource_type: str, what: str, missing: str | None, select: Selector | None
) -> CheckFn:
    """The estate-wide check of a per-resource rule: gaps, absence, then one verdict per resource."""

    def check(ctx: Context) -> Iterator[Result]:
        yield from unread(ctx.estate, resource_type, what)
        found = select(ctx) if select is not None else ctx.estate.of_type(resource_type)
        if missing is not None:
            yield from absent(ctx.estate, resource_type, found, missing)
        for res in sorted(found, key=lambda r: ids.norm(r["id"])):
            try:
                result = fn(ctx, res)
            except Exception as exc:  # one malformed body costs its own verdict, not the rule's others
                result = Result(res["id"], str(res.get("type", "")), Status.ERROR, crash_message(exc))
            if result is not None:
                yield result

    return check


def crash_message(exc: BaseException) -> str:
    """What an `error` finding says about a check that raised: the exception, on one line."""
    text = " ".join(str(exc).split())[:200]
    return f"rule raised {type(exc).__name__}: {text}" if text else f"rule raised {type(exc).__name__}"


def all_rules() -> dict[str, Rule]:
    """Every registered rule, importing the rule modules on first use."""
    # By name, plugin-style: the rule catalogue sits above the engine and registers itself on import.
    importlib.import_module(RULE_PACKAGE)

    return dict(sorted(_REGISTRY.items()))
