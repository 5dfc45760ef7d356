"""Fan-out: 10,000 reminders due the same minute, sent under a global rate limit.

The real ReminderSender sends through the real TelegramOutlet, on the PTB Bot that
`build_application` builds (AIORateLimiter spacing requests at TELEGRAM_MAX_RATE), to the fake
Bot API server in a child process enforcing the same global limit: a send beyond it in any
sliding second gets a 429, as Telegram does. The limit is scaled (300 a second rather than 30)
so the run takes about half a minute; the shape of the problem is the same.

Figures: the time from the dispatcher's start to the last delivery, as a ratio to the limit's
bound (N / rate: no sender can do better), the 429s the fake answered, and, from the fake's
per-chat delivered counts, duplicates (a chat that got more than one) and missed (none).
Goal: ratio at most 1.1, no 429s, no duplicates, none missed.

    python -m bench.bench_fanout [--users 10000] [--rate 300] [--client httpx]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

from sqlalchemy import inspect as sa_inspect

from bench.cli import add_client_option, print_figures
from bench.conversations import KNOWLEDGE_DIR
from bench.fake_process import FakeServerProcess
from bench.http_client import client
from bot.bootstrap import open_components
from bot.channels.telegram import build_application
from bot.config import Settings
from bot.core.flows.routine import WHAT_NEXT
from bot.core.knowledge import Knowledge
from bot.core.reminders import Days, Reminder
from bot.core.state import ConversationState
from bot.store import reminders, users
from bot.store.db import Database
from bot.store.schema import ReminderRow, User

T = TypeVar("T", User, ReminderRow)

TOKEN = "123456:BENCH-token_abc"
USERS = 10_000
RATE = 300.0
FIRST_USER = 100_000
# People all over the world whose local reminder time is this same minute.
ZONES = ("Europe/London", "Europe/Berlin", "America/New_York", "Asia/Tokyo", "Australia/Sydney")
SEED_CHUNK = 1_000


def _settings(base_url: str, folder: Path, rate: float) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_url=base_url,
        database_url=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        knowledge_dir=KNOWLEDGE_DIR,
        data_dir=folder,
        telegram_max_rate=rate,
        log_level="WARNING",
    )


async def seed(db: Database, knowledge: Knowledge, count: int, now: datetime) -> None:
    """Store `count` people who finished a routine, each with a reminder due this minute.

    One person per zone is written through the store's own functions; everyone else is a
    copy of those rows with another id, added in bulk. Writing all 10,000 one by one through
    the functions takes ~20 s here (two flushes each), and the copies are the same rows.
    """
    routine = tuple(list(knowledge.exercises)[:2])
    state = ConversationState(step=WHAT_NEXT, routine=routine).model_dump_json()
    due = now.replace(second=0, microsecond=0)
    templates: list[tuple[User, ReminderRow]] = []
    async with db.transaction() as session:
        for offset, zone in enumerate(ZONES):
            at = due.astimezone(ZoneInfo(zone)).time()
            user = await users.save_state(session, None, FIRST_USER + offset, state, now)
            value = Reminder(at=at, zone=zone, days=Days.daily, next_due=due)
            await reminders.put(session, FIRST_USER + offset, value, now)
            row = await session.get(ReminderRow, FIRST_USER + offset)
            assert row is not None
            templates.append((user, row))
    for chunk in range(len(ZONES), count, SEED_CHUNK):
        ids = range(FIRST_USER + chunk, FIRST_USER + min(count, chunk + SEED_CHUNK))
        pairs = [(i, templates[(i - FIRST_USER) % len(ZONES)]) for i in ids]
        async with db.transaction() as session:
            # No relationship tells the unit of work the order: the people go in first.
            session.add_all([_copy(user, id=i) for i, (user, _) in pairs])
            await session.flush()
            session.add_all([_copy(reminder, user_id=i) for i, (_, reminder) in pairs])


def _copy(row: T, **changes: object) -> T:
    """Return a new row with the same column values as `row`, but for `changes`."""
    values = {c.key: getattr(row, c.key) for c in sa_inspect(type(row)).column_attrs}
    values.update(changes)
    return type(row)(**values)


async def measure(count: int = USERS, rate: float = RATE) -> dict[str, float]:
    """Seed, send every due reminder once, and count what the fake server received."""
    with (
        tempfile.TemporaryDirectory(prefix="footcoach-bench-") as folder,
        FakeServerProcess(TOKEN) as fake,
    ):
        await fake.acall("set_rate_limit", per_second=rate)
        settings = _settings(fake.base_urls["main"], Path(folder), rate)
        components = await open_components(settings)
        try:
            now = datetime.now(UTC)
            started = time.perf_counter()
            await seed(components.db, components.knowledge, count, now)
            seed_s = time.perf_counter() - started
            runtime = build_application(settings, components)
            async with runtime.application:  # initialize(): getMe, as at start-up
                await fake.acall("clear")
                await fake.acall("set_rate_limit", per_second=rate)
                # The reminders fell due a few seconds ago; the tick that finds them starts now.
                start = time.monotonic()
                cpu_start = time.process_time()
                stats = await runtime.reminders.run_once()
                returned = time.monotonic() - start
                cpu = time.process_time() - cpu_start
        finally:
            await components.close()
        counts = await fake.acall("delivered_counts")
        sent_at = sorted(await fake.acall("send_times", method="sendMessage"))
        count_429 = await fake.acall("count_429")
    seeded = range(FIRST_USER, FIRST_USER + count)
    delivered = [counts.get(user_id, 0) for user_id in seeded]
    # The fake stamps each request with time.monotonic(), the same system-wide clock.
    deliver_s = (max(sent_at) - start) if sent_at else float("nan")
    bound_s = count / rate
    return {
        "users": float(count),
        "rate_limit_per_s": rate,
        "seed_s": seed_s,
        "deliver_s": deliver_s,
        "bound_s": bound_s,
        "bound_ratio": deliver_s / bound_s,
        "dispatcher_returned_s": returned,
        "sends_per_s": len(sent_at) / deliver_s,
        # Near 1.0: the bot's own process was the bottleneck, not the limiter.
        "bot_cpu_util": cpu / returned,
        "bot_cpu_ms_per_send": cpu * 1000 / max(1, len(sent_at)),
        # Stalls: seconds lost in gaps over 4x the limiter's spacing between deliveries.
        "stalled_s": _stalled(sent_at, 4 / rate),
        "longest_gap_ms": _longest_gap(sent_at) * 1000,
        "count_429": float(count_429),
        "duplicates": float(sum(n - 1 for n in delivered if n > 1)),
        "missed": float(sum(1 for n in delivered if n == 0)),
        "sent": float(stats.sent),
        "failed": float(stats.failed),
        "retried": float(stats.retried),
        "skipped_late": float(stats.skipped_late),
    }


def _stalled(times: list[float], threshold: float) -> float:
    """Return the time spent in gaps longer than `threshold` between successive deliveries."""
    gaps = [later - earlier for earlier, later in itertools.pairwise(times)]
    return sum(gap for gap in gaps if gap > threshold)


def _longest_gap(times: list[float]) -> float:
    """Return the longest time between two successive deliveries."""
    return max((b - a for a, b in itertools.pairwise(times)), default=0.0)


def run(count: int = USERS, rate: float = RATE, http_client: str = "aiohttp") -> dict[str, float]:
    """Measure the fan-out and return the figures (`http_client`: see --client)."""
    with client(http_client):
        return asyncio.run(measure(count, rate))


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description="Fan-out of due reminders under a rate limit.")
    parser.add_argument("--users", type=int, default=USERS)
    parser.add_argument("--rate", type=float, default=RATE)
    add_client_option(parser)
    args = parser.parse_args()
    figures = run(args.users, args.rate, args.client)
    print_figures(figures)


if __name__ == "__main__":
    main()
