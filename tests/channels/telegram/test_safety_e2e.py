"""Safety through the real bot and the fake Bot API: the screen, standing signs, urgency."""

from __future__ import annotations

from bot.core.flows import safety
from tests.channels.telegram.people import TelegramUser, opening, shown

SCREEN = [
    "Injury or a pop",
    "Hot, red or swollen",
    "Numb or tingling",
    "Wound or sore",
    "Swollen painful calf",
    "Fever",
    "Cold, pale or blue foot",
    "Diabetes",
    "None of these",
]


async def test_the_screen_comes_before_any_card_and_a_sign_stands_across_start(bot, knowledge):
    ann = TelegramUser(bot.api, 61)
    await ann.send("/start", 1)
    await ann.send("my ankle hurts", 1)
    [screen] = await ann.send("3", 1)
    assert shown(screen).startswith(opening(knowledge, "screen_question"))
    assert screen.button_texts == SCREEN
    [warning] = await ann.press("Injury or a pop", 1)
    assert shown(warning).startswith(knowledge.say("warning_urgent"))
    assert warning.button_texts == ["Talk to a professional", "I've had it checked"]
    # /start greets again, and the sign still stands: no exercises, no "Start over".
    [again] = await ann.send("/start", 1)
    assert shown(again).startswith("Hi Ann!")
    assert "a recent injury" in shown(again)
    assert again.button_texts == ["Talk to a professional", "I've had it checked"]
    [blocked] = await ann.send("/routine", 1)
    assert shown(blocked).startswith(knowledge.say("warning_urgent"))
    state = await bot.components.coach.state_of(61)
    assert state.step == safety.WARNING and set(state.safety.signs) == {"injury"}
    # Once checked, self-care resumes with a caution line, after the screen.
    [checked] = await ann.press("I've had it checked", 1)
    assert shown(checked).startswith(opening(knowledge, "sign_checked"))
    [screen] = await ann.send("my ankles are stiff, 2/10", 1)
    # The injury just checked is left off that day's screen (a tap would raise it again).
    assert "Injury or a pop" not in screen.button_texts
    assert "Numb or tingling" in screen.button_texts
    [first] = await ann.press("None of these", 1)
    assert "a professional checked a recent injury recently" in shown(first)
    assert "1/" in shown(first) and first.button_texts == ["Start", "Done", "Skip", "Stop here"]


async def test_a_possible_clot_with_chest_pain_says_not_to_wait_for_the_call(bot, knowledge):
    eve = TelegramUser(bot.api, 62, "Eve")
    await eve.send("/start", 1)
    [warning] = await eve.send("my calf is swollen since my long flight and I have chest pain", 1)
    assert shown(warning).startswith(knowledge.say("warning_emergency"))
    assert warning.button_texts == ["I've had it checked", "Talk to a professional"]
    await eve.press("Talk to a professional", 1)
    await eve.press("Yes, that's OK", 1)
    await eve.press("Use Eve", 1)
    await eve.send("07400 123456", 2)
    await eve.press("Any time", 1)
    await eve.press("Skip", 1)
    [confirmed] = await eve.press("Confirm", 1)
    assert "please don't wait for our call" in shown(confirmed)
    assert "within one working day" not in shown(confirmed)
    [staff] = await bot.api.wait_for_messages(-1001234, 1)
    assert "EMERGENCY" in shown(staff)


async def test_pain_during_a_move_stops_it_and_leaves_it_out(bot, knowledge):
    bob = TelegramUser(bot.api, 63, "Bob")
    await bob.send("/start", 1)
    await bob.send("tight calves", 1)
    await bob.send("3", 1)
    [card] = await bob.press("None of these", 1)
    assert "Standing calf stretch" in shown(card)
    [question] = await bob.send("ouch, the stretch hurts my achilles", 1)
    assert question.button_texts == ["It hurt", "Too hard", "No time now"]
    [left_out] = await bob.press("It hurt", 1)
    assert "taken Standing calf stretch out" in shown(left_out)
    state = await bot.components.coach.state_of(63)
    assert state.safety.left_out == ("standing_calf_stretch",)
    assert "standing_calf_stretch" not in state.routine


async def test_what_the_doctor_said_after_a_check_and_an_everyday_question(bot, knowledge):
    """Through Telegram as in the chat: the checked sign told again is heard, not re-raised,
    and "how long until I see results?" is answered from knowledge with the question kept."""
    kit = TelegramUser(bot.api, 64, "Kit")
    await kit.send("/start", 1)
    [warning] = await kit.send("my ankle is swollen and hot since I twisted it yesterday", 1)
    assert warning.button_texts == ["Talk to a professional", "I've had it checked"]
    [checked] = await kit.press("I've had it checked", 1)
    assert shown(checked).startswith(opening(knowledge, "sign_checked"))
    assert "in the ankle" in shown(checked)
    [heard] = await kit.send("the doctor said it's a sprain and to keep moving", 1)
    assert shown(heard).startswith(knowledge.say("checked_noted"))
    state = await bot.components.coach.state_of(64)
    assert state.safety.signs == {}
    [answer] = await kit.send("how long until I see results?", 1)
    assert shown(answer).startswith(knowledge.say("faq_results"))
    assert "What does it feel like in the ankle?" in shown(answer)
