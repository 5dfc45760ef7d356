"""Data that expires: when each person was last seen, and their expiry notice.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

Instant = sa.DateTime(timezone=True)


def upgrade() -> None:
    """Add the columns; everyone is taken as last seen at their row's last change."""
    with op.batch_alter_table("users") as table:
        table.add_column(sa.Column("last_seen_at", Instant, nullable=True))
        table.add_column(sa.Column("expiry_noticed_at", Instant, nullable=True))
        table.add_column(sa.Column("expiry_due_at", Instant, nullable=True))
    # Only the person's own steps changed a user row, so its last change is when they were
    # last seen (a guide's end, the one exception, follows their own press by minutes).
    op.execute("UPDATE users SET last_seen_at = updated_at")
    op.create_index("ix_users_last_seen_at", "users", ["last_seen_at"])
    op.create_index("ix_users_expiry_due_at", "users", ["expiry_due_at"])


def downgrade() -> None:
    """Drop them."""
    op.drop_index("ix_users_expiry_due_at", table_name="users")
    op.drop_index("ix_users_last_seen_at", table_name="users")
    with op.batch_alter_table("users") as table:
        table.drop_column("expiry_due_at")
        table.drop_column("expiry_noticed_at")
        table.drop_column("last_seen_at")
