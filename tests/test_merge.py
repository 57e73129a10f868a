"""`auditor merge`: the snapshots and the JSON reports of shards, merged into one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.errors import EXIT_MERGE_CONFLICT, EXIT_USAGE
from tests import estates
from tests.report_samples import run_cli, write_json
from tests.workload_estates import OTHER_SUB as WL_OTHER
from tests.workload_estates import SUB, copy_of, snapshot_doc

OTHER_SUB = "9b1d2c3e-4f50-4a6b-8c7d-0e1f2a3b4c5d"


def _in_subscription(doc: dict[str, Any], sub: str) -> dict[str, Any]:
    """The sample with every id moved to another subscription."""
    moved: dict[str, Any] = json.loads(json.dumps(doc).replace(estates.SUB, sub))
    return moved


def _shards(tmp_path: Path) -> tuple[Path, Path]:
    a = write_json(tmp_path / "a.json", estates.compliant_snapshot("aistudio"))
    b = write_json(tmp_path / "b.json", _in_subscription(estates.drifted_snapshot("aistudio"), OTHER_SUB))
    return a, b


def _run(args: list[str], capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch, cwd: Path) -> Any:
    return run_cli(args, capsys, mp, cwd)


def test_snapshots_merge_into_their_union(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _shards(tmp_path)
    code, _, err = _run(["merge", str(a), str(b), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    assert "merged 2 snapshots" in err
    merged = json.loads((tmp_path / "all.json").read_text())
    first, second = json.loads(a.read_text()), json.loads(b.read_text())
    assert merged["format"] == "auditor-snapshot/1"
    assert len(merged["resources"]) == len(first["resources"]) + len(second["resources"])
    assert {r["id"] for r in merged["resources"]} == {
        r["id"] for r in first["resources"] + second["resources"]
    }
    assert merged["errors"] == first["errors"] + second["errors"]
    assert merged["metadata"]["subscriptions"] == sorted([estates.SUB, OTHER_SUB])
    assert merged["metadata"]["merged_shards"] == 2
    assert set(merged["collected_types"]) == set(first["collected_types"]) | set(second["collected_types"])
    # The merged snapshot audits like any other.
    code, out, _ = _run(
        ["audit", "--snapshot", "all.json", "--format", "json"], capsys, monkeypatch, tmp_path
    )
    assert code == 0
    assert json.loads(out)["scope"]["subscriptions"] == sorted([estates.SUB, OTHER_SUB])


def test_the_same_shard_twice_is_kept_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = estates.drifted_snapshot("aistudio")
    # A failed read outside any subscription (a resource without an id) is kept once as well.
    unread = {"scope": "/", "resource_type": "Microsoft.Web/sites", "status": None, "code": "Unreadable"}
    doc["errors"].append({**unread, "message": "resource #7 has no id"})
    a = write_json(tmp_path / "a.json", doc)
    copy = write_json(tmp_path / "a-again.json", doc)
    code, _, err = _run(["merge", str(a), str(copy), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    merged = json.loads((tmp_path / "all.json").read_text())
    assert len(merged["resources"]) == len(doc["resources"])
    assert merged["errors"] == doc["errors"] and len(doc["errors"]) == 2


def test_overlapping_subscriptions_with_different_content_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write_json(tmp_path / "a.json", estates.compliant_snapshot("aistudio"))
    b = write_json(tmp_path / "b.json", estates.drifted_snapshot("aistudio"))
    code, _, err = _run(["merge", str(a), str(b), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == EXIT_MERGE_CONFLICT
    assert len(err.strip().splitlines()) == 1
    assert estates.SUB in err and "different content" in err
    assert not (tmp_path / "all.json").exists()


def test_a_snapshot_and_a_report_are_not_merged(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _shards(tmp_path)
    code, _, _ = _run(
        ["audit", "--snapshot", str(b), "--format", "json", "-o", "b-report.json"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    code, _, err = _run(["merge", str(a), "b-report.json", "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == EXIT_MERGE_CONFLICT
    assert "a snapshot" in err and "a report" in err and len(err.strip().splitlines()) == 1
    # A bare array of resources does not say what was collected: not a shard.
    bare = write_json(tmp_path / "bare.json", estates.compliant("aml"))
    code, _, err = _run(["merge", str(a), str(bare), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == EXIT_MERGE_CONFLICT and "bare list" in err
    code, _, err = _run(["merge", str(a), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == EXIT_USAGE and "at least two" in err
    assert not (tmp_path / "all.json").exists()


def _report(path: Path, capsys: pytest.CaptureFixture[str], mp: pytest.MonkeyPatch, cwd: Path) -> Path:
    out = cwd / f"{path.stem}-report.json"
    code, _, _ = _run(["audit", "--snapshot", str(path), "--format", "json", "-o", str(out)], capsys, mp, cwd)
    assert code == 0
    return out


def test_reports_merge_with_scores_computed_again(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a, b = _shards(tmp_path)
    ra, rb = _report(a, capsys, monkeypatch, tmp_path), _report(b, capsys, monkeypatch, tmp_path)
    first, second = json.loads(ra.read_text()), json.loads(rb.read_text())
    # A field a newer report carries on its findings passes through the merge.
    for f in first["findings"]:
        f["workload"] = "chat-prod"
    write_json(ra, first)
    code, _, err = _run(["merge", str(ra), str(rb), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    merged = json.loads((tmp_path / "all.json").read_text())
    # Tenant data: the merged report is owner-only, as the merged snapshot is.
    assert (tmp_path / "all.json").stat().st_mode & 0o777 == 0o600
    assert len(merged["findings"]) == len(first["findings"]) + len(second["findings"])
    assert sum(f.get("workload") == "chat-prod" for f in merged["findings"]) == len(first["findings"])
    assert merged["scope"]["subscriptions"] == sorted([estates.SUB, OTHER_SUB])
    assert merged["scope"]["resources"] == first["scope"]["resources"] + second["scope"]["resources"]
    assert merged["collection_errors"] == first["collection_errors"] + second["collection_errors"]
    assert [r["id"] for r in merged["rules"]] == [r["id"] for r in first["rules"]]
    for key in ("passed", "failed", "not_assessed", "waived", "error", "recommended_failed"):
        assert merged["summary"][key] == first["summary"][key] + second["summary"][key]
    # The compliant shard scores 100 and the drifted one less: all findings together lie strictly
    # between; the score the merged report leads with (and the gate judges) is the worst workload's.
    assert first["score"] == 100.0 and second["score"] < 100.0
    assert second["score"] < merged["tenant"]["combined"]["score"] < 100.0
    assert merged["score"] == second["score"] and merged["tenant"]["score_of"] == "worst workload"
    statuses = [f["status"] for f in merged["findings"]]
    assert statuses.index("pass") > statuses.index("fail")  # worst first, as an audit sorts them
    # The gate takes the merged report like any other.
    code, out, _ = _run(["gate", "all.json", "--min-score", "0"], capsys, monkeypatch, tmp_path)
    assert code == 0 and f"score {merged['score']:.1f}/100" in out


def test_reports_of_one_subscription_judged_differently_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    a = write_json(tmp_path / "a.json", estates.compliant_snapshot("aistudio"))
    b = write_json(tmp_path / "b.json", estates.drifted_snapshot("aistudio"))
    ra, rb = _report(a, capsys, monkeypatch, tmp_path), _report(b, capsys, monkeypatch, tmp_path)
    code, _, err = _run(["merge", str(ra), str(rb), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == EXIT_MERGE_CONFLICT and "different findings" in err
    # Reports of another baseline do not mix.
    aml = write_json(tmp_path / "aml.json", _in_subscription(estates.compliant_snapshot("aml"), OTHER_SUB))
    code, _, _ = _run(
        [
            "audit",
            "--snapshot",
            str(aml),
            "--baseline",
            "openai-e2e-chat-aml",
            "--format",
            "json",
            "-o",
            "m.json",
        ],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    code, _, err = _run(["merge", str(ra), "m.json", "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == EXIT_MERGE_CONFLICT and "baseline" in err
    assert not (tmp_path / "all.json").exists()


def test_shards_of_two_variants_merge_as_one_audit_of_both(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tenant's shards hold workloads of different variants, each judged with its own baseline.
    hub = snapshot_doc([copy_of("aistudio-drifted", "rg-chat-hub", salt="hub")], [SUB])
    aml = snapshot_doc([copy_of("aml-drifted", "rg-chat-ml", subscription=WL_OTHER, salt="ml")], [WL_OTHER])
    a, b = write_json(tmp_path / "hub.json", hub), write_json(tmp_path / "aml.json", aml)
    ra, rb = _report(a, capsys, monkeypatch, tmp_path), _report(b, capsys, monkeypatch, tmp_path)
    code, _, err = _run(["merge", str(ra), str(rb), "-o", "all.json"], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    merged = json.loads((tmp_path / "all.json").read_text())
    # The same as one audit of both subscriptions' snapshot.
    code, _, err = _run(["merge", str(a), str(b), "-o", "both.json"], capsys, monkeypatch, tmp_path)
    assert code == 0, err
    whole = json.loads(_report(tmp_path / "both.json", capsys, monkeypatch, tmp_path).read_text())
    used = sorted(b["name"] for b in merged["baselines"])
    assert used == ["openai-e2e-chat-aistudio", "openai-e2e-chat-aml"]
    assert sorted(b["name"] for b in whole["baselines"]) == sorted(b["name"] for b in merged["baselines"])
    for key in ("score", "coverage", "summary", "controls"):
        assert merged[key] == whole[key], key
    assert merged["tenant"]["combined"] == whole["tenant"]["combined"]
    assert [(w["name"], w["score"]) for w in merged["workloads"]] == [
        (w["name"], w["score"]) for w in whole["workloads"]
    ]
    # Scored with one baseline's weights, the aml findings would weigh otherwise: the merge did not.
    hub_only = json.loads(ra.read_text())
    assert merged["summary"]["passed"] > hub_only["summary"]["passed"]


def test_each_finding_is_weighed_by_its_workloads_baseline(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from dataclasses import replace

    from auditor.engine.baseline import load_baseline
    from auditor.engine.merge import merge_reports

    hub = snapshot_doc([copy_of("aistudio-drifted", "rg-chat-hub", salt="hub")], [SUB])
    aml = snapshot_doc([copy_of("aml-drifted", "rg-chat-ml", subscription=WL_OTHER, salt="ml")], [WL_OTHER])
    paths = [write_json(tmp_path / "hub.json", hub), write_json(tmp_path / "aml.json", aml)]
    reports = [(p.name, json.loads(_report(p, capsys, monkeypatch, tmp_path).read_text())) for p in paths]
    hub_b, aml_b = load_baseline("openai-e2e-chat-aistudio"), load_baseline("openai-e2e-chat-aml")
    # The aml baseline with every weight 0: its workload's findings then count for nothing.
    silent = replace(aml_b, rules={rid: replace(s, weight=0.0) for rid, s in aml_b.rules.items()})
    merged = merge_reports(reports, {hub_b.name: hub_b, silent.name: silent})
    assert merged["tenant"]["combined"]["score"] == reports[0][1]["score"]
    normal = merge_reports(reports, {hub_b.name: hub_b, aml_b.name: aml_b})
    assert normal["tenant"]["combined"]["score"] != reports[0][1]["score"]


def test_a_shard_of_no_workload_adds_its_resources_out_of_scope(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    # A tenant's shard can hold only subscriptions of other applications: in the merge, as in one
    # audit of all the subscriptions, they are out of scope, not a "no workload" that fails the gate.
    from tests.workload_estates import unrelated

    hub = snapshot_doc([copy_of("aistudio-drifted", "rg-chat-hub", salt="hub")], [SUB])
    other = snapshot_doc([unrelated(subscription=WL_OTHER)], [WL_OTHER])
    a, b = write_json(tmp_path / "hub.json", hub), write_json(tmp_path / "other.json", other)
    ra, rb = _report(a, capsys, monkeypatch, tmp_path), tmp_path / "other-report.json"
    code, _, _ = _run(
        ["audit", "--snapshot", str(b), "--format", "json", "-o", str(rb)], capsys, monkeypatch, tmp_path
    )
    assert code == 1 and json.loads(rb.read_text())["no_workload"]
    for order in ([rb, ra], [ra, rb]):
        code, _, err = _run(["merge", *map(str, order), "-o", "all.json"], capsys, monkeypatch, tmp_path)
        assert code == 0, err
        merged = json.loads((tmp_path / "all.json").read_text())
        code, _, err = _run(["merge", str(a), str(b), "-o", "both.json"], capsys, monkeypatch, tmp_path)
        whole = json.loads(_report(tmp_path / "both.json", capsys, monkeypatch, tmp_path).read_text())
        assert "no_workload" not in merged and "no_workload" not in whole
        for key in ("score", "coverage", "summary", "controls", "baseline"):
            assert merged[key] == whole[key], key
        assert sorted(p["resource_id"] for p in merged["out_of_scope"]) == sorted(
            p["resource_id"] for p in whole["out_of_scope"]
        )
        assert any(WL_OTHER in p["resource_id"] for p in merged["out_of_scope"])
        code, out, _ = _run(["gate", "all.json", "--min-score", "0"], capsys, monkeypatch, tmp_path)
        assert code == 0, out
