"""members' kiosk PIN hash

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23 03:10:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("hq_members", sa.Column("pin_hash", sa.String(length=200), nullable=True))


def downgrade() -> None:
    op.drop_column("hq_members", "pin_hash")
