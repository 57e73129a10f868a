"""Deciding where each report goes, rendering them all, then writing them all.

Nothing is written until every report has rendered, so a renderer that fails leaves no
half-written set behind; `--output-dir` then writes the set as a whole (all files or none,
see `auditor.files.write_all`), owner-only, as reports hold tenant data. The writer prints
nothing: it returns what belongs on stdout and stderr, and the command line prints it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from auditor.errors import InputError
from auditor.files import write_all, write_atomic
from auditor.model import AuditReport

from . import PLAIN, Format, RenderOptions, formats, render
from .console import summary_line

REPORT_STEM = "auditor-report"


@dataclass(frozen=True)
class Emitted:
    """What the command line prints once the reports are written."""

    # printed as is (no newline added)
    stdout: str = ""
    # one line each, after stdout
    stderr: tuple[str, ...] = ()
    written: tuple[Path, ...] = ()


def check_formats(chosen: Sequence[str], output: str | None, output_dir: str | None) -> tuple[Format, ...]:
    """The chosen formats, checked against each other and against where the reports go."""
    unknown = [f for f in chosen if f not in formats()]
    if unknown:
        raise InputError(f"unknown format {unknown[0]!r} (known: {', '.join(formats())})")
    if output and output_dir:
        raise InputError("give --output or --output-dir, not both")
    if len(chosen) > 1 and not output_dir:
        raise InputError("several --format values need --output-dir")
    return tuple(Format(f) for f in chosen)


def emit(
    report: AuditReport,
    chosen: Sequence[Format],
    output: str | None,
    output_dir: str | None,
    options: RenderOptions = PLAIN,
    terminal: RenderOptions = PLAIN,
) -> Emitted:
    """Render every report, then write the files; return what goes to the terminal.

    `options` say what the reports show (passing findings, console detail, SARIF
    locations); `terminal` says how the console report on stdout looks (colour, width).
    Files are always plain text at the fixed width.
    """
    plain = replace(options, color=False, width=PLAIN.width)
    on_screen = replace(options, color=terminal.color, width=terminal.width)
    files: dict[Path, str] = {}
    if output_dir:
        # The console report's copy (.txt) comes last, as it always has.
        ordered: list[Format] = [f for f in chosen if f is not Format.CONSOLE]
        if Format.CONSOLE in chosen:
            ordered.append(Format.CONSOLE)
        for fmt in ordered:
            files[Path(output_dir) / f"{REPORT_STEM}.{fmt.extension}"] = render(fmt, report, plain)
        emitted = Emitted(stdout=render(Format.CONSOLE, report, on_screen))
    elif output:
        files[Path(output)] = render(chosen[0], report, plain)
        emitted = Emitted(stderr=(f"wrote {output}: {summary_line(report)}", *_verdict(report)))
    elif chosen[0] is Format.CONSOLE:
        emitted = Emitted(stdout=render(Format.CONSOLE, report, on_screen))
    else:
        emitted = Emitted(stdout=render(chosen[0], report, plain), stderr=_verdict(report))
    if output_dir:
        write_all(files, private=True)
    else:
        for path, text in files.items():
            write_atomic(path, text, private=True)
    return Emitted(stdout=emitted.stdout, stderr=emitted.stderr, written=tuple(files))


def _verdict(report: AuditReport) -> tuple[str, ...]:
    # The console report (which ends with the verdict) did not go to the terminal: say it on stderr.
    return () if report.gate is None else (report.gate.message,)
