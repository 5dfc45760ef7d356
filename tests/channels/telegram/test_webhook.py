"""Webhook mode: `serve` listens for Telegram's POSTs and trusts only its secret token."""

from __future__ import annotations

import socket

import pytest

from bot.bootstrap import StartupError
from bot.channels.telegram import run_bot
from tests.channels.telegram.conftest import bot_settings, running_bot, startup_refusal
from tests.channels.telegram.people import TelegramUser, callback_answer, shown
from tests.support import free_port, post_update

PUBLIC_URL = "https://bot.example.test/telegram"
SECRET = "s3cret_token-42"


async def test_only_updates_with_the_secret_token_are_processed(api, tmp_path, knowledge):
    port = free_port()
    local = f"http://127.0.0.1:{port}/telegram"
    async with running_bot(
        api, tmp_path, webhook_url=PUBLIC_URL, webhook_secret=SECRET, webhook_port=port
    ) as bot:
        webhook = api.webhook
        assert webhook is not None
        assert (webhook.url, webhook.secret_token) == (PUBLIC_URL, SECRET)
        assert {"message", "edited_message", "callback_query"} <= set(webhook.allowed_updates)

        forged = api.build_text_update(60, "/help")
        assert await post_update(local, forged, "wrong-token") == 403
        assert await post_update(local, forged) == 403
        assert await post_update(local, forged, SECRET.upper()) == 403

        start = api.build_text_update(60, "/start", first_name="Wen")
        assert await post_update(local, start, SECRET) == 200
        ann = TelegramUser(api, 60, "Wen")
        [greeting] = await ann.expect(1)
        assert shown(greeting).startswith("Hi Wen!")
        press = api.build_button_press(60, greeting.message_id, greeting.callback_data("Pain"))
        assert await post_update(local, press, SECRET) == 200
        [where] = await ann.expect(1)
        assert shown(where) == knowledge.say("ask_location")
        await callback_answer(api, press["callback_query"]["id"])

        # The /help posted without the right token never reached the coach: the replies are
        # exactly those of /start and the button, and the saved state is theirs.
        assert knowledge.say("help")[:40] not in "".join(shown(m) for m in api.messages(60))
        state = await bot.components.coach.state_of(60)
        assert state.symptoms == ("pain",)
        assert api.request_count("getUpdates") == 0, "webhook mode does not poll"


async def test_a_webhook_without_a_secret_stops_start_up_with_one_line(api, tmp_path):
    settings = bot_settings(api, tmp_path, webhook_url=PUBLIC_URL, webhook_port=free_port())
    with pytest.raises(StartupError) as stopped:
        run_bot(settings)
    message = str(stopped.value)
    assert "WEBHOOK_SECRET" in message and "\n" not in message

    # `serve` itself refuses too, before it talks to Telegram or listens anywhere.
    assert "WEBHOOK_SECRET" in await startup_refusal(settings, timeout=5)
    assert api.webhook is None
    assert api.requests() == []


async def test_a_webhook_port_in_use_stops_start_up_with_one_line(api, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        settings = bot_settings(
            api, tmp_path, webhook_url=PUBLIC_URL, webhook_secret=SECRET, webhook_port=port
        )
        message = await startup_refusal(settings)
    assert f"127.0.0.1:{port}" in message and "WEBHOOK_PORT" in message
    assert "\n" not in message


async def test_a_webhook_url_telegram_refuses_stops_start_up_with_one_line(api, tmp_path):
    plain = "http://bot.example.test/telegram"  # Telegram only calls https URLs
    settings = bot_settings(
        api, tmp_path, webhook_url=plain, webhook_secret=SECRET, webhook_port=free_port()
    )
    message = await startup_refusal(settings)
    assert "WEBHOOK_URL" in message and plain in message and "\n" not in message
    assert api.webhook is None
