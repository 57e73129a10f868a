"""Run history speed: record a 100,000-finding run, record the next one, and diff the two.

Run: python benchmarks/history.py [--findings 100000] [--postgres URL]
Without --postgres (or AUDITOR_TEST_POSTGRES_URL) a throwaway PostgreSQL cluster is started
from the installed server binaries. The run is the drifted aml sample's findings copied into
resource groups until there are N; the second run flips one finding in ten (fixed or broken),
so its recording updates every key and writes states of every kind. Target: under 10 s each.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

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
        replace(f, status=FLIP.get(f.status, f.status)) if n % 10 == 0 else f for n, f in enumerate(report.findings)
    ]
    return replace(report, findings=tuple(changed))


def measure(url: str, first: AuditReport, second: AuditReport) -> tuple[float, float, float]:
    """Seconds to record the first run, the second, and to diff them."""
    with store.opened(url) as engine:
        start = time.perf_counter()
        record.record_run(engine, first)
        t_first = time.perf_counter() - start
        start = time.perf_counter()
        done = record.record_run(engine, second)
        t_second = time.perf_counter() - start
        start = time.perf_counter()
        with engine.connect() as conn:
            old, new = query.last_two(conn)
            doc = diff.diff(query.run_side(conn, old), query.run_side(conn, new), consecutive=True)
        t_diff = time.perf_counter() - start
    assert sum(doc["summary"][k] for k in ("new", "resolved", "regressed")) > 0, doc["summary"]
    assert done.states, done
    return t_first, t_second, t_diff


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
            rows.append(("SQLite", *measure(f"sqlite:///{folder}/bench.db", first, second)))
        rows.append(("PostgreSQL", *measure(postgres, first, second)))
    finally:
        if cluster is not None:
            cluster.stop()
    print(f"{args.findings:,} findings per run; {platform.processor() or platform.machine()}, {os.cpu_count()} cores")
    print(f"{'store':<12}{'record run 1 (s)':>18}{'record run 2 (s)':>18}{'diff (s)':>10}")
    for name, a, b, c in rows:
        print(f"{name:<12}{a:>18.2f}{b:>18.2f}{c:>10.2f}")


if __name__ == "__main__":
    main()
