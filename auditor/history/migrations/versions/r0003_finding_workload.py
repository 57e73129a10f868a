"""Finding keys name their workload: a resource shared by two workloads has one key in each.

The key becomes `rule|resource|workload identity` for findings judged in a workload; keys written
before keep their `rule|resource` form and an empty workload, and the next run that judges the
same rule and resource in a workload takes such a key over (its history goes on).

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add finding_keys.workload (empty for the keys already there), and make room in the key for it
    (rule 200 + resource 1000 + workload 1000 and the separators)."""
    with op.batch_alter_table("finding_keys") as batch:
        batch.add_column(sa.Column("workload", sa.String(1000), nullable=False, server_default=""))
        batch.alter_column(
            "key", existing_type=sa.String(1200), type_=sa.String(2400), existing_nullable=False
        )
