"""Change notification that works across threads and event loops.

The server may run on the test's own event loop or on a private loop in a background thread,
while test code waits on its loop or in plain sync code. A :class:`Notifier` wakes every
registered waiter wherever it lives: an asyncio.Event set directly when we are already on its
loop, via ``call_soon_threadsafe`` otherwise, or a threading.Event for sync waiters.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator


class _AsyncWaiter:
    __slots__ = ("event", "loop")

    def __init__(self) -> None:
        self.loop = asyncio.get_running_loop()
        self.event = asyncio.Event()

    def wake(self) -> None:
        try:
            current: asyncio.AbstractEventLoop | None = asyncio.get_running_loop()
        except RuntimeError:
            current = None
        if current is self.loop:
            self.event.set()
        else:
            with contextlib.suppress(RuntimeError):  # the waiter's loop is already closed
                self.loop.call_soon_threadsafe(self.event.set)


class _SyncWaiter:
    __slots__ = ("event",)

    def __init__(self) -> None:
        self.event = threading.Event()

    def wake(self) -> None:
        self.event.set()


class Notifier:
    """Register a waiter *before* checking a condition, clear it, check, then wait: a change
    that happens after the check always wakes the waiter, so no wake-up is lost."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiters: list[_AsyncWaiter | _SyncWaiter] = []

    def notify(self) -> None:
        if not self._waiters:  # fast path for the benchmark: nobody is waiting
            return
        with self._lock:
            waiters = tuple(self._waiters)
        for waiter in waiters:
            waiter.wake()

    @contextlib.contextmanager
    def async_waiter(self) -> Iterator[asyncio.Event]:
        waiter = _AsyncWaiter()
        with self._lock:
            self._waiters.append(waiter)
        try:
            yield waiter.event
        finally:
            with self._lock:
                self._waiters.remove(waiter)

    @contextlib.contextmanager
    def sync_waiter(self) -> Iterator[threading.Event]:
        waiter = _SyncWaiter()
        with self._lock:
            self._waiters.append(waiter)
        try:
            yield waiter.event
        finally:
            with self._lock:
                self._waiters.remove(waiter)
