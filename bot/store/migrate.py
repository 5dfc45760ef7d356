"""Schema migrations (Alembic): bring any older database up to the schema this code expects.

Start-up and `footcoach db upgrade` call `upgrade()`. It runs in one transaction under a lock,
so several workers starting together migrate once, and on PostgreSQL (transactional DDL) a
failed upgrade leaves the database as it was. Revisions only add: no upgrade drops a table or
a column that holds rows. A database made before migrations existed (by `create_all`) has the
tables of revision 0001 and no `alembic_version` table: it is recognised, recorded as 0001
and upgraded like any other; one whose tables do not match is refused with a line saying so.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection

from bot.store.db import Database, StoreError

MIGRATIONS = Path(__file__).with_name("migrations")
FIRST = "0001"
# Any fixed number will do; it only has to differ from the per-person locks (user ids).
_MIGRATION_LOCK = 0x466F6F74_4D696772  # "FootMigr"

# The tables and columns of revision 0001, to recognise a database made by `create_all`.
_FIRST_TABLES: dict[str, frozenset[str]] = {
    "users": frozenset({"id", "state", "last_update_id", "created_at", "updated_at"}),
    "reminders": frozenset(
        {
            "user_id",
            "at_time",
            "zone",
            "days",
            "paused",
            "next_due",
            "snooze_due",
            "last_day",
            "attempts",
            "created_at",
            "updated_at",
        }
    ),
    "checkins": frozenset({"id", "user_id", "day", "score", "done", "recorded_at"}),
    "leads": frozenset(
        {
            "id",
            "code",
            "user_id",
            "status",
            "name",
            "phone",
            "best_time",
            "note",
            "symptoms",
            "red_flags",
            "pain_score",
            "created_at",
            "updated_at",
            "handled_by",
            "handled_at",
            "staff_message_id",
        }
    ),
    "outbox": frozenset(
        {
            "id",
            "topic",
            "lead_code",
            "created_at",
            "attempts",
            "next_attempt_at",
            "sending_since",
            "sent_at",
            "sent_message_id",
            "last_error",
        }
    ),
}


@dataclass(frozen=True)
class Upgrade:
    """What an upgrade did: the revision before (None: an empty database) and after."""

    before: str | None
    after: str
    adopted: bool = False

    def describe(self) -> str:
        """Say in one line what happened, for people running `footcoach db upgrade`."""
        head = head_revision()
        where = f"{self.after} (head)" if self.after == head else self.after
        if self.before == self.after:
            return f"database is at revision {where}; nothing to do"
        origin = "an empty database" if self.before is None else f"revision {self.before}"
        if self.adopted:
            origin += " (made before migrations; recognised as 0001)"
        return f"database upgraded from {origin} to revision {where}"


def _config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def head_revision() -> str:
    """Return the newest revision this code knows."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    assert head is not None
    return head


def _current(connection: Connection) -> str | None:
    return MigrationContext.configure(connection).get_current_revision()


def _adopt_if_made_by_create_all(connection: Connection) -> bool:
    """Record a pre-migration database as revision 0001; refuse one that does not match."""
    inspector = inspect(connection)
    tables = set(inspector.get_table_names())
    if not tables & set(_FIRST_TABLES):
        return False
    for name, columns in _FIRST_TABLES.items():
        found = {c["name"] for c in inspector.get_columns(name)} if name in tables else set()
        if found != columns:
            raise StoreError(
                f"the database has Footcoach tables but no migration history, and table {name!r}"
                " does not match revision 0001; restore it from a backup or upgrade by hand"
            )
    command.stamp(_config(connection), FIRST)
    return True


def _upgrade(connection: Connection, target: str) -> Upgrade:
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _MIGRATION_LOCK})
    before = _current(connection)
    adopted = before is None and _adopt_if_made_by_create_all(connection)
    try:
        command.upgrade(_config(connection), target)
    except CommandError as exc:
        raise StoreError(
            f"cannot migrate the database ({exc}); was it made by a newer Footcoach?"
        ) from None
    after = _current(connection)
    assert after is not None
    return Upgrade(FIRST if adopted else before, after, adopted)


async def upgrade(db: Database, target: str = "head") -> Upgrade:
    """Migrate the database to `target` (the newest revision by default) in one transaction."""
    async with db.engine.begin() as conn:
        return await conn.run_sync(_upgrade, target)


async def current(db: Database) -> str | None:
    """Return the database's revision (None for an empty or pre-migration database)."""
    async with db.engine.connect() as conn:
        return await conn.run_sync(_current)
