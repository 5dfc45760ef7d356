"""Whole conversations through the real bot (polling) and the fake Bot API server."""

from __future__ import annotations

import html

from bot.core.flows import callback, intake, reminder
from tests.channels.telegram.conftest import STAFF_CHAT
from tests.channels.telegram.people import TelegramUser, answered_queries, opening, shown, together

SYMPTOMS = ["Tightness", "Cramping", "Soreness", "Weakness", "Pain"]


async def test_buttons_carry_a_conversation_from_start_to_the_routine(bot, knowledge):
    ann = TelegramUser(bot.api, 42, "Ann")
    # What a step says before its question comes as one message with it.
    [greeting] = await ann.send("/start", 1)
    assert shown(greeting).startswith("Hi Ann!")
    assert knowledge.say("disclaimer") in shown(greeting)
    assert shown(greeting).endswith(f"\n\n{knowledge.say('ask_what_bothers')}")
    assert greeting.button_texts == SYMPTOMS

    [where] = await ann.press("Cramping", 1)
    assert shown(where) == knowledge.say("ask_location")
    assert "Arch" in where.button_texts
    [how_bad] = await ann.press("Arch", 1)
    assert shown(how_bad) == knowledge.say("ask_severity")
    assert how_bad.button_texts == [str(n) for n in range(11)]

    [screen] = await ann.press("3", 1)
    assert shown(screen).startswith(opening(knowledge, "screen_question"))
    assert screen.button_texts[-1] == "None of these"
    [first] = await ann.press("None of these", 1)
    intro, card = shown(first).split("\n\n1/3 ", 1)
    assert intro.startswith(opening(knowledge, "routine_intro"))
    assert "cramping in the arch" in intro
    assert card
    # The card is the caption of its exercise's animation, with the buttons under it.
    assert first.method == "sendAnimation" and first.animation is not None
    assert first.button_texts == ["Start", "Done", "Skip", "Stop here"]
    [feel] = await ann.press("Done", 1)
    assert shown(feel) == knowledge.say("feedback_question", name="Ball roll under the foot")
    [second] = await ann.press("Just right", 1)
    assert shown(second).startswith(f"{knowledge.say('feedback_noted')}\n\n2/3 ")
    [third] = await ann.press("Skip", 1)
    assert shown(third).startswith("3/3 ")
    assert third.button_texts == ["Start", "Done", "Skip"]

    [feel] = await ann.press("Done", 1)
    [done] = await ann.press("Easy", 1)
    assert shown(done) == together(
        knowledge.say("feedback_noted"), knowledge.say("routine_done"), knowledge.say("what_next")
    )
    [goodbye] = await ann.press("That's all", 1)
    assert shown(goodbye) == knowledge.say("goodbye")

    state = await bot.components.coach.state_of(42)
    assert (state.step, state.symptoms, state.locations, state.pain_score) == (
        intake.WELCOME,
        ("cramping",),
        ("arch",),
        3,
    )
    assert len(state.routine) == 3
    # Every tap was answered, each exactly once.
    answered = answered_queries(bot.api)
    assert sorted(answered) == sorted(ann.pressed) and len(ann.pressed) == 10
    for message in bot.api.messages(42):
        assert message.parse_mode == "HTML"
        for row in message.inline_keyboard:
            assert all(len(b["callback_data"].encode()) <= 64 for b in row)


async def test_typed_answers_and_buttons_mix(bot, knowledge):
    ann = TelegramUser(bot.api, 43, "Ann")
    await ann.send("/start", 1)
    [how_bad] = await ann.send("my calves are super tight", 1)
    assert shown(how_bad) == knowledge.say("ask_severity")
    [screen] = await ann.send("4", 1)
    assert screen.button_texts[-1] == "None of these"
    [card] = await ann.send("no, none of these", 1)
    intro, first = shown(card).split("\n\n1/2 ", 1)
    assert "tightness in the calf" in intro
    assert first.startswith("Standing calf stretch")


async def test_deep_link_callback_opens_the_consent_question(bot, knowledge):
    bob = TelegramUser(bot.api, 44, "Bob")
    [consent] = await bob.send("/start callback", 1)
    assert shown(consent).startswith(opening(knowledge, "callback_consent"))
    assert consent.button_texts[:2] == ["Yes, that's OK", "No thanks"]
    state = await bot.components.coach.state_of(44)
    assert state.step == callback.CONSENT


async def test_deep_link_remind_asks_for_the_reminder_time(bot, knowledge):
    cleo = TelegramUser(bot.api, 45, "Cleo")
    [ask_time] = await cleo.send("/start remind", 1)
    assert shown(ask_time) == knowledge.say("reminder_ask_time")
    assert ask_time.inline_keyboard, "the usual times are offered as buttons"
    state = await bot.components.coach.state_of(45)
    assert state.step == reminder.TIME


async def test_a_button_from_an_older_message_has_expired(bot, knowledge):
    ann = TelegramUser(bot.api, 46)
    [symptoms] = await ann.send("/start", 1)
    [where] = await ann.press("Tightness", 1)
    before = await bot.components.coach.state_of(46)

    [again] = await ann.press("Cramping", 1, message=symptoms)
    assert shown(again) == together(knowledge.say("button_expired"), knowledge.say("ask_location"))
    assert again.button_texts == where.button_texts
    after = await bot.components.coach.state_of(46)
    assert (before.step, before.symptoms) == (intake.ASK_LOCATION, ("tightness",))
    assert (after.step, after.symptoms) == (before.step, before.symptoms)
    # The question shown again works; the one it replaced is now stale too.
    [how_bad] = await ann.press("Calf or Achilles", 1, message=again)
    assert shown(how_bad) == knowledge.say("ask_severity")
    assert sorted(answered_queries(bot.api)) == sorted(ann.pressed)


async def test_forged_callback_data_changes_nothing(bot, knowledge):
    ann = TelegramUser(bot.api, 47)
    await ann.send("/start", 1)
    [where] = await ann.press("Soreness", 1)
    saved = (await bot.components.coach.state_of(47)).model_dump(exclude={"seq"})
    forgeries = [
        "99999.calf",  # a step that never was
        f"{where.callback_data('Heel').split('.')[0]}.not_a_choice",  # current step, made up
        "nonsense",
        "r.done.20991231",  # a reminder button for a day with no reminder
        "s.closed.FC-AAAAA",  # a staff button, from someone who is not staff
        "x" * 64,
    ]
    for data in forgeries:
        [again] = await ann.press_data(where, data, 1)
        expected = together(knowledge.say("button_expired"), knowledge.say("ask_location"))
        assert shown(again) == expected, data
        now = (await bot.components.coach.state_of(47)).model_dump(exclude={"seq"})
        assert now == saved, data
    assert sorted(answered_queries(bot.api)) == sorted(ann.pressed)


async def test_text_with_markup_characters_arrives_escaped(bot, knowledge):
    # The callback review and the staff message repeat what the person typed: with HTML as
    # the parse mode, < > & must be escaped or Telegram (and the fake) refuses the message.
    name = "Tom & <Jerry>"
    note = "heel <b>hurts</b> & pain > 5 < 8"
    tom = TelegramUser(bot.api, 48, "Tom")
    await tom.send("/start callback", 1)
    [ask_name] = await tom.press("Yes, that's OK", 1)
    assert shown(ask_name) == knowledge.say("callback_name")
    [ask_phone] = await tom.send(name, 1)
    assert ask_phone.reply_keyboard[0][0]["request_contact"] is True
    saved_phone, ask_time = await tom.send("+44 7400 123456", 2)
    assert shown(saved_phone) == knowledge.say("phone_saved", phone="+447400123456")
    assert shown(ask_time) == knowledge.say("callback_time")
    [ask_note] = await tom.press("Morning", 1)
    assert shown(ask_note) == knowledge.say("callback_note")
    [review] = await tom.send(note, 1)
    assert html.escape(name, quote=False) in (review.text or "")
    assert html.escape(note, quote=False) in (review.text or "")
    assert f"Name: {name}" in shown(review)
    assert f"Note: {note}" in shown(review)

    [confirmed] = await tom.press("Confirm", 1)
    assert shown(confirmed).startswith(opening(knowledge, "callback_confirmed"))
    [staff] = await bot.api.wait_for_messages(STAFF_CHAT, 1)
    assert f"Name: {name}" in shown(staff)
    assert f"Note: {note}" in shown(staff)
    failed = [r for r in bot.api.requests() if r.status not in (200, None)]
    assert failed == [], "no message was refused for its markup"


async def test_the_command_menu_lists_every_command_with_a_description(bot, knowledge):
    commands = bot.api.commands()
    assert [c["command"] for c in commands] == [
        "start",
        "help",
        "routine",
        "program",
        "reminder",
        "callback",
        "progress",
        "report",
        "privacy",
        "forget",
        "cancel",
    ]
    for command in commands:
        assert command["description"] == knowledge.say(f"command_{command['command']}")
        assert 0 < len(command["description"]) <= 256


async def test_commands_work_in_the_middle_of_a_flow(bot, knowledge):
    ann = TelegramUser(bot.api, 49)
    await ann.send("/start", 1)
    await ann.press("Weakness", 1)
    [help_text] = await ann.send("/help", 1)
    assert shown(help_text).startswith(opening(knowledge, "help"))
    assert shown(help_text).endswith(f"\n\n{knowledge.say('ask_location')}")
    [cancelled] = await ann.send("/cancel@footcoach_test_bot", 1)
    assert shown(cancelled) == knowledge.say("cancelled")
    [unknown] = await ann.send("/dance", 1)
    assert shown(unknown).startswith(knowledge.say("unknown_command", command="dance") + "\n\n")


async def test_leaving_the_phone_question_removes_the_phone_button(bot, knowledge):
    sam = TelegramUser(bot.api, 62, "Sam")
    await sam.send("/callback", 1)
    await sam.press("Yes, that's OK", 1)
    [ask_phone] = await sam.press("Use Sam", 1)
    assert ask_phone.button_texts == ["Share my phone number", "Cancel"]
    # /forget asks its question (a deep link to the callback now carries on at the phone): its
    # message must both drop the phone keyboard and carry inline buttons, and one message has
    # only one kind of markup.
    [confirm] = await sam.send("/forget", 1)
    assert shown(confirm) == knowledge.say("forget_confirm")
    sent_with = bot.api.requests("sendMessage")[-1].params["reply_markup"]
    assert sent_with == {"remove_keyboard": True}
    # The buttons come with an edit of that message, just after it.
    await bot.api.wait_for(lambda: bot.api.message(62, confirm.message_id).edit_count)
    [edit] = bot.api.requests("editMessageReplyMarkup")
    assert edit.ok and edit.params["message_id"] == confirm.message_id
    now = bot.api.message(62, confirm.message_id)
    assert now.button_texts[:2] == ["Yes, delete everything", "No, keep it"]
    # Nothing deleted, nothing dropped: the phone question is asked again, with its button.
    [kept] = await sam.press("No, keep it", 1, message=now)
    assert shown(kept).startswith(knowledge.say("forget_kept") + "\n\n")
    assert kept.button_texts == ["Share my phone number", "Cancel"]
