"""Reading the history: runs (filtered by series, scope and date), one side of a diff, the last two runs."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from auditor.errors import InputError

from .keys import Coverage, finding_key
from .tables import finding_keys, observations, runs, series


@dataclass(frozen=True)
class RunInfo:
    """One recorded run, as the history lists it."""

    id: int
    uid: str
    series_id: int
    label: str
    baseline: str
    baseline_version: str
    tool_version: str
    started_at: datetime
    finished_at: datetime
    score: float
    coverage: float
    counts: Mapping[str, int]
    families: Mapping[str, Mapping[str, Any]]
    scope: Mapping[str, Any]
    workload: str | None
    finding_count: int
    snapshot_digest: str | None

    @property
    def subscriptions(self) -> list[str]:
        """The subscriptions this run audited, as its report listed them."""
        return list(self.scope.get("subscriptions") or [])


@dataclass(frozen=True)
class Item:
    """One finding of one side of a diff."""

    rule_id: str
    resource_id: str
    status: str
    severity: str
    level: str
    family: str
    message: str
    # the state stored when the run was recorded (None for a saved report)
    state: str | None = None
    # the identity of the workload the finding was judged in ('' for none)
    workload: str = ""


@dataclass(frozen=True)
class Side:
    """One side of a diff: a saved JSON report or a recorded run."""

    name: str
    baseline: str
    baseline_version: str
    generated_at: str
    score: float
    coverage: float
    families: Mapping[str, Mapping[str, Any]]
    scope: Mapping[str, Any]
    items: Mapping[str, Item]
    run: RunInfo | None = None
    workloads: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)

    @property
    def coverage_of_scope(self) -> Coverage:
        """Which keys this side audited."""
        return Coverage.of_scope(self.scope)


_COUNTS = ("passed", "failed", "not_assessed", "waived", "errors")


def _run_info(row: Any) -> RunInfo:
    return RunInfo(
        id=row.id,
        uid=row.uid,
        series_id=row.series_id,
        label=row.label,
        baseline=row.baseline,
        baseline_version=row.baseline_version,
        tool_version=row.tool_version,
        started_at=row.started_at,
        finished_at=row.finished_at,
        score=row.score,
        coverage=row.coverage,
        counts={name: getattr(row, name) for name in _COUNTS},
        families=json.loads(row.families),
        scope=json.loads(row.scope),
        workload=getattr(row, "workload", None),
        finding_count=row.finding_count,
        snapshot_digest=row.snapshot_digest,
    )


def _runs_query() -> sa.Select[Any]:
    return (
        sa.select(runs, series.c.label, series.c.baseline)
        .join(series, series.c.id == runs.c.series_id)
        .order_by(runs.c.started_at, runs.c.id)
    )


def list_runs(
    conn: Connection,
    scopes: Sequence[str] = (),
    since: datetime | None = None,
    baseline: str | None = None,
) -> list[RunInfo]:
    """Runs oldest first; `scopes` keeps those of a series label, subscription or management group given."""
    query = _runs_query()
    if since is not None:
        query = query.where(runs.c.started_at >= since)
    if baseline is not None:
        query = query.where(series.c.baseline == baseline)
    found = [_run_info(row) for row in conn.execute(query)]
    if scopes:
        wanted = {s.lower() for s in scopes}
        found = [r for r in found if wanted & _names(r)]
    return found


def _names(run: RunInfo) -> set[str]:
    names = {run.label.lower(), *(s.lower() for s in run.subscriptions)}
    if run.scope.get("management_group"):
        names.add(str(run.scope["management_group"]).lower())
    return names


def get_run(conn: Connection, run_id: int) -> RunInfo:
    """One run by id; an unknown id is an input error."""
    row = conn.execute(_runs_query().where(runs.c.id == run_id)).first()
    if row is None:
        raise InputError(f"no run {run_id} in the history")
    return _run_info(row)


def previous_run(conn: Connection, run: RunInfo) -> RunInfo | None:
    """The run of the same series just before `run` that audited any of its subscriptions.

    Shards of a nightly job (one run per subscription) each compare with their own last run.
    """
    mine = {s.lower() for s in run.subscriptions}
    earlier = [
        r
        for r in list_runs(conn)
        if r.series_id == run.series_id
        and _before(r, run)
        and (not mine or mine & {s.lower() for s in r.subscriptions})
    ]
    return earlier[-1] if earlier else None


def _before(a: RunInfo, b: RunInfo) -> bool:
    return (a.started_at, a.id) < (b.started_at, b.id)


def last_two(conn: Connection) -> tuple[RunInfo, RunInfo]:
    """The newest run and the one before it in its series (same label and baseline)."""
    every = list_runs(conn)
    if not every:
        raise InputError("the history has no runs yet: record one with `auditor audit ... --history URL`")
    newest = every[-1]
    before = previous_run(conn, newest)
    if before is None:
        raise InputError(f"run {newest.id} is the first of its series: there is nothing to compare it with")
    return before, newest


def run_side(conn: Connection, run: RunInfo) -> Side:
    """A recorded run as one side of a diff."""
    o, k = observations.c, finding_keys.c
    query = (
        sa.select(
            k.key,
            k.rule_id,
            k.resource_id,
            o.status,
            o.severity,
            o.level,
            o.family,
            o.message,
            o.state,
            k.workload,
        )
        .join(finding_keys, finding_keys.c.id == o.key_id)
        .where(o.run_id == run.id, o.status.is_not(None))
    )
    # Rows unpacked as tuples: attribute access per row costs more than the query at 100,000 rows.
    items = {key: Item(*rest) for key, *rest in conn.execute(query).all()}
    return Side(
        name=f"run {run.id}",
        baseline=run.baseline,
        baseline_version=run.baseline_version,
        generated_at=run.finished_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
        score=run.score,
        coverage=run.coverage,
        families=run.families,
        scope=run.scope,
        items=items,
        run=run,
    )


def report_side(report: Mapping[str, Any], name: str) -> Side:
    """A saved JSON report (already checked against its schema) as one side of a diff."""
    items: dict[str, Item] = {}
    for f in report.get("findings") or []:
        # Schema 1.3: a finding names its workload's identity; the same resource in two workloads is
        # two findings, each compared with its own.
        workload = str(f.get("workload_id") or "")
        key = finding_key(f["rule_id"], f["resource_id"], workload)
        items.setdefault(
            key,
            Item(
                f["rule_id"],
                f["resource_id"],
                f["status"],
                f.get("severity", ""),
                f.get("level", "required"),
                f.get("control", ""),
                f.get("message", ""),
                workload=workload.strip().lower(),
            ),
        )
    baseline = report.get("baseline") or {}
    return Side(
        name=name,
        baseline=str(baseline.get("name", "")),
        baseline_version=str(baseline.get("version", "")),
        generated_at=str(report.get("generated_at", "")),
        score=float(report.get("score", 0.0)),
        coverage=float(report.get("coverage", 0.0)),
        families=report.get("controls") or {},
        scope=report.get("scope") or {},
        items=items,
        workloads=_workloads_of(report),
    )


def _workloads_of(report: Mapping[str, Any]) -> dict[str, Mapping[str, Any]]:
    """The report's workloads by identity (schema 1.3; by name before): name, score, coverage, ..."""
    given = report.get("workloads") or {}
    if isinstance(given, list):
        return {str(w.get("id") or w["name"]): w for w in given if isinstance(w, dict) and "name" in w}
    return dict(given) if isinstance(given, dict) else {}
