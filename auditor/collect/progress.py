"""Progress of a collection on stderr: a live status on a terminal, a line every few seconds elsewhere.

Reports go to stdout and may be piped; progress goes to stderr. On a terminal a rich status
shows the subscriptions done of the total, the requests sent, the time spent waiting for
Azure's quotas and an ETA (its clock keeps running while throttled). In a pipeline a line with
the same numbers comes every `EVERY` seconds, and a run that printed one ends with a summary
(requests by kind, 429s, time); a run shorter than that stays quiet.
"""

from __future__ import annotations

import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

# Seconds between two lines of a non-interactive run.
EVERY = 5.0


@dataclass(frozen=True)
class Stats:
    """Where a collection stands (context.Collection.stats)."""

    subscriptions_done: int
    subscriptions: int
    requests: int
    by_kind: tuple[tuple[str, int], ...]
    throttled: int
    waited: float


class Progress:
    """The callback the collector reports to: messages, and a source of `Stats` once attached."""

    def __init__(self, show: Callable[[str], None]) -> None:
        self._show = show
        self._stats: Callable[[], Stats] | None = None
        self._message = ""
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        """Take the collector's latest message (a long throttling wait is one of them)."""
        self._message = message
        self._show(self.line())

    def attach(self, stats: Callable[[], Stats]) -> None:
        """Read the numbers from `stats` from now on."""
        self._stats = stats

    def stats(self) -> Stats | None:
        """The latest numbers, once attached."""
        return None if self._stats is None else self._stats()

    def line(self) -> str:
        """`12 s · 3/10 subscriptions · 1,234 requests · throttled 2 (4 s waited) · ETA 20 s · message`."""
        elapsed = time.monotonic() - self.started
        parts = [f"{elapsed:.0f} s"]
        found = self.stats()
        if found is not None:
            if found.subscriptions:
                parts.append(f"{found.subscriptions_done}/{found.subscriptions} subscriptions")
            parts.append(f"{found.requests:,} requests")
            if found.throttled or found.waited >= 1:
                parts.append(f"throttled {found.throttled} ({found.waited:.0f} s waited for quota)")
            if 0 < found.subscriptions_done < found.subscriptions:
                left = elapsed / found.subscriptions_done * (found.subscriptions - found.subscriptions_done)
                parts.append(f"ETA {left:.0f} s")
        if self._message:
            parts.append(self._message)
        return " · ".join(parts)

    def summary(self) -> str:
        """The closing line: requests by kind, 429s and time."""
        elapsed = time.monotonic() - self.started
        found = self.stats()
        if found is None:
            return f"read Azure in {elapsed:.1f} s"
        kinds = ", ".join(f"{kind} {count:,}" for kind, count in found.by_kind)
        return (
            f"read {found.subscriptions} subscription(s) in {elapsed:.1f} s: {found.requests:,} requests"
            f"{f' ({kinds})' if kinds else ''}, {found.throttled} throttled (429), "
            f"{found.waited:.0f} s waited for quota"
        )


@contextmanager
def status_line(enabled: bool | None = None, stream: TextIO | None = None) -> Iterator[Progress | None]:
    """Yield the progress callback: a rich status on a terminal, lines every few seconds elsewhere.

    `enabled` True forces the terminal status, False switches progress off (None).
    """
    if enabled is False:
        yield None
        return
    if enabled is None and not sys.stderr.isatty():
        with _lines(stream or sys.stderr) as progress:
            yield progress
        return
    from rich.console import Console

    console = Console(stderr=True)
    with console.status("reading Azure (read-only)…") as status:
        progress = Progress(lambda line: status.update(f"reading Azure (read-only) {line}"))
        stop = threading.Event()

        def tick() -> None:  # the clock and the ETA move while every read waits for its quota
            while not stop.wait(1.0):
                status.update(f"reading Azure (read-only) {progress.line()}")

        ticker = threading.Thread(target=tick, name="progress", daemon=True)
        ticker.start()
        try:
            yield progress
        finally:
            stop.set()


@contextmanager
def _lines(stream: TextIO) -> Iterator[Progress]:
    progress = Progress(lambda line: None)
    stop = threading.Event()
    printed = threading.Event()

    def tick() -> None:
        while not stop.wait(EVERY):
            print(f"auditor: reading Azure: {progress.line()}", file=stream, flush=True)
            printed.set()

    ticker = threading.Thread(target=tick, name="progress", daemon=True)
    ticker.start()
    failed = False
    try:
        yield progress
    except BaseException:
        failed = True
        raise
    finally:
        stop.set()
        ticker.join(timeout=1.0)
        if printed.is_set() and not failed:
            print(f"auditor: {progress.summary()}", file=stream, flush=True)
