"""The inbox of Telegram updates: each applied once and in order, whichever worker got it.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)
PENDING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    """Add the inbox table; no existing row changes."""
    op.create_table(
        "inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", Instant, nullable=False),
        sa.Column("processed_at", Instant, nullable=True),
        sa.Column("processed_by", sa.String(length=64), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("update_id"),
    )
    op.create_index(
        "ix_inbox_pending",
        "inbox",
        ["user_id", "update_id"],
        unique=False,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
    op.create_index("ix_inbox_processed_at", "inbox", ["processed_at"], unique=False)


def downgrade() -> None:
    """Drop the inbox (updates not yet processed are lost)."""
    op.drop_table("inbox")
