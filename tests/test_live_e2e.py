"""End to end: the real `auditor` console script, azure-identity and azure-mgmt clients
against the fake ARM server. A live audit must give the same findings as an audit of the
snapshot the server serves, while only reading and without leaking a secret."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from auditor.cli import cli
from tests.fakearm import FakeArm, LoggedRequest, load_estate, readonly, server
from tests.fakearm.harness import SAMPLE_NAMES, baseline_of, reproduce_errors, run_cli, sample_path

SUB = "3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15"

# The sample estates are part of the repository: a missing one fails these tests, never skips them.
pytestmark = pytest.mark.live


@pytest.fixture(scope="module")
def fake(tmp_path_factory: pytest.TempPathFactory) -> Any:
    with FakeArm(workdir=tmp_path_factory.mktemp("fakearm")) as server:
        yield server


def serve(fake: FakeArm, name: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(sample_path(name).read_text(encoding="utf-8"))
    fake.load(load_estate(doc))
    fake.reset()
    reproduce_errors(fake, doc["errors"])
    return doc


def verdicts(report: dict[str, Any]) -> set[tuple[str, str, str]]:
    return {(f["rule_id"], f["resource_id"].lower(), f["status"]) for f in report["findings"]}


def assert_read_only(log: list[LoggedRequest]) -> None:
    """Only reads (Resource Graph queries included) and the sign-in, no secret-bearing action
    (tests/conftest.py checks every test too)."""
    assert log, "the server saw no request"
    assert readonly.violations(log) == []
    assert all(r in server.TRAIL for r in log[:5]), "the per-test check does not see these requests"
    # The sign-in, and the inventory's Resource Graph queries (a query only reads): exactly
    # these, so a live audit that fell back to ARM lists, or sent any other POST, fails here.
    posts = {readonly.allowed_post(r.path) for r in log if r.method == "POST"}
    assert posts == {"token", "resource graph query"}, posts
    assert any(r.method == "POST" and r.path.endswith("/oauth2/v2.0/token") for r in log), (
        "no token was requested"
    )


def assert_no_secret(fake: FakeArm, *texts: str) -> None:
    assert fake.tokens, "the server issued no token"
    for text in texts:
        assert fake.client_secret not in text
        for token in fake.tokens:
            assert token not in text


@pytest.mark.parametrize("name", SAMPLE_NAMES)
def test_live_audit_matches_offline_audit(fake: FakeArm, name: str, tmp_path: Path) -> None:
    serve(fake, name)
    baseline = baseline_of(name)
    live = run_cli(
        fake,
        [
            "audit",
            "--subscription",
            SUB,
            "--baseline",
            baseline,
            "--format",
            "json",
            "-o",
            str(tmp_path / "live.json"),
        ],
        tmp_path,
    )
    log = fake.requests()
    # The offline side needs no server or subprocess: the same CLI, in this process.
    offline = CliRunner().invoke(
        cli,
        [
            "audit",
            "--snapshot",
            str(sample_path(name)),
            "--baseline",
            baseline,
            "--format",
            "json",
            "-o",
            str(tmp_path / "offline.json"),
        ],
    )
    assert live.returncode == 0, live.stderr
    assert offline.exit_code == 0, offline.output
    live_report = json.loads((tmp_path / "live.json").read_text(encoding="utf-8"))
    offline_report = json.loads((tmp_path / "offline.json").read_text(encoding="utf-8"))
    live_set, offline_set = verdicts(live_report), verdicts(offline_report)
    assert live_set, "the live audit produced no findings"
    assert sorted(live_set - offline_set) == [] and sorted(offline_set - live_set) == []
    assert_read_only(log)
    assert all(scope.rstrip("/").startswith(fake.url) for scope in fake.scopes), fake.scopes
    assert_no_secret(fake, (tmp_path / "live.json").read_text(encoding="utf-8"), live.stdout, live.stderr)


def test_collect_writes_a_snapshot_with_what_the_rules_need(fake: FakeArm, tmp_path: Path) -> None:
    name = "openai-e2e-chat-aml-drifted"
    doc = serve(fake, name)
    out = tmp_path / "snap.json"
    result = run_cli(fake, ["collect", "--subscription", SUB, "--output", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.startswith(f"wrote {out}:")
    text = out.read_text(encoding="utf-8")
    snap = json.loads(text)
    assert set(doc["collected_types"]) <= set(snap["collected_types"])
    collected = {t.lower() for t in snap["collected_types"]}
    wanted = {r["id"].lower() for r in doc["resources"] if r["type"].lower() in collected}
    assert wanted <= {r["id"].lower() for r in snap["resources"]}
    # The read the sample records as refused is refused again, and recorded the same way.
    for error in doc["errors"]:
        assert any(
            e["scope"].lower() == error["scope"].lower()
            and e["resource_type"] == error["resource_type"]
            and e["status"] == error["status"]
            and e["code"] == error["code"]
            for e in snap["errors"]
        ), snap["errors"]
    meta = snap["metadata"]
    assert (
        meta["subscriptions"] == [SUB] and meta["tenant"] == fake.tenant and meta["arm_endpoint"] == fake.url
    )
    assert meta["api_versions"]["Microsoft.MachineLearningServices/workspaces"] == "2025-09-01"
    assert_read_only(fake.requests())
    assert_no_secret(fake, text, result.stdout, result.stderr)


def test_bad_client_secret_exits_3_with_one_line(fake: FakeArm, tmp_path: Path) -> None:
    serve(fake, "openai-e2e-chat-aml-compliant")
    result = run_cli(
        fake,
        ["collect", "--subscription", SUB, "--output", str(tmp_path / "s.json")],
        tmp_path,
        {"AZURE_CLIENT_SECRET": "not-the-secret"},
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("auditor: error: could not authenticate"), result.stderr
    assert "AADSTS7000215" in lines[0] and "Traceback" not in result.stderr
    assert not (tmp_path / "s.json").exists()
    assert [r for r in fake.requests() if r.path.startswith("/subscriptions")] == []


def test_unreachable_arm_endpoint_exits_3(fake: FakeArm, tmp_path: Path) -> None:
    serve(fake, "openai-e2e-chat-aml-compliant")
    closed = "https://127.0.0.1:9"  # the discard port: nothing listens there
    result = run_cli(
        fake,
        ["audit", "--subscription", SUB, "--format", "json"],
        tmp_path,
        {"AUDITOR_ARM_ENDPOINT": closed},
    )
    assert result.returncode == 3
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"auditor: error: cannot reach the ARM endpoint {closed}")
    assert result.stdout == ""


STRAY_VAULT: dict[str, Any] = {
    "id": f"/subscriptions/{SUB}/resourceGroups/rg-tfstate/providers/Microsoft.KeyVault/vaults/kv-tfstate",
    "name": "kv-tfstate",
    "type": "Microsoft.KeyVault/vaults",
    "location": "eastus",
    "properties": {"publicNetworkAccess": "Enabled", "enableRbacAuthorization": False},
}


@pytest.mark.live
def test_live_audit_of_one_group_matches_the_restricted_snapshot(fake: FakeArm, tmp_path: Path) -> None:
    name = "openai-e2e-chat-aml-drifted"
    serve(fake, name)
    fake.store.add(STRAY_VAULT)  # a vault outside the workload, which -g must leave out
    common = ["--baseline", baseline_of(name), "--format", "json", "-g", "rg-chat-aml", "-o"]
    env = {"AZURE_SUBSCRIPTION_ID": SUB}
    live = run_cli(fake, ["audit", *common, str(tmp_path / "live.json")], tmp_path, env)
    log = fake.requests()
    offline = CliRunner().invoke(
        cli, ["audit", "--snapshot", str(sample_path(name)), *common, str(tmp_path / "offline.json")]
    )
    assert live.returncode == 0, live.stderr
    assert offline.exit_code == 0, offline.output
    assert live.stderr.splitlines()[0] == f"auditor: using subscription {SUB} from AZURE_SUBSCRIPTION_ID"
    live_report = json.loads((tmp_path / "live.json").read_text(encoding="utf-8"))
    offline_report = json.loads((tmp_path / "offline.json").read_text(encoding="utf-8"))
    assert verdicts(live_report) and verdicts(live_report) == verdicts(offline_report)
    assert live_report["scope"]["resource_groups"] == ["rg-chat-aml"]
    assert not [r.path for r in log if "rg-tfstate" in r.path.lower()], "the other group was read"
    assert_read_only(log)


@pytest.mark.live
def test_collect_uses_the_azure_cli_default_subscription(fake: FakeArm, tmp_path: Path) -> None:
    serve(fake, "openai-e2e-chat-aml-compliant")
    config = tmp_path / "azure-config"  # where run_cli points AZURE_CONFIG_DIR
    config.mkdir()
    account = {"id": SUB, "name": "Contoso Chat Prod", "isDefault": True, "state": "Enabled"}
    (config / "azureProfile.json").write_text(json.dumps({"subscriptions": [account]}), encoding="utf-8-sig")
    out = tmp_path / "snap.json"
    result = run_cli(fake, ["collect", "--resource-group", "RG-CHAT-AML", "-o", str(out)], tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines()[0] == (
        f"auditor: using subscription {SUB} from the Azure CLI's default subscription (Contoso Chat Prod)"
    )
    meta = json.loads(out.read_text(encoding="utf-8"))["metadata"]
    assert meta["subscriptions"] == [SUB] and meta["resource_groups"] == ["rg-chat-aml"]


@pytest.mark.live
@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (
            ["collect", "--subscription", "Contoso Chat Dev", "-o", "s.json"],
            "subscription 'Contoso Chat Dev' not found or not visible to this credential; "
            f"visible: subscription 3f2c9a1e ({SUB})",
        ),
        (
            ["collect", "--subscription", SUB, "-g", "rg-nope", "-o", "s.json"],
            f"resource group 'rg-nope' not found in subscription {SUB}",
        ),
        (["collect", "-o", "s.json"], "give --subscription ID (repeatable) or --all-subscriptions"),
        (["audit", "-g", "rg-chat-aml"], "give exactly one of --snapshot FILE"),
    ],
    ids=["unknown subscription", "unknown group", "collect without a default", "audit without a default"],
)
def test_scope_mistakes_exit_2_with_one_line(
    fake: FakeArm, tmp_path: Path, args: list[str], fragment: str
) -> None:
    serve(fake, "openai-e2e-chat-aml-compliant")
    result = run_cli(fake, args, tmp_path)
    assert result.returncode == 2, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("auditor: error: ") and fragment in lines[0], result.stderr
    assert not (tmp_path / "s.json").exists()
    assert not [r.path for r in fake.requests() if "/providers/" in r.path]
