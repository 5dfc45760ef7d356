"""A reminder asked for "from tomorrow" keeps its first day.

Without it, a change of time, a resume or a second reminder worked the due time out from now
and could bring the first reminder before the day asked for.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column, empty: existing reminders have started already."""
    with op.batch_alter_table("reminders") as table:
        table.add_column(sa.Column("starts_on", sa.Date(), nullable=True))


def downgrade() -> None:
    """Drop it (a reminder not yet started may then come a day early)."""
    with op.batch_alter_table("reminders") as table:
        table.drop_column("starts_on")
