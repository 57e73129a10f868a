"""Command line: wires sources (Azure or a snapshot), the rule engine and the reports."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from auditor import __version__
from auditor.errors import (
    EXIT_AZURE,
    EXIT_GATE_FAILED,
    EXIT_INTERNAL,
    EXIT_INTERRUPTED,
    AuditorError,
    InputError,
    first_line,
)

if TYPE_CHECKING:
    from auditor.engine.gate import GatePolicy
    from auditor.options import ProjectConfig

ARM_ENDPOINT_ENV = "AUDITOR_ARM_ENDPOINT"
AUTHORITY_HOST_ENV = "AUDITOR_AUTHORITY_HOST"


def _fail(message: str, code: int) -> NoReturn:
    click.echo(f"auditor: error: {message}", err=True)
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
        metavar="ID",
        help="Subscription to read (repeatable).",
    )(fn)
    return fn


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="auditor")
@click.option("--debug", is_flag=True, help="Show tracebacks on errors.")
@click.pass_context
def cli(ctx: click.Context, debug: bool) -> None:
    """Audit Azure estates against the baseline OpenAI end-to-end chat reference architecture."""
    ctx.obj = {"debug": debug}


@cli.command()
@source_options
@click.option(
    "--output", "-o", required=True, type=click.Path(dir_okay=False), help="Snapshot file to write."
)
def collect(
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    arm_endpoint: str | None,
    authority_host: str | None,
    output: str,
) -> None:
    """Read the estate from Azure (read-only) and save it as a snapshot."""
    from auditor.arm.snapshot import save_snapshot

    snapshot = _collect(subscriptions, all_subscriptions, arm_endpoint, authority_host)
    save_snapshot(snapshot, output)
    click.echo(
        f"wrote {output}: {len(snapshot.resources)} resources, {len(snapshot.errors)} read errors", err=True
    )


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


def _policy(
    config: ProjectConfig, min_score: str | None, fail_on: str | None, min_coverage: str | None
) -> GatePolicy:
    from auditor.engine.gate import GatePolicy, parse_coverage, parse_min_score, parse_severity

    return GatePolicy(
        min_score=config.min_score if min_score is None else parse_min_score(min_score),
        fail_on=config.fail_on if fail_on is None else parse_severity(fail_on),
        min_coverage=config.min_coverage if min_coverage is None else parse_coverage(min_coverage),
    )


@cli.command()
@source_options
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), help="Audit a saved snapshot.")
@click.option("--baseline", "baseline_ref", metavar="NAME|PATH", help="Baseline name or YAML file.")
@click.option(
    "--format",
    "formats",
    multiple=True,
    metavar="FORMAT",
    help="Report format (repeatable with --output-dir): console, json, sarif, junit, html, markdown, csv.",
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the (single) report here.")
@click.option("--output-dir", type=click.Path(file_okay=False), help="Write one report per format here.")
@click.option(
    "--resource-group",
    "resource_groups",
    multiple=True,
    metavar="NAME",
    help="Audit only these resource groups (repeatable); subscription-wide role assignments still count.",
)
@click.option("--explain-roles", is_flag=True, help="Print the role inferred for each resource (on stderr).")
@click.option("--show-passed", is_flag=True, help="List passing findings in the console report too.")
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
    from auditor.arm.snapshot import load_snapshot
    from auditor.engine.baseline import load_baseline
    from auditor.engine.gate import evaluate_result
    from auditor.engine.run import run_audit
    from auditor.engine.waivers import load_waivers
    from auditor.options import find_config
    from auditor.reports import writer
    from auditor.reports.json_report import load_report

    config = find_config(config_path)
    if output is None and output_dir is None and len(set(formats)) != 1:
        # One --format on the command line goes to stdout; several (or the project's) to the folder.
        output_dir = config.output_dir
    if not formats and output and not config.formats:
        # `-o report.json` means the JSON report, not console text in a .json file.
        from auditor.reports import format_for_path

        inferred = format_for_path(output)
        formats = (inferred,) if inferred else formats
    chosen = list(dict.fromkeys(formats or config.formats)) or ["console"]
    writer.check_formats(chosen, output, output_dir)
    policy = _policy(config, min_score, fail_on, min_coverage)
    sources = sum(bool(x) for x in (snapshot_path, subscriptions, all_subscriptions))
    if sources != 1:
        raise InputError("give exactly one of --snapshot FILE, --subscription ID..., --all-subscriptions")
    baseline = load_baseline(baseline_ref or config.baseline)
    waivers_file = waivers_path or config.waivers
    waivers = load_waivers(waivers_file) if waivers_file else None
    previous = load_report(compare_path, "previous report") if compare_path else None
    if snapshot_path:
        if output and Path(output).resolve() == Path(snapshot_path).resolve():
            raise InputError(f"--output {output} would overwrite the snapshot being audited")
        snapshot = load_snapshot(snapshot_path)
        source = f"snapshot {snapshot_path}"
    else:
        snapshot = _collect(subscriptions, all_subscriptions, arm_endpoint, authority_host)
        source = "azure"
    if resource_groups:
        from auditor.arm.scope import restrict

        snapshot = restrict(snapshot, resource_groups)
    result = run_audit(snapshot, baseline, source, waivers=waivers)
    result.previous = previous
    if previous is not None:
        before = (previous.get("baseline") or {}).get("name")
        if before and before != baseline.name:
            click.echo(
                f"auditor: warning: --compare report used baseline {before}, this audit {baseline.name}: "
                "the delta compares different rule sets",
                err=True,
            )
    if policy.active:
        result.gate = evaluate_result(policy, result)
    if explain_roles:
        # On stderr, so that `--format json --explain-roles | jq` still reads a JSON document.
        for item in result.roles.to_list():
            click.echo(f"{item['role']:<26} {item['resource_id']}  ({item['reason']})", err=True)
    writer.emit(result, chosen, output, output_dir, show_passed=show_passed)
    if result.gate is not None and not result.gate.passed:
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
    from auditor.engine.gate import evaluate_report
    from auditor.options import find_config
    from auditor.reports.console import short_id
    from auditor.reports.json_report import load_report

    config = find_config(config_path)
    policy = _policy(config, min_score, fail_on, min_coverage)
    if not policy.active:
        raise InputError(
            "no gate condition: give --min-score, --fail-on or --fail-on-coverage-below"
            " (or set them in auditor.toml)"
        )
    report = load_report(report_path)
    outcome = evaluate_report(policy, report)
    click.echo(
        f"{report_path}: baseline {report['baseline']['name']}, score {float(report['score']):.1f}/100, "
        f"coverage {float(report['coverage']):.0%}"
    )
    for blocker in outcome.blockers[:50]:
        where = short_id(blocker.resource_id)
        click.echo(f"  {blocker.severity.value:<9}{blocker.rule_id} {where}: {blocker.message}")
    if len(outcome.blockers) > 50:
        click.echo(f"  ... and {len(outcome.blockers) - 50} more")
    click.echo(outcome.message)
    if not outcome.passed:
        sys.exit(EXIT_GATE_FAILED)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
def rules_cmd(fmt: str) -> None:
    """List every rule: id, control family, severity, title."""
    from auditor.engine import catalogue

    click.echo(catalogue.render_rules(fmt), nl=False)


@cli.command("baselines")
def baselines_cmd() -> None:
    """List the shipped baselines."""
    from auditor.engine.baseline import load_baseline, shipped_baselines

    for name in shipped_baselines():
        b = load_baseline(name)
        click.echo(f"{b.name:<28} {b.version:<8} {len(b.rules):>3} rules  {b.title}")


def _collect(
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    arm_endpoint: str | None,
    authority_host: str | None,
) -> Any:
    from auditor.collect.cloud import Cloud

    if bool(subscriptions) == bool(all_subscriptions):
        raise InputError("give --subscription ID (repeatable) or --all-subscriptions")
    cloud = Cloud.from_options(arm_endpoint, authority_host)
    from auditor.collect import collect_snapshot  # the Azure SDKs load only when needed
    from auditor.collect.progress import status_line

    with status_line() as progress:
        return collect_snapshot(cloud, list(subscriptions) or None, progress)


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        # Without standalone mode click returns ctx.exit()'s code instead of exiting.
        code = cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("aborted", EXIT_INTERRUPTED)
    except click.ClickException as exc:
        if debug:
            raise
        _fail(exc.format_message(), exc.exit_code)
    except AuditorError as exc:
        if debug:
            raise
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", EXIT_INTERRUPTED)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        if _looks_like_azure_failure(exc):
            _fail(f"could not reach Azure: {type(exc).__name__}: {first_line(str(exc))}", EXIT_AZURE)
        _fail(
            f"internal error: {type(exc).__name__}: {first_line(str(exc))} (run with --debug for details)",
            EXIT_INTERNAL,
        )
    sys.exit(code if isinstance(code, int) else 0)


def _looks_like_azure_failure(exc: Exception) -> bool:
    module = type(exc).__module__
    return module.startswith("azure.") or module.startswith("msal") or module.startswith("requests")


if __name__ == "__main__":  # pragma: no cover
    main()
