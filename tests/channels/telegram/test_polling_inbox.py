"""Polling through the store's inbox: keyed by bot, and nothing confirmed before it is recorded.

The real bot polls the fake Bot API in this event loop; every test runs on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.app.update_inbox import UpdateInbox
from bot.core.updates import UpdateKey
from bot.store import Database, inbox, migrate, steps
from bot.store.schema import InboxRow
from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.people import TelegramUser, shown
from tests.conftest import TOKEN
from tests.fakebot import FakeBotAPI

STAGING_TOKEN = "654321:STAGING-token_xyz"
GROUP = -100777


async def inbox_keys(bot: Any) -> list[tuple[int, int]]:
    """Return the (bot id, update id) of every inbox row."""
    async with bot.components.db.transaction() as session:
        rows = await session.execute(select(InboxRow.bot_id, InboxRow.update_id))
        return sorted((bot_id, update_id) for bot_id, update_id in rows.all())


async def test_a_second_bot_on_the_same_store_is_not_taken_for_redeliveries(api, tmp_path, db_url):
    async with running_bot(api, tmp_path, database_url=db_url) as bot:
        [greeting] = await TelegramUser(api, 71, "Ann").send("/start", 1)
        assert shown(greeting).startswith("Hi Ann!")
    # A staging bot on the same database: Telegram numbers its updates from 1 again.
    async with (
        FakeBotAPI(STAGING_TOKEN) as staging,
        running_bot(
            staging, tmp_path, database_url=db_url, telegram_bot_token=STAGING_TOKEN
        ) as bot,
    ):
        [greeting] = await TelegramUser(staging, 72, "Bea").send("/start", 1)
        assert shown(greeting).startswith("Hi Bea!")
        assert await inbox_keys(bot) == [(123456, 1), (654321, 1)]


async def test_a_batch_the_store_cannot_take_is_not_confirmed_until_it_can(
    api, tmp_path, db_url, monkeypatch
):
    """An update no step claims (a message in a group) is recorded by the poller; while the
    store refuses the record, nothing confirms the update to Telegram."""
    real = UpdateInbox.record_batch
    failures = [OperationalError("INSERT INTO inbox", {}, ConnectionResetError())] * 2
    update: dict[str, Any] = {}

    def confirming() -> int:
        """Count the getUpdates calls whose offset confirmed the update to Telegram."""
        offsets = [r.params.get("offset") for r in api.requests("getUpdates")]
        return sum(1 for o in offsets if o is not None and int(o) > update["update_id"])

    confirmed_while_failing: list[int] = []

    async def flaky(self: UpdateInbox, updates: list[tuple[int, int | None, str]]) -> Any:
        if failures:
            confirmed_while_failing.append(confirming())
            raise failures.pop()
        return await real(self, updates)

    async with running_bot(api, tmp_path, database_url=db_url) as bot:
        monkeypatch.setattr(UpdateInbox, "record_batch", flaky)
        api.add_to_group(GROUP)
        update.update(api.send_text(73, "hello bot", first_name="Ann", chat_id=GROUP))
        await api.wait_for(lambda: api.delivered_count(GROUP) == 1)
        await api.wait_for_update_consumed(update)
        # Both failed attempts came before anything confirmed the update; it was recorded
        # (and confirmed) at the third.
        assert confirmed_while_failing == [0, 0]
        await bot.updates_handled()
        assert await inbox_keys(bot) == [(int(TOKEN.split(":")[0]), update["update_id"])]


async def test_updates_left_pending_by_a_dead_process_are_applied_before_new_ones(
    api, tmp_path, db_url
):
    """Polling applies an update as received, but a sender with an update still pending from
    before the start (recorded, never applied) gets that one first, and every row is applied."""
    bot_id = int(TOKEN.split(":")[0])
    left = api.build_text_update(75, "/start", first_name="Cy")  # never enqueued: recorded only
    db = Database(db_url)
    try:
        await migrate.upgrade(db)
        async with db.transaction() as session:
            now = datetime.now(UTC)
            key = UpdateKey(bot_id, left["update_id"])
            assert await inbox.record(session, key, 75, json.dumps(left), now, now)
    finally:
        await db.close()
    async with running_bot(api, tmp_path, database_url=db_url) as bot:
        cy = TelegramUser(api, 75, "Cy")
        first, *_ = await cy.send("/help", 2)
        assert shown(first).startswith("Hi Cy!")  # the /start from before, then /help
        await bot.updates_handled()
        async with bot.components.db.transaction() as session:
            pending = await inbox.pending(session, bot_id, 75)
        assert pending == []


async def test_a_steps_claim_is_the_record_and_nothing_is_confirmed_before_it(
    api, tmp_path, db_url, monkeypatch
):
    """A sender with nothing pending is applied at once, and its step's claim, committed,
    is the update's record: the poller writes none beside it, and the next getUpdates
    confirms the update only once the claim is in."""
    records: list[list[int]] = []
    real_record = UpdateInbox.record_batch

    async def counted(self: UpdateInbox, updates: list[tuple[int, int | None, str]]) -> Any:
        records.append([update_id for update_id, _, _ in updates])
        return await real_record(self, updates)

    update: dict[str, Any] = {}
    async with running_bot(api, tmp_path, database_url=db_url) as bot:
        assert bot.runtime.poller is not None
        bot.runtime.poller.claim_wait = 30  # the step is held up on purpose here
        monkeypatch.setattr(UpdateInbox, "record_batch", counted)
        step = held_step(monkeypatch)
        update.update(api.send_text(76, "/start", first_name="Dee"))
        await step.reached.wait()
        # The poller is waiting for this claim, not for time: its future is still open.
        claim = bot.runtime.applier.inbox.claims.expect(
            UpdateKey(int(TOKEN.split(":")[0]), update["update_id"])
        )
        assert not claim.done()
        assert not confirmed(api, update["update_id"])
        step.go_on.set()
        [greeting] = await TelegramUser(api, 76, "Dee").expect(1)
        assert shown(greeting).startswith("Hi Dee!")
        await api.wait_for_update_consumed(update)
        await bot.updates_handled()
        assert records == []
        bot_id = int(TOKEN.split(":")[0])
        async with bot.components.db.transaction() as session:
            assert await inbox.pending(session, bot_id, 76) == []
        assert await inbox_keys(bot) == [(bot_id, update["update_id"])]


async def test_an_update_waiting_past_the_claim_wait_is_recorded_and_confirmed(
    api, tmp_path, db_url, monkeypatch
):
    """The poller does not wait long for a claim: a second message whose step waits for the
    person's first (its reply held up on the way) is recorded and confirmed meanwhile, and
    applied once, in order, when the first is done."""
    records: list[list[int]] = []
    real_record = UpdateInbox.record_batch

    async def counted(self: UpdateInbox, updates: list[tuple[int, int | None, str]]) -> Any:
        records.append([update_id for update_id, _, _ in updates])
        return await real_record(self, updates)

    async with running_bot(api, tmp_path, database_url=db_url) as bot:
        assert bot.runtime.poller is not None
        bot.runtime.poller.claim_wait = 0.05
        monkeypatch.setattr(UpdateInbox, "record_batch", counted)
        held = api.hold("sendMessage", chat_id=77)
        first = api.send_text(77, "/start", first_name="Eve")
        await api.wait_for(lambda: held.arrived == 1)  # claimed; its reply on the way
        second = api.send_text(77, "/help", first_name="Eve")
        await api.wait_for_update_consumed(second)  # confirmed while the first still sends
        assert records == [[second["update_id"]]]
        api.release(held)
        greeting, *_ = await TelegramUser(api, 77, "Eve").expect(2)
        assert shown(greeting).startswith("Hi Eve!")
        await bot.updates_handled()
        bot_id = int(TOKEN.split(":")[0])
        async with bot.components.db.transaction() as session:
            assert await inbox.pending(session, bot_id, 77) == []
        keys = [(bot_id, first["update_id"]), (bot_id, second["update_id"])]
        assert await inbox_keys(bot) == keys


@dataclass
class HeldStep:
    """A step that stops before saving (its transaction open, its claim not committed)."""

    reached: asyncio.Event = field(default_factory=asyncio.Event)
    go_on: asyncio.Event = field(default_factory=asyncio.Event)


def held_step(monkeypatch: pytest.MonkeyPatch) -> HeldStep:
    """Hold every step before its save until `go_on` is set."""
    held = HeldStep()
    real_save = steps.save

    async def save(*args: Any, **kwargs: Any) -> None:
        held.reached.set()
        await held.go_on.wait()
        await real_save(*args, **kwargs)

    monkeypatch.setattr(steps, "save", save)
    return held


def confirmed(api: FakeBotAPI, update_id: int) -> bool:
    """Say whether a getUpdates call's offset confirmed the update to Telegram."""
    offsets = [r.params.get("offset") for r in api.requests("getUpdates")]
    return any(o is not None and int(o) > update_id for o in offsets)
