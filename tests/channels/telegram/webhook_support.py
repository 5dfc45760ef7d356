"""Run the real bot in webhook mode in the test's event loop and post updates to it."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select

from bot.app.update_inbox import UpdateInbox
from bot.bootstrap import Components, open_components
from bot.channels.telegram.app import Runtime
from bot.store.schema import InboxRow
from tests.channels.telegram.conftest import bot_settings, serving
from tests.fakebot import FakeBotAPI
from tests.support import Clock, free_port, post_update

SECRET = "s3cret_token-1"


@dataclass
class WebhookBot:
    """A bot serving its webhook in this event loop."""

    api: FakeBotAPI
    components: Components
    runtime: Runtime
    url: str

    @property
    def inbox(self) -> UpdateInbox:
        """Return the inbox behind the webhook: what it handled, held back and swept."""
        assert self.runtime.webhook is not None
        return self.runtime.webhook.inbox

    async def post(self, update: dict[str, Any], secret: str | None = SECRET) -> int:
        return await post_update(self.url, update, secret)

    async def inbox_rows(self) -> list[InboxRow]:
        async with self.components.db.transaction() as session:
            result = await session.execute(select(InboxRow).order_by(InboxRow.update_id))
            return list(result.scalars())


@asynccontextmanager
async def webhook_bot(
    api: FakeBotAPI, folder: Path, db_url: str, *, clock: Clock | None = None, **overrides: Any
) -> AsyncIterator[WebhookBot]:
    """Run the real bot in webhook mode on a free port; stop it cleanly afterwards.

    The clock is the real one unless given: the inbox sweeper goes by how long updates wait.
    """
    port = free_port()
    values: dict[str, Any] = {
        "database_url": db_url,
        "webhook_url": "https://bot.example.com/telegram",
        "webhook_secret": SECRET,
        "webhook_port": port,
        "webhook_order_wait": 1.0,
        **overrides,
    }
    settings = bot_settings(api, folder, **values)
    components = await open_components(settings, clock=clock)
    try:
        async with serving(settings, components) as (runtime, _):
            yield WebhookBot(api, components, runtime, f"http://127.0.0.1:{port}/telegram")
    finally:
        await components.close()
