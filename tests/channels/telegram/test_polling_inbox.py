"""Polling through the store's inbox: keyed by bot, and nothing confirmed before it is recorded.

The real bot polls the fake Bot API in this event loop; every test runs on SQLite and, when
TEST_DATABASE_URL is set, on PostgreSQL.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import OperationalError

from bot.app.update_inbox import UpdateInbox
from bot.core.updates import UpdateKey
from bot.store import Database, inbox, migrate
from bot.store.schema import InboxRow
from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.people import TelegramUser, shown
from tests.conftest import TOKEN
from tests.fakebot import FakeBotAPI

STAGING_TOKEN = "654321:STAGING-token_xyz"


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
        ann = TelegramUser(api, 73, "Ann")
        update.update(api.send_text(73, "/start", first_name="Ann"))
        # The step need not wait for the record (its claim stores the update as applied).
        [greeting] = await ann.expect(1)
        assert shown(greeting).startswith("Hi Ann!")
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


async def test_a_step_does_not_wait_for_its_record_and_nothing_is_confirmed_before_it(
    api, tmp_path, db_url, monkeypatch
):
    """A sender with nothing pending is answered while the batch's record is still being
    written; the next getUpdates confirms the update only once the record is in."""
    real = UpdateInbox.record_batch
    go_on = asyncio.Event()
    update: dict[str, Any] = {}

    async def slow(self: UpdateInbox, updates: list[tuple[int, int | None, str]]) -> Any:
        await go_on.wait()
        return await real(self, updates)

    def confirmed() -> bool:
        offsets = [r.params.get("offset") for r in api.requests("getUpdates")]
        return any(o is not None and int(o) > update["update_id"] for o in offsets)

    async with running_bot(api, tmp_path, database_url=db_url) as bot:
        monkeypatch.setattr(UpdateInbox, "record_batch", slow)
        update.update(api.send_text(76, "/start", first_name="Dee"))
        [greeting] = await TelegramUser(api, 76, "Dee").expect(1)
        assert shown(greeting).startswith("Hi Dee!")
        assert not confirmed()
        go_on.set()
        await api.wait_for_update_consumed(update)
        await bot.updates_handled()
        bot_id = int(TOKEN.split(":")[0])
        async with bot.components.db.transaction() as session:
            assert await inbox.pending(session, bot_id, 76) == []
        assert await inbox_keys(bot) == [(bot_id, update["update_id"])]
