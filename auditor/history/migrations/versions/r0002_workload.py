"""Runs name the workload they audited (a dimension of the diff), and are indexed by series and time.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add runs.workload and the (series, started) index."""
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("workload", sa.String(200)))
    op.create_index("ix_runs_series_started", "runs", ["series_id", "started_at"])
