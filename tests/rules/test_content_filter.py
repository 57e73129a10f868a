"""Content-filter rules (CF0xx): the case table, the sample estates and Microsoft's RAI policy examples."""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import InputError
from auditor.model import Status
from tests import estates, paths
from tests.cases.common import (
    StatusCase,
    assert_case,
    assert_compliant_estates_only_pass,
    assert_drifted_estates_fail,
    assert_every_rule_has_pass_fail_and_not_assessed_cases,
    assert_every_rule_is_in_both_baselines,
    baseline_copy,
    case_params,
    drifted_findings,
    family_rules,
)
from tests.cases.content_filter import ACCOUNTS, CASES, POLICIES
from tests.conftest import audit_resources, findings_of

FAMILY = "content-filter"
ARM_EXAMPLES = paths.SHARED / "arm-examples" / "Microsoft.CognitiveServices"


@pytest.mark.parametrize(("case", "variant"), case_params(CASES))
def test_case(case: StatusCase, variant: str, tmp_path: Path) -> None:
    assert_case(case, variant, tmp_path)


def test_every_rule_has_pass_fail_and_not_assessed_cases() -> None:
    assert_every_rule_has_pass_fail_and_not_assessed_cases(FAMILY, CASES)


def test_every_rule_is_in_both_baselines() -> None:
    assert_every_rule_is_in_both_baselines(FAMILY)


def test_compliant_estates_only_pass(variant: str) -> None:
    assert_compliant_estates_only_pass(FAMILY, variant)


def test_drifted_estates_fail(variant: str) -> None:
    # hate loosened on completions, jailbreak off, a deployment with no policy
    assert_drifted_estates_fail(FAMILY, variant, {"CF001", "CF002", "CF003"})


def test_invalid_threshold_is_an_error_not_a_pass(tmp_path: Path) -> None:
    # Checked when the baseline loads: the audit never runs on a threshold it cannot apply.
    baseline = baseline_copy("aistudio", "CF002", {"threshold": "Strict"}, tmp_path)
    with pytest.raises(InputError, match=r"CF002: parameter threshold must be one of Low, Medium, High"):
        audit_resources(estates.compliant("aistudio"), baseline=str(baseline))


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
    by_rule = {rid: findings_of(result, rid) for rid in family_rules(FAMILY)}
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


def test_foundry_compliant_sample_only_passes() -> None:
    assert_compliant_estates_only_pass(FAMILY, "foundry", {"CF001", "CF004", "CF010", "CF011"})


def test_foundry_drifted_sample_fails_each_drift() -> None:
    # tests.foundry.models.drift: a looser custom policy bound (hate High on completions, violence not
    # blocking on prompts, jailbreak inherited disabled, mode asynchronous, a blocklist bound without
    # blocking), an unbound blocklist, a second deployment without policy.
    found = drifted_findings(FAMILY, "foundry")
    failing = {(f.rule_id, f.resource_id.rsplit("/", 1)[-1]) for f in found if f.status is Status.FAIL}
    assert {
        ("CF001", "chat-fallback"),
        ("CF004", "chat-relaxed"),
        ("CF010", "chat-agent-model"),
        ("CF010", "chat-fallback"),
        ("CF011", "chat-relaxed"),
        ("CF012", "unused-terms"),
    } <= failing
    [relaxed] = [f for f in found if f.rule_id == "CF010" and f.resource_id.endswith("chat-agent-model")]
    for part in (
        "Completion/hate severityThreshold is High",
        "Prompt/violence does not block",
        "Prompt/jailbreak is disabled",
    ):
        assert part in relaxed.message
