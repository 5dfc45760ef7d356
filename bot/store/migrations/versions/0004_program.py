"""The program's level changes, function scores, the weekly review, the first name.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the tables and the column (empty: nothing existing changes)."""
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("first_name", sa.String(length=64), nullable=True))
    with op.batch_alter_table("reminders") as table:
        table.add_column(sa.Column("review_day", sa.Date(), nullable=True))
    op.create_table(
        "function_scores",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("activity", sa.String(length=120), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "day", "activity", name="uq_function_scores_day"),
    )
    op.create_index("ix_function_scores_user_id", "function_scores", ["user_id"])
    op.create_table(
        "level_changes",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("exercise", sa.String(length=64), nullable=False),
        sa.Column("before", sa.Integer(), nullable=False),
        sa.Column("after", sa.Integer(), nullable=False),
        sa.Column("reason", sa.String(length=32), nullable=False),
        sa.Column("recorded_at", Instant, nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_level_changes_user_id", "level_changes", ["user_id"])


def downgrade() -> None:
    """Drop them (the history of levels and the function scores are lost)."""
    op.drop_table("level_changes")
    op.drop_table("function_scores")
    with op.batch_alter_table("reminders") as table:
        table.drop_column("review_day")
    with op.batch_alter_table("users") as table:
        table.drop_column("first_name")
