"""The bot's pacing of sends: Telegram's limit in any sliding window, and no wait below it."""

from __future__ import annotations

import asyncio
import random

import pytest

from bot.channels.telegram.pacing import JITTER, SlidingWindow


async def _start_times(pacing: SlidingWindow, count: int, *, gaps: list[float]) -> list[float]:
    """Start `count` sends (after the given pauses between them); return when each started."""
    loop = asyncio.get_running_loop()
    started: list[float] = []

    async def send() -> None:
        async with pacing:
            started.append(loop.time())

    tasks = []
    for n in range(count):
        tasks.append(asyncio.create_task(send()))
        if gaps[n]:
            await asyncio.sleep(gaps[n])
    await asyncio.gather(*tasks)
    return started


async def test_below_the_limit_sends_go_at_once():
    pacing = SlidingWindow(limit=5, window=0.5, rate=2, burst=5)
    loop = asyncio.get_running_loop()
    before = loop.time()
    started = await _start_times(pacing, 5, gaps=[0.0] * 5)
    assert max(started) - before < 0.05  # a token bucket of 1 would have taken 0.4 s


async def test_the_send_past_the_limit_waits_for_the_window():
    pacing = SlidingWindow(limit=3, window=0.3, rate=1000, burst=10)
    started = await _start_times(pacing, 4, gaps=[0.0] * 4)
    assert started[3] - started[0] >= 0.3 - 0.005


@pytest.mark.parametrize("seed", [1, 2, 3])
async def test_no_window_ever_holds_more_than_the_limit(seed):
    rng = random.Random(seed)
    limit, window = 4, 0.2
    rate, burst = 30.0, 3.0
    pacing = SlidingWindow(limit, window, rate=rate, burst=burst)
    gaps = [rng.choice([0.0, 0.0, 0.01, 0.05]) for _ in range(30)]
    started = sorted(await _start_times(pacing, 30, gaps=gaps))
    for i, first in enumerate(started):
        within = [t for t in started[i:] if t < first + window - 1e-6]
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
