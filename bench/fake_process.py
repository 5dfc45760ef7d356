"""The fake Bot API server (tests/fakebot) in a child process, with simulated people in it.

The bot under test runs in the benchmark's own process. Putting the fake server, and the
people who talk to the bot, in another process keeps their work off the bot's GIL and out of
its CPU time: on a 2-core machine each side gets a core, and the bot's process CPU time per
update is the bot's own cost. The parent talks to the child over a pipe: one command at a
time, answered with plain data.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import random
import time
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from multiprocessing.connection import Connection
from types import TracebackType
from typing import Any, Self

START_TIMEOUT = 30.0


class FakeServerProcess:
    """Start fake Bot API servers in a child process and drive them from the parent."""

    def __init__(self, token: str, names: Sequence[str] = ("main",)) -> None:
        """Serve one fake server per name (each on its own port, all with `token`)."""
        self.token = token
        self.names = tuple(names)
        self.base_urls: dict[str, str] = {}
        # spawn, not fork: the parent may already hold an event loop, threads and SQLite handles.
        context = multiprocessing.get_context("spawn")
        self._conn, child = context.Pipe()
        self._process = context.Process(
            target=_child_main, args=(child, token, self.names), name="fake-bot-api", daemon=True
        )
        self._process.start()
        child.close()
        if not self._conn.poll(START_TIMEOUT):
            self._process.kill()
            raise RuntimeError("the fake Bot API process did not start in time")
        status, payload = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"the fake Bot API process failed to start:\n{payload}")
        self.base_urls = dict(payload)

    def call(self, command: str, **kwargs: Any) -> Any:
        """Run a command in the child and return its answer (blocks this thread)."""
        self._conn.send((command, kwargs))
        status, payload = self._conn.recv()
        if status != "ok":
            raise RuntimeError(f"fake server command {command!r} failed:\n{payload}")
        return payload

    async def acall(self, command: str, **kwargs: Any) -> Any:
        """Run a command in the child without blocking this event loop (the bot keeps running)."""
        return await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.call(command, **kwargs)
        )

    def close(self) -> None:
        """Stop the servers and the child process."""
        if self._process.is_alive():
            with contextlib.suppress(OSError, EOFError):
                self._conn.send(("stop", {}))
                self._conn.recv()
            self._process.join(10)
        if self._process.is_alive():
            self._process.kill()
            self._process.join(5)
        self._conn.close()

    def __enter__(self) -> Self:
        """Return the running process handle."""
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the child."""
        self.close()


# -- the child ------------------------------------------------------------------------------


def _child_main(conn: Connection, token: str, names: tuple[str, ...]) -> None:
    asyncio.run(_serve(conn, token, names))


async def _serve(conn: Connection, token: str, names: tuple[str, ...]) -> None:
    from tests.fakebot import FakeBotAPI

    loop = asyncio.get_running_loop()
    async with contextlib.AsyncExitStack() as stack:
        try:
            # Markup checking parses every HTML text again; Telegram's own cost is not ours.
            apis = {
                name: await stack.enter_async_context(
                    FakeBotAPI(token=token, check_markup=False, timeout_delay=3.0)
                )
                for name in names
            }
        except Exception:
            conn.send(("error", traceback.format_exc()))
            return
        conn.send(("ok", {name: api.base_url for name, api in apis.items()}))
        while True:
            command, kwargs = await loop.run_in_executor(None, conn.recv)
            if command == "stop":
                conn.send(("ok", None))
                return
            try:
                result = await _COMMANDS[command](apis[kwargs.pop("server", names[0])], **kwargs)
                conn.send(("ok", result))
            except Exception:
                conn.send(("error", traceback.format_exc()))


async def _set_rate_limit(api: Any, per_second: float | None) -> None:
    api.set_global_rate_limit(per_second)


async def _clear(api: Any) -> None:
    api.clear_records()
    api.clear_failures()


async def _delivered_counts(api: Any) -> dict[int, int]:
    return dict(api.delivered_counts())


async def _count_429(api: Any) -> int:
    return int(api.count_429)


async def _request_counts(api: Any, methods: Sequence[str]) -> dict[str, int]:
    return {m: api.request_count(m) for m in methods}


async def _send_times(api: Any, method: str) -> list[float]:
    """Return time.monotonic() of every answered-ok call of `method` (system-wide clock)."""
    return [r.time for r in api.requests(method) if r.status == 200]


async def _chat_times(api: Any, method: str) -> list[tuple[int, float]]:
    """Return (chat id, time.monotonic()) of every answered-ok call of `method`."""
    return [(int(r.params["chat_id"]), r.time) for r in api.requests(method) if r.status == 200]


@dataclass
class _Wait:
    threshold: int
    future: asyncio.Future[float]


@dataclass
class _Observer:
    """Wake waiting people when their chat reaches a message count: one waiter for all.

    The fake wakes every waiter on every request; fifty people each waiting on it would cost
    the fake more than the bot costs the bot. One observer checks the counts once per wake.
    """

    api: Any
    waits: dict[int, list[_Wait]] = field(default_factory=dict)
    closed: bool = False

    def expect(self, chat_id: int, threshold: int) -> asyncio.Future[float]:
        future: asyncio.Future[float] = asyncio.get_running_loop().create_future()
        self.waits.setdefault(chat_id, []).append(_Wait(threshold, future))
        return future

    def check(self) -> bool:
        if self.waits:
            counts = self.api.delivered_counts()
            now = time.perf_counter()
            for chat_id in list(self.waits):
                waits = self.waits[chat_id]
                have = counts.get(chat_id, 0)
                while waits and waits[0].threshold <= have:
                    wait = waits.pop(0)
                    if not wait.future.done():
                        wait.future.set_result(now)
                if not waits:
                    del self.waits[chat_id]
        return self.closed

    async def run(self) -> None:
        await self.api.wait_for(self.check, timeout=24 * 3600, description="the benchmark")


async def _converse(
    api: Any,
    slots: Sequence[Sequence[tuple[int, Sequence[dict[str, Any]]]]],
    think_s: float = 0.0,
    seed: int = 0,
    step_timeout: float = 15.0,
) -> dict[str, Any]:
    """Let each slot's people have their conversations, one after another, all slots at once.

    A person sends a line, waits for the bot's whole answer (the line's `replies` count), and,
    with `think_s`, pauses a random while (uniform, 0.5x to 1.5x that) before the next. Returns
    the wall time, this process's CPU time, and per-update latencies in ms: update queued to
    the first reply delivered, and to the last.
    """
    rng = random.Random(seed)
    observer = _Observer(api)
    watcher = asyncio.create_task(observer.run())
    first: list[float] = []
    whole: list[float] = []
    failures: list[str] = []

    async def person(user_id: int, lines: Sequence[dict[str, Any]]) -> None:
        have = api.delivered_count(user_id)
        for line in lines:
            if think_s:
                await asyncio.sleep(think_s * rng.uniform(0.5, 1.5))
            sent_at = time.perf_counter()
            await _send(api, user_id, line)
            want = int(line["replies"])
            if want == 0:
                continue
            got_first = observer.expect(user_id, have + 1)
            got_all = observer.expect(user_id, have + want)
            try:
                first_at = await asyncio.wait_for(got_first, step_timeout)
                all_at = await asyncio.wait_for(got_all, step_timeout)
            except TimeoutError:
                failures.append(
                    f"user {user_id}: no full answer to {line['kind']} {line['text']!r}"
                )
                return  # the rest of this conversation would no longer line up
            first.append((first_at - sent_at) * 1000)
            whole.append((all_at - sent_at) * 1000)
            have += want

    async def slot(conversations: Sequence[tuple[int, Sequence[dict[str, Any]]]]) -> None:
        for user_id, lines in conversations:
            await person(user_id, lines)

    cpu_start = time.process_time()
    start = time.perf_counter()
    try:
        await asyncio.gather(*(slot(s) for s in slots))
    finally:
        wall = time.perf_counter() - start
        cpu = time.process_time() - cpu_start
        observer.closed = True
        await watcher
    return {
        "wall_s": wall,
        "fake_cpu_s": cpu,
        "updates": len(first),
        "first_ms": first,
        "whole_ms": whole,
        "failed": len(failures),
        "failures": failures[:5],
    }


async def _send(api: Any, user_id: int, line: dict[str, Any]) -> None:
    kind, text = line["kind"], str(line["text"])
    if kind in ("text", "command"):
        api.send_text(user_id, text)
    elif kind == "media":
        api.send_media(user_id, text)
    elif kind == "contact":
        api.send_contact(user_id, text, contact_user_id="self" if line["own"] else 777)
    elif kind == "token":
        # Forged or stale data, sent as if from the latest message that has buttons.
        api.press_button(user_id, _latest_with_buttons(api, user_id), text, check=False)
    else:
        await _press(api, user_id, text, old=bool(line["old"]))


async def _press(api: Any, user_id: int, label: str, *, old: bool) -> None:
    """Press the labelled button on the latest message with buttons (or an older one)."""

    def find() -> tuple[int, str] | None:
        with_buttons = [m for m in api.messages(user_id) if m.inline_keyboard]
        for message in reversed(with_buttons[:-1] if old else with_buttons[-1:]):
            for row in message.inline_keyboard:
                for button in row:
                    if button.get("text") == label:
                        return message.message_id, str(button["callback_data"])
        return None

    # Buttons put on a message by a later edit (after a phone keyboard) may land a moment
    # after the message itself.
    message_id, data = await api.wait_for(find, timeout=10, description=f"button {label!r}")
    api.press_button(user_id, message_id, data)


def _latest_with_buttons(api: Any, user_id: int) -> int:
    messages = api.messages(user_id)
    for message in reversed(messages):
        if message.inline_keyboard:
            return int(message.message_id)
    return int(messages[-1].message_id)


_COMMANDS: dict[str, Callable[..., Any]] = {
    "set_rate_limit": _set_rate_limit,
    "clear": _clear,
    "delivered_counts": _delivered_counts,
    "count_429": _count_429,
    "request_counts": _request_counts,
    "send_times": _send_times,
    "chat_times": _chat_times,
    "converse": _converse,
}
