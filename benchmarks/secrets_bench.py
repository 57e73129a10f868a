"""Secrets and read-only, measured: planted secrets, forbidden requests, interrupted and concurrent runs.

Run: python benchmarks/secrets_bench.py [--trials 20] [--seed 13] [--write docs/reliability.md]

1. Serves each variant's compliant estate with secrets planted (tests/planted.py) from the fake
   ARM server; collects and audits it with the real console script (every report format,
   `--verbose`, `--show-passed`, `--debug`), audits a snapshot holding the secrets in clear, and
   collects in process with every logger at DEBUG; then looks for each secret in every output.
   A control collection with redaction switched off counts the secrets the collector receives.
2. Checks every request the fake servers answered (those runs and a live audit of each sample
   estate) against tests/fakearm/readonly.py.
3. Interrupts runs with SIGINT or SIGTERM (alternating) at a random moment: `audit --output-dir`
   over an older report set, and `collect -o` over an older snapshot; counts temporary debris,
   half-written files, mixed report sets and exit codes.
4. Starts pairs of audits into one folder at once and counts mixed report sets.

With --write FILE, the section "Secrets and read-only" of FILE is replaced (or added), and the
rest of the file is left as it is.
"""

from __future__ import annotations

import argparse
import json
import logging
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any
from unittest import mock

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # tests.fakearm lives in the repository, not in the package

from click.testing import CliRunner  # noqa: E402

from auditor.cli import cli  # noqa: E402
from tests import estates  # noqa: E402
from tests.fakearm import FakeArm, readonly, server  # noqa: E402
from tests.fakearm.harness import SAMPLE_NAMES, baseline_of, collect, run_cli, sample_path, start_cli  # noqa: E402
from tests.planted import leaks, planted  # noqa: E402

SUB = estates.SUB
FORMATS = ("console", "json", "sarif", "junit", "html", "markdown", "csv")
BASELINES = {"aistudio": "openai-e2e-chat-aistudio", "aml": "openai-e2e-chat-aml"}
HEADING = "## Secrets and read-only"
BEGIN = "<!-- secrets-and-read-only: begin (benchmarks/secrets_bench.py writes this section) -->"
END = "<!-- secrets-and-read-only: end -->"
OLD, NEW = "openai-e2e-chat-aistudio-drifted", "openai-e2e-chat-aml-drifted"


def format_args() -> list[str]:
    return [arg for fmt in FORMATS for arg in ("--format", fmt)]


def files_of(directory: Path) -> dict[str, str]:
    return {p.name: p.read_text(encoding="utf-8") for p in sorted(directory.iterdir()) if p.is_file()}


def planted_secrets(work: Path) -> dict[str, Any]:
    """Part 1: every secret looked for in every output; the control run."""
    result: dict[str, Any] = {"variants": {}, "texts": 0, "leaks": [], "received": 0, "planted": 0}
    with FakeArm(workdir=work) as fake:
        for variant in estates.VARIANTS:
            resources, secrets = planted(variant)
            fake.load(estates.with_role_definitions(resources))
            home = work / variant
            home.mkdir()
            snap = home / "snapshot.json"
            collected = run_cli(fake, ["--debug", "collect", "--subscription", SUB, "-o", str(snap)], home)
            live = run_cli(
                fake,
                [
                    *("--debug", "audit", "--subscription", SUB, "--baseline", BASELINES[variant]),
                    *("--verbose", "--show-passed", "--explain-roles", *format_args()),
                    *("--output-dir", str(home / "live")),
                ],
                home,
            )
            given = home / "given.json"
            doc = estates.snapshot_document(resources, variant, drifted=False)
            given.write_text(json.dumps(doc), encoding="utf-8")
            offline = CliRunner().invoke(
                cli,
                [
                    *("audit", "--snapshot", str(given), "--baseline", BASELINES[variant]),
                    *("--verbose", "--show-passed", *format_args(), "--output-dir", str(home / "offline")),
                ],
            )
            for what, code, text in (
                ("collect", collected.returncode, collected.stderr),
                ("live audit", live.returncode, live.stderr),
                ("audit of the snapshot", offline.exit_code, offline.output),
            ):
                if code != 0:
                    raise SystemExit(f"{variant}: the {what} failed (exit {code}): {text[-500:]}")
            records = _collect_with_debug_logs(fake)
            texts = {
                "snapshot": snap.read_text(encoding="utf-8"),
                "collect stdout": collected.stdout,
                "collect stderr": collected.stderr,
                "audit stdout": live.stdout,
                "audit stderr": live.stderr,
                "debug log records": records,
                "offline output": offline.output,
                **{f"live {n}": t for n, t in files_of(home / "live").items()},
                **{f"offline {n}": t for n, t in files_of(home / "offline").items()},
            }
            codes = (collected.returncode, live.returncode, offline.exit_code)
            with mock.patch("auditor.collect.context.redact_resource", lambda resource: 0):
                raw = collect(fake, [SUB])
            received = {f.split(" -> ")[0] for f in leaks(secrets, {"raw": json.dumps(raw.to_dict())})}
            score = json.loads(texts["live auditor-report.json"])["score"]
            found = leaks(secrets, texts)
            result["variants"][variant] = {
                "leaks": len(found),
                "planted": len(secrets),
                "received": len(received),
                "texts": len(texts),
                "codes": codes,
                "score": score,
            }
            result["texts"] += len(texts)
            result["planted"] += len(secrets)
            result["received"] += len(received)
            result["leaks"] += found
    return result


def _collect_with_debug_logs(fake: FakeArm) -> str:
    """An in-process collection with every logger at DEBUG; the records as text."""
    records: list[str] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(f"{record.name} {record.getMessage()}")

    root = logging.getLogger()
    handler, level = Keep(logging.DEBUG), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        collect(fake, [SUB])
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    return "\n".join(records)


def read_only(work: Path) -> dict[str, Any]:
    """Part 2: a live audit of each sample estate; then every request any server answered, checked."""
    with FakeArm(workdir=work) as fake:
        for name in SAMPLE_NAMES:
            doc = json.loads(sample_path(name).read_text(encoding="utf-8"))
            fake.load(doc["resources"])
            run_cli(
                fake, ["audit", "--subscription", SUB, "--baseline", baseline_of(name), "-f", "json"], work
            )
    trail = list(server.TRAIL)
    return {
        "requests": len(trail),
        "methods": Counter(r.method for r in trail),
        "posts": Counter(readonly.allowed_post(r.path) or "other" for r in trail if r.method == "POST"),
        "violations": readonly.violations(trail),
    }


def classify(directory: Path, expected: set[str]) -> tuple[str, list[str]]:
    """`old`, `new`, `mixed` or `broken`, for a report folder; and its debris."""
    names = sorted(p.name for p in directory.iterdir())
    junk = [n for n in names if n.startswith(".") or n.endswith((".tmp", ".old"))]
    kinds = set()
    for name in set(names) - set(junk):
        text = (directory / name).read_text(encoding="utf-8")
        if name.endswith(".json"):
            try:
                json.loads(text)
            except ValueError:
                return "broken", junk
        old, new = "rg-chat-aistudio" in text, "rg-chat-aml" in text
        kinds.add("old" if old and not new else "new" if new and not old else "broken")
    if set(names) - set(junk) != expected or len(kinds) != 1:
        return ("mixed" if kinds <= {"old", "new"} else "broken"), junk
    return kinds.pop(), junk


def audit_args(name: str, out: Path) -> list[str]:
    snapshot, baseline = str(sample_path(name)), baseline_of(name)
    return ["audit", "--snapshot", snapshot, "--baseline", baseline, *format_args(), "--output-dir", str(out)]


def interrupted(work: Path, trials: int, rng: random.Random) -> dict[str, Any]:
    """Part 3: audits and collections interrupted at random moments."""
    start = time.monotonic()
    subprocess.run([*_cli(), *audit_args(NEW, work / "timing")], check=True, capture_output=True, cwd=work)
    duration = time.monotonic() - start
    expected = {p.name for p in (work / "timing").iterdir()}
    outcomes: Counter[str] = Counter()
    codes: Counter[int] = Counter()
    debris = 0
    for trial in range(trials):
        home = work / f"audit-{trial}"
        home.mkdir()
        out = home / "out"
        subprocess.run([*_cli(), *audit_args(OLD, out)], check=True, capture_output=True, cwd=home)
        sig = signal.SIGINT if trial % 2 == 0 else signal.SIGTERM
        proc = start_cli(None, audit_args(NEW, out), home)
        time.sleep(rng.uniform(0.0, duration * 1.1))
        proc.send_signal(sig)
        proc.communicate(timeout=120)
        codes[proc.returncode] += 1
        kind, junk = classify(out, expected)
        outcomes[kind] += 1
        debris += len(junk)
    collect_outcomes: Counter[str] = Counter()
    collect_codes: Counter[int] = Counter()
    doc = json.loads(sample_path(NEW).read_text(encoding="utf-8"))
    with FakeArm(doc["resources"], latency=0.02, workdir=work) as fake:
        home = work / "collect-timing"
        home.mkdir()
        start = time.monotonic()
        run_cli(fake, ["collect", "--subscription", SUB, "-o", str(home / "s.json")], home)
        duration = time.monotonic() - start
        for trial in range(max(2, trials // 2)):
            home = work / f"collect-{trial}"
            home.mkdir()
            snap = home / "snap.json"
            snap.write_text("previous snapshot\n")
            proc = start_cli(fake, ["collect", "--subscription", SUB, "-o", str(snap)], home)
            time.sleep(rng.uniform(0.0, duration * 1.1))
            proc.send_signal(signal.SIGINT if trial % 2 == 0 else signal.SIGTERM)
            proc.communicate(timeout=120)
            collect_codes[proc.returncode] += 1
            text = snap.read_text(encoding="utf-8")
            try:
                kind = (
                    "old"
                    if text == "previous snapshot\n"
                    else "new"
                    if json.loads(text)["resources"]
                    else "broken"
                )
            except (ValueError, KeyError):
                kind = "broken"
            collect_outcomes[kind] += 1
            debris += len([p for p in home.iterdir() if p.name.endswith((".tmp", ".old"))])
    return {
        "audits": trials,
        "outcomes": outcomes,
        "codes": codes,
        "collects": sum(collect_outcomes.values()),
        "collect_outcomes": collect_outcomes,
        "collect_codes": collect_codes,
        "debris": debris,
    }


def concurrent(work: Path, pairs: int) -> dict[str, Any]:
    """Part 4: two audits started at once into one folder."""
    subprocess.run([*_cli(), *audit_args(NEW, work / "names")], check=True, capture_output=True, cwd=work)
    expected = {p.name for p in (work / "names").iterdir()}
    outcomes: Counter[str] = Counter()
    for pair in range(pairs):
        home = work / f"pair-{pair}"
        home.mkdir()
        out = home / "out"
        procs = [start_cli(None, audit_args(name, out), home) for name in (OLD, NEW)]
        for proc in procs:
            proc.communicate(timeout=120)
        kind, junk = classify(out, expected)
        outcomes[kind if not junk else "debris"] += 1
    return {"pairs": pairs, "outcomes": outcomes}


def _cli() -> list[str]:
    from tests.fakearm.harness import auditor_command

    return auditor_command()


def section(secrets: dict[str, Any], ro: dict[str, Any], cut: dict[str, Any], pairs: dict[str, Any]) -> str:
    """The section's Markdown."""
    cut_sets = cut["outcomes"]["mixed"] + cut["outcomes"]["broken"] + cut["collect_outcomes"]["broken"]
    lines = [
        HEADING,
        "",
        BEGIN,
        "",
        "Produced by `python benchmarks/secrets_bench.py --write docs/reliability.md`.",
        "",
        "**Planted secrets.** The fake ARM server serves each variant's compliant estate with secret-looking",
        "values where Azure keeps credentials: app settings and connection strings, publishing and compute",
        "passwords, online deployment environment variables, endpoint, storage, Search and AI Services keys,",
        "a registry password, workspace connection credentials and a SAS URL, the gateway's certificate",
        "password and private key, keys in tags. Each is looked for as written, HTML- and JSON-escaped, and",
        "as a 12-character piece, in the snapshot, every report format of a live audit and of an audit of a",
        "snapshot holding the secrets in clear, stdout and stderr (`--debug`, `--verbose`), and every log",
        "record of a collection at DEBUG.",
        "",
        "| variant | secrets planted | reached the collector (control, redaction off) | outputs searched | "
        "leaks | score of the compliant estate |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    for variant, v in secrets["variants"].items():
        lines.append(
            f"| {variant} | {v['planted']} | {v['received']} | {v['texts']} | {v['leaks']} | {v['score']:g} |"
        )
    lines += [
        "",
        f"Leaks found: **{len(secrets['leaks'])}** (target 0).",
        "",
        "**Forbidden requests.** Every request the fake servers answered in these runs (and a live audit",
        "of each of the four sample estates) is checked: GET, or a POST to a named endpoint (the token",
        "endpoint; Resource Graph queries and logs ingestion are allowed by name for later use); no action",
        "that returns or replaces a secret, matched by whole path segment after `providers`: `listKeys`,",
        "`listSecrets`, `listCredentials`, `listAdminKeys`, `listQueryKeys`, `listConnectionStrings`,",
        "`listKeyValue`, `listAccountSas`, `regenerateKey`, `publishxml`, Key Vault `secrets`, any other",
        "action named `list...` or `regenerate...`, and the web app documents `config/appsettings`,",
        "`config/connectionstrings`, `config/publishingcredentials` and the like. The test suite applies",
        "the same check to every test that runs the fake server.",
        "",
        f"Requests checked: {ro['requests']} ({_counts(ro['methods'])}; POSTs: {_counts(ro['posts'])}). "
        f"Forbidden requests found: **{len(ro['violations'])}** (target 0).",
        "",
        "**Interrupted runs.** SIGINT or SIGTERM (alternately) at a random moment of the run, over an older",
        "report set (`audit --output-dir`, seven formats) or an older snapshot (`collect -o`).",
        "",
        "| run | trials | old set kept | new set complete | mixed or half-written | exit codes |",
        "|---|---:|---:|---:|---:|---|",
        f"| audit --output-dir | {cut['audits']} | {cut['outcomes']['old']} | {cut['outcomes']['new']} | "
        f"{cut['outcomes']['mixed'] + cut['outcomes']['broken']} | {_codes(cut['codes'])} |",
        f"| collect -o | {cut['collects']} | {cut['collect_outcomes']['old']} | "
        f"{cut['collect_outcomes']['new']} | {cut['collect_outcomes']['broken']} | "
        f"{_codes(cut['collect_codes'])} |",
        "",
        f"Temporary files or backups left behind: **{cut['debris']}** (target 0). Mixed or half-written "
        f"sets: **{cut_sets}** "
        "(target 0). Exit 130 is SIGINT, 143 SIGTERM, 0 a run that had finished before the signal. Any",
        "other code is a signal that came while the Python interpreter was still starting, before the",
        "auditor was loaded (the interpreter exits 1 or is killed by the signal: -2, -15); nothing had",
        "been written.",
        "",
        f"**Two audits into one folder.** {pairs['pairs']} pairs of audits of different estates started at "
        "once into one folder: each writes its set under a lock on the folder, so the folder ends with",
        f"one complete set. Mixed sets: **{pairs['outcomes']['mixed'] + pairs['outcomes']['broken']}**, "
        f"debris: **{pairs['outcomes']['debris']}** (target 0).",
        "",
        END,
    ]
    return "\n".join(lines) + "\n"


def _counts(counts: Counter[Any]) -> str:
    return ", ".join(f"{key} {n}" for key, n in sorted(counts.items(), key=lambda kv: str(kv[0])))


def _codes(codes: Counter[int]) -> str:
    return ", ".join(f"{code}: {n}" for code, n in sorted(codes.items()))


def write_section(path: Path, text: str) -> None:
    """Replace this script's section of `path` (heading and markers), or append it; keep the rest."""
    old = path.read_text(encoding="utf-8") if path.exists() else "# Reliability\n"
    if BEGIN in old and END in old:
        before = old[: old.index(BEGIN)].rstrip()
        before = before.removesuffix(HEADING).rstrip()
        after = old[old.index(END) + len(END) :].lstrip("\n")
        new = f"{before}\n\n{text}" + (f"\n{after}" if after.strip() else "")
    else:
        new = old.rstrip() + "\n\n" + text
    path.write_text(new, encoding="utf-8")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20, help="interrupted audits (default 20)")
    parser.add_argument("--pairs", type=int, default=10, help="pairs of concurrent audits (default 10)")
    parser.add_argument("--seed", type=int, default=13, help="random seed of the interruption moments")
    parser.add_argument("--write", type=Path, help="replace the section in this Markdown file")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="secrets-bench-") as tmp:
        work = Path(tmp)
        (work / "planted").mkdir()
        secrets = planted_secrets(work / "planted")
        print(
            f"planted: {secrets['planted']} secrets, {secrets['received']} reached the collector, "
            f"{secrets['texts']} outputs searched, {len(secrets['leaks'])} leaks"
        )
        for leak in secrets["leaks"]:
            print(f"  leak: {leak}")
        (work / "ro").mkdir()
        ro = read_only(work / "ro")
        print(f"read-only: {ro['requests']} requests, {len(ro['violations'])} forbidden")
        for violation in ro["violations"][:20]:
            print(f"  forbidden: {violation}")
        (work / "cut").mkdir()
        cut = interrupted(work / "cut", args.trials, rng)
        print(
            f"interrupted: audits {dict(cut['outcomes'])} codes {dict(cut['codes'])}; collects "
            f"{dict(cut['collect_outcomes'])} codes {dict(cut['collect_codes'])}; debris {cut['debris']}"
        )
        (work / "pairs").mkdir()
        pairs = concurrent(work / "pairs", args.pairs)
        print(f"concurrent: {dict(pairs['outcomes'])}")
    text = section(secrets, ro, cut, pairs)
    if args.write:
        write_section(args.write, text)
        print(f"wrote the section to {args.write}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
