"""Record one audit in the history: the run, its per-unit tallies, and every finding with its state."""

from __future__ import annotations

import json
import uuid
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from auditor.model import AuditReport, Control, Finding, Level, Severity, Status

from . import bulk, store
from .keys import Coverage, finding_key, group_of, unit_of
from .states import State, judge
from .tables import finding_keys, runs, series, tallies


@dataclass(frozen=True)
class Change:
    """A failing finding that is new or regressed in the recorded run (what `--fail-on-new` looks at)."""

    state: State
    rule_id: str
    severity: Severity
    resource_id: str
    message: str
    level: Level = Level.REQUIRED


@dataclass(frozen=True)
class Recorded:
    """What recording a run did: its id, the count of each state, the changes, the carried-forward units."""

    run_id: int
    uid: str
    label: str
    states: Mapping[str, int]
    changes: tuple[Change, ...]
    carried: tuple[str, ...]
    # the run of the series before this one that audited any of its subscriptions (None: the first)
    previous_id: int | None = None

    def worst_changes(self, at_least: Severity) -> list[Change]:
        """The new or regressed findings of required rules at or above a severity, worst first.

        Like `--fail-on`, recommendations never trip the gate.
        """
        hits = [c for c in self.changes if c.level is Level.REQUIRED and c.severity.rank >= at_least.rank]
        return sorted(hits, key=lambda c: (-c.severity.rank, c.rule_id, c.resource_id.lower()))


def parse_time(text: str | None) -> datetime:
    """A report timestamp (ISO 8601, Z allowed) as naive UTC, as the tables store it; now if absent."""
    if not text:
        return datetime.now(UTC).replace(tzinfo=None)
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is not None:
        moment = moment.astimezone(UTC).replace(tzinfo=None)
    return moment


def record_run(
    engine: Engine,
    report: AuditReport,
    *,
    label: str = "default",
    started_at: str | None = None,
    snapshot_digest: str | None = None,
    workload: str | None = None,
) -> Recorded:
    """Write the audit as one run of the series (label, baseline), in one retried transaction."""
    uid = str(uuid.uuid4())
    finished = parse_time(report.generated_at)
    started = parse_time(started_at) if started_at else finished
    prepared = _prepare(report)
    coverage = Coverage.of_scope(report.scope)

    def work(conn: Connection) -> Recorded:
        series_id = _series_id(conn, label, report.baseline.name)
        previous = _previous(conn, series_id, coverage)
        run_id = _insert_run(conn, series_id, uid, report, started, finished, snapshot_digest, workload)
        _insert_tallies(conn, run_id, report, coverage)
        states, changes = _write_findings(conn, series_id, run_id, started, prepared, coverage)
        carried = _carried(conn, series_id, coverage)
        return Recorded(run_id, uid, label, dict(states), tuple(changes), carried, previous)

    return store.transaction(engine, work, serializable=True)


def _prepare(report: AuditReport) -> dict[str, Finding]:
    """One finding per key, the worst when a rule reported a resource twice (findings come worst first)."""
    chosen: dict[str, Finding] = {}
    for f in report.findings:
        chosen.setdefault(finding_key(f.rule_id, f.resource_id, f.workload_id), f)
    return chosen


def _series_id(conn: Connection, label: str, baseline: str) -> int:
    query = sa.select(series.c.id).where(series.c.label == label, series.c.baseline == baseline)
    found = conn.execute(query).scalar()
    if found is None:
        # A racing writer's insert makes this one fail; the transaction is retried and finds it.
        found = conn.execute(
            sa.insert(series).values(label=label, baseline=baseline).returning(series.c.id)
        ).scalar_one()
    return int(found)


def _insert_run(
    conn: Connection,
    series_id: int,
    uid: str,
    report: AuditReport,
    started: datetime,
    finished: datetime,
    digest: str | None,
    workload: str | None,
) -> int:
    card = report.card
    overall = card.overall
    families = {c.value: t.to_dict() for c, t in card.controls.items()}
    values = {
        "uid": uid,
        "series_id": series_id,
        "baseline_version": report.baseline.version,
        "tool_version": report.tool.version,
        "started_at": started,
        "finished_at": finished,
        # the score the report leads with and the gate judges (the worst workload's of several)
        "score": report.score,
        "coverage": report.coverage,
        "passed": overall.passed,
        "failed": overall.failed,
        "not_assessed": overall.not_assessed,
        "waived": overall.waived,
        "errors": overall.errors,
        "recommended_failed": card.recommended_failed,
        "families": json.dumps(families, sort_keys=True),
        "scope": json.dumps(dict(report.scope), sort_keys=True, default=str),
        "management_group": report.scope.get("management_group"),
        "snapshot_digest": digest,
        "finding_count": len(report.findings),
        "workload": workload,
    }
    return int(conn.execute(sa.insert(runs).values(**values).returning(runs.c.id)).scalar_one())


def _insert_tallies(conn: Connection, run_id: int, report: AuditReport, coverage: Coverage) -> None:
    """Per unit and family, the same sums the score card makes, so a trend can carry units forward."""
    weights = {rid: r.weight for rid, r in report.baseline.rules.items()}
    slot = {Status.PASS: 0, Status.FAIL: 1, Status.NOT_ASSESSED: 2, Status.WAIVED: 3, Status.ERROR: 4}
    # [passed, failed, not_assessed, waived, errors, pass_weight, fail_weight]
    sums: dict[tuple[str, str], list[float]] = {(unit, "*"): [0.0] * 7 for unit in coverage.units}
    units: dict[str, str] = {}
    for f in report.findings:
        if f.level is Level.RECOMMENDED:
            continue
        unit = units.get(f.resource_id)
        if unit is None:
            unit = units[f.resource_id] = unit_of(f.resource_id)
        weight = f.severity.weight * weights.get(f.rule_id, 1.0)
        at = slot[f.status]
        for family in ("*", f.control.value):
            counts = sums.get((unit, family))
            if counts is None:
                counts = sums[(unit, family)] = [0.0] * 7
            counts[at] += 1
            if at < 2:
                counts[5 + at] += weight
    rows = [
        {
            "run_id": run_id,
            "unit": unit,
            "family": family,
            **{
                name: int(c[i])
                for i, name in enumerate(("passed", "failed", "not_assessed", "waived", "errors"))
            },
            "pass_weight": c[5],
            "fail_weight": c[6],
        }
        for (unit, family), c in sorted(sums.items())
    ]
    conn.execute(sa.insert(tallies), rows)


_KEY_COLUMNS = (
    "series_id",
    "key",
    "rule_id",
    "resource_id",
    "unit",
    "resource_group",
    "first_seen",
    "last_seen",
    "last_status",
    "last_judged",
    "last_state",
    "ever_failed",
    "open_since",
    "workload",
)
_UPDATE_COLUMNS = ("last_seen", "last_status", "last_judged", "last_state", "ever_failed", "open_since")
_OBSERVATION_COLUMNS = (
    "run_id",
    "key_id",
    "status",
    "state",
    "severity",
    "level",
    "family",
    "message",
    "expected",
    "actual",
    "opened_at",
)
# Enum values by member: a dict lookup is cheaper than `.value` a million times.
_VALUES: dict[Any, str] = {m: m.value for e in (Status, State, Severity, Level, Control) for m in e}
GONE = "the finding is gone: its resource was not in the audited scope's estate"


def _known(conn: Connection, series_id: int, coverage: Coverage) -> dict[str, Any]:
    k = finding_keys.c
    query = sa.select(
        k.id,
        k.key,
        k.unit,
        k.resource_group,
        k.last_judged,
        k.last_state,
        k.ever_failed,
        k.open_since,
        k.workload,
    ).where(k.series_id == series_id, k.unit.in_(sorted(coverage.units)))
    return {row.key: row for row in conn.execute(query).all()}


def _adopt_legacy(conn: Connection, known: dict[str, Any], prepared: Mapping[str, Finding]) -> None:
    """Give keys written before findings had a workload (`rule|resource`) to this run's workload keys.

    The first workload that judges the rule and resource takes the old key over, so its history goes
    on; a second workload sharing the resource starts a key of its own.
    """
    renames: list[tuple[Any, ...]] = []
    for key, f in prepared.items():
        if not f.workload_id or key in known:
            continue
        legacy = finding_key(f.rule_id, f.resource_id)
        row = known.get(legacy)
        if row is None or row.workload or legacy in prepared:
            continue
        renames.append((row.id, key, f.workload_id.strip().lower()))
        known[key] = known.pop(legacy)
    if renames:
        bulk.update(conn, "finding_keys", ("key", "workload"), renames)


_ENCODE = json.JSONEncoder(default=str).encode


def _json(value: Any) -> str | None:
    return None if value is None else _ENCODE(value)


def _write_findings(
    conn: Connection,
    series_id: int,
    run_id: int,
    when: datetime,
    prepared: Mapping[str, Finding],
    coverage: Coverage,
) -> tuple[Counter[str], list[Change]]:
    known = _known(conn, series_id, coverage)
    _adopt_legacy(conn, known, prepared)
    stamp = bulk.timestamp(conn, when)
    new_keys: list[tuple[Any, ...]] = []
    updates: list[tuple[Any, ...]] = []
    # observations whose key id is known now, and those of keys inserted below (by key)
    rows: list[tuple[Any, ...]] = []
    pending: list[tuple[str, tuple[Any, ...]]] = []
    states: Counter[str] = Counter()
    changes: list[Change] = []
    fail, passed = Status.FAIL, Status.PASS
    value = _VALUES
    for key, f in prepared.items():
        row = known.get(key)
        state = judge(f.status, row.last_judged if row else None, bool(row and row.ever_failed))
        states[state.value] += 1
        open_since = bulk.timestamp(conn, row.open_since) if row and row.open_since else None
        opened_at = None
        if state in (State.NEW, State.REGRESSED):
            changes.append(Change(state, f.rule_id, f.severity, f.resource_id, f.message, f.level))
            open_since = opened_at = stamp
        elif state is State.PERSISTING:
            opened_at = open_since = open_since or stamp
        elif state is State.RESOLVED:
            opened_at, open_since = open_since, None
        status = value[f.status]
        judged = status if f.status in (passed, fail) else None
        observation = (
            status,
            value[state],
            value[f.severity],
            value[f.level],
            value[f.control],
            f.message,
            _json(f.expected),
            _json(f.actual),
            opened_at,
        )
        if row is None:
            unit, group = unit_of(f.resource_id), group_of(f.resource_id)
            new_keys.append(
                (
                    series_id,
                    key,
                    f.rule_id,
                    f.resource_id,
                    unit,
                    group,
                    stamp,
                    stamp,
                    status,
                    judged,
                    value[state],
                    f.status is fail,
                    open_since,
                    f.workload_id.strip().lower(),
                )
            )
            pending.append((key, observation))
        else:
            ever = bool(row.ever_failed) or f.status is fail
            updates.append((row.id, stamp, status, judged or row.last_judged, value[state], ever, open_since))
            rows.append((run_id, row.id, *observation))
    gone: list[tuple[Any, ...]] = []
    for key, row in known.items():
        if key in prepared or row.last_state == State.DISAPPEARED.value:
            continue
        if not coverage.covers(row.unit, row.resource_group):
            continue
        states[State.DISAPPEARED.value] += 1
        gone.append((row.id, State.DISAPPEARED.value))
        rows.append((run_id, row.id, None, State.DISAPPEARED.value, "", "", "", GONE, None, None, None))
    bulk.insert(conn, "finding_keys", _KEY_COLUMNS, new_keys)
    bulk.update(conn, "finding_keys", _UPDATE_COLUMNS, updates)
    bulk.update(conn, "finding_keys", ("last_state",), gone)
    if pending:
        k = finding_keys.c
        inserted = sa.select(k.id, k.key).where(k.series_id == series_id, k.first_seen == when)
        ids = {key: key_id for key_id, key in conn.execute(inserted)}
        rows.extend((run_id, ids[key], *observation) for key, observation in pending)
    bulk.insert(conn, "observations", _OBSERVATION_COLUMNS, rows)
    return states, changes


def _previous(conn: Connection, series_id: int, coverage: Coverage) -> int | None:
    """The newest run of the series that audited any of these subscriptions (before this one is written)."""
    t = tallies.c
    units = sorted(u for u in coverage.units if u) or [""]
    query = (
        sa.select(sa.func.max(t.run_id))
        .join(runs, runs.c.id == t.run_id)
        .where(runs.c.series_id == series_id, t.family == "*", t.unit.in_(units))
    )
    found = conn.execute(query).scalar()
    return None if found is None else int(found)


def _carried(conn: Connection, series_id: int, coverage: Coverage) -> tuple[str, ...]:
    """The units of the series that this run did not audit (they keep their last result)."""
    t, r = tallies.c, runs.c
    units = conn.execute(
        sa.select(t.unit).distinct().join(runs, runs.c.id == t.run_id).where(r.series_id == series_id)
    ).scalars()
    return tuple(sorted(u for u in units if u not in coverage.units))
