"""What a report of several workloads says: every baseline it used, which score leads (the one the
gate judges), a workload identity that stays unique across shards, and the workload of each finding
in every format."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from auditor.analysis.workloads import short_names
from auditor.arm.snapshot import Snapshot
from auditor.engine.gate import evaluate_report, evaluate_result
from auditor.engine.workloads import Selection, rename_merged, run_workloads
from auditor.errors import MergeConflictError
from auditor.export.rows import rows_of
from auditor.model import AuditReport, GatePolicy
from auditor.reports import console, csv_report, html, json_report, markdown, sarif
from tests.report_samples import run_cli, write_json
from tests.workload_estates import OTHER_SUB, SUB, copy_of, snapshot_doc, tenant

PROD = "rg-chat-prod/hub-chat"


@pytest.fixture(scope="module")
def report() -> AuditReport:
    """dev and prod hub copies and an ML-workspace copy: two baselines."""
    return run_workloads(Snapshot.from_data(tenant()), None, "test")


@pytest.fixture(scope="module")
def single() -> AuditReport:
    doc = snapshot_doc([copy_of("aistudio-drifted", "rg-chat", salt="s")], [SUB])
    return run_workloads(Snapshot.from_data(doc), None, "test")


# --- several baselines ----------------------------------------------------------------------------


def test_the_json_report_names_every_baseline_used(report: AuditReport) -> None:
    doc = json.loads(json_report.render(report))
    used = {b["name"]: b["workloads"] for b in doc["baselines"]}
    assert used == {
        "openai-e2e-chat-aistudio": ["rg-chat-prod/hub-chat", "rg-chat-dev/hub-chat"],
        "openai-e2e-chat-aml": ["mlw-chat"],
    }


def test_the_headers_say_several_baselines(report: AuditReport, single: AuditReport) -> None:
    text = console.render(report)
    assert "Baselines: openai-e2e-chat-aistudio" in text and "openai-e2e-chat-aml" in text
    assert "(2 workloads)" in text and "(1 workload)" in text
    md = markdown.render(report)
    assert md.startswith("## auditor: several baselines\n") and "Baselines openai-e2e-chat-aistudio" in md
    page = html.render(report)
    assert "<h1>Several baselines</h1>" in page and "Baselines openai-e2e-chat-aistudio" in page
    # One workload, one baseline: the header names it as before.
    assert "several baselines" not in markdown.render(single).lower()
    assert "Baselines:" not in console.render(single)
    assert json.loads(json_report.render(single))["baselines"][0]["workloads"] == ["hub-chat"]


# --- which score leads ----------------------------------------------------------------------------


def test_the_score_on_top_is_what_the_gate_judges(report: AuditReport) -> None:
    prod = next(w for w in report.workloads if w.name == PROD)
    assert report.score == prod.card.score == min(w.card.score for w in report.workloads)
    assert report.card.score > report.score  # all findings together: a compliant majority lifts it
    held = evaluate_result(GatePolicy(min_score=report.score), report)
    failed = evaluate_result(GatePolicy(min_score=report.score + 0.1), report)
    assert held.passed and not failed.passed
    doc = json.loads(json_report.render(report))
    assert doc["score"] == report.score and doc["coverage"] == report.coverage
    assert doc["tenant"]["score_of"] == "worst workload"
    assert doc["tenant"]["combined"] == {"score": report.card.score, "coverage": report.card.coverage}
    assert evaluate_report(GatePolicy(min_score=doc["score"]), doc).passed
    assert not evaluate_report(GatePolicy(min_score=doc["score"] + 0.1), doc).passed
    # Every format leads with the same figure and says which it is.
    lead = f"{report.score:.1f}/100"
    text = console.render(report)
    assert f"Score {lead}" in text and "which the gate judges" in text
    assert f"score {lead} (worst workload)" in text.splitlines()[-1]
    assert f"**Score {lead}**" in markdown.render(report)
    page = html.render(report)
    assert f'id="score">{report.score:.1f}<' in page and 'id="score-basis"' in page
    assert json.loads(sarif.render(report))["runs"][0]["properties"]["score"] == report.score


def test_one_workload_leads_with_its_own_score(single: AuditReport) -> None:
    assert single.score == single.card.score == single.workloads[0].card.score
    doc = json.loads(json_report.render(single))
    assert doc["tenant"]["score_of"] == "workload" and doc["score"] == doc["summary"]["score"]


# --- identity ----------------------------------------------------------------------------------------


def test_a_workload_has_an_identity_beside_its_short_name(report: AuditReport) -> None:
    ids = {w.name: w.id for w in report.workloads}
    assert ids[PROD] == f"{SUB}/rg-chat-prod/hub-chat"
    assert ids["mlw-chat"] == f"{OTHER_SUB}/rg-chat-ml/mlw-chat"
    assert all(f.workload_id == ids[f.workload] for f in report.findings)
    # --workload takes either.
    for name in (PROD, ids[PROD], ids[PROD].upper()):
        picked = run_workloads(Snapshot.from_data(tenant()), None, "t", Selection(names=(name,)))
        assert [w.name for w in picked.workloads] == [PROD]


def test_short_names_grow_only_where_they_clash() -> None:
    a, b, c = f"{SUB}/rg-chat/hub-chat", f"{OTHER_SUB}/rg-chat/hub-chat", f"{SUB}/rg-ml/mlw"
    assert short_names([a, c]) == {a: "hub-chat", c: "mlw"}
    assert short_names([a, b, c]) == {a: a, b: b, c: "mlw"}
    assert short_names(["chat-prod"]) == {"chat-prod": "chat-prod"}  # a defined workload's own name


def _audit_json(path: Path, capsys: Any, monkeypatch: Any, cwd: Path) -> Path:
    out = cwd / f"{path.stem}-report.json"
    code, _, err = run_cli(
        ["audit", "--snapshot", str(path), "-f", "json", "-o", str(out)], capsys, monkeypatch, cwd
    )
    assert code == 0, err
    return out


def test_merged_reports_keep_same_named_workloads_of_two_subscriptions_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two shards each judged a `rg-chat/hub-chat` (named `hub-chat` in each): merged, they stay two."""
    shard_a = snapshot_doc([copy_of("aistudio-compliant", "rg-chat", SUB, salt="a")], [SUB])
    shard_b = snapshot_doc([copy_of("aistudio-drifted", "rg-chat", OTHER_SUB, salt="b")], [OTHER_SUB])
    ra = _audit_json(write_json(tmp_path / "a.json", shard_a), capsys, monkeypatch, tmp_path)
    rb = _audit_json(write_json(tmp_path / "b.json", shard_b), capsys, monkeypatch, tmp_path)
    first, second = json.loads(ra.read_text()), json.loads(rb.read_text())
    assert first["workloads"][0]["name"] == second["workloads"][0]["name"] == "hub-chat"
    code, _, err = run_cli(["merge", str(ra), str(rb), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    merged = json.loads((tmp_path / "all.json").read_text())
    a_id, b_id = f"{SUB}/rg-chat/hub-chat", f"{OTHER_SUB}/rg-chat/hub-chat"
    assert [(w["name"], w["id"]) for w in merged["workloads"]] == [(b_id, b_id), (a_id, a_id)]  # worst first
    for f in merged["findings"]:
        sub = f["resource_id"].split("/")[2]
        assert f["workload_id"] == f["workload"] == (a_id if sub == SUB else b_id), f["resource_id"]
    assert sum(f["workload"] == a_id for f in merged["findings"]) == len(first["findings"])
    assert merged["tenant"]["worst"] == b_id and merged["tenant"]["workloads"] == 2
    assert [s["subscription"] for s in merged["tenant"]["subscriptions"]] == [OTHER_SUB, SUB]
    assert merged["score"] == second["score"] < first["score"] == 100.0
    assert merged["baselines"] == [
        {"name": "openai-e2e-chat-aistudio", "version": merged["baseline"]["version"],
         "variant": "aistudio", "workloads": [b_id, a_id]}
    ]  # fmt: skip
    code, out, _ = run_cli(["gate", "all.json", "--min-score", "90"], capsys, monkeypatch, tmp_path)
    assert code == 1 and f"score {second['score']:.1f} is below" in out


def test_one_workload_judged_differently_by_two_shards_is_refused(report: AuditReport) -> None:
    doc = json.loads(json_report.render(report))
    other = json.loads(json.dumps(doc))
    other["workloads"][0]["score"] = 1.0
    with pytest.raises(MergeConflictError, match=f"workload {SUB}/rg-chat-prod/hub-chat"):
        rename_merged([("a.json", doc), ("b.json", other)])
    # The same report twice is the same workloads, not a conflict.
    assert [w["name"] for _, r in rename_merged([("a", doc), ("b", doc)]) for w in r["workloads"]] == [
        w["name"] for w in doc["workloads"]
    ] * 2


# --- the workload of each finding, in every format -------------------------------------------------


def test_every_format_names_the_workload_of_each_finding(report: AuditReport) -> None:
    by_id = {w.id: w.name for w in report.workloads}
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    assert all(by_id[r["properties"]["workloadId"]] == r["properties"]["workload"] for r in results)
    rows = list(csv.DictReader(io.StringIO(csv_report.render(report))))
    assert all(by_id[r["workload_id"]] == r["workload"] for r in rows) and len(rows) == len(report.findings)
    exported = rows_of(json.loads(json_report.render(report))).findings
    assert all(by_id[r["WorkloadId"]] == r["Workload"] for r in exported)


def test_sarif_fingerprints_tell_a_shared_resource_apart_in_each_workload(report: AuditReport) -> None:
    assert sarif.fingerprint("NSG001", "/a/b") == sarif.fingerprint("NSG001", "/a/b", "")
    assert sarif.fingerprint("NSG001", "/a/b", "s/rg/x") != sarif.fingerprint("NSG001", "/a/b", "s/rg/y")
    assert sarif.fingerprint("NSG001", "/a/b", "S/RG/X") == sarif.fingerprint("NSG001", "/A/B", "s/rg/x")
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    prints = [r["partialFingerprints"]["primaryLocationLineHash"] for r in results]
    assert len(prints) == len(set(prints))
    # The workload is in the fingerprint only where the report judges the rule and resource in more
    # than one workload: every other alert keeps the value earlier versions gave it.
    place = [(r["ruleId"], r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]) for r in results]
    judged_in: dict[tuple[str, str], set[str]] = {}
    for f in report.findings:  # every finding, passes too: a resource failing in one workload only
        judged_in.setdefault((f.rule_id, f.resource_id.lower()), set()).add(f.workload_id)
    kinds = set()
    for r, (rule_id, resource) in zip(results, place, strict=True):
        several = len(judged_in[(rule_id, resource.lower())]) > 1
        apart = r["properties"]["workloadId"] if several else ""
        assert r["partialFingerprints"]["auditorFinding/v1"] == sarif.fingerprint(rule_id, resource, apart)
        kinds.add(several)
    assert kinds == {True, False}
