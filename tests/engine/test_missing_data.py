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


# --- issue 13: a failed read of any type never turns a verdict into a pass, nor hides a failure ---

SAMPLES = {"aistudio": "openai-e2e-chat-aistudio-drifted", "aml": "openai-e2e-chat-aml-drifted"}


def _sample(variant: str) -> Snapshot:
    from auditor.arm.snapshot import load_snapshot

    return load_snapshot(Path(__file__).resolve().parents[2] / "examples" / f"{SAMPLES[variant]}.json")


def _read_types(variant: str) -> list[str]:
    """Every collected type some rule of the variant's baseline reads (as the read log records it)."""
    from auditor.analysis.architecture import infer_roles
    from auditor.arm.reads import ReadLog
    from auditor.engine.baseline import load_baseline
    from auditor.engine.catalogue import all_rules
    from auditor.engine.registry import Context

    snapshot = _sample(variant)
    baseline = load_baseline(f"openai-e2e-chat-{variant}")
    estate = Estate(snapshot)
    roles = infer_roles(estate, baseline.roles)
    found: set[str] = set()
    catalogue = all_rules()
    for rule_id in baseline.rules:
        rule = catalogue[rule_id]
        reads = ReadLog()
        seen = estate.reading(reads)
        ctx = Context(estate=seen, roles=roles.reading(seen), params=baseline.params_for(rule), reads=reads)
        list(rule.run(ctx))
        found |= reads.reads
    return sorted(t for t in found if t in estate.collected_types)


def _fail_reads_of(snapshot: Snapshot, rtype: str) -> Snapshot:
    """The snapshot as a collection would give it had every read of `rtype` failed (403)."""
    from dataclasses import replace as replaced

    from auditor.arm import ids
    from auditor.arm.snapshot import CollectionError

    wanted = rtype.lower()
    gone = [
        r
        for r in snapshot.resources
        if r["type"].lower() == wanted or r["type"].lower().startswith(wanted + "/")
    ]
    kept = [r for r in snapshot.resources if r not in gone]
    scopes: set[str] = set()
    subs = [f"/subscriptions/{s}" for s in snapshot.metadata.get("subscriptions") or [estates.SUB]]
    _, *path = rtype.split("/")
    if wanted == "microsoft.insights/diagnosticsettings":
        scopes |= {f"{r['id']}/providers/{rtype}" for r in kept}
    elif wanted == "microsoft.authorization/roledefinitions":
        scopes |= {r["id"] for r in gone}
    elif len(path) == 1:  # a top-level type: its subscription-wide list
        scopes |= {f"{s}/providers/{rtype}" for s in subs}
    else:  # a child collection: the list under every parent
        parent_type = rtype.rsplit("/", 1)[0].lower()
        scopes |= {f"{r['id']}/{path[-1]}" for r in kept if r["type"].lower() == parent_type}
        scopes |= {f"{ids.parent_of(r['id'])}/{path[-1]}" for r in gone if ids.parent_of(r["id"])}
    errors = [CollectionError(s, rtype, 403, "AuthorizationFailed", "denied") for s in sorted(scopes)]
    return replaced(snapshot, resources=kept, errors=[*snapshot.errors, *errors])


@pytest.mark.parametrize(
    ("variant", "rtype"), [(v, t) for v in SAMPLES for t in _read_types(v)], ids=lambda x: str(x)
)
def test_a_failed_read_never_passes_nor_hides_a_failure(variant: str, rtype: str) -> None:
    """Every type a rule reads fails in turn: no verdict turns into a pass, no failure vanishes."""
    from types import SimpleNamespace

    from auditor.engine.baseline import load_baseline
    from auditor.engine.run import run_audit
    from tests.fakearm.faults import verdicts, wrong_verdicts

    baseline = load_baseline(f"openai-e2e-chat-{variant}")
    snapshot = _sample(variant)
    clean = run_audit(snapshot, baseline, "clean")
    faulted = run_audit(_fail_reads_of(snapshot, rtype), baseline, "faulted")
    assert not [f for f in faulted.findings if f.status is Status.ERROR]
    wrong = wrong_verdicts(verdicts(clean), SimpleNamespace(findings=faulted.findings))  # type: ignore[arg-type]
    assert wrong == [], wrong
    assert faulted.card.coverage <= clean.card.coverage
