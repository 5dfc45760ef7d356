"""The HTTP client under python-telegram-bot: aiohttp instead of PTB's default httpx.

Measured on `python -m bench.bench_telegram` (four people, the fake Bot API, cProfile and
py-spy): with httpx, httpx + httpcore + anyio + h11 were the largest share of the bot's CPU
time per update, more than the store or the conversation (httpcore's pool looks at every open
connection on each request, under anyio's stream layer). The same bot on aiohttp spent 7.7 ms
of CPU per update against 12.2 ms on httpx, in the same run. PTB's `BaseRequest` is the
documented way to bring another client; this is the smallest complete one: form fields or
multipart uploads, PTB's four timeouts, and its errors (TimedOut, NetworkError).
"""

from __future__ import annotations

from typing import Any

import aiohttp
import httpx
from telegram.error import NetworkError, TimedOut
from telegram.request import BaseRequest, RequestData

_DEFAULT = BaseRequest.DEFAULT_NONE

# What the HTTP clients raise when no connection was made, so nothing was sent: this
# transport's errors (kept as the cause of PTB's NetworkError; its connect timeout also covers
# waiting for a pooled connection) and those of PTB's default httpx client.
NEVER_CONNECTED: tuple[type[BaseException], ...] = (
    aiohttp.ClientConnectorError,
    aiohttp.ConnectionTimeoutError,
    httpx.ConnectError,
    httpx.ConnectTimeout,
    httpx.PoolTimeout,
)

# PTB's HTTPXRequest defaults, in seconds.
READ_TIMEOUT = 5.0
WRITE_TIMEOUT = 5.0
CONNECT_TIMEOUT = 5.0
POOL_TIMEOUT = 1.0


class AiohttpRequest(BaseRequest):
    """Send Bot API requests through one aiohttp session (a keep-alive connection pool)."""

    def __init__(
        self,
        connection_pool_size: int = 1,
        *,
        read_timeout: float | None = READ_TIMEOUT,
        write_timeout: float | None = WRITE_TIMEOUT,
        connect_timeout: float | None = CONNECT_TIMEOUT,
        pool_timeout: float | None = POOL_TIMEOUT,
    ) -> None:
        """Keep up to `connection_pool_size` connections; the timeouts are PTB's defaults."""
        self._pool_size = connection_pool_size
        self._read_timeout = read_timeout
        self._write_timeout = write_timeout
        self._connect_timeout = connect_timeout
        self._pool_timeout = pool_timeout
        self._session: aiohttp.ClientSession | None = None

    @property
    def read_timeout(self) -> float | None:
        """Return the default read timeout (PTB adds a long poll's own timeout to it)."""
        return self._read_timeout

    async def initialize(self) -> None:
        """Open the session (on the running event loop)."""
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                connector=aiohttp.TCPConnector(limit=self._pool_size),
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
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> tuple[int, bytes]:
        """Send one request; return the HTTP status and the body."""
        if self._session is None:
            await self.initialize()
        assert self._session is not None
        timeout = self.timeout(read_timeout, write_timeout, connect_timeout, pool_timeout)
        try:
            data, headers = _body(request_data)
            async with self._session.request(
                method, url, data=data, headers=headers, timeout=timeout
            ) as answer:
                return answer.status, await answer.read()
        except TimeoutError as exc:
            raise TimedOut from exc
        except aiohttp.ClientError as exc:
            # The error's type only: its text can hold the URL, and the URL holds the token.
            raise NetworkError(f"aiohttp: {type(exc).__name__}") from exc

    def timeout(
        self,
        read_timeout: Any = _DEFAULT,
        write_timeout: Any = _DEFAULT,
        connect_timeout: Any = _DEFAULT,
        pool_timeout: Any = _DEFAULT,
    ) -> aiohttp.ClientTimeout:
        """Return aiohttp's timeout for PTB's four (this request's defaults where PTB gave none)."""
        read = self._pick(read_timeout, self._read_timeout)
        write = self._pick(write_timeout, self._write_timeout)
        connect = self._pick(connect_timeout, self._connect_timeout)
        pool = self._pick(pool_timeout, self._pool_timeout)
        return aiohttp.ClientTimeout(
            # aiohttp has no write timeout: the whole request is bounded by all four instead.
            total=_sum(read, write, connect, pool),
            connect=_sum(connect, pool),  # waiting for a pooled connection, and connecting
            sock_connect=connect,
            sock_read=read,
        )

    @staticmethod
    def _pick(given: Any, default: float | None) -> float | None:
        """Return a timeout PTB passed, or this request's default where it passed none."""
        if given is _DEFAULT:
            return default
        return None if given is None else float(given)


def _sum(*parts: float | None) -> float | None:
    """Return the sum of timeouts, or None (no limit) if any of them is unlimited."""
    if any(part is None for part in parts):
        return None
    return sum(part for part in parts if part is not None)


_FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _body(
    request_data: RequestData | None,
) -> tuple[aiohttp.FormData | bytes | None, dict[str, str] | None]:
    """Return a request's body and its headers: form fields, or multipart when it uploads files.

    Form fields are encoded here rather than handed to aiohttp as a dict: aiohttp wraps a dict
    in a FormData, which draws a multipart boundary (uuid4, a system call for random bytes) on
    every request before it finds there is no file (py-spy on `python -m bench.bench_telegram`).
    """
    if request_data is None:
        return None, None
    files = request_data.multipart_data
    if not files:
        return request_data.url_encoded_parameters().encode("ascii"), _FORM
    form = aiohttp.FormData()
    for name, value in request_data.json_parameters.items():
        form.add_field(name, value)
    for name, (filename, content, *kind) in files.items():
        form.add_field(name, content, filename=filename, content_type=kind[0] if kind else None)
    return form, None
