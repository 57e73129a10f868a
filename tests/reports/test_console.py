"""The terminal report: columns that stay apart, recommendations counted apart from failures."""

from __future__ import annotations

import re

import pytest

from auditor.model import Control, Level, Severity, Status
from auditor.options import terminal_options
from auditor.reports import RenderOptions
from auditor.reports.console import counted, render, summary_line
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
    assert line.endswith("; 1 recommendation")
    smp004 = next(line for line in render(result).splitlines() if "SMP004" in line)
    assert "(recommended)" in smp004


def test_counts_are_singular_for_one_and_plural_otherwise() -> None:
    assert [counted(n, "read error") for n in (0, 1, 2)] == ["0 read errors", "1 read error", "2 read errors"]
    assert (
        counted(1, "recommendation") == "1 recommendation" and counted(3, "match", "matches") == "3 matches"
    )
    result = sample_result()
    two = [
        *result.findings,
        finding("SMP010", Control.NSG, Status.FAIL, Severity.LOW, f"{RG}/x/y", Level.RECOMMENDED),
    ]
    assert summary_line(with_findings(result, two, rescore=True)).endswith("; 2 recommendations")
    assert ", 1 error;" in summary_line(result)


def test_quiet_lists_failing_findings_and_the_summary_only() -> None:
    result = sample_result()
    text = render(result, RenderOptions(quiet=True))
    lines = text.splitlines()
    assert lines[-2] == summary_line(result) and lines[-1].startswith("gate FAILED")
    heads = [line.split()[0] for line in lines if line.startswith("  ") and not line.startswith("   ")]
    assert set(heads) == {"FAIL", "ERROR"}
    assert (
        "fix:" not in text
        and "why:" not in text
        and "waiver expired" not in text
        and "waived until" not in text
    )
    assert "Score " not in text and "could not read" not in text and "SMP005" not in text
    assert "SMP004" in text  # a failing recommendation is a failing finding too


def test_verbose_adds_the_rationale_and_the_fix_of_not_assessed_findings() -> None:
    result = sample_result()
    normal = render(result)
    verbose = render(result, RenderOptions(verbose=True))
    assert "why:" not in normal
    assert verbose.count("why: The reference architecture requires it") == sum(
        f.status in (Status.FAIL, Status.WAIVED, Status.NOT_ASSESSED) for f in result.findings
    )
    na = verbose[verbose.index("SMP005") :]
    assert na.index("fix: az resource update") < na.index("why: ")
    assert "fix:" not in normal[normal.index("SMP005") :].split("\n  ")[0]
    # verbose only adds lines: every line of the normal report is still there, in order
    assert [line for line in verbose.splitlines() if line in normal.splitlines()] == normal.splitlines()


def test_rows_name_subscription_and_group_only_when_the_report_spans_several() -> None:
    result = sample_result()
    single = render(result)
    assert re.search(r"SMP002 storageAccounts/st1$", single, re.M)
    other_rg = RG.replace("rg-chat-test", "rg-other")
    two_groups = [
        *result.findings,
        finding("SMP010", Control.NSG, Status.FAIL, Severity.LOW, f"{other_rg}/M.N/t/a"),
    ]
    text = render(with_findings(result, two_groups))
    assert re.search(r"SMP010 rg-other/t/a$", text, re.M)
    assert re.search(r"SMP002 rg-chat-test/storageAccounts/st1$", text, re.M)
    other_sub = RG.replace("00000000-0000-4000-8000-000000000001", "sub-two")
    two_subs = [
        *result.findings,
        finding("SMP010", Control.NSG, Status.FAIL, Severity.LOW, f"{other_sub}/M.N/t/a"),
    ]
    text = render(with_findings(result, two_subs))
    assert re.search(r"SMP010 sub-two/rg-chat-test/t/a$", text, re.M)
    assert "00000000-0000-4000-8000-000000000001/rg-chat-test/storageAccounts/st1" in text


@pytest.mark.parametrize(
    ("isatty", "env", "flag", "color"),
    [
        (True, None, False, True),
        (True, "", False, True),  # NO_COLOR counts only when non-empty
        (True, "1", False, False),
        (True, "anything", False, False),
        (True, None, True, False),
        (False, None, False, False),
        (False, None, True, False),
    ],
)
def test_colour_only_on_a_terminal_without_no_color(
    isatty: bool, env: str | None, flag: bool, color: bool
) -> None:
    options = terminal_options(isatty, env, flag, 93)
    assert options.color is color
    assert options.width == (93 if isatty else 120)


def test_no_color_on_a_terminal_leaves_no_escape_sequences() -> None:
    text = render(sample_result(), terminal_options(True, None, True, 100))
    assert "\x1b" not in text
    assert "\x1b[" in render(sample_result(), terminal_options(True, None, False, 100))


def test_a_partial_read_says_so_under_the_scope() -> None:
    """Issue 13: a read the deadline cut short is visible before the score."""
    from dataclasses import replace

    result = sample_result()
    assert "Partial:" not in render(result, RenderOptions())
    partial = replace(result, scope={**result.scope, "partial": True, "deadline_seconds": 1800})
    lines = render(partial, RenderOptions(width=200)).splitlines()
    scope = next(i for i, line in enumerate(lines) if line.startswith("Scope: "))
    assert lines[scope + 1].startswith("Partial: the time limit of the read ran out")
