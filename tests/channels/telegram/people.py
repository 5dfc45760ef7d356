"""A simulated Telegram user for end-to-end tests: type, tap, and expect a number of replies."""

from __future__ import annotations

import html
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import Literal

from bot.channels.telegram.render import PARAGRAPH
from bot.core.knowledge import Knowledge
from tests.fakebot import FakeBotAPI, JSONDict, SentMessage


def shown(message: SentMessage) -> str:
    """Return the text a person sees (HTML entities decoded)."""
    return html.unescape(message.text or "")


def together(*texts: str) -> str:
    """Return what several replies of one step look like, joined into one message."""
    return PARAGRAPH.join(texts)


def opening(knowledge: Knowledge, key: str) -> str:
    """Return the fixed start of a message, up to its first placeholder."""
    return knowledge.messages[key].split("{")[0]


def answered_queries(api: FakeBotAPI) -> list[str]:
    """Return the ids of the callback queries the bot answered, in order."""
    return [r.params["callback_query_id"] for r in api.requests("answerCallbackQuery") if r.ok]


async def callback_answer(api: FakeBotAPI, query_id: str) -> JSONDict:
    """Wait until the bot answered this callback query; return the answer's parameters."""

    def answer() -> JSONDict | None:
        calls = api.requests("answerCallbackQuery")
        return next(
            (r.params for r in calls if r.ok and r.params["callback_query_id"] == query_id), None
        )

    return await api.wait_for(answer, description=f"an answer to callback query {query_id}")


@dataclass
class TelegramUser:
    """One person in a private chat with the bot, keeping count of the replies seen so far."""

    api: FakeBotAPI
    user_id: int
    first_name: str = "Ann"
    seen: int = 0
    pressed: list[str] = field(default_factory=list)

    async def send(self, text: str, replies: int) -> list[SentMessage]:
        """Type `text` and return exactly the `replies` messages it got."""
        self.api.send_text(self.user_id, text, first_name=self.first_name)
        return await self.expect(replies)

    async def send_contact(
        self, phone: str, replies: int, *, someone_else: bool = False
    ) -> list[SentMessage]:
        """Share a phone number with the contact button (or someone else's contact)."""
        owner: int | Literal["self"] = self.user_id + 1 if someone_else else "self"
        self.api.send_contact(self.user_id, phone, contact_user_id=owner)
        return await self.expect(replies)

    async def press(
        self, label: str, replies: int, message: SentMessage | None = None
    ) -> list[SentMessage]:
        """Tap the button `label` (on the latest message with buttons unless given)."""
        message = message or self.latest_with_buttons()
        return await self.press_data(message, message.callback_data(label), replies, check=True)

    async def press_data(
        self, message: SentMessage, data: str, replies: int, *, check: bool = False
    ) -> list[SentMessage]:
        """Send a callback query with any `data` from under `message` (forged unless check)."""
        update = self.api.press_button(self.user_id, message.message_id, data, check=check)
        query_id = update["callback_query"]["id"]
        self.pressed.append(query_id)
        new = await self.expect(replies)
        # Every button press is answered, so the person's button stops spinning.
        await callback_answer(self.api, query_id)
        return new

    async def expect(self, count: int) -> list[SentMessage]:
        """Wait for `count` new messages and return them (more than that fails)."""
        messages = await self.api.wait_for_messages(self.user_id, self.seen + count)
        new = messages[self.seen :]
        self.seen = len(messages)
        assert len(new) == count, f"expected {count} replies, got {len(new)}:\n" + "\n".join(
            m.describe() for m in new
        )
        return new

    async def quiet(self, after: Awaitable[object]) -> None:
        """Check the bot sent nothing new by the time `after` happened: a whole run of a
        sender, or every update so far handled (see RunningBot)."""
        await after
        count = self.api.delivered_count(self.user_id)
        assert count == self.seen, f"unexpected messages\n{self.api.describe(self.user_id)}"

    def latest_with_buttons(self) -> SentMessage:
        """Return the newest message in this chat that carries inline buttons."""
        for message in reversed(self.api.messages(self.user_id)):
            if message.inline_keyboard:
                return message
        raise AssertionError(f"no message with buttons\n{self.api.describe(self.user_id)}")
