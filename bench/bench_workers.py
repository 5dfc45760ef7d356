"""Updates per second through real webhook workers: SQLite (one worker), PostgreSQL (1-3).

Each configuration starts `python -m bot run` workers in webhook mode against the fake Bot API
(on this process's event loop), posts the same conversations of 50 simulated people (20
messages each, consecutive messages of one person often at two workers at once) through up to
32 concurrent requests spread over the workers, and times from the first POST until the last
update is applied (the inbox says so). Figures are relative to single-worker SQLite measured
in the same run. PostgreSQL runs when TEST_DATABASE_URL (or BENCH_DATABASE_URL) points at a
server where that user may create databases; each configuration gets a fresh database.
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import aiohttp

from tests.cluster import TOKEN, post, start_workers, stop_workers
from tests.databases import fresh_pg_database, pg_query
from tests.fakebot import FakeBotAPI

PEOPLE = 50
SCRIPT = [
    "/start",
    "my calves are super tight",
    "5",
    "/help",
    "/checkin 4",
    "yes",
    "/routine",
    "/cancel",
    "my arches cramp at night",
    "/privacy",
] * 2
IN_FLIGHT = 32
WARM_UP_PEOPLE = 6


def _pg_admin_url() -> str | None:
    return os.environ.get("BENCH_DATABASE_URL") or os.environ.get("TEST_DATABASE_URL") or None


def _sqlite_applied(path: Path) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        with sqlite3.connect(path, timeout=5) as conn:
            return int(conn.execute(_APPLIED).fetchone()[0])

    return count


def _pg_applied(url: str) -> Callable[[], Awaitable[int]]:
    async def count() -> int:
        return int((await pg_query(url, _APPLIED))[0][0])

    return count


_APPLIED = "SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL"


async def _measure(
    api: FakeBotAPI, workers: list[Any], applied: Callable[[], Awaitable[int]], first_person: int
) -> float:
    """Warm the workers up, then post every conversation and return updates per second."""
    connector = aiohttp.TCPConnector(limit=IN_FLIGHT)
    async with aiohttp.ClientSession(connector=connector) as session:
        warm = [
            api.build_text_update(first_person - 1 - i, "/start")
            for i in range(WARM_UP_PEOPLE * len(workers))
        ]
        await asyncio.gather(
            *(post(session, workers[i % len(workers)], u) for i, u in enumerate(warm))
        )
        await _wait_for(applied, len(warm))
        # Numbered as Telegram would: everyone's first message, then everyone's second...
        updates = [
            api.build_text_update(first_person + p, text, first_name="Ann")
            for text in SCRIPT
            for p in range(PEOPLE)
        ]
        slots = asyncio.Semaphore(IN_FLIGHT)

        async def send(index: int, update: dict[str, Any]) -> None:
            async with slots:
                status = await post(session, workers[index % len(workers)], update)
            if status != 200:
                raise RuntimeError(f"a worker answered {status}")

        started = time.perf_counter()
        await asyncio.gather(*(send(i, u) for i, u in enumerate(updates)))
        await _wait_for(applied, len(warm) + len(updates))
        elapsed = time.perf_counter() - started
    return len(updates) / elapsed


async def _wait_for(
    applied: Callable[[], Awaitable[int]], total: int, timeout: float = 120
) -> None:
    deadline = time.perf_counter() + timeout
    while await applied() < total:
        if time.perf_counter() > deadline:
            raise RuntimeError(f"updates not applied within {timeout:.0f} s")
        await asyncio.sleep(0.02)


@asynccontextmanager
async def _cluster(n: int, api: FakeBotAPI, url: str, folder: Path) -> Any:
    workers = await start_workers(n, api, url, folder, database_pool_size=10)
    try:
        yield workers
    finally:
        await stop_workers(workers)


async def _run_all() -> dict[str, float]:
    results: dict[str, float] = {}
    async with FakeBotAPI(TOKEN, timeout_delay=3.0) as api:
        with tempfile.TemporaryDirectory(prefix="footcoach-bench-") as tmp:
            folder = Path(tmp)
            db_file = folder / "bench.db"
            async with _cluster(1, api, f"sqlite+aiosqlite:///{db_file}", folder) as workers:
                sqlite_rate = await _measure(api, workers, _sqlite_applied(db_file), 100_000)
            results["sqlite_1_worker_updates_per_s"] = round(sqlite_rate, 1)
            admin = _pg_admin_url()
            if admin is None:
                print("PostgreSQL figures skipped: set TEST_DATABASE_URL", file=sys.stderr)
                return results
            os.environ.setdefault("TEST_DATABASE_URL", admin)
            for n in (1, 2, 3):
                async with fresh_pg_database() as url, _cluster(n, api, url, folder) as workers:
                    rate = await _measure(api, workers, _pg_applied(url), 100_000 * (n + 1))
                results[f"pg_{n}_workers_updates_per_s"] = round(rate, 1)
                results[f"pg_{n}_workers_vs_sqlite"] = round(rate / sqlite_rate, 2)
    return results


def run() -> dict[str, float]:
    """Measure updates per second for SQLite (1 worker) and PostgreSQL (1, 2 and 3 workers)."""
    return asyncio.run(_run_all())


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:32} {value}")
    print(f"({PEOPLE} people x {len(SCRIPT)} messages; {os.cpu_count()} CPUs)")
