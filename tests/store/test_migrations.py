"""Migrations: an older database is upgraded in place, keeps every row, and is never guessed at."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Table, insert, select, text
from sqlalchemy.engine import Connection

from bot.__main__ import main
from bot.bootstrap import StartupError, open_components
from bot.config import Settings
from bot.store import migrate
from bot.store.db import Database, StoreError
from bot.store.schema import Base, CheckinRow, InboxRow, LeadRow, OutboxRow, ReminderRow, User
from tests.conftest import KNOWLEDGE_DIR

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
# The newest revision (one place to change when a revision is added or renumbered).
HEAD = "0011"

# One row in every table of revision 0001, as the first releases wrote them.
FIRST_ROWS: dict[type[Base], list[dict[str, Any]]] = {
    User: [
        {
            "id": 42,
            "state": '{"step": "routine"}',
            "last_update_id": None,
            "created_at": NOW,
            "updated_at": NOW,
        },
        {"id": 43, "state": "{}", "last_update_id": 9, "created_at": NOW, "updated_at": NOW},
    ],
    ReminderRow: [
        {
            "user_id": 42,
            "at_time": "07:30",
            "zone": "Europe/London",
            "days": "daily",
            "paused": False,
            "next_due": NOW,
            "snooze_due": None,
            "last_day": date(2026, 11, 24),
            "attempts": 1,
            "created_at": NOW,
            "updated_at": NOW,
        }
    ],
    CheckinRow: [
        {"user_id": 42, "day": date(2026, 11, 24), "score": 5, "done": True, "recorded_at": NOW}
    ],
    LeadRow: [
        {
            "code": "FC-7K3QX",
            "user_id": 42,
            "status": "open",
            "name": "Ann",
            "phone": "+447400123456",
            "best_time": "evening",
            "note": "after 6pm",
            "symptoms": '["tight_calves"]',
            "red_flags": "[]",
            "pain_score": 6,
            "created_at": NOW,
            "updated_at": NOW,
        }
    ],
    OutboxRow: [
        {
            "topic": "staff",
            "lead_code": "FC-7K3QX",
            "created_at": NOW,
            "attempts": 0,
            "next_attempt_at": NOW,
        }
    ],
}


def settings_for(url: str) -> Settings:
    return Settings(_env_file=None, database_url=url, knowledge_dir=KNOWLEDGE_DIR)


def table_of(model: type[Base]) -> Table:
    """Return a model's table (typed as a Table: every model here has one)."""
    table = model.__table__
    assert isinstance(table, Table)
    return table


async def fill_first_revision(db: Database) -> None:
    async with db.engine.begin() as conn:
        for model, rows in FIRST_ROWS.items():
            await conn.execute(insert(table_of(model)), rows)


async def check_first_rows(db: Database) -> None:
    async with db.engine.connect() as conn:
        for model, rows in FIRST_ROWS.items():
            table = table_of(model)
            stored = (await conn.execute(select(table).order_by(*table.primary_key))).mappings()
            stored_rows = [dict(r) for r in stored]
            assert len(stored_rows) == len(rows), table.name
            for want, got in zip(rows, stored_rows, strict=True):
                assert {k: got[k] for k in want} == want, table.name


async def test_an_empty_database_is_migrated_to_the_newest_revision(db_url):
    db = Database(db_url)
    try:
        assert await migrate.current(db) is None
        done = await migrate.upgrade(db)
        assert (done.before, done.after) == (None, migrate.head_revision())
        assert await migrate.current(db) == migrate.head_revision() == HEAD
        again = await migrate.upgrade(db)
        assert again.before == again.after == HEAD
        assert "nothing to do" in again.describe()
    finally:
        await db.close()


async def test_the_newest_revision_is_exactly_what_the_models_say(db_url):
    db = Database(db_url)
    try:
        await migrate.upgrade(db)

        def differences(conn: Connection) -> list[object]:
            context = MigrationContext.configure(conn, opts={"compare_type": True})
            return list(compare_metadata(context, Base.metadata))

        async with db.engine.connect() as conn:
            assert await conn.run_sync(differences) == []
    finally:
        await db.close()


async def test_a_database_of_the_first_revision_is_upgraded_with_every_row_kept(db_url):
    db = Database(db_url)
    try:
        first = await migrate.upgrade(db, "0001")
        assert first.after == "0001"
        await fill_first_revision(db)
        done = await migrate.upgrade(db)
        assert (done.before, done.after) == ("0001", HEAD)
        await check_first_rows(db)
        # The new table works beside the old rows.
        async with db.transaction() as session:
            session.add(InboxRow(bot_id=7, update_id=1, user_id=42, payload="{}", received_at=NOW))
        async with db.transaction() as session:
            assert (await session.get(InboxRow, (7, 1))) is not None
            # Data expires from the last change of each person's row (revision 0008).
            people = (await session.execute(select(User).order_by(User.id))).scalars()
            assert [(u.id, u.last_seen_at, u.expiry_noticed_at) for u in people] == [
                (42, NOW, None),
                (43, NOW, None),
            ]
            # A request made before conditions were kept carries none (revision 0010).
            [lead] = (await session.execute(select(LeadRow))).scalars()
            assert lead.conditions == "[]"
            # A reminder made before start days were kept has started already (revision 0011).
            [reminder] = (await session.execute(select(ReminderRow))).scalars()
            assert (reminder.at_time, reminder.starts_on) == ("07:30", None)
    finally:
        await db.close()


async def test_start_up_adopts_a_database_made_before_migrations(db_url):
    db = Database(db_url)
    try:
        # What create_all made before there were migrations: the tables, no alembic_version.
        await migrate.upgrade(db, "0001")
        async with db.engine.begin() as conn:
            await conn.execute(text("DROP TABLE alembic_version"))
        await fill_first_revision(db)
    finally:
        await db.close()
    components = await open_components(settings_for(db_url))
    try:
        assert await migrate.current(components.db) == HEAD
        await check_first_rows(components.db)
    finally:
        await components.close()


async def test_tables_that_are_not_ours_are_refused_not_guessed_at(db_url):
    db = Database(db_url)
    try:
        async with db.engine.begin() as conn:
            await conn.execute(text("CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT)"))
        with pytest.raises(StoreError, match="does not match revision 0001"):
            await migrate.upgrade(db)
        async with db.engine.connect() as conn:
            assert (await conn.execute(text("SELECT count(*) FROM users"))).scalar() == 0
    finally:
        await db.close()
    with pytest.raises(StartupError, match="'users' does not match revision 0001"):
        await open_components(settings_for(db_url))


async def test_a_database_from_a_newer_release_is_refused(db_url):
    db = Database(db_url)
    try:
        await migrate.upgrade(db)
        async with db.engine.begin() as conn:
            await conn.execute(text("UPDATE alembic_version SET version_num = '0099'"))
        with pytest.raises(StoreError, match="newer Footcoach"):
            await migrate.upgrade(db)
    finally:
        await db.close()


async def test_footcoach_db_upgrade_migrates_and_prints_the_revision(db_url, monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", db_url)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE_DIR))
    # The command runs its own event loop, as it does from a shell.
    assert await asyncio.to_thread(main, ["db", "current"]) == 0
    assert capsys.readouterr().out == f"none (head is {HEAD})\n"
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert capsys.readouterr().out == (
        f"database upgraded from an empty database to revision {HEAD} (head)\n"
    )
    assert await asyncio.to_thread(main, ["db", "upgrade"]) == 0
    assert capsys.readouterr().out == f"database is at revision {HEAD} (head); nothing to do\n"
    assert await asyncio.to_thread(main, ["db", "current"]) == 0
    assert capsys.readouterr().out == f"{HEAD} (head is {HEAD})\n"


def test_footcoach_db_says_in_one_line_when_the_database_cannot_be_reached(monkeypatch, capsys):
    monkeypatch.setenv("DATABASE_URL", "postgresql+asyncpg://nobody@127.0.0.1:1/none")
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE_DIR))
    for action in ("current", "upgrade"):
        assert main(["db", action]) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert err[-1].startswith("footcoach: cannot open the database at DATABASE_URL (")
