"""Hostile and broken input: run the bad-input corpus and the property tests, write the figures.

Run: python benchmarks/hostile_input.py [--write] [--examples N]

Every case of `benchmarks/bad_inputs.py` goes through the command line (`auditor audit`) in
a forked process with a 2 GB address-space limit and a 60-second deadline. A case expected
to be rejected must exit 2 with one line on stderr; one expected to be audited must exit 0
or 1 and write every report format. Anything else is a crash (exit 4, a signal, a
traceback), a hang (past the deadline), or a wrong outcome (accepted when it should have
been refused, or the reverse). Then the hypothesis tests of tests/test_hostile_input.py run
under the `long` profile. With `--write`, the section "Hostile and broken input" of
docs/reliability.md is replaced by the figures (the rest of the file is left as it is).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import re
import resource
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bad_inputs import ROOT, SAMPLE, Case, corpus

DOC = ROOT / "docs" / "reliability.md"
BEGIN = "<!-- hostile-input: begin (written by benchmarks/hostile_input.py) -->"
END = "<!-- hostile-input: end -->"
DEADLINE = 60.0
MEMORY_LIMIT = 2 * 1024**3
FORMATS = ("console", "json", "sarif", "junit", "html", "markdown", "csv")


@dataclass(frozen=True)
class Outcome:
    """What one case did: the verdict, the exit code, the first stderr line, the seconds it took."""

    case: Case
    verdict: str  # clean, audited, crash, hang, accepted, refused
    code: int | None
    stderr: str
    seconds: float


def _child(case: Case, folder: str, err_path: str) -> None:
    """Runs in the forked process: the command line on the case's file, stdout discarded."""
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))
    os.chdir(folder)
    name = {"snapshot": "snapshot.json", "baseline": "baseline.yaml", "waivers": "waivers.yaml"}.get(
        case.kind, "auditor.toml"
    )
    Path(name).write_bytes(case.content)
    argv = ["audit", "--snapshot", name if case.kind == "snapshot" else str(SAMPLE)]
    if case.kind == "baseline":
        argv += list(case.args) or ["--baseline", name]
    elif case.kind == "waivers":
        argv += ["--waivers", name]
    elif case.kind == "config":
        argv += ["--config", name]
    argv += ["--output-dir", "out", *(x for f in FORMATS for x in ("-f", f))]
    os.environ.update(case.env)
    devnull = os.open(os.devnull, os.O_WRONLY)
    err = os.open(err_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    os.dup2(devnull, 1)
    os.dup2(err, 2)
    sys.argv = ["auditor", *argv]
    from auditor.cli import main

    try:
        main()
    except SystemExit as exc:
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(exc.code if isinstance(exc.code, int) else 0)
    os._exit(0)


def run_case(case: Case) -> Outcome:
    """Fork, run, classify."""
    with tempfile.TemporaryDirectory() as folder:
        err_path = os.path.join(folder, "stderr.txt")
        process = multiprocessing.get_context("fork").Process(target=_child, args=(case, folder, err_path))
        start = time.perf_counter()
        process.start()
        process.join(DEADLINE)
        seconds = time.perf_counter() - start
        if process.is_alive():
            process.kill()
            process.join()
            return Outcome(case, "hang", None, "", seconds)
        code = process.exitcode
        stderr = (
            Path(err_path).read_text(encoding="utf-8", errors="replace") if os.path.exists(err_path) else ""
        )
    lines = [line for line in stderr.splitlines() if line.strip() and not line.startswith("auditor: warning")]
    first = lines[0] if lines else ""
    if code is None or code < 0 or code == 4 or "Traceback" in stderr:
        verdict = "crash"
    elif case.expect == "reject":
        one_line = len(lines) == 1 and first.startswith("auditor: error: ")
        verdict = "clean" if code == 2 and one_line else "accepted" if code in (0, 1) else "crash"
    else:
        verdict = "audited" if code in (0, 1) else "refused"
    return Outcome(case, verdict, code, first, seconds)


def run_corpus() -> list[Outcome]:
    """Every case of the corpus, in order."""
    from auditor.engine.baseline import load_baseline

    load_baseline(None)  # import the rules once, before forking
    return [run_case(case) for case in corpus()]


def run_properties(examples: int) -> tuple[int, str]:
    """Run the property tests with the `long` profile; the examples they ran and pytest's last line."""
    env = {**os.environ, "HYPOTHESIS_PROFILE": "long", "HYPOTHESIS_MAX_EXAMPLES": str(examples)}
    proc = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "--hypothesis-show-statistics",
            str(ROOT / "tests" / "test_hostile_input.py"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    found = re.findall(r"(\d+) passing, (\d+) failing, and (\d+) invalid", proc.stdout)
    ran = sum(int(a) + int(b) for a, b, _ in found)
    last = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else proc.stderr.strip()[-200:]
    return ran, last


# Found by the property tests and the corpus while they were written, each fixed and kept as a test.
FOUND = (
    'a number where ARM has an array (`manualPrivateLinkServiceConnections: 7`, `subnets: "all"`) '
    "stopped the whole audit (exit 2) or made a rule raise: arrays are now read as arrays or as nothing",
    "a rule that raised lost every verdict it had already made: the engine now keeps them, and a "
    "per-resource check that raises costs only that resource's verdict (`error`)",
    "snapshot metadata with non-string subscriptions crashed the console report (exit 4)",
    "escape sequences, rich markup and direction overrides in names reached the console and the reports",
    "the first long run of the property tests failed once, on the test's own check: it took escaped HTML "
    "(`&lt;img src=x onerror=...`) for markup; the check now looks for the unescaped tags",
)


def run_large(megabytes: float) -> str:
    """One line on a generated large snapshot, from benchmarks/input_bench.py."""
    from input_bench import build, measure

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "large.json"
        _, count = build(megabytes, path)
        size = path.stat().st_size
        seconds, cpu, peak, code = measure(path)
    return (
        f"A generated snapshot of {size / 2**20:.0f} MB ({count:,} resources, `benchmarks/input_bench.py`) "
        f"was audited (exit {code}) in {seconds:.0f} s ({cpu:.0f} s of CPU) with a peak of "
        f"{peak / 2**20:.0f} MB, {peak / size:.1f} times the file's size: the parsed estate, the findings "
        "and the rendered report are all in memory. A snapshot over `AUDITOR_MAX_SNAPSHOT_MB` (default 100) "
        "is refused before it is read, with the limit and how to raise it."
    )


def section(outcomes: list[Outcome], properties: tuple[int, str] | None, large: str | None = None) -> str:
    """The Markdown section with the figures."""
    by_kind: dict[str, Counter[str]] = {}
    for o in outcomes:
        by_kind.setdefault(o.case.kind, Counter())[o.verdict] += 1
    rejected = [o for o in outcomes if o.case.expect == "reject"]
    audited = [o for o in outcomes if o.case.expect == "audit"]
    lines = [
        "## Hostile and broken input",
        "",
        BEGIN,
        "",
        f"{len(outcomes)} input files ({len(rejected)} that must be refused, {len(audited)} odd but readable)"
        " "
        "went through `auditor audit`, each in its own process with a 2 GB memory limit and a 60-second "
        "deadline, writing every report format. Cases: `benchmarks/bad_inputs.py`.",
        "",
        "| kind | files | clean one-line error (exit 2) | audited (exit 0/1) | crashed | hung "
        "| wrong outcome |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for kind, counts in by_kind.items():
        total = sum(counts.values())
        wrong = counts["accepted"] + counts["refused"]
        lines.append(
            f"| {kind} | {total} | {counts['clean']} | {counts['audited']} | {counts['crash']} | "
            f"{counts['hang']} | {wrong} |"
        )
    total = Counter(o.verdict for o in outcomes)
    lines.append(
        f"| all | {len(outcomes)} | {total['clean']} | {total['audited']} | {total['crash']} | "
        f"{total['hang']} | {total['accepted'] + total['refused']} |"
    )
    slowest = max(outcomes, key=lambda o: o.seconds)
    lines += ["", f'Slowest case: {slowest.case.kind} "{slowest.case.name}", {slowest.seconds:.1f} s.']
    bad = [o for o in outcomes if o.verdict not in ("clean", "audited")]
    if bad:
        lines += ["", "Not as expected:", ""]
        lines += [
            f'- {o.case.kind} "{o.case.name}": {o.verdict} (exit {o.code}) {o.stderr[:120]}'.rstrip()
            for o in bad
        ]
    if properties is not None:
        ran, last = properties
        lines += [
            "",
            f"Property tests (`tests/test_hostile_input.py`, hypothesis, `long` profile): {ran:,} generated "
            "examples through the snapshot loader, the estate index, every rule of both baselines and every "
            f"renderer; pytest said: `{last}`.",
        ]
    if large:
        lines += ["", large]
    lines += ["", "Found while these were written, and fixed:", ""]
    lines += [f"- {item}" for item in FOUND]
    lines += ["", END, ""]
    return "\n".join(lines)


def write_section(text: str) -> None:
    """Replace this script's section of docs/reliability.md, or append it; other sections stay."""
    current = DOC.read_text(encoding="utf-8") if DOC.exists() else "# Reliability\n\n"
    heading = "## Hostile and broken input"
    if BEGIN in current and END in current:
        start = current.rindex(heading, 0, current.index(BEGIN))
        stop = current.index(END) + len(END)
        rest = current[stop:].lstrip("\n")
        updated = current[:start] + text + ("\n" + rest if rest else "")
    else:
        updated = current.rstrip("\n") + "\n\n" + text
    DOC.write_text(updated, encoding="utf-8")


def main() -> None:
    """Run, print, and with --write update the docs."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the section in docs/reliability.md")
    parser.add_argument("--examples", type=int, default=1000, help="hypothesis examples per property test")
    parser.add_argument("--no-properties", action="store_true", help="skip the property tests")
    parser.add_argument(
        "--large-mb", type=float, default=0, help="also audit a generated snapshot this large"
    )
    args = parser.parse_args()
    # First: the peak memory it reads is that of the largest child process so far.
    large = run_large(args.large_mb) if args.large_mb else None
    outcomes = run_corpus()
    for o in outcomes:
        if o.verdict not in ("clean", "audited"):
            print(f"{o.verdict:<9} {o.case.kind:<9} {o.case.name}: exit {o.code} {o.stderr[:150]}")
    properties = None if args.no_properties else run_properties(args.examples)
    text = section(outcomes, properties, large)
    print(text)
    if args.write:
        write_section(text)


if __name__ == "__main__":
    main()
