"""A simulated person talking to the real bot through the fake Bot API, one exchange at a time."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import inspect, text

from bot.store.db import Database
from tests.fakebot import FakeBotAPI, SentMessage

CODE = re.compile(r"FC-[0-9A-Z]{5}")


@dataclass
class Talk:
    """One person in their private chat with the bot."""

    api: FakeBotAPI
    user_id: int
    first_name: str = "Ann"

    async def _after(self, act: Callable[[], Any], expect: int) -> list[SentMessage]:
        """Do something and return the `expect` messages the bot sends back."""
        before = self.api.delivered_count(self.user_id)
        act()
        messages = await self.api.wait_for_messages(self.user_id, before + expect)
        return messages[before:]

    async def say(self, words: str, expect: int = 1) -> list[SentMessage]:
        """Type a message (or a /command)."""
        return await self._after(
            lambda: self.api.send_text(self.user_id, words, first_name=self.first_name), expect
        )

    async def press(self, label: str, expect: int = 1) -> list[SentMessage]:
        """Press the button with this label on the newest message that has one."""
        message = await self.api.wait_for(
            lambda: self.newest_with(label), description=f"a message with a {label!r} button"
        )
        data = message.callback_data(label)
        return await self._after(
            lambda: self.api.press_button(
                self.user_id, message.message_id, data, first_name=self.first_name
            ),
            expect,
        )

    async def share_contact(
        self, phone: str, *, someone_else: bool = False, expect: int = 1
    ) -> list[SentMessage]:
        """Share a contact: their own (as the share-my-number button does) or someone else's."""
        other = self.user_id + 1 if someone_else else "self"
        return await self._after(
            lambda: self.api.send_contact(
                self.user_id, phone, contact_user_id=other, first_name=self.first_name
            ),
            expect,
        )

    def newest_with(self, label: str) -> SentMessage | None:
        """Return the newest message in the chat with a button of this label."""
        for message in reversed(self.api.messages(self.user_id)):
            if label in message.button_texts:
                return message
        return None

    async def next_message(self) -> SentMessage:
        """Wait for the bot's next message to this chat, unprompted (e.g. a reminder)."""
        count = self.api.delivered_count(self.user_id)
        return (await self.api.wait_for_messages(self.user_id, count + 1))[count]

    async def quiet(self, seconds: float = 0.6) -> None:
        """Wait, then check the bot said nothing more meanwhile."""
        before = self.api.delivered_count(self.user_id)
        await asyncio.sleep(seconds)
        assert self.api.delivered_count(self.user_id) == before, self.api.describe(self.user_id)


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 5.0) -> None:
    """Wait until an async check (e.g. a look into the store) passes."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"timed out after {timeout}s waiting for {check.__name__}"
        await asyncio.sleep(0.05)


def texts(messages: list[SentMessage]) -> list[str]:
    """Return the text (or caption) of each message."""
    return [m.text or "" for m in messages]


def code_in(message: SentMessage) -> str:
    """Return the reference code a message mentions."""
    found = CODE.search(message.text or "")
    assert found, f"no reference code in {message.text!r}"
    return found.group()


async def every_row(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Return every row of every table the database has (read from the database, not the model)."""
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        tables: dict[str, list[dict[str, Any]]] = {}
        for name in names:
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))
            tables[name] = [dict(row._mapping) for row in result]
    return tables
