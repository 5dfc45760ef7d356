"""A small version of the fuzz `make bench` runs: random actions, and no update fails."""

from __future__ import annotations

from pathlib import Path

from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.fuzz import fuzz
from tests.fakebot import FakeBotAPI


async def test_four_hundred_random_actions_fail_no_update(api: FakeBotAPI, tmp_path: Path) -> None:
    # 400 here keeps `make test` short; `make bench` runs 10,000 (bench/bench_fuzz.py).
    async with running_bot(api, tmp_path) as bot:
        result = await fuzz(bot, people=40, rounds=10, seed=11)
    assert result.total == 400
    # Every kind of action was tried, stale and forged presses included.
    assert all(result.actions[kind] > 0 for kind in ("press", "stale", "forged", "edit"))
    assert result.failed_updates == 0
    assert not api.internal_errors
