"""Runs name the process that owns them and its heartbeat, and say how they ended.

A run whose owner died (kill -9, power loss) is closed as `interrupted` by the next process
that starts against the store, so no run stays "in progress" forever.

Revision ID: 0005
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync_core.tables import UtcDateTime

revision = "0005"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("owner", sa.String(128)))
        batch.add_column(sa.Column("heartbeat_at", UtcDateTime))
        batch.add_column(sa.Column("status", sa.String(16), nullable=False, server_default="done"))
        batch.create_index("ix_runs_status", ["status"])
    runs = sa.table("runs", sa.column("status", sa.String), sa.column("finished_at", UtcDateTime))
    op.execute(runs.update().where(runs.c.finished_at.is_(None)).values(status="running"))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_status")
        batch.drop_column("status")
        batch.drop_column("heartbeat_at")
        batch.drop_column("owner")
