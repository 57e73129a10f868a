"""Content-filter rules (CF0xx): the case table, the sample estates and Microsoft's RAI policy examples."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.baseline import load_baseline
from auditor.engine import run_audit
from auditor.model import Status
from auditor.registry import all_rules
from auditor.snapshot import Snapshot
from tests import estates
from tests.cases.content_filter import ACCOUNTS, CASES, POLICIES, Case, baseline_copy, run_case
from tests.conftest import BASELINES, audit_resources, findings_of

FAMILY = "content-filter"
ARM_EXAMPLES = Path(__file__).resolve().parents[2] / "shared" / "arm-examples" / "Microsoft.CognitiveServices"


PARAMS = [pytest.param(c, v, id=f"{c.rule}-{c.name}-{v}") for c in CASES for v in c.variants]


@pytest.mark.parametrize(("case", "variant"), PARAMS)
def test_case(case: Case, variant: str, tmp_path: Path) -> None:
    found = findings_of(run_case(case, variant, tmp_path), case.rule)
    statuses = sorted(f.status.value for f in found)
    assert statuses == sorted(case.expect), [f.message for f in found]
    if case.contains:
        assert any(case.contains in f.message for f in found), [f.message for f in found]
    for f in found:
        json.dumps([f.expected, f.actual])  # the JSON report must be able to carry them


def family_rules() -> list[str]:
    return [rid for rid, r in all_rules().items() if r.control.value == FAMILY]


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    for rid in family_rules():
        seen = {s for c in CASES if c.rule == rid for s in c.expect}
        assert {"pass", "fail", "not_assessed"} <= seen, rid


def test_every_rule_is_in_both_baselines() -> None:
    for name in BASELINES.values():
        assert set(family_rules()) <= set(load_baseline(name).rules), name


def test_compliant_estates_only_pass(variant: str) -> None:
    result = audit_resources(estates.compliant(variant), variant)
    found = [f for f in result.findings if f.control.value == FAMILY]
    assert found and {f.status for f in found} == {Status.PASS}, [(f.rule_id, f.message) for f in found]
    assert {f.rule_id for f in found} == set(family_rules())


def test_drifted_estates_fail(variant: str) -> None:
    snapshot = Snapshot.from_data(estates.drifted_snapshot(variant))
    result = run_audit(snapshot, load_baseline(BASELINES[variant]), "test")
    failing = {f.rule_id for f in result.findings if f.control.value == FAMILY and f.status is Status.FAIL}
    # hate loosened on completions, jailbreak off, a deployment with no policy
    assert {"CF001", "CF002", "CF003"} <= failing


def test_invalid_threshold_is_an_error_not_a_pass(tmp_path: Path) -> None:
    baseline = baseline_copy("aistudio", "CF002", {"threshold": "Strict"}, tmp_path)
    found = findings_of(audit_resources(estates.compliant("aistudio"), baseline=str(baseline)), "CF002")
    assert [f.status for f in found] == [Status.ERROR]
    assert "threshold" in found[0].message


# --- Microsoft's own response bodies -------------------------------------------------


def example_body(name: str) -> Any:
    path = ARM_EXAMPLES / name
    if not path.is_file():
        pytest.skip(f"{path} is not present beside the repository")
    return json.loads(path.read_text(encoding="utf-8"))["responses"]["200"]["body"]


def example_estate(policies: list[dict[str, Any]], deployments: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """An OpenAI account holding the example bodies, typed as the collector stores them."""
    account_id = policies[0]["id"].split("/raiPolicies/")[0]
    out: list[dict[str, Any]] = [
        {"id": account_id, "name": "accountName", "type": ACCOUNTS, "kind": "OpenAI"}
    ]
    for body in policies:
        # The RAI policy examples carry no `type`; the collector sets it from the list it called.
        out.append({**copy.deepcopy(body), "type": POLICIES})
    for body in deployments:
        dep = copy.deepcopy(body)
        dep["id"] = f"{account_id}/deployments/{dep['name']}"
        out.append(dep)
    return out


EXAMPLE_FILES: list[tuple[str, Callable[[Any], list[dict[str, Any]]]]] = [
    ("2025-09-01/GetRaiPolicy.json", lambda body: [body]),
    ("2025-06-01/ListRaiPolicies.json", lambda body: list(body["value"])),
]


@pytest.mark.parametrize(("name", "policies_of"), EXAMPLE_FILES, ids=[n for n, _ in EXAMPLE_FILES])
def test_microsoft_rai_policy_examples(name: str, policies_of: Callable[[Any], list[dict[str, Any]]]) -> None:
    """Microsoft's policy (async mode, loose levels, filters without a level) goes through every rule."""
    policies = policies_of(example_body(name))
    named = copy.deepcopy(example_body("2025-09-01/GetDeployment.json"))
    named["properties"]["raiPolicyName"] = policies[0]["name"]
    unnamed = copy.deepcopy(example_body("2025-09-01/GetDeployment.json"))
    unnamed["name"] = "unfiltered"  # Microsoft's deployment example names no policy
    result = audit_resources(example_estate(policies, [named, unnamed]))
    by_rule = {rid: findings_of(result, rid) for rid in family_rules()}
    assert all(f.status is not Status.ERROR for found in by_rule.values() for f in found)
    assert sorted(f.status.value for f in by_rule["CF001"]) == ["fail", "pass"]
    cf002 = by_rule["CF002"]
    assert [f.status for f in cf002] == [Status.FAIL]
    assert "read severityThreshold" in cf002[0].message
    assert "Prompt/hate is disabled" in cf002[0].message
    assert "Prompt/sexual severityThreshold is High, looser than Low" in cf002[0].message
    assert [f.status for f in by_rule["CF003"]] == [Status.PASS]  # Jailbreak has no threshold and blocks
    assert [f.status for f in by_rule["CF004"]] == [Status.FAIL]  # mode Asynchronous_filter
    assert [f.status for f in by_rule["CF005"]] == [Status.FAIL]  # profanity on prompts only
