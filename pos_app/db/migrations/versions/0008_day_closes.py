"""day closes

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-23 01:55:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import pos_app.db.types

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "day_closes",
        sa.Column("store_code", sa.String(length=32), nullable=False),
        sa.Column("business_day", sa.Date(), nullable=False),
        sa.Column("closed_at", pos_app.db.types.UTCDateTime(), nullable=False),
        sa.Column("closed_by", sa.String(length=36), nullable=False),
        sa.Column("ledger_upto", sa.Integer(), nullable=False),
        sa.Column("sales_upto", sa.Integer(), nullable=False),
        sa.Column("returns_upto", sa.Integer(), nullable=False),
        sa.Column("redemptions_upto", sa.Integer(), nullable=False),
        sa.Column("members_upto", sa.Integer(), nullable=False),
        sa.Column("report_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by"], ["staff.id"], name=op.f("fk_day_closes_closed_by_staff")
        ),
        sa.PrimaryKeyConstraint("store_code", "business_day", name=op.f("pk_day_closes")),
    )
    with op.batch_alter_table("gift_redemptions", schema=None) as batch_op:
        batch_op.create_index("ix_gift_redemptions_business_day", ["business_day"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("gift_redemptions", schema=None) as batch_op:
        batch_op.drop_index("ix_gift_redemptions_business_day")
    op.drop_table("day_closes")
