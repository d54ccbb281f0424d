"""kiosk PIN lockout and look-up rate limit

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-23 03:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pos_app.db.types

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "kiosk_pin_state",
        sa.Column("member_id", sa.String(length=36), nullable=False),
        sa.Column("failed_attempts", sa.Integer(), nullable=False),
        sa.Column("locked_until", pos_app.db.types.UTCDateTime(), nullable=True),
        sa.Column("updated_at", pos_app.db.types.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["member_id"], ["members.id"], name=op.f("fk_kiosk_pin_state_member_id_members")
        ),
        sa.PrimaryKeyConstraint("member_id", name=op.f("pk_kiosk_pin_state")),
    )
    op.create_table(
        "kiosk_lookup_guard",
        sa.Column("kiosk", sa.String(length=64), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("window_start", pos_app.db.types.UTCDateTime(), nullable=False),
        sa.Column("blocked_until", pos_app.db.types.UTCDateTime(), nullable=True),
        sa.PrimaryKeyConstraint("kiosk", name=op.f("pk_kiosk_lookup_guard")),
    )


def downgrade() -> None:
    op.drop_table("kiosk_lookup_guard")
    op.drop_table("kiosk_pin_state")
