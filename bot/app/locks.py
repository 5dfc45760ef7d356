"""Per-key asyncio locks (one per person), forgotten as soon as nobody holds or waits for one."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Hashable
from contextlib import asynccontextmanager


class KeyedLocks:
    """A lock for each key, so work for one key runs in order and other keys run beside it."""

    def __init__(self) -> None:
        self._locks: dict[Hashable, asyncio.Lock] = {}
        self._users: dict[Hashable, int] = {}

    def users(self, key: Hashable) -> int:
        """Return how many tasks hold or wait for the key's lock."""
        return self._users.get(key, 0)

    def __len__(self) -> int:
        """Return how many keys have a lock right now."""
        return len(self._locks)

    @asynccontextmanager
    async def hold(self, key: Hashable, *, wait: bool = True) -> AsyncIterator[bool]:
        """Hold the key's lock; with `wait` False, yield False at once if it is taken."""
        lock = self._locks.setdefault(key, asyncio.Lock())
        if not wait and lock.locked():
            yield False
            return
        self._users[key] = self._users.get(key, 0) + 1
        try:
            async with lock:
                yield True
        finally:
            self._users[key] -= 1
            if self._users[key] == 0:
                # Forget idle keys so the table does not grow with everyone ever seen.
                del self._users[key]
                del self._locks[key]
