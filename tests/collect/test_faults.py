"""Faults during a live read: what ARM refuses is recorded, retried where ARM says so, and
never turns into a pass; failures of the credential or the network stop the run."""

from __future__ import annotations

import http.server
import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any, ClassVar

import pytest
from azure.core.exceptions import ClientAuthenticationError

from auditor.arm.snapshot import Snapshot, load_snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.errors import AzureAccessError, InputError
from auditor.model import Status
from tests.fakearm import FakeArm, load_estate
from tests.fakearm.harness import (
    FOREIGN_ENV,
    auditor_command,
    azure_env,
    baseline_of,
    collect,
    run_cli,
    sample_path,
)

SAMPLE = "openai-e2e-chat-aml-compliant"
SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"
NSG_LIST = f"/subscriptions/{SUB}/providers/Microsoft.Network/networkSecurityGroups"

pytestmark = pytest.mark.live  # the real SDK clients against the fake ARM server


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
    # Issue 13: a 401 on some paths is a read error of those paths; on every read, it stops the run.
    fake.add_fault(r"^/subscriptions/[^/]+/.", 401)
    with pytest.raises(AzureAccessError, match="could not authenticate") as caught:
        collect(fake, [SUB])
    assert "401" in str(caught.value) and caught.value.exit_code == 3


def test_token_rejected_on_some_paths_is_a_read_error_of_those_paths(
    fake: FakeArm, clean_verdicts: dict[tuple[str, str], Status]
) -> None:
    fake.add_fault(r"/providers/Microsoft\.Network/", 401)
    snap = collect(fake, [SUB])
    network = [e for e in snap.errors if e.resource_type.startswith("Microsoft.Network/")]
    assert network and all(e.status == 401 for e in network)
    assert {e.resource_type for e in snap.errors} == {e.resource_type for e in network}
    assert any(r["type"] == "Microsoft.KeyVault/vaults" for r in snap.resources), "the rest was read"
    assert only_missing_data_changed(clean_verdicts, snap)


def test_unknown_subscription_stops_the_run(fake: FakeArm) -> None:
    # Issue 11: a subscription that is not there is a usage error (exit 2) naming the visible ones.
    with pytest.raises(InputError, match=r"subscription 0{8}-0{4}-0{4}-0{4}-0{12} not found") as caught:
        collect(fake, ["00000000-0000-0000-0000-000000000000"])
    assert caught.value.exit_code == 2 and f"({SUB})" in str(caught.value)
    # Nothing was read under the unknown subscription. (The server is shared by the module, so
    # requests of an earlier test's collection may still arrive: look at this subscription only.)
    unknown = "/subscriptions/00000000-0000-0000-0000-000000000000/"
    assert not [r for r in fake.requests() if r.path.lower().startswith(unknown) and "/providers/" in r.path]


def test_collection_errors_survive_the_snapshot_file(fake: FakeArm, tmp_path: Any) -> None:
    from auditor.arm.snapshot import save_snapshot

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
    with azure_env(fake, **unset), pytest.raises(AzureAccessError) as caught:
        collect_snapshot(Cloud.from_options(fake.url, fake.url), [SUB])
    message = str(caught.value)
    assert message.startswith(
        "could not authenticate to Azure: no credential in DefaultAzureCredential's chain worked"
        " (tried Environment;"
    )
    assert "az login" in message and "AZURE_CLIENT_SECRET" in message and "\n" not in message
    assert [r for r in fake.requests() if r.method == "POST"] == []


class _NoIdentityImds(http.server.BaseHTTPRequestHandler):
    """What IMDS answers on a machine without a managed identity: 400 "Identity not found"."""

    paths: ClassVar[list[str]] = []

    def do_GET(self) -> None:
        self.paths.append(self.path)
        body = json.dumps({"error": "invalid_request", "error_description": "Identity not found"}).encode()
        self.send_response(400)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def no_identity_imds() -> Iterator[tuple[str, list[str]]]:
    paths: ClassVar[list[str]] = []
    handler = type("Handler", (_NoIdentityImds,), {"paths": paths})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", paths
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


NOT_LOGGED_IN_AZ = """#!/bin/sh
echo "ERROR: Please run 'az login' to setup account." >&2
exit 1
"""


@pytest.mark.skipif(os.name != "posix", reason="the stand-in Azure CLI is a shell script")
@pytest.mark.parametrize("az", ["not logged in", "not installed"])
def test_cli_without_any_credential_says_the_whole_chain_failed(
    tmp_path: Path, no_identity_imds: tuple[str, list[str]], az: str
) -> None:
    """A pipeline or a laptop with nothing signed in: the message must not blame one credential."""
    imds, imds_paths = no_identity_imds
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    if az == "not logged in":  # what az answers with an empty AZURE_CONFIG_DIR
        (bin_dir / "az").write_text(NOT_LOGGED_IN_AZ)
        (bin_dir / "az").chmod(0o755)
    (tmp_path / "azure-config").mkdir()
    env = {k: v for k, v in os.environ.items() if not FOREIGN_ENV.match(k)}
    env.update(
        {
            # Only the stand-in az on PATH: no real az, pwsh or azd login can answer.
            "PATH": str(bin_dir),
            "HOME": str(tmp_path),
            "AZURE_CONFIG_DIR": str(tmp_path / "azure-config"),
            # Managed identity asks this local IMDS, never 169.254.169.254 (which answers on Azure-hosted
            # CI runners). It is not a credential: the environment still holds none.
            "AZURE_POD_IDENTITY_AUTHORITY_HOST": imds,
            "NO_PROXY": "127.0.0.1,localhost",
        }
    )
    closed = "https://127.0.0.1:9"  # no ARM request may leave the machine either
    result = subprocess.run(
        [*auditor_command(), "collect", "--subscription", SUB, "--arm-endpoint", closed, "-o", "s.json"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 3, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    prefix = (
        "auditor: error: could not authenticate to Azure: no credential in DefaultAzureCredential's chain"
    )
    assert lines[0].startswith(prefix), lines[0]
    for name in ("Environment", "ManagedIdentity", "AzureCli"):
        assert name in lines[0]
    assert "EnvironmentCredential authentication unavailable" not in lines[0]
    detail = "Please run 'az login' to set up an account" if az == "not logged in" else "Azure CLI not found"
    assert detail in lines[0]
    assert lines[0].endswith(
        "sign in with az login, or set AZURE_TENANT_ID, AZURE_CLIENT_ID and AZURE_CLIENT_SECRET"
    )
    assert imds_paths and all(p.startswith("/metadata/identity/oauth2/token") for p in imds_paths)
    assert not (tmp_path / "s.json").exists()


def _chain_error(*credentials: Any) -> tuple[ClientAuthenticationError, int]:
    from azure.identity import ChainedTokenCredential

    chain = ChainedTokenCredential(*credentials)
    with pytest.raises(ClientAuthenticationError) as caught:
        chain.get_token("https://management.azure.com/.default")
    return caught.value, len(chain.credentials)


class _UnavailableCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        from azure.identity import CredentialUnavailableError

        raise CredentialUnavailableError(message="nothing configured. See the docs")


class _BrokenCredential:
    def get_token(self, *scopes: str, **kwargs: Any) -> Any:
        raise ClientAuthenticationError(message="the token endpoint answered 500. Try again later")


def test_a_chain_stopped_by_a_failing_credential_names_that_credential() -> None:
    from auditor.collect.run import _auth_reason

    exc, length = _chain_error(_UnavailableCredential(), _BrokenCredential(), _UnavailableCredential())
    assert _auth_reason(exc, length) == "_BrokenCredential failed: the token endpoint answered 500"
    exc, length = _chain_error(_UnavailableCredential(), _UnavailableCredential())
    reason = _auth_reason(exc, length)
    assert reason.startswith(
        "no credential in DefaultAzureCredential's chain worked (tried _Unavailable, _Unavailable;"
    )


def test_ml_answer_that_is_not_a_list_is_recorded(fake: FakeArm, estate: list[dict[str, Any]]) -> None:
    store = fake.load(estate)
    workspace = next(r for r in estate if r["type"] == "Microsoft.MachineLearningServices/workspaces")
    store.add_route(f"{workspace['id']}/computes", {"value": "not a list"})
    snap = collect(fake, [SUB])
    assert [(e.scope, e.resource_type, e.code) for e in snap.errors] == [
        (f"{workspace['id']}/computes", "Microsoft.MachineLearningServices/workspaces/computes", "NotAList")
    ]


def test_collect_counts_one_read_error_in_the_singular(fake: FakeArm, tmp_path: Path) -> None:
    fake.add_fault(f"^{re.escape(NSG_LIST)}$", 403)
    # The fault is on the ARM list: read it there (Resource Graph would list the NSGs).
    proc = run_cli(fake, ["collect", "--subscription", SUB, "--no-resource-graph", "-o", "s.json"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    last = proc.stderr.strip().splitlines()[-1]
    assert re.fullmatch(r"wrote s\.json: \d+ resources, 1 read error", last), last


# --- issue 13: never stuck ------------------------------------------------------------------


def test_the_deadline_ends_the_run_with_what_was_read(fake: FakeArm) -> None:
    """Reads that never answer: the run ends at its deadline, partial, every open read recorded."""
    import time

    from auditor.engine.run import scope_of

    path = f"/subscriptions/{SUB}/providers/Microsoft.Web/serverfarms"
    fake.add_fault(f"^{re.escape(path)}$", 200, kind="hang", delay=30)
    started = time.monotonic()
    snap = collect(fake, [SUB], deadline=4.0, read_timeout=20.0, retry_read=0)
    assert time.monotonic() - started < 10, "the deadline did not end the run"
    [error] = [e for e in snap.errors if e.resource_type == "Microsoft.Web/serverfarms"]
    assert (error.scope, error.code) == (path, "DeadlineExceeded")
    assert "time limit (4 s)" in error.message
    assert snap.metadata["partial"] is True and snap.metadata["deadline_seconds"] == 4.0
    assert scope_of(snap, "azure")["partial"] is True
    assert [r for r in snap.resources if r["type"] == "Microsoft.Network/virtualNetworks"], (
        "the rest was read"
    )


def test_a_long_retry_after_is_recorded_as_throttled_not_slept(fake: FakeArm) -> None:
    import time

    path = f"/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks"
    fake.add_fault(f"^{re.escape(path)}$", 429, retry_after=3600)
    started = time.monotonic()
    snap = collect(fake, [SUB], retry_after_cap=5.0)
    assert time.monotonic() - started < 30
    [error] = snap.errors
    assert (error.scope, error.status, error.code) == (path, 429, "Throttled")
    assert "3600 s" in error.message and "cap of 5 s" in error.message


def test_a_short_retry_after_is_waited_out_and_shown(fake: FakeArm) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.Network/virtualNetworks"
    fake.add_fault(f"^{re.escape(path)}$", 429, retry_after=1, times=5)
    said: list[str] = []
    snap = collect(fake, [SUB], progress=said.append)
    assert snap.errors == [], "five 429s in a row are more than azure-core's three retries, not ours"
    assert [r.status for r in fake.requests() if r.path == path] == [429] * 5 + [200]
    assert any(m.startswith("throttled by ARM: waiting 1 s (Retry-After)") and path in m for m in said), said


def test_a_next_link_loop_in_an_sdk_list_is_stopped(fake: FakeArm) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.KeyVault/vaults"
    fake.add_fault(f"^{re.escape(path)}$", 200, kind="loop")
    snap = collect(fake, [SUB])
    [error] = snap.errors
    assert (error.scope, error.code) == (path, "PagingStopped") and "repeats" in error.message
    assert [r for r in snap.resources if r["type"] == "Microsoft.KeyVault/vaults"], "the first page is kept"


@pytest.mark.parametrize("kind", ["empty", "html", "truncated"])
def test_an_unreadable_200_is_a_read_error(fake: FakeArm, kind: str) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.Web/serverfarms"
    fake.add_fault(f"^{re.escape(path)}$", 200, kind=kind)
    snap = collect(fake, [SUB])
    [error] = snap.errors
    assert (error.scope, error.status, error.code) == (path, 200, "UnreadableAnswer")


def test_a_list_item_without_an_id_is_a_read_error_of_its_list(fake: FakeArm) -> None:
    path = f"/subscriptions/{SUB}/providers/Microsoft.Authorization/roleAssignments"
    fake.add_fault(f"^{re.escape(path)}$", 200, kind="noid", times=1)
    snap = collect(fake, [SUB])
    [error] = snap.errors
    assert (error.scope, error.resource_type, error.code) == (
        path,
        "Microsoft.Authorization/roleAssignments",
        "ItemWithoutId",
    )
    assert error.message.startswith("1 of the ")


def test_an_expiring_token_is_renewed(fake: FakeArm) -> None:
    fake.token_lifetime = 1
    fake.latency = 0.05  # the run lasts several token lifetimes
    before = len(fake.tokens)
    try:
        snap = collect(fake, [SUB], workers=2)
    finally:
        fake.latency = 0.0
    assert snap.errors == []
    assert len(fake.tokens) - before >= 3, "azure-identity did not fetch new tokens"
    assert not [r for r in fake.requests() if r.status == 401]


def test_a_token_endpoint_that_never_answers_ends_in_exit_3_in_time(fake: FakeArm) -> None:
    import time

    fake.token_delay = 60
    started = time.monotonic()
    try:
        with pytest.raises(AzureAccessError) as caught:
            collect(fake, [SUB], deadline=5.0, read_timeout=2.0, connect_timeout=2.0)
    finally:
        fake.token_delay = 0
    assert caught.value.exit_code == 3
    assert time.monotonic() - started < 15
