"""The sample estates: compliant ones score 100, drifted ones trip every family; golden reports."""

from __future__ import annotations

import json

import jsonschema
import pytest

from auditor.arm.snapshot import load_snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.model import Control, Status
from auditor.reports.json_report import report_dict, schema
from tests.make_examples import BASELINE_OF, EXAMPLES, GOLDEN, expected_files, golden_report


@pytest.mark.parametrize("name", sorted(expected_files()))
def test_examples_and_golden_reports_are_current(name: str) -> None:
    text = expected_files()[name]
    assert (EXAMPLES / name).read_text(encoding="utf-8") == text, "run `python -m tests.make_examples`"
    assert (GOLDEN / name).read_text(encoding="utf-8") == golden_report(name, text), (
        "verdicts on a sample changed: run `python -m tests.make_examples`, review `git diff tests/golden`"
    )


@pytest.mark.parametrize("variant", ["aistudio", "aml", "foundry"])
def test_compliant_sample_scores_100(variant: str) -> None:
    result = run_audit(
        load_snapshot(EXAMPLES / f"{BASELINE_OF[variant]}-compliant.json"),
        load_baseline(BASELINE_OF[variant]),
        "test",
    )
    assert result.card.score == 100.0
    assert result.card.coverage == 1.0
    assert {f.status for f in result.findings} == {Status.PASS}
    jsonschema.validate(json.loads(json.dumps(report_dict(result), default=str)), schema())


@pytest.mark.parametrize("variant", ["aistudio", "aml", "foundry"])
def test_drifted_sample_fails_in_every_family(variant: str) -> None:
    result = run_audit(
        load_snapshot(EXAMPLES / f"{BASELINE_OF[variant]}-drifted.json"),
        load_baseline(BASELINE_OF[variant]),
        "test",
    )
    failing = {f.control for f in result.findings if f.status is Status.FAIL}
    assert failing == set(Control)
    assert 0 < result.card.score < 100
    # The 403 on the gateway's diagnostic settings is not assessed, never a pass or a fail.
    gateway = [f for f in result.findings if f.rule_id == "DIAG005"]
    assert gateway and {f.status for f in gateway} == {Status.NOT_ASSESSED}
    assert result.card.coverage < 1.0
    assert not [f for f in result.findings if f.status is Status.ERROR]


def test_the_foundry_sample_passes_at_least_60_checks_in_every_family() -> None:
    result = run_audit(
        load_snapshot(EXAMPLES / "microsoft-foundry-chat-compliant.json"),
        load_baseline("microsoft-foundry-chat"),
        "t",
    )
    passes = [f for f in result.findings if f.status is Status.PASS]
    assert len(passes) >= 60
    assert {f.control for f in passes} == set(Control)


@pytest.mark.parametrize("name", sorted(expected_files()))
def test_auditing_without_a_baseline_picks_the_samples_own(name: str) -> None:
    """Each of the six samples holds one workload, and its variant's baseline is picked, with the reason."""
    from auditor.engine.workloads import run_workloads

    report = run_workloads(load_snapshot(EXAMPLES / name), None, "test")
    assert not report.no_workload
    [workload] = report.workloads
    expected = next(b for b in BASELINE_OF.values() if name.startswith(b + "-"))
    assert workload.baseline.name == expected, (workload.baseline_reason, workload.variant_reason)
    assert workload.baseline_reason and workload.variant_reason


@pytest.mark.parametrize("variant", ["aistudio", "aml", "foundry"])
def test_a_sample_audited_with_another_variants_baseline_says_so(variant: str) -> None:
    from auditor.engine.workloads import run_workloads

    other = next(b for v, b in BASELINE_OF.items() if v != variant)
    report = run_workloads(
        load_snapshot(EXAMPLES / f"{BASELINE_OF[variant]}-compliant.json"), load_baseline(other), "test"
    )
    [workload] = report.workloads
    assert workload.mismatch and "\n" not in workload.mismatch
