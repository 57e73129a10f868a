"""The progress display: its numbers, and the lines of a run that is not on a terminal."""

from __future__ import annotations

import io
import time

import pytest

from auditor.collect import progress
from auditor.collect.progress import Progress, Stats, status_line

STATS = Stats(
    subscriptions_done=3,
    subscriptions=10,
    requests=1234,
    by_kind=(("ARM", 1230), ("Resource Graph", 4)),
    throttled=2,
    waited=4.4,
)


def test_the_line_shows_subscriptions_requests_throttling_and_an_eta() -> None:
    shown = Progress(lambda line: None)
    shown.started -= 30  # 30 s in, 3 of 10 done: 70 s to go
    shown.attach(lambda: STATS)
    shown("network: 3 virtualNetworks")
    line = shown.line()
    assert "3/10 subscriptions" in line and "1,234 requests" in line
    assert "throttled 2 (4 s waited for quota)" in line
    assert "ETA 70 s" in line and line.endswith("network: 3 virtualNetworks")
    summary = shown.summary()
    assert "10 subscription(s)" in summary and "(ARM 1,230, Resource Graph 4)" in summary
    assert "2 throttled (429)" in summary


def test_a_pipeline_gets_a_line_every_few_seconds_and_a_summary(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(progress, "EVERY", 0.05)
    stream = io.StringIO()
    with status_line(stream=stream) as shown:
        assert shown is not None
        shown.attach(lambda: STATS)
        time.sleep(0.3)
    lines = stream.getvalue().splitlines()
    assert len(lines) >= 3 and all(line.startswith("auditor: ") for line in lines)
    assert "3/10 subscriptions" in lines[0]
    assert lines[-1].startswith("auditor: read 10 subscription(s) in ")


def test_a_short_run_in_a_pipeline_stays_quiet() -> None:
    stream = io.StringIO()
    with status_line(stream=stream) as shown:
        assert shown is not None
    assert stream.getvalue() == ""
