"""The history database's tables, as the newest migration leaves them (SQLAlchemy Core).

A *series* is one label and one baseline; its runs audit *units* (subscriptions), and a
unit a run did not audit keeps its last result (carried forward). A *finding key* is the
rule id, the normalised resource id and the workload, with its state across the series; an
*observation* is one key in one run.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)

metadata = MetaData()

series = Table(
    "series",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("label", String(200), nullable=False),
    Column("baseline", String(200), nullable=False),
    UniqueConstraint("label", "baseline", name="uq_series_label_baseline"),
)

runs = Table(
    "runs",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("uid", String(36), nullable=False, unique=True),
    Column("series_id", Integer, ForeignKey("series.id"), nullable=False),
    Column("baseline_version", String(50), nullable=False),
    Column("tool_version", String(50), nullable=False),
    Column("started_at", DateTime, nullable=False),
    Column("finished_at", DateTime, nullable=False),
    Column("score", Float, nullable=False),
    Column("coverage", Float, nullable=False),
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("not_assessed", Integer, nullable=False),
    Column("waived", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("recommended_failed", Integer, nullable=False),
    # JSON text: {family: tally} and the report's scope block
    Column("families", Text, nullable=False),
    Column("scope", Text, nullable=False),
    Column("management_group", String(200)),
    Column("snapshot_digest", String(80)),
    Column("finding_count", Integer, nullable=False),
    # added by migration 0002: the workload a run audited, for a per-workload dimension
    Column("workload", String(200)),
    Index("ix_runs_series_started", "series_id", "started_at"),
)

# One row per (run, unit, family) plus a family "*" row per unit audited (the unit's total).
tallies = Table(
    "tallies",
    metadata,
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("family", String(50), nullable=False),
    Column("passed", Integer, nullable=False),
    Column("failed", Integer, nullable=False),
    Column("not_assessed", Integer, nullable=False),
    Column("waived", Integer, nullable=False),
    Column("errors", Integer, nullable=False),
    Column("pass_weight", Float, nullable=False),
    Column("fail_weight", Float, nullable=False),
    Index("ix_tallies_run", "run_id"),
)

finding_keys = Table(
    "finding_keys",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("series_id", Integer, ForeignKey("series.id"), nullable=False),
    Column("key", String(2400), nullable=False),
    Column("rule_id", String(200), nullable=False),
    Column("resource_id", String(1000), nullable=False),
    Column("unit", String(200), nullable=False),
    Column("resource_group", String(200), nullable=False),
    Column("first_seen", DateTime, nullable=False),
    Column("last_seen", DateTime, nullable=False),
    Column("last_status", String(20)),
    Column("last_judged", String(20)),
    Column("last_state", String(20), nullable=False),
    Column("ever_failed", Boolean, nullable=False),
    # start of the current failing streak (None when not failing)
    Column("open_since", DateTime),
    # added by migration 0003: the identity of the workload the finding was judged in ('' for none,
    # and for keys written before; the key then has no workload part)
    Column("workload", String(1000), nullable=False, server_default=""),
    UniqueConstraint("series_id", "key", name="uq_finding_keys_series_key"),
    Index("ix_finding_keys_series_unit", "series_id", "unit"),
)

observations = Table(
    "observations",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("run_id", Integer, ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
    Column("key_id", Integer, ForeignKey("finding_keys.id"), nullable=False),
    # None for a disappeared key: there is no verdict
    Column("status", String(20)),
    Column("state", String(20), nullable=False),
    Column("severity", String(20), nullable=False),
    Column("level", String(20), nullable=False),
    Column("family", String(50), nullable=False),
    Column("message", Text, nullable=False),
    Column("expected", Text),
    Column("actual", Text),
    # a failing streak's start: set on failing observations and on the one that resolved it
    Column("opened_at", DateTime),
    Index("ix_observations_run", "run_id"),
    Index("ix_observations_key", "key_id"),
)
