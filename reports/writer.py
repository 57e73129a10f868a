"""Deciding where each report goes, and writing them all or none."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from auditor.engine.run import AuditResult
from auditor.errors import InputError
from auditor.files import write_atomic

from . import extension, formats, render

REPORT_STEM = "auditor-report"


def check_formats(chosen: list[str], output: str | None, output_dir: str | None) -> None:
    unknown = [f for f in chosen if f not in formats()]
    if unknown:
        raise InputError(f"unknown format {unknown[0]!r} (known: {', '.join(formats())})")
    if output and output_dir:
        raise InputError("give --output or --output-dir, not both")
    if len(chosen) > 1 and not output_dir:
        raise InputError("several --format values need --output-dir")


def emit(
    result: AuditResult,
    chosen: list[str],
    output: str | None,
    output_dir: str | None,
    show_passed: bool = False,
) -> None:
    """Render every report first, then write: a failure leaves no half-written set."""
    color = sys.stdout.isatty()
    if output_dir:
        rendered = {fmt: _render(fmt, result, False, show_passed) for fmt in chosen if fmt != "console"}
        for fmt, text in rendered.items():
            write_atomic(Path(output_dir) / f"{REPORT_STEM}.{extension(fmt)}", text)
        if "console" in chosen:
            write_atomic(
                Path(output_dir) / f"{REPORT_STEM}.txt", _render("console", result, False, show_passed)
            )
        click.echo(_render("console", result, color, show_passed), nl=False)
        return
    fmt = chosen[0]
    if output:
        write_atomic(output, _render(fmt, result, False, show_passed))
        from .console import summary_line

        click.echo(f"wrote {output}: {summary_line(result)}", err=True)
    else:
        click.echo(_render(fmt, result, color and fmt == "console", show_passed), nl=False)
        if fmt == "console":
            return
    if result.gate is not None:
        # The console report (which ends with the verdict) did not go to the terminal: say it on stderr.
        click.echo(result.gate.message, err=True)


def _render(fmt: str, result: AuditResult, color: bool, show_passed: bool) -> str:
    if fmt == "console":
        from .console import render as render_console

        return render_console(result, color=color, show_passed=show_passed)
    return render(fmt, result, color=False)
