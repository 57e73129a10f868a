"""A one-line status on stderr while a collection runs (only when stderr is a terminal)."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager


@contextmanager
def status_line(enabled: bool | None = None) -> Iterator[Callable[[str], None] | None]:
    """Yield a progress callback that shows the latest message, or None when not on a TTY.

    Reports go to stdout and may be piped; the status goes to stderr and vanishes when done.
    """
    if enabled is None:
        enabled = sys.stderr.isatty()
    if not enabled:
        yield None
        return
    from rich.console import Console

    console = Console(stderr=True)
    started = time.monotonic()
    with console.status("reading Azure (read-only)…") as status:

        def update(message: str) -> None:
            elapsed = time.monotonic() - started
            status.update(f"reading Azure (read-only) {elapsed:4.0f}s · {message}")

        yield update
