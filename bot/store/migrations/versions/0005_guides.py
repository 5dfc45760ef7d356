"""Guided sessions, how each move felt, and the pictures Telegram already holds.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-27
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the guides, feedback and media_files tables; no existing row changes."""
    op.create_table(
        "guides",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=True),
        sa.Column("message_id", sa.BigInteger(), nullable=True),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("plan", sa.Text(), nullable=False),
        sa.Column("started_at", Instant, nullable=False),
        sa.Column("paused_at", Instant, nullable=True),
        sa.Column("paused_s", sa.Float(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("next_edit_at", Instant, nullable=True),
        sa.Column("last_edit_at", Instant, nullable=True),
        sa.Column("updated_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_index("ix_guides_next_edit_at", "guides", ["next_edit_at"], unique=False)
    op.create_table(
        "feedback",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("feeling", sa.String(length=16), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "exercise", "day", name="uq_feedback_user_exercise_day"),
    )
    op.create_index("ix_feedback_user_id", "feedback", ["user_id"], unique=False)
    op.create_table(
        "media_files",
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("file_key", sa.String(length=200), nullable=False),
        sa.Column("file_id", sa.String(length=255), nullable=False),
        sa.Column("created_at", Instant, nullable=False),
        sa.PrimaryKeyConstraint("bot_id", "file_key"),
    )


def downgrade() -> None:
    """Drop the three tables (running guides, answers and cached file ids are lost)."""
    op.drop_table("media_files")
    op.drop_table("feedback")
    op.drop_table("guides")
