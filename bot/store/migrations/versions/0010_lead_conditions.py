"""A callback request carries the person's known conditions (diabetes, poor circulation).

Staff saw the warning signs but not the condition that changes what they mean.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    """Add the column; requests made before it carry none."""
    with op.batch_alter_table("leads") as table:
        table.add_column(sa.Column("conditions", sa.Text(), nullable=False, server_default="[]"))


def downgrade() -> None:
    """Drop it."""
    with op.batch_alter_table("leads") as table:
        table.drop_column("conditions")
