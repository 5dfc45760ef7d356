"""Webhook mode: updates are recorded before the 200, applied once, in order, by any worker.

The bot runs in this event loop in webhook mode against the fake Bot API; the test posts
updates to it as Telegram (or a load balancer) would, and awaits what the inbox reports
(updates handled, updates held back for a missing number, sweeps) rather than sleeping. Where
the order wait or the sweeper's patience matters, the clock is the test's. Every test runs on
SQLite and, when TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.exc import OperationalError

from bot.core.updates import UpdateKey, numbering_since
from bot.store import inbox
from bot.store.schema import InboxRow
from tests.channels.telegram.webhook_support import webhook_bot
from tests.support import Clock


async def test_updates_with_the_secret_are_applied_others_get_403(api, tmp_path, db_url):
    async with webhook_bot(api, tmp_path, db_url) as bot:
        assert api.webhook is not None and api.webhook.url == "https://bot.example.com/telegram"
        assert await bot.post(api.build_text_update(7, "/start", first_name="Bo"), None) == 403
        assert await bot.post(api.build_text_update(7, "/start"), "wrong") == 403
        assert await bot.post(api.build_text_update(7, "/start", first_name="Bo")) == 200
        [greeting] = await api.wait_for_messages(7, 1)
        assert greeting.text.startswith("Hi Bo!")
        rows = await bot.inbox_rows()
        # Only the accepted update was recorded; applied, its text is gone from the store.
        assert [(r.user_id, r.payload, r.failed) for r in rows] == [(7, None, False)]
        assert rows[0].processed_at is not None


async def test_a_redelivered_update_is_applied_once(api, tmp_path, db_url):
    async with webhook_bot(api, tmp_path, db_url) as bot:
        start = api.build_text_update(8, "/start")
        statuses = await asyncio.gather(bot.post(start), bot.post(start))
        assert list(statuses) == [200, 200]
        await api.wait_for_messages(8, 1)
        assert await bot.post(start) == 200  # and again, after it was applied
        await bot.inbox.wait_idle()  # the drains that post started have finished
        assert len(api.messages(8)) == 1
        assert bot.inbox.handled.value == 1


async def test_a_later_update_that_arrives_first_waits_for_the_earlier_one(api, tmp_path, db_url):
    # The clock stands still: however slow the machine, the order wait never runs out here.
    async with webhook_bot(api, tmp_path, db_url, clock=Clock(), webhook_order_wait=2.0) as bot:
        # Someone else came first: a store that has seen no update cannot know of a missing one.
        assert await bot.post(api.build_text_update(1, "/start")) == 200
        await api.wait_for_messages(1, 1)
        first = api.build_text_update(9, "/start")
        second = api.build_text_update(9, "/help")
        # The newer update reaches the bot before the older one (two workers, say), and is
        # held back for it; then the older one arrives.
        held_back = bot.inbox.held_back.reaching(bot.inbox.held_back.value + 1)
        assert await bot.post(second) == 200
        await held_back
        assert api.messages(9) == []
        assert await bot.post(first) == 200
        greeting, help_text = await api.wait_for_messages(9, 2)
        assert greeting.text.startswith("Hi Ann!")
        assert "/reminder" in help_text.text
        rows = [r for r in await bot.inbox_rows() if r.user_id == 9]
        assert [r.update_id for r in sorted(rows, key=processed_at)] == [
            first["update_id"],
            second["update_id"],
        ]


async def test_a_number_that_never_arrives_delays_the_next_update_only_so_long(
    api, tmp_path, db_url
):
    clock = Clock()
    async with webhook_bot(api, tmp_path, db_url, clock=clock, webhook_order_wait=1.0) as bot:
        assert await bot.post(api.build_text_update(10, "/start")) == 200
        await api.wait_for_messages(10, 1)
        api.build_text_update(10, "lost on the way")  # takes a number, never posted
        looked_twice = bot.inbox.held_back.reaching(bot.inbox.held_back.value + 2)
        assert await bot.post(api.build_text_update(10, "/help")) == 200
        await looked_twice  # the inbox looked, and looked again: the update waits
        assert len(api.messages(10)) == 1
        # Once the order wait has passed, the missing number is given up on.
        clock.advance(seconds=1.5)
        await api.wait_for_messages(10, 2)
        # Updates after it no longer wait (the clock stands still: waiting would be forever).
        assert await bot.post(api.build_text_update(10, "/help")) == 200
        await api.wait_for_messages(10, 3)


async def test_updates_left_by_a_dead_worker_are_swept_up(api, tmp_path, db_url):
    async with webhook_bot(api, tmp_path, db_url) as bot:
        # Recorded by a worker that died before applying them: nobody will drain them but the
        # sweeper, which takes updates that have waited longer than a couple of seconds.
        clock = bot.components.coach.clock
        start = api.build_text_update(11, "/start")
        help_ = api.build_text_update(11, "/help")
        async with bot.components.db.transaction() as session:
            for update in (start, help_):
                await inbox.record(
                    session,
                    UpdateKey(bot.runtime.bot_id, update["update_id"]),
                    11,
                    _json(update),
                    clock() - timedelta(seconds=5),
                    numbering_since(clock()),
                )
        greeting, help_text = await api.wait_for_messages(11, 2, timeout=5)
        assert greeting.text.startswith("Hi Ann!") and "/reminder" in help_text.text
        async with bot.components.db.transaction() as session:
            left = await session.scalar(select(func.count()).where(InboxRow.processed_at.is_(None)))
        assert left == 0


async def test_an_update_that_breaks_the_bot_is_answered_and_not_retried(
    api, tmp_path, db_url, monkeypatch
):
    clock = Clock()
    async with webhook_bot(api, tmp_path, db_url, clock=clock) as bot:

        async def broken(*_args: Any, **_kwargs: Any) -> Any:
            raise ValueError("a bug")

        monkeypatch.setattr(bot.components.coach, "handle", broken)
        assert await bot.post(api.build_text_update(12, "/start")) == 200
        [answer] = await api.wait_for_messages(12, 1)
        assert "try again" in answer.text
        # Long past the sweeper's patience, a whole sweep does not try it again.
        clock.advance(seconds=10)
        await bot.inbox.sweeps.ran()
        assert len(api.messages(12)) == 1
        [row] = await bot.inbox_rows()
        assert row.failed and row.processed_at is not None and row.payload is None


def processed_at(row: InboxRow) -> datetime:
    """Return when a row was applied (every row asked about here was)."""
    assert row.processed_at is not None
    return row.processed_at


def _json(update: dict[str, Any]) -> str:
    return json.dumps(update)


async def test_an_update_applied_but_not_marked_is_not_applied_again(
    api, tmp_path, db_url, monkeypatch
):
    """The database went away just after the step committed (the drain's next look failed):
    the sweeper retries the sender, and the step's own claim in the inbox marked the update,
    so nothing is applied or said again."""
    real_next = inbox.next_pending
    failures = [OperationalError("SELECT inbox", {}, ConnectionResetError())]

    async def flaky_next(*args: Any, **kwargs: Any) -> Any:
        if api.messages(13) and failures:
            raise failures.pop()  # the look after the step, whose reply went out
        return await real_next(*args, **kwargs)

    monkeypatch.setattr(inbox, "next_pending", flaky_next)
    clock = Clock()
    async with webhook_bot(api, tmp_path, db_url, clock=clock) as bot:
        assert await bot.post(api.build_text_update(13, "/start")) == 200
        await api.wait_for_messages(13, 1)
        await bot.inbox.wait_idle()  # the drain died on the look after the step
        # Long past the sweeper's patience, a whole sweep has had its go at the update.
        clock.advance(seconds=10)
        await bot.inbox.sweeps.ran()
        assert not failures
        assert len(api.messages(13)) == 1
        [row] = await bot.inbox_rows()
        assert row.processed_at is not None
