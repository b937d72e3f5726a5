"""Index the people columns a nightly run selects by: unsubscribed and link_broken.

Revision ID: 0003
Revises: 0002
"""

from __future__ import annotations

from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_people_unsubscribed", "people", ["unsubscribed"])
    op.create_index("ix_people_link_broken", "people", ["link_broken"])


def downgrade() -> None:
    op.drop_index("ix_people_link_broken", table_name="people")
    op.drop_index("ix_people_unsubscribed", table_name="people")
