"""Run the fake ARM server by hand: `python -m tests.fakearm --estate examples/X.json`.

Prints the environment to export, then serves until interrupted, e.g.:

    python -m tests.fakearm --estate examples/openai-e2e-chat-aml-drifted.json > /tmp/fake.env &
    set -a; . /tmp/fake.env; set +a
    auditor audit --subscription 3f2c9a1e-5b7d-4e8a-9c61-2d4f8b0a7e15
"""

from __future__ import annotations

import argparse
import re
import shlex
import signal
import sys
import time
from pathlib import Path

from tests.fakearm.server import FakeArm
from tests.fakearm.store import load_estate


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.fakearm", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--estate", required=True, type=Path, help="snapshot document or array of ARM resources"
    )
    parser.add_argument("--page-size", type=int, default=2, help="items per list page (default 2)")
    parser.add_argument("--latency", type=float, default=0.0, help="seconds added to every request")
    parser.add_argument(
        "--workdir", type=Path, help="where to write the CA certificate (default: a temp dir)"
    )
    parser.add_argument(
        "--fault",
        action="append",
        default=[],
        metavar="STATUS:REGEX",
        help="answer GETs whose path matches REGEX with STATUS (repeatable), e.g. 403:networkSecurityGroups",
    )
    parser.add_argument("--log", action="store_true", help="print every request to stderr when stopping")
    args = parser.parse_args(argv)

    fake = FakeArm(
        load_estate(args.estate), page_size=args.page_size, latency=args.latency, workdir=args.workdir
    )
    for spec in args.fault:
        match = re.fullmatch(r"(\d{3}):(.+)", spec)
        if not match:
            parser.error(f"--fault wants STATUS:REGEX, got {spec!r}")
        fake.add_fault(match.group(2), int(match.group(1)))
    signal.signal(signal.SIGTERM, _stop)
    with fake:
        for key, value in fake.env().items():
            print(f"{key}={shlex.quote(value)}", flush=True)
        print(f"# serving {args.estate} at {fake.url}; Ctrl-C stops", file=sys.stderr, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass
        finally:
            if args.log:
                for r in fake.requests():
                    print(f"{r.status} {r.method} {r.path}?{r.query}", file=sys.stderr)
    return 0


def _stop(signum: int, frame: object) -> None:
    raise KeyboardInterrupt  # SIGTERM stops as cleanly as Ctrl-C (log printed, CA removed)


if __name__ == "__main__":
    sys.exit(main())
