"""Rule evaluation at scale: an audit of 10,000 to 100,000 resources, its time and peak memory.

Run: python benchmarks/eval_bench.py [--sizes 10000 50000 100000] [--old-ref main] [--old-sizes 10000]

Each size is a snapshot file of whole copies of the four sample estates (benchmarks/
estates_at_scale.py: one copy per resource group, ten copies per subscription, every id renamed).
Each audit runs in a fresh process, as `auditor audit --snapshot` does (load, redaction, the
workloads found, each judged with its variant's baseline unless --baseline names one, scoring; no
report rendered, no snapshot digest), so that its peak RSS is its own. With `--old-ref`, the code of that git
ref (extracted with `git archive`) audits the same files in the same run: the ratio of the times,
and whether both gave the same findings (a digest of every finding), are printed beside.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import tarfile
import tempfile
import time
from pathlib import Path

from benchmarks.estates_at_scale import estate_document

ROOT = Path(__file__).resolve().parent.parent

# Runs in the child: one audit of one snapshot; prints what it measured as one JSON line.
CHILD = r"""
import hashlib, inspect, json, resource, sys, time
snapshot, baseline = sys.argv[1], sys.argv[2] or None
import auditor
from auditor.app import audit
from auditor.options import AuditOptions, SourceOptions
# As the command line runs it: the snapshot's digest only when the run history records it.
quiet = {"digest": False} if "digest" in inspect.signature(audit).parameters else {}
start = time.perf_counter()
report = audit(AuditOptions(source=SourceOptions(snapshot=snapshot), baseline=baseline), **quiet)
seconds = time.perf_counter() - start
usage = resource.getrusage(resource.RUSAGE_SELF)
# The audit's own peak: ru_maxrss also counts the parent's memory at the fork (Linux keeps the larger
# of the two across exec), so the kernel's high-water mark of this process's memory is read instead.
try:
    with open("/proc/self/status") as status:
        peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))
except (OSError, StopIteration):
    peak_kb = usage.ru_maxrss
digest = hashlib.sha256(
    json.dumps([f.to_dict() for f in report.findings], sort_keys=True, default=str).encode()
).hexdigest()[:16]
print(json.dumps({
    "seconds": seconds,
    "cpu": usage.ru_utime + usage.ru_stime,
    "peak_mb": peak_kb / 1024,  # before the digest's serialisation
    "findings": len(report.findings),
    "resources": report.scope["resources"],
    "digest": digest,
    "code": auditor.__file__,
}))
"""


def write_snapshot(size: int, folder: Path) -> Path:
    """The snapshot file of about `size` resources (written once per run)."""
    path = folder / f"estate-{size}.json"
    path.write_text(json.dumps(estate_document(size), indent=1), encoding="utf-8")
    return path


def extract(ref: str, folder: Path) -> Path:
    """The tree of a git ref, laid out as the installed package is (rules/ and reports/ inside auditor/)."""
    archive = folder / "old.tar"
    subprocess.run(["git", "-C", str(ROOT), "archive", "-o", str(archive), ref], check=True)
    tree = folder / "old"
    with tarfile.open(archive) as tar:
        tar.extractall(tree, filter="data")
    for package in ("rules", "reports"):
        (tree / "auditor" / package).symlink_to(tree / package)
    return tree


def measure(
    snapshot: Path, code: Path | None, timeout: float, baseline: str = ""
) -> dict[str, object] | None:
    """One audit in a child process ("" for `baseline`: by variant); None when it ran out of time."""
    env = dict(os.environ, AUDITOR_MAX_SNAPSHOT_MB="100000")
    if code is not None:
        env["PYTHONPATH"] = str(code)
    else:
        env.pop("PYTHONPATH", None)
    try:
        done = subprocess.run(
            [sys.executable, "-c", CHILD, str(snapshot), baseline],
            env=env,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=True,
            cwd=tempfile.gettempdir(),
        )
    except subprocess.TimeoutExpired:
        return None
    except subprocess.CalledProcessError as exc:
        raise SystemExit(f"the audit failed: {exc.stderr.strip().splitlines()[-1:]}") from None
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    if code is not None and not str(result["code"]).startswith(str(code)):
        raise SystemExit(f"the old code was not the one imported: {result['code']}")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 50_000, 100_000])
    parser.add_argument(
        "--old-ref", default=None, help="git ref whose code audits the same files (e.g. main)"
    )
    parser.add_argument("--old-sizes", type=int, nargs="*", default=[10_000], help="sizes the old code runs")
    parser.add_argument("--old-timeout", type=float, default=900.0, help="seconds before an old run is cut")
    parser.add_argument(
        "--baseline",
        default="",
        help="the baseline every workload is judged with (default: each workload its variant's, as without"
        " --baseline)",
    )
    args = parser.parse_args()
    load = os.getloadavg()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# {when}, {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    judged = args.baseline or "each workload's variant's"
    print(f"# load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}; baseline: {judged}")
    header = (
        f"{'resources':>10} {'findings':>9} {'file MB':>8} {'seconds':>8} {'cpu s':>7} {'us/res':>7}"
        f" {'peak MB':>8} {'old s':>8} {'old cpu':>8} {'old MB':>7} {'speed-up':>8} {'same':>5}"
    )
    print(header)
    with tempfile.TemporaryDirectory(prefix="eval-bench-") as tmp:
        folder = Path(tmp)
        old = extract(args.old_ref, folder) if args.old_ref else None
        for size in args.sizes:
            snapshot = write_snapshot(size, folder)
            new = measure(snapshot, None, timeout=3600, baseline=args.baseline)
            assert new is not None
            cpu, count = float(new["cpu"]), int(new["resources"])  # type: ignore[arg-type, call-overload]
            row = (
                f"{count:>10} {new['findings']:>9} {snapshot.stat().st_size / 2**20:>8.1f}"
                f" {new['seconds']:>8.2f} {cpu:>7.2f} {cpu / count * 1e6:>7.1f} {new['peak_mb']:>8.0f}"
            )
            if old is not None and size in args.old_sizes:
                before = measure(snapshot, old, args.old_timeout, baseline=args.baseline)
                if before is None:
                    row += f" {'>' + str(int(args.old_timeout)):>8} {'':>8} {'':>7} {'':>8} {'':>5}"
                else:
                    # By CPU time: the machine is shared, and wall time follows its load.
                    speedup = float(before["cpu"]) / cpu  # type: ignore[arg-type]
                    same = "yes" if before["digest"] == new["digest"] else "NO"
                    row += (
                        f" {before['seconds']:>8.2f} {before['cpu']:>8.2f} {before['peak_mb']:>7.0f}"
                        f" {speedup:>7.1f}x {same:>5}"
                    )
            print(row, flush=True)
            snapshot.unlink()


if __name__ == "__main__":
    main()
