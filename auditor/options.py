"""The project file: defaults for `audit` and `gate`, so that a pipeline line stays short.

Looked up in the current directory: `auditor.toml`, else `[tool.auditor]` in
`pyproject.toml`; or given with `--config FILE`. Keys are the long names of the
`audit` options; command-line flags override them:

    baseline = "openai-e2e-chat-aml"          # name or path of a baseline YAML
    formats = ["console", "json", "sarif", "junit", "html", "markdown"]
    output-dir = "audit-report"
    waivers = "waivers.yaml"
    min-score = 80
    fail-on = "high"
    fail-on-coverage-below = 0.9              # or "90%"

Relative paths are relative to the project file's folder. An unknown key is an
input error, so a typo cannot silently switch a gate condition off. A broken
`pyproject.toml` that was only found, not named, belongs to someone else unless
its text mentions `[tool.auditor`: it is skipped with a warning, not an error.

The project file and the command's flags together make one frozen option object per
command (`CollectOptions`, `AuditOptions`, `GateOptions`), which `auditor.app` runs.
"""

from __future__ import annotations

import math
import re
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import click

from auditor.engine.gate import parse_coverage, parse_min_score, parse_severity
from auditor.errors import InputError
from auditor.export.log_analytics import Target
from auditor.model import GatePolicy, Severity
from auditor.reports import PLAIN, Format, RenderOptions

# Project file keys and flags of the live read's time limits (seconds), with the Timeouts field each sets.
TIMEOUT_KEYS = (
    ("timeout", "deadline"),
    ("connect-timeout", "connect"),
    ("read-timeout", "read"),
    ("max-retry-after", "retry_after_cap"),
)
PROJECT_FILE = "auditor.toml"
PYPROJECT = "pyproject.toml"
KEYS = (
    "baseline",
    "formats",
    "output-dir",
    "waivers",
    "min-score",
    "fail-on",
    "fail-on-coverage-below",
    *(key for key, _ in TIMEOUT_KEYS),
)
# A `[tool.auditor]` or `[tool.auditor.x]` header, spaces and quotes allowed as TOML allows them.
_OUR_TABLE = re.compile(r"""\[\s*tool\s*\.\s*["']?auditor\b""")


@dataclass(frozen=True)
class ProjectConfig:
    """The settings of a project file (all unset when there is none)."""

    source: str | None = None
    baseline: str | None = None
    formats: tuple[str, ...] = ()
    output_dir: str | None = None
    waivers: str | None = None
    min_score: float | None = None
    fail_on: Severity | None = None
    min_coverage: float | None = None
    timeouts: Timeouts = field(default_factory=lambda: Timeouts())


def find_config(explicit: str | None, cwd: Path | None = None) -> ProjectConfig:
    """The project file in force: the one given, else auditor.toml, else [tool.auditor]; else defaults."""
    if explicit:
        path = Path(explicit)
        if not path.is_file():
            raise InputError(f"project file not found: {path}")
        return load_config(path)
    folder = cwd or Path.cwd()
    own = folder / PROJECT_FILE
    if own.is_file():
        return load_config(own)
    pyproject = folder / PYPROJECT
    if pyproject.is_file():
        try:
            data = _read_toml(pyproject)
        except _NotToml as exc:
            if _OUR_TABLE.search(exc.text):
                raise
            # Some other tool's file, broken: not ours to fail every command on.
            click.echo(f"auditor: warning: ignoring {pyproject}: {exc.reason}", err=True)
            return ProjectConfig()
        tool = data.get("tool")
        if isinstance(tool, dict) and "auditor" in tool:
            return _parse(tool["auditor"], pyproject, "[tool.auditor]")
    return ProjectConfig()


def load_config(path: Path) -> ProjectConfig:
    """Read one project file: auditor.toml-style, or the [tool.auditor] table of a pyproject.toml."""
    data = _read_toml(path)
    if path.name == PYPROJECT:
        tool = data.get("tool")
        section = tool.get("auditor") if isinstance(tool, dict) else None
        if section is None:
            raise InputError(f"{path}: no [tool.auditor] table")
        return _parse(section, path, "[tool.auditor]")
    return _parse(data, path, "")


class _NotToml(InputError):
    """A project file that is not UTF-8 TOML; keeps the text so the caller can see whose file it is."""

    def __init__(self, path: Path, reason: str, text: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason
        self.text = text


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read project file {path}: {exc.strerror or exc}") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _NotToml(path, f"not UTF-8 text: {exc}", raw.decode("utf-8", "replace")) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        # the message already says "(at line N, column M)"
        raise _NotToml(path, f"not valid TOML: {exc}", text) from None
    except RecursionError:
        raise _NotToml(path, "not accepted: TOML nested deeper than the parser can follow", text) from None
    except ValueError as exc:  # an integer over 4,300 digits
        raise _NotToml(path, f"not accepted: {' '.join(str(exc).split())[:120]}", text) from None


def _parse(data: Any, path: Path, table: str) -> ProjectConfig:
    where = f"{path}{' ' + table if table else ''}"
    if not isinstance(data, dict):
        raise InputError(f"{where}: expected a table of settings")
    for key in data:
        if key not in KEYS:
            hint = f" (did you mean {key.replace('_', '-')!r}?)" if key.replace("_", "-") in KEYS else ""
            raise InputError(f"{where}: unknown key {key!r}{hint}; known keys: {', '.join(KEYS)}")
    base = path.parent
    settings: dict[str, Any] = {}

    def text(key: str) -> str | None:
        value = data.get(key)
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise InputError(f"{where}: {key!r} must be a non-empty string")
        return value.strip()

    def relative(value: str | None) -> str | None:
        return None if value is None else str(base / value) if not Path(value).is_absolute() else value

    try:
        baseline = text("baseline")
        # A shipped baseline is named; anything that looks like a file is a path next to the project file.
        if baseline is not None and (baseline.endswith((".yaml", ".yml")) or "/" in baseline):
            baseline = relative(baseline)
        settings["baseline"] = baseline
        settings["output_dir"] = relative(text("output-dir"))
        settings["waivers"] = relative(text("waivers"))
        formats = data.get("formats")
        if formats is not None:
            if isinstance(formats, str):
                formats = [formats]
            if not isinstance(formats, list) or not all(isinstance(f, str) for f in formats):
                raise InputError(f"{where}: 'formats' must be a list of format names")
            from auditor.reports import formats as known_formats

            unknown = [f for f in formats if f not in known_formats()]
            if unknown:
                raise InputError(
                    f"{where}: 'formats': unknown format {unknown[0]!r} (known: {', '.join(known_formats())})"
                )
            settings["formats"] = tuple(dict.fromkeys(formats))
        if "min-score" in data:
            value = data["min-score"]
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise InputError(f"{where}: 'min-score' must be a number between 0 and 100")
            settings["min_score"] = parse_min_score(value)
        if "fail-on" in data:
            if not isinstance(data["fail-on"], str):
                raise InputError(f"{where}: 'fail-on' must be a severity name")
            settings["fail_on"] = parse_severity(data["fail-on"])
        settings["timeouts"] = _timeouts(data)
        if "fail-on-coverage-below" in data:
            value = data["fail-on-coverage-below"]
            if isinstance(value, bool) or not isinstance(value, int | float | str):
                raise InputError(
                    f"{where}: 'fail-on-coverage-below' must be a number like 0.9 or a string like '90%'"
                )
            settings["min_coverage"] = parse_coverage(value)
    except InputError as exc:
        message = str(exc)
        if not message.startswith(str(path)):
            message = f"{where}: {message}"
        raise InputError(message) from None
    return ProjectConfig(source=str(path), **settings)


# --- options of each command ---------------------------------------------------------------------


@dataclass(frozen=True)
class SourceOptions:
    """Where the estate comes from: a saved snapshot, or Azure (which subscriptions, which cloud)."""

    snapshot: str | None = None
    subscriptions: tuple[str, ...] = ()
    all_subscriptions: bool = False
    arm_endpoint: str | None = None
    authority_host: str | None = None
    # Read only these resource groups (a live read asks for nothing else).
    resource_groups: tuple[str, ...] = ()
    # Said on stderr when the subscription came from the environment, not from a flag.
    note: str | None = None
    # Time limits of the live read (unset: the collector's defaults).
    timeouts: Timeouts = field(default_factory=lambda: Timeouts())
    # Every subscription below this management group (--management-group).
    management_group: str | None = None
    # Only the subscriptions of shard (index, count) (--shard I/N).
    shard: tuple[int, int] | None = None
    # Inventory through Azure Resource Graph (off: --no-resource-graph).
    resource_graph: bool = True


@dataclass(frozen=True)
class CollectOptions:
    """`auditor collect`: read Azure and save the snapshot here."""

    source: SourceOptions
    output: str


@dataclass(frozen=True)
class OutputOptions:
    """Which reports to write, and where: one to stdout or `output`, or one per format in `output_dir`."""

    formats: tuple[Format, ...] = (Format.CONSOLE,)
    output: str | None = None
    output_dir: str | None = None
    # what the reports show: passing findings, console detail, where SARIF results point
    render: RenderOptions = PLAIN


@dataclass(frozen=True)
class AuditOptions:
    """`auditor audit`: everything the audit needs, with the project file's defaults already applied."""

    source: SourceOptions
    baseline: str | None = None
    waivers: str | None = None
    compare: str | None = None
    resource_groups: tuple[str, ...] = ()
    policy: GatePolicy = field(default_factory=GatePolicy)
    output: OutputOptions = field(default_factory=OutputOptions)
    explain_roles: bool = False
    # Send the run and its findings to Log Analytics after the reports are written (--export).
    export: Target | None = None
    # --workload NAME (repeatable) and --workloads FILE: which workloads to judge
    workloads: tuple[str, ...] = ()
    workloads_file: str | None = None


@dataclass(frozen=True)
class GateOptions:
    """`auditor gate`: a saved JSON report and the gate conditions to apply to it."""

    report: str
    policy: GatePolicy


def gate_policy(
    config: ProjectConfig, min_score: str | None, fail_on: str | None, min_coverage: str | None
) -> GatePolicy:
    """The gate conditions: each flag given overrides the project file (`--fail-on none` switches it off)."""
    return GatePolicy(
        min_score=config.min_score if min_score is None else parse_min_score(min_score),
        fail_on=config.fail_on if fail_on is None else parse_severity(fail_on),
        min_coverage=config.min_coverage if min_coverage is None else parse_coverage(min_coverage),
    )


def collect_options(source: SourceOptions, output: str, cwd: Path | None = None) -> CollectOptions:
    """Options of `collect`; it reads Azure, so it needs subscriptions (or all of them).

    The project file in the working folder gives the time limits no flag set.
    """
    source = replace(source, timeouts=source.timeouts.over(find_config(None, cwd).timeouts))
    source = with_default_subscription(source)
    check_azure_source(source)
    return CollectOptions(source=source, output=output)


def with_default_subscription(source: SourceOptions) -> SourceOptions:
    """Without any scope flag, the subscription AZURE_SUBSCRIPTION_ID or the Azure CLI names, noted."""
    if source.snapshot or source.subscriptions or source.all_subscriptions or source.management_group:
        return source
    from auditor.collect.defaults import default_subscription

    found = default_subscription()
    if found is None:
        return source
    note = f"using subscription {found.subscription_id} from {found.source}"
    return replace(source, subscriptions=(found.subscription_id,), note=note)


def check_azure_source(source: SourceOptions) -> None:
    """Reading Azure needs `--subscription ID...`, `--all-subscriptions` or `--management-group ID`,
    exactly one of them."""
    given = [bool(source.subscriptions), bool(source.all_subscriptions), bool(source.management_group)]
    if sum(given) != 1:
        if source.management_group:
            raise InputError(
                "give --management-group ID, or --subscription ID / --all-subscriptions, not both"
            )
        raise InputError("give --subscription ID (repeatable) or --all-subscriptions")


def audit_options(
    *,
    config_path: str | None,
    source: SourceOptions,
    baseline: str | None = None,
    formats: Sequence[str] = (),
    output: str | None = None,
    output_dir: str | None = None,
    resource_groups: Sequence[str] = (),
    explain_roles: bool = False,
    show_passed: bool = False,
    quiet: bool = False,
    verbose: bool = False,
    sarif_location: str | None = None,
    sarif_include_waived: bool = False,
    waivers: str | None = None,
    compare: str | None = None,
    min_score: str | None = None,
    fail_on: str | None = None,
    min_coverage: str | None = None,
    cwd: Path | None = None,
    export: ExportFlags | None = None,
    workloads: Sequence[str] = (),
    workloads_file: str | None = None,
) -> AuditOptions:
    """The flags of `audit` over the project file in force (flags win)."""
    from auditor.reports import format_for_path
    from auditor.reports.writer import check_formats

    config = find_config(config_path, cwd)
    source = replace(source, timeouts=source.timeouts.over(config.timeouts))
    if output and not formats and not config.formats:
        check_output_name(output)
    if output is None and output_dir is None and len(set(formats)) != 1:
        # One --format on the command line goes to stdout; several (or the project's) to the folder.
        output_dir = config.output_dir
    if not formats and output and not config.formats:
        # `-o report.json` means the JSON report, not console text in a .json file.
        inferred = format_for_path(output)
        formats = (inferred,) if inferred else formats
    chosen = list(dict.fromkeys(formats or config.formats)) or [Format.CONSOLE.value]
    checked = check_formats(chosen, output, output_dir)
    policy = gate_policy(config, min_score, fail_on, min_coverage)
    if quiet and verbose:
        raise InputError("give --quiet or --verbose, not both")
    render = RenderOptions(
        show_passed=show_passed,
        quiet=quiet,
        verbose=verbose,
        sarif_location=None if sarif_location is None else sarif_uri(sarif_location, cwd),
        sarif_include_waived=sarif_include_waived,
    )
    source = with_default_subscription(source)
    sources = sum(bool(x) for x in (source.snapshot, source.subscriptions, source.all_subscriptions))
    if sources != 1:
        raise InputError("give exactly one of --snapshot FILE, --subscription ID..., --all-subscriptions")
    return AuditOptions(
        source=source,
        # An empty --baseline (an unset pipeline variable) is refused when the baseline loads.
        baseline=baseline if baseline is not None else config.baseline,
        waivers=waivers or config.waivers,
        compare=compare,
        resource_groups=tuple(resource_groups),
        policy=policy,
        output=OutputOptions(formats=checked, output=output, output_dir=output_dir, render=render),
        explain_roles=explain_roles,
        export=export_target(export),
        workloads=tuple(workloads),
        workloads_file=workloads_file,
    )


def sarif_uri(path: str, cwd: Path | None = None) -> str:
    """`--sarif-location PATH` as the relative URI SARIF results carry: a file under the working folder."""
    from auditor.engine.describe import repository_uri

    folder = cwd or Path.cwd()
    if not (folder / path).is_file():
        raise InputError(
            f"--sarif-location {path}: no such file (give a file of the repository being audited)"
        )
    uri = repository_uri(str(folder / path), folder)
    if uri is None:
        raise InputError(
            f"--sarif-location {path} is outside the working folder: run from the repository's root"
            " and give a path inside it"
        )
    return uri


def terminal_options(isatty: bool, no_color_env: str | None, no_color: bool, columns: int) -> RenderOptions:
    """How the console report on stdout looks: colour only on a terminal, unless NO_COLOR or --no-color.

    NO_COLOR switches colour off when set to any non-empty value (https://no-color.org).
    A terminal gets its own width with or without colour; a pipe gets the fixed width.
    """
    if not isatty:
        return PLAIN
    return RenderOptions(color=not (no_color or bool(no_color_env)), width=columns)


# What `-o` names in the Azure CLI: an output format. Ours takes a file, so these are mistakes.
_AZ_OUTPUT_FORMATS = {"json": "json", "jsonc": "json", "table": "console", "tsv": "csv", "yaml": None}
_AZ_OUTPUT_FORMATS |= {"yamlc": None, "none": None}


def check_output_name(output: str) -> None:
    """Refuse an `--output` that names a format (`-o json`, as in the Azure CLI) or has no extension.

    Only called when no format was chosen: the file name is then all that says which
    report to write, and a bare `json` would get console text in a file named `json`.
    """
    from auditor.reports import formats as known_formats

    hint = "(--output takes a file name such as report.json)"
    name = output.strip().lower()
    if name in known_formats() or name in _AZ_OUTPUT_FORMATS:
        ours = name if name in known_formats() else _AZ_OUTPUT_FORMATS[name]
        if ours is not None:
            raise InputError(f"--output {output} looks like a format: did you mean --format {ours}? {hint}")
        raise InputError(
            f"--output {output} looks like an Azure CLI output format: --format takes "
            f"{', '.join(known_formats())} {hint}"
        )
    if not Path(output).suffix:
        raise InputError(
            f"--output {output} has no file extension, so it names no format: "
            f"give --format FORMAT or a name such as {output}.json {hint}"
        )


def gate_options(
    *,
    config_path: str | None,
    report: str,
    min_score: str | None = None,
    fail_on: str | None = None,
    min_coverage: str | None = None,
    cwd: Path | None = None,
) -> GateOptions:
    """The flags of `gate` over the project file in force; at least one condition must be set."""
    config = find_config(config_path, cwd)
    policy = gate_policy(config, min_score, fail_on, min_coverage)
    if not policy.active:
        raise InputError(
            "no gate condition: give --min-score, --fail-on or --fail-on-coverage-below"
            " (or set them in auditor.toml)"
        )
    return GateOptions(report=report, policy=policy)


# --- export to Log Analytics ---------------------------------------------------------------------

EXPORT_DESTINATIONS = ("log-analytics",)


@dataclass(frozen=True)
class ExportFlags:
    """The export flags as given: `--export` (on `audit`) and where the rows go."""

    destination: str | None = None
    endpoint: str | None = None
    rule_id: str | None = None
    runs_stream: str | None = None
    findings_stream: str | None = None


@dataclass(frozen=True)
class ExportOptions:
    """`auditor export log-analytics`: a saved JSON report, where to send it, and whose sign-in to use."""

    report: str
    target: Target
    authority_host: str | None = None


def export_target(flags: ExportFlags | None) -> Target | None:
    """The Log Analytics target of `audit --export`, or None; a target flag without --export is an error."""
    if flags is None:
        return None
    if flags.destination is None:
        given = [
            name
            for name, value in (
                ("--endpoint", flags.endpoint),
                ("--rule-id", flags.rule_id),
                ("--runs-stream", flags.runs_stream),
                ("--findings-stream", flags.findings_stream),
            )
            if value
        ]
        if given:
            raise InputError(f"{', '.join(given)} only work with --export log-analytics")
        return None
    if flags.destination not in EXPORT_DESTINATIONS:
        choices = ", ".join(EXPORT_DESTINATIONS)
        raise InputError(f"--export must be one of {choices}, got {flags.destination!r}")
    return Target.from_options(flags.endpoint, flags.rule_id, flags.runs_stream, flags.findings_stream)


def export_options(report: str, flags: ExportFlags, authority_host: str | None = None) -> ExportOptions:
    """Options of `export log-analytics`: the report to send and a well-formed target."""
    target = Target.from_options(flags.endpoint, flags.rule_id, flags.runs_stream, flags.findings_stream)
    return ExportOptions(report=report, target=target, authority_host=authority_host)


# --- time limits of the live read ----------------------------------------------------------------


@dataclass(frozen=True)
class Timeouts:
    """Time limits of a live read in seconds, each None when unset; `deadline` 0 means no limit."""

    deadline: float | None = None
    connect: float | None = None
    read: float | None = None
    retry_after_cap: float | None = None

    def over(self, defaults: Timeouts) -> Timeouts:
        """These limits, with `defaults` (the project file's) where one is unset."""
        return Timeouts(
            *(
                mine if mine is not None else theirs
                for mine, theirs in zip(_values(self), _values(defaults), strict=True)
            )
        )


def _values(t: Timeouts) -> tuple[float | None, ...]:
    return (t.deadline, t.connect, t.read, t.retry_after_cap)


def parse_seconds(value: object, name: str, zero_allowed: bool = False) -> float:
    """A positive, finite number of seconds (`0` too when `zero_allowed`); else an InputError."""
    if isinstance(value, bool):
        raise InputError(f"{name} must be a number of seconds, got {value!r}")
    try:
        seconds = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        raise InputError(f"{name} must be a number of seconds, got {value!r}") from None
    if not math.isfinite(seconds) or seconds < 0 or (seconds == 0 and not zero_allowed):
        limit = "0 or more" if zero_allowed else "more than 0"
        raise InputError(f"{name} must be a finite number of seconds, {limit}; got {value!r}")
    return seconds


def timeouts_from_flags(
    timeout: str | None, connect: str | None, read: str | None, retry_after: str | None
) -> Timeouts:
    """The time limits the flags set (`--timeout 0`: no overall limit)."""
    given = (
        (timeout, "--timeout", True),
        (connect, "--connect-timeout", False),
        (read, "--read-timeout", False),
        (retry_after, "--max-retry-after", True),
    )
    return Timeouts(*(None if v is None else parse_seconds(v, name, zero) for v, name, zero in given))


def _timeouts(data: dict[str, Any]) -> Timeouts:
    """The time limits a project file sets."""
    found: dict[str, float] = {}
    for key, attr in TIMEOUT_KEYS:
        if key in data:
            found[attr] = parse_seconds(
                data[key], repr(key), zero_allowed=key in ("timeout", "max-retry-after")
            )
    return Timeouts(**found)


# --- the run history (audit --history, diff, history) ----------------------------------------


@dataclass(frozen=True)
class HistoryOptions:
    """`audit --history [URL]`: where to record the run, under which series label, and the nightly gate."""

    url: str
    label: str = "default"
    fail_on_new: Severity | None = None


def history_options(history: str | None, fail_on_new: str | None, label: str | None) -> HistoryOptions | None:
    """The history flags of `audit`, checked before anything is read: `--fail-on-new` needs `--history`."""
    from auditor.engine.gate import parse_severity

    severity = parse_severity(fail_on_new) if fail_on_new is not None else None
    if history is None:
        if severity is not None:
            raise InputError(
                "--fail-on-new compares with the previous run in the history: give --history URL"
            )
        if label is not None:
            raise InputError("--history-label names a series of the history: give --history URL")
        return None
    return HistoryOptions(url=history, label=label or "default", fail_on_new=severity)


_FORMATS = {"diff": ("console", "json", "markdown"), "history": ("table", "json", "html")}


@dataclass(frozen=True)
class DiffOptions:
    """`auditor diff [OLD NEW]`: two saved JSON reports or run ids (with --history), and the output."""

    old: str | None
    new: str | None
    history: str | None
    fmt: str = "console"
    output: str | None = None


def diff_options(
    old: str | None, new: str | None, history: str | None, fmt: str, output: str | None
) -> DiffOptions:
    """The arguments of `diff`: both sides or neither (the last two runs of the history)."""
    if (old is None) != (new is None):
        raise InputError("give both OLD and NEW, or neither (the last two runs of --history)")
    if old is None and history is None:
        raise InputError("give OLD and NEW (saved JSON reports), or --history URL for the last two runs")
    for side in (old, new):
        if side is not None and side.isdigit() and history is None and not Path(side).exists():
            raise InputError(f"{side}: a run id needs --history URL")
    return DiffOptions(old=old, new=new, history=history, fmt=fmt, output=output)


@dataclass(frozen=True)
class TrendOptions:
    """`auditor history`: which runs to show (scopes, since a date) and how."""

    history: str
    scopes: tuple[str, ...] = ()
    since: str | None = None
    fmt: str = "table"
    output: str | None = None


def trend_options(
    history: str | None, scopes: Sequence[str], since: str | None, fmt: str, output: str | None
) -> TrendOptions:
    """The flags of `history`; `--since` is a date (YYYY-MM-DD) or an ISO timestamp."""
    from datetime import datetime

    if since is not None:
        try:
            datetime.fromisoformat(since.replace("Z", "+00:00"))
        except ValueError:
            raise InputError(f"--since {since!r}: not a date (YYYY-MM-DD)") from None
    return TrendOptions(
        history=history or "default", scopes=tuple(scopes), since=since, fmt=fmt, output=output
    )
