"""Sending outside a conversation (reminders, staff messages): the outlet interface.

A channel implements `Outlet` and maps its transport's failures onto the errors below, so the
dispatchers can decide what to retry without knowing Telegram. The terminal and the tests have
outlets of their own.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from bot.core.replies import Reply, Say


class DeliveryError(Exception):
    """A message could not be delivered."""


class Blocked(DeliveryError):
    """The person blocked the bot or the chat is gone: never retry, stop sending."""


class Rejected(DeliveryError):
    """The request itself was refused (bad request): retrying the same thing will not help."""


class NotDelivered(DeliveryError):
    """Definitely not delivered (an error answer, or no connection): safe to retry."""


class MaybeDelivered(DeliveryError):
    """No answer in time: the message may or may not have arrived."""


class Outlet(Protocol):
    """Where messages go when nobody is waiting for a reply."""

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        """Send replies to a chat and return the ids of the messages sent."""
        ...

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        """Replace an earlier message's text and buttons."""
        ...

    async def delete(self, chat_id: int, message_id: int) -> None:
        """Delete an earlier message (e.g. a report the person asked to be forgotten)."""
        ...
