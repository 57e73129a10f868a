"""The Markdown summary: score, change since a previous report, failing findings by family, escaping."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.model import Control, Severity, Status
from auditor.reports.json_report import report_dict
from auditor.reports.markdown import MAX_CHARS, MAX_FAILING, escape, render
from tests.report_samples import (
    changed,
    finding,
    gate_estate,
    run_cli,
    sample_result,
    with_findings,
    write_json,
)


def test_summary_headline_families_and_gate() -> None:
    result = sample_result()
    text = render(result)
    assert text.startswith("## auditor: Baseline OpenAI end-to-end chat")
    assert f"**Score {result.card.score:.1f}/100**" in text
    assert "❌ **gate FAILED: " in text
    assert (
        "| public-access |" in text and "| family | score | passed | failed | not assessed | waived |" in text
    )


def test_failing_findings_grouped_by_family_and_the_rest_folded() -> None:
    text = render(sample_result())
    required = text.split("### Failing findings (")[1].split("<details>")[0]
    assert required.startswith("4)")
    headings = [line for line in required.splitlines() if line.startswith("#### ")]
    assert headings == [
        "#### nsg (1)",
        "#### private-endpoints (1)",
        "#### public-access (1)",
        "#### reliability (1)",
    ]
    assert "<summary>Recommendations not met (1)</summary>" in text
    assert "<summary>Not assessed (1)</summary>" in text
    assert "<summary>Waived (1)</summary>" in text
    assert "<summary>Rule errors (1)</summary>" in text
    assert (
        "waived until 2999\\-12\\-31" not in text
        and "waived until 2999-12-31 (platform@contoso.example)" in text
    )
    assert "waiver expired on 2001-01-31" in text
    assert "#### Waivers to review" in text and "stale (matches no failing finding)" in text


def test_names_cannot_inject_markdown_or_html() -> None:
    text = render(sample_result())
    assert "<script>" not in text and "<b>" not in text and "<i>" not in text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;\\*\\_\\[x\\](https://example.invalid)\\|\\`\\~" in text
    assert escape("a|b*c_d`e[f]g\nh<i>&") == "a\\|b\\*c\\_d\\`e\\[f\\]g h&lt;i&gt;&amp;"


def test_delta_against_a_previous_report() -> None:
    before = sample_result(policy=None)
    # Last time the storage account passed and the plan failed too; NSG was not assessed.
    before = changed(before, 1, status=Status.PASS)
    before = with_findings(before, before.findings, rescore=True)
    previous = json.loads(json.dumps(report_dict(before)))
    now = replace(sample_result(), previous=previous)
    text = render(now)
    change = now.card.score - before.card.score
    assert f"({'▲' if change > 0 else '▼'} {change:+.1f} since the previous report)" in text
    assert "| family | score | change | passed | failed | not assessed | waived |" in text
    row = next(line for line in text.splitlines() if line.startswith("| public-access |"))
    assert "▼ -100.0" in row
    assert "Since the previous report: 1 newly failing, 0 fixed." in text


def test_long_texts_drop_the_fixes_to_fit_a_comment() -> None:
    result = sample_result()
    for i in range(MAX_FAILING):
        f = finding("SMP012", Control.NSG, Status.FAIL, Severity.HIGH, f"/subscriptions/s/nsg/m{i}")
        f = replace(f, remediation="az network nsg rule delete " + "x" * 1500)
        result = with_findings(result, [*result.findings, f])
    text = render(result)
    assert len(text) <= MAX_CHARS + 100
    assert "Fix: " not in text
    assert text.count("`SMP012`") == MAX_FAILING - 4  # the sample's own four failures come first


def test_long_lists_are_cut() -> None:
    result = sample_result()
    result = with_findings(
        result,
        [
            *result.findings,
            *(
                finding("SMP011", Control.NSG, Status.FAIL, Severity.HIGH, f"/subscriptions/s/nsg/n{i}")
                for i in range(MAX_FAILING + 5)
            ),
        ],
    )
    text = render(result)
    assert "… and 9 more in the full report." in text
    assert len(text) < 65_536


def test_cli_compare_flag(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate(drift_openai=True))
    write_json(tmp_path / "compliant.json", gate_estate(drift_openai=False))
    code, _, _ = run_cli(
        ["audit", "--snapshot", "compliant.json", "--format", "json", "--output", "prev.json"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    code, out, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--format", "markdown", "--compare", "prev.json"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    assert "since the previous report)" in out and "▼" in out
    assert "Since the previous report: 1 newly failing, 0 fixed." in out
    (tmp_path / "bad.json").write_text('{"score": 1}')
    code, _, err = run_cli(
        ["audit", "--snapshot", "drifted.json", "--format", "markdown", "--compare", "bad.json"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 2
    assert "bad.json: not an auditor JSON report" in err


def test_recommendations_are_counted_apart_from_the_failures() -> None:
    result = sample_result()
    text = render(result)
    headline = next(line for line in text.splitlines() if line.startswith("**Score"))
    assert " · 4 failed · " in headline and headline.endswith(" · 1 recommendation not met")
    assert "### Failing findings (4)" in text
    required = text.split("### Failing findings (")[1].split("<details>")[0]
    assert "`SMP004`" not in required
    folded = text.split("<summary>Recommendations not met (1)</summary>")[1].split("</details>")[0]
    assert "`SMP004`" in folded


def test_a_new_recommendation_is_not_newly_failing() -> None:
    before = sample_result(policy=None)
    before = changed(before, 4, status=Status.PASS)  # SMP004, recommended, passed last time
    previous = json.loads(json.dumps(report_dict(before)))
    now = replace(sample_result(), previous=previous)
    assert "Since the previous report: 0 newly failing, 0 fixed." in render(now)


def test_a_findings_rule_links_to_its_first_reference_escaped() -> None:
    from tests.report_samples import with_sourced_rule

    text = render(with_sourced_rule(sample_result()))
    assert "[`SMP001`](https://learn.microsoft.com/azure/x%28y%29%20z%22%3Cb%3E)" in text
    # Rules without a reference keep the plain id.
    assert "`SMP002`" in text and "[`SMP002`]" not in text


def test_changes_compare_each_workload_with_itself() -> None:
    # A shared resource failing in prod last time and in dev now: one fixed, one new (not "no change").
    base = sample_result(policy=None)
    failing = next(i for i, f in enumerate(base.findings) if f.status is Status.FAIL)
    only = with_findings(base, [base.findings[failing]])
    before = changed(only, 0, workload="prod", workload_id="sub/rg-prod/mlw-prod")
    now = changed(only, 0, workload="dev", workload_id="sub/rg-dev/mlw-dev")
    previous = json.loads(json.dumps(report_dict(before)))
    assert "Since the previous report: 1 newly failing, 1 fixed." in render(replace(now, previous=previous))
    # The same workload on both sides, its identity in another case: no change.
    same = changed(only, 0, workload="prod", workload_id="SUB/rg-prod/mlw-prod")
    assert "Since the previous report: 0 newly failing, 0 fixed." in render(replace(same, previous=previous))
    # A report of before workloads (no identity) against one judged in a workload: the same finding.
    legacy = json.loads(json.dumps(report_dict(only)))
    assert "workload_id" not in legacy["findings"][0]
    assert "Since the previous report: 0 newly failing, 0 fixed." in render(replace(now, previous=legacy))
    assert "Since the previous report: 0 newly failing, 0 fixed." in render(replace(only, previous=previous))
