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
    "merge",
    "prune_history",
    "read_azure",
    "record_history",
    "rule_doc",
    "rules",
    "workload_notes",
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


def audit(options: AuditOptions, digest: bool = True) -> AuditReport:
    """Audit a snapshot or Azure against a baseline; waivers, the previous report and the gate applied.

    `digest=False` leaves out the snapshot's digest, which only the run history records (a
    serialisation of the whole snapshot: seconds and the memory of a second copy on a large one).
    """
    from auditor.arm.redact import redact_snapshot
    from auditor.arm.snapshot import load_snapshot
    from auditor.engine.baseline import load_baseline
    from auditor.engine.gate import gated
    from auditor.engine.waivers import load_waivers
    from auditor.engine.workloads import Selection, load_definitions, run_workloads
    from auditor.reports.json_report import load_report

    started_at = datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    # No --baseline: each workload gets the baseline of its variant (engine/workloads.py).
    baseline = load_baseline(options.baseline) if options.baseline is not None else None
    definitions = load_definitions(options.workloads_file) if options.workloads_file else None
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
    selection = Selection(definitions=definitions, names=options.workloads)
    report = run_workloads(snapshot, baseline, where, selection, waivers=waivers, previous=previous)
    report = replace(
        report, started_at=started_at, snapshot_digest=json_digest(snapshot.to_dict()) if digest else None
    )
    return gated(report, options.policy)


def workload_notes(report: AuditReport) -> list[str]:
    """What stderr says about the workloads: that none was found, or a forced baseline of another variant.

    The baseline each workload got and why is in the reports (the console header, the JSON workloads).
    """
    if report.no_workload:
        return [f"{report.no_workload}: the gate fails"]
    return [f"warning: {w.mismatch}" for w in report.workloads if w.mismatch]


def merge(inputs: list[str], output: str, baseline: str | None = None) -> str:
    """Merge the snapshots, or the JSON reports, of shards into one file (written atomically).

    Which one is told by the files; a mix, or shards that overlap with different content, is a
    `MergeConflictError`. Returns "snapshots" or "reports".
    """
    from auditor.arm.merge import merge_snapshots
    from auditor.arm.snapshot import Snapshot, save_snapshot
    from auditor.errors import MergeConflictError
    from auditor.files import read_json, write_atomic

    if len(inputs) < 2:
        raise InputError("auditor merge needs at least two files")
    if any(Path(output).resolve() == Path(i).resolve() for i in inputs):
        raise InputError(f"--output {output} would overwrite one of the files being merged")
    loaded = [(name, read_json(name, "file to merge")) for name in inputs]
    kinds = {name: _kind(data) for name, data in loaded}
    if len(set(kinds.values())) > 1:
        first = inputs[0]
        other = next(n for n in inputs if kinds[n] != kinds[first])
        raise MergeConflictError(
            f"{first} is {kinds[first]}, {other} is {kinds[other]}: merge one kind at a time"
        )
    kind = kinds[inputs[0]]
    if kind == "a snapshot":
        shards = [(name, Snapshot.from_data(data, name)) for name, data in loaded]
        del loaded
        save_snapshot(merge_snapshots(shards), output)
        return "snapshots"
    if kind != "a report":
        raise InputError(f"{inputs[0]}: neither a snapshot nor a JSON report of auditor")
    import json

    from auditor.engine.baseline import Baseline, load_baseline
    from auditor.engine.merge import merge_reports
    from auditor.reports.json_report import checked_report

    reports = [(name, checked_report(data, name)) for name, data in loaded]
    rules: dict[str, Baseline] = {}
    for named in _baselines_used(reports):
        wanted = baseline or named["name"]
        found = rules.get(wanted) or load_baseline(wanted)
        if (found.name, found.version) != (named["name"], named["version"]):
            raise MergeConflictError(
                f"the reports were made with baseline {named['name']} {named['version']}, the merge would "
                f"score them with {found.name} {found.version}: pass --baseline with the one they used"
            )
        rules[found.name] = found
    merged = merge_reports(reports, rules)
    # A report holds tenant data: owner-only, as every report the auditor writes.
    write_atomic(
        output, json.dumps(checked_report(merged, "the merged report"), indent=2) + "\n", private=True
    )
    return "reports"


def _baselines_used(reports: list[tuple[str, dict[str, Any]]]) -> list[dict[str, Any]]:
    """Every baseline (name, version) the reports' workloads were judged with; the shards of one
    audit chose them alike: each by its workload's variant, or all the one given with --baseline."""
    from auditor.errors import MergeConflictError

    used: dict[tuple[str, str], dict[str, Any]] = {}
    forced: dict[str, bool] = {}
    for name, report in reports:
        named = [*(report.get("baselines") or []), report["baseline"]]
        for b in named:
            used.setdefault((str(b["name"]), str(b["version"])), b)
        reasons = [str(w.get("baseline_reason", "")) for w in report.get("workloads") or []]
        forced[name] = any("given with --baseline" in r for r in reasons)
    if len(set(forced.values())) > 1:
        one = next(n for n, f in forced.items() if f)
        other = next(n for n, f in forced.items() if not f)
        raise MergeConflictError(
            f"{one} was judged with a baseline given with --baseline, {other} by each workload's variant: "
            "merge the reports of one audit only"
        )
    if any(forced.values()) and len(used) > 1:
        raise MergeConflictError(
            "the reports were judged with different baselines given with --baseline: "
            + ", ".join(sorted(f"{n} {v}" for n, v in used))
        )
    return list(used.values())


def _kind(data: Any) -> str:
    if isinstance(data, dict) and "schema_version" in data and "findings" in data:
        return "a report"
    if isinstance(data, list) or (isinstance(data, dict) and "resources" in data):
        return "a snapshot"  # a bare array of resources is refused by the merge, with the reason
    return "neither a snapshot nor a report"


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
    """Two lines per shipped baseline: name, version, rule count, title; then the variant and the
    reference implementation's commit it encodes."""
    from auditor.engine.baseline import load_baseline, shipped_baselines

    lines = []
    for name in shipped_baselines():
        b = load_baseline(name)
        lines.append(f"{b.name:<28} {b.version:<8} {len(b.rules):>3} rules  {b.title}")
        lines.append(f"{'':<28} variant {b.variant or 'any'}, source {b.upstream or 'not stated'}")
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
