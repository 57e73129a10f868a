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

from auditor.model import AuditReport, Finding, Level, Severity, Status

from . import store
from .keys import Coverage, finding_key, group_of, unit_of
from .states import State, judge
from .tables import finding_keys, observations, runs, series, tallies


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
        run_id = _insert_run(conn, series_id, uid, report, started, finished, snapshot_digest, workload)
        _insert_tallies(conn, run_id, report, coverage)
        states, changes = _write_findings(conn, series_id, run_id, started, prepared, coverage)
        carried = _carried(conn, series_id, coverage)
        return Recorded(run_id, uid, label, dict(states), tuple(changes), carried)

    return store.transaction(engine, work, serializable=True)


def _prepare(report: AuditReport) -> dict[str, Finding]:
    """One finding per key, the worst when a rule reported a resource twice (findings come worst first)."""
    chosen: dict[str, Finding] = {}
    for f in report.findings:
        chosen.setdefault(finding_key(f.rule_id, f.resource_id), f)
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
        "score": card.score,
        "coverage": card.coverage,
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


_FIELD = {
    Status.PASS: "passed",
    Status.FAIL: "failed",
    Status.NOT_ASSESSED: "not_assessed",
    Status.WAIVED: "waived",
    Status.ERROR: "errors",
}


def _insert_tallies(conn: Connection, run_id: int, report: AuditReport, coverage: Coverage) -> None:
    """Per unit and family, the same sums the score card makes, so a trend can carry units forward."""
    weights = {rid: r.weight for rid, r in report.baseline.rules.items()}
    sums: dict[tuple[str, str], Counter[str]] = {(unit, "*"): Counter() for unit in coverage.units}
    for f in report.findings:
        if f.level is Level.RECOMMENDED:
            continue
        unit = unit_of(f.resource_id)
        weight = f.severity.weight * weights.get(f.rule_id, 1.0)
        for family in ("*", f.control.value):
            counts = sums.setdefault((unit, family), Counter())
            counts[_FIELD[f.status]] += 1
            if f.status is Status.PASS:
                counts["pass_weight"] += weight  # type: ignore[assignment]
            elif f.status is Status.FAIL:
                counts["fail_weight"] += weight  # type: ignore[assignment]
    rows = [
        {
            "run_id": run_id,
            "unit": unit,
            "family": family,
            **{name: int(c[name]) for name in ("passed", "failed", "not_assessed", "waived", "errors")},
            "pass_weight": float(c["pass_weight"]),
            "fail_weight": float(c["fail_weight"]),
        }
        for (unit, family), c in sorted(sums.items())
    ]
    conn.execute(sa.insert(tallies), rows)


def _write_findings(
    conn: Connection,
    series_id: int,
    run_id: int,
    when: datetime,
    prepared: Mapping[str, Finding],
    coverage: Coverage,
) -> tuple[Counter[str], list[Change]]:
    k = finding_keys.c
    known = {
        row.key: row
        for row in conn.execute(
            sa.select(
                k.id,
                k.key,
                k.unit,
                k.resource_group,
                k.last_judged,
                k.last_state,
                k.ever_failed,
                k.open_since,
            ).where(k.series_id == series_id, k.unit.in_(sorted(coverage.units)))
        )
    }
    new_keys: list[dict[str, Any]] = []
    updates: list[dict[str, Any]] = []
    pending: list[tuple[str, dict[str, Any]]] = []
    states: Counter[str] = Counter()
    changes: list[Change] = []
    for key, f in prepared.items():
        row = known.get(key)
        state = judge(f.status, row.last_judged if row else None, bool(row and row.ever_failed))
        states[state.value] += 1
        if state in (State.NEW, State.REGRESSED):
            changes.append(Change(state, f.rule_id, f.severity, f.resource_id, f.message, f.level))
        open_since = row.open_since if row else None
        opened_at = None
        if state in (State.NEW, State.REGRESSED):
            open_since = opened_at = when
        elif state is State.PERSISTING:
            opened_at = open_since = open_since or when
        elif state is State.RESOLVED:
            opened_at, open_since = open_since, None
        judged = f.status.value if f.status in (Status.PASS, Status.FAIL) else None
        observation = {
            "run_id": run_id,
            "status": f.status.value,
            "state": state.value,
            "severity": f.severity.value,
            "level": f.level.value,
            "family": f.control.value,
            "message": f.message,
            "expected": None if f.expected is None else json.dumps(f.expected, default=str),
            "actual": None if f.actual is None else json.dumps(f.actual, default=str),
            "opened_at": opened_at,
        }
        if row is None:
            new_keys.append(
                {
                    "series_id": series_id,
                    "key": key,
                    "rule_id": f.rule_id,
                    "resource_id": f.resource_id,
                    "unit": unit_of(f.resource_id),
                    "resource_group": group_of(f.resource_id),
                    "first_seen": when,
                    "last_seen": when,
                    "last_status": f.status.value,
                    "last_judged": judged,
                    "last_state": state.value,
                    "ever_failed": f.status is Status.FAIL,
                    "open_since": open_since,
                }
            )
            pending.append((key, observation))
        else:
            updates.append(
                {
                    "b_id": row.id,
                    "last_seen": when,
                    "last_status": f.status.value,
                    "last_judged": judged or row.last_judged,
                    "last_state": state.value,
                    "ever_failed": bool(row.ever_failed) or f.status is Status.FAIL,
                    "open_since": open_since,
                }
            )
            observation["key_id"] = row.id
            pending.append((key, observation))
    gone: list[dict[str, Any]] = []
    for key, row in known.items():
        if key in prepared or row.last_state == State.DISAPPEARED.value:
            continue
        if not coverage.covers(row.unit, row.resource_group):
            continue
        states[State.DISAPPEARED.value] += 1
        gone.append({"b_id": row.id, "last_state": State.DISAPPEARED.value})
        disappeared = {
            "run_id": run_id,
            "key_id": row.id,
            "status": None,
            "state": State.DISAPPEARED.value,
            "severity": "",
            "level": "",
            "family": "",
            "message": "the finding is gone: its resource was not in the audited scope's estate",
            "expected": None,
            "actual": None,
            "opened_at": None,
        }
        pending.append(("", disappeared))
    ids: dict[str, int] = {}
    if new_keys:
        returned = conn.execute(
            sa.insert(finding_keys).returning(k.id, k.key, sort_by_parameter_order=True), new_keys
        )
        ids = {r.key: r.id for r in returned}
    if updates:
        conn.execute(
            sa.update(finding_keys)
            .where(k.id == sa.bindparam("b_id"))
            .values(
                last_seen=sa.bindparam("last_seen"),
                last_status=sa.bindparam("last_status"),
                last_judged=sa.bindparam("last_judged"),
                last_state=sa.bindparam("last_state"),
                ever_failed=sa.bindparam("ever_failed"),
                open_since=sa.bindparam("open_since"),
            ),
            updates,
        )
    if gone:
        conn.execute(
            sa.update(finding_keys)
            .where(k.id == sa.bindparam("b_id"))
            .values(last_state=sa.bindparam("last_state")),
            gone,
        )
    rows: list[dict[str, Any]] = []
    for key, observation in pending:
        if "key_id" not in observation:
            observation["key_id"] = ids[key]
        rows.append(observation)
    if rows:
        conn.execute(sa.insert(observations), rows)
    return states, changes


def _carried(conn: Connection, series_id: int, coverage: Coverage) -> tuple[str, ...]:
    """The units of the series that this run did not audit (they keep their last result)."""
    t, r = tallies.c, runs.c
    units = conn.execute(
        sa.select(t.unit).distinct().join(runs, runs.c.id == t.run_id).where(r.series_id == series_id)
    ).scalars()
    return tuple(sorted(u for u in units if u not in coverage.units))
