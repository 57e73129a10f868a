"""Command line: click commands only. Flags become option objects (`auditor.options`), the use
cases in `auditor.app` run them, and errors become one line on stderr and an exit code."""

from __future__ import annotations

import os
import shutil
import sys
import traceback
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, NoReturn

import click

from auditor import __version__
from auditor.errors import (
    EXIT_AZURE,
    EXIT_GATE_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    AuditorError,
    first_line,
)

if TYPE_CHECKING:
    from auditor.options import SourceOptions
    from auditor.reports import RenderOptions

ARM_ENDPOINT_ENV = "AUDITOR_ARM_ENDPOINT"
AUTHORITY_HOST_ENV = "AUDITOR_AUTHORITY_HOST"


def _fail(message: str, code: int, traceback_of: BaseException | None = None) -> NoReturn:
    """One line on stderr and the exit code; with --debug the traceback first, the code unchanged."""
    if traceback_of is not None:
        # --debug adds detail and never changes the exit code a pipeline branches on.
        traceback.print_exception(traceback_of, file=sys.stderr)
    from auditor.reports.neutral import terminal

    # Messages quote file contents (resource ids, keys): no escape sequence of theirs reaches the terminal.
    click.echo(f"auditor: error: {terminal(message)}", err=True)
    sys.exit(code)


def source_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Options shared by every command that reads Azure."""
    fn = click.option(
        "--authority-host",
        envvar=[AUTHORITY_HOST_ENV, "AZURE_AUTHORITY_HOST"],
        help="Microsoft Entra authority (sovereign cloud, Azure Stack Hub); disables instance discovery.",
    )(fn)
    fn = click.option(
        "--arm-endpoint",
        envvar=ARM_ENDPOINT_ENV,
        help="Azure Resource Manager endpoint (default https://management.azure.com).",
    )(fn)
    fn = click.option(
        "--all-subscriptions", is_flag=True, help="Every subscription the credential can read."
    )(fn)
    fn = click.option(
        "--subscription",
        "subscriptions",
        multiple=True,
        metavar="ID|NAME",
        help="Subscription to read, by id or name (repeatable). Default: AZURE_SUBSCRIPTION_ID, "
        "else the Azure CLI's default subscription.",
    )(fn)
    return fn


def _resource_groups(verb: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """`--resource-group/-g NAME` (repeatable), as `collect` ("Read") and `audit` ("Audit") word it."""
    return click.option(
        "--resource-group",
        "-g",
        "resource_groups",
        multiple=True,
        metavar="NAME",
        help=f"{verb} only these resource groups (repeatable); "
        "subscription-wide role assignments still count.",
    )


@click.group(context_settings={"help_option_names": ["-h", "--help"]}, invoke_without_command=True)
@click.version_option(__version__, prog_name="auditor")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Audit Azure estates against the baseline OpenAI end-to-end chat reference architecture."""
    ctx.obj = {"debug": debug}
    if ctx.invoked_subcommand is None:
        # Bare `auditor` is a request for help, not a mistake.
        click.echo(ctx.get_help())
        ctx.exit(0)


@cli.command()
@source_options
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False), help="Snapshot file to write."
)
@_resource_groups("Read")
def collect(
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    arm_endpoint: str | None,
    authority_host: str | None,
    output: str,
    resource_groups: tuple[str, ...],
) -> None:
    """Read the estate from Azure (read-only) and save it as a snapshot."""
    from dataclasses import replace

    from auditor import app
    from auditor.options import collect_options
    from auditor.reports.console import counted

    source = _source(subscriptions, all_subscriptions, arm_endpoint, authority_host)
    options = collect_options(replace(source, resource_groups=resource_groups), output)
    _say_note(options.source)
    snapshot = app.collect(options)
    resources, errors = (
        counted(len(snapshot.resources), "resource"),
        counted(len(snapshot.errors), "read error"),
    )
    click.echo(f"wrote {output}: {resources}, {errors}", err=True)


def gate_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Gate conditions shared by `audit` and `gate`; each overrides the project file."""
    fn = click.option(
        "--config",
        "config_path",
        type=click.Path(dir_okay=False),
        help="Project file (default: ./auditor.toml, else [tool.auditor] in ./pyproject.toml).",
    )(fn)
    fn = click.option(
        "--fail-on-coverage-below",
        "min_coverage",
        metavar="F",
        help="Fail (exit 1) when the share of checks that could be assessed is below F (0.9 or 90%).",
    )(fn)
    fn = click.option(
        "--fail-on",
        "fail_on",
        metavar="SEVERITY",
        help="Fail (exit 1) on a failing finding of a required rule at or above SEVERITY "
        "(critical|high|medium|low; none switches it off). "
        "Recommended, waived and not-assessed findings never count.",
    )(fn)
    fn = click.option(
        "--min-score",
        "min_score",
        metavar="N",
        help="Fail (exit 1) when the overall score is below N (0-100).",
    )(fn)
    return fn


@cli.command()
@source_options
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), help="Audit a saved snapshot.")
@click.option("--baseline", "baseline_ref", metavar="NAME|PATH", help="Baseline name or YAML file.")
@click.option(
    "--format",
    "-f",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help="Report format (repeatable with --output-dir): console, json, sarif, junit, html, markdown, csv. "
    "One format without --output goes to stdout.",
)
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False),
    metavar="FILE",
    help="Write the (single) report to FILE; without --format its extension names the format "
    "(report.json, report.sarif, report.xml, ...). Not a format name: that is -f/--format.",
)
@click.option("--output-dir", type=click.Path(file_okay=False), help="Write one report per format here.")
@_resource_groups("Audit")
@click.option("--explain-roles", is_flag=True, help="Print the role inferred for each resource (on stderr).")
@click.option("--show-passed", is_flag=True, help="List passing findings in the console report too.")
@click.option(
    "--quiet",
    "-q",
    is_flag=True,
    help="Console report: only the failing findings (required and recommended) and rule errors, one line "
    "each without fix text, then the summary line and the gate verdict.",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Console report: also the rationale (why:) of each failing and waived finding, the rationale and "
    "fix of each not-assessed finding, and every read error (not only the first 20).",
)
@click.option("--no-color", is_flag=True, help="No colour, even on a terminal (so does NO_COLOR=1).")
@click.option(
    "--sarif-location",
    metavar="PATH",
    help="SARIF: point every result at PATH, a file of your repository relative to the working folder "
    "(at the rule's line if PATH is the --baseline file, else line 1). Default: the --baseline file "
    "when it is your own, else no file (only the resource id).",
)
@click.option(
    "--sarif-include-waived",
    is_flag=True,
    help="SARIF: keep waived findings, as suppressed results (GitHub code scanning shows them as open).",
)
@click.option(
    "--waivers",
    "waivers_path",
    type=click.Path(dir_okay=False),
    help="YAML file of accepted deviations (waivers).",
)
@click.option(
    "--compare",
    "compare_path",
    type=click.Path(dir_okay=False),
    help="A previous JSON report: the Markdown summary shows the change since then.",
)
@gate_options
def audit(
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    arm_endpoint: str | None,
    authority_host: str | None,
    snapshot_path: str | None,
    baseline_ref: str | None,
    formats: tuple[str, ...],
    output: str | None,
    output_dir: str | None,
    resource_groups: tuple[str, ...],
    explain_roles: bool,
    show_passed: bool,
    quiet: bool,
    verbose: bool,
    no_color: bool,
    sarif_location: str | None,
    sarif_include_waived: bool,
    waivers_path: str | None,
    compare_path: str | None,
    min_score: str | None,
    fail_on: str | None,
    min_coverage: str | None,
    config_path: str | None,
) -> None:
    """Audit a subscription (live) or a snapshot against a baseline.

    With a gate condition (--min-score, --fail-on, --fail-on-coverage-below, or the
    project file), exit 1 when it fails, after every report is written; the last line
    of the console report says which condition failed.
    """
    from auditor import app
    from auditor.options import audit_options

    options = audit_options(
        config_path=config_path,
        source=_source(subscriptions, all_subscriptions, arm_endpoint, authority_host, snapshot_path),
        baseline=baseline_ref,
        formats=formats,
        output=output,
        output_dir=output_dir,
        resource_groups=resource_groups,
        explain_roles=explain_roles,
        show_passed=show_passed,
        quiet=quiet,
        verbose=verbose,
        sarif_location=sarif_location,
        sarif_include_waived=sarif_include_waived,
        waivers=waivers_path,
        compare=compare_path,
        min_score=min_score,
        fail_on=fail_on,
        min_coverage=min_coverage,
    )
    _say_note(options.source)
    report = app.audit(options)
    from auditor.reports.neutral import terminal

    warning = app.compare_warning(report)
    if warning:
        click.echo(terminal(warning), err=True)
    if options.explain_roles:
        # On stderr, so that `--format json --explain-roles | jq` still reads a JSON document.
        for item in report.roles:
            click.echo(terminal(f"{item.role:<26} {item.resource_id}  ({item.reason})"), err=True)
    emitted = app.write_reports(report, options.output, _terminal(no_color))
    if emitted.stdout:
        click.echo(emitted.stdout, nl=False)
    for line in emitted.stderr:
        click.echo(line, err=True)
    if report.gate is not None and not report.gate.passed:
        sys.exit(EXIT_GATE_FAILED)


@cli.command("gate")
@click.argument("report_path", metavar="REPORT.json", type=click.Path(dir_okay=False))
@gate_options
def gate_cmd(
    report_path: str,
    min_score: str | None,
    fail_on: str | None,
    min_coverage: str | None,
    config_path: str | None,
) -> None:
    """Apply the gate to a saved JSON report: exit 0 if it passes, 1 if it fails.

    The report is checked against the JSON report schema first (invalid: exit 2).
    Only failing findings of required rules count for --fail-on.
    """
    from auditor import app
    from auditor.options import gate_options
    from auditor.reports.console import short_id
    from auditor.reports.neutral import terminal

    options = gate_options(
        config_path=config_path,
        report=report_path,
        min_score=min_score,
        fail_on=fail_on,
        min_coverage=min_coverage,
    )
    saved = app.gate(options)
    report, outcome = saved.report, saved.outcome
    click.echo(
        f"{report_path}: baseline {report['baseline']['name']}, score {float(report['score']):.1f}/100, "
        f"coverage {float(report['coverage']):.0%}"
    )
    for blocker in outcome.blockers[:50]:
        where = short_id(blocker.resource_id)
        click.echo(terminal(f"  {blocker.severity.value:<9}{blocker.rule_id} {where}: {blocker.message}"))
    if len(outcome.blockers) > 50:
        click.echo(f"  ... and {len(outcome.blockers) - 50} more")
    click.echo(outcome.message)
    if not outcome.passed:
        sys.exit(EXIT_GATE_FAILED)


@cli.command("rules")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
def rules_cmd(fmt: str) -> None:
    """List every rule: id, control family, severity, title."""
    from auditor import app

    click.echo(app.rules(fmt), nl=False)


@cli.command("baselines")
def baselines_cmd() -> None:
    """List the shipped baselines."""
    from auditor import app

    for line in app.baselines():
        click.echo(line)


def _source(
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    arm_endpoint: str | None,
    authority_host: str | None,
    snapshot: str | None = None,
) -> SourceOptions:
    from auditor.options import SourceOptions

    return SourceOptions(
        snapshot=snapshot,
        subscriptions=subscriptions,
        all_subscriptions=all_subscriptions,
        arm_endpoint=arm_endpoint,
        authority_host=authority_host,
    )


def _say_note(source: SourceOptions) -> None:
    """Say on stderr where the subscription came from when no flag named it."""
    if source.note:
        click.echo(f"auditor: {source.note}", err=True)


def _terminal(no_color: bool) -> RenderOptions:
    """How the console report looks on stdout: on a terminal at its width, in colour unless asked not to."""
    from auditor.options import terminal_options

    columns = shutil.get_terminal_size((120, 24)).columns
    return terminal_options(sys.stdout.isatty(), os.environ.get("NO_COLOR"), no_color, columns)


def main() -> None:
    """The `auditor` entry point: run the command, turn every error into its exit code."""
    debug = "--debug" in sys.argv[1:]
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting.
        code = cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("aborted", EXIT_INTERRUPTED)
    except click.ClickException as exc:
        _fail(exc.format_message(), exc.exit_code, exc if debug else None)
    except AuditorError as exc:
        _fail(str(exc), exc.exit_code, exc if debug else None)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        shown = exc if debug else None
        if _looks_like_azure_failure(exc):
            _fail(f"could not reach Azure: {type(exc).__name__}: {first_line(str(exc))}", EXIT_AZURE, shown)
        _fail(
            f"internal error: {type(exc).__name__}: {first_line(str(exc))} (run with --debug for details)",
            EXIT_INTERNAL,
            shown,
        )
    sys.exit(code if isinstance(code, int) else 0)


def _looks_like_azure_failure(exc: Exception) -> bool:
    module = type(exc).__module__
    return module.startswith("azure.") or module.startswith("msal") or module.startswith("requests")


if __name__ == "__main__":  # pragma: no cover
    main()
