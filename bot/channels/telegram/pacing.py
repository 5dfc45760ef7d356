"""How fast the bot may send: Telegram's limit counted the way Telegram counts it.

Telegram refuses (429, and a pause of a second or more for everything) more than about
TELEGRAM_MAX_RATE messages in any sliding second, and the fake Bot API counts the same way. A
token bucket that never exceeds that in any second must keep its burst tiny (burst plus a
second's refill fit the limit): ours let one request through about every 35 ms at 30/s, so a
reply of three messages took 70 ms more than it needed, and a person's first reply waited
behind another person's (p99 60 ms against the echo bot's 11 ms in `bench.bench_telegram`).

Here the rule itself is kept as the hard limit: a send may start if fewer than `limit` sends
started in the last `window` seconds, the window being a second plus the jitter between
starting a request and Telegram counting it, so no second as Telegram sees it holds more than
`limit`. Within that, a token bucket sets the pace: `rate` a second (94% of the limit, as
before, so a long fan-out stays smooth and the jitter of a busy machine has room) with room
for `burst` sends at once (a tenth of the limit and two, at most five), which a reply's few
messages use.
A window that holds a burst and a second of the rate is full before it would hold too many,
and then the sends wait for the oldest to leave it, at the bucket's pace. Measured: p99 of
the first reply 25 ms (was 60), fan-out of 10,000 reminders as fast as before, no 429.
"""

from __future__ import annotations

import asyncio
from collections import deque
from collections.abc import Awaitable, Callable
from types import TracebackType

JITTER = 0.05  # seconds between starting a request and Telegram counting it, at most
# Sends that may start at once: a reply's few messages. Not more at high rates: a burst of
# dozens reaches Telegram bunched up on a busy machine, and one 429 stops every send.
BURST = 5.0


class SlidingWindow:
    """Let at most `limit` sends start in any `window` seconds, at `rate` a second with room
    for `burst` at once (an async context manager around each send)."""

    def __init__(
        self,
        limit: int,
        window: float,
        *,
        rate: float,
        burst: float,
        clock: Callable[[], float] | None = None,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        """`clock` (seconds; the event loop's by default) and `sleep` are for tests."""
        if limit < 1 or rate <= 0 or burst < 1:
            raise ValueError("the pacing must allow one send")
        self._clock = clock
        self._sleep = sleep
        self.limit = limit
        self.window = window
        self.rate = rate
        self.burst = burst
        self._started: deque[float] = deque()
        self._tokens = burst
        self._filled_at: float | None = None
        self._turn = asyncio.Lock()  # first come, first served

    @classmethod
    def for_rate(cls, max_rate: float) -> SlidingWindow:
        """Return the pacing that keeps under `max_rate` sends in any second."""
        limit = max(1, int(max_rate))
        return cls(limit, 1.0 + JITTER, rate=max_rate * 0.94, burst=min(BURST, 2 + max_rate * 0.1))

    async def __aenter__(self) -> None:
        """Wait until a send may start, and count it as started now."""
        clock = self._clock or asyncio.get_running_loop().time
        async with self._turn:
            while True:
                now = clock()
                wait = max(self._window_wait(now), self._bucket_wait(now))
                if wait <= 0:
                    self._started.append(now)
                    self._tokens -= 1
                    return
                await self._sleep(wait)

    def _window_wait(self, now: float) -> float:
        """Return how long until the window has room (0: now)."""
        while self._started and self._started[0] <= now - self.window:
            self._started.popleft()
        if len(self._started) < self.limit:
            return 0.0
        return self._started[0] + self.window - now

    def _bucket_wait(self, now: float) -> float:
        """Return how long until the bucket holds a send (0: now), refilling it to now."""
        if self._filled_at is not None:
            self._tokens = min(self.burst, self._tokens + (now - self._filled_at) * self.rate)
        self._filled_at = now
        return 0.0 if self._tokens >= 1 else (1 - self._tokens) / self.rate

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Nothing to give back: a send counts from when it started."""
