"""200 people guided at once: the guide runner's edits under Telegram's global rate limit.

The real GuideRunner edits each guide's message through the real TelegramOutlet on the PTB
Bot that `build_application` builds (AIORateLimiter at TELEGRAM_MAX_RATE, 30 a second as on
Telegram), against the fake Bot API in a child process that answers 429 beyond the same
limit in any sliding second (sends and edits). Each person pressed Start on a card (the
coach's real step; the guide's message sent by the real renderer); then the runner runs
once a second, as its job-queue tick does, for WINDOW seconds of real time.

Figures: edits a second (the runner's budget is half the limit, 15: the rest is for answers
and reminders), 429s, and per chat the gap between two edits of the same message (never
under the 5 s cadence; with 200 guides due every 5 s and 15 edits a second, about 13 s).

    python -m bench.bench_guides [--people 200] [--rate 30] [--window 20]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import tempfile
import time
from pathlib import Path

from bench.cli import print_figures
from bench.conversations import KNOWLEDGE_DIR
from bench.fake_process import FakeServerProcess
from bot.app.coach import Person
from bot.app.guide_runner import SHARE
from bot.bootstrap import open_components
from bot.channels.telegram import build_application
from bot.channels.telegram.render import Renderer
from bot.config import Settings
from bot.core.events import ButtonEvent
from bot.core.flows import routine
from bot.core.state import ConversationState
from bot.store import users

TOKEN = "123456:BENCH-token_abc"
PEOPLE = 200
RATE = 30.0
WINDOW = 20.0
FIRST_USER = 300_000


def _settings(base_url: str, folder: Path, rate: float) -> Settings:
    return Settings(
        _env_file=None,
        telegram_bot_token=TOKEN,
        telegram_api_url=base_url,
        database_url=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        knowledge_dir=KNOWLEDGE_DIR,
        data_dir=folder,
        telegram_max_rate=rate,
        log_level="WARNING",
    )


def _at_a_card() -> str:
    """A person at the first card of the calf stretches, as the routine leaves them."""
    return ConversationState(
        step=routine.ROUTINE,
        symptoms=("tightness",),
        locations=("calf",),
        screened=True,
        routine=("standing_calf_stretch", "plank_calf_stretch"),
        seq=1,
        choices=("start", "did_it", "skip", "stop_routine"),
        choice_labels=("Start", "Done", "Skip", "Stop here"),
    ).model_dump_json()


async def measure(
    people: int = PEOPLE, rate: float = RATE, window: float = WINDOW
) -> dict[str, float]:
    """Start `people` guides, run the runner for `window` seconds, count what the fake saw."""
    ids = range(FIRST_USER, FIRST_USER + people)
    with (
        tempfile.TemporaryDirectory(prefix="footcoach-bench-") as folder,
        FakeServerProcess(TOKEN) as fake,
    ):
        await fake.acall("set_rate_limit", per_second=rate)
        settings = _settings(fake.base_urls["main"], Path(folder), rate)
        components = await open_components(settings)
        try:
            coach, db = components.coach, components.db
            async with db.transaction() as session:
                for person in ids:
                    await users.save_state(session, None, person, _at_a_card(), coach.clock())
            runtime = build_application(settings, components)
            async with runtime.application:
                renderer = Renderer(runtime.application.bot, guides=runtime.guides)

                async def start(person: int) -> None:
                    replies = await coach.handle(Person(person), ButtonEvent(token="1.start"))
                    await renderer.send(person, replies)

                began = time.monotonic()
                await asyncio.gather(*(start(p) for p in ids))
                started_s = time.monotonic() - began
                await fake.acall("clear")
                await fake.acall("set_rate_limit", per_second=rate)
                start_at = time.monotonic()
                cpu = time.process_time()
                while time.monotonic() - start_at < window:
                    tick = time.monotonic()
                    await runtime.guides.run_once()
                    await asyncio.sleep(max(0.0, 1.0 - (time.monotonic() - tick)))
                cpu = time.process_time() - cpu
                end_at = time.monotonic()
        finally:
            await components.close()
        edits = await fake.acall("chat_times", method="editMessageText")
        count_429 = await fake.acall("count_429")
    times = sorted(t for _, t in edits if start_at <= t <= end_at)
    by_chat: dict[int, list[float]] = {}
    for chat, at in sorted(edits, key=lambda e: e[1]):
        by_chat.setdefault(chat, []).append(at)
    gaps = [b - a for chat in by_chat.values() for a, b in itertools.pairwise(chat)]
    busiest = max((sum(1 for t in times if s <= t < s + 1) for s in times), default=0)
    return {
        "people": float(people),
        "rate_limit_per_s": rate,
        "budget_per_s": rate * SHARE,
        "start_guides_s": started_s,
        "window_s": end_at - start_at,
        "edits": float(len(times)),
        "edits_per_s": len(times) / (end_at - start_at),
        "busiest_second_edits": float(busiest),
        "count_429": float(count_429),
        "chats_edited": float(len(by_chat)),
        "gap_min_s": min(gaps) if gaps else float("nan"),
        "gap_median_s": statistics.median(gaps) if gaps else float("nan"),
        "gap_max_s": max(gaps) if gaps else float("nan"),
        "bot_cpu_ms_per_edit": cpu * 1000 / max(1, len(times)),
    }


def run(people: int = PEOPLE, rate: float = RATE, window: float = WINDOW) -> dict[str, float]:
    """Measure and return the figures."""
    return asyncio.run(measure(people, rate, window))


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description="Many guides at once under a rate limit.")
    parser.add_argument("--people", type=int, default=PEOPLE)
    parser.add_argument("--rate", type=float, default=RATE)
    parser.add_argument("--window", type=float, default=WINDOW)
    args = parser.parse_args()
    print_figures(run(args.people, args.rate, args.window))


if __name__ == "__main__":
    main()
