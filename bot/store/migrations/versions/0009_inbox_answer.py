"""Keep a button press's callback query id with its applied update.

The answer to a press goes out beside its step rather than before it; a worker killed after
the step's commit and before the answer leaves the press for the next start to answer.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column; updates applied before it carry none."""
    with op.batch_alter_table("inbox") as table:
        table.add_column(sa.Column("answer_id", sa.String(64), nullable=True))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("inbox") as table:
        table.drop_column("answer_id")
