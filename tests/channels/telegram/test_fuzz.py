"""A small version of the fuzz `make bench` runs: random actions, and no update fails."""

from __future__ import annotations

from pathlib import Path

from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.fuzz import fuzz
from tests.fakebot import FakeBotAPI


async def test_a_thousand_random_actions_fail_no_update(api: FakeBotAPI, tmp_path: Path) -> None:
    async with running_bot(api, tmp_path) as bot:
        result = await fuzz(bot, people=40, rounds=25, seed=11)
    assert result.total == 1_000
    # Every kind of action was tried, stale and forged presses included.
    assert all(result.actions[kind] > 0 for kind in ("press", "stale", "forged", "edit"))
    assert result.failed_updates == 0
    assert not api.internal_errors
