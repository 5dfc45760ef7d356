"""The inbox knows updates by the bot that received them and Telegram's number.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-02

Telegram numbers each bot's updates on its own, so a second bot on the same store met numbers
the first had used. Rows recorded before this revision belong to the bot that was running
then; its id is not in the database, so they get bot id 0 ("before keying"), and the first
bot that starts adopts them (bot/store/inbox.py `adopt_unkeyed`): its pending updates are
applied, its applied ones still stop redeliveries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from alembic import op
from alembic.operations import BatchOperations

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

PENDING = sa.text("processed_at IS NULL")


def upgrade() -> None:
    """Key the inbox by (bot_id, update_id); existing rows get bot id 0."""
    op.drop_index("ix_inbox_pending", table_name="inbox")
    with op.batch_alter_table("inbox") as table:
        table.add_column(
            sa.Column(
                "bot_id", sa.BigInteger(), nullable=False, server_default="0", autoincrement=False
            )
        )
    with _rekeyed(["bot_id", "update_id"]) as table:
        table.alter_column("bot_id", server_default=None)
    _pending_index(["bot_id", "user_id", "update_id"])


def downgrade() -> None:
    """Key the inbox by update_id alone again, keeping one row of each number."""
    op.drop_index("ix_inbox_pending", table_name="inbox")
    op.execute(
        "DELETE FROM inbox WHERE EXISTS (SELECT 1 FROM inbox AS other "
        "WHERE other.update_id = inbox.update_id AND other.bot_id < inbox.bot_id)"
    )
    with _rekeyed(["update_id"]) as table:
        table.drop_column("bot_id")
    _pending_index(["user_id", "update_id"])


@contextmanager
def _rekeyed(key: list[str]) -> Iterator[BatchOperations]:
    """Change the primary key to `key` (SQLite cannot in place: the batch copies the table)."""
    if op.get_context().dialect.name != "sqlite":
        with op.batch_alter_table("inbox") as table:
            table.drop_constraint("inbox_pkey", type_="primary")
            table.create_primary_key("inbox_pkey", key)
            yield table
        return
    # Reflected, the old key's columns say primary_key=True and clash with the new key: the
    # copy is made from the table as written here, without a key, and given the new one.
    as_is = sa.Table(
        "inbox",
        sa.MetaData(),
        sa.Column("bot_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("update_id", sa.BigInteger(), nullable=False, autoincrement=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("payload", sa.Text(), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("processed_by", sa.String(length=64), nullable=True),
        sa.Column("failed", sa.Boolean(), nullable=False),
        sa.Index("ix_inbox_processed_at", "processed_at"),
    )
    with op.batch_alter_table("inbox", copy_from=as_is, recreate="always") as table:
        table.create_primary_key("inbox_pkey", key)
        yield table


def _pending_index(columns: list[str]) -> None:
    op.create_index(
        "ix_inbox_pending",
        "inbox",
        columns,
        unique=False,
        postgresql_where=PENDING,
        sqlite_where=PENDING,
    )
