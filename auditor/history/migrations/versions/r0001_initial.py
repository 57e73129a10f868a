"""The first schema: series, runs, per-unit tallies, finding keys and observations.

Revision ID: 0001
Revises:
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Create the tables."""
    op.create_table(
        "series",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("label", sa.String(200), nullable=False),
        sa.Column("baseline", sa.String(200), nullable=False),
        sa.UniqueConstraint("label", "baseline", name="uq_series_label_baseline"),
    )
    op.create_table(
        "runs",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("uid", sa.String(36), nullable=False, unique=True),
        sa.Column("series_id", sa.Integer, sa.ForeignKey("series.id"), nullable=False),
        sa.Column("baseline_version", sa.String(50), nullable=False),
        sa.Column("tool_version", sa.String(50), nullable=False),
        sa.Column("started_at", sa.DateTime, nullable=False),
        sa.Column("finished_at", sa.DateTime, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("coverage", sa.Float, nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("not_assessed", sa.Integer, nullable=False),
        sa.Column("waived", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("recommended_failed", sa.Integer, nullable=False),
        sa.Column("families", sa.Text, nullable=False),
        sa.Column("scope", sa.Text, nullable=False),
        sa.Column("management_group", sa.String(200)),
        sa.Column("snapshot_digest", sa.String(80)),
        sa.Column("finding_count", sa.Integer, nullable=False),
    )
    op.create_table(
        "tallies",
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("family", sa.String(50), nullable=False),
        sa.Column("passed", sa.Integer, nullable=False),
        sa.Column("failed", sa.Integer, nullable=False),
        sa.Column("not_assessed", sa.Integer, nullable=False),
        sa.Column("waived", sa.Integer, nullable=False),
        sa.Column("errors", sa.Integer, nullable=False),
        sa.Column("pass_weight", sa.Float, nullable=False),
        sa.Column("fail_weight", sa.Float, nullable=False),
    )
    op.create_index("ix_tallies_run", "tallies", ["run_id"])
    op.create_table(
        "finding_keys",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("series_id", sa.Integer, sa.ForeignKey("series.id"), nullable=False),
        sa.Column("key", sa.String(1200), nullable=False),
        sa.Column("rule_id", sa.String(200), nullable=False),
        sa.Column("resource_id", sa.String(1000), nullable=False),
        sa.Column("unit", sa.String(200), nullable=False),
        sa.Column("resource_group", sa.String(200), nullable=False),
        sa.Column("first_seen", sa.DateTime, nullable=False),
        sa.Column("last_seen", sa.DateTime, nullable=False),
        sa.Column("last_status", sa.String(20)),
        sa.Column("last_judged", sa.String(20)),
        sa.Column("last_state", sa.String(20), nullable=False),
        sa.Column("ever_failed", sa.Boolean, nullable=False),
        sa.Column("open_since", sa.DateTime),
        sa.UniqueConstraint("series_id", "key", name="uq_finding_keys_series_key"),
    )
    op.create_index("ix_finding_keys_series_unit", "finding_keys", ["series_id", "unit"])
    op.create_table(
        "observations",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id", ondelete="CASCADE"), nullable=False),
        sa.Column("key_id", sa.Integer, sa.ForeignKey("finding_keys.id"), nullable=False),
        sa.Column("status", sa.String(20)),
        sa.Column("state", sa.String(20), nullable=False),
        sa.Column("severity", sa.String(20), nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("family", sa.String(50), nullable=False),
        sa.Column("message", sa.Text, nullable=False),
        sa.Column("expected", sa.Text),
        sa.Column("actual", sa.Text),
        sa.Column("opened_at", sa.DateTime),
    )
    op.create_index("ix_observations_run", "observations", ["run_id"])
    op.create_index("ix_observations_key", "observations", ["key_id"])
