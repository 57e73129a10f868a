"""Faults during a live read: what ARM refuses is recorded, retried where ARM says so, and
never turns into a pass; failures of the credential or the network stop the run."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import pytest

from auditor.baseline import load_baseline
from auditor.engine import run_audit
from auditor.errors import AzureAccessError
from auditor.model import Status
from auditor.snapshot import Snapshot, load_snapshot
from tests.fakearm import FakeArm, load_estate
from tests.fakearm.harness import azure_env, baseline_of, collect, sample_path

SAMPLE = "openai-e2e-chat-aml-compliant"
SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
NSG_LIST = f"/subscriptions/{SUB}/providers/Microsoft.Network/networkSecurityGroups"

pytestmark = pytest.mark.skipif(not sample_path(SAMPLE).exists(), reason=f"examples/{SAMPLE}.json is missing")


@pytest.fixture(scope="module")
def estate() -> list[dict[str, Any]]:
    return load_estate(sample_path(SAMPLE))


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, estate: list[dict[str, Any]]) -> Iterator[FakeArm]:
    with FakeArm(estate, workdir=tmp_path_factory.mktemp("fakearm")) as fake:
        yield fake


@pytest.fixture
def fake(server: FakeArm, estate: list[dict[str, Any]]) -> FakeArm:
    server.load(estate)
    server.reset()
    return server


@pytest.fixture(scope="module")
def clean_verdicts() -> dict[tuple[str, str], Status]:
    result = run_audit(load_snapshot(sample_path(SAMPLE)), load_baseline(baseline_of(SAMPLE)), "clean")
    return {(f.rule_id, f.resource_id.lower()): f.status for f in result.findings}


def only_missing_data_changed(
    clean: dict[tuple[str, str], Status], snapshot: Snapshot
) -> list[tuple[str, str]]:
    """Audit the faulted snapshot; every verdict that moved must have moved to not_assessed.

    Returns the keys that became not_assessed because of the fault.
    """
    result = run_audit(snapshot, load_baseline(baseline_of(SAMPLE)), "faulted")
    moved: list[tuple[str, str]] = []
    for f in result.findings:
        key = (f.rule_id, f.resource_id.lower())
        assert f.status != Status.ERROR, f.message
        if clean.get(key) != f.status:
            assert f.status == Status.NOT_ASSESSED, f"{key}: {clean.get(key)} -> {f.status} ({f.message})"
            moved.append(key)
    return moved


def test_forbidden_nsg_list_is_recorded_and_nsg_checks_are_not_assessed(
    fake: FakeArm, clean_verdicts: dict[tuple[str, str], Status]
) -> None:
    fake.add_fault(f"^{re.escape(NSG_LIST)}$", 403)
    snap = collect(fake, [SUB])
    [error] = [e for e in snap.errors if e.resource_type == "Microsoft.Network/networkSecurityGroups"]
    assert (error.scope, error.status, error.code) == (NSG_LIST, 403, "AuthorizationFailed")
    assert "authorization" in error.message
    assert not [r for r in snap.resources if r["type"] == "Microsoft.Network/networkSecurityGroups"]
    assert [r for r in snap.resources if r["type"] == "Microsoft.Network/virtualNetworks"], (
        "the rest was read"
    )
    moved = only_missing_data_changed(clean_verdicts, snap)
    assert any(rule.startswith("NSG") for rule, _ in moved), moved


def test_forbidden_diagnostic_settings_of_one_vault(
    fake: FakeArm, estate: list[dict[str, Any]], clean_verdicts: dict[tuple[str, str], Status]
) -> None:
    vault = next(r for r in estate if r["type"] == "Microsoft.KeyVault/vaults")
    scope = f"{vault['id']}/providers/Microsoft.Insights/diagnosticSettings"
    fake.add_fault(f"^{re.escape(scope)}$", 403)
    snap = collect(fake, [SUB])
    assert [(e.scope, e.resource_type, e.status) for e in snap.errors] == [
        (scope, "Microsoft.Insights/diagnosticSettings", 403)
    ]
    moved = only_missing_data_changed(clean_verdicts, snap)
    assert moved and all(resource == vault["id"].lower() for _, resource in moved), moved


def test_throttled_read_waits_for_retry_after_and_succeeds(fake: FakeArm) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks"
    fake.add_fault(f"^{re.escape(path)}$", 429, times=1, retry_after=1)
    snap = collect(fake, [SUB])
    assert snap.errors == []
    assert [r for r in snap.resources if r["type"] == "Microsoft.Network/virtualNetworks"]
    tries = [r for r in fake.requests() if r.path == path]
    assert [r.status for r in tries] == [429, 200]
    assert tries[1].at - tries[0].at >= 0.9, "Retry-After: 1 was not honoured"


def test_server_error_on_one_path_is_retried_then_recorded(
    fake: FakeArm, estate: list[dict[str, Any]]
) -> None:
    account = next(r for r in estate if r["type"] == "Microsoft.Storage/storageAccounts")
    path = f"{account['id']}/fileServices/default"
    fake.add_fault(f"^{re.escape(path)}$", 500)
    snap = collect(fake, [SUB], retry_total=2)
    assert [(e.scope, e.resource_type, e.status, e.code) for e in snap.errors] == [
        (path, "Microsoft.Storage/storageAccounts/fileServices", 500, "InternalServerError")
    ]
    assert len([r for r in fake.requests() if r.path == path]) == 3  # the first try and two retries
    assert any(r["id"] == f"{account['id']}/blobServices/default" for r in snap.resources)


def test_missing_child_collection_is_recorded_as_404(fake: FakeArm, estate: list[dict[str, Any]]) -> None:
    account = next(r for r in estate if r["type"] == "Microsoft.CognitiveServices/accounts")
    path = f"{account['id']}/raiPolicies"
    fake.add_fault(f"^{re.escape(path)}$", 404)
    snap = collect(fake, [SUB])
    assert [(e.scope, e.resource_type, e.status) for e in snap.errors] == [
        (path, "Microsoft.CognitiveServices/accounts/raiPolicies", 404)
    ]


def test_slow_answer_past_the_read_timeout_is_recorded(fake: FakeArm) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.Web/serverfarms"
    fake.add_fault(f"^{re.escape(path)}$", 200, delay=2.5)
    snap = collect(fake, [SUB], read_timeout=1.0, retry_read=0)  # generous: a busy CI box is slow
    [error] = snap.errors
    assert (error.scope, error.resource_type, error.status) == (path, "Microsoft.Web/serverfarms", None)
    assert error.code.startswith("ServiceResponse")  # azure-core's timeout error


def test_provider_registration_is_refused_not_sent(fake: FakeArm) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.Search/searchServices"
    fake.add_fault(f"^{re.escape(path)}$", 409, code="MissingSubscriptionRegistration", times=1)
    snap = collect(fake, [SUB])
    [error] = snap.errors
    assert (error.scope, error.resource_type, error.code) == (
        path,
        "Microsoft.Search/searchServices",
        "RefusedRequest",
    )
    assert "POST" in error.message and "/register" in error.message
    assert [r.path for r in fake.requests() if r.method != "GET"] == [f"/{fake.tenant}/oauth2/v2.0/token"]


def test_next_link_to_another_host_is_not_followed(fake: FakeArm, estate: list[dict[str, Any]]) -> None:
    store = fake.load(estate)
    workspaces = [r for r in estate if r["type"] == "Microsoft.MachineLearningServices/workspaces"]
    ml_path = f"/subscriptions/{SUB}/providers/Microsoft.MachineLearningServices/workspaces"
    store.add_route(
        ml_path,
        {
            "value": workspaces,
            "nextLink": f"https://management.azure.com{ml_path}?api-version=2025-09-01&$skiptoken=x",
        },
        verbatim=True,
    )
    vaults = [r for r in estate if r["type"] == "Microsoft.KeyVault/vaults"]
    kv_path = f"/subscriptions/{SUB}/providers/Microsoft.KeyVault/vaults"
    store.add_route(kv_path, {"value": vaults, "nextLink": "https://elsewhere.example/next"}, verbatim=True)
    snap = collect(fake, [SUB])
    codes = {(e.scope, e.code) for e in snap.errors}
    assert codes == {(ml_path, "NextLinkRefused"), (kv_path, "RefusedRequest")}
    ids = {r["id"] for r in snap.resources}
    assert {w["id"] for w in workspaces} <= ids and {v["id"] for v in vaults} <= ids  # the first page is kept


def test_bad_secret_raises_azure_access_error(fake: FakeArm) -> None:
    with azure_env(fake, AZURE_CLIENT_SECRET="wrong"), pytest.raises(AzureAccessError) as caught:
        from auditor.collect import Cloud, collect_snapshot

        collect_snapshot(Cloud.from_options(fake.url, fake.url), [SUB])
    assert "AADSTS7000215" in str(caught.value) and "\n" not in str(caught.value)
    assert caught.value.exit_code == 3


def test_token_rejected_by_arm_stops_the_run(fake: FakeArm) -> None:
    fake.add_fault(r"/providers/Microsoft\.Network/", 401)
    with pytest.raises(AzureAccessError, match="could not authenticate"):
        collect(fake, [SUB])


def test_unknown_subscription_stops_the_run(fake: FakeArm) -> None:
    with pytest.raises(AzureAccessError, match=r"cannot read subscription .*404 SubscriptionNotFound"):
        collect(fake, ["00000000-0000-0000-0000-000000000000"])


def test_collection_errors_survive_the_snapshot_file(fake: FakeArm, tmp_path: Any) -> None:
    from auditor.snapshot import save_snapshot

    fake.add_fault(f"^{re.escape(NSG_LIST)}$", 403)
    snap = collect(fake, [SUB])
    save_snapshot(snap, tmp_path / "s.json")
    again = load_snapshot(tmp_path / "s.json")
    assert [e.to_dict() for e in again.errors] == [e.to_dict() for e in snap.errors]
    assert again.collected_types == snap.collected_types
    assert json.loads((tmp_path / "s.json").read_text())["errors"][0]["scope"] == NSG_LIST


def test_no_credential_at_all_says_how_to_sign_in(fake: FakeArm) -> None:
    from auditor.collect import Cloud, collect_snapshot

    unset = {"AZURE_CLIENT_ID": None, "AZURE_CLIENT_SECRET": None}
    with azure_env(fake, **unset), pytest.raises(AzureAccessError, match="no credential is available"):
        collect_snapshot(Cloud.from_options(fake.url, fake.url), [SUB])
    assert [r for r in fake.requests() if r.method == "POST"] == []


def test_ml_answer_that_is_not_a_list_is_recorded(fake: FakeArm, estate: list[dict[str, Any]]) -> None:
    store = fake.load(estate)
    workspace = next(r for r in estate if r["type"] == "Microsoft.MachineLearningServices/workspaces")
    store.add_route(f"{workspace['id']}/computes", {"value": "not a list"})
    snap = collect(fake, [SUB])
    assert [(e.scope, e.resource_type, e.code) for e in snap.errors] == [
        (f"{workspace['id']}/computes", "Microsoft.MachineLearningServices/workspaces/computes", "NotAList")
    ]
