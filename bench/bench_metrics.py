"""What counting costs: a Bot API call through the counting request against PTB's own, and
the /metrics page.

Both bots call the same loopback fake Bot API from this process, a round of each in turn
(which goes first alternates), so the fake's share of the CPU is the same for both. On a
shared machine the difference of those medians is mostly noise, so the cost of counting one
call is also measured on its own, and set against a plain call's CPU time.

    python -m bench metrics
"""

from __future__ import annotations

import asyncio
import statistics
import time

from telegram import Bot
from telegram.request import HTTPXRequest

from bot.app.metrics import Metrics
from bot.channels.telegram.instrument import CountingRequest
from tests.fakebot import FakeBotAPI

TOKEN = "123456:BENCH-token"
CALLS = 300  # per round and bot
ROUNDS = 15
COUNTS = 100_000


async def _round(bot: Bot) -> float:
    """Return the CPU time per call, in microseconds, of CALLS getMe calls."""
    start = time.process_time()
    for _ in range(CALLS):
        await bot.get_me()
    return (time.process_time() - start) / CALLS * 1e6


async def _measure() -> dict[str, float]:
    async with FakeBotAPI(token=TOKEN, check_markup=False) as api:
        metrics = Metrics()
        counted = Bot(TOKEN, base_url=api.base_url, request=CountingRequest(metrics))
        plain = Bot(TOKEN, base_url=api.base_url, request=HTTPXRequest())
        async with counted, plain:
            for bot in (counted, plain):  # warm-up: connections, caches
                await _round(bot)
            ours, base = [], []
            for i in range(ROUNDS):
                if i % 2:
                    base.append(await _round(plain))
                    ours.append(await _round(counted))
                else:
                    ours.append(await _round(counted))
                    base.append(await _round(plain))
    start = time.process_time()
    for _ in range(COUNTS):
        metrics.api_call("sendMessage", "ok")
    count_us = (time.process_time() - start) / COUNTS * 1e6
    # A page as a busy bot serves it: every label combination the bot can produce.
    for method in ("sendMessage", "editMessageText", "sendAnimation", "getUpdates", "getMe"):
        for result in ("ok", "rate_limited", "client_error", "server_error", "timeout"):
            metrics.api_call(method, result)
            metrics.retry(method)
    for kind in ("command", "text", "button", "contact", "media", "edited", "staff", "group"):
        for outcome in ("ok", "error", "not_recorded"):
            metrics.updates.labels(kind=kind, outcome=outcome).inc()
    for seconds in (0.004, 0.02, 0.3):
        metrics.step_seconds.observe(seconds)
        metrics.reminder_lag.observe(seconds * 100)
    pages = []
    for _ in range(200):
        start = time.perf_counter()
        body = metrics.exposition()
        pages.append((time.perf_counter() - start) * 1000)
    ours_us, base_us = statistics.median(ours), statistics.median(base)
    return {
        "count_us": count_us,
        "plain_cpu_us_per_call": base_us,
        "counting_share": count_us / base_us,
        "counted_cpu_us_per_call": ours_us,
        "end_to_end_ratio": ours_us / base_us,
        "page_ms": statistics.median(pages),
        "page_kb": len(body) / 1024,
    }


def run() -> dict[str, float]:
    """Measure and return the figures."""
    return asyncio.run(_measure())


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name}: {value:.3f}")
