"""Count every Bot API call where python-telegram-bot makes it: the HTTP request, and the retry.

Every call the bot makes goes through a `BaseRequest`'s `do_request` (one HTTP request each,
so a call the rate limiter sends again after a 429 counts twice), and the rate limiter's
`process_request` calls the request once per attempt. Counting there, and not around our own
sends, catches every call: sends, edits, getUpdates, answers to buttons, uploads.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Coroutine, Mapping
from types import MappingProxyType
from typing import Any

from telegram._utils.types import JSONDict
from telegram.error import NetworkError, TimedOut
from telegram.ext import AIORateLimiter
from telegram.request import RequestData
from telegram.request._baserequest import BaseRequest

from bot.app.metrics import Metrics
from bot.channels.telegram.pacing import SlidingWindow
from bot.channels.telegram.transport import AiohttpRequest

_DEFAULT = BaseRequest.DEFAULT_NONE


def result_of(status: int) -> str:
    """Return the result label of an HTTP status from the Bot API."""
    if 200 <= status < 300:
        return "ok"
    if status == 429:
        return "rate_limited"
    return "client_error" if status < 500 else "server_error"


def method_of(url: str) -> str:
    """Return the Bot API method of a request URL (".../bot<token>/sendMessage"); file
    downloads are "file". The token is never part of what is returned."""
    if "/file/bot" in url:
        return "file"
    return url.rstrip("/").rsplit("/", 1)[-1]


class Counting(BaseRequest):
    """Count each request of the BaseRequest this is mixed into, by method and result, and
    keep the updates of the last getUpdates answer as Telegram sent them.

    Polling stores every fetched update in the inbox; serialising PTB's objects back to JSON
    (`Update.to_json`) was 4% of the bot's CPU per update, and the text Telegram sent is at
    hand here, in the answer's body.
    """

    # Replaced, never changed in place: what the last successful getUpdates brought, by id.
    raw_updates: Mapping[int, str] = MappingProxyType({})

    def __init__(self, metrics: Metrics, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics

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
        """Make the request and count it; keep the updates of a successful getUpdates."""
        name = method_of(url)
        try:
            status, payload = await super().do_request(  # type: ignore[safe-super]
                url,
                method,
                request_data,
                read_timeout=read_timeout,
                write_timeout=write_timeout,
                connect_timeout=connect_timeout,
                pool_timeout=pool_timeout,
            )
        except TimedOut:
            self.metrics.api_call(name, "timeout")
            raise
        except NetworkError:
            self.metrics.api_call(name, "network_error")
            raise
        self.metrics.api_call(name, result_of(status))
        if status == 200 and name == "getUpdates":
            self.raw_updates = raw_updates(payload)
        return status, payload


def raw_updates(body: bytes) -> dict[int, str]:
    """Return each update of a getUpdates answer as JSON text, by id ({} if unreadable)."""
    try:
        result = json.loads(body)["result"]
        return {int(update["update_id"]): json.dumps(update) for update in result}
    except (ValueError, KeyError, TypeError):
        return {}


class CountingRequest(Counting, AiohttpRequest):
    """The bot's HTTP requests (transport.py): counted, and the long poll's fetch kept."""


Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]


class CountingRateLimiter(AIORateLimiter):
    """PTB's AIORateLimiter, counting the attempts it makes again after a 429; with `pacing`,
    every send to a chat keeps to that instead of PTB's overall token bucket."""

    def __init__(
        self, metrics: Metrics, *, pacing: SlidingWindow | None = None, **kwargs: Any
    ) -> None:
        super().__init__(**kwargs)
        self.metrics = metrics
        if pacing is not None:
            # The one limiter PTB applies to every send with a chat (its `_run_request`);
            # checked, so a release that renames it fails here and not silently.
            if not hasattr(self, "_base_limiter"):
                raise RuntimeError("python-telegram-bot's AIORateLimiter changed: no _base_limiter")
            self._base_limiter = pacing  # type: ignore[assignment]

    async def process_request(
        self,
        callback: Callback,
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        """Rate-limit the call as PTB does; count every attempt after the first as a retry."""
        attempts = 0

        async def attempt(*a: Any, **kw: Any) -> bool | JSONDict | list[JSONDict]:
            nonlocal attempts
            attempts += 1
            if attempts > 1:
                self.metrics.retry(endpoint)
            return await callback(*a, **kw)

        return await super().process_request(attempt, args, kwargs, endpoint, data, rate_limit_args)
