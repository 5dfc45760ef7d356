"""SQLite runs on the event loop's thread; a BEGIN that finds another process writing waits
in asyncio sleeps, not in SQLite's busy handler, so the loop (and the writer) go on."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, text
from sqlalchemy.exc import OperationalError

from bot.store import is_unavailable, migrate, sqlite_inline, users
from bot.store.db import Database
from bot.store.sqlite_inline import LoopConnection

NOW = datetime(2026, 12, 2, 12, 0, tzinfo=UTC)


async def test_a_transaction_runs_inline_on_wal(tmp_path: Path) -> None:
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    try:
        await migrate.upgrade(db)
        async with db.transaction() as session:
            raw = await (await session.connection()).get_raw_connection()
            driver = raw.driver_connection
            assert isinstance(driver, LoopConnection)
            assert driver.wal, "WAL: nothing in a transaction waits, so it runs on the loop"
            assert driver.execute("PRAGMA busy_timeout").fetchone() == (0,)
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


async def test_a_begin_gives_up_after_the_busy_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sqlite_inline, "BUSY_TIMEOUT_MS", 200)
    url = f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    holder, waiter = Database(url), Database(url)
    try:
        await migrate.upgrade(holder)
        ticks = 0

        async def tick() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)  # one turn of the loop, not a wait for time

        ticker = asyncio.create_task(tick())
        async with holder.transaction() as session:
            await users.save_state(session, None, 1, "{}", NOW)
            started = time.monotonic()
            with pytest.raises(OperationalError) as refused:
                async with waiter.transaction() as other:
                    await users.save_state(other, None, 2, "{}", NOW)
            waited = time.monotonic() - started
        ticker.cancel()
        assert is_unavailable(refused.value), "a lock held too long is the store being away"
        assert 0.2 <= waited < 2
        assert ticks >= 10, "the loop went on while the BEGIN waited"
        async with waiter.transaction() as session:
            assert (await users.load_user(session, 1)) is not None
            assert (await users.load_user(session, 2)) is None
    finally:
        await holder.close()
        await waiter.close()


def test_a_synchronous_caller_waits_for_the_lock_in_plain_sleeps(tmp_path: Path) -> None:
    path = str(tmp_path / "plain.db")
    holder = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("CREATE TABLE t (x INTEGER)")
    waiter = sqlite3.connect(path, isolation_level=None, factory=LoopConnection, timeout=0)
    waiter.wal = True
    try:
        holder.execute("BEGIN IMMEDIATE")
        holder.execute("INSERT INTO t VALUES (1)")
        threading.Timer(0.1, holder.commit).start()
        started = time.monotonic()
        waiter.execute("BEGIN IMMEDIATE")  # not in a greenlet: no loop to go back to
        assert time.monotonic() - started >= 0.05
        waiter.execute("INSERT INTO t VALUES (2)")
        waiter.commit()
        assert holder.execute("SELECT count(*) FROM t").fetchone() == (2,)
    finally:
        waiter.close()
        holder.close()
