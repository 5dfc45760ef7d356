"""A callback request can carry the person's report to the staff chat.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the two columns (no request asked for a report before)."""
    with op.batch_alter_table("leads") as table:
        table.add_column(
            sa.Column("report_wanted", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        table.add_column(sa.Column("report_message_id", sa.BigInteger(), nullable=True))


def downgrade() -> None:
    """Drop the columns."""
    with op.batch_alter_table("leads") as table:
        table.drop_column("report_message_id")
        table.drop_column("report_wanted")
