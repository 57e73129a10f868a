"""What every family's case table and rule tests share: the case types, running a case, family-wide checks.

A case mutates the compliant estate of each variant it names, audits it with the variant's baseline
(or a copy of it with the rule's parameters changed) and checks the rule's findings. The families
state what they expect in one of three ways, one case type each:

- `StatusCase`: the statuses of all the rule's findings (content filter, reliability, NSG);
- `ResourceCase`: a status per named resource and one for every other finding (identity, diagnostics);
- `TargetCase`: a status on the resources whose id holds a target and one for every other finding
  (private endpoints, public access).

A family's table imports its type as `Case`. The `assert_*` helpers hold the checks every family
makes; each family's test file keeps a test of its own that calls them, so a failure names the family.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Generic, TypeVar

import pytest
import yaml

from auditor.arm import ids as armid
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline, shipped_baselines
from auditor.engine.registry import all_rules
from auditor.engine.run import run_audit
from auditor.model import AuditReport, Finding, Status
from tests import estates
from tests.conftest import BASELINES, audit_resources, findings_of

Resource = dict[str, Any]
Mutation = Callable[[list[Resource], str], list[Resource] | None]
Errors = Callable[[str], list[dict[str, Any]]]
Params = dict[str, Any] | Callable[[str], dict[str, Any]]
Expect = TypeVar("Expect")

EVERY_STATUS = {"pass", "fail", "not_assessed"}


@dataclass(frozen=True)
class Case(ABC, Generic[Expect]):
    """One named case: mutate the compliant estate, audit, check the rule's findings.

    What `expect` holds and how the findings are checked is up to the case type. `params` override
    the rule's parameters in a copy of the variant's baseline (a function of the variant when they
    depend on it); `drop_types` are left out of the snapshot's collected types; `errors` builds the
    snapshot's failed reads for a variant; `contains` must appear in the message of a finding the
    case expects.
    """

    name: str
    rule: str
    expect: Expect
    mutate: Mutation | None = None
    variants: tuple[str, ...] = estates.VARIANTS
    params: Params = field(default_factory=dict)
    drop_types: tuple[str, ...] = ()
    errors: Errors | None = None
    contains: str = ""

    @abstractmethod
    def check(self, variant: str, found: list[Finding]) -> None:
        """Assert that the rule's findings on the variant are what the case expects."""

    @abstractmethod
    def statuses(self) -> set[str]:
        """The statuses the case shows the rule giving."""


@dataclass(frozen=True)
class StatusCase(Case[tuple[str, ...]]):
    """`expect` lists the statuses of all the rule's findings (order does not matter; empty means
    the rule reports nothing); `contains` must appear in one of their messages."""

    def check(self, variant: str, found: list[Finding]) -> None:
        statuses = sorted(f.status.value for f in found)
        assert statuses == sorted(self.expect), [f.message for f in found]
        if self.contains:
            assert any(self.contains in f.message for f in found), [f.message for f in found]

    def statuses(self) -> set[str]:
        return set(self.expect)


@dataclass(frozen=True)
class ResourceCase(Case[dict[str, str]]):
    """`expect` maps a resource (see `matches`; `{v}` stands for the variant) to the status its
    finding must have; every other finding of the rule must have status `others` (None: any).
    `contains` must appear in a message of each expected resource's findings."""

    others: str | None = "pass"

    def check(self, variant: str, found: list[Finding]) -> None:
        shown = [(f.resource_id, f.status.value, f.message) for f in found]
        expect = {k.format(v=variant): s for k, s in self.expect.items()}
        for key, status in expect.items():
            hits = [f for f in found if matches(f.resource_id, key)]
            assert hits, (key, shown)
            assert {f.status.value for f in hits} == {status}, (key, shown)
            if self.contains:
                assert any(self.contains in f.message for f in hits), shown
        rest = [f for f in found if not any(matches(f.resource_id, k) for k in expect)]
        if self.others is not None:
            assert rest or expect, f"{self.rule} reported nothing"
            assert {f.status.value for f in rest} <= {self.others}, shown

    def statuses(self) -> set[str]:
        if self.expect:
            return set(self.expect.values())
        return {self.others} if self.others is not None else set()


@dataclass(frozen=True)
class TargetCase(Case[str]):
    """`expect` is the status of the findings on `target` (a substring of their ids, `{v}` standing
    for the variant, a trailing `$` anchoring it at the end; empty: every finding); every other
    finding of the rule must have status `others` (None: any), so a case also proves it broke only
    what it meant to break. `contains` must appear in a message of a finding on the target."""

    target: str = ""
    others: str | None = "pass"

    def check(self, variant: str, found: list[Finding]) -> None:
        target = self.target.format(v=variant).lower()
        if target.endswith("$"):
            hits = [f for f in found if f.resource_id.lower().endswith(target[:-1])]
        else:
            hits = [f for f in found if target in f.resource_id.lower()]
        shown = [(f.resource_id.rsplit("/", 1)[-1], f.status.value, f.message) for f in found]
        assert hits, f"no finding on {target!r}: {shown}"
        assert {f.status.value for f in hits} == {self.expect}, shown
        if self.others is not None:
            assert all(f.status.value == self.others for f in found if f not in hits), shown
        if self.contains:
            assert any(self.contains in f.message for f in hits), shown

    def statuses(self) -> set[str]:
        return {self.expect}


def matches(resource_id: str, key: str) -> bool:
    """`key` names the resource: its whole id or the end of it (or of a role assignment's scope)."""
    rid = armid.norm(resource_id)
    base = rid.split("/providers/microsoft.authorization/")[0]
    return armid.norm(key) in (rid, base) or any(x.endswith("/" + key.lower()) for x in (rid, base))


# --- running a case ------------------------------------------------------------------------


def run_case(case: Case[Any], variant: str, folder: Path) -> AuditReport:
    """Audit the case's mutation of the compliant estate (with a baseline copy when it sets params)."""
    resources = estates.compliant(variant)
    if case.mutate is not None:
        changed = case.mutate(resources, variant)
        resources = changed if changed is not None else resources
    collected = (
        [t for t in estates.collected_types(variant) if t not in case.drop_types] if case.drop_types else None
    )
    params = case.params(variant) if callable(case.params) else case.params
    baseline = str(baseline_copy(variant, case.rule, params, folder)) if params else None
    errors = case.errors(variant) if case.errors else None
    return audit_resources(
        resources, variant, errors=errors, collected_types=collected, baseline=baseline, only=case.rule
    )


def baseline_copy(variant: str, rule_id: str, params: dict[str, Any], folder: Path) -> Path:
    """What a team does: copy the shipped baseline and change one rule's parameters."""
    data = yaml.safe_load(shipped_baselines()[BASELINES[variant]].read_text(encoding="utf-8"))
    setting = data["rules"][rule_id] or {}
    setting["params"] = {**(setting.get("params") or {}), **params}
    data["rules"][rule_id] = setting
    path = folder / f"team-{variant}-{rule_id}.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


# --- failed reads and mutations every family uses --------------------------------------------


def subscription(variant: str) -> str:
    return f"/subscriptions/{estates.SUB}"


def denied(resource_type: str, scope: Callable[[str], str]) -> Errors:
    """A 403 on reading `resource_type` at the scope a variant gives."""
    return lambda variant: [
        {
            "scope": scope(variant),
            "resource_type": resource_type,
            "status": 403,
            "code": "AuthorizationFailed",
            "message": "The client does not have authorization to perform this read.",
        }
    ]


def subscription_list_denied(resource_type: str) -> Errors:
    """A 403 on the subscription-wide list of `resource_type`."""
    return denied(resource_type, lambda v: f"{subscription(v)}/providers/{resource_type}")


def chain(*steps: Mutation) -> Mutation:
    """The steps one after the other, each on what the one before left."""

    def mutate(res: list[Resource], variant: str) -> list[Resource]:
        for step in steps:
            changed = step(res, variant)
            res = changed if changed is not None else res
        return res

    return mutate


def set_path(obj: dict[str, Any], path: str, value: Any, remove: object = None) -> None:
    """Set a dotted path, making the parents it lacks; a `value` that is `remove` deletes the key."""
    *parents, last = path.split(".")
    for key in parents:
        obj = obj.setdefault(key, {})
    if value is remove:
        obj.pop(last, None)
    else:
        obj[last] = value


def drop_type(rtype: str) -> Mutation:
    """Remove every resource of a type (compared case-insensitively)."""
    return lambda res, variant: [r for r in res if r["type"].lower() != rtype.lower()]


# --- the checks every family makes -----------------------------------------------------------


def case_params(cases: Iterable[Case[Any]]) -> list[Any]:
    """One pytest parameter per case and variant, named rule-case-variant."""
    return [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in cases for v in c.variants]


def family_rules(family: str) -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == family]


def prompt_flow_family_rules(family: str) -> list[str]:
    """The family's rules but those only the Foundry baseline uses."""
    only = foundry_only(family)
    return [rid for rid in family_rules(family) if rid not in only]


def assert_case(case: Case[Any], variant: str, folder: Path) -> None:
    """Run the case on the variant and check the rule's findings."""
    found = findings_of(run_case(case, variant, folder), case.rule)
    case.check(variant, found)
    for f in found:
        json.dumps([f.expected, f.actual])  # the JSON report must be able to carry them


def assert_every_rule_has_pass_fail_and_not_assessed_cases(family: str, cases: Sequence[Case[Any]]) -> None:
    for rid in family_rules(family):
        seen = {s for c in cases if c.rule == rid for s in c.statuses()}
        assert seen >= EVERY_STATUS, rid


def foundry_only(family: str) -> set[str]:
    """The family's rules that only the Foundry baseline selects (the design's own services)."""
    prompt_flow = set().union(*(load_baseline(BASELINES[v]).rules for v in estates.VARIANTS))
    foundry = set(load_baseline(BASELINES[estates.FOUNDRY]).rules)
    return {r for r in family_rules(family) if r in foundry and r not in prompt_flow}


def assert_every_rule_is_in_both_baselines(family: str, prefix: str = "") -> None:
    """With `prefix`, the family's rules must be exactly the baselines' rules of that prefix (the two
    prompt flow baselines; the Foundry baseline shares only some of each family's rules, and the rules
    of the Foundry design's own services are in it alone)."""
    shared = set(family_rules(family)) - foundry_only(family)
    for name in (BASELINES[v] for v in estates.VARIANTS):
        rules = set(load_baseline(name).rules)
        if prefix:
            assert shared == {r for r in rules if r.startswith(prefix)}, name
        else:
            assert shared <= rules, name


def assert_compliant_estates_only_pass(family: str, variant: str, rules: set[str] | None = None) -> None:
    """Every finding of the family passes, and they come from `rules` (default: all the family's that
    the prompt flow baselines select)."""
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == family]
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    if rules is None:  # the family's rules the variant's baseline uses
        rules = set(family_rules(family)) & set(load_baseline(BASELINES[variant]).rules)
    assert {f.rule_id for f in found} == rules


def drifted_findings(family: str, variant: str) -> list[Finding]:
    """The family's findings on the variant's drifted sample snapshot."""
    snapshot = Snapshot.from_data(estates.drifted_snapshot(variant))
    result = run_audit(snapshot, load_baseline(BASELINES[variant]), "test")
    return [f for f in result.findings if f.control.value == family]


def assert_drifted_estates_fail(family: str, variant: str, rules: set[str]) -> None:
    failing = {f.rule_id for f in drifted_findings(family, variant) if f.status is Status.FAIL}
    assert rules <= failing
