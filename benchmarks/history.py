"""Run history speed: record a 100,000-finding run, record the next one, and diff the two.

Run: python benchmarks/history.py [--findings 100000] [--postgres URL]
Without --postgres (or AUDITOR_TEST_POSTGRES_URL) a throwaway PostgreSQL cluster is started
from the installed server binaries. The run is the drifted aml sample's findings copied into
resource groups until there are N; the second run flips one finding in ten (fixed or broken),
so its recording updates every key and writes states of every kind. Target: under 10 s each.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import platform
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from auditor.arm.snapshot import load_snapshot  # noqa: E402
from auditor.engine.baseline import load_baseline  # noqa: E402
from auditor.engine.run import run_audit  # noqa: E402
from auditor.history import diff, query, record, store  # noqa: E402
from auditor.model import AuditReport, Finding, Status  # noqa: E402

SAMPLE = ROOT / "examples" / "openai-e2e-chat-aml-drifted.json"
FLIP = {Status.PASS: Status.FAIL, Status.FAIL: Status.PASS}


def big_report(count: int) -> AuditReport:
    """The drifted sample's findings, copied into resource groups until there are `count`."""
    report = run_audit(load_snapshot(SAMPLE), load_baseline("openai-e2e-chat-aml"), "benchmark")
    findings: list[Finding] = []
    i = 0
    while len(findings) < count:
        for f in report.findings:
            rid = f.resource_id.replace("rg-chat-aml", f"rg-chat-aml-{i}")
            findings.append(replace(f, resource_id=rid or f"/subscriptions/x/resourceGroups/g{i}"))
        i += 1
    return replace(report, findings=tuple(findings[:count]))


def next_night(report: AuditReport) -> AuditReport:
    """One finding in ten flipped between pass and fail."""
    changed = [
        replace(f, status=FLIP.get(f.status, f.status)) if n % 10 == 0 else f
        for n, f in enumerate(report.findings)
    ]
    return replace(report, findings=tuple(changed))


def _timed(step: Callable[[], object]) -> tuple[float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    step()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(url: str, first: AuditReport, second: AuditReport) -> list[tuple[float, float]]:
    """(wall, this process's CPU) seconds to record the first run, the second, and to diff them."""
    docs: list[dict[str, Any]] = []
    with store.opened(url) as engine:

        def diff_last_two() -> None:
            with engine.connect() as conn:
                old, new = query.last_two(conn)
                docs.append(diff.diff(query.run_side(conn, old), query.run_side(conn, new), consecutive=True))

        times = [
            _timed(lambda: record.record_run(engine, first)),
            _timed(lambda: record.record_run(engine, second)),
            _timed(diff_last_two),
        ]
    summary = docs[0]["summary"]
    assert summary["resolved"] > 0 and summary["new"] + summary["regressed"] > 0, summary
    return times


def machine() -> str:
    """The CPU model, the core count and the load when the benchmark ran."""
    model = platform.machine()
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    load = ", ".join(f"{x:.1f}" for x in os.getloadavg())
    return f"{model}, {os.cpu_count()} cores, load average {load}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("AUDITOR_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    first = big_report(args.findings)
    second = next_night(first)
    cluster = None
    postgres = args.postgres
    if not postgres:
        from tests.history import pgcluster

        cluster = pgcluster.start()
        postgres = cluster.url
    rows = []
    try:
        with tempfile.TemporaryDirectory() as folder:
            rows.append(("SQLite", measure(f"sqlite:///{folder}/bench.db", first, second)))
        rows.append(("PostgreSQL", measure(postgres, first, second)))
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"{args.findings:,} findings per run; {machine()}")
    print("seconds: wall (CPU of this process; the PostgreSQL server's own work is not in it)")
    print(f"{'store':<12}{'record run 1':>18}{'record run 2':>18}{'diff':>18}")
    for name, times in rows:
        cells = "".join(f"{f'{w:.2f} ({c:.2f})':>18}" for w, c in times)
        print(f"{name:<12}{cells}")


if __name__ == "__main__":
    main()
