"""Ten thousand random actions from two hundred people against the real bot: none may fail.

The people (tests/channels/telegram/fuzz.py) type anything, press current, stale and forged
buttons, send commands, stickers, contacts and edits, against the real bot polling the fake Bot
API in this process. A failed update is one the bot answered with "something went wrong".

    python -m bench.bench_fuzz [--people 200] [--rounds 50]
"""

from __future__ import annotations

import argparse
import asyncio
import tempfile
import time
from pathlib import Path

from bench.cli import print_figures
from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.fuzz import fuzz
from tests.fakebot import FakeBotAPI

TOKEN = "123456:TEST-token_abc"


async def measure(people: int, rounds: int) -> dict[str, float]:
    """Run the fuzz once and return its figures."""
    with tempfile.TemporaryDirectory(prefix="footcoach-fuzz-") as folder:
        async with FakeBotAPI(token=TOKEN) as api:
            async with running_bot(api, Path(folder)) as bot:
                started = time.perf_counter()
                result = await fuzz(bot, people=people, rounds=rounds, seed=2026)
                seconds = time.perf_counter() - started
            internal = len(api.internal_errors)
    figures: dict[str, float] = {
        "actions": float(result.total),
        "people": float(people),
        "failed_updates": float(result.failed_updates),
        "fake_server_errors": float(internal),
        "seconds": seconds,
    }
    for kind, count in sorted(result.actions.items()):
        figures[f"actions_{kind}"] = float(count)
    return figures


def run(people: int = 200, rounds: int = 50) -> dict[str, float]:
    """Run the fuzz and return the figures."""
    return asyncio.run(measure(people, rounds))


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=50)
    args = parser.parse_args()
    print_figures(run(args.people, args.rounds))


if __name__ == "__main__":
    main()
