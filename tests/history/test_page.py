"""The trend page and the terminal table: self-contained, escaped, and drawn in a real (headless) Chromium."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from auditor.history import page, query, record, store, trend
from tests import paths
from tests.cdp_pipe import Browser, find_chromium
from tests.history.scenario import SUB_B, partly_fixed, sample
from tests.history.test_store import report_of
from tests.report_samples import NASTY

ARTIFACTS = paths.ROOT / "test-artifacts"


def history(tmp_path: Path, label: str = "nightly") -> dict[str, Any]:
    url = f"sqlite:///{tmp_path / 'h.db'}"
    estates = [sample("compliant"), sample("compliant", SUB_B), sample("drifted"), sample("drifted", SUB_B)]
    with store.opened(url) as engine:
        for estate in [*estates, partly_fixed()]:
            record.record_run(engine, report_of(estate), label=label)
        with engine.connect() as conn:
            now = datetime.now(UTC).replace(tzinfo=None)
            return trend.history_doc(conn, query.list_runs(conn), now, {"scopes": [], "since": None})


def test_page_is_self_contained_and_escaped(tmp_path: Path) -> None:
    html = page.render_html(history(tmp_path, label=NASTY))
    assert not re.search(r"""\s(src|href|action|xlink:href)\s*=""", html, re.IGNORECASE)
    assert "url(" not in html and "@import" not in html and "<script" not in html
    assert "script-src 'none'" in html and "default-src 'none'" in html
    assert NASTY not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert html.count("<polyline") >= 8  # the overall score and seven families
    assert "carried forward" in html and "Oldest open findings" in html


def test_table_has_a_row_per_run_and_a_trend_line(tmp_path: Path) -> None:
    text = page.render_table(history(tmp_path), width=160)
    assert "nightly · openai-e2e-chat-aml" in text
    rows = [line for line in text.splitlines() if re.match(r"^│ \d+ ", line)]
    assert len(rows) == 5
    assert re.search(r"score trend [▁▂▃▄▅▆▇█]{5}  100\.0 -> \d+\.\d", text)
    assert "9b1d7e42 (" in rows[-1]  # subscription b carried forward, with its age


@pytest.mark.skipif(find_chromium() is None, reason="Chromium is not installed (Debian package 'chromium')")
def test_trend_page_in_headless_chromium(tmp_path: Path) -> None:
    doc = history(tmp_path)
    target = tmp_path / "trend.html"
    target.write_text(page.render_html(doc), encoding="utf-8")
    chromium = find_chromium()
    assert chromium is not None
    points = doc["series"][0]["runs"]
    with Browser(chromium, width=1280, height=1600) as browser:
        browser.open(target.as_uri())
        assert browser.evaluate("document.querySelectorAll('table.runs tbody tr').length") == len(points)
        assert browser.evaluate("document.querySelectorAll('svg.scores circle.point').length") == len(points)
        # The overall line has a point per run, drawn inside the chart.
        box = browser.evaluate(
            "(() => { const b = document.querySelector('polyline.overall').getBBox();"
            " return [b.width > 100, b.height > 10]; })()"
        )
        assert box == [True, True]
        scores = browser.evaluate("[...document.querySelectorAll('td.score')].map(td => td.textContent)")
        assert scores == [f"{p['score']:.1f}" for p in points]
        bars = browser.evaluate("document.querySelectorAll('svg.changes rect.new').length")
        assert bars == len(points)
        ARTIFACTS.mkdir(exist_ok=True)
        browser.screenshot(ARTIFACTS / "trend-page.png")
        log = browser.log()
    assert log.errors == []
    assert log.requests == [target.as_uri()]
