"""Issue 8's "Done when", end to end: a tenant of 10 subscriptions, each with a compliant dev and a
drifted prod copy of the workload and an unrelated application, read live through the fake ARM
server (Resource Graph on) and audited by the real console script without any --resource-group."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.arm.snapshot import Snapshot
from auditor.engine.workloads import run_workloads
from tests.fakearm import FakeArm
from tests.fakearm.harness import reproduce_errors, run_cli
from tests.fakearm.synthetic import tenant_subscriptions
from tests.test_live_e2e import assert_read_only
from tests.workload_estates import dev_prod_tenant

pytestmark = pytest.mark.live

SUBS = tenant_subscriptions(10)
BASELINE_OF = {"aistudio": "openai-e2e-chat-aistudio", "aml": "openai-e2e-chat-aml"}


@pytest.fixture(scope="module")
def tenant() -> tuple[dict[str, Any], dict[str, tuple[str, dict[str, Any]]]]:
    return dev_prod_tenant(SUBS)


@pytest.fixture(scope="module")
def audited(tmp_path_factory: pytest.TempPathFactory, tenant: Any) -> dict[str, Any]:
    """The live audit's JSON report, its stderr and the server's request log (one audit for the module)."""
    doc, _ = tenant
    home = tmp_path_factory.mktemp("home")
    with FakeArm(doc["resources"], subscriptions=SUBS, page_size=100, workdir=home) as fake:
        reproduce_errors(fake, doc["errors"])  # each prod copy's unreadable gateway diagnostics
        out = home / "tenant.json"
        result = run_cli(fake, ["audit", "--all-subscriptions", "--format", "json", "-o", str(out)], home)
        log = fake.requests()
    assert result.returncode == 0, result.stderr
    return {"report": json.loads(out.read_text(encoding="utf-8")), "log": log, "stderr": result.stderr}


def _group(workload: dict[str, Any]) -> str:
    return "/".join(workload["core"].split("/")[:5]).lower()


def test_twenty_workloads_each_with_its_variant(audited: dict[str, Any], tenant: Any) -> None:
    report = audited["report"]
    _, alone = tenant
    found = {_group(w): (w["variant"], w["baseline"]["name"]) for w in report["workloads"]}
    assert len(report["workloads"]) == 20 and report["tenant"]["workloads"] == 20
    assert found == {group: (variant, BASELINE_OF[variant]) for group, (variant, _) in alone.items()}
    # Identities are unique and name the subscription; the short names are unique too.
    assert len({w["id"].lower() for w in report["workloads"]}) == 20
    assert len({w["name"].lower() for w in report["workloads"]}) == 20
    assert {b["name"] for b in report["baselines"]} == set(BASELINE_OF.values())
    assert sorted(report["scope"]["subscriptions"]) == sorted(SUBS)
    assert_read_only(audited["log"])


def test_every_compliant_copy_scores_100_and_every_drifted_one_what_it_scores_alone(
    audited: dict[str, Any], tenant: Any
) -> None:
    report = audited["report"]
    _, alone = tenant
    drifted = []
    for w in report["workloads"]:
        _, doc = alone[_group(w)]
        if "/rg-chat-dev" in _group(w):
            assert (w["score"], w["coverage"]) == (100.0, 1.0), w["name"]
            assert w["summary"]["failed"] == 0, w["name"]
            continue
        by_itself = run_workloads(Snapshot.from_data(doc), None, "alone")
        assert len(by_itself.workloads) == 1
        own = by_itself.workloads[0]
        assert w["score"] == own.card.score < 100.0, w["name"]
        assert w["coverage"] == own.card.coverage, w["name"]
        assert w["controls"] == {c.value: t.to_dict() for c, t in own.card.controls.items() if t.active}, w[
            "name"
        ]
        drifted.append(w["score"])
    assert len(drifted) == 10
    # The report leads with what the gate judges: the worst copy.
    assert report["score"] == min(drifted) and report["tenant"]["score_of"] == "worst workload"
    assert report["tenant"]["combined"]["score"] > report["score"]


def test_the_unrelated_applications_are_out_of_scope_and_fail_nothing(audited: dict[str, Any]) -> None:
    report = audited["report"]
    out = {p["resource_id"].lower(): p["reason"] for p in report["out_of_scope"]}
    for sub in SUBS:
        base = f"/subscriptions/{sub}/resourcegroups/rg-tfstate/providers".lower()
        assert "no workload's core uses this vault" in out[f"{base}/microsoft.keyvault/vaults/kv-tfstate"]
        assert "storage account" in out[f"{base}/microsoft.storage/storageaccounts/stcloudshell"]
    assert not [f for f in report["findings"] if "/rg-tfstate/" in f["resource_id"].lower()]
    # Every finding names its workload, by short name and identity.
    names = {w["name"]: w["id"] for w in report["workloads"]}
    assert all(names[f["workload"]] == f["workload_id"] for f in report["findings"])


def test_the_gate_judges_the_score_the_report_leads_with(audited: dict[str, Any], tmp_path: Path) -> None:
    from click.testing import CliRunner

    from auditor.cli import cli

    path = tmp_path / "tenant.json"
    path.write_text(json.dumps(audited["report"]), encoding="utf-8")
    score = audited["report"]["score"]
    held = CliRunner().invoke(cli, ["gate", str(path), "--min-score", str(score)])
    assert held.exit_code == 0, held.output
    failed = CliRunner().invoke(cli, ["gate", str(path), "--min-score", str(score + 0.1)])
    assert failed.exit_code == 1 and f"score {score:.1f} is below" in failed.output
