"""Counts of work done that a caller can await: a job's runs, a tally of handled updates.

Nothing in the bot waits on these; they are what tests await instead of sleeping. "Nothing
more was sent" is only worth asserting once the sender has looked again: `await
sender.runs.ran()` returns after a whole run that began after the call, so whatever was due
when the call was made has been seen by it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass


@dataclass
class _RunWaiter:
    after: int  # runs that started before the wait began do not count
    left: int
    failed: bool
    done: asyncio.Future[None]


class Runs:
    """Count the runs of a repeated job (started, completed, failed); await the next ones."""

    def __init__(self) -> None:
        self.started = 0
        self.completed = 0
        self.failed = 0
        self._waiters: list[_RunWaiter] = []

    @contextmanager
    def run(self) -> Iterator[None]:
        """Count one run of the job: the body of the `with` block."""
        self.started += 1
        number = self.started
        try:
            yield
        except BaseException:
            self.failed += 1
            self._finished(number, failed=True)
            raise
        self.completed += 1
        self._finished(number, failed=False)

    def _finished(self, number: int, *, failed: bool) -> None:
        for waiter in list(self._waiters):
            if number > waiter.after and failed == waiter.failed and not waiter.done.done():
                waiter.left -= 1
                if waiter.left <= 0:
                    waiter.done.set_result(None)

    def next(self, runs: int = 1, *, failed: bool = False) -> asyncio.Future[None]:
        """Return a future that is done once `runs` runs that start after this call have
        completed (or, with `failed`, ended in an error)."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if runs <= 0:
            done.set_result(None)
            return done
        waiter = _RunWaiter(self.started, runs, failed, done)
        self._waiters.append(waiter)
        done.add_done_callback(lambda _: self._waiters.remove(waiter))
        return done

    async def ran(self, runs: int = 1, *, failed: bool = False) -> None:
        """Wait until `runs` runs that start after this call have completed (or failed)."""
        await self.next(runs, failed=failed)


class Tally:
    """A count that only grows (e.g. updates handled), and a way to await a value of it."""

    def __init__(self) -> None:
        self.value = 0
        self._waiters: list[tuple[int, asyncio.Future[None]]] = []

    def add(self, count: int = 1) -> None:
        """Count `count` more."""
        self.value += count
        for target, done in list(self._waiters):
            if self.value >= target and not done.done():
                done.set_result(None)

    def reaching(self, target: int) -> asyncio.Future[None]:
        """Return a future that is done once the count is at least `target`."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        if self.value >= target:
            done.set_result(None)
            return done
        entry = (target, done)
        self._waiters.append(entry)
        done.add_done_callback(lambda _: self._waiters.remove(entry))
        return done

    async def reached(self, target: int) -> None:
        """Wait until the count is at least `target`."""
        await self.reaching(target)
