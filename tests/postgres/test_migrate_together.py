"""Several workers starting together against one PostgreSQL database migrate it once.

(SQLite serves a single worker; its file is not opened by several processes at once.)
"""

from __future__ import annotations

import asyncio

from bot.store import migrate
from bot.store.db import Database
from tests.databases import fresh_pg_schema
from tests.store.test_migrations import HEAD


async def test_workers_starting_together_migrate_once():
    async with fresh_pg_schema() as url:
        await _three_workers_upgrade(url)


async def _three_workers_upgrade(url: str) -> None:
    workers = [Database(url) for _ in range(3)]
    try:
        results = await asyncio.gather(*(migrate.upgrade(db) for db in workers))
        assert sorted(r.before or "" for r in results) == ["", HEAD, HEAD]
        assert {r.after for r in results} == {HEAD}
    finally:
        for db in workers:
            await db.close()
