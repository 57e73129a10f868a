"""The HTML report: self-contained, escaped, and working in a real (headless) Chromium."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from dataclasses import replace
from pathlib import Path

import pytest

from auditor.model import AuditReport, Finding
from auditor.reports import RenderOptions
from auditor.reports import html as html_module
from auditor.reports.html import render
from tests import paths
from tests.cdp_pipe import Browser, find_chromium
from tests.report_samples import NASTY, gate_estate, run_cli, sample_result, write_json

ARTIFACTS = paths.ROOT / "test-artifacts"
# `--show-passed`: the passes listed with the rest, as these tests count every finding.
SHOW_PASSED = RenderOptions(show_passed=True)


def test_page_is_self_contained() -> None:
    html = render(sample_result())
    # Nothing that a browser would fetch: no src/href to anything, no CSS url(), no @import.
    assert not re.search(r"""\s(src|href|action|xlink:href)\s*=""", html, re.IGNORECASE)
    assert "url(" not in html and "@import" not in html
    assert html.count("<style>") == 1 and html.count("<script>") == 1
    assert "<svg" in html and "@media print" in html
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert csp and "default-src 'none'" in csp.group(1)


def test_csp_admits_exactly_our_script() -> None:
    html = render(sample_result())
    script = html.split("<script>", 1)[1].split("</script>", 1)[0]
    digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
    assert f"script-src 'sha256-{digest}'" in html


def test_azure_strings_are_escaped() -> None:
    html = render(sample_result())
    assert NASTY not in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "<b>bold</b>" not in html and "&lt;b&gt;bold&lt;/b&gt;" in html


def test_findings_worst_first_with_details() -> None:
    result = sample_result()
    html = render(result, SHOW_PASSED)
    statuses = re.findall(
        r'<li class="finding [^"]*" data-control="[^"]*" data-severity="([^"]*)" data-status="([^"]*)"', html
    )
    assert len(statuses) == len(result.findings)
    assert statuses[0] == ("critical", "fail")
    order = ["fail", "error", "not_assessed", "waived", "pass"]
    ranks = [order.index(s) for _, s in statuses]
    assert ranks == sorted(ranks)
    # The recommended failure comes after the required ones of its status.
    fails = re.findall(r'data-status="fail">\s*<details( open)?>\s*<summary>(.*?)</summary>', html, re.S)
    assert "recommended" in fails[-1][1]
    # The worst three failures are open, so that a printout or a glance shows what to fix first.
    assert [bool(is_open) for is_open, _ in fails] == [True, True, True, False, False]
    for label in ("Expected", "Actual", "How to fix", "Why", "Waiver"):
        assert f"<dt>{label}</dt>" in html
    assert "Waived until 2999-12-31 by platform@contoso.example" in html
    assert "Expired until 2001-01-31" in html
    assert 'id="gate">gate FAILED: ' in html


def test_score_gauge_and_family_bars() -> None:
    result = sample_result()
    html = render(result)
    assert f'id="score">{result.card.score:.1f}</text>' in html
    families = [
        c.value
        for c, t in result.card.controls.items()
        if t.assessed or t.not_assessed or t.waived or t.errors
    ]
    for family in families:
        assert f'<text x="0" y="15">{family}</text>' in html


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (Debian package 'chromium')")
def test_page_in_headless_chromium(tmp_path: Path) -> None:
    result = sample_result()
    page = tmp_path / "report.html"
    page.write_text(render(result, SHOW_PASSED), encoding="utf-8")
    chromium = find_chromium()
    assert chromium is not None
    with Browser(chromium, width=1280, height=2000) as browser:
        browser.open(page.as_uri())
        # The script ran: the filters are shown and count what is listed (everything but passes).
        shown = len([f for f in result.findings if f.status.value != "pass"])
        assert browser.evaluate("document.getElementById('filters').hidden") is False
        assert browser.evaluate("document.getElementById('shown').textContent") == str(shown)
        assert browser.evaluate("document.querySelectorAll('script').length") == 1
        assert browser.evaluate("document.getElementById('score').textContent") == f"{result.card.score:.1f}"
        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(ARTIFACTS / "html-report.png")
        # Filter: critical findings only, then failing findings of the public-access family.
        count = browser.evaluate(
            "(() => { const f = document.getElementById('filters');"
            " f.elements.severity.value = 'critical'; f.dispatchEvent(new Event('change'));"
            " return document.getElementById('shown').textContent; })()"
        )
        assert count == "1"
        visible = browser.evaluate(
            "(() => { const f = document.getElementById('filters');"
            " f.elements.severity.value = ''; f.elements.control.value = 'public-access';"
            " f.elements.status.value = 'fail'; f.dispatchEvent(new Event('change'));"
            " return [...document.querySelectorAll('#findings > li')].filter(li => !li.hidden)"
            ".map(li => li.dataset.status + ':' + li.dataset.control); })()"
        )
        assert visible == ["fail:public-access"]
        assert browser.evaluate("document.getElementById('none-shown').hidden") is True
        browser.evaluate(
            "(() => { const f = document.getElementById('filters'); f.elements.status.value = 'error';"
            " f.dispatchEvent(new Event('change')); })()"
        )
        assert browser.evaluate("document.getElementById('none-shown').hidden") is False
        # Expand all opens the details of what is listed.
        opened = browser.evaluate(
            "(() => { const f = document.getElementById('filters'); f.elements.control.value = '';"
            " f.elements.status.value = 'all'; f.dispatchEvent(new Event('change'));"
            " document.getElementById('expand').click();"
            " return document.querySelectorAll('details[open]').length; })()"
        )
        assert opened == len(result.findings)
        log = browser.log()
    assert log.errors == []
    assert log.dialogs == []
    assert log.requests == [page.as_uri()]
    png = (ARTIFACTS / "html-report.png").read_bytes()
    assert png.startswith(b"\x89PNG") and len(png) > 20_000


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (Debian package 'chromium')")
def test_drifted_sample_page_in_headless_chromium(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page a person opens from a pipeline: the drifted sample, audited by the CLI, with a gate."""
    sample = paths.EXAMPLES / "openai-e2e-chat-aistudio-drifted.json"
    args = ["audit", "--snapshot", str(sample), "--format", "html", "--output", "r.html", "--fail-on", "high"]
    code, _, _ = run_cli(args, capsys, monkeypatch, tmp_path)
    assert code in (0, 1)
    chromium = find_chromium()
    assert chromium is not None
    with Browser(chromium, width=1280, height=2000) as browser:
        browser.open((tmp_path / "r.html").as_uri())
        listed = browser.evaluate("document.querySelectorAll('#findings > li:not([hidden])').length")
        failing = browser.evaluate("document.querySelectorAll('#findings > li[data-status=fail]').length")
        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(ARTIFACTS / "html-report-drifted-sample.png")
        log = browser.log()
    assert log.errors == [] and log.dialogs == []
    assert listed >= failing > 0


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (Debian package 'chromium')")
def test_csp_would_stop_an_injected_script(tmp_path: Path) -> None:
    """Defence in depth: even a value that escaped escaping could not run under the page's policy."""
    html = render(sample_result())
    page = tmp_path / "tampered.html"
    page.write_text(html.replace("</footer>", "</footer><script>window.injected = 1; alert(1)</script>"))
    chromium = find_chromium()
    assert chromium is not None
    with Browser(chromium) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("typeof window.injected") == "undefined"
        log = browser.log()
    assert log.dialogs == []
    assert any("Content Security Policy" in e for e in log.errors)


def test_cli_writes_html(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "drifted.json", gate_estate())
    code, _, _ = run_cli(
        ["audit", "--snapshot", "drifted.json", "--format", "html", "--output", "r.html"],
        capsys,
        monkeypatch,
        tmp_path,
    )
    assert code == 0
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "PUB001 The Azure OpenAI or Foundry account has public network access disabled" in html


def test_recommendations_are_counted_apart_from_the_failures() -> None:
    result = sample_result()
    html = render(result)
    assert "<li>Failed</li><li><b>4</b></li>" in html  # SMP004 is only recommended
    assert "<li>Recommendations not met</li><li><b>1</b></li>" in html
    smp004 = html.split("SMP004 Sample rule SMP004")[0].rsplit("<summary>", 1)[1]
    assert '<span class="badge rec">recommended</span>' in smp004
    # A recommendation that is not met reads "not met", never "fail".
    assert '<span class="badge rec">not met</span>' in smp004
    assert "badge st-fail" not in smp004


def test_a_findings_rule_links_to_its_first_reference_escaped() -> None:
    from tests.report_samples import with_sourced_rule

    page = render(with_sourced_rule(sample_result()))
    link = re.search(r'<dt>Source</dt><dd><a href="([^"]*)" rel="noopener noreferrer">(.*?)</a>', page)
    assert link is not None
    href, label = link.groups()
    # Percent-encoded where the URL would break out of the attribute; the title escaped as text.
    assert href == "https://learn.microsoft.com/azure/x%28y%29%20z%22%3Cb%3E"
    assert label == "Section &lt;i&gt;&#34;one&#34;&lt;/i&gt; [1]"


def test_passes_are_counted_per_rule_unless_listed() -> None:
    result = sample_result()
    passes = [f for f in result.findings if f.status.value == "pass"]
    assert passes
    html = render(result)
    assert 'data-status="pass"' not in html
    assert 'aria-label="Passes per rule"' in html
    for f in passes:
        count = sum(p.rule_id == f.rule_id for p in passes)
        assert f"<tr><td>{f.rule_id} {f.title}</td><td>{count}</td></tr>" in html
    listed = render(result, SHOW_PASSED)
    assert 'data-status="pass"' in listed and 'aria-label="Passes per rule"' not in listed


def _two_groups() -> AuditReport:
    """The sample's findings, half of them moved to a second subscription."""
    result = sample_result()
    moved = [
        replace(f, resource_id=f.resource_id.replace(result.scope["subscriptions"][0], OTHER_SUB))
        if i % 2
        else f
        for i, f in enumerate(result.findings)
    ]
    return replace(result, findings=tuple(moved))


OTHER_SUB = "11111111-2222-4333-8444-555555555555"


def test_groups_overview_and_group_of() -> None:
    result = _two_groups()
    html = render(result)
    assert 'aria-label="Groups"' in html and f'<option value="{OTHER_SUB}">' in html
    groups = {html_group_of(f) for f in result.findings}
    assert {OTHER_SUB, result.scope["subscriptions"][0]} <= groups
    # The group a finding is shown under: its workload where the report has one.
    workload = replace(result.findings[0])
    object.__setattr__(workload, "workload", "chat-prod")
    assert html_group_of(workload) == "chat-prod"


def test_large_report_carries_findings_as_escaped_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_module, "LISTED_LIMIT", 2)
    result = _two_groups()
    html = render(result)
    assert '<li class="finding' not in html
    data = html.split('<script type="application/json" id="report-data">', 1)[1].split("</script>", 1)[0]
    # No value can end the data block or open markup: the JSON escapes <, > and &.
    assert "<" not in data and ">" not in data and "&" not in data
    assert NASTY not in html and "<script>alert(1)</script>" not in html
    rows = json.loads(data)["findings"]
    assert len(rows) == len([f for f in result.findings if f.status.value != "pass"])
    # Still one executable script, allowed by its hash.
    assert html.count("<script>") == 1


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (Debian package 'chromium')")
def test_large_report_in_headless_chromium(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(html_module, "LISTED_LIMIT", 2)
    result = _two_groups()
    page = tmp_path / "large.html"
    page.write_text(render(result), encoding="utf-8")
    unpassed = [f for f in result.findings if f.status.value != "pass"]
    chromium = find_chromium()
    assert chromium is not None
    with Browser(chromium, width=1280, height=2000) as browser:
        browser.open(page.as_uri())
        assert browser.evaluate("document.getElementById('shown').textContent") == str(len(unpassed))
        listed = "document.querySelectorAll('#findings > li.finding').length"
        assert browser.evaluate(listed) == len(unpassed)
        # The injected markup of a value is shown as text, never run or parsed.
        assert browser.evaluate("document.querySelectorAll('#findings b, #findings script').length") == 0
        assert browser.evaluate("document.getElementById('findings').textContent.includes('<b>bold</b>')")
        in_other = len([f for f in unpassed if OTHER_SUB in f.resource_id])
        count = browser.evaluate(
            "(() => { const f = document.getElementById('filters');"
            f" f.elements.group.value = '{OTHER_SUB}'; f.dispatchEvent(new Event('change'));"
            " return document.getElementById('shown').textContent; })()"
        )
        assert count == str(in_other) and browser.evaluate(listed) == in_other
        critical = next(f for f in unpassed if f.severity.value == "critical")
        count = browser.evaluate(
            "(() => { const f = document.getElementById('filters'); f.elements.group.value = '';"
            f" f.elements.q.value = '{critical.rule_id.lower()}'; f.dispatchEvent(new Event('input'));"
            " return document.getElementById('shown').textContent; })()"
        )
        assert count == str(len([f for f in unpassed if f.rule_id == critical.rule_id]))
        first = browser.evaluate("document.querySelector('#findings li.finding').dataset.severity")
        assert first == "critical"
        log = browser.log()
    assert log.errors == [] and log.dialogs == []
    assert log.requests == [page.as_uri()]


def html_group_of(finding: Finding) -> str:
    return html_module.group_of(finding)
