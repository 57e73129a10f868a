"""JUnit XML: valid against the readers' XSD; one suite per family, one case per (rule, resource)."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from pathlib import Path

import pytest
from lxml import etree

from auditor.model import Control, Level, Severity, Status
from auditor.reports.junit import render
from tests import paths
from tests.report_samples import (
    NASTY,
    changed,
    finding,
    gate_estate,
    run_cli,
    sample_result,
    with_findings,
    write_json,
)

XSD = paths.SCHEMAS / "junit.xsd"
EXAMPLES = paths.EXAMPLES


@lru_cache(maxsize=1)
def schema() -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(XSD)))


def parse(text: str) -> etree._Element:
    root = etree.fromstring(text.encode("utf-8"))
    assert schema().validate(root), schema().error_log
    return root


def test_the_xsd_rejects_what_readers_would_choke_on() -> None:
    stray_case = b'<testsuites tests="1" failures="0" errors="0"><testcase/></testsuites>'
    assert not schema().validate(etree.fromstring(stray_case))
    bad_count = b'<testsuites tests="-1" failures="0" errors="0"/>'
    assert not schema().validate(etree.fromstring(bad_count))
    two_outcomes = (
        b'<testsuites tests="1" failures="1" errors="0">'
        b'<testsuite name="s" tests="1" failures="1" errors="0">'
        b'<testcase name="a" classname="b"><failure/><skipped/></testcase></testsuite></testsuites>'
    )
    assert not schema().validate(etree.fromstring(two_outcomes))


def test_sample_result_validates_with_one_suite_per_family() -> None:
    result = sample_result()
    root = parse(render(result))
    suites = root.findall("testsuite")
    required = [f for f in result.findings if f.level is Level.REQUIRED]
    families = [c.value for c in Control if any(f.control is c for f in required)]
    assert [s.get("name") for s in suites] == families
    assert int(root.get("tests")) == len(required) == len(root.findall(".//testcase"))
    assert int(root.get("failures")) == result.card.overall.failed == 4  # SMP004 is only recommended
    assert int(root.get("errors")) == 1
    assert int(root.get("skipped")) == 2  # one not assessed, one waived
    for suite in suites:
        assert int(suite.get("tests")) == len(suite.findall("testcase"))
        assert int(suite.get("failures")) == len(suite.findall("testcase/failure"))


def test_outcomes_carry_message_remediation_and_waiver() -> None:
    root = parse(render(sample_result()))
    cases = {c.get("classname") + " " + c.get("name"): c for c in root.iter("testcase")}
    storage = next(
        c for k, c in cases.items() if k.startswith("auditor.public-access.SMP002") and k.endswith("st1")
    )
    failure = storage.find("failure")
    assert failure.get("type") == "high"
    assert failure.get("message").startswith("[high] Sample rule SMP002: properties.sample")
    assert "remediation: az resource update" in failure.text
    assert 'expected: {"publicNetworkAccess": "Disabled"}' in failure.text
    waived = next(c for k, c in cases.items() if k.endswith("st2"))
    assert (
        waived.find("skipped")
        .get("message")
        .startswith("waived until 2999-12-31 by platform@contoso.example:")
    )
    na = next(c for c in cases.values() if c.get("classname").endswith("SMP005"))
    assert na.find("skipped").get("message").startswith("not assessed: ")
    error = next(c for c in cases.values() if c.get("classname").endswith("SMP009"))
    assert error.find("error") is not None and error.get("name") == "SMP009 (estate)"
    passed = next(c for c in cases.values() if c.get("classname").endswith("SMP006"))
    assert passed.find("failure") is None and passed.find("skipped") is None
    lapsed = next(c for c in cases.values() if c.get("classname").endswith("SMP003"))
    assert "waiver expired on 2001-01-31" in lapsed.find("failure").text


def test_hostile_strings_stay_data() -> None:
    result = sample_result()
    odd = finding(
        "SMP010", Control.NSG, Status.FAIL, Severity.LOW, "/x/y", message="nul \x00 esc \x1b ]]> & <tag>"
    )
    result = with_findings(result, [*result.findings, odd])
    root = parse(render(result))
    nasty = next(c for c in root.iter("testcase") if c.get("classname").endswith("SMP001"))
    assert NASTY in nasty.get("name")
    assert NASTY in nasty.find("failure").get("message")
    odd_case = next(c for c in root.iter("testcase") if c.get("classname").endswith("SMP010"))
    assert odd_case.find("failure").get("message").endswith("nul \ufffd esc \ufffd ]]> & <tag>")


def test_duplicate_rule_and_resource_get_distinct_names() -> None:
    result = sample_result()
    twin = finding("SMP008", Control.RELIABILITY, Status.PASS, Severity.LOW, result.findings[8].resource_id)
    result = with_findings(result, [*result.findings, twin])
    root = parse(render(result))
    names = [c.get("name") for c in root.iter("testcase") if c.get("classname").endswith("SMP008")]
    assert len(names) == 2 and names[1] == names[0] + " #2"


def test_cli_writes_valid_junit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    code, _, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--format", "junit", "--output", "r.xml"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    root = parse((tmp_path / "r.xml").read_text(encoding="utf-8"))
    failures = [c for c in root.iter("testcase") if c.find("failure") is not None]
    assert [c.get("classname") for c in failures] == ["auditor.public-access.PUB001"]


@pytest.mark.parametrize("status", list(Status))
def test_a_recommendation_is_neither_failed_nor_passed_nor_skipped(status: Status) -> None:
    # The gate never fails on a recommendation, and the console headline does not count it
    # as passed, failed or skipped: the JUnit file leaves it out, so the counts agree.
    result = changed(sample_result(), 4, status=status)
    root = parse(render(result))
    assert not [c for c in root.iter("testcase") if c.get("classname").endswith("SMP004")]
    assert int(root.get("failures")) == 4 and int(root.get("skipped")) == 2
    assert not [s for s in root.iter("skipped") if s.get("message", "").startswith("recommendation")]


def test_drifted_aml_sample_failures_match_the_console_count(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = EXAMPLES / "openai-e2e-chat-aml-drifted.json"
    if not snapshot.is_file():
        pytest.skip("examples/openai-e2e-chat-aml-drifted.json is missing")
    args = ["audit", "--snapshot", str(snapshot), "--baseline", "openai-e2e-chat-aml"]
    code, _, _ = run_cli([*args, "--format", "json", "--output", "r.json"], capsys, monkeypatch, tmp_path)
    assert code == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    failing = [f for f in report["findings"] if f["status"] == "fail"]
    recommended = [f for f in failing if f["level"] == Level.RECOMMENDED.value]
    assert recommended, "the drifted AML sample must fail a recommended rule for this test to mean anything"
    code, _, _ = run_cli([*args, "--format", "junit", "--output", "r.xml"], capsys, monkeypatch, tmp_path)
    assert code == 0
    root = parse((tmp_path / "r.xml").read_text(encoding="utf-8"))
    assert int(root.get("failures")) == len(failing) - len(recommended)
    assert int(root.get("failures")) == report["summary"]["failed"]
    recommended_rules = {f["rule_id"] for f in recommended}
    assert not [
        c for c in root.iter("testcase") if c.get("classname").rsplit(".", 1)[-1] in recommended_rules
    ]


@pytest.mark.parametrize("name", ["aistudio-drifted", "aml-drifted", "aistudio-compliant", "aml-compliant"])
def test_junit_counts_match_the_console_headline_and_family_table(
    name: str, tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    snapshot = EXAMPLES / f"openai-e2e-chat-{name}.json"
    if not snapshot.is_file():
        pytest.skip(f"{snapshot.name} is missing")
    baseline = "openai-e2e-chat-" + name.split("-")[0]
    args = ["audit", "--snapshot", str(snapshot), "--baseline", baseline]
    code, console, _ = run_cli([*args, "--format", "console"], capsys, monkeypatch, tmp_path)
    assert code == 0
    headline = console.rstrip().splitlines()[-1]
    counts = re.search(
        r"(\d+) failed, (\d+) passed, (\d+) not assessed, (\d+) waived(?:, (\d+) errors?)?", headline
    )
    assert counts, headline
    failed, passed, not_assessed, waived = (int(x) for x in counts.groups()[:4])
    errors = int(counts.group(5) or 0)
    code, _, _ = run_cli([*args, "--format", "junit", "--output", "r.xml"], capsys, monkeypatch, tmp_path)
    assert code == 0
    root = parse((tmp_path / "r.xml").read_text(encoding="utf-8"))
    assert int(root.get("failures")) == failed
    assert int(root.get("skipped")) == not_assessed + waived
    assert int(root.get("errors")) == errors
    assert int(root.get("tests")) == passed + failed + not_assessed + waived + errors
    # Suite by suite, the console's table of families says the same.
    table = {}
    for line in console.splitlines():
        cells = line.split()
        if len(cells) == 6 and cells[0] in {c.value for c in Control} and cells[2].isdigit():
            table[cells[0]] = [int(x) for x in cells[2:]]
    suites = {s.get("name"): s for s in root.findall("testsuite")}
    assert set(suites) == set(table)
    for family, (p, f, na, w) in table.items():
        suite = suites[family]
        assert int(suite.get("failures")) == f, family
        assert int(suite.get("skipped")) == na + w, family
        assert int(suite.get("tests")) == p + f + na + w + int(suite.get("errors")), family
