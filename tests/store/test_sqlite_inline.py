"""SQLite calls inside a transaction run on the event loop's thread; a BEGIN that finds
another writer waits on aiosqlite's thread instead, so the loop (and the writer) go on."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import event, text

from bot.store import migrate, users
from bot.store.db import Database
from bot.store.sqlite_inline import InlineConnection

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


async def test_a_transaction_runs_inline_on_wal(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await migrate.upgrade(db)
        async with db.transaction() as session:
            raw = await (await session.connection()).get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, InlineConnection)
            assert driver.inline, "WAL: the transaction's calls run on the loop's thread"
            await users.save_state(session, None, 7, "{}", NOW)
        async with db.transaction() as session:
            assert (await users.load_user(session, 7)) is not None
    finally:
        await db.close()


async def test_a_begin_that_meets_another_writer_waits_off_the_loop(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    holder, waiter = Database(url), Database(url)  # two workers' pools on one file
    try:
        await migrate.upgrade(holder)
        release = asyncio.Event()
        holding = asyncio.Event()

        async def hold_the_write_lock() -> None:
            async with holder.transaction() as session:  # BEGIN IMMEDIATE: the write lock
                await users.save_state(session, None, 1, "{}", NOW)
                holding.set()
                await release.wait()

        async def write_after() -> None:
            async with waiter.transaction() as session:
                await session.execute(text("SELECT 1"))
                await users.save_state(session, None, 2, "{}", NOW)

        checked_out = asyncio.Event()
        event.listen(waiter.engine.sync_engine, "checkout", lambda *_: checked_out.set())
        holder_task = asyncio.create_task(hold_the_write_lock())
        await holding.wait()
        waiting = asyncio.create_task(write_after())
        # Had the second BEGIN waited on the loop's thread, the holder could not commit until
        # that BEGIN gave up (busy timeout, 30 s) and the second write failed "locked".
        await checked_out.wait()
        release.set()
        await asyncio.wait_for(holder_task, 10)
        await asyncio.wait_for(waiting, 10)
        async with waiter.transaction() as session:
            assert (await users.load_user(session, 1)) is not None
            assert (await users.load_user(session, 2)) is not None
    finally:
        await holder.close()
        await waiter.close()
