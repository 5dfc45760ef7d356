"""FakeBotAPI: a loopback Telegram Bot API server for running the real PTB bot in tests."""

from __future__ import annotations

import asyncio
import contextlib
import copy
import itertools
import json
import math
import random
import threading
import time
import traceback
from collections import Counter, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Self, TypeVar

import aiohttp
from aiohttp import web

from ._methods import MethodImpl, _MethodsMixin
from ._records import (
    FAILURE_KINDS,
    ApiError,
    FailureKind,
    JSONDict,
    RecordedRequest,
    SentMessage,
    UploadedFile,
    WebhookState,
)
from ._telegram import decode_form_value, normalize_params
from ._users import _UsersMixin

T = TypeVar("T")

# Methods that post a message: these count for the global rate limit.
SEND_METHODS: frozenset[str] = frozenset(
    {
        "sendMessage", "sendPhoto", "sendDocument", "sendAudio", "sendVideo", "sendAnimation",
        "sendVoice", "sendVideoNote", "sendSticker", "sendLocation", "sendVenue", "sendContact",
        "sendPoll", "sendDice", "sendMediaGroup", "copyMessage", "forwardMessage",
    }
)  # fmt: skip

CONFLICT_WEBHOOK = (
    "Conflict: can't use getUpdates method while webhook is active; "
    "use deleteWebhook to delete the webhook first"
)
CONFLICT_POLL = (
    "Conflict: terminated by other getUpdates request; "
    "make sure that only one bot instance is running"
)
BLOCKED = "Forbidden: bot was blocked by the user"


@dataclass(slots=True)
class _Injection:
    kind: str
    retry_after: int
    description: str | None


@dataclass(slots=True)
class _FailRate:
    rate: float
    kinds: tuple[str, ...]
    rng: random.Random
    retry_after: int


def _as_int(value: Any, default: int) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _check_kind(kind: str) -> None:
    if kind not in FAILURE_KINDS:
        raise ValueError(f"unknown failure kind {kind!r}; expected one of {sorted(FAILURE_KINDS)}")


class FakeBotAPI(_MethodsMixin, _UsersMixin):
    """A fake Telegram Bot API on 127.0.0.1 (free port) for the real PTB ``Bot``/``Application``.

    Use ``async with FakeBotAPI() as api:`` on the test's loop, or ``api.start_in_thread()`` /
    ``api.stop_thread()`` (also ``with FakeBotAPI() as api:``) to run it on a private loop in a
    background thread. Point PTB at it with ``base_url=api.base_url`` (and
    ``base_file_url=api.base_file_url`` for downloads).

    Test side: simulated users (``send_text``, ``press_button``, ...), records of everything the
    bot did (``requests``, ``messages``, ...), waits (``wait_for``, ``wait_for_messages``...),
    failure injection (``fail_next``, ``fail_rate``, ``set_global_rate_limit``, ``block``).
    Accessors and simulated users are thread-safe; accessors return snapshots.
    """

    def __init__(
        self,
        token: str = "123:ABC",
        *,
        bot_username: str = "footcoach_test_bot",
        bot_first_name: str = "Footcoach",
        timeout_delay: float = 10.0,
        strict_chats: bool = False,
        check_markup: bool = True,
        first_update_id: int = 1,
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        """``timeout_delay``: how long ``"timeout"``/``"slow"`` failures hold the response
        (stopping the server releases them at once). ``strict_chats``: sending to a chat no
        simulated user has written from answers 400 "chat not found" (by default such chats
        are made up on the fly, handy for benchmarks). ``check_markup``: refuse malformed
        HTML/MarkdownV2 with 400 "can't parse entities" as Telegram does (conservative: only
        clear errors are refused)."""
        super().__init__(
            token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            strict_chats=strict_chats,
            check_markup=check_markup,
            first_update_id=first_update_id,
        )
        self.host = host
        self.timeout_delay = timeout_delay
        self._wanted_port = port
        self._impls: dict[str, MethodImpl] = self._method_table()
        self._canonical: dict[str, str] = {n.lower(): n for n in [*self._impls, "getUpdates"]}

        self._requests: list[RecordedRequest] = []
        self._requests_by_method: dict[str, list[RecordedRequest]] = {}
        self._request_counts: Counter[str] = Counter()
        self._answered_counts: Counter[str] = Counter()
        self._internal_errors: list[str] = []

        self._fail_next: dict[str, deque[_Injection]] = {}
        self._fail_rates: dict[str, _FailRate] = {}
        self._rate_limit: float | None = None
        self._rate_window: deque[float] = deque()
        self._count_429 = 0
        self._poll_generation = 0

        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stopping: asyncio.Event | None = None
        self._thread: threading.Thread | None = None
        self._thread_loop: asyncio.AbstractEventLoop | None = None

    # ==========================================================================================
    # Lifecycle
    # ==========================================================================================
    async def start(self) -> Self:
        """Start serving on the running event loop."""
        if self._runner is not None:
            raise RuntimeError("FakeBotAPI is already running")
        self._loop = asyncio.get_running_loop()
        self._stopping = asyncio.Event()
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_get("/file/bot{token}/{path:.+}", self._handle_file)
        app.router.add_route("*", "/{tail:.*}", self._handle_unknown_path)
        runner = web.AppRunner(
            app, access_log=None, shutdown_timeout=1.0, handler_cancellation=True
        )
        await runner.setup()
        site = web.TCPSite(runner, self.host, self._wanted_port)
        try:
            await site.start()
        except BaseException:
            await runner.cleanup()
            raise
        self._runner = runner
        self._port = int(runner.addresses[0][1])
        return self

    async def stop(self) -> None:
        """Stop serving; held requests (long polls, injected timeouts) are released first."""
        if self._runner is None:
            return
        assert self._stopping is not None
        self._stopping.set()
        self._updates_changed.notify()
        runner, self._runner = self._runner, None
        self._port = None
        await runner.cleanup()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.stop()

    def start_in_thread(self, timeout: float = 10.0) -> Self:
        """Run the server on its own event loop in a daemon thread (for sync code, subprocess
        drivers, or to keep server work off the test's loop)."""
        if self._thread is not None:
            raise RuntimeError("FakeBotAPI thread is already running")
        ready = threading.Event()
        errors: list[BaseException] = []

        def run() -> None:
            loop = asyncio.new_event_loop()
            asyncio.set_event_loop(loop)
            try:
                loop.run_until_complete(self.start())
            except BaseException as exc:
                errors.append(exc)
                ready.set()
                loop.close()
                return
            self._thread_loop = loop
            ready.set()
            try:
                loop.run_forever()
            finally:
                loop.run_until_complete(loop.shutdown_asyncgens())
                loop.close()

        thread = threading.Thread(target=run, name="FakeBotAPI", daemon=True)
        thread.start()
        if not ready.wait(timeout):
            raise RuntimeError("FakeBotAPI thread did not start in time")
        if errors:
            thread.join()
            raise errors[0]
        self._thread = thread
        return self

    def stop_thread(self, timeout: float = 10.0) -> None:
        """Stop a server started with :meth:`start_in_thread` and join its thread."""
        thread, loop = self._thread, self._thread_loop
        if thread is None or loop is None:
            return
        try:
            asyncio.run_coroutine_threadsafe(self.stop(), loop).result(timeout)
        finally:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout)
            self._thread = self._thread_loop = None

    def __enter__(self) -> Self:
        return self.start_in_thread()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop_thread()

    # -- addresses ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotAPI is not running")
        return self._port

    @property
    def url(self) -> str:
        """Server root, e.g. ``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """PTB ``base_url``: PTB requests ``{base_url}{token}/{method}``."""
        return f"{self.url}/bot"

    @property
    def base_file_url(self) -> str:
        """PTB ``base_file_url``: downloads go to ``{base_file_url}{token}/{file_path}``."""
        return f"{self.url}/file/bot"

    # ==========================================================================================
    # HTTP
    # ==========================================================================================
    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        params: JSONDict = {k: decode_form_value(k, v) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return params, files
        ctype = request.content_type
        if ctype == "application/json":
            try:
                body = await request.json()
            except ValueError as exc:
                raise ApiError(400, "Bad Request: can't parse JSON object") from exc
            if not isinstance(body, dict):
                raise ApiError(400, "Bad Request: can't parse JSON object")
            params.update(body)
            return normalize_params(params), files
        if ctype in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(
                        field=name,
                        filename=value.filename,
                        content_type=value.content_type,
                        data=value.file.read(),
                    )
                else:
                    params[name] = decode_form_value(name, str(value))
            return params, files
        raise ApiError(400, f"Bad Request: unsupported Content-Type {ctype}")

    def _record(
        self, method: str, params: JSONDict, files: dict[str, UploadedFile]
    ) -> RecordedRequest:
        with self._lock:
            record = RecordedRequest(
                seq=len(self._requests),
                method=method,
                params=params,
                files=files,
                time=time.monotonic(),
            )
            self._requests.append(record)
            self._requests_by_method.setdefault(method, []).append(record)
            self._request_counts[method] += 1
        self._records_changed.notify()
        return record

    def _finish(
        self,
        record: RecordedRequest,
        status: int,
        *,
        result: Any = None,
        description: str | None = None,
        injected: str | None = None,
    ) -> None:
        with self._lock:
            record.status = status
            record.result = result
            record.description = description
            if injected is not None:
                record.injected = injected
            self._answered_counts[record.method] += 1
            if status == 429:
                self._count_429 += 1
        self._records_changed.notify()

    async def _handle_api(self, request: web.Request) -> web.Response:
        token = request.match_info["token"]
        method = self._canonical.get(request.match_info["method"].lower())
        method = method or request.match_info["method"]
        try:
            params, files = await self._read_params(request)
        except ApiError as exc:
            record = self._record(method, {}, {})
            self._finish(record, exc.code, description=exc.description)
            return _json_response(exc.code, exc.payload())
        record = self._record(method, params, files)
        try:
            result = await self._answer(record, token, method, params, files)
        except ApiError as exc:
            self._finish(record, exc.code, description=exc.description, injected=record.injected)
            return _json_response(exc.code, exc.payload())
        except asyncio.CancelledError:
            self._finish(record, 499, description="client closed the connection")
            raise
        except Exception:
            text = traceback.format_exc()
            with self._lock:
                self._internal_errors.append(f"{method}: {text}")
            error = ApiError(500, f"Internal Server Error: fake server bug in {method}")
            self._finish(record, 500, description=error.description)
            return _json_response(500, error.payload())
        self._finish(record, 200, result=result)
        return _json_response(200, {"ok": True, "result": result})

    async def _answer(
        self,
        record: RecordedRequest,
        token: str,
        method: str,
        params: JSONDict,
        files: dict[str, UploadedFile],
    ) -> Any:
        if token != self.token:
            raise ApiError(401, "Unauthorized")
        custom = self._impls.get(method)
        if custom is None and method != "getUpdates":
            raise ApiError(404, "Not Found")

        injection = self._take_injection(method)
        if injection is not None:
            record.injected = injection.kind
            if injection.kind == "timeout":
                await self._hold(self.timeout_delay)
                raise ApiError(504, "Gateway Timeout")
            if injection.kind != "slow":
                raise _injected_error(injection)

        with self._lock:
            if method in SEND_METHODS and self._rate_limit is not None:
                retry_after = self._rate_limited()
                if retry_after:
                    record.injected = "rate_limit"
                    raise ApiError(
                        429,
                        f"Too Many Requests: retry after {retry_after}",
                        {"retry_after": retry_after},
                    )
            chat_id = params.get("chat_id")
            if isinstance(chat_id, int) and chat_id in self._blocked:
                raise ApiError(403, BLOCKED)

        if method == "getUpdates":
            result = await self._get_updates(params)
        else:
            assert custom is not None
            with self._lock:
                result = custom(params, files)
        if injection is not None and injection.kind == "slow":
            await self._hold(self.timeout_delay)
        return result

    async def _hold(self, seconds: float) -> None:
        """Sleep, but wake up at once when the server stops."""
        assert self._stopping is not None
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)

    async def _get_updates(self, params: JSONDict) -> list[JSONDict]:
        offset = _as_int(params.get("offset"), 0)
        limit = min(100, max(1, _as_int(params.get("limit"), 100)))
        try:
            timeout = max(0.0, float(params.get("timeout") or 0))
        except (TypeError, ValueError):
            timeout = 0.0
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        assert self._stopping is not None
        with self._lock:
            if self._webhook is not None:
                raise ApiError(409, CONFLICT_WEBHOOK)
            self._poll_generation += 1
            generation = self._poll_generation
            self._confirm_updates(offset)
        self._updates_changed.notify()  # a poll still waiting is now superseded
        self._records_changed.notify()
        with self._updates_changed.async_waiter() as changed:
            while True:
                changed.clear()
                with self._lock:
                    if generation != self._poll_generation:
                        raise ApiError(409, CONFLICT_POLL)
                    batch = list(itertools.islice(self._updates, limit))
                    if batch:
                        last = int(batch[-1]["update_id"])
                        self._highest_fetched_update_id = max(self._highest_fetched_update_id, last)
                if batch:
                    self._records_changed.notify()
                    return batch
                remaining = deadline - loop.time()
                if remaining <= 0 or self._stopping.is_set():
                    return []
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), remaining)

    async def _handle_file(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _json_response(401, ApiError(401, "Unauthorized").payload())
        with self._lock:
            data = self._files_by_path.get(request.match_info["path"])
        if data is None:
            return _json_response(404, ApiError(404, "Not Found").payload())
        return web.Response(body=data, content_type="application/octet-stream")

    async def _handle_unknown_path(self, request: web.Request) -> web.Response:
        return _json_response(404, ApiError(404, "Not Found").payload())

    def add_method(self, name: str, impl: MethodImpl) -> None:
        """Serve another Bot API method: ``impl(params, files)`` runs under the state lock and
        returns the result or raises :class:`ApiError`. Also overrides built-in methods."""
        self._impls[name] = impl
        self._canonical[name.lower()] = name

    # ==========================================================================================
    # Failure injection
    # ==========================================================================================
    def fail_next(
        self,
        method: str,
        kind: FailureKind,
        count: int = 1,
        retry_after: int = 1,
        *,
        description: str | None = None,
    ) -> None:
        """Fail the next ``count`` calls of ``method`` (``"*"``: any method but getUpdates).

        Kinds: ``"500"``/``"502"`` (PTB: NetworkError), ``"429"`` with ``retry_after``
        (RetryAfter), ``"403"`` bot blocked (Forbidden), ``"400"`` (BadRequest), ``"timeout"``
        (not processed, held ``timeout_delay`` s: TimedOut), ``"slow"`` (processed -- the
        message IS delivered -- but held likewise). Failed calls deliver nothing.
        """
        _check_kind(kind)
        if retry_after < 1:
            raise ValueError("retry_after must be >= 1 (PTB ignores a retry_after of 0)")
        method = self._canonical.get(method.lower(), method)
        with self._lock:
            queue = self._fail_next.setdefault(method, deque())
            queue.extend(_Injection(kind, retry_after, description) for _ in range(count))

    def fail_rate(
        self,
        method: str,
        rate: float,
        kinds: Iterable[FailureKind] = ("500", "timeout"),
        seed: int | None = None,
        *,
        retry_after: int = 1,
    ) -> None:
        """Fail a random ``rate`` fraction of ``method`` calls (``"*"``: any but getUpdates)
        with one of ``kinds`` picked at random; ``rate=0`` turns it off. ``seed`` makes the
        sequence reproducible."""
        if not 0.0 <= rate <= 1.0:
            raise ValueError("rate must be within [0, 1]")
        kinds = tuple(kinds)
        if not kinds:
            raise ValueError("kinds must not be empty")
        for kind in kinds:
            _check_kind(kind)
        method = self._canonical.get(method.lower(), method)
        with self._lock:
            if rate == 0:
                self._fail_rates.pop(method, None)
            else:
                self._fail_rates[method] = _FailRate(rate, kinds, random.Random(seed), retry_after)

    def clear_failures(self) -> None:
        """Drop pending ``fail_next``/``fail_rate`` injections, the rate limit and blocks."""
        with self._lock:
            self._fail_next.clear()
            self._fail_rates.clear()
            self._rate_limit = None
            self._rate_window.clear()
            self._blocked.clear()

    def _take_injection(self, method: str) -> _Injection | None:
        with self._lock:
            keys = (method,) if method == "getUpdates" else (method, "*")
            for key in keys:
                queue = self._fail_next.get(key)
                if queue:
                    return queue.popleft()
            for key in keys:
                fail = self._fail_rates.get(key)
                if fail is not None and fail.rng.random() < fail.rate:
                    return _Injection(fail.rng.choice(fail.kinds), fail.retry_after, None)
        return None

    def set_global_rate_limit(self, per_second: float | None) -> None:
        """Answer 429 (retry_after in whole seconds) to send* calls beyond ``per_second``
        within any sliding one-second window; ``None`` turns it off. Rejected calls do not
        count toward the window. See :attr:`count_429`."""
        if per_second is not None and per_second <= 0:
            raise ValueError("per_second must be positive")
        with self._lock:
            self._rate_limit = per_second
            self._rate_window.clear()

    def _rate_limited(self) -> int:
        """0 if a send may pass now (and count it), else the retry_after to answer."""
        assert self._rate_limit is not None
        now = time.monotonic()
        window = self._rate_window
        while window and window[0] <= now - 1.0:
            window.popleft()
        if len(window) >= self._rate_limit:
            return max(1, math.ceil(window[0] + 1.0 - now))
        window.append(now)
        return 0

    @property
    def count_429(self) -> int:
        """How many 429 answers were given (rate limit and injected)."""
        with self._lock:
            return self._count_429

    def block(self, user_id: int) -> None:
        """The user blocked the bot: calls with this chat_id answer 403."""
        with self._lock:
            self._blocked.add(user_id)

    def unblock(self, user_id: int) -> None:
        with self._lock:
            self._blocked.discard(user_id)

    # ==========================================================================================
    # Records
    # ==========================================================================================
    def requests(self, method: str | None = None) -> list[RecordedRequest]:
        """Every request the bot made (optionally of one method), in arrival order."""
        with self._lock:
            chosen = self._requests if method is None else self._requests_by_method.get(method, [])
            return [copy.copy(r) for r in chosen]

    def request_count(self, method: str | None = None) -> int:
        with self._lock:
            return len(self._requests) if method is None else self._request_counts[method]

    def messages(self, chat_id: int) -> list[SentMessage]:
        """Messages the bot delivered to this chat, in order (failed sends are not here)."""
        with self._lock:
            return [m.snapshot() for m in self._sent.get(chat_id, [])]

    def last_message(self, chat_id: int) -> SentMessage:
        with self._lock:
            sent = self._sent.get(chat_id)
            if not sent:
                raise AssertionError(f"the bot sent nothing to chat {chat_id}\n{self.describe()}")
            return sent[-1].snapshot()

    def message(self, chat_id: int, message_id: int) -> SentMessage:
        """A bot message by id (current state, after edits)."""
        with self._lock:
            for sent in self._sent.get(chat_id, []):
                if sent.message_id == message_id:
                    return sent.snapshot()
        raise AssertionError(f"the bot sent no message {message_id} to chat {chat_id}")

    def delivered_count(self, chat_id: int) -> int:
        with self._lock:
            return len(self._sent.get(chat_id, ()))

    def delivered_counts(self) -> dict[int, int]:
        """chat_id -> number of messages delivered there (for duplicate/missing checks)."""
        with self._lock:
            return {chat_id: len(sent) for chat_id, sent in self._sent.items()}

    @property
    def delivered_total(self) -> int:
        with self._lock:
            return self._sent_total

    def answered_callbacks(self) -> list[JSONDict]:
        """Parameters of each successful answerCallbackQuery, in order."""
        with self._lock:
            return [dict(a) for a in self._answered_callbacks]

    def answered_callback_ids(self) -> list[str]:
        with self._lock:
            return [str(a["callback_query_id"]) for a in self._answered_callbacks]

    def chat_actions(self, chat_id: int) -> list[str]:
        with self._lock:
            return list(self._chat_actions.get(chat_id, ()))

    @property
    def webhook(self) -> WebhookState | None:
        """What the last successful setWebhook set (None when no webhook is set)."""
        with self._lock:
            return copy.copy(self._webhook)

    def commands(
        self, scope: JSONDict | None = None, language_code: str | None = None
    ) -> list[JSONDict]:
        """Commands the bot set with setMyCommands for this scope/language."""
        with self._lock:
            params = {"scope": scope, "language_code": language_code}
            return [dict(c) for c in self._api_get_my_commands(params, {})]

    def menu_button(self, chat_id: int | None = None) -> JSONDict | None:
        with self._lock:
            button = self._menu_buttons.get(chat_id)
            return dict(button) if button is not None else None

    @property
    def highest_fetched_update_id(self) -> int:
        """The largest update_id getUpdates has handed out so far (0: none)."""
        with self._lock:
            return self._highest_fetched_update_id

    @property
    def internal_errors(self) -> list[str]:
        """Tracebacks of bugs in the fake itself (answered 500); should stay empty."""
        with self._lock:
            return list(self._internal_errors)

    def clear_records(self) -> None:
        """Forget recorded requests and delivered-message records (chats, the messages stored
        in them and the update queue stay), e.g. between benchmark phases."""
        with self._lock:
            self._requests.clear()
            self._requests_by_method.clear()
            self._request_counts.clear()
            self._answered_counts.clear()
            self._sent.clear()
            self._sent_total = 0
            self._answered_callbacks.clear()
            self._chat_actions.clear()
            self._count_429 = 0

    def describe(self, chat_id: int | None = None, limit: int = 15) -> str:
        """Human-readable summary of what the bot sent (to one chat, or everywhere) and of the
        last requests: used in wait failures."""
        with self._lock:
            lines: list[str] = []
            chats = [chat_id] if chat_id is not None else list(self._sent)
            if not chats:
                lines.append("the bot sent no messages at all")
            for cid in chats:
                sent = self._sent.get(cid, [])
                lines.append(f"bot -> chat {cid}: {len(sent)} message(s)")
                skipped = len(sent) - limit
                if skipped > 0:
                    lines.append(f"  ... {skipped} earlier")
                lines.extend(f"  {m.describe()}" for m in sent[-limit:])
            if chat_id is not None:
                others = {c: len(s) for c, s in self._sent.items() if c != chat_id}
                if others:
                    lines.append(f"other chats (chat: count): {others}")
            lines.append(f"last requests (of {len(self._requests)}):")
            for r in self._requests[-limit:]:
                extra = f" {r.description}" if r.description else ""
                extra += f" [injected {r.injected}]" if r.injected else ""
                lines.append(f"  {r.method} chat={r.params.get('chat_id')} -> {r.status}{extra}")
            lines.append(f"pending updates: {len(self._updates)}")
            return "\n".join(lines)

    # ==========================================================================================
    # Waiting
    # ==========================================================================================
    async def wait_for(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,
        *,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> T:
        """Wait until ``predicate()`` is truthy and return its value. Works from any event loop
        (also while the server runs in its thread). On timeout raise AssertionError with
        :meth:`describe` (of ``chat_id`` if given)."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        with self._records_changed.async_waiter() as changed:
            while True:
                changed.clear()
                value = predicate()
                if value:
                    return value
                remaining = deadline - loop.time()
                if remaining <= 0:
                    raise AssertionError(
                        self._timeout_message(predicate, timeout, description, chat_id)
                    )
                # Re-check now and then even without a notification (predicates may look at
                # things the fake does not track).
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(changed.wait(), min(remaining, 0.25))

    def wait_for_sync(
        self,
        predicate: Callable[[], T | None],
        timeout: float = 5.0,
        *,
        description: str | None = None,
        chat_id: int | None = None,
    ) -> T:
        """:meth:`wait_for` for sync code (server running via :meth:`start_in_thread`)."""
        deadline = time.monotonic() + timeout
        with self._records_changed.sync_waiter() as changed:
            while True:
                changed.clear()
                value = predicate()
                if value:
                    return value
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise AssertionError(
                        self._timeout_message(predicate, timeout, description, chat_id)
                    )
                changed.wait(min(remaining, 0.25))

    def _timeout_message(
        self,
        predicate: Callable[[], Any],
        timeout: float,
        description: str | None,
        chat_id: int | None,
    ) -> str:
        what = description or getattr(predicate, "__qualname__", repr(predicate))
        return f"timed out after {timeout}s waiting for {what}\n{self.describe(chat_id)}"

    async def wait_for_messages(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        """Wait until the bot delivered at least ``count`` messages to the chat; returns all
        messages delivered there so far."""
        await self.wait_for(
            lambda: self.delivered_count(chat_id) >= count,
            timeout,
            description=f"{count} message(s) to chat {chat_id}",
            chat_id=chat_id,
        )
        return self.messages(chat_id)

    def wait_for_messages_sync(
        self, chat_id: int, count: int = 1, timeout: float = 5.0
    ) -> list[SentMessage]:
        self.wait_for_sync(
            lambda: self.delivered_count(chat_id) >= count,
            timeout,
            description=f"{count} message(s) to chat {chat_id}",
            chat_id=chat_id,
        )
        return self.messages(chat_id)

    async def wait_for_text(
        self, chat_id: int, contains: str, timeout: float = 5.0, *, start: int = 0
    ) -> SentMessage:
        """Wait for a message (index >= ``start`` in the chat) whose text/caption contains
        ``contains``; returns the first such. (Each message is checked once, when first seen:
        a later edit of an already checked message is not noticed.)"""

        position = start

        def find() -> SentMessage | None:
            nonlocal position  # scan each message once, so long chats stay cheap to wait on
            with self._lock:
                sent_list = self._sent.get(chat_id, [])
                while position < len(sent_list):
                    sent = sent_list[position]
                    position += 1
                    if sent.text is not None and contains in sent.text:
                        return sent.snapshot()
            return None

        return await self.wait_for(
            find,
            timeout,
            description=f"a message containing {contains!r} in chat {chat_id}",
            chat_id=chat_id,
        )

    async def wait_for_request(
        self, method: str, timeout: float = 5.0, *, count: int = 1
    ) -> RecordedRequest:
        """Wait until ``count`` calls of ``method`` were answered; returns the count-th."""

        def find() -> RecordedRequest | None:
            with self._lock:
                if self._answered_counts[method] < count:  # O(1) while waiting
                    return None
                done = [r for r in self._requests_by_method[method] if r.status is not None]
                return copy.copy(done[count - 1])

        return await self.wait_for(find, timeout, description=f"{count} answered {method} call(s)")

    async def wait_for_callback_answer(
        self, callback_query_id: str | None = None, timeout: float = 5.0
    ) -> JSONDict:
        """Wait until this callback query (or any, if None) was answered; returns the answer's
        parameters (text, show_alert...)."""

        def find() -> JSONDict | None:
            with self._lock:
                for answer in self._answered_callbacks:
                    if (
                        callback_query_id is None
                        or answer["callback_query_id"] == callback_query_id
                    ):
                        return dict(answer)
            return None

        return await self.wait_for(
            find, timeout, description=f"an answer to callback query {callback_query_id}"
        )

    async def wait_for_update_fetched(
        self, update: JSONDict | int | None = None, timeout: float = 5.0
    ) -> None:
        """Wait until getUpdates handed out this update (default: the last one queued)."""
        if update is None:
            update_id = self._last_enqueued_update_id
        elif isinstance(update, int):
            update_id = update
        else:
            update_id = int(update["update_id"])
        await self.wait_for(
            lambda: self.highest_fetched_update_id >= update_id,
            timeout,
            description=f"getUpdates to fetch update {update_id}",
        )

    # ==========================================================================================
    # Webhook
    # ==========================================================================================
    async def post_update_to(
        self,
        url: str,
        update: JSONDict,
        secret_token: str | None = None,
        *,
        timeout: float = 5.0,
    ) -> int:
        """POST an update to a bot's webhook like Telegram does; returns the HTTP status."""
        headers = {"Content-Type": "application/json"}
        if secret_token is not None:
            headers["X-Telegram-Bot-Api-Secret-Token"] = secret_token
        client_timeout = aiohttp.ClientTimeout(total=timeout)
        async with (
            aiohttp.ClientSession(timeout=client_timeout) as session,
            session.post(url, data=json.dumps(update), headers=headers) as response,
        ):
            await response.read()
            return response.status


def _injected_error(injection: _Injection) -> ApiError:
    kind, description = injection.kind, injection.description
    if kind == "500":
        return ApiError(500, description or "Internal Server Error")
    if kind == "502":
        return ApiError(502, description or "Bad Gateway")
    if kind == "429":
        n = injection.retry_after
        return ApiError(
            429, description or f"Too Many Requests: retry after {n}", {"retry_after": n}
        )
    if kind == "403":
        return ApiError(403, description or BLOCKED)
    if kind == "400":
        return ApiError(400, description or "Bad Request: injected failure")
    raise AssertionError(f"unhandled failure kind {kind}")


def _json_response(status: int, payload: JSONDict) -> web.Response:
    return web.Response(
        status=status,
        body=json.dumps(payload, ensure_ascii=False).encode(),
        content_type="application/json",
    )
