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
from tests.make_examples import EXAMPLES, GOLDEN, expected_files, golden_report


@pytest.mark.parametrize("name", sorted(expected_files()))
def test_examples_and_golden_reports_are_current(name: str) -> None:
    text = expected_files()[name]
    assert (EXAMPLES / name).read_text(encoding="utf-8") == text, "run `python -m tests.make_examples`"
    assert (GOLDEN / name).read_text(encoding="utf-8") == golden_report(name, text), (
        "verdicts on a sample changed: run `python -m tests.make_examples`, review `git diff tests/golden`"
    )


@pytest.mark.parametrize("variant", ["aistudio", "aml"])
def test_compliant_sample_scores_100(variant: str) -> None:
    result = run_audit(
        load_snapshot(EXAMPLES / f"openai-e2e-chat-{variant}-compliant.json"),
        load_baseline(f"openai-e2e-chat-{variant}"),
        "test",
    )
    assert result.card.score == 100.0
    assert result.card.coverage == 1.0
    assert {f.status for f in result.findings} == {Status.PASS}
    jsonschema.validate(json.loads(json.dumps(report_dict(result), default=str)), schema())


@pytest.mark.parametrize("variant", ["aistudio", "aml"])
def test_drifted_sample_fails_in_every_family(variant: str) -> None:
    result = run_audit(
        load_snapshot(EXAMPLES / f"openai-e2e-chat-{variant}-drifted.json"),
        load_baseline(f"openai-e2e-chat-{variant}"),
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
