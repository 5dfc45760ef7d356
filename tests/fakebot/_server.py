"""FakeBotAPI: a loopback Telegram Bot API server for running the real PTB bot in tests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import json
import math
import random
import time
import traceback
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, Self, TypeVar

from aiohttp import web

from ._core import _Core
from ._records import (
    ApiError,
    FailureKind,
    JSONDict,
    RecordedRequest,
    SentMessage,
    UploadedFile,
    WebhookState,
)
from ._telegram import decode_form_value

T = TypeVar("T")
# How long a test waits for something the bot should do. A wait ends as soon as it happens, so
# this only bounds a failure; it is generous because a loaded 2-core machine (a cold picture
# drawn before the first card) can take several seconds where a quiet one takes a fraction.
WAIT_S = 15.0
SEND_METHODS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendAnimation"})
# What Telegram's global limit counts: messages sent, and edits of them.
RATE_METHODS = SEND_METHODS | {"editMessageText", "editMessageReplyMarkup"}


@dataclass
class Hold:
    """Calls of a method (to one chat) kept unprocessed and unanswered until released."""

    method: str
    chat_id: int | None
    arrived: int = 0  # how many calls it holds, or held
    released: bool = False


@dataclass
class _Failures:
    next: deque[tuple[FailureKind, int]] = field(default_factory=deque)
    rate: float = 0.0
    kinds: tuple[FailureKind, ...] = ()
    rng: random.Random = field(default_factory=random.Random)
    flood_until: float = 0.0


class FakeBotAPI(_Core):
    """A fake Telegram Bot API on 127.0.0.1 for the real PTB ``Bot``: ``async with
    FakeBotAPI() as api`` serves it on the running loop (the one test code must use), and
    PTB's ``base_url`` is ``api.base_url``."""

    def __init__(
        self, token: str = "123:ABC", *, timeout_delay: float = 10.0, check_markup: bool = True
    ) -> None:
        """Answer a "timeout" failure after `timeout_delay` seconds; with `check_markup`,
        refuse HTML that Telegram cannot parse."""
        super().__init__(token, check_markup=check_markup)
        self.timeout_delay = timeout_delay
        self._requests: list[RecordedRequest] = []
        self._internal_errors: list[str] = []
        self._failures: dict[str, _Failures] = {}
        self._holds: list[Hold] = []
        self._rate_limit: float | None = None
        self._rate_window: deque[float] = deque()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._stopping = False

    async def __aenter__(self) -> Self:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        # No access log: request paths carry the token, and tests check the logs keep it out.
        runner = web.AppRunner(app, access_log=None, handler_cancellation=True, shutdown_timeout=1)
        self._runner = runner
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", 0).start()
        self._port = int(self._runner.addresses[0][1])
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    async def stop(self) -> None:
        """Stop serving; held calls and long polls are answered first."""
        self._stopping = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
        self._runner = self._port = None

    @property
    def base_url(self) -> str:
        """PTB's ``base_url``: it requests ``{base_url}{token}/{method}``."""
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running")
        return f"http://127.0.0.1:{self._port}/bot"

    # -- answering ----------------------------------------------------------------------------
    async def _handle(self, request: web.Request) -> web.Response:
        params: JSONDict = {}
        files: dict[str, UploadedFile] = {}
        for key, value in (await request.post()).items():
            if isinstance(value, web.FileField):
                files[key] = UploadedFile(value.filename, value.file.read())
            else:
                params[key] = decode_form_value(key, str(value))
        name = request.match_info["method"]
        method = next((m for m in self._methods if m.lower() == name.lower()), name)
        record = RecordedRequest(method, params, time.monotonic())
        self._requests.append(record)
        self._notify()
        try:
            result = await self._answer(record, request.match_info["token"], files)
            status, payload = 200, {"ok": True, "result": result}
        except ApiError as exc:
            status, payload, record.description = exc.code, exc.payload, exc.description
        except asyncio.CancelledError:
            record.status, record.description = 499, "the client went away"
            raise
        except Exception:
            self._internal_errors.append(f"{method}: {traceback.format_exc()}")
            status, payload = 500, ApiError(500, "a bug in the fake").payload
        record.status = status
        self._notify()
        body = json.dumps(payload, ensure_ascii=False).encode()
        return web.Response(status=status, body=body, content_type="application/json")

    async def _answer(self, record: RecordedRequest, token: str, files: dict[str, Any]) -> Any:
        method, params = record.method, record.params
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        if method not in self._methods and method != "getUpdates":
            raise ApiError(404, "Not Found")
        record.injected, retry_after = self._injection(method)
        if record.injected == "timeout":
            await self._until(lambda: False, self.timeout_delay)
            raise ApiError(504, "Gateway Timeout")
        if record.injected == "500":
            raise ApiError(500, "Internal Server Error")
        if record.injected:
            raise ApiError(429, f"Too Many Requests: retry after {retry_after}", retry_after)
        if params.get("chat_id") in self._blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        chat = params.get("chat_id")
        hold = next(
            (h for h in self._holds if h.method == method and h.chat_id in (None, chat)), None
        )
        if hold is not None:
            hold.arrived += 1
            self._notify()
            await self._until(lambda: hold.released)
        if method != "getUpdates":
            return self._methods[method](params, files)
        while self._updates and self._updates[0]["update_id"] < (params.get("offset") or 0):
            self._updates.popleft()  # confirmed: the bot has them
        await self._until(lambda: bool(self._updates), float(params.get("timeout") or 0))
        return list(self._updates)[: params.get("limit") or 100]

    async def _until(self, done: Callable[[], bool], seconds: float = math.inf) -> None:
        """Wait until `done()` or the server stops, for at most `seconds`."""
        with contextlib.suppress(TimeoutError):
            await self._wait(lambda: done() or self._stopping, seconds)

    # -- failures -----------------------------------------------------------------------------
    def fail_next(
        self, method: str, kind: FailureKind, count: int = 1, retry_after: int = 1
    ) -> None:
        """Fail the next `count` calls of `method` with "500" (PTB: NetworkError), "429"
        (RetryAfter; as on Telegram, calls before `retry_after` has passed get 429 too) or
        "timeout" (not processed; 504 after `timeout_delay`; PTB: TimedOut)."""
        failures = self._failures.setdefault(method, _Failures())
        failures.next.extend([(kind, retry_after)] * count)

    def fail_rate(
        self, method: str, rate: float, kinds: Iterable[FailureKind], seed: int | None = None
    ) -> None:
        """Fail a `rate` of the calls of `method` with one of `kinds` picked at random
        (reproducibly with `seed`); a rate of 0 stops it."""
        failures = self._failures.setdefault(method, _Failures())
        failures.rate, failures.kinds, failures.rng = rate, tuple(kinds), random.Random(seed)

    def _injection(self, method: str) -> tuple[str | None, int]:
        """Return the failure to answer a call with (None for none) and its retry_after."""
        now = time.monotonic()
        failures = self._failures.get(method, _Failures())
        if failures.flood_until > now:
            return "flood", math.ceil(failures.flood_until - now)
        kind, retry_after = None, 1
        if failures.next:
            kind, retry_after = failures.next.popleft()
        elif failures.rate and failures.rng.random() < failures.rate:
            kind = failures.rng.choice(failures.kinds)
        if kind == "429":
            failures.flood_until = now + retry_after
        if kind is None and method in RATE_METHODS and self._rate_limit is not None:
            while self._rate_window and self._rate_window[0] <= now - 1.0:
                self._rate_window.popleft()
            if len(self._rate_window) >= self._rate_limit:
                return "rate_limit", max(1, math.ceil(self._rate_window[0] + 1.0 - now))
            self._rate_window.append(now)
        return kind, retry_after

    def hold(self, method: str, *, chat_id: int | None = None) -> Hold:
        """Keep calls of `method` (to `chat_id`) unprocessed and unanswered until released
        (or the server stops, or the caller goes away)."""
        self._holds.append(hold := Hold(method, chat_id))
        return hold

    def release(self, hold: Hold) -> None:
        """Let the held calls, and later ones, be processed and answered."""
        hold.released = True
        self._holds.remove(hold)
        self._notify()

    def set_global_rate_limit(self, per_second: float | None) -> None:
        """Answer 429 to sends and edits beyond `per_second` in any sliding second (None: no
        limit)."""
        self._rate_limit = per_second
        self._rate_window.clear()

    def clear_failures(self) -> None:
        """Drop the failures still to come, the rate limit and the blocks."""
        self._failures.clear()
        self._blocked.clear()
        self.set_global_rate_limit(None)

    def block(self, user_id: int) -> None:
        """The person blocked the bot: sends to their chat answer 403."""
        self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        self._blocked.discard(user_id)

    # -- records ------------------------------------------------------------------------------
    def requests(self, method: str | None = None) -> list[RecordedRequest]:
        """The requests the bot made (of one method), in arrival order."""
        return [copy.copy(r) for r in self._requests if method in (None, r.method)]

    def request_count(self, method: str) -> int:
        return sum(1 for r in self._requests if r.method == method)

    def messages(self, chat_id: int) -> list[SentMessage]:
        """The messages the bot delivered to a chat, in order, as they are now."""
        return [copy.copy(m) for m in self._sent.get(chat_id, [])]

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """A message the bot delivered, as it is now (after edits)."""
        return copy.copy(self._sent_by_id[(chat_id, message_id)])

    def delivered_count(self, chat_id: int) -> int:
        return len(self._sent.get(chat_id, ()))

    def delivered_counts(self) -> dict[int, int]:
        """Return chat id -> how many messages the bot delivered there."""
        return {chat_id: len(sent) for chat_id, sent in self._sent.items()}

    @property
    def webhook(self) -> WebhookState | None:
        """What the last setWebhook set (None when no webhook is set)."""
        return copy.copy(self._webhook)

    def commands(self) -> list[JSONDict]:
        """The command menu the bot set."""
        return copy.deepcopy(self._commands)

    @property
    def count_429(self) -> int:
        return sum(1 for r in self._requests if r.status == 429)

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself (answered 500); should stay empty."""
        return list(self._internal_errors)

    def clear_records(self) -> None:
        """Forget the requests and delivered messages (chats and queued updates stay)."""
        self._requests.clear()
        self._sent.clear()

    def describe(self, chat_id: int | None = None, limit: int = 15) -> str:
        """Say what the bot sent (to one chat, or anywhere) and its last requests."""
        lines = []
        for cid in [chat_id] if chat_id is not None else list(self._sent):
            sent = self._sent.get(cid, [])
            lines.append(f"bot -> chat {cid}: {len(sent)} message(s)")
            lines.extend(f"  {m.describe()}" for m in sent[-limit:])
        lines.append(f"last requests (of {len(self._requests)}):")
        for r in self._requests[-limit:]:
            why = f" {r.description}" + (f" [injected {r.injected}]" if r.injected else "")
            lines.append(f"  {r.method} chat={r.params.get('chat_id')} -> {r.status}{why}")
        return "\n".join(lines)

    # -- waiting ------------------------------------------------------------------------------
    async def _wait(
        self, predicate: Callable[[], T | None], timeout: float, every: float = 1e9
    ) -> T:
        """Return predicate()'s value once truthy, looking again at every change in the fake
        (and every `every` seconds); TimeoutError after `timeout`."""
        deadline = asyncio.get_running_loop().time() + timeout
        while True:
            changed = self._changed
            if value := predicate():
                return value
            left = min(deadline - asyncio.get_running_loop().time(), every)
            if left <= 0:
                raise TimeoutError
            # Not asyncio.wait_for: it can swallow a cancellation (a bot killed mid-call) that
            # arrives as the event is set, and the call would then be held for ever.
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(left):
                    await changed.wait()

    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = WAIT_S,
        *,
        description: str = "",
    ) -> T:
        """Wait until `predicate()` is truthy and return its value; on timeout fail saying
        what the bot sent. Looked at after every change in the fake, and every 0.25 s (a
        predicate may look at things the fake does not see, such as the bot's database)."""
        try:
            return await self._wait(predicate, timeout, every=0.25)
        except TimeoutError:
            what = description or getattr(predicate, "__qualname__", "a condition")
            raise AssertionError(f"timed out after {timeout}s: {what}\n{self.describe()}") from None

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = WAIT_S
    ) -> list[SentMessage]:
        """Wait until the bot delivered `count` messages to the chat; return all of them."""
        what = f"{count} message(s) to chat {chat_id}"
        enough = lambda: self.delivered_count(chat_id) >= count  # noqa: E731
        await self.wait_for(enough, timeout, description=what)
        return self.messages(chat_id)

    async def wait_for_update_consumed(self, update: JSONDict, timeout: float = WAIT_S) -> None:
        """Wait until a getUpdates confirmed the update (its offset is past it): the bot has
        it, and Telegram would not hand it out again."""

        def confirmed() -> bool:
            offsets = [int(r.params.get("offset") or 0) for r in self.requests("getUpdates")]
            return max(offsets, default=0) > int(update["update_id"])

        await self.wait_for(confirmed, timeout, description=f"{update['update_id']} consumed")
