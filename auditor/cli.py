"""Command line: click commands only. Flags become option objects (`auditor.options`), the use
cases in `auditor.app` run them, and errors become one line on stderr and an exit code."""

from __future__ import annotations

import contextlib
import functools
import os
import shutil
import signal
import sys
import threading
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
    Interrupted,
    first_line,
)

if TYPE_CHECKING:
    from auditor.options import ExportFlags, SourceOptions, Timeouts
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


def timeout_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--timeout`, `--connect-timeout`, `--read-timeout`, `--max-retry-after`, handed on as `timeouts`."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any,
        timeout: str | None,
        connect_timeout: str | None,
        read_timeout: str | None,
        max_retry_after: str | None,
        **kwargs: Any,
    ) -> Any:
        from auditor.options import timeouts_from_flags

        limits = timeouts_from_flags(timeout, connect_timeout, read_timeout, max_retry_after)
        return fn(*args, timeouts=limits, **kwargs)

    flags = (
        (
            "--timeout",
            "Reading Azure: stop after SECONDS and audit what was read, marked partial "
            "(default 1800; 0: no limit).",
        ),
        ("--connect-timeout", "Reading Azure: seconds to wait for a connection (default 10)."),
        ("--read-timeout", "Reading Azure: seconds to wait for an answer (default 60)."),
        (
            "--max-retry-after",
            "Reading Azure: the longest Retry-After of a 429 to wait out; a longer "
            "one records the read as throttled (default 60).",
        ),
    )
    for flag, text in reversed(flags):
        wrapper = click.option(flag, metavar="SECONDS", help=text)(wrapper)
    return wrapper


def tenant_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """`--management-group`, `--shard`, `--no-resource-graph`, handed on as `tenant` (SourceOptions)."""

    @functools.wraps(fn)
    def wrapper(
        *args: Any, management_group: str | None, shard: str | None, no_resource_graph: bool, **kwargs: Any
    ) -> Any:
        from auditor.collect.scope import parse_shard

        tenant = {
            "management_group": management_group or None,
            "shard": parse_shard(shard) if shard else None,
            "resource_graph": not no_resource_graph,
        }
        return fn(*args, tenant=tenant, **kwargs)

    wrapper = click.option(
        "--no-resource-graph",
        is_flag=True,
        help="Reading Azure: list each resource type with ARM instead of querying Azure Resource Graph.",
    )(wrapper)
    wrapper = click.option(
        "--shard",
        metavar="I/N",
        help="Reading Azure: only the subscriptions of shard I of N (0 <= I < N), by a stable hash of "
        "their ids; for runs split over N runners (see README).",
    )(wrapper)
    return click.option(
        "--management-group",
        metavar="ID",
        help="Every subscription below this management group, at any depth.",
    )(wrapper)


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
@timeout_options
@tenant_options
def collect(
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    arm_endpoint: str | None,
    authority_host: str | None,
    output: str,
    resource_groups: tuple[str, ...],
    timeouts: Timeouts,
    tenant: dict[str, Any],
) -> None:
    """Read the estate from Azure (read-only) and save it as a snapshot."""
    from dataclasses import replace

    from auditor import app
    from auditor.options import collect_options
    from auditor.reports.console import counted

    source = _source(subscriptions, all_subscriptions, arm_endpoint, authority_host)
    options = collect_options(
        replace(source, resource_groups=resource_groups, timeouts=timeouts, **tenant), output
    )
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


def log_analytics_options(fn: Callable[..., Any]) -> Callable[..., Any]:
    """Where `export log-analytics` and `audit --export log-analytics` send the rows."""
    fn = click.option(
        "--findings-stream",
        metavar="STREAM",
        help="Stream of the finding rows, as the rule declares it (default Custom-AuditorFindings_CL).",
    )(fn)
    fn = click.option(
        "--runs-stream",
        metavar="STREAM",
        help="Stream of the run rows, as the rule declares it (default Custom-AuditorRuns_CL).",
    )(fn)
    fn = click.option(
        "--rule-id", metavar="DCR_IMMUTABLE_ID", help="Immutable id (dcr-...) of the data collection rule."
    )(fn)
    fn = click.option(
        "--endpoint",
        metavar="DCE_URL",
        help="Logs ingestion URL of the data collection endpoint (https://NAME.REGION.ingest.monitor.azure.com).",
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
@click.option(
    "--explain-roles",
    is_flag=True,
    help="Print the workload each resource was placed in (or why it is out of scope) and the role "
    "inferred for it (on stderr).",
)
@click.option(
    "--workload",
    "workload_names",
    multiple=True,
    metavar="NAME",
    help="Judge only this workload (repeatable); names as the report lists them.",
)
@click.option(
    "--workloads",
    "workloads_file",
    metavar="FILE",
    help="A YAML file defining the workloads (per workload: name, resource ids and/or tags) "
    "instead of discovering them.",
)
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
@click.option(
    "--export",
    "export_to",
    metavar="DESTINATION",
    help="After the reports are written, send the run and its findings on: log-analytics "
    "(with --endpoint and --rule-id). A failed export exits 5; the reports stay written.",
)
@log_analytics_options
@timeout_options
@tenant_options
@click.option(
    "--history",
    "history",
    is_flag=False,
    flag_value="default",
    metavar="[URL]",
    help="Record the run in a history database: sqlite:///FILE, postgresql+psycopg://..., "
    "or alone for a SQLite file in the user's data directory.",
)
@click.option(
    "--history-label",
    metavar="NAME",
    help="The series the run belongs to in the history (default: default); runs of one label and "
    "baseline are compared, and a subscription they skip is carried forward.",
)
@click.option(
    "--fail-on-new",
    "fail_on_new",
    metavar="SEVERITY",
    help="Fail (exit 1) when a failing finding at or above SEVERITY is new or regressed since the "
    "previous run of the same series in --history.",
)
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
    workload_names: tuple[str, ...],
    workloads_file: str | None,
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
    export_to: str | None,
    endpoint: str | None,
    rule_id: str | None,
    runs_stream: str | None,
    findings_stream: str | None,
    timeouts: Timeouts,
    history: str | None,
    history_label: str | None,
    fail_on_new: str | None,
    tenant: dict[str, Any],
) -> None:
    """Audit a subscription (live) or a snapshot against a baseline.

    With a gate condition (--min-score, --fail-on, --fail-on-coverage-below, or the
    project file), exit 1 when it fails, after every report is written; the last line
    of the console report says which condition failed.
    """
    from dataclasses import replace

    from auditor import app
    from auditor.options import audit_options, history_options

    recording = history_options(history, fail_on_new, history_label)
    options = audit_options(
        config_path=config_path,
        source=replace(
            _source(subscriptions, all_subscriptions, arm_endpoint, authority_host, snapshot_path),
            timeouts=timeouts,
            **tenant,
        ),
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
        export=_export_flags(endpoint, rule_id, runs_stream, findings_stream, export_to),
        workloads=workload_names,
        workloads_file=workloads_file,
    )
    _say_note(options.source)
    report = app.audit(options, digest=recording is not None)
    from auditor.reports.neutral import terminal

    warning = app.compare_warning(report)
    if warning:
        click.echo(terminal(warning), err=True)
    from auditor.reports import Format

    out = options.output
    # The console report on stdout says it in its header already: once is enough.
    in_header = out.formats == (Format.CONSOLE,) and not (out.output or out.output_dir or out.render.quiet)
    for line in [] if in_header else app.workload_notes(report):
        click.echo(terminal(f"auditor: {line}"), err=True)
    if options.explain_roles:
        from auditor.engine.workloads import explain_lines

        # On stderr, so that `--format json --explain-roles | jq` still reads a JSON document.
        for line in explain_lines(report):
            click.echo(terminal(line), err=True)
    emitted = app.write_reports(report, options.output, _terminal(no_color))
    if emitted.stdout:
        click.echo(emitted.stdout, nl=False)
    for line in emitted.stderr:
        click.echo(line, err=True)
    failed = report.gate is not None and not report.gate.passed
    if recording is not None:
        # Before the export: a failed export (exit 5) must not cost the night its history record.
        failed = _record(report, recording) or failed
    if options.export is not None:
        # After the reports are written: a failed export costs no report (exit 5, see errors.py).
        sent = app.export_audit(report, options.export, options.source.authority_host)
        click.echo(f"auditor: {sent.summary()}", err=True)
    if failed:
        sys.exit(EXIT_GATE_FAILED)


def _record(report: Any, recording: Any) -> bool:
    """Record the run; say what changed on stderr; True when `--fail-on-new` trips."""
    from auditor import app
    from auditor.reports.console import short_id
    from auditor.reports.neutral import terminal

    recorded = app.record_history(report, recording)
    states = recorded.states
    carried = f", {len(recorded.carried)} subscription(s) carried forward" if recorded.carried else ""
    click.echo(
        f"auditor: recorded run {recorded.run_id} ({terminal(recorded.label)}): {states.get('new', 0)} new, "
        f"{states.get('regressed', 0)} regressed, {states.get('resolved', 0)} resolved, "
        f"{states.get('disappeared', 0)} disappeared{carried}",
        err=True,
    )
    if recording.fail_on_new is None:
        return False
    if recorded.previous_id is None:
        # "New since the previous run" needs a previous run: the first night sets the baseline.
        click.echo("first run of this series for these subscriptions: nothing to compare with", err=True)
        return False
    hits = recorded.worst_changes(recording.fail_on_new)
    for change in hits[:50]:
        where = terminal(short_id(change.resource_id))
        click.echo(f"  {change.state.value:<10}{change.severity.value:<9}{change.rule_id} {where}", err=True)
    if hits:
        click.echo(
            f"gate FAILED: {len(hits)} finding(s) at or above {recording.fail_on_new.value} new or regressed "
            "since the previous run",
            err=True,
        )
        return True
    click.echo(f"no new or regressed finding at or above {recording.fail_on_new.value}", err=True)
    return False


def _history_option(fn: Callable[..., Any]) -> Callable[..., Any]:
    return click.option(
        "--history",
        "history",
        is_flag=False,
        flag_value="default",
        metavar="[URL]",
        help="The history database (sqlite:///FILE or postgresql+psycopg://...); "
        "alone: the default SQLite file.",
    )(fn)


def _emit(text: str, output: str | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from auditor.files import write_atomic

    write_atomic(output, text, private=True)  # runs, scores and resource ids: tenant data
    click.echo(f"wrote {output}", err=True)


@cli.command("diff")
@click.argument("old", required=False, metavar="[OLD")
@click.argument("new", required=False, metavar="NEW]")
@_history_option
@click.option("--format", "-f", "fmt", type=click.Choice(["console", "json", "markdown"]), default="console")
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE", help="Write to FILE.")
def diff_cmd(old: str | None, new: str | None, history: str | None, fmt: str, output: str | None) -> None:
    """What changed between two audits: new, resolved, regressed, persisting and disappeared findings.

    OLD and NEW are saved JSON reports, or run ids of --history; without them, the last
    two runs of the same series (label and baseline) in --history.
    """
    from auditor import app
    from auditor.history import diff as diffs
    from auditor.options import diff_options

    doc = app.diff(diff_options(old, new, history, fmt, output))
    render = {"console": diffs.render_console, "json": diffs.render_json, "markdown": diffs.render_markdown}
    _emit(render[fmt](doc), output)


@cli.group("history", invoke_without_command=True)
@_history_option
@click.option(
    "--scope", "scopes", multiple=True, metavar="NAME", help="Only runs of this label or subscription."
)
@click.option("--since", metavar="DATE", help="Only runs started on or after DATE (YYYY-MM-DD).")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "html"]), default="table")
@click.option("--output", "-o", type=click.Path(dir_okay=False), metavar="FILE", help="Write to FILE.")
@click.option("--no-color", is_flag=True, help="No colour in the table.")
@click.pass_context
def history_cmd(
    ctx: click.Context,
    history: str | None,
    scopes: tuple[str, ...],
    since: str | None,
    fmt: str,
    output: str | None,
    no_color: bool,
) -> None:
    """Recorded runs with score, coverage and counts, and the trend (a table, JSON or an HTML page)."""
    if ctx.invoked_subcommand is not None:
        # `auditor history --history URL prune ...` names the database for the subcommand.
        ctx.obj["history"] = history
        return
    import json

    from auditor import app
    from auditor.history import page
    from auditor.options import trend_options

    doc = app.history(trend_options(history, scopes, since, fmt, output))
    if fmt == "json":
        text = json.dumps(doc, indent=2) + "\n"
    elif fmt == "html":
        text = page.render_html(doc)
    else:
        terminal = _terminal(no_color or output is not None)
        text = page.render_table(doc, width=terminal.width, color=terminal.color)
    _emit(text, output)


@history_cmd.command("prune")
@_history_option
@click.option(
    "--keep-days", type=click.IntRange(min=0), required=True, metavar="N", help="Keep N days of runs."
)
@click.pass_context
def prune_cmd(ctx: click.Context, history: str | None, keep_days: int) -> None:
    """Delete runs older than N days; the latest run of each series and subscription is always kept."""
    from auditor import app

    removed = app.prune_history(history or ctx.obj.get("history") or "default", keep_days)
    click.echo(f"pruned {removed} run(s) older than {keep_days} days")


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


@cli.command("merge")
@click.argument("inputs", metavar="FILE...", nargs=-1, required=True, type=click.Path(dir_okay=False))
@click.option(
    "--output", "-o", "output", required=True, metavar="PATH", help="Where to write the merged file."
)
@click.option(
    "--baseline",
    "baseline_ref",
    metavar="NAME|PATH",
    help="For reports: the baseline whose weights score the merged findings (default: the one they name).",
)
def merge_cmd(inputs: tuple[str, ...], output: str, baseline_ref: str | None) -> None:
    """Merge the snapshots, or the JSON reports, of shards (`--shard I/N`) into one file.

    Snapshots: the union of resources, failed reads, collected types and subscriptions. Reports:
    every finding, scored again as one audit. Shards that hold one subscription with different
    content, or files of different kinds, are refused (exit 8); the output is written atomically.
    """
    from auditor import app

    kind = app.merge(list(inputs), output, baseline_ref)
    click.echo(f"auditor: merged {len(inputs)} {kind} into {output}", err=True)


@cli.group("export", invoke_without_command=True)
@click.pass_context
def export_group(ctx: click.Context) -> None:
    """Send a saved JSON report to where Azure teams look (Log Analytics)."""
    if ctx.invoked_subcommand is None:
        # As bare `auditor`: a request for help, not a mistake.
        click.echo(ctx.get_help())
        ctx.exit(0)


@export_group.command("log-analytics")
@click.argument("report_path", metavar="REPORT.json", type=click.Path(dir_okay=False))
@log_analytics_options
@click.option(
    "--authority-host",
    envvar=[AUTHORITY_HOST_ENV, "AZURE_AUTHORITY_HOST"],
    help="Microsoft Entra authority to sign in with; disables instance discovery. "
    "The rows go to the public cloud's Logs Ingestion API.",
)
def export_log_analytics(
    report_path: str,
    endpoint: str | None,
    rule_id: str | None,
    runs_stream: str | None,
    findings_stream: str | None,
    authority_host: str | None,
) -> None:
    """Send a report's run and findings to Log Analytics through the Logs Ingestion API.

    One row per run and one per finding, to the two streams of the data collection rule
    (examples/log-analytics has the tables and the rule as Bicep). The sign-in is the one
    `audit` uses (DefaultAzureCredential); the identity needs Monitoring Metrics Publisher
    on the rule. Exit 5 when rows were not accepted, with how many on stderr.
    """
    from auditor import app
    from auditor.options import export_options

    flags = _export_flags(endpoint, rule_id, runs_stream, findings_stream)
    sent = app.export(export_options(report_path, flags, authority_host))
    click.echo(f"auditor: {sent.summary()}", err=True)


@cli.command("rules")
@click.option("--format", "-f", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
@click.option("--doc", "doc", metavar="ID", help="Print the page of one rule (docs/rules/ID.md).")
@click.option("--pages", "pages", metavar="DIR", help="Write every rule's page into DIR (docs/rules).")
def rules_cmd(fmt: str, doc: str | None, pages: str | None) -> None:
    """List every rule: id, control family, severity, status, title; or print one rule's page."""
    from auditor import app

    if pages:
        written = app.write_rule_pages(pages)
        click.echo(f"wrote {len(written)} rule pages to {pages}")
        return
    click.echo(app.rule_doc(doc) if doc else app.rules(fmt), nl=False)


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


def _export_flags(
    endpoint: str | None,
    rule_id: str | None,
    runs_stream: str | None,
    findings_stream: str | None,
    destination: str | None = None,
) -> ExportFlags:
    from auditor.options import ExportFlags

    return ExportFlags(destination, endpoint, rule_id, runs_stream, findings_stream)


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
    saved = _unwind_on_signals()
    try:
        _main()
    except Interrupted as exc:  # in the instants before _main's own handling starts
        _fail(_interrupted(exc.signum), exc.exit_code)
    finally:
        # The run is over: a signal from now on (while Python shuts down) exits at once, no traceback.
        _ENDING[0] = True
        if getattr(sys.modules.get("__main__"), "main", None) is not main:
            # Called in process (tests, other programs): they get their own handlers back.
            for sig, handler in saved.items():
                signal.signal(sig, handler if handler is not None else signal.SIG_DFL)
            _ENDING[0] = False


def _main() -> None:
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
    except Interrupted as exc:
        _fail(_interrupted(exc.signum), exc.exit_code, exc if debug else None)
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


# True once main() is on its way out.
_ENDING = [False]


def _unwind_on_signals() -> dict[int, Any]:
    """SIGINT and SIGTERM unwind the run like an error (temporary files removed), instead of killing it.

    Returns the handlers they had.
    """

    def unwind(signum: int, frame: object) -> None:
        if _ENDING[0]:
            # Everything is written; what is left is the interpreter's shutdown (joining threads,
            # closing connections), which must not turn into a traceback or a killed process.
            with contextlib.suppress(Exception):
                sys.stdout.flush()
                sys.stderr.flush()
            os._exit(128 + signum)
        raise Interrupted(signum)

    saved: dict[int, Any] = {}
    if threading.current_thread() is not threading.main_thread():
        return saved  # only the main thread may set handlers
    for sig in (signal.SIGINT, signal.SIGTERM):
        saved[sig] = signal.getsignal(sig)
        signal.signal(sig, unwind)
    return saved


def _interrupted(signum: int) -> str:
    """What an interrupted run says: the signal, and which files it had written in full."""
    from auditor.files import completed_writes

    name = signal.Signals(signum).name
    written = completed_writes()
    if written:
        return f"interrupted by {name} after writing {', '.join(str(p) for p in written)}"
    return f"interrupted by {name}: nothing written, files of the same name left as they were"


def _looks_like_azure_failure(exc: Exception) -> bool:
    module = type(exc).__module__
    return module.startswith("azure.") or module.startswith("msal") or module.startswith("requests")


if __name__ == "__main__":  # pragma: no cover
    main()
