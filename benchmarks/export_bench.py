"""Export speed: rows built from a JSON report, then uploaded to the fake ingestion endpoint.

Run: python benchmarks/export_bench.py [--findings 10000 100000]
For each size, the drifted AI Studio report with that many findings: the seconds to build the
rows, and the seconds, requests and rows per second of the upload through the real
azure-monitor-ingestion client (HTTPS on 127.0.0.1, gzip, 1 MiB chunks).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fakearm lives in the repository, not in the package

from auditor.collect.cloud import Cloud  # noqa: E402
from auditor.export.log_analytics import Target, send  # noqa: E402
from auditor.export.rows import rows_of  # noqa: E402
from tests.export.report import large_report  # noqa: E402
from tests.fakearm import FakeArm  # noqa: E402
from tests.fakearm.harness import azure_env  # noqa: E402
from tests.fakearm.ingestion import Ingestion  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--findings", type=int, nargs="+", default=[10_000, 100_000])
    args = parser.parse_args()
    print(f"{'findings':>9} {'rows s':>8} {'upload s':>9} {'requests':>9} {'MiB sent':>9} {'rows/s':>9}")
    with FakeArm() as fake, azure_env(fake):
        credential = Cloud.from_options(fake.url, fake.url).credential()
        with credential:
            for size in args.findings:
                report = large_report(findings=size, message_bytes=120)
                started = time.perf_counter()
                rows_of(report)
                built = time.perf_counter() - started
                fake.ingestion = Ingestion(fake._authorized)
                target = Target(fake.url, fake.ingestion.rule_id)
                started = time.perf_counter()
                sent = send(report, target, credential)
                uploaded = time.perf_counter() - started
                assert sent.failed_rows == 0, sent
                uploads = fake.ingestion.uploads
                mib = sum(u.size for u in uploads) / 2**20
                rate = sent.total / uploaded
                print(f"{size:>9} {built:>8.2f} {uploaded:>9.2f} {len(uploads):>9} {mib:>9.1f} {rate:>9.0f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
