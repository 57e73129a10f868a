"""The terminal report: columns that stay apart, recommendations counted apart from failures."""

from __future__ import annotations

import re

import pytest

from auditor.model import Control, Severity, Status
from auditor.reports import RenderOptions
from auditor.reports.console import render, summary_line
from tests.report_samples import RG, finding, sample_result, with_findings


@pytest.mark.parametrize("status", list(Status))
@pytest.mark.parametrize("severity", list(Severity))
def test_status_severity_and_rule_are_separate_words(status: Status, severity: Severity) -> None:
    result = with_findings(
        sample_result(),
        [finding("DIAG005", Control.DIAGNOSTICS, status, severity, f"{RG}/Microsoft.KeyVault/vaults/kv")],
    )
    text = render(result, RenderOptions(show_passed=True))
    line = next(line for line in text.splitlines() if "DIAG005" in line)
    assert re.match(rf"^  {status.value.upper()} +{severity.value} +DIAG005 vaults/kv$", line), line


def test_columns_line_up_across_statuses() -> None:
    text = render(sample_result(), RenderOptions(show_passed=True))
    words = "|".join(s.value.upper() for s in Status)
    heads = [line for line in text.splitlines() if re.match(rf"^  ({words}) ", line)]
    assert len(heads) == len(sample_result().findings)
    assert len({line.index("SMP") for line in heads}) == 1


def test_recommendations_are_counted_apart_from_the_failures() -> None:
    result = sample_result()
    line = summary_line(result)
    assert line.startswith(f"score {result.card.score:.1f}/100") and " 4 failed, " in line
    assert line.endswith("; 1 recommendations")
    smp004 = next(line for line in render(result).splitlines() if "SMP004" in line)
    assert "(recommended)" in smp004
