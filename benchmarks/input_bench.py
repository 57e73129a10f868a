"""Large snapshots: seconds and peak memory of `auditor audit` against the file's size.

Run: python benchmarks/input_bench.py [--mb 100] [--keep]

Builds a snapshot of about the given size from the drifted AI Studio sample (copied into as
many resource groups as it takes, each copy with its own principals, as in audit_bench.py),
then runs `auditor audit --snapshot FILE -f json -o /dev/null` in a child process and reads
its peak resident memory (ru_maxrss). The ratio of peak memory to file size is what the
size limit (AUDITOR_MAX_SNAPSHOT_MB, see auditor/arm/snapshot.py) rests on.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "examples" / "openai-e2e-chat-aistudio-drifted.json"


def build(target_mb: float, path: Path) -> tuple[int, int]:
    """Write a snapshot of about `target_mb` MB to `path`; return (copies, resources)."""
    doc = json.loads(SAMPLE.read_text(encoding="utf-8"))
    text = json.dumps(doc["resources"])
    principals = sorted(set(re.findall(r'"principalId": "([0-9a-f-]{36})"', text)))
    per_copy = len(text.encode())
    copies = max(1, int(target_mb * 1024 * 1024 / per_copy))
    count = 0
    with path.open("w", encoding="utf-8") as out:
        head = {k: v for k, v in doc.items() if k != "resources"}
        out.write(json.dumps(head)[:-1] + ', "resources": [')
        for i in range(copies):
            copy_text = text.replace("rg-chat-aistudio", f"rg-chat-aistudio-{i}")
            for principal in principals:
                copy_text = copy_text.replace(principal, f"{principal[:-6]}{i:06d}")
            out.write(("," if i else "") + copy_text[1:-1])
            count += len(doc["resources"])
        out.write("]}")
    return copies, count


def measure(path: Path) -> tuple[float, float, int, int]:
    """(wall seconds, CPU seconds, peak RSS in bytes, exit code) of one audit, in a child process."""
    env = {**os.environ, "AUDITOR_MAX_SNAPSHOT_MB": str(10**6)}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(
        [sys.executable, "-m", "auditor", "audit", "--snapshot", str(path), "-f", "json", "-o", os.devnull],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    seconds = time.perf_counter() - start
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    # The largest child so far: run this first in a process, or after smaller children only.
    peak = usage.ru_maxrss * 1024  # kilobytes on Linux
    cpu = usage.ru_utime + usage.ru_stime - before.ru_utime - before.ru_stime
    if proc.returncode not in (0, 1):
        print(proc.stderr, file=sys.stderr)
    return seconds, cpu, peak, proc.returncode


def main() -> None:
    """Build, audit, print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--mb", type=float, default=100.0, help="size of the generated snapshot")
    parser.add_argument("--keep", action="store_true", help="leave the generated file in place")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.json"
        copies, count = build(args.mb, path)
        size = path.stat().st_size
        seconds, cpu, peak, code = measure(path)
        print(
            f"snapshot {size / 2**20:.0f} MB ({copies} copies, {count:,} resources): exit {code}, "
            f"{seconds:.0f} s ({cpu:.0f} s of CPU), peak memory {peak / 2**20:.0f} MB = "
            f"{peak / size:.1f}x the file size"
        )
        if args.keep:
            kept = ROOT / "build" / "large.json"
            kept.parent.mkdir(exist_ok=True)
            path.replace(kept)
            print(f"kept {kept}")


if __name__ == "__main__":
    main()
