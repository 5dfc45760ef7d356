"""Concurrent updates across people, strictly ordered for each person."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Awaitable
from typing import Any

from telegram.ext import BaseUpdateProcessor

from bot.app.locks import KeyedLocks
from bot.app.runs import Tally
from bot.channels.telegram.translate import sender_of


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently across people but strictly in order for each one."""

    def __init__(self, max_concurrent_updates: int = 256, processed: Tally | None = None) -> None:
        # The base class takes its slot before do_process_update, i.e. before the sender's
        # turn: updates waiting for their turn would hold slots, and one person sending many
        # messages quickly could hold up everyone. So its limit stays out of the way and the
        # slots here are taken only once it is the sender's turn.
        super().__init__(sys.maxsize)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks = KeyedLocks()
        # Updates whose handlers have finished (replies sent), for tests to await.
        self.processed = processed or Tally()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the sender's turn, then for a free slot, and run the update's handlers."""
        key = sender_of(update)
        try:
            if key is None:
                async with self._slots:
                    await coroutine
                return
            async with self._locks.hold(key), self._slots:
                await coroutine
        finally:
            self.processed.add()

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""
