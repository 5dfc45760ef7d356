"""Test support: a controllable clock, a coach on a temporary SQLite file, a recording outlet,
a free port, posting an update to a webhook as Telegram does, and waiting on another
process's database."""

from __future__ import annotations

import asyncio
import json
import random
import socket
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.app.coach import Coach
from bot.app.outlet import DeliveryError
from bot.core.dialogue import Engine
from bot.core.knowledge import Knowledge
from bot.core.replies import AskPhone, Card, Guide, Reply, Say
from bot.core.turn import EngineConfig
from bot.store import Database, migrate


class Clock:
    """A clock that only moves when a test moves it."""

    def __init__(self, start: datetime | None = None) -> None:
        # Kept in UTC like a real clock: adding a timedelta to a datetime in a zone with
        # daylight saving is wall-clock arithmetic, which is wrong across a change.
        self.now = (start or datetime(2026, 11, 25, 9, 0, tzinfo=UTC)).astimezone(UTC)

    def __call__(self) -> datetime:
        return self.now

    def set(self, moment: datetime) -> None:
        assert moment.tzinfo is not None
        self.now = moment.astimezone(UTC)

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class RecordingOutlet:
    """An Outlet that keeps what it was asked to send, and can be told to fail."""

    sent: list[tuple[int, Reply]] = field(default_factory=list)
    edits: list[tuple[int, int, Say]] = field(default_factory=list)
    deleted: list[tuple[int, int]] = field(default_factory=list)
    failures: list[DeliveryError] = field(default_factory=list)
    next_id: int = 100

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        if self.failures:
            raise self.failures.pop(0)
        ids = []
        for reply in replies:
            self.sent.append((chat_id, reply))
            self.next_id += 1
            ids.append(self.next_id)
        return ids

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.edits.append((chat_id, message_id, reply))

    async def delete(self, chat_id: int, message_id: int) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.deleted.append((chat_id, message_id))

    def to(self, chat_id: int) -> list[Reply]:
        return [reply for cid, reply in self.sent if cid == chat_id]


async def make_coach(
    knowledge: Knowledge, path: Path, clock: Clock, *, url: str | None = None
) -> tuple[Coach, Database]:
    """Open a fresh store (SQLite under `path` unless `url`) and a coach on it."""
    db = Database(url or f"sqlite+aiosqlite:///{path / 'test.db'}")
    await migrate.upgrade(db)
    engine = Engine(knowledge, config=EngineConfig(default_phone_region="GB"))
    return Coach(engine, db, clock=clock, rng=random.Random(7)), db


def reply_key(reply: Reply) -> str:
    """Return the message key of a reply (its kind for replies without one)."""
    if isinstance(reply, Say | Card | Guide):
        return reply.key or reply.kind
    return reply.kind


def labels(reply: Reply) -> list[str]:
    """Return the button labels of a reply."""
    return [c.label for c in reply.choices] if isinstance(reply, Say | Card | Guide) else []


def text_of(reply: Reply) -> str:
    """Return what a reply says (a picture's or a document's caption)."""
    if isinstance(reply, Say | Card | Guide | AskPhone):
        return reply.text
    return getattr(reply, "caption", "")


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def post_update(url: str, update: dict[str, Any], secret: str | None = None) -> int:
    """POST an update to a bot's webhook as Telegram does; return the HTTP status."""
    headers = {"Content-Type": "application/json"}
    if secret is not None:
        headers["X-Telegram-Bot-Api-Secret-Token"] = secret
    timeout = aiohttp.ClientTimeout(total=10)
    async with (
        aiohttp.ClientSession(timeout=timeout) as session,
        session.post(url, data=json.dumps(update), headers=headers) as response,
    ):
        return response.status


async def eventually(check: Callable[[], Awaitable[bool]], timeout: float = 20.0) -> None:
    """Wait until an async check passes. For state nothing announces (the database of a bot
    in another process); whatever this process can await, it awaits instead."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not await check():
        assert loop.time() < deadline, f"timed out after {timeout} s waiting for {check.__name__}"
        await asyncio.sleep(0.05)  # polling: another process's store tells nobody it changed
