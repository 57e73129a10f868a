"""Retention: drop runs older than N days, but never the latest run of a series or of a unit in it."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Engine

from . import store
from .tables import observations, runs, tallies


def prune(engine: Engine, keep_days: int, now: datetime) -> int:
    """Delete the runs started over `keep_days` days before `now` that nothing still needs; how many."""
    cutoff = now - timedelta(days=keep_days)

    def work(conn: Connection) -> int:
        keep: set[int] = set()
        newest: dict[object, tuple[datetime, int]] = {}
        query = (
            sa.select(runs.c.id, runs.c.series_id, runs.c.started_at, tallies.c.unit)
            .join(tallies, tallies.c.run_id == runs.c.id)
            .where(tallies.c.family == "*")
        )
        units: dict[int, set[str]] = defaultdict(set)
        old: set[int] = set()
        for run_id, series_id, started, unit in conn.execute(query):
            units[run_id].add(unit)
            for scope in ((series_id,), (series_id, unit)):
                if scope not in newest or newest[scope] < (started, run_id):
                    newest[scope] = (started, run_id)
            if started < cutoff:
                old.add(run_id)
        keep = {run_id for _, run_id in newest.values()}
        doomed = sorted(old - keep)
        for start in range(0, len(doomed), 500):
            chunk = doomed[start : start + 500]
            conn.execute(sa.delete(observations).where(observations.c.run_id.in_(chunk)))
            conn.execute(sa.delete(tallies).where(tallies.c.run_id.in_(chunk)))
            conn.execute(sa.delete(runs).where(runs.c.id.in_(chunk)))
        return len(doomed)

    return store.transaction(engine, work, serializable=True)
