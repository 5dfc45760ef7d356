"""What data that expires costs the dispatcher: its idle tick, a notice, an erasure.

A SQLite store holds PEOPLE people, each with a reminder and a few check-ins, all seen
recently, so the retention job's tick finds nobody (its three queries, every
DISPATCH_INTERVAL, as on almost every tick in production). The baseline is the reminder
sender's idle tick on the same store in the same run (one query for due reminders). What
keeping "last seen" adds to every step: the write of a person's row with it, against the same
write without it (as for a guide's end), in turn. Then
DUE of them are made quiet for a year: one tick sends their notices (recorded before they
go, to a recording outlet), and a week later one tick erases them (through /forget's own
function); both are given per person.

    python -m bench.bench_retention [--people 20000] [--due 500]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, update

from bench.cli import print_figures
from bench.conversations import KNOWLEDGE_DIR
from bot.app.reminder_sender import ReminderSender
from bot.app.retention import Retention
from bot.core.knowledge import load_knowledge
from bot.core.replies import Reply, Say
from bot.core.retention import RetentionPolicy
from bot.store import Database, migrate, users
from bot.store.schema import CheckinRow, ReminderRow, User

PEOPLE = 20_000
DUE = 500
TICKS = 60
STEPS = 200
NOW = datetime(2026, 12, 9, 11, 0, tzinfo=UTC)


class _Outlet:
    """Takes every message at once (the bench measures the store, not Telegram)."""

    sent = 0

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        self.sent += len(replies)
        return [self.sent]

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        return None

    async def delete(self, chat_id: int, message_id: int) -> None:
        return None


async def _fill(db: Database, people: int) -> None:
    # Written in bulk: a step per person would make the set-up the longest part by far.
    due = NOW + timedelta(hours=20)
    stamps = {"created_at": NOW, "updated_at": NOW}
    async with db.engine.begin() as conn:
        for first in range(0, people, 2000):
            ids = range(first, min(first + 2000, people))
            await conn.execute(
                insert(User), [{"id": i, "state": "{}", "last_seen_at": NOW, **stamps} for i in ids]
            )
            await conn.execute(
                insert(ReminderRow),
                [
                    {
                        "user_id": i,
                        "at_time": "07:30",
                        "zone": "Europe/London",
                        "days": "daily",
                        "paused": False,
                        "next_due": due,
                        "attempts": 0,
                        **stamps,
                    }
                    for i in ids
                ],
            )
            await conn.execute(
                insert(CheckinRow),
                [
                    {
                        "user_id": i,
                        "day": date(2026, 12, 8) - timedelta(days=back),
                        "score": 4,
                        "done": True,
                        "recorded_at": NOW,
                    }
                    for i in ids
                    for back in range(3)
                ],
            )


async def _medians_ms(
    tick: Callable[[], Awaitable[object]], baseline: Callable[[], Awaitable[object]], times: int
) -> tuple[float, float]:
    """Time the two ticks in turn (so a busy moment of the machine hits both alike)."""
    await tick()  # warm-up: statement caches, connections
    await baseline()
    timings: tuple[list[float], list[float]] = ([], [])
    for _ in range(times):
        for job, into in ((tick, timings[0]), (baseline, timings[1])):
            start = time.perf_counter()
            await job()
            into.append((time.perf_counter() - start) * 1000)
    return statistics.median(timings[0]), statistics.median(timings[1])


def _save_state(db: Database, user_id: int, *, seen: bool) -> Callable[[], Awaitable[None]]:
    """A step's write of the person's row: with last seen kept (a message of theirs), or not
    (a guide's end), as the coach makes it."""

    async def write() -> None:
        async with db.transaction() as session:
            user = await users.load_user(session, user_id)
            await users.save_state(
                session, user, user_id, '{"seq": 1}', NOW + timedelta(hours=1), seen=seen
            )

    return write


async def _run(people: int, due: int) -> dict[str, float]:
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    with tempfile.TemporaryDirectory() as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        try:
            await migrate.upgrade(db)
            await _fill(db, people)
            now = NOW + timedelta(hours=1)
            outlet = _Outlet()
            retention = Retention(
                db, knowledge, outlet, RetentionPolicy(), clock=lambda: now, batch=100
            )
            sender = ReminderSender(db, knowledge, outlet, clock=lambda: now)
            idle_ms, baseline_ms = await _medians_ms(retention.run_once, sender.run_once, TICKS)
            seen_ms, unseen_ms = await _medians_ms(
                _save_state(db, people - 1, seen=True),
                _save_state(db, people - 2, seen=False),
                STEPS,
            )

            async with db.transaction() as session:
                await session.execute(
                    update(User).where(User.id < due).values(last_seen_at=NOW - timedelta(days=358))
                )
            start = time.perf_counter()
            told = await retention.run_once()
            notice_s = time.perf_counter() - start
            now += timedelta(days=7)
            start = time.perf_counter()
            erased = await retention.run_once()
            erase_s = time.perf_counter() - start
            assert told.noticed == due and erased.erased == due, (told, erased)
        finally:
            await db.close()
    return {
        "people": float(people),
        "due": float(due),
        "idle_tick_ms": idle_ms,
        "reminder_idle_tick_ms": baseline_ms,
        "idle_ratio": idle_ms / baseline_ms,
        "state_write_seen_ms": seen_ms,
        "state_write_unseen_ms": unseen_ms,
        "state_write_ratio": seen_ms / unseen_ms,
        "notice_ms_per_person": notice_s * 1000 / due,
        "erase_ms_per_person": erase_s * 1000 / due,
    }


def run(people: int = PEOPLE, due: int = DUE) -> dict[str, float]:
    """Measure the idle tick against the reminder sender's, then a notice and an erasure."""
    return asyncio.run(_run(people, due))


def main(argv: Sequence[str] | None = None) -> None:
    """Run from the command line with the given sizes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--due", type=int, default=DUE)
    args = parser.parse_args(argv)
    print_figures(run(args.people, args.due))


if __name__ == "__main__":
    main()
