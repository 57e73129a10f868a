"""The HTML report of a large tenant: its size, and how long headless Chromium takes to open it.

Run: python benchmarks/html_bench.py [--subscriptions 100] [--old-ref main]

The tenant is one copy of a sample estate per subscription (benchmarks/estates_at_scale.py), audited
once; the HTML report is rendered as `auditor audit --format html` writes it. Chromium (the Debian
package, driven over its DevTools pipe as the tests do) opens the file; the load time is the page's
own navigation timing (load event end, the script's first rendering included). With `--old-ref`,
the report of that git ref's code is measured beside it. Targets: under 5 MB, under 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchmarks.estates_at_scale import estate_document
from benchmarks.eval_bench import BASELINE, extract
from tests.cdp_pipe import Browser, find_chromium

# Runs in a child (the new code, or the old one on PYTHONPATH): audit and write the HTML report.
CHILD = r"""
import sys
from auditor.app import audit
from auditor.options import AuditOptions, SourceOptions
from auditor.reports.html import render
report = audit(AuditOptions(source=SourceOptions(snapshot=sys.argv[1]), baseline=sys.argv[2]))
with open(sys.argv[3], "w", encoding="utf-8") as out:
    out.write(render(report))
print(len(report.findings))
"""


def write_report(snapshot: Path, page: Path, code: Path | None) -> int:
    """Render the HTML report of the snapshot with the new code (or the old one); its finding count."""
    env = dict(os.environ, AUDITOR_MAX_SNAPSHOT_MB="100000")
    env.pop("PYTHONPATH", None)
    if code is not None:
        env["PYTHONPATH"] = str(code)
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(snapshot), BASELINE, str(page)],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tempfile.gettempdir(),
    )
    return int(done.stdout.strip().splitlines()[-1])


def load_seconds(chromium: str, page: Path, timeout: float) -> tuple[float | None, int]:
    """Seconds until the load event ended (None when Chromium gave up), and how many findings are shown."""
    try:
        with Browser(chromium, width=1280, height=1000, timeout=timeout) as browser:
            browser.open(page.as_uri())
            timing = browser.evaluate("performance.getEntriesByType('navigation')[0].loadEventEnd")
            shown = browser.evaluate("document.querySelectorAll('#findings > li:not([hidden])').length")
            return float(timing) / 1000.0, int(shown)
    except (TimeoutError, RuntimeError, OSError):
        return None, 0


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscriptions", type=int, default=100)
    parser.add_argument("--old-ref", default=None, help="git ref whose report is measured beside")
    parser.add_argument("--timeout", type=float, default=120.0, help="seconds Chromium may take")
    args = parser.parse_args()
    chromium = find_chromium()
    if chromium is None:
        raise SystemExit("Chromium is not installed (Debian package 'chromium')")
    load = os.getloadavg()
    when = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    print(f"# {when}, load average {load[0]:.1f}/{load[1]:.1f}/{load[2]:.1f}")
    with tempfile.TemporaryDirectory(prefix="html-bench-") as tmp:
        folder = Path(tmp)
        doc = estate_document(0, per_subscription=1, copies=args.subscriptions)
        snapshot = folder / "tenant.json"
        snapshot.write_text(json.dumps(doc), encoding="utf-8")
        subs, resources = len(doc["metadata"]["subscriptions"]), len(doc["resources"])
        del doc
        print(f"{subs} subscriptions, {resources} resources")
        print(f"{'code':>6} {'findings':>9} {'MB':>7} {'load s':>7} {'shown':>6}")
        runs: list[tuple[str, Path | None]] = [("new", None)]
        if args.old_ref:
            runs.append((args.old_ref, extract(args.old_ref, folder)))
        for name, code in runs:
            page = folder / f"{name}.html"
            findings = write_report(snapshot, page, code)
            seconds, shown = load_seconds(chromium, page, args.timeout)
            shown_s = "failed" if seconds is None else f"{seconds:.2f}"
            print(
                f"{name:>6} {findings:>9} {page.stat().st_size / 2**20:>7.1f} {shown_s:>7} {shown:>6}",
                flush=True,
            )


if __name__ == "__main__":
    main()
