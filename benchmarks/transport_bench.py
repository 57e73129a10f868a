"""Threads or asyncio for the ARM reads: the same GETs with the sync SDK client on a thread pool
and with its `.aio` twin on one event loop, side by side (the collector's choice is measured here).

Run: python benchmarks/transport_bench.py [--requests 1000] [--concurrency 64] [--latency 0.05]
(the asyncio half needs aiohttp, which the auditor does not depend on: pip install aiohttp).
The fake ARM server runs in a process of its own (no limits), so that only the client's cost
shows: wall time, requests a second, and the client's CPU seconds per 1,000 requests.
"""

from __future__ import annotations

import argparse
import asyncio
import multiprocessing as mp
import os
import resource
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fakearm lives in the repository, not in the package


def _serve(latency: float, pipe: Any) -> None:
    from tests.fakearm import FakeArm
    from tests.fakearm.synthetic import synthetic_tenant

    subs, estate = synthetic_tenant(1, 0, 400)
    with FakeArm(estate, latency=latency, subscriptions=subs) as fake:
        targets = [r["id"] for r in estate if r["type"] == "Microsoft.Web/sites"]
        pipe.send((fake.env(), targets))
        pipe.recv()


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _threads(env: dict[str, str], targets: list[str], n: int, workers: int) -> tuple[float, float]:
    import requests
    from azure.core.pipeline.transport import RequestsTransport
    from azure.identity import ClientSecretCredential
    from azure.mgmt.monitor import MonitorManagementClient

    session = requests.Session()
    session.mount("https://", requests.adapters.HTTPAdapter(pool_maxsize=workers))
    transport = RequestsTransport(session=session, session_owner=False)
    url = env["AUDITOR_ARM_ENDPOINT"]
    cred = ClientSecretCredential(
        env["AZURE_TENANT_ID"],
        env["AZURE_CLIENT_ID"],
        env["AZURE_CLIENT_SECRET"],
        authority=url,
        disable_instance_discovery=True,
    )
    client = MonitorManagementClient(
        cred, "x", base_url=url, credential_scopes=[f"{url}/.default"], transport=transport
    )
    list(client.diagnostic_settings.list(targets[0]))  # sign in, warm up
    cpu, started = _cpu(), time.perf_counter()
    with ThreadPoolExecutor(workers) as pool:
        list(pool.map(lambda i: list(client.diagnostic_settings.list(targets[i % len(targets)])), range(n)))
    return time.perf_counter() - started, _cpu() - cpu


def _asyncio(env: dict[str, str], targets: list[str], n: int, workers: int) -> tuple[float, float]:
    from azure.identity.aio import ClientSecretCredential
    from azure.mgmt.monitor.aio import MonitorManagementClient

    async def run() -> tuple[float, float]:
        url = env["AUDITOR_ARM_ENDPOINT"]
        ca = env["REQUESTS_CA_BUNDLE"]  # aiohttp does not read it from the environment
        cred = ClientSecretCredential(
            env["AZURE_TENANT_ID"],
            env["AZURE_CLIENT_ID"],
            env["AZURE_CLIENT_SECRET"],
            authority=url,
            disable_instance_discovery=True,
            connection_verify=ca,
        )
        async with MonitorManagementClient(
            cred, "x", base_url=url, credential_scopes=[f"{url}/.default"], connection_verify=ca
        ) as client:
            gate = asyncio.Semaphore(workers)

            async def one(i: int) -> None:
                async with gate:
                    async for _ in client.diagnostic_settings.list(targets[i % len(targets)]):
                        pass

            await one(0)
            cpu, started = _cpu(), time.perf_counter()
            await asyncio.gather(*(one(i) for i in range(n)))
            result = time.perf_counter() - started, _cpu() - cpu
        await cred.close()
        return result

    return asyncio.run(run())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--latency", type=float, default=0.05)
    args = parser.parse_args()
    ctx = mp.get_context("fork")
    mine, theirs = ctx.Pipe()
    server = ctx.Process(target=_serve, args=(args.latency, theirs), daemon=True)
    server.start()
    env, targets = mine.recv()
    os.environ.update(env)
    floor = args.requests / args.concurrency * args.latency
    print(
        f"{args.requests} GETs, {args.concurrency} at once, {args.latency * 1000:.0f} ms: floor {floor:.2f} s"
    )
    for name, fn in (("threads", _threads), ("asyncio", _asyncio)):
        try:
            wall, cpu = fn(env, targets, args.requests, args.concurrency)
        except ImportError as exc:
            print(f"{name:<8} skipped ({exc})")
            continue
        rate = args.requests / wall
        print(
            f"{name:<8} {wall:6.2f} s  {rate:6.0f} req/s  {cpu / args.requests * 1000:5.2f} CPU s per 1,000"
        )
    mine.send("stop")
    server.join()
    return 0


if __name__ == "__main__":
    sys.exit(main())
