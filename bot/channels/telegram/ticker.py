"""A job queue tick that starts a run unless one is going, and returns at once.

A run of the staff outbox or the reminder sender can outlast its tick (a burst of messages,
paced by the rate limiter). A job still running when its next tick comes makes the scheduler
skip that tick and log "maximum number of running instances reached" as a warning, about 60
times in one burst. Ticks that come while a run is going are simply let go here (the run that
is going picks up what they would have seen, or the next tick does), without a word.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Ticker:
    """Start `run` on a tick unless it is still going; `close` waits for the run at shutdown."""

    def __init__(
        self,
        name: str,
        run: Callable[[], Awaitable[object]],
        on_error: Callable[[Exception], None] | None = None,
    ) -> None:
        self.name = name
        self.run = run
        self.on_error = on_error  # e.g. count a store error in the metrics
        self._task: asyncio.Task[None] | None = None
        # Ticks let go because a run was going (what a test of a burst looks at).
        self.coalesced = 0

    def tick(self) -> None:
        """Start a run, or let this tick go if one is going."""
        if self._task is not None and not self._task.done():
            self.coalesced += 1
            return
        self._task = asyncio.create_task(self._run(), name=f"footcoach-{self.name}")

    async def _run(self) -> None:
        try:
            await self.run()
        except Exception as exc:
            if self.on_error is not None:
                self.on_error(exc)
            log.error("%s tick failed: %s", self.name, type(exc).__name__)

    async def close(self) -> None:
        """Wait for the run in flight (at shutdown: nothing it sends comes later)."""
        if self._task is not None:
            await asyncio.gather(self._task, return_exceptions=True)
