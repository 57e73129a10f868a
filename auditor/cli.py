"""Command line: wires sources (Azure or a snapshot), the rule engine and the reports."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable

from typing import Any, NoReturn

import click

from auditor import __version__
from auditor.errors import EXIT_AZURE, AuditorError, InputError

ARM_ENDPOINT_ENV = "AUDITOR_ARM_ENDPOINT"
AUTHORITY_HOST_ENV = "AUDITOR_AUTHORITY_HOST"
EXIT_INTERNAL = 4


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
    fn = click.option("--all-subscriptions", is_flag=True, help="Every subscription the credential can read.")(fn)
    fn = click.option(
        "--subscription", "subscriptions", multiple=True, metavar="ID", help="Subscription to read (repeatable)."
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
@click.option("--output", "-o", required=True, type=click.Path(dir_okay=False), help="Snapshot file to write.")
def collect(
    subscriptions: tuple[str, ...],
    all_subscriptions: bool,
    arm_endpoint: str | None,
    authority_host: str | None,
    output: str,
) -> None:
    """Read the estate from Azure (read-only) and save it as a snapshot."""
    from auditor.snapshot import save_snapshot

    snapshot = _collect(subscriptions, all_subscriptions, arm_endpoint, authority_host)
    save_snapshot(snapshot, output)
    click.echo(
        f"wrote {output}: {len(snapshot.resources)} resources, {len(snapshot.errors)} read errors", err=True
    )


@cli.command()
@source_options
@click.option("--snapshot", "snapshot_path", type=click.Path(dir_okay=False), help="Audit a saved snapshot.")
@click.option("--baseline", "baseline_ref", metavar="NAME|PATH", help="Baseline name or YAML file.")
@click.option(
    "--format", "formats", multiple=True, metavar="FORMAT", help="Report format (repeatable): console, json."
)
@click.option("--output", "-o", type=click.Path(dir_okay=False), help="Write the (single) report here.")
@click.option("--output-dir", type=click.Path(file_okay=False), help="Write one report per format here.")
@click.option("--explain-roles", is_flag=True, help="Print the role inferred for each resource.")
@click.option("--show-passed", is_flag=True, help="List passing findings in the console report too.")
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
    explain_roles: bool,
    show_passed: bool,
) -> None:
    """Audit a subscription (live) or a snapshot against a baseline."""
    from auditor import reports_io
    from auditor.baseline import load_baseline
    from auditor.engine import run_audit
    from auditor.snapshot import load_snapshot

    chosen = list(dict.fromkeys(formats)) or ["console"]
    reports_io.check_formats(chosen, output, output_dir)
    sources = sum(bool(x) for x in (snapshot_path, subscriptions, all_subscriptions))
    if sources != 1:
        raise InputError("give exactly one of --snapshot FILE, --subscription ID..., --all-subscriptions")
    baseline = load_baseline(baseline_ref)
    if snapshot_path:
        snapshot = load_snapshot(snapshot_path)
        source = f"snapshot {snapshot_path}"
    else:
        snapshot = _collect(subscriptions, all_subscriptions, arm_endpoint, authority_host)
        source = "azure"
    result = run_audit(snapshot, baseline, source)
    if explain_roles:
        for item in result.roles.to_list():
            click.echo(f"{item['role']:<26} {item['resource_id']}  ({item['reason']})")
    reports_io.emit(result, chosen, output, output_dir, show_passed=show_passed)


@cli.command("rules")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "markdown"]), default="table")
def rules_cmd(fmt: str) -> None:
    """List every rule: id, control family, severity, title."""
    from auditor import catalogue

    click.echo(catalogue.render_rules(fmt), nl=False)


@cli.command("baselines")
def baselines_cmd() -> None:
    """List the shipped baselines."""
    from auditor.baseline import load_baseline, shipped_baselines

    for name in shipped_baselines():
        b = load_baseline(name)
        click.echo(f"{b.name:<28} {b.version:<8} {len(b.rules):>3} rules  {b.title}")


def _collect(
    subscriptions: tuple[str, ...], all_subscriptions: bool, arm_endpoint: str | None, authority_host: str | None
) -> Any:
    from auditor.collect.cloud import Cloud

    if bool(subscriptions) == bool(all_subscriptions):
        raise InputError("give --subscription ID (repeatable) or --all-subscriptions")
    cloud = Cloud.from_options(arm_endpoint, authority_host)
    from auditor.collect import collect_snapshot  # the Azure SDKs load only when needed

    return collect_snapshot(cloud, list(subscriptions) or None)


def main() -> None:
    debug = "--debug" in sys.argv[1:]
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.Abort:
        _fail("aborted", 130)
    except click.ClickException as exc:
        if debug:
            raise
        _fail(exc.format_message(), exc.exit_code)
    except AuditorError as exc:
        if debug:
            raise
        _fail(str(exc), exc.exit_code)
    except KeyboardInterrupt:
        _fail("interrupted", 130)
    except BrokenPipeError:
        sys.exit(0)
    except Exception as exc:
        if debug:
            raise
        if _looks_like_azure_failure(exc):
            _fail(f"could not reach Azure: {type(exc).__name__}: {_first_line(exc)}", EXIT_AZURE)
        _fail(f"internal error: {type(exc).__name__}: {_first_line(exc)} (run with --debug for details)", EXIT_INTERNAL)
    sys.exit(0)


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()
    return text[0] if text else ""


def _looks_like_azure_failure(exc: Exception) -> bool:
    module = type(exc).__module__
    return module.startswith("azure.") or module.startswith("msal") or module.startswith("requests")


def dump_json(data: Any) -> str:
    return json.dumps(data, indent=2) + "\n"


if __name__ == "__main__":  # pragma: no cover
    main()


