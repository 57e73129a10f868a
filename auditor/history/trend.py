"""The trend of each series: per run the estate's score with carried-forward units, states, time to fix.

A run that skipped a subscription does not make the trend jump: each point sums, per
unit, the tallies of the newest run so far that audited it, and names the units carried
forward with their age.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from auditor.model import Tally

from .query import RunInfo
from .states import FAILING, ORDER
from .tables import finding_keys, observations, runs, series, tallies

SCHEMA_VERSION = "1.0"
OLDEST = 20
_TIME = "%Y-%m-%dT%H:%M:%SZ"


@dataclass(frozen=True)
class _Unit:
    run_id: int
    started_at: datetime
    families: Mapping[str, Tally]


def history_doc(
    conn: Connection, shown: Sequence[RunInfo], now: datetime, filters: Mapping[str, Any]
) -> dict[str, Any]:
    """The history document (history.schema.json) of the runs shown, grouped by series."""
    by_series: dict[int, list[RunInfo]] = defaultdict(list)
    for run in shown:
        by_series[run.series_id].append(run)
    out = []
    for series_id, picked in by_series.items():
        out.append(_series(conn, series_id, picked, now))
    out.sort(key=lambda s: (s["label"], s["baseline"]))
    return {
        "schema_version": SCHEMA_VERSION,
        "generated_at": now.strftime(_TIME),
        "filters": dict(filters),
        "series": out,
    }


def _series(conn: Connection, series_id: int, picked: Sequence[RunInfo], now: datetime) -> dict[str, Any]:
    row = conn.execute(sa.select(series).where(series.c.id == series_id)).one()
    every = conn.execute(
        sa.select(runs.c.id, runs.c.started_at)
        .where(runs.c.series_id == series_id)
        .order_by(runs.c.started_at, runs.c.id)
    ).all()
    rows_by_run: dict[int, dict[str, dict[str, Tally]]] = defaultdict(lambda: defaultdict(dict))
    t = tallies.c
    query = sa.select(tallies).join(runs, runs.c.id == t.run_id).where(runs.c.series_id == series_id)
    for r in conn.execute(query):
        rows_by_run[r.run_id][r.unit][r.family] = Tally(
            passed=r.passed,
            failed=r.failed,
            not_assessed=r.not_assessed,
            waived=r.waived,
            errors=r.errors,
            pass_weight=r.pass_weight,
            fail_weight=r.fail_weight,
        )
    wanted = {run.id for run in picked}
    info = {run.id: run for run in picked}
    states = _state_counts(conn, wanted)
    latest: dict[str, _Unit] = {}
    points = []
    for run_id, started in every:
        for unit, families in rows_by_run.get(run_id, {}).items():
            latest[unit] = _Unit(run_id, started, families)
        if run_id not in wanted:
            continue
        points.append(_point(info[run_id], latest, states.get(run_id, Counter())))
    return {
        "label": row.label,
        "baseline": row.baseline,
        "runs": points,
        "mean_time_to_fix_days": _mean_time_to_fix(conn, wanted),
        "oldest_open": _oldest_open(conn, series_id, now),
    }


def _sum(tallies_: Sequence[Tally]) -> Tally:
    total = Counter[str]()
    weights = [0.0, 0.0]
    for t in tallies_:
        total.update(
            passed=t.passed, failed=t.failed, not_assessed=t.not_assessed, waived=t.waived, errors=t.errors
        )
        weights[0] += t.pass_weight
        weights[1] += t.fail_weight
    return Tally(**total, pass_weight=weights[0], fail_weight=weights[1])


def _point(run: RunInfo, latest: Mapping[str, _Unit], states: Counter[str]) -> dict[str, Any]:
    families: dict[str, list[Tally]] = defaultdict(list)
    for unit in latest.values():
        for family, tally in unit.families.items():
            families[family].append(tally)
    overall = _sum(families.pop("*", []))
    carried = [
        {
            "unit": name,
            "run_id": unit.run_id,
            "age_days": round((run.started_at - unit.started_at).total_seconds() / 86400, 2),
        }
        for name, unit in sorted(latest.items())
        if unit.run_id != run.id and name
    ]
    return {
        "run_id": run.id,
        "uid": run.uid,
        "started_at": run.started_at.strftime(_TIME),
        "finished_at": run.finished_at.strftime(_TIME),
        "baseline_version": run.baseline_version,
        "tool_version": run.tool_version,
        "subscriptions": run.subscriptions,
        "carried_forward": carried,
        "score": 0.0 if overall.score is None else overall.score,
        "coverage": overall.coverage,
        "run_score": run.score,
        "run_coverage": run.coverage,
        "families": {
            name: {"score": total.score, "coverage": total.coverage}
            for name, total in sorted((n, _sum(ts)) for n, ts in families.items())
            if total.active
        },
        "counts": {
            "passed": overall.passed,
            "failed": overall.failed,
            "not_assessed": overall.not_assessed,
            "waived": overall.waived,
            "errors": overall.errors,
        },
        "states": {s.value: states.get(s.value, 0) for s in ORDER},
    }


def _state_counts(conn: Connection, run_ids: set[int]) -> dict[int, Counter[str]]:
    o = observations.c
    out: dict[int, Counter[str]] = defaultdict(Counter)
    if not run_ids:
        return out
    query = (
        sa.select(o.run_id, o.state, sa.func.count())
        .where(o.run_id.in_(sorted(run_ids)))
        .group_by(o.run_id, o.state)
    )
    for run_id, state, count in conn.execute(query):
        out[run_id][state] = count
    return out


def _mean_time_to_fix(conn: Connection, run_ids: set[int]) -> float | None:
    """Mean days from a failure's first failing run to the run that resolved it, over the runs shown."""
    o = observations.c
    query = (
        sa.select(runs.c.started_at, o.opened_at)
        .join(runs, runs.c.id == o.run_id)
        .where(o.run_id.in_(sorted(run_ids)), o.state == "resolved", o.opened_at.is_not(None))
    )
    spans = [(fixed - opened).total_seconds() / 86400 for fixed, opened in conn.execute(query)]
    return round(sum(spans) / len(spans), 2) if spans else None


def _oldest_open(conn: Connection, series_id: int, now: datetime) -> list[dict[str, Any]]:
    k = finding_keys.c
    query = (
        sa.select(k.rule_id, k.resource_id, k.open_since, k.last_state, k.last_seen)
        .where(
            k.series_id == series_id, k.last_state.in_([s.value for s in FAILING]), k.open_since.is_not(None)
        )
        .order_by(k.open_since, k.key)
        .limit(OLDEST)
    )
    return [
        {
            "rule_id": r.rule_id,
            "resource_id": r.resource_id,
            "open_since": r.open_since.strftime(_TIME),
            "age_days": round((now - r.open_since).total_seconds() / 86400, 2),
            "state": r.last_state,
        }
        for r in conn.execute(query)
    ]


BLOCKS = "▁▂▃▄▅▆▇█"


def sparkline(values: Sequence[float]) -> str:
    """A one-line trend of 0-100 values in block characters."""
    return "".join(BLOCKS[min(len(BLOCKS) - 1, int(v / 100 * len(BLOCKS)))] for v in values)
