"""The whole Telegram bot against the fake Bot API, beside a bare python-telegram-bot echo bot.

Fifty simulated people talk to each bot at once. Our bot gets the team's conversation
transcripts, every conversation as a new person; the echo bot gets the same number of text
messages and answers each with one message. Both bots poll (the same `start_polling` settings
as `serve`) and process updates concurrently, in this process; the fake server and the people
run in a child process (bench/fake_process.py), so this process's CPU time is the bots' own.

Two phases. Flat out: each person sends the next message as soon as the whole answer is in;
this gives updates per second and the cost per update, this process's CPU time over the
updates answered (CPU time, not wall time, because the machine is shared and noisy). The two
bots take turns trial by trial and the cost ratio is the median of the side-by-side ratios
(goal: ours at most 2x the echo bot's). At a person's pace: each pauses ~2 s between
messages, and p50/p99 from update to first reply show what people feel when the bot is not
saturated (flat out, latency is only queueing: people / throughput).

    python -m bench.bench_telegram [--trials 7] [--per-slot 1] [--client aiohttp]
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import tempfile
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from telegram import Update
from telegram.ext import Application, ApplicationBuilder, ContextTypes, MessageHandler, filters

from bench.aiohttp_client import client
from bench.cli import add_client_option, print_figures
from bench.conversations import KNOWLEDGE_DIR, Line, calibrate, mix, plan, transcripts
from bench.fake_process import FakeServerProcess
from bot.bootstrap import open_components
from bot.channels.telegram import serve
from bot.config import Settings
from bot.core.knowledge import load_knowledge

TOKEN = "123456:BENCH-token_abc"
SLOTS = 50  # simulated people talking at once
PER_SLOT = 1  # conversations each slot has per trial (each a new person)
TRIALS = 7
# Mean pause between a reply and a person's next message in the paced phase: 50 people then
# send ~25 updates a second, well under either bot's capacity on this machine. Paced people
# send the first PACED_LINES lines of their conversation, to keep the phase short.
THINK_S = 2.0
PACED_LINES = 4
# High enough that the limiter's spacing (1 ms at 1000/s) is not what is measured.
MAX_RATE = 1000.0
METHODS = ("getUpdates", "sendMessage", "answerCallbackQuery", "editMessageReplyMarkup")


def bot_settings(base_url: str, folder: Path) -> Settings:
    """Return production-like settings for our bot on the fake server, data in `folder`."""
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_url=base_url,
        database_url=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        knowledge_dir=KNOWLEDGE_DIR,
        data_dir=folder,
        telegram_max_rate=MAX_RATE,
        default_phone_region="GB",
        log_level="WARNING",
    )


@asynccontextmanager
async def our_bot(base_url: str) -> AsyncIterator[None]:
    """Run the real bot (`serve`: polling, the per-person update processor, the limiter)."""
    with tempfile.TemporaryDirectory(prefix="footcoach-bench-") as folder:
        settings = bot_settings(base_url, Path(folder))
        components = await open_components(settings)
        stop = asyncio.Event()
        task = asyncio.create_task(serve(settings, components, stop))
        try:
            await asyncio.sleep(0.5)  # let it connect and start polling
            if task.done():
                task.result()  # start-up failed: raise its error
            yield
        finally:
            stop.set()
            await asyncio.wait_for(task, timeout=30)
            await components.close()


async def _echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Send the text back, as the smallest bot there is does."""
    message = update.effective_message
    if message is not None:
        await context.bot.send_message(message.chat_id, message.text or "?")


@asynccontextmanager
async def echo_bot(base_url: str) -> AsyncIterator[None]:
    """Run a bare echo bot: same polling and concurrency settings, nothing else."""
    application: Application[Any, Any, Any, Any, Any, Any] = (
        ApplicationBuilder().token(TOKEN).base_url(base_url).concurrent_updates(256).build()
    )
    application.add_handler(MessageHandler(filters.ALL, _echo))
    async with application:
        await application.start()
        assert application.updater is not None
        await application.updater.start_polling(allowed_updates=Update.ALL_TYPES)
        try:
            yield
        finally:
            await application.updater.stop()
            await application.stop()


def _as_echo(scripts: dict[str, list[Line]]) -> dict[str, list[Line]]:
    """Return the same conversations as plain texts the echo bot answers once each."""
    return {
        name: [Line("text", line.text.strip() or "hi", replies=1) for line in lines]
        for name, lines in scripts.items()
    }


def _percentile(values: list[float], q: int) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[q - 1]


async def _trial(
    fake: FakeServerProcess,
    server: str,
    slots: list[list[tuple[int, list[Line]]]],
    think_s: float = 0.0,
) -> dict[str, float]:
    """Let the simulated people talk to one bot; return that trial's figures."""
    plain = [[(user, [line.as_dict() for line in lines]) for user, lines in s] for s in slots]
    await fake.acall("clear", server=server)
    cpu_start = time.process_time()
    result = await fake.acall("converse", server=server, slots=plain, think_s=think_s)
    cpu = time.process_time() - cpu_start
    calls = await fake.acall("request_counts", server=server, methods=METHODS)
    if result["failed"]:
        raise RuntimeError(f"{server}: {result['failed']} unanswered: {result['failures']}")
    updates = result["updates"]
    sends = sum(n for method, n in calls.items() if method != "getUpdates")
    return {
        "updates": updates,
        "updates_per_s": updates / result["wall_s"],
        "cpu_ms_per_update": cpu * 1000 / updates,
        "cpu_ms_per_call": cpu * 1000 / sends,
        "calls_per_update": sends / updates,
        "polls_per_update": calls["getUpdates"] / updates,
        "p50_ms": statistics.median(result["first_ms"]),
        "p99_ms": _percentile(result["first_ms"], 99),
        "whole_p99_ms": _percentile(result["whole_ms"], 99),
        "bot_cpu_util": cpu / result["wall_s"],
        "fake_cpu_util": result["fake_cpu_s"] / result["wall_s"],
    }


class _Users:
    """Hand out user ids that no earlier trial used, so every conversation starts afresh."""

    def __init__(self) -> None:
        self.next = 1_000

    def plan(
        self, scripts: dict[str, list[Line]], per_slot: int
    ) -> list[list[tuple[int, list[Line]]]]:
        planned = plan(scripts, SLOTS, per_slot, self.next)
        self.next += SLOTS * per_slot
        return planned


async def measure(trials: int = TRIALS, per_slot: int = PER_SLOT) -> dict[str, float]:
    """Run both phases for both bots; return medians, and ratios of trials run side by side."""
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    scripts = {"ours": await calibrate(knowledge, transcripts())}
    scripts["echo"] = _as_echo(scripts["ours"])
    users = _Users()
    full: dict[str, list[dict[str, float]]] = {"ours": [], "echo": []}
    paced: dict[str, dict[str, float]] = {}
    with FakeServerProcess(TOKEN, ("ours", "echo")) as fake:
        async with our_bot(fake.base_urls["ours"]), echo_bot(fake.base_urls["echo"]):
            for name in ("ours", "echo"):  # warm-up: connections, caches, SQLite's pages
                await _trial(fake, name, users.plan(scripts[name], 1))
            # Flat out: each person sends as soon as the answer is in. The two bots take turns,
            # trial by trial, so a slow spell on the shared machine hits both alike.
            for number in range(trials):
                for name in ("echo", "ours") if number % 2 == 0 else ("ours", "echo"):
                    full[name].append(await _trial(fake, name, users.plan(scripts[name], per_slot)))
            # At a person's pace: latency when the bot is not saturated.
            for name in ("ours", "echo"):
                short = {key: lines[:PACED_LINES] for key, lines in scripts[name].items()}
                paced[name] = await _trial(fake, name, users.plan(short, 1), think_s=THINK_S)
    figures: dict[str, float] = {"trials": float(trials), "users": float(SLOTS)}
    for name, results in full.items():
        for key in results[0]:
            figures[f"{name}_{key}"] = statistics.median(r[key] for r in results)
    for name, result in paced.items():
        for key in ("p50_ms", "p99_ms", "whole_p99_ms", "cpu_ms_per_update", "updates_per_s"):
            figures[f"{name}_paced_{key}"] = result[key]
    pairs = list(zip(full["ours"], full["echo"], strict=True))
    figures["cost_ratio"] = statistics.median(
        o["cpu_ms_per_update"] / e["cpu_ms_per_update"] for o, e in pairs
    )
    figures["cost_ratio_min"] = min(
        o["cpu_ms_per_update"] / e["cpu_ms_per_update"] for o, e in pairs
    )
    figures["cost_ratio_max"] = max(
        o["cpu_ms_per_update"] / e["cpu_ms_per_update"] for o, e in pairs
    )
    figures["throughput_ratio"] = statistics.median(
        o["updates_per_s"] / e["updates_per_s"] for o, e in pairs
    )
    figures["paced_p50_ratio"] = figures["ours_paced_p50_ms"] / figures["echo_paced_p50_ms"]
    figures["paced_p99_ratio"] = figures["ours_paced_p99_ms"] / figures["echo_paced_p99_ms"]
    lines = [line for lines in scripts["ours"].values() for line in lines]
    for kind, count in mix(lines).items():
        figures[f"mix_{kind}"] = float(count)
    return figures


def run(
    trials: int = TRIALS, per_slot: int = PER_SLOT, http_client: str = "httpx"
) -> dict[str, float]:
    """Measure both bots and return the figures (`http_client`: our bot's, see --client)."""
    with client(http_client):
        return asyncio.run(measure(trials, per_slot))


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description="Our bot beside a bare echo bot.")
    parser.add_argument("--trials", type=int, default=TRIALS)
    parser.add_argument("--per-slot", type=int, default=PER_SLOT)
    add_client_option(parser)
    args = parser.parse_args()
    figures = run(args.trials, args.per_slot, args.client)
    print_figures(figures)


if __name__ == "__main__":
    main()
