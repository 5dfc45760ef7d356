"""The real bot (python-telegram-bot Application, polling) against the fake Bot API server."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from bot.bootstrap import Components, StartupError, open_components
from bot.channels.telegram import serve
from bot.channels.telegram.app import Runtime
from bot.config import Settings
from tests.conftest import KNOWLEDGE_DIR, TOKEN
from tests.fakebot import FakeBotAPI
from tests.support import Clock

STAFF_CHAT = -1001234
ADMIN = 900


def bot_settings(api: FakeBotAPI, folder: Path, **overrides: Any) -> Settings:
    """Return settings for a bot that talks to the fake server and keeps its data in `folder`."""
    values: dict[str, Any] = {
        "telegram_bot_token": TOKEN,
        "telegram_api_url": api.base_url,
        "database_url": f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        "knowledge_dir": KNOWLEDGE_DIR,
        "data_dir": folder,
        "dispatch_interval": 0.2,
        "telegram_max_rate": 1000,
        "staff_chat_id": STAFF_CHAT,
        "admin_user_ids": (ADMIN,),
        "default_phone_region": "GB",
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)


@dataclass
class RunningBot:
    """A bot running in this event loop: its components (to look into the store) and the
    running parts whose progress a test awaits instead of sleeping."""

    api: FakeBotAPI
    components: Components
    clock: Clock
    runtime: Runtime

    def reminder_run(self) -> asyncio.Future[None]:
        """Return what is done after a whole run of the reminder sender that starts after now."""
        return self.runtime.reminders.runs.next()

    def outbox_run(self) -> asyncio.Future[None]:
        """Return what is done after a whole run of the staff outbox that starts after now."""
        return self.runtime.outbox.runs.next()

    def updates_handled(self) -> asyncio.Future[None]:
        """Return what is done once every update queued on the fake so far was handled."""
        return self.runtime.handled.reaching(self.api.enqueued)


@asynccontextmanager
async def serving(
    settings: Settings, components: Components
) -> AsyncIterator[tuple[Runtime, asyncio.Task[None]]]:
    """Serve with these settings in this event loop until the block ends; yield the running
    bot once it receives updates (and the task serving it)."""
    stop = asyncio.Event()
    started: asyncio.Future[Runtime] = asyncio.get_running_loop().create_future()
    task = asyncio.create_task(serve(settings, components, stop, started.set_result))
    try:
        # The bot receives updates (polls, or listens for the webhook) once `ready` was called.
        either: set[asyncio.Future[Any]] = {started, task}
        done, _ = await asyncio.wait(either, timeout=15, return_when="FIRST_COMPLETED")
        if task in done:
            task.result()  # start-up failed: raise why
        assert started in done, "the bot did not start in time"
        yield started.result(), task
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)


@asynccontextmanager
async def running_bot(
    api: FakeBotAPI, folder: Path, *, clock: Clock | None = None, **overrides: Any
) -> AsyncIterator[RunningBot]:
    """Start the real bot (polling, or webhook if set) against the fake server; stop it after."""
    settings = bot_settings(api, folder, **overrides)
    clock = clock or Clock()
    components = await open_components(settings, clock=clock)
    try:
        async with serving(settings, components) as (runtime, _):
            yield RunningBot(api, components, clock, runtime)
    finally:
        await components.close()


async def startup_refusal(settings: Settings, timeout: float = 10) -> str:
    """Serve with these settings, which must stop start-up; return the one-line reason."""
    components = await open_components(settings)
    try:
        with pytest.raises(StartupError) as stopped:
            await asyncio.wait_for(serve(settings, components, asyncio.Event()), timeout)
    finally:
        await components.close()
    return str(stopped.value)


@pytest.fixture
async def bot(api: FakeBotAPI, tmp_path: Path, db_url: str) -> AsyncIterator[RunningBot]:
    """The real bot, polling the fake server, on a fresh store (SQLite, and PostgreSQL)."""
    async with running_bot(api, tmp_path, database_url=db_url) as running:
        yield running


Predicate = Callable[[], bool]
