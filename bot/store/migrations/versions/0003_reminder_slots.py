"""A second daily reminder, and the follow-up of a reminder nobody answered.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the new columns (all empty: existing reminders carry on as they were)."""
    with op.batch_alter_table("reminders") as table:
        table.add_column(sa.Column("second_at", sa.String(length=5), nullable=True))
        table.add_column(sa.Column("second_next_due", Instant, nullable=True))
        table.add_column(sa.Column("second_last_day", sa.Date(), nullable=True))
        table.add_column(sa.Column("follow_up_due", Instant, nullable=True))
        table.add_column(sa.Column("answered_day", sa.Date(), nullable=True))
    op.create_index("ix_reminders_second_next_due", "reminders", ["second_next_due"])
    op.create_index("ix_reminders_follow_up_due", "reminders", ["follow_up_due"])


def downgrade() -> None:
    """Drop them (second reminders and pending follow-ups are lost)."""
    op.drop_index("ix_reminders_follow_up_due", table_name="reminders")
    op.drop_index("ix_reminders_second_next_due", table_name="reminders")
    with op.batch_alter_table("reminders") as table:
        for column in (
            "answered_day",
            "follow_up_due",
            "second_last_day",
            "second_next_due",
            "second_at",
        ):
            table.drop_column(column)
