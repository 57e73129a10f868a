"""Live collection speed: the thread pool against a sequential run, side by side.

Run: python benchmarks/collect_bench.py [--size 50] [--latency 0.02] [--workers 8]
Starts the fake ARM server (HTTPS on 127.0.0.1) with a synthetic estate of SIZE web apps,
storage accounts, key vaults, OpenAI accounts and private endpoints, adds LATENCY seconds
to every request, and times the same collection with WORKERS threads and with one.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fakearm lives in the repository, not in the package

from tests.fakearm import FakeArm  # noqa: E402
from tests.fakearm.harness import collect  # noqa: E402
from tests.fakearm.synthetic import synthetic_estate  # noqa: E402

SUB = "b3e1c2d4-0000-4000-8000-00000000be9c"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=50, help="resources of each kind (default 50)")
    parser.add_argument(
        "--latency", type=float, default=0.02, help="seconds added to every request (default 0.02)"
    )
    parser.add_argument("--workers", type=int, default=8, help="threads of the parallel run (default 8)")
    args = parser.parse_args()

    estate = synthetic_estate(SUB, args.size)
    print(f"estate: {len(estate)} ARM resources, {args.latency * 1000:.0f} ms per request")
    timings: dict[int, float] = {}
    with FakeArm(estate, latency=args.latency, page_size=20) as fake:
        collect(fake, [SUB], workers=args.workers)  # warm up: imports, TLS, token
        for workers in (args.workers, 1):
            fake.reset()
            started = time.perf_counter()
            snapshot = collect(fake, [SUB], workers=workers)
            timings[workers] = time.perf_counter() - started
            requests = len([r for r in fake.requests() if r.method == "GET"])
            print(
                f"workers={workers:<3} {timings[workers]:7.2f} s  {requests} GETs  "
                f"{len(snapshot.resources)} resources  {len(snapshot.errors)} errors"
            )
    print(f"speed-up with {args.workers} workers: {timings[1] / timings[args.workers]:.1f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
