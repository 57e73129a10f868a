"""Tenant collection against Azure's read limits: wall time, requests, 429s, memory, and the floor.

Run: python benchmarks/tenant_bench.py [--cases 1x150,10x1000,100x1000] [--latency 0.05] [--today REF]

For each case (SUBSCRIPTIONS x RESOURCES per subscription, tests/fakearm/synthetic.py) the fake ARM
server runs in a process of its own with Azure's limits (ARM reads: 250 burst, 25 a second per
principal and subscription; Resource Graph: 15 queries per 5 s) and LATENCY seconds per request.
The collector runs in a fresh process each time: the current one, then today's (the collector at
git REF, per-type ARM lists; skipped with --today none). The floor is what the limits allow for
the requests the current collector needed: per subscription max(0, reads - 250) / 25 s, for
Resource Graph max(0, queries - 15) / 3 s, plus the longest chain of dependent requests times the
latency (token, subscription, the inventory's pages, a workspace's endpoints, their deployments).
"srv cpu" is the fake server's CPU time during the run: it shares the machine's cores with the
collector, so it is time no client on this machine can use.
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fakearm lives in the repository, not in the package

BURST, REFILL = 250, 25.0
GRAPH_QUERIES, GRAPH_WINDOW = 15, 5.0
# The collector before the tenant-speed work: per-type ARM lists on 8 threads.
TODAY = "6c36c91"


def _serve(case: tuple[int, int], latency: float, pipe: Any) -> None:
    """The fake server's process: serve until told to stop, then send the log's counts."""
    from tests.fakearm import FakeArm
    from tests.fakearm.limits import Limits
    from tests.fakearm.synthetic import synthetic_tenant

    subs, estate = synthetic_tenant(case[0], max(1, case[1] // 250), case[1])
    with FakeArm(estate, latency=latency, page_size=100, limits=Limits(), subscriptions=subs) as fake:
        pipe.send((fake.env(), subs, len(estate)))
        started = _cpu()
        while True:
            command = pipe.recv()
            if command == "stop":
                return
            limits = fake.limits
            assert limits is not None
            counts = _counts(fake.requests(), limits)
            # The server shares the cores with the collector: its CPU is time no client can use.
            counts["server_cpu"] = _cpu() - started
            fake.reset()
            # Every run starts with full buckets, before the next collector can send: answering
            # first and waiting for the refill after let the next run start on drained buckets.
            limits.restart()
            started = _cpu()
            pipe.send(counts)


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _counts(log: list[Any], limits: Any) -> dict[str, Any]:
    kinds: Counter[str] = Counter()
    per_sub: Counter[str] = Counter()
    for r in log:
        if r.method == "POST" and "oauth2" in r.path:
            kinds["token"] += 1
        elif r.method == "POST":
            kinds["resource graph"] += 1
        else:
            kinds["ARM GET"] += 1
            parts = [p for p in r.path.split("/") if p]
            if len(parts) > 1 and parts[0].lower() == "subscriptions":
                per_sub[parts[1].lower()] += 1
    return {
        "kinds": dict(kinds),
        "per_sub": dict(per_sub),
        "throttled": sum(1 for r in log if r.status == 429),
        "early": len(limits.early),
    }


def _collect(
    env: dict[str, str],
    subs: list[str],
    src: str | None,
    graph: bool,
    pipe: Any,
    shard: tuple[int, int] | None = None,
) -> None:
    """One collection (of one shard) in a fresh process: wall time, peak memory, what came back."""
    if src is not None:
        sys.path.insert(0, src)
        for name in [m for m in sys.modules if m == "auditor" or m.startswith("auditor.")]:
            del sys.modules[name]
    os.environ.update(env)
    from auditor.collect import Cloud, collect_snapshot
    from auditor.collect.context import Settings

    cloud = Cloud.from_options(env["AUDITOR_ARM_ENDPOINT"], env["AUDITOR_AUTHORITY_HOST"])
    import dataclasses

    known = {f.name for f in dataclasses.fields(Settings)}
    extra: dict[str, Any] = {"resource_graph": graph} if "resource_graph" in known else {}
    sharded: dict[str, Any] = {"shard": shard} if shard is not None else {}
    started = time.perf_counter()
    snapshot = collect_snapshot(cloud, subs, settings=Settings(**extra), **sharded)
    ended = time.perf_counter()
    usage = resource.getrusage(resource.RUSAGE_SELF)
    peak = usage.ru_maxrss / 1024
    pipe.send(
        {
            "wall": ended - started,
            "started": started,
            "ended": ended,
            "peak_mb": peak,
            "resources": len(snapshot.resources),
            "cpu": usage.ru_utime + usage.ru_stime,
            "errors": len(snapshot.errors),
        }
    )


def _run(
    ctx: Any,
    server: Any,
    env: dict[str, str],
    subs: list[str],
    src: str | None,
    graph: bool,
    shards: int = 1,
) -> dict[str, Any]:
    """One collection; with `shards`, that many `--shard I/N` processes side by side."""
    pipes, children = [], []
    for index in range(shards):
        mine, theirs = ctx.Pipe()
        shard = (index, shards) if shards > 1 else None
        children.append(ctx.Process(target=_collect, args=(env, subs, src, graph, theirs, shard)))
        pipes.append(mine)
    for child in children:
        child.start()
    parts = [pipe.recv() for pipe in pipes]
    for child in children:
        child.join()
    # The monotonic clock is shared by the forked processes: the run spans first start to last end.
    result: dict[str, Any] = {
        "wall": max(p["ended"] for p in parts) - min(p["started"] for p in parts),
        "peak_mb": max(p["peak_mb"] for p in parts),
        "resources": sum(p["resources"] for p in parts),
        "cpu": sum(p["cpu"] for p in parts),
        "errors": sum(p["errors"] for p in parts),
    }
    server.send("counts")
    result.update(server.recv())
    return result


def floor(counts: dict[str, Any], latency: float, subs: int) -> float:
    """The time Azure's limits allow for these requests, plus the longest dependent chain."""
    arm = max((max(0, n - BURST) / REFILL for n in counts["per_sub"].values()), default=0.0)
    queries = counts["kinds"].get("resource graph", 0)
    graph = max(0, queries - GRAPH_QUERIES) / (GRAPH_QUERIES / GRAPH_WINDOW)
    batches = max(1, -(-subs // 300))
    pages = max(1, queries // batches) if queries else 0
    chain = 2 + pages + 2  # token, subscriptions, inventory pages, endpoints, deployments
    return max(arm, graph) + chain * latency


def _today_source(ref: str) -> str | None:
    if ref == "none":
        return None
    out = Path(tempfile.mkdtemp(prefix="auditor-today-"))
    archive = subprocess.run(
        ["git", "-C", str(ROOT), "archive", ref, "auditor"], capture_output=True, check=True
    )
    subprocess.run(["tar", "-x", "-C", str(out)], input=archive.stdout, check=True)
    return str(out)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", default="1x150,10x1000,100x1000", help="SUBSxRESOURCES, comma-separated")
    parser.add_argument("--latency", type=float, default=0.05, help="seconds per request (default 0.05)")
    parser.add_argument(
        "--today", default=TODAY, help=f"git ref of today's collector, or none (default {TODAY})"
    )
    parser.add_argument("--no-resource-graph", action="store_true", help="the current collector without it")
    parser.add_argument(
        "--shards", type=int, default=1, help="also run the current collector as N --shard processes at once"
    )
    args = parser.parse_args()
    ctx = mp.get_context("fork")
    today = _today_source(args.today)
    machine = f"{platform.node()} {platform.machine()} {os.cpu_count()} cores"
    print(f"machine: {machine}, python {platform.python_version()}")
    print(f"date: {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, latency {args.latency * 1000:.0f} ms")
    header = (
        f"{'case':<10} {'collector':<9} {'wall s':>7} {'floor s':>7} {'ratio':>5} {'ARM':>6} {'graph':>5} "
    )
    header += f"{'429s':>5} {'early':>5} {'peak MB':>7} {'resources':>9} {'errors':>6} {'cpu s':>6}"
    header += f" {'srv cpu':>7}"
    print(header + " speed-up")
    for case_text in args.cases.split(","):
        subs_n, size = (int(x) for x in case_text.lower().split("x"))
        mine, theirs = ctx.Pipe()
        server = ctx.Process(target=_serve, args=((subs_n, size), args.latency, theirs), daemon=True)
        server.start()
        env, subs, _ = mine.recv()
        rows = [("current", _run(ctx, mine, env, subs, None, not args.no_resource_graph))]
        if args.shards > 1:
            sharded = _run(ctx, mine, env, subs, None, not args.no_resource_graph, args.shards)
            rows.append((f"{args.shards} shards", sharded))
        if today is not None:
            rows.append(("today", _run(ctx, mine, env, subs, today, False)))
        mine.send("stop")
        server.join()
        base = floor(rows[0][1], args.latency, subs_n)
        slowest = dict(rows)["today"] if today is not None else rows[0][1]  # speed-ups against it
        for label, r in rows:
            speed = slowest["wall"] / r["wall"]
            print(
                f"{case_text:<10} {label:<9} {r['wall']:7.2f} {base:7.2f} {r['wall'] / base:5.2f} "
                f"{r['kinds'].get('ARM GET', 0):6d} {r['kinds'].get('resource graph', 0):5d} "
                f"{r['throttled']:5d} "
                f"{r['early']:5d} {r['peak_mb']:7.0f} {r['resources']:9d} {r['errors']:6d} "
                f"{r['cpu']:6.1f} {r['server_cpu']:7.1f} {speed:.1f}x"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
