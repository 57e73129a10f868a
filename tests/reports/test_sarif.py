"""SARIF 2.1.0: valid against the OASIS schema, and shaped the way GitHub code scanning ingests it."""

from __future__ import annotations

import copy
import json
import re
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.registry import all_rules
from auditor.engine.run import run_audit
from auditor.reports import PLAIN, RenderOptions
from auditor.reports.sarif import fingerprint, render
from tests import paths
from tests.report_samples import NASTY_ID, gate_estate, run_cli, sample_result, with_findings, write_json

SCHEMA = paths.SCHEMAS / "sarif-schema-2.1.0.json"
EXAMPLES = paths.EXAMPLES


@lru_cache(maxsize=1)
def validator() -> jsonschema.Draft4Validator:
    return jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8")))


def validate(log: dict[str, Any]) -> None:
    errors = sorted(validator().iter_errors(log), key=lambda e: list(e.absolute_path))
    assert not errors, [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:5]]


def sarif(result: Any, options: RenderOptions = PLAIN) -> dict[str, Any]:
    log: dict[str, Any] = json.loads(render(result, options))
    validate(log)
    return log


def results_by_status(log: dict[str, Any]) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = {}
    for r in log["runs"][0]["results"]:
        out.setdefault(r["properties"]["status"], []).append(r)
    return out


def test_the_vendored_schema_is_the_oasis_one_and_rejects_nonsense() -> None:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    assert schema["id"].endswith("/sarif-schema-2.1.0.json")
    assert list(validator().iter_errors({"version": "2.1.0", "runs": [{"results": []}]}))  # tool is required
    assert list(
        validator().iter_errors(
            {"version": "2.1.0", "runs": [{"tool": {"driver": {"name": "x"}}, "bogus": 1}]}
        )
    )


def test_sample_result_is_valid_sarif_with_one_rule_per_id() -> None:
    result = sample_result()
    log = sarif(result)
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    rules = run["tool"]["driver"]["rules"]
    ids = [r["id"] for r in rules]
    assert len(ids) == len(set(ids))
    # Every rule of the baseline (so a fixed alert can close) and every rule with a finding.
    assert set(result.baseline.rules) | {f.rule_id for f in result.findings} == set(ids)
    smp = next(r for r in rules if r["id"] == "SMP001")
    assert smp["shortDescription"]["text"] == "Sample rule SMP001"
    assert smp["fullDescription"]["text"]
    assert "Why: The reference architecture requires it (SMP001)." in smp["help"]["text"]
    assert "How to fix:" in smp["help"]["markdown"]
    # A rule of the catalogue: its help links its references, absolutely (a viewer resolves no relative link).
    nsg = next(r for r in rules if r["id"] == "NSG001")
    assert "How to fix:" in nsg["help"]["markdown"]
    assert (
        "(https://learn.microsoft.com/azure/architecture/ai-ml/architecture/baseline-openai-e2e-chat#"
        in (nsg["help"]["markdown"])
    )
    for rule in rules:
        targets = re.findall(r"\]\(([^)]*)\)", rule["help"]["markdown"])
        assert all(target.startswith("https://") for target in targets), (rule["id"], targets)
    assert smp["defaultConfiguration"]["level"] == "error"
    assert smp["properties"]["security-severity"] == "9.5"
    for r in run["results"]:
        assert rules[r["ruleIndex"]]["id"] == r["ruleId"]


def test_levels_statuses_and_suppressions() -> None:
    assert "waived" not in results_by_status(sarif(sample_result()))  # GitHub ignores suppressions
    log = sarif(sample_result(), RenderOptions(sarif_include_waived=True))
    by = results_by_status(log)
    assert "pass" not in by and "error" not in by
    levels = {r["ruleId"]: r["level"] for r in by["fail"]}
    assert levels == {
        "SMP001": "error",
        "SMP002": "error",
        "SMP003": "error",
        "SMP004": "note",  # medium, but only recommended
        "SMP008": "note",
    }
    assert all(r["kind"] == "fail" and "suppressions" not in r for r in by["fail"])
    (waived,) = by["waived"]
    assert waived["suppressions"] == [
        {
            "kind": "external",
            "status": "accepted",
            "justification": "Accepted until the DNS zone moves (CHG-42) <b>bold</b> "
            "(owner platform@contoso.example, expires 2999-12-31)",
        }
    ]
    (unknown,) = by["not_assessed"]
    # A note must be of kind fail (SARIF 2.1.0, 3.27.9): no kind at all, so the default.
    assert "kind" not in unknown and unknown["level"] == "note"
    assert unknown["message"]["text"].startswith("Not assessed: ")


def test_a_shipped_baseline_gives_results_only_their_logical_location() -> None:
    # The shipped baseline is inside the installed package, not in the user's repository.
    log = sarif(sample_result())
    run = log["runs"][0]
    assert run["artifacts"][0]["location"]["uri"] == "auditor/baselines/openai-e2e-chat-aistudio.yaml"
    assert run["results"]
    for r in run["results"]:
        (loc,) = r["locations"]
        assert "physicalLocation" not in loc
        (logical,) = loc["logicalLocations"]
        assert logical["kind"] == "resource"
    nasty = next(r for r in run["results"] if r["ruleId"] == "SMP001")
    assert nasty["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == NASTY_ID


def test_sarif_location_is_the_physical_location_at_line_one() -> None:
    log = sarif(sample_result(), RenderOptions(sarif_location="infra/main.bicep"))
    run = log["runs"][0]
    assert [a["location"]["uri"] for a in run["artifacts"]] == [
        "auditor/baselines/openai-e2e-chat-aistudio.yaml",
        "infra/main.bicep",
    ]
    for r in run["results"]:
        (loc,) = r["locations"]
        physical = loc["physicalLocation"]
        assert physical["artifactLocation"] == {"uri": "infra/main.bicep", "index": 1}
        assert physical["region"] == {"startLine": 1}
        assert "uriBaseId" not in physical["artifactLocation"]  # GitHub does not resolve uriBaseId
        (logical,) = loc["logicalLocations"]
        assert logical["kind"] == "resource"


def test_fingerprints_are_stable_across_runs_and_case_and_distinct_per_resource() -> None:
    first = sample_result()
    second = sample_result()
    second = replace(second, generated_at="2027-01-01T00:00:00Z")
    second = with_findings(second, [replace(f, resource_id=f.resource_id.upper()) for f in second.findings])
    prints = [
        {(r["ruleId"], r["partialFingerprints"]["auditorFinding/v1"]) for r in sarif(x)["runs"][0]["results"]}
        for x in (first, second)
    ]
    assert prints[0] == prints[1]
    values = [fp for _, fp in prints[0]]
    assert len(values) == len(set(values))
    assert fingerprint("PUB001", "/A/b") == fingerprint("PUB001", "/a/B") != fingerprint("PUB002", "/a/b")
    for r in sarif(first)["runs"][0]["results"]:
        assert (
            r["partialFingerprints"]["primaryLocationLineHash"]
            == r["partialFingerprints"]["auditorFinding/v1"]
        )


def test_invocation_carries_the_gate_and_the_tool_notifications() -> None:
    log = sarif(sample_result())
    run = log["runs"][0]
    (inv,) = run["invocations"]
    assert inv["executionSuccessful"] is True
    assert inv["exitCode"] == 1
    assert inv["exitCodeDescription"].startswith("gate FAILED: ")
    notes = inv["toolExecutionNotifications"]
    assert [n["level"] for n in notes] == ["error", "warning"]
    assert notes[0]["associatedRule"] == {"id": "SMP009"}
    assert run["automationDetails"]["id"] == "auditor/openai-e2e-chat-aistudio/2026-11-21T08:00:00Z"
    no_gate = sarif(sample_result(policy=None))["runs"][0]["invocations"][0]
    assert no_gate["exitCode"] == 0
    waivers = run["properties"]["waivers"]
    assert [w["rule"] for w in waivers["stale"]] == ["SMP001"] and [
        w["rule"] for w in waivers["expired"]
    ] == ["SMP003"]


def test_a_team_baseline_file_is_the_physical_location_at_the_rule_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shipped = load_baseline("openai-e2e-chat-aistudio")
    text = Path(shipped.source).read_text(encoding="utf-8")
    (tmp_path / "policy").mkdir()
    ours = tmp_path / "policy" / "our-baseline.yaml"
    ours.write_text(text.replace("name: openai-e2e-chat-aistudio", "name: ours"), encoding="utf-8")
    expected_line = next(
        i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith("PUB001:")
    )
    monkeypatch.chdir(tmp_path)
    result = run_audit(Snapshot.from_data(gate_estate()), load_baseline(str(ours)), "test")
    log = sarif(result)
    pub = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "PUB001")
    physical = pub["locations"][0]["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == "policy/our-baseline.yaml"
    assert physical["region"]["startLine"] == expected_line


def test_rule_metadata_comes_from_the_catalogue_when_it_has_the_rule() -> None:
    result = run_audit(Snapshot.from_data(gate_estate()), load_baseline("openai-e2e-chat-aistudio"), "test")
    log = sarif(result)
    pub = next(r for r in log["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "PUB001")
    assert pub["name"] == "openai-public-network-disabled"
    assert "publicNetworkAccess" in pub["help"]["text"]
    assert pub["properties"]["tags"][-1] == "public-access"


NSG001_SECTION = (
    "https://learn.microsoft.com/azure/architecture/ai-ml/architecture/baseline-openai-e2e-chat"
    "#virtual-network-segmentation-and-security"
)


@pytest.mark.parametrize(
    ("rule_id", "documentation", "expected"),
    [
        # No published documentation: the rule's first reference; a rule without any has no helpUri.
        ("SMP001", None, None),
        ("NSG001", None, NSG001_SECTION),
        ("SMP001", "https://example.test/auditor/docs", "https://example.test/auditor/docs/rules/SMP001.md"),
        ("NSG001", "https://example.test/auditor/docs", "https://example.test/auditor/docs/rules/NSG001.md"),
        (
            "NSG001",
            "https://example.test/auditor/docs/rules.md",
            "https://example.test/auditor/docs/rules/NSG001.md",
        ),
    ],
)
def test_help_uri_follows_the_documentation_url(
    rule_id: str, documentation: str | None, expected: str | None
) -> None:
    result = sample_result()
    # The project's URLs travel in the report: the renderer looks nothing up.
    urls = {} if documentation is None else {"documentation": documentation}
    result = replace(result, tool=replace(result.tool, urls=urls))
    rules = sarif(result)["runs"][0]["tool"]["driver"]["rules"]
    descriptor = next(r for r in rules if r["id"] == rule_id)
    assert descriptor.get("helpUri") == expected


def test_every_catalogue_rule_has_a_help_uri_and_its_lifecycle() -> None:
    rules = sarif(sample_result())["runs"][0]["tool"]["driver"]["rules"]
    catalogue = [r for r in rules if not r["id"].startswith("SMP")]
    assert catalogue
    for rule in catalogue:
        assert rule["helpUri"].startswith("https://"), rule["id"]
        known = all_rules()[rule["id"]]
        assert rule["properties"]["status"] == known.status.value, rule["id"]
        assert rule["properties"]["since"] == known.since, rule["id"]


def test_cli_writes_valid_sarif(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    args = [
        "audit",
        "--snapshot",
        "drifted.json",
        "--format",
        "sarif",
        "--output",
        "r.sarif",
        "--fail-on",
        "high",
    ]
    code, _, err = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("gate FAILED")
    log = json.loads((tmp_path / "r.sarif").read_text())
    validate(log)
    assert log["runs"][0]["invocations"][0]["exitCode"] == 1


def test_control_characters_and_unicode_survive(tmp_path: Path) -> None:
    result = sample_result()
    odd = replace(copy.deepcopy(result.findings[1]), message="bad \x00\x1b[31m value ünïcode 名前")
    result = with_findings(result, [*result.findings, odd])
    text = render(result)
    assert "名前" in json.loads(text)["runs"][0]["results"][-1]["message"]["text"]


def test_a_recommended_rule_is_a_note_without_security_severity() -> None:
    result = sample_result()
    run = sarif(result)["runs"][0]
    rules = {r["id"]: r for r in run["tool"]["driver"]["rules"]}
    recommended = {
        rid for rid, setting in result.baseline.rules.items() if setting.level.value == "recommended"
    }
    assert recommended, "the baseline must rank some rule recommended for this test to mean anything"
    for rid in [*recommended, "SMP004"]:
        props = rules[rid]["properties"]
        assert rules[rid]["defaultConfiguration"]["level"] == "note", rid
        assert "security-severity" not in props and props["problem.severity"] == "recommendation", rid
        assert props["level"] == "recommended" and "recommended" in props["tags"], rid
    required = rules["SMP001"]
    assert (
        required["properties"]["security-severity"] == "9.5" and required["properties"]["level"] == "required"
    )
    (smp004,) = [r for r in run["results"] if r["ruleId"] == "SMP004"]
    assert smp004["level"] == "note" and smp004["kind"] == "fail"


def test_drifted_aml_sample_gives_recommended_findings_level_note(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = EXAMPLES / "openai-e2e-chat-aml-drifted.json"
    args = ["audit", "--snapshot", str(snapshot), "--baseline", "openai-e2e-chat-aml"]
    code, _, _ = run_cli([*args, "--format", "sarif", "--output", "r.sarif"], capsys, monkeypatch, tmp_path)
    assert code == 0
    log = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    validate(log)
    run = log["runs"][0]
    failing = [r for r in run["results"] if r["properties"]["status"] == "fail"]
    recommended = [r for r in failing if r["properties"]["level"] == "recommended"]
    assert "IAM005" in {r["ruleId"] for r in recommended}
    assert {r["level"] for r in recommended} == {"note"}
    rules = run["tool"]["driver"]["rules"]
    for r in recommended:
        assert "security-severity" not in rules[r["ruleIndex"]]["properties"]
    # Failing required findings keep the level of their severity.
    assert any(r["level"] == "error" for r in failing if r not in recommended)


def _copy_of_the_shipped_baseline(folder: Path) -> tuple[Path, int]:
    shipped = load_baseline("openai-e2e-chat-aistudio")
    text = Path(shipped.source).read_text(encoding="utf-8")
    (folder / "policy").mkdir()
    ours = folder / "policy" / "copy.yaml"
    ours.write_text(text, encoding="utf-8")
    line = next(i for i, row in enumerate(text.splitlines(), 1) if row.strip().startswith("PUB001:"))
    return ours, line


@pytest.mark.parametrize(
    ("extra", "uri", "at_rule_line"),
    [
        ([], None, False),
        (["--baseline", "policy/copy.yaml"], "policy/copy.yaml", True),
        (["--sarif-location", "infra/main.bicep"], "infra/main.bicep", False),
        (
            ["--baseline", "policy/copy.yaml", "--sarif-location", "./policy/copy.yaml"],
            "policy/copy.yaml",
            True,
        ),
        (
            ["--baseline", "policy/copy.yaml", "--sarif-location", "infra/main.bicep"],
            "infra/main.bicep",
            False,
        ),
    ],
)
def test_cli_results_point_at_a_file_of_the_repository(
    extra: list[str],
    uri: str | None,
    at_rule_line: bool,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    _, line = _copy_of_the_shipped_baseline(tmp_path)
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.bicep").write_text("param location string\n", encoding="utf-8")
    args = ["audit", "--snapshot", "drifted.json", "-f", "sarif", "-o", "r.sarif", *extra]
    code, _, err = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code == 0, err
    log = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
    validate(log)
    run = log["runs"][0]
    pub = next(r for r in run["results"] if r["ruleId"] == "PUB001")
    (loc,) = pub["locations"]
    if uri is None:
        assert "physicalLocation" not in loc
        return
    physical = loc["physicalLocation"]
    assert physical["artifactLocation"]["uri"] == uri
    assert run["artifacts"][physical["artifactLocation"]["index"]]["location"]["uri"] == uri
    assert physical["region"]["startLine"] == (line if at_rule_line else 1)


def test_cli_sarif_location_must_be_a_file_inside_the_working_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    base = ["audit", "--snapshot", "drifted.json", "-f", "sarif", "-o", "r.sarif"]
    code, _, err = run_cli([*base, "--sarif-location", "missing.bicep"], capsys, monkeypatch, tmp_path)
    assert code == 2 and "--sarif-location missing.bicep: no such file" in err
    outside = tmp_path.parent / f"{tmp_path.name}-outside.bicep"
    outside.write_text("x\n", encoding="utf-8")
    code, _, err = run_cli([*base, "--sarif-location", str(outside)], capsys, monkeypatch, tmp_path)
    assert code == 2 and "outside the working folder" in err
    assert not (tmp_path / "r.sarif").exists()


def test_cli_keeps_waived_findings_only_when_asked(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    code, out, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "-f", "json"], capsys, monkeypatch, tmp_path
    )
    pub = next(f for f in json.loads(out)["findings"] if f["rule_id"] == "PUB001" and f["status"] == "fail")
    waiver = (
        f"- rule: PUB001\n  resource: '{pub['resource_id']}'\n  justification: CHG-1\n"
        "  owner: me@contoso.example\n  expires: 2999-12-31\n"
    )
    (tmp_path / "waivers.yaml").write_text(waiver, encoding="utf-8")
    base = [
        "audit",
        "--snapshot",
        "drifted.json",
        "--waivers",
        "waivers.yaml",
        "-f",
        "sarif",
        "-o",
        "r.sarif",
    ]
    for extra, expected in (([], 0), (["--sarif-include-waived"], 1)):
        code, _, err = run_cli([*base, *extra], capsys, monkeypatch, tmp_path)
        assert code == 0, err
        log = json.loads((tmp_path / "r.sarif").read_text(encoding="utf-8"))
        validate(log)
        waived = [r for r in log["runs"][0]["results"] if r["properties"]["status"] == "waived"]
        assert len(waived) == expected
        assert all(r["suppressions"][0]["status"] == "accepted" for r in waived)
