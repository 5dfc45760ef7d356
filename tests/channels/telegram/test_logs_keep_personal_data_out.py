"""Names, phone numbers, message text and the token never reach the logs, even at DEBUG."""

from __future__ import annotations

import logging

from bot.bootstrap import configure_logging
from tests.channels.telegram.conftest import bot_settings, running_bot
from tests.channels.telegram.people import TelegramUser
from tests.conftest import TOKEN


async def test_a_whole_callback_request_at_debug_logs_nothing_personal(api, tmp_path, caplog):
    configure_logging(bot_settings(api, tmp_path, log_level="DEBUG"))
    caplog.set_level(logging.DEBUG)
    async with running_bot(api, tmp_path) as bot:
        zeb = TelegramUser(api, 4242, "Zebulon")
        await zeb.send("/start", 1)
        await zeb.send("my left heel hurts terribly when I walk", 1)
        [consent] = await zeb.send("/callback", 1)
        assert "Is that OK?" in (consent.text or "")
        [name] = await zeb.press("Yes, that's OK", 1)
        assert "What name" in (name.text or "")
        [number] = await zeb.send("Zebulon Quixote", 1)
        assert "What number" in (number.text or "")
        _, best_time = await zeb.send("+44 7400 987654", 2)
        assert "best time" in (best_time.text or "")
        assert bot.components.db is not None
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "the bot logged nothing at DEBUG: the test would prove nothing"
    for secret in ("Zebulon", "Quixote", "7400", "987654", "heel hurts", TOKEN):
        assert secret not in logged, f"{secret!r} reached the logs"
