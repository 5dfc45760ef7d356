"""The smallest end-to-end check: /start through the real Application gets the greeting."""

from __future__ import annotations


async def test_start_gets_the_greeting_and_symptom_buttons(bot):
    api = bot.api
    api.send_text(42, "/start", first_name="Ann")
    # The greeting and the first question come as one message, the buttons under it.
    [greeting] = await api.wait_for_messages(42, 1)
    assert greeting.text.startswith("Hi Ann!")
    assert "What bothers you?" in greeting.text
    assert greeting.button_texts == ["Tightness", "Cramping", "Soreness", "Weakness", "Pain"]
    commands = [c["command"] for c in api.commands()]
    assert commands[:3] == ["start", "help", "routine"]
