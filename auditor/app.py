"""The use cases: collect, audit, gate, and the listings; callable in-process, without argv.

Each takes a frozen option object from `auditor.options` and returns values; none
prints a report or exits. The command line (`auditor.cli`) prints and picks the exit code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from auditor.errors import InputError
from auditor.files import json_digest
from auditor.model import AuditReport, GateOutcome
from auditor.reports import PLAIN, RenderOptions

if TYPE_CHECKING:
    from auditor.arm.snapshot import Snapshot
    from auditor.collect.context import Settings
    from auditor.export.log_analytics import Sent, Target
    from auditor.history.record import Recorded
    from auditor.options import (
        AuditOptions,
        CollectOptions,
        DiffOptions,
        ExportOptions,
        GateOptions,
        HistoryOptions,
        OutputOptions,
        SourceOptions,
        TrendOptions,
    )
    from auditor.reports.writer import Emitted

__all__ = [
    "SavedGate",
    "audit",
    "baselines",
    "collect",
    "compare_warning",
    "diff",
    "export",
    "export_audit",
    "gate",
    "history",
    "prune_history",
    "read_azure",
    "record_history",
    "rule_doc",
    "rules",
    "write_reports",
    "write_rule_pages",
]


def read_azure(source: SourceOptions) -> Snapshot:
    """Read the estate from Azure (read-only), with a status line on a terminal's stderr."""
    # Imported here, not at the top: an audit of a snapshot never loads the Azure SDKs.
    from auditor.collect import collect_snapshot
    from auditor.collect.cloud import Cloud
    from auditor.collect.progress import status_line
    from auditor.options import check_azure_source

    check_azure_source(source)
    cloud = Cloud.from_options(source.arm_endpoint, source.authority_host)

    with status_line() as progress:
        groups = source.resource_groups
        settings = _settings(source)
        return collect_snapshot(
            cloud,
            list(source.subscriptions) or None,
            progress,
            settings=settings,
            resource_groups=groups,
            management_group=source.management_group,
            shard=source.shard,
        )


def _settings(source: SourceOptions) -> Settings:
    """The collector's settings: its defaults, with the time limits the flags or project file set."""
    from auditor.collect import Settings

    limits = source.timeouts
    changes: dict[str, Any] = {}
    if limits.deadline is not None:
        changes["deadline"] = limits.deadline or None  # 0: no limit
    if limits.connect is not None:
        changes["connect_timeout"] = limits.connect
    if limits.read is not None:
        changes["read_timeout"] = limits.read
    if limits.retry_after_cap is not None:
        changes["retry_after_cap"] = limits.retry_after_cap
    if not source.resource_graph:
        changes["resource_graph"] = False
    return Settings(**changes)


def collect(options: CollectOptions) -> Snapshot:
    """Read the estate from Azure and save it as a snapshot file; return what was saved."""
    from auditor.arm.snapshot import save_snapshot

    snapshot = read_azure(options.source)
    save_snapshot(snapshot, options.output)
    return snapshot


def audit(options: AuditOptions) -> AuditReport:
    """Audit a snapshot or Azure against a baseline; waivers, the previous report and the gate applied."""
    from auditor.arm.redact import redact_snapshot
    from auditor.arm.snapshot import load_snapshot
    from auditor.engine.baseline import load_baseline
    from auditor.engine.gate import gated
    from auditor.engine.run import run_audit
    from auditor.engine.waivers import load_waivers
    from auditor.reports.json_report import load_report

    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    baseline = load_baseline(options.baseline)
    waivers = load_waivers(options.waivers) if options.waivers else None
    previous = load_report(options.compare, "previous report") if options.compare else None
    source = options.source
    output = options.output.output
    if source.snapshot:
        if output and Path(output).resolve() == Path(source.snapshot).resolve():
            raise InputError(f"--output {output} would overwrite the snapshot being audited")
        snapshot = load_snapshot(source.snapshot)
        # A snapshot from elsewhere may hold secrets: no report may echo one (see arm/redact.py).
        redact_snapshot(snapshot)
        where = f"snapshot {source.snapshot}"
        if options.resource_groups:
            from auditor.arm.scope import groups_in, restrict

            # A typo would otherwise audit an empty estate and report only absent components.
            present = groups_in(snapshot)
            unknown = [g for g in options.resource_groups if g.lower() not in present]
            if unknown:
                known = ", ".join(sorted(present)) or "none"
                raise InputError(
                    f"resource group {', '.join(unknown)} holds nothing in the snapshot (its groups: {known})"
                )
            snapshot = restrict(snapshot, options.resource_groups)
    else:
        # Only the named resource groups are read, and the snapshot comes back restricted.
        snapshot = read_azure(replace(source, resource_groups=options.resource_groups))
        where = "azure"
    report = run_audit(snapshot, baseline, where, waivers=waivers, previous=previous)
    report = replace(report, started_at=started_at, snapshot_digest=json_digest(snapshot.to_dict()))
    return gated(report, options.policy)


def compare_warning(report: AuditReport) -> str | None:
    """A warning when the `--compare` report was made with another baseline, else None."""
    if report.previous is None:
        return None
    before = (report.previous.get("baseline") or {}).get("name")
    if before and before != report.baseline.name:
        return (
            f"auditor: warning: --compare report used baseline {before}, this audit {report.baseline.name}: "
            "the delta compares different rule sets"
        )
    return None


def write_reports(report: AuditReport, output: OutputOptions, terminal: RenderOptions = PLAIN) -> Emitted:
    """Render every chosen report, then write them; return what belongs on stdout and stderr."""
    from auditor.reports.writer import emit

    return emit(report, output.formats, output.output, output.output_dir, output.render, terminal)


@dataclass(frozen=True)
class SavedGate:
    """The gate applied to a saved JSON report."""

    report: Mapping[str, Any]
    outcome: GateOutcome


def gate(options: GateOptions) -> SavedGate:
    """Read a saved JSON report (checked against the schema) and apply the gate to it."""
    from auditor.engine.gate import evaluate_report
    from auditor.reports.json_report import load_report

    saved = load_report(options.report)
    return SavedGate(report=saved, outcome=evaluate_report(options.policy, saved))


def rules(fmt: str) -> str:
    """The rule catalogue as a table, JSON, or Markdown."""
    from auditor.engine import catalogue

    return catalogue.render_rules(fmt)


def rule_doc(rule_id: str) -> str:
    """One rule's page (docs/rules/<ID>.md); an unknown id is an input error naming close ones."""
    from auditor.engine import catalogue

    return catalogue.rule_doc(rule_id)


def write_rule_pages(directory: str) -> list[Path]:
    """Write every rule's page (`<ID>.md`) into `directory`, creating it; the paths written."""
    from auditor.engine import catalogue
    from auditor.files import write_atomic

    target = Path(directory)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create {target}: {exc.strerror or exc}") from None
    written = []
    for name, text in catalogue.rule_pages().items():
        write_atomic(target / name, text)
        written.append(target / name)
    return written


def baselines() -> list[str]:
    """One line per shipped baseline: name, version, rule count, title."""
    from auditor.engine.baseline import load_baseline, shipped_baselines

    lines = []
    for name in shipped_baselines():
        b = load_baseline(name)
        lines.append(f"{b.name:<28} {b.version:<8} {len(b.rules):>3} rules  {b.title}")
    return lines


def export(options: ExportOptions) -> Sent:
    """Send a saved JSON report (checked against the schema) to Log Analytics; raise if rows failed."""
    from auditor.reports.json_report import load_report

    saved = load_report(options.report)
    return _send(saved, options.target, options.authority_host)


def export_audit(report: AuditReport, target: Target, authority_host: str | None) -> Sent:
    """Send an audit just made to Log Analytics, as the JSON report says it (same rows, same run id)."""
    import json

    from auditor.reports.json_report import render

    return _send(json.loads(render(report)), target, authority_host)


def _send(report: Mapping[str, Any], target: Target, authority_host: str | None) -> Sent:
    # The collectors' credential chain and sign-in errors (collect/), built here and handed over:
    # the export package imports only the model, arm, errors, files and reports layers.
    from auditor.collect.cloud import Cloud
    from auditor.collect.run import signed_in
    from auditor.errors import AzureAccessError, ExportError
    from auditor.export.log_analytics import INGESTION_SCOPE, send

    try:
        credential = signed_in(Cloud.from_options(None, authority_host), INGESTION_SCOPE)
    except AzureAccessError as exc:
        # After an audit the reports are written: the export's failure keeps the export's exit code.
        raise ExportError(f"Log Analytics export: {exc}") from None
    with credential:
        return send(report, target, credential).check()


# --- the run history ---------------------------------------------------------------------------


def record_history(report: AuditReport, options: HistoryOptions) -> Recorded:
    """Record the audit as a run in the history database (created or upgraded in place)."""
    from auditor.history import record, store

    with store.opened(options.url) as engine:
        return record.record_run(
            engine,
            report,
            label=options.label,
            started_at=report.started_at,
            snapshot_digest=report.snapshot_digest,
        )


def diff(options: DiffOptions) -> dict[str, Any]:
    """The diff document of two saved reports or runs (default: the last two runs of the history)."""
    from auditor.history import diff as diffs
    from auditor.history import query, store
    from auditor.reports.json_report import load_report

    def side_of(arg: str, conn: Any) -> query.Side:
        if arg.isdigit() and conn is not None and not Path(arg).exists():
            return query.run_side(conn, query.get_run(conn, int(arg)))
        return query.report_side(load_report(arg), arg)

    if options.history is None:
        assert options.old is not None and options.new is not None
        return diffs.diff(side_of(options.old, None), side_of(options.new, None))
    with store.opened(options.history, create=False) as engine, store.connect(engine) as conn:
        if options.old is None or options.new is None:
            before, after = query.last_two(conn)
        else:
            old, new = side_of(options.old, conn), side_of(options.new, conn)
            if old.run is None or new.run is None:
                return diffs.diff(old, new)
            before, after = old.run, new.run
        previous = query.previous_run(conn, after)
        consecutive = previous is not None and previous.id == before.id
        return diffs.diff(query.run_side(conn, before), query.run_side(conn, after), consecutive)


def history(options: TrendOptions) -> dict[str, Any]:
    """The history document: the runs chosen, per series, with the trend and the oldest open findings."""
    from auditor.history import query, store, trend
    from auditor.history.record import parse_time

    since = parse_time(options.since) if options.since else None
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.opened(options.history, create=False) as engine, store.connect(engine) as conn:
        shown = query.list_runs(conn, options.scopes, since)
        filters = {"scopes": list(options.scopes), "since": options.since}
        return trend.history_doc(conn, shown, now, filters)


def prune_history(url: str, keep_days: int) -> int:
    """Delete the runs older than `keep_days` days, keeping the latest of each series and subscription."""
    from auditor.history import prune, store

    if keep_days < 0:
        raise InputError("--keep-days must be 0 or more")
    with store.opened(url, create=False) as engine:
        return prune.prune(engine, keep_days, datetime.now(UTC).replace(tzinfo=None))
