"""Workload discovery on growing estates, and what judging each copy on its own changes.

Run: python benchmarks/workloads_bench.py [--copies 1 10 40]
The estate is the compliant AI Studio sample copied N times into N resource groups (each copy with
its own principals and host names). For each size: the discovery time and its cost per resource,
the workloads found, and the diagnostics family's score when the whole estate is judged as one
workload (before) and per workload (now: every compliant copy scores 100).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from auditor.analysis.workloads import discover
from auditor.arm.estate import Estate
from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit
from auditor.engine.workloads import run_workloads
from auditor.model import Control
from tests.workload_estates import SUB, copy_of, snapshot_doc


def main() -> None:
    """Print one row per size."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--copies", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args()
    print("copies  resources  discover_s  us/resource  workloads  diag_whole  diag_min_per_workload")
    for n in args.copies:
        snapshot = Snapshot.from_data(
            snapshot_doc([copy_of("aistudio-compliant", f"rg-{i}", salt=f"c{i}") for i in range(n)], [SUB])
        )
        estate = Estate(snapshot)
        start = time.perf_counter()
        found = discover(estate)
        took = time.perf_counter() - start
        whole = run_audit(snapshot, load_baseline("openai-e2e-chat-aistudio"), "bench")
        each = run_workloads(snapshot, None, "bench")
        per = min(w.card.controls[Control.DIAGNOSTICS].score or 0.0 for w in each.workloads)
        print(
            f"{n:>6}  {len(estate.resources):>9}  {took:>10.3f}  {1e6 * took / len(estate.resources):>11.0f}"
            f"  {len(found.workloads):>9}  {whole.card.controls[Control.DIAGNOSTICS].score:>10}  {per:>21}"
        )


if __name__ == "__main__":
    main()
