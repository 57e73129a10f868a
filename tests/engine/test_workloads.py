"""Several workloads in one estate: each found, judged on its own, with its own baseline and scores."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from auditor.analysis.workloads import AISTUDIO, AML, FOUNDRY, discover, find_cores
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot, load_snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.gate import gated
from auditor.engine.workloads import Selection, parse_definitions, run_workloads
from auditor.errors import InputError
from auditor.model import AuditReport, Control, GatePolicy, Status
from tests.paths import EXAMPLES
from tests.test_cli import assert_one_line_error, run
from tests.workload_estates import OTHER_SUB, SUB, copy_of, snapshot_doc, tenant, unrelated

DEV, PROD, ML = "rg-chat-dev/hub-chat", "rg-chat-prod/hub-chat", "mlw-chat"


@pytest.fixture(scope="module")
def report() -> AuditReport:
    return run_workloads(Snapshot.from_data(tenant()), None, "test")


def alone(name: str, baseline: str) -> AuditReport:
    """A sample audited on its own, as before workloads existed."""
    from auditor.engine.run import run_audit

    return run_audit(load_snapshot(EXAMPLES / f"openai-e2e-chat-{name}.json"), load_baseline(baseline), "x")


def workload(report: AuditReport, name: str) -> Any:
    return next(w for w in report.workloads if w.name == name)


def test_every_copy_is_found_with_its_variant(report: AuditReport) -> None:
    found = {w.name: (w.variant, w.baseline.name) for w in report.workloads}
    assert found == {
        DEV: (AISTUDIO, "openai-e2e-chat-aistudio"),
        PROD: (AISTUDIO, "openai-e2e-chat-aistudio"),
        ML: (AML, "openai-e2e-chat-aml"),
    }
    assert "kind Hub" in workload(report, DEV).variant_reason
    assert "kind Default" in workload(report, ML).variant_reason


def test_each_copy_is_judged_on_its_own(report: AuditReport) -> None:
    """The drifted copy scores what it scores alone; its Log Analytics workspace is its own (issue 8's
    diagnostics 94 -> 9 came from judging every copy against the first copy's workspace)."""
    drifted = alone("aistudio-drifted", "openai-e2e-chat-aistudio")
    prod = workload(report, PROD)
    assert prod.card.score == drifted.card.score
    for control in Control:
        assert prod.card.controls[control].score == drifted.card.controls[control].score, control
    dev = workload(report, DEV)
    assert dev.card.controls[Control.DIAGNOSTICS].score == 100.0
    assert workload(report, ML).card.score == 100.0
    # dev shares its subscription with prod: the one subscription-wide drift of prod's sample (a data-plane
    # role for a service principal of no workload, on the whole subscription) reaches dev's accounts too.
    failed = [f for f in report.findings if f.workload == DEV and f.status is Status.FAIL]
    assert [(f.rule_id, f.resource_id) for f in failed] == [("IAM003", f"/subscriptions/{SUB}")]


def test_a_compliant_copy_scores_100_whatever_another_subscription_holds() -> None:
    doc = snapshot_doc(
        [
            copy_of("aistudio-compliant", "rg-chat-dev", salt="dev"),
            copy_of("aistudio-drifted", "rg-chat-prod", subscription=OTHER_SUB, salt="prod"),
        ],
        [SUB, OTHER_SUB],
    )
    result = run_workloads(Snapshot.from_data(doc), None, "test")
    dev = next(w for w in result.workloads if SUB in w.subscriptions)
    assert dev.card.score == 100.0
    assert dev.card.coverage == 1.0


def test_the_tenant_summary_is_worst_first(report: AuditReport) -> None:
    scores = [w.card.score for w in report.workloads]
    assert scores == sorted(scores)
    assert report.workloads[0].name == PROD
    assert report.scope["workloads"] == 3


def test_unrelated_resources_are_out_of_scope_and_fail_nothing(report: AuditReport) -> None:
    out = {p.resource_id.split("/")[-1]: p.reason for p in report.placements if p.workload is None}
    assert set(out) == {"kv-tfstate", "stcloudshell"}
    assert "no workload's core uses this vault" in out["kv-tfstate"]
    assert not [f for f in report.findings if "rg-tfstate" in f.resource_id]


def test_every_resource_is_placed_once_per_workload(report: AuditReport) -> None:
    estate = Estate(Snapshot.from_data(tenant()))
    placed = {p.resource_id.lower() for p in report.placements}
    assert placed == {r["id"].lower() for r in estate.resources}
    pairs = [(p.resource_id.lower(), p.workload) for p in report.placements]
    assert len(pairs) == len(set(pairs))


def test_the_four_samples_each_hold_one_workload_holding_everything() -> None:
    for name in ("aistudio-compliant", "aistudio-drifted", "aml-compliant", "aml-drifted"):
        estate = Estate(load_snapshot(EXAMPLES / f"openai-e2e-chat-{name}.json"))
        found = discover(estate)
        assert len(found.workloads) == 1, name
        assert len(found.workloads[0].members) == len(estate.resources), name
        assert found.workloads[0].variant == name.split("-")[0]


def test_a_shared_network_is_judged_in_both_and_merges_nothing() -> None:
    """Two workloads whose private endpoints sit in one network: the network is shared (reached by
    both at the same step), nothing is followed from it, and neither workload takes the other's vault."""
    dev = copy_of("aml-compliant", "rg-a", salt="a")
    prod = copy_of("aml-compliant", "rg-b", salt="b")
    vnet_a = f"/subscriptions/{SUB}/resourceGroups/rg-a/providers/Microsoft.Network/virtualNetworks/"
    vnet_b = vnet_a.replace("rg-a", "rg-b")
    text = json.dumps(prod).replace(vnet_b, vnet_a)
    moved = json.loads(text)
    moved["resources"] = [r for r in moved["resources"] if not r["id"].startswith(vnet_a)]
    found = discover(Estate(Snapshot.from_data(snapshot_doc([dev, moved], [SUB]))))
    assert len(found.workloads) == 2
    vnet = next(r["id"] for r in dev["resources"] if r["type"] == "Microsoft.Network/virtualNetworks")
    places = [p for p in found.placements if p.resource_id == vnet]
    assert {p.workload for p in places} == {w.name for w in found.workloads}
    assert all(p.shared_with for p in places)
    for w in found.workloads:
        group = "rg-a" if "rg-a" in w.core_id else "rg-b"
        other = "rg-b" if group == "rg-a" else "rg-a"
        vaults = [m for m in w.members if "/vaults/" in m and "/providers/microsoft.insights" not in m]
        assert vaults and all(f"/{other}/" not in v for v in vaults)


def test_a_foundry_account_with_a_project_and_capability_host_is_a_core() -> None:
    base = f"/subscriptions/{SUB}/resourceGroups/rg-f/providers/Microsoft.CognitiveServices/accounts/fdy"
    resources = [
        {"id": base, "name": "fdy", "type": "Microsoft.CognitiveServices/accounts", "kind": "AIServices",
         "properties": {}},
        {"id": f"{base}/projects/chat", "name": "fdy/chat",
         "type": "Microsoft.CognitiveServices/accounts/projects", "properties": {}},
        {"id": f"{base}/projects/chat/capabilityHosts/agents", "name": "agents",
         "type": "Microsoft.CognitiveServices/accounts/projects/capabilityHosts", "properties": {}},
    ]  # fmt: skip
    estate = Estate(Snapshot.from_data({"format": "auditor-snapshot/1", "resources": resources}))
    cores = find_cores(estate)
    assert [(c.resource_id, c.variant) for c in cores] == [(base, FOUNDRY)]
    # Without the project it is an account like any other, not a workload.
    bare = Estate(Snapshot.from_data({"format": "auditor-snapshot/1", "resources": resources[:1]}))
    assert find_cores(bare) == []


def test_no_workload_fails_the_gate_even_without_conditions() -> None:
    doc = snapshot_doc([unrelated()], [SUB])
    result = gated(run_workloads(Snapshot.from_data(doc), None, "test"), GatePolicy())
    assert result.workloads == ()
    assert result.no_workload.startswith("no instance of the architecture found")
    assert result.gate is not None and not result.gate.passed
    assert "no instance of the architecture found" in result.gate.reasons[0]


def test_a_forced_baseline_of_another_variant_says_so_in_one_line(report: AuditReport) -> None:
    forced = run_workloads(Snapshot.from_data(tenant()), load_baseline("openai-e2e-chat-aistudio"), "test")
    lines = [w.mismatch for w in forced.workloads if w.mismatch]
    assert len(lines) == 1 and "mlw-chat" in lines[0] and "openai-e2e-chat-aml" in lines[0]
    assert all(w.baseline.name == "openai-e2e-chat-aistudio" for w in forced.workloads)


def test_selecting_workloads_by_name() -> None:
    only = run_workloads(Snapshot.from_data(tenant()), None, "test", Selection(names=(ML,)))
    assert [w.name for w in only.workloads] == [ML]
    assert {f.workload for f in only.findings} == {ML}
    with pytest.raises(InputError, match="workload nope not found"):
        run_workloads(Snapshot.from_data(tenant()), None, "test", Selection(names=("nope",)))


@pytest.mark.parametrize(
    "definition",
    [
        {"name": "typo", "resources": [f"/subscriptions/{SUB}/resourceGroups/rg-nope"]},
        {"name": "typo", "tags": {"app": "nope"}},
    ],
)
def test_a_definition_that_matches_nothing_is_an_input_error(definition: dict[str, Any]) -> None:
    definitions = parse_definitions({"workloads": [definition]}, "defs.yaml")
    with pytest.raises(InputError, match="workload 'typo' of the definition file matches no resource"):
        run_workloads(Snapshot.from_data(tenant()), None, "test", Selection(definitions=definitions))


def test_a_definition_file_places_by_resource_group_and_tag() -> None:
    doc = tenant()
    for r in doc["resources"]:
        if "/rg-tfstate/" in r["id"]:
            r["tags"] = {"app": "tfstate"}
    definitions = parse_definitions(
        {
            "workloads": [
                {"name": "dev", "resources": [f"/subscriptions/{SUB}/resourceGroups/rg-chat-dev"]},
                {"name": "state", "tags": {"app": "tfstate"}},
            ]
        },
        "defs.yaml",
    )
    result = run_workloads(Snapshot.from_data(doc), None, "test", Selection(definitions=definitions))
    by_name = {w.name: w for w in result.workloads}
    assert by_name["dev"].variant == AISTUDIO and by_name["dev"].card.score < 100.0  # IAM003 as above
    assert by_name["state"].variant == "" and "no core" in by_name["state"].variant_reason
    assert any(f.workload == "state" and "kv-tfstate" in f.resource_id for f in result.findings)
    assert not [p for p in result.placements if p.workload is None and "/rg-chat-dev/" in p.resource_id]


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ({"workload": []}, "expected one top-level key, workloads"),
        ({"workloads": []}, "workloads: expected a non-empty list"),
        (
            {"workloads": [{"name": "a", "resources": ["rg-a"]}]},
            "workloads[0].resources: expected a list of ARM ids",
        ),
        ({"workloads": [{"name": "a"}]}, "workloads[0]: give resources, tags or both"),
        ({"workloads": [{"name": "a", "tag": {}}]}, "workloads[0]: unknown key tag"),
        (
            {"workloads": [{"name": "a", "tags": {"x": "1"}}, {"name": "A", "tags": {"y": "2"}}]},
            "defined twice",
        ),
    ],
)
def test_a_bad_definition_is_one_input_error(data: Any, fragment: str) -> None:
    with pytest.raises(InputError, match=None) as caught:
        parse_definitions(data, "defs.yaml")
    assert fragment in str(caught.value) and "\n" not in str(caught.value)


# --- the command line ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def tenant_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("tenant") / "tenant.json"
    path.write_text(json.dumps(tenant()))
    return path


def test_cli_judges_each_workload_and_names_its_baseline(tenant_file: Path) -> None:
    proc = run("audit", "--snapshot", str(tenant_file), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [w["name"] for w in doc["workloads"]] == [PROD, DEV, ML]
    ml = next(w for w in doc["workloads"] if w["name"] == ML)
    assert ml["baseline_reason"].startswith("openai-e2e-chat-aml, the baseline of the Azure Machine Learning")
    assert proc.stderr == ""


def test_cli_workload_flag(tenant_file: Path) -> None:
    proc = run("audit", "--snapshot", str(tenant_file), "--workload", ML, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    assert [w["name"] for w in json.loads(proc.stdout)["workloads"]] == [ML]
    assert_one_line_error(run("audit", "--snapshot", str(tenant_file), "--workload", "nope"), 2, "nope")


def test_cli_workloads_file(tenant_file: Path, tmp_path: Path) -> None:
    good = tmp_path / "defs.yaml"
    good.write_text(
        f"workloads:\n  - name: ml\n    resources: [/subscriptions/{OTHER_SUB}/resourceGroups/rg-chat-ml]\n"
    )
    proc = run("audit", "--snapshot", str(tenant_file), "--workloads", str(good), "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [(w["name"], w["variant"], w["score"]) for w in doc["workloads"]] == [("ml", AML, 100.0)]
    bad = tmp_path / "bad.yaml"
    bad.write_text("workloads:\n  - name: ml\n    name: again\n")
    assert_one_line_error(
        run("audit", "--snapshot", str(tenant_file), "--workloads", str(bad)), 2, "bad.yaml"
    )


def test_cli_explain_roles_places_every_resource(tenant_file: Path) -> None:
    proc = run("audit", "--snapshot", str(tenant_file), "--explain-roles", "-q")
    assert proc.returncode == 0, proc.stderr
    assert any(line.startswith("out of scope") and "kv-tfstate" in line for line in proc.stderr.splitlines())
    assert any(
        line.startswith(f"workload {ML}") and "the workload's core" in line
        for line in proc.stderr.splitlines()
    )
    assert f"[{DEV}] application-gateway" in proc.stderr


def test_cli_no_workload_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "none.json"
    path.write_text(json.dumps(snapshot_doc([unrelated()], [SUB])))
    proc = run("audit", "--snapshot", str(path), "-q")
    assert proc.returncode == 1
    assert "no instance of the architecture found" in proc.stderr
    assert "gate FAILED: no instance of the architecture found" in proc.stdout


# --- the reports ------------------------------------------------------------------------------------


def test_every_format_carries_the_workloads(report: AuditReport) -> None:
    import csv
    import io
    import xml.etree.ElementTree as ET

    import jsonschema

    from auditor.reports import console, csv_report, html, json_report, junit, markdown, sarif
    from auditor.reports.json_report import schema

    doc = json.loads(json_report.render(report))
    jsonschema.validate(doc, schema())
    assert doc["schema_version"] == "1.3"
    assert [w["name"] for w in doc["workloads"]] == [PROD, DEV, ML]
    assert doc["tenant"]["worst"] == PROD
    assert [s["subscription"] for s in doc["tenant"]["subscriptions"]] == [SUB, OTHER_SUB]
    assert {p["resource_id"].split("/")[-1] for p in doc["out_of_scope"]} == {"kv-tfstate", "stcloudshell"}
    results = json.loads(sarif.render(report))["runs"][0]["results"]
    assert {r["properties"]["workload"] for r in results} == {PROD, DEV}  # passes are not results
    rows = list(csv.DictReader(io.StringIO(csv_report.render(report))))
    assert {r["workload"] for r in rows} == {PROD, DEV, ML}
    cases = ET.fromstring(junit.render(report)).iter("testcase")
    assert all(c.get("name", "").startswith("[") for c in cases)
    text = console.render(report)
    assert text.index(PROD) < text.index(DEV) < text.index(ML)  # the tenant summary, worst first
    assert "Out of scope: 2 resources of no workload" in text
    assert f"| {PROD} | {SUB} | openai-e2e-chat-aistudio | 77.8 |" in markdown.render(report)
    page = html.render(report)
    assert page.count('class="workload"') == 3 and f"Workload {ML}" in page


def test_a_1_1_report_still_loads(tmp_path: Path, report: AuditReport) -> None:
    from auditor.reports.json_report import load_report, render

    doc = json.loads(render(report))
    old = {k: v for k, v in doc.items() if k not in ("workloads", "tenant", "out_of_scope")}
    old["schema_version"] = "1.1"
    for f in old["findings"]:
        f.pop("workload", None)
    path = tmp_path / "old.json"
    path.write_text(json.dumps(old))
    assert load_report(path)["schema_version"] == "1.1"


def test_the_gate_judges_the_worst_workload(report: AuditReport) -> None:
    """A drifted copy cannot hide behind compliant ones in the tenant's sum."""
    result = gated(report, GatePolicy(min_score=90))
    assert report.card.score >= 90 > workload(report, PROD).card.score
    assert result.gate is not None and not result.gate.passed
    assert "score 77.8 is below the minimum 90" in result.gate.reasons[0]


def test_a_saved_report_is_gated_like_a_fresh_audit(tmp_path: Path, report: AuditReport) -> None:
    from auditor.engine.gate import evaluate_report
    from auditor.reports.json_report import render

    saved = json.loads(render(report))
    assert not evaluate_report(GatePolicy(min_score=90), saved).passed
    none = json.loads(
        render(run_workloads(Snapshot.from_data(snapshot_doc([unrelated()], [SUB])), None, "t"))
    )
    outcome = evaluate_report(GatePolicy(), none)
    assert not outcome.passed and "no instance of the architecture found" in outcome.reasons[0]
