"""The bot's pacing of sends: Telegram's limit in any sliding window, and no wait below it.

The pacing runs on a virtual clock here: a wait moves the clock on at once, so the tests
check when each send would start without waiting for it.
"""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.channels.telegram.pacing import JITTER, SlidingWindow


class VirtualTime:
    """A clock that waiting moves forward (no real time passes)."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += max(0.0, seconds)
        await asyncio.sleep(0)


def paced(time: VirtualTime, limit: int, window: float, rate: float, burst: float) -> SlidingWindow:
    return SlidingWindow(limit, window, rate=rate, burst=burst, clock=time, sleep=time.sleep)


async def start_times(time: VirtualTime, pacing: SlidingWindow, gaps: list[float]) -> list[float]:
    """Start one send after each pause in `gaps` (virtual seconds); return when each started."""
    started: list[float] = []

    async def send() -> None:
        async with pacing:
            started.append(time())

    tasks = []
    for gap in gaps:
        time.now += gap
        tasks.append(asyncio.create_task(send()))
        await asyncio.sleep(0)  # the send asks for its turn now, in order
    await asyncio.gather(*tasks)
    return started


async def test_below_the_limit_sends_go_at_once():
    time = VirtualTime()
    started = await start_times(time, paced(time, 5, 0.5, rate=2, burst=5), [0.0] * 5)
    assert started == [0.0] * 5  # a token bucket of 1 would have spread them over 2 s


async def test_the_send_past_the_limit_waits_for_the_window():
    time = VirtualTime()
    started = await start_times(time, paced(time, 3, 0.3, rate=1000, burst=10), [0.0] * 4)
    assert started[:3] == [0.0] * 3
    assert started[3] == pytest.approx(0.3)


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_no_window_ever_holds_more_than_the_limit(seed):
    rng = random.Random(seed)
    limit, window, rate, burst = 4, 0.2, 30.0, 3.0
    time = VirtualTime()
    gaps = [rng.choice([0.0, 0.0, 0.01, 0.05]) for _ in range(30)]
    started = sorted(await start_times(time, paced(time, limit, window, rate, burst), gaps))
    for i, first in enumerate(started):
        within = [t for t in started[i:] if t < first + window - 1e-9]
        assert len(within) <= limit
        # The bucket: never more than the burst and the rate's refill over any stretch.
        for last in started[i:]:
            sent = sum(1 for t in started[i:] if t <= last)
            assert sent <= burst + (last - first) * rate + 1e-6


def test_telegrams_rate_becomes_a_window_of_a_second_and_the_jitter():
    pacing = SlidingWindow.for_rate(30)
    assert (pacing.limit, pacing.window) == (30, 1.0 + JITTER)
    assert pacing.rate == pytest.approx(28.2)
    assert pacing.burst == pytest.approx(5.0)
    with pytest.raises(ValueError):
        SlidingWindow(0, 1.0, rate=1, burst=1)
