"""Audit speed on growing estates: prints seconds and the per-resource cost at each size.

Run: python benchmarks/audit_bench.py [--sizes 1 10 40]
The estate is the drifted AI Studio sample copied N times into N resource groups (each copy
with its own principals), so every rule has N times the work; a linear engine keeps the
per-resource time flat.
"""

from __future__ import annotations

import argparse
import copy
import json
import re
import time
from pathlib import Path

from auditor.arm.snapshot import Snapshot
from auditor.engine.baseline import load_baseline
from auditor.engine.run import run_audit

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "openai-e2e-chat-aistudio-drifted.json"


def replicate(doc: dict[str, object], copies: int) -> Snapshot:
    """N copies in N resource groups, each with its own identities, as N real workloads would have."""
    text = json.dumps(doc["resources"])
    principals = sorted(set(re.findall(r'"principalId": "([0-9a-f-]{36})"', text)))
    resources: list[dict[str, object]] = []
    for i in range(copies):
        copy_text = text.replace("rg-chat-aistudio", f"rg-chat-aistudio-{i}")
        for principal in principals:
            copy_text = copy_text.replace(principal, f"{principal[:-6]}{i:06d}")
        resources.extend(json.loads(copy_text))
    data = copy.deepcopy(doc)
    data["resources"] = resources
    return Snapshot.from_data(data)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1, 10, 40])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    doc = json.loads(SAMPLE.read_text())
    baseline = load_baseline("openai-e2e-chat-aistudio")
    first_cost = None
    print(
        f"{'copies':>7} {'resources':>10} {'findings':>9} {'best s':>8} {'us/resource':>12} {'vs 1 copy':>10}"
    )
    for size in args.sizes:
        snapshot = replicate(doc, size)
        best = float("inf")
        findings = 0
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = run_audit(snapshot, baseline, "bench")
            best = min(best, time.perf_counter() - start)
            findings = len(result.findings)
        cost = best / len(snapshot.resources) * 1e6
        first_cost = first_cost or cost
        ratio = cost / first_cost
        count = len(snapshot.resources)
        print(f"{size:>7} {count:>10} {findings:>9} {best:>8.3f} {cost:>12.1f} {ratio:>9.2f}x")


if __name__ == "__main__":
    main()
