"""Names, phone numbers, message text and the token never reach the logs, even at DEBUG."""

from __future__ import annotations

import logging

from bot.bootstrap import configure_logging
from tests.channels.conftest import TOKEN, bot_settings, running_bot


async def test_a_whole_callback_request_at_debug_logs_nothing_personal(api, tmp_path, caplog):
    configure_logging(bot_settings(api, tmp_path, log_level="DEBUG"))
    caplog.set_level(logging.DEBUG)
    async with running_bot(api, tmp_path) as bot:
        user = 4242
        steps = [
            "/start",
            "my left heel hurts terribly when I walk",
            "/callback",
        ]
        for text in steps:
            api.send_text(user, text, first_name="Zebulon")
        await api.wait_for_text(user, "Is that OK?")
        consent = api.last_message(user)
        api.press_button(user, consent.message_id, consent.callback_data("Yes, that's OK"))
        await api.wait_for_text(user, "What name")
        api.send_text(user, "Zebulon Quixote")
        await api.wait_for_text(user, "What number")
        api.send_text(user, "+44 7400 987654")
        await api.wait_for_text(user, "best time")
        assert bot.components.db is not None
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert caplog.records, "the bot logged nothing at DEBUG: the test would prove nothing"
    for secret in ("Zebulon", "Quixote", "7400", "987654", "heel hurts", TOKEN):
        assert secret not in logged, f"{secret!r} reached the logs"
