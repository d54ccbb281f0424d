"""indexes for the end-of-day report: new members of a store and day, members in debt

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-23 02:40:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.create_index(
            "ix_members_home_store_created_at", ["home_store", "created_at"], unique=False
        )
        batch_op.create_index(
            "ix_members_overdrawn",
            ["home_store"],
            unique=False,
            sqlite_where=sa.text("balance < 0"),
        )


def downgrade() -> None:
    with op.batch_alter_table("members", schema=None) as batch_op:
        batch_op.drop_index("ix_members_overdrawn")
        batch_op.drop_index("ix_members_home_store_created_at")
