"""The pre-release gate: conditions, exit codes, the last console line, `auditor gate` on a saved report."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from auditor.engine.gate import GatePolicy, evaluate, evaluate_result, parse_coverage, parse_severity
from auditor.model import Severity
from auditor.reports.json_report import schema
from tests.report_samples import gate_estate, run_cli, sample_result, write_json

Row = tuple[str, str, str, str, str, str]


def row(status: str, severity: str, level: str = "required", rule: str = "SMP001") -> Row:
    return (rule, status, severity, level, f"/subscriptions/s/x/{rule}", "msg")


# --- the policy itself -------------------------------------------------------------------------


def test_no_condition_passes_and_is_inactive() -> None:
    policy = GatePolicy()
    assert not policy.active
    assert evaluate(policy, 0.0, 0.0, [row("fail", "critical")]).passed


@pytest.mark.parametrize(
    ("threshold", "severity", "fails"),
    [
        (Severity.HIGH, "critical", True),
        (Severity.HIGH, "high", True),
        (Severity.HIGH, "medium", False),
        (Severity.CRITICAL, "high", False),
        (Severity.LOW, "low", True),
    ],
)
def test_fail_on_is_at_or_above(threshold: Severity, severity: str, fails: bool) -> None:
    outcome = evaluate(GatePolicy(fail_on=threshold), 100.0, 1.0, [row("fail", severity)])
    assert outcome.passed is not fails
    assert bool(outcome.blockers) is fails


@pytest.mark.parametrize(
    "finding",
    [
        row("fail", "critical", level="recommended"),
        row("waived", "critical"),
        row("not_assessed", "critical"),
        row("error", "critical"),
        row("pass", "critical"),
    ],
)
def test_only_failing_required_findings_trip_fail_on(finding: Row) -> None:
    assert evaluate(GatePolicy(fail_on=Severity.LOW), 100.0, 1.0, [finding]).passed


def test_min_score_and_coverage_boundaries() -> None:
    assert evaluate(GatePolicy(min_score=80), 80.0, 1.0, []).passed
    below = evaluate(GatePolicy(min_score=80), 79.9, 1.0, [])
    assert not below.passed
    assert below.message == "gate FAILED: score 79.9 is below the minimum 80 (--min-score)"
    assert evaluate(GatePolicy(min_coverage=0.9), 50.0, 0.9, []).passed
    low = evaluate(GatePolicy(min_coverage=0.9), 50.0, 0.85, [])
    assert low.message == "gate FAILED: coverage 85% is below the minimum 90% (--fail-on-coverage-below)"
    # A threshold between whole percents is shown as given, never rounded up to look unreachable.
    near = evaluate(GatePolicy(min_coverage=0.995), 100.0, 0.993, [])
    assert near.message == "gate FAILED: coverage 99.3% is below the minimum 99.5% (--fail-on-coverage-below)"


def test_message_names_every_failed_condition_and_counts_by_severity() -> None:
    policy = GatePolicy(min_score=90, fail_on=Severity.HIGH, min_coverage=0.5)
    outcome = evaluate(policy, 70.0, 0.8, [row("fail", "critical"), row("fail", "high"), row("fail", "high")])
    assert outcome.message == (
        "gate FAILED: score 70.0 is below the minimum 90 (--min-score); "
        "3 failing findings at or above high (1 critical, 2 high) (--fail-on)"
    )
    assert [b.severity for b in outcome.blockers] == [Severity.CRITICAL, Severity.HIGH, Severity.HIGH]
    passed = evaluate(policy, 95.0, 0.8, [row("fail", "medium")])
    assert passed.message == (
        "gate passed: score 95.0 >= 90; no failing finding at or above high; coverage 80% >= 50%"
    )


def test_parsers() -> None:
    assert parse_coverage("90%") == pytest.approx(0.9)
    assert parse_coverage("0.75") == pytest.approx(0.75)
    assert parse_severity("HIGH") is Severity.HIGH
    assert parse_severity("none") is None
    for bad in ("1.5", "150%", "lots"):
        with pytest.raises(Exception, match="coverage threshold"):
            parse_coverage(bad)
    with pytest.raises(Exception, match="unknown severity 'severe'"):
        parse_severity("severe")


def test_evaluate_result_matches_the_saved_report() -> None:
    result = sample_result(policy=None)
    policy = GatePolicy(fail_on=Severity.HIGH, min_score=90)
    from auditor.engine.gate import evaluate_report
    from auditor.reports.json_report import report_dict

    live = evaluate_result(policy, result)
    saved = evaluate_report(policy, json.loads(json.dumps(report_dict(result))))
    assert live.message == saved.message
    assert [b.rule_id for b in live.blockers] == ["SMP001", "SMP002", "SMP003"]


# --- `auditor audit` with gate conditions ------------------------------------------------------


@pytest.fixture
def estate_files(tmp_path: Path) -> Path:
    write_json(tmp_path / "drifted.json", gate_estate(drift_openai=True))
    write_json(tmp_path / "compliant.json", gate_estate(drift_openai=False))
    return tmp_path


def test_audit_fails_the_gate_with_exit_1_and_says_why_last(
    estate_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--fail-on", "high"], capsys, monkeypatch, estate_files
    )
    assert code == 1
    assert (
        out.rstrip().splitlines()[-1]
        == "gate FAILED: 1 failing finding at or above high (1 high) (--fail-on)"
    )


def test_audit_passes_the_gate_with_exit_0(
    estate_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["audit", "--snapshot", "compliant.json", "--fail-on", "high", "--min-score", "90"]
    code, out, _ = run_cli(args, capsys, monkeypatch, estate_files)
    assert code == 0
    assert (
        out.rstrip()
        .splitlines()[-1]
        .startswith("gate passed: score 100.0 >= 90; no failing finding at or above high")
    )


def test_without_conditions_there_is_no_gate_line(
    estate_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(["audit", "--snapshot", "drifted.json"], capsys, monkeypatch, estate_files)
    assert code == 0
    assert "gate" not in out.rstrip().splitlines()[-1]


def test_critical_threshold_lets_a_high_finding_through(
    estate_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--fail-on", "critical"], capsys, monkeypatch, estate_files
    )
    assert code == 0


def test_json_on_stdout_stays_pure_and_the_verdict_goes_to_stderr(
    estate_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    args = ["audit", "--snapshot", "drifted.json", "--format", "json", "--fail-on", "high"]
    code, out, err = run_cli(args, capsys, monkeypatch, estate_files)
    assert code == 1
    report = json.loads(out)
    jsonschema.validate(report, schema())
    assert report["gate"]["passed"] is False
    assert report["gate"]["policy"]["fail_on"] == "high"
    assert err.strip().splitlines()[-1].startswith("gate FAILED: 1 failing finding at or above high")


@pytest.mark.parametrize(
    ("flags", "fragment"),
    [
        (["--min-score", "101"], "minimum score '101' must be between 0 and 100"),
        (["--min-score", "lots"], "minimum score 'lots' is not a number"),
        (["--fail-on", "severe"], "unknown severity 'severe'"),
        (["--fail-on-coverage-below", "2"], "coverage threshold '2' must be between 0 and 1"),
    ],
)
def test_bad_thresholds_are_usage_errors(
    flags: list[str],
    fragment: str,
    estate_files: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    code, out, err = run_cli(
        ["audit", "--snapshot", "drifted.json", *flags], capsys, monkeypatch, estate_files
    )
    assert code == 2
    assert out == ""
    assert err.strip().splitlines() == [err.strip()]
    assert fragment in err


def test_coverage_gate_fails_when_reads_were_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    doc = gate_estate(drift_openai=False)
    # Without the accounts, PUB001 cannot be assessed: the auditor was refused the read.
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "Microsoft.CognitiveServices/accounts"]
    doc["errors"] = [
        {
            "scope": "/subscriptions/s/providers/Microsoft.CognitiveServices/accounts",
            "resource_type": "Microsoft.CognitiveServices/accounts",
            "status": 403,
            "code": "AuthorizationFailed",
            "message": "no",
        }
    ]
    write_json(tmp_path / "partial.json", doc)
    args = ["audit", "--snapshot", "partial.json", "--fail-on-coverage-below", "100%", "--format", "json"]
    code, out, err = run_cli(args, capsys, monkeypatch, tmp_path)
    report = json.loads(out)
    assert report["coverage"] < 1, "the test needs an estate the auditor could not fully read"
    assert code == 1
    assert f"coverage {report['coverage']:.0%} is below the minimum 100% (--fail-on-coverage-below)" in err


# --- `auditor gate REPORT.json` ----------------------------------------------------------------


@pytest.fixture
def saved_report(
    estate_files: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> Path:
    code, _, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--format", "json", "--output", "report.json"],
        capsys,
        monkeypatch,
        estate_files,
    )
    assert code == 0
    return estate_files / "report.json"


def test_gate_command_fails_on_a_saved_report_and_lists_the_blockers(
    saved_report: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["gate", str(saved_report), "--fail-on", "high"], capsys, monkeypatch, saved_report.parent
    )
    lines = out.strip().splitlines()
    assert code == 1
    assert "score" in lines[0]
    assert lines[1].split()[:2] == ["high", "PUB001"]
    assert lines[-1] == "gate FAILED: 1 failing finding at or above high (1 high) (--fail-on)"


def test_gate_command_passes_when_the_policy_allows(
    saved_report: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, out, _ = run_cli(
        ["gate", str(saved_report), "--fail-on", "critical", "--min-score", "0"],
        capsys,
        monkeypatch,
        saved_report.parent,
    )
    report = json.loads(saved_report.read_text())
    assert code == 0
    assert out.strip().splitlines()[-1] == (
        f"gate passed: score {report['score']:.1f} >= 0; no failing finding at or above critical"
    )


def test_gate_command_needs_a_condition(
    saved_report: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run_cli(["gate", str(saved_report)], capsys, monkeypatch, saved_report.parent)
    assert code == 2
    assert "no gate condition" in err


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("{not json", "not valid JSON (line 1"),
        (json.dumps({"score": 50}), "not an auditor JSON report: at (top level):"),
        ("MUTATE", "not an auditor JSON report: at findings/0/severity:"),
    ],
)
def test_gate_command_rejects_an_invalid_report_with_exit_2(
    content: str,
    fragment: str,
    saved_report: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    if content == "MUTATE":
        report = json.loads(saved_report.read_text())
        report["findings"][0]["severity"] = "catastrophic"
        content = json.dumps(report)
    bad = saved_report.parent / "bad.json"
    bad.write_text(content)
    code, out, err = run_cli(
        ["gate", str(bad), "--fail-on", "high"], capsys, monkeypatch, saved_report.parent
    )
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert fragment in err


def test_gate_command_on_a_missing_report(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run_cli(["gate", "nope.json", "--fail-on", "high"], capsys, monkeypatch, tmp_path)
    assert code == 2
    assert "report not found: nope.json" in err
