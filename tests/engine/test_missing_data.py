"""Data that could not be read never turns into a verdict: the reviewer's reproductions, kept."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.model import Status
from tests import estates
from tests.conftest import audit_resources

SUB = f"/subscriptions/{estates.SUB}"


def denied_list(resource_type: str, scope: str) -> dict[str, Any]:
    return {
        "scope": f"{scope}/providers/{resource_type}",
        "resource_type": resource_type,
        "status": 403,
        "code": "AuthorizationFailed",
        "message": "denied",
    }


def without(resources: list[dict[str, Any]], *types: str) -> list[dict[str, Any]]:
    lowered = {t.lower() for t in types}
    return [
        r
        for r in resources
        if not any(r["type"].lower() == t or r["type"].lower().startswith(t + "/") for t in lowered)
    ]


@pytest.mark.parametrize(
    ("hidden", "scope"),
    [
        ("Microsoft.Network/applicationGateways", SUB),
        ("Microsoft.Network/virtualNetworks", SUB),
        ("Microsoft.Network/privateEndpoints", SUB),
        ("Microsoft.KeyVault/vaults", SUB + "/resourceGroups/rg-chat-{v}"),
        ("Microsoft.MachineLearningServices/workspaces", SUB),
        ("Microsoft.Storage/storageAccounts", SUB),
        ("Microsoft.Web/sites", SUB),
    ],
)
def test_a_failed_list_never_produces_a_failure(variant: str, hidden: str, scope: str) -> None:
    """The compliant estate with one type unreadable: whatever cannot be judged is not assessed."""
    resources = without(estates.compliant(variant), hidden)
    result = audit_resources(resources, variant, errors=[denied_list(hidden, scope.format(v=variant))])
    failing = [
        f"{f.rule_id} {f.resource_id}: {f.message}" for f in result.findings if f.status is Status.FAIL
    ]
    assert failing == []
    assert any(f.status is Status.NOT_ASSESSED for f in result.findings)
    assert result.card.coverage < 1.0


@pytest.mark.parametrize("rule_id", ["DIAG009", "REL003", "IAM008", "PUB004"])
def test_rules_with_nothing_to_judge_say_why(rule_id: str) -> None:
    """Online endpoints hide behind an unreadable workspace list: their checks are not assessed."""
    workspaces = "Microsoft.MachineLearningServices/workspaces"
    resources = without(estates.compliant("aistudio"), workspaces)
    result = audit_resources(resources, errors=[denied_list(workspaces, SUB)])
    statuses = {f.status for f in result.findings if f.rule_id == rule_id}
    assert statuses == {Status.NOT_ASSESSED}


def test_children_of_an_unreadable_parent_are_gaps() -> None:
    resources = without(estates.compliant("aistudio"), "Microsoft.MachineLearningServices/workspaces")
    doc = estates.snapshot_document(resources, "aistudio", drifted=False)
    doc["errors"] = [denied_list("Microsoft.MachineLearningServices/workspaces", SUB)]
    estate = Estate(Snapshot.from_data(doc))
    assert estate.gap(
        "Microsoft.MachineLearningServices/workspaces/onlineEndpoints", SUB + "/resourceGroups/x"
    )
    assert estate.gap("Microsoft.Web/sites/config", SUB) is None


def test_found_violations_stay_failures_when_other_data_is_missing() -> None:
    """Missing storage data does not excuse an open Azure OpenAI account."""
    resources = without(estates.compliant("aistudio"), "Microsoft.Storage/storageAccounts")
    estates.find(resources, "Microsoft.CognitiveServices/accounts")["properties"]["publicNetworkAccess"] = (
        "Enabled"
    )
    result = audit_resources(resources, errors=[denied_list("Microsoft.Storage/storageAccounts", SUB)])
    assert [f.status for f in result.findings if f.rule_id == "PUB001"] == [Status.FAIL]


def test_a_body_without_properties_is_not_a_pass() -> None:
    resources = estates.compliant("aistudio")
    registry = estates.find(resources, "Microsoft.ContainerRegistry/registries")
    del registry["properties"]
    result = audit_resources(resources)
    verdicts = {f.status for f in result.findings if f.resource_id == registry["id"]}
    assert Status.PASS not in verdicts
    assert Status.NOT_ASSESSED in verdicts


@pytest.mark.parametrize(
    "mutate",
    [
        lambda res: estates.find(res, "Microsoft.Network/applicationGateways")["identity"].update(
            userAssignedIdentities=["not", "a", "map"]
        ),
    ],
    ids=["identities-as-list"],
)
def test_malformed_resources_are_input_errors(tmp_path: Path, mutate: Any) -> None:
    doc = estates.compliant_snapshot("aistudio")
    mutate(doc["resources"])
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--snapshot", str(path)], capture_output=True, text=True
    )
    assert proc.returncode == 2, proc.stderr
    assert proc.stderr.startswith("auditor: error: malformed resource in the snapshot")
    assert len(proc.stderr.strip().splitlines()) == 1


def test_a_malformed_array_costs_only_what_it_holds(tmp_path: Path) -> None:
    """A number where ARM has an array of connections: the audit goes on, no rule errors, no traceback.

    (It was an input error for the whole audit; hostile input must not stop the rest.)
    """
    doc = estates.compliant_snapshot("aistudio")
    estates.find(doc["resources"], "Microsoft.Network/privateEndpoints")["properties"].update(
        manualPrivateLinkServiceConnections=7
    )
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc))
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--snapshot", str(path), "-f", "json"],
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 0, proc.stderr
    report = json.loads(proc.stdout)
    assert [f for f in report["findings"] if f["status"] == "error"] == []


def test_an_empty_estate_fails_instead_of_passing(variant: str) -> None:
    """Auditing the wrong subscription must not look like a clean bill of health."""
    result = audit_resources([], variant)
    failing = {f.rule_id for f in result.findings if f.status is Status.FAIL}
    assert {"PUB001", "PUB002", "PUB006", "PUB007", "PUB009", "PUB015", "PUB020", "NSG001"} <= failing
    assert result.card.score == 0.0


def test_a_missing_component_fails_only_when_its_type_was_read() -> None:
    resources = without(estates.compliant("aistudio"), "Microsoft.Network/applicationGateways")
    read = audit_resources(resources)
    assert [f.status for f in read.findings if f.rule_id == "PUB020"] == [Status.FAIL]
    unread = audit_resources(resources, errors=[denied_list("Microsoft.Network/applicationGateways", SUB)])
    assert [f.status for f in unread.findings if f.rule_id == "PUB020"] == [Status.NOT_ASSESSED]
