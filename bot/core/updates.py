"""Telegram's update numbers: which bot an update belongs to, and when a number seen before is new.

Telegram numbers each bot's updates on its own, so two bots sharing one store meet the same
numbers: an update is known by the bot's id and its number. Telegram keeps an update for at
most 24 hours, so a number received longer ago than that can never come again as the same
update: when it does come (Telegram starts numbering again, at random, after a week without
updates, often far below the last number seen), it is a new update.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import NamedTuple

# Telegram keeps an update at most 24 hours; an hour more covers clocks a little apart.
RESEND_HORIZON = timedelta(hours=25)
# What the rows recorded before updates were keyed by bot carry, until a bot adopts them.
UNKEYED_BOT = 0


class UpdateKey(NamedTuple):
    """An update as the store knows it: the bot that received it and Telegram's number."""

    bot_id: int
    update_id: int


def bot_id_of(token: str) -> int:
    """Return the bot's id, the number before the colon of its token (never the secret part)."""
    head, _, _ = token.partition(":")
    if not head.isdigit() or int(head) == UNKEYED_BOT:
        raise ValueError("a bot token starts with the bot's id and a colon")
    return int(head)


def numbering_since(now: datetime) -> datetime:
    """Return the instant before which a received number says nothing about the updates now.

    Such an update cannot be sent again, so the same number arriving now is a new update (a
    new numbering), and a gap after it is no update still on its way.
    """
    return now - RESEND_HORIZON
