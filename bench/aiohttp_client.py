"""An experiment: python-telegram-bot on an aiohttp client instead of its default httpx one.

Profiles of the Telegram and fan-out benchmarks put most of the bot's CPU time in httpx and
httpcore (its connection pool checks every open connection on every request, and anyio's
stream layer sits under it). This is the smallest PTB `BaseRequest` on aiohttp, so that
`--client aiohttp` on those benchmarks can measure what switching would give before anyone
puts it in bot/. It is not what the bot runs.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import aiohttp
from telegram.error import NetworkError, TimedOut
from telegram.ext import ApplicationBuilder
from telegram.request import BaseRequest, RequestData

import bot.channels.telegram.app as telegram_channel


class AiohttpRequest(BaseRequest):
    """Send Bot API requests with one aiohttp session (a keep-alive connection pool)."""

    def __init__(self, pool: int = 256, read_timeout: float = 5.0) -> None:
        """Keep up to `pool` connections; wait `read_timeout` s for an answer by default."""
        self._pool = pool
        self._read_timeout = read_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float:
        """Return the default read timeout (PTB adds the long-poll timeout to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool),
                headers={"User-Agent": self.USER_AGENT},
            )

    async def shutdown(self) -> None:
        """Close the session and its connections."""
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = BaseRequest.DEFAULT_NONE,
        write_timeout: Any = BaseRequest.DEFAULT_NONE,
        connect_timeout: Any = BaseRequest.DEFAULT_NONE,
        pool_timeout: Any = BaseRequest.DEFAULT_NONE,
    ) -> tuple[int, bytes]:
        """Send one request: form fields, or multipart when there are files."""
        if self._session is None:
            raise RuntimeError("AiohttpRequest is not initialized")
        data: Any = None
        if request_data is not None:
            files = request_data.multipart_data
            if files:
                form = aiohttp.FormData()
                for name, value in request_data.json_parameters.items():
                    form.add_field(name, value)
                for name, (filename, content, *kind) in files.items():
                    form.add_field(
                        name, content, filename=filename, content_type=kind[0] if kind else None
                    )
                data = form
            else:
                data = request_data.json_parameters
        wait = read_timeout if isinstance(read_timeout, int | float) else self._read_timeout
        timeout = aiohttp.ClientTimeout(total=None, sock_read=wait + 5.0)
        try:
            async with self._session.request(method, url, data=data, timeout=timeout) as answer:
                return answer.status, await answer.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            raise NetworkError(f"aiohttp.{type(exc).__name__}: {exc}") from exc


class _AiohttpBuilder(ApplicationBuilder):  # type: ignore[type-arg]
    """Build applications whose bot talks through AiohttpRequest."""

    def build(self) -> Any:
        """Set both request objects (updates get a pool of one, like PTB's default)."""
        self.request(AiohttpRequest()).get_updates_request(AiohttpRequest(pool=1))
        return super().build()


@contextmanager
def client(kind: str) -> Iterator[None]:
    """Within this block, our bot's `build_application` uses `kind` ("httpx" or "aiohttp")."""
    if kind == "httpx":
        yield
        return
    if kind != "aiohttp":
        raise ValueError(f"unknown client {kind!r}")
    # bot.channels.telegram.app looks ApplicationBuilder up in its own namespace when it builds.
    original = telegram_channel.ApplicationBuilder  # type: ignore[attr-defined]
    telegram_channel.ApplicationBuilder = _AiohttpBuilder  # type: ignore[attr-defined]
    try:
        yield
    finally:
        telegram_channel.ApplicationBuilder = original  # type: ignore[attr-defined]
