"""Updates whose record in the inbox is their step's claim, for a receiver that waits for it.

A poller must have each fetched update in the store before its next getUpdates confirms the
batch. A step's claim (bot/store/steps.py) writes the update's inbox row, marked applied, in the
step's own transaction: once that commits, the update is in the store, and recording it again
is a transaction spent for nothing, on the way to fetching the next update. So the poller
expects the claims of the updates it starts, the coach reports each claim once committed,
and the inbox settles the rest when their step ends without one (a staff command, a failure).
"""

from __future__ import annotations

import asyncio

from bot.core.updates import UpdateKey


class Claims:
    """Futures of the updates a receiver is waiting to see claimed: True once claimed."""

    def __init__(self) -> None:
        self._expected: dict[UpdateKey, asyncio.Future[bool]] = {}

    def expect(self, key: UpdateKey) -> asyncio.Future[bool]:
        """Return what becomes True once the update's claim is committed, False if its step
        ends without one."""
        future = self._expected.get(key)
        if future is None:
            future = asyncio.get_running_loop().create_future()
            self._expected[key] = future
        return future

    def settle(self, key: UpdateKey, claimed: bool) -> bool:
        """Say whether the update's step committed its claim; return whether anyone was
        waiting to know."""
        future = self._expected.pop(key, None)
        if future is None or future.done():
            return False
        future.set_result(claimed)
        return True

    def drop(self, key: UpdateKey) -> None:
        """Stop expecting the update's claim (the receiver no longer waits for it)."""
        future = self._expected.pop(key, None)
        if future is not None and not future.done():
            future.cancel()
