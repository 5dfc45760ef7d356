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
from bot.config import Settings
from tests.conftest import KNOWLEDGE_DIR
from tests.fakebot import FakeBotAPI
from tests.support import Clock

TOKEN = "123456:TEST-token_abc"
STAFF_CHAT = -1001234
ADMIN = 900


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API on the test's event loop; fails the test on fake-server bugs."""
    async with FakeBotAPI(token=TOKEN, timeout_delay=3.0) as server:
        yield server
        assert not server.internal_errors, "\n".join(server.internal_errors)


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
    """A bot running in this event loop, with its components for looking into the store."""

    api: FakeBotAPI
    components: Components
    clock: Clock


@asynccontextmanager
async def running_bot(
    api: FakeBotAPI, folder: Path, *, clock: Clock | None = None, **overrides: Any
) -> AsyncIterator[RunningBot]:
    """Start the real bot (polling, or webhook if set) against the fake server; stop it after."""
    settings = bot_settings(api, folder, **overrides)
    clock = clock or Clock()
    components = await open_components(settings, clock=clock)
    stop = asyncio.Event()
    task = asyncio.create_task(serve(settings, components, stop))
    try:
        if settings.webhook_mode:
            await api.wait_for(lambda: api.webhook is not None, timeout=10)
            await _listening(settings.webhook_listen, settings.webhook_port)
        else:
            # Polling has begun once the first getUpdates arrived (it may still be waiting).
            await api.wait_for(lambda: api.request_count("getUpdates") > 0, timeout=10)
        yield RunningBot(api, components, clock)
    finally:
        stop.set()
        await asyncio.wait_for(task, timeout=15)
        await components.close()


async def _listening(host: str, port: int, timeout: float = 10) -> None:
    """Wait until something accepts connections on host:port (the webhook server)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while True:
        try:
            _, writer = await asyncio.open_connection(host, port)
        except OSError:
            if loop.time() > deadline:
                raise
            await asyncio.sleep(0.02)
        else:
            writer.close()
            await writer.wait_closed()
            return


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
