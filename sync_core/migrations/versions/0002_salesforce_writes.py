"""Record every successful write to Salesforce per person: the Salesforce half of the trail.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from sync_core.tables import UtcDateTime

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "salesforce_writes",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("person_id", sa.Integer, sa.ForeignKey("people.id"), nullable=False, index=True),
        sa.Column("run_id", sa.Integer, sa.ForeignKey("runs.id")),
        sa.Column("at", UtcDateTime, nullable=False),
        sa.Column("record_id", sa.String(18), nullable=False),
        sa.Column("fields", sa.String(200), nullable=False),
        sa.Column("origin", sa.String(16), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("salesforce_writes")
