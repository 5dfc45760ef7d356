"""What real Telegram traffic throws at the bot: media, edits, groups, bursts, server errors."""

from __future__ import annotations

import logging
from typing import Any

from apscheduler.events import EVENT_JOB_MAX_INSTANCES, EVENT_JOB_SUBMITTED

from bot.core.flows import intake
from tests.channels.telegram.conftest import ADMIN, STAFF_CHAT
from tests.channels.telegram.people import TelegramUser, opening, shown, together
from tests.channels.telegram.test_callback_e2e import request_by_typed_phone
from tests.fakebot import MEDIA_KINDS, FakeBotAPI, JSONDict


def send_message_with(api: FakeBotAPI, user_id: int, fields: JSONDict) -> JSONDict:
    """Queue a private message carrying `fields` instead of text (kinds the fake lacks)."""
    update = api.build_text_update(user_id, "placeholder")
    message = update["message"]
    del message["text"]
    message.update(fields)
    return api.enqueue(update)


EXTRA_KINDS: dict[str, JSONDict] = {
    "dice": {"dice": {"emoji": "\N{GAME DIE}", "value": 4}},
    "venue": {
        "venue": {
            "location": {"latitude": 51.5, "longitude": -0.1},
            "title": "Clinic",
            "address": "1 High Street",
        }
    },
}


async def test_every_kind_of_non_text_message_gets_a_kind_reply(bot, knowledge):
    api = bot.api
    ann = TelegramUser(api, 50)
    await ann.send("/start", 1)
    media_other = together(knowledge.say("media_other"), knowledge.say("ask_what_bothers"))
    for kind in MEDIA_KINDS:
        caption = "my heel hurts" if kind in ("photo", "video", "document") else None
        api.send_media(50, kind, caption=caption)
        [reply] = await ann.expect(1)
        assert shown(reply) == media_other, kind
    for extra, fields in EXTRA_KINDS.items():
        send_message_with(api, 50, fields)
        [reply] = await ann.expect(1)
        assert shown(reply) == media_other, extra

    [contact] = await ann.send_contact("+447400123456", 1)
    assert shown(contact).startswith(knowledge.say("contact_unexpected"))

    said = api.send_text(50, "my calves are tight")
    [how_bad] = await ann.expect(1)
    assert shown(how_bad) == knowledge.say("ask_severity")
    api.edit_text(50, said["message"]["message_id"], "my arches are tight")
    [edited] = await ann.expect(1)
    assert shown(edited) == together(knowledge.say("media_edited"), knowledge.say("ask_severity"))
    state = await bot.components.coach.state_of(50)
    assert state.symptoms == ("tightness",) and state.locations == ("calf",)


async def test_service_messages_in_a_private_chat_get_no_reply(bot, knowledge):
    api = bot.api
    ann = TelegramUser(api, 51)
    [question] = await ann.send("/start", 1)
    # The person pins the bot's question: a service message, not something said to the bot.
    send_message_with(api, 51, {"pinned_message": question.raw})
    [help_text] = await ann.send("/help", 1)
    assert shown(help_text).startswith(opening(knowledge, "help"))


async def test_groups_only_hear_that_the_bot_talks_in_private(bot, knowledge):
    api = bot.api
    private_only = knowledge.say("private_only")
    group, supergroup = -5001, -1005002
    said = api.send_text(52, "/start", chat_id=group)
    await api.wait_for_messages(group, 1)
    api.send_text(52, "my calves are tight", chat_id=group)
    api.send_media(52, "sticker", chat_id=supergroup)
    # Edits in a group and talk in the staff chat need no answer at all.
    api.edit_text(52, said["message"]["message_id"], "/help", chat_id=group)
    api.send_text(ADMIN, "who calls FC-AAAAA?", chat_id=STAFF_CHAT)
    # The same person then writes privately; their updates are handled in order, so once the
    # private reply is here every group update before it has been handled.
    ann = TelegramUser(api, 52)
    await ann.send("/start", 1)
    await TelegramUser(api, ADMIN, "Staff").send("/help", 1)

    assert [shown(m) for m in api.messages(group)] == [private_only, private_only]
    assert [shown(m) for m in api.messages(supergroup)] == [private_only]
    assert api.messages(STAFF_CHAT) == []
    state = await bot.components.coach.state_of(52)
    assert state.step == intake.WELCOME and state.symptoms == ()


async def test_a_burst_from_one_person_is_handled_in_order_while_others_interleave(bot, knowledge):
    api = bot.api
    ann, bob = TelegramUser(api, 53), TelegramUser(api, 54, "Bob")
    await ann.send("/start", 1)
    seq_before = (await bot.components.coach.state_of(53)).seq
    # 20 quick messages from Ann, Bob's among them; each answer names the message it answers,
    # so the order of the replies is the order the messages were handled in.
    for n in range(20):
        api.send_text(53, f"/dance{n}")
        if n % 5 == 0:
            api.send_text(54, f"/bob{n}", first_name="Bob")
    replies = await ann.expect(20)
    bob_replies = await bob.expect(4)

    def unknown(command: str) -> str:
        return together(
            knowledge.say("unknown_command", command=command), knowledge.say("ask_what_bothers")
        )

    assert [shown(m) for m in replies] == [unknown(f"dance{n}") for n in range(20)]
    assert [shown(m) for m in bob_replies] == [unknown(f"bob{n}") for n in range(0, 20, 5)]
    # Each message moved the saved state on from the one before: none was lost to a race.
    assert (await bot.components.coach.state_of(53)).seq == seq_before + 20
    # Bob did not wait for Ann's burst to finish.
    assert bob_replies[0].seq < replies[-1].seq


async def test_server_errors_on_sending_are_survived_without_losing_a_reply(bot, knowledge):
    api = bot.api
    ann = TelegramUser(api, 55)
    api.fail_next("sendMessage", "429", retry_after=1)
    [greeting] = await ann.send("/start", 1)
    assert shown(greeting).startswith("Hi Ann!")
    assert shown(greeting).endswith(knowledge.say("ask_what_bothers"))

    api.fail_next("sendMessage", "500")
    # The answer to the button fails too: the person gets the next question all the same.
    api.fail_next("answerCallbackQuery", "500")
    [where] = await ann.send("tight", 1)
    assert shown(where) == knowledge.say("ask_location")
    update = api.press_button(55, where.message_id, where.callback_data("Heel"))
    [how_bad] = await ann.expect(1)
    assert shown(how_bad) == knowledge.say("ask_severity")
    # The answer goes out beside the reply: wait for it rather than assume it came first.
    await api.wait_for(lambda: bool(api.requests("answerCallbackQuery")))
    assert (
        api.requests("answerCallbackQuery")[0].params["callback_query_id"]
        == (update["callback_query"]["id"])
    )

    # A gateway timeout: Telegram held the request, then gave up on it without sending.
    api.timeout_delay = 0.2
    api.fail_next("sendMessage", "timeout")
    [screen] = await ann.send("4", 1)
    assert shown(screen).startswith(opening(knowledge, "screen_question"))
    [card] = await ann.send("none of these", 1)
    assert "tightness in the heel" in shown(card)

    # The flood wait was waited out before trying again, as Telegram asks: the fake answers
    # 429 again ("flood") to a send made before the retry_after it gave has passed.
    sends = api.requests("sendMessage")
    assert [r.status for r in sends] == [429, 200, 500, 200, 200, 504, 200]
    assert [r.status for r in api.requests("sendAnimation")] == [200]  # the card
    assert [shown(m) for m in api.messages(55)] == [
        shown(greeting),
        knowledge.say("ask_location"),
        knowledge.say("ask_severity"),
        shown(screen),
        shown(card),
    ]


async def test_a_failing_step_is_reported_without_personal_data_and_the_bot_goes_on(
    bot, knowledge, monkeypatch, caplog
):
    caplog.set_level(logging.INFO)
    api, coach = bot.api, bot.components.coach
    real_handle = coach.handle
    secret = "my heel swelled after the Zebedee party"

    async def fail_once(person, event, **_):
        monkeypatch.setattr(coach, "handle", real_handle)
        raise RuntimeError(f"store exploded on {event!r} from {person!r}")

    monkeypatch.setattr(coach, "handle", fail_once)
    zeb = TelegramUser(api, 56, "Zebedee")
    update = api.send_text(56, secret, first_name="Zebedee")
    [sorry] = await zeb.expect(1)
    assert shown(sorry) == knowledge.say("something_went_wrong")

    failures = [r for r in caplog.records if "failed" in r.getMessage()]
    assert len(failures) == 1
    assert str(update["update_id"]) in failures[0].getMessage()
    assert "RuntimeError" in failures[0].getMessage()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Zebedee" not in logged and "heel" not in logged

    [greeting] = await zeb.send("/start", 1)
    assert shown(greeting).startswith("Hi Zebedee!")


async def test_a_person_who_blocked_the_bot_is_noted_quietly_and_sent_nothing_more(bot, caplog):
    caplog.set_level(logging.INFO)
    api = bot.api
    ann = TelegramUser(api, 57, "Annabel")
    await ann.send("/start", 1)
    api.block(57)
    update = api.send_text(57, "my heel hurts", first_name="Annabel")
    await bot.updates_handled()
    # One reply tried and refused (403); no "something went wrong" after it.
    sends = [r for r in api.requests("sendMessage") if r.params["chat_id"] == 57]
    assert [r.status for r in sends] == [200, 403]
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    [noted] = [r.getMessage() for r in caplog.records if "no longer takes" in r.getMessage()]
    assert str(update["update_id"]) in noted
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "Annabel" not in logged and "heel" not in logged


async def test_staff_ticks_during_a_long_run_are_let_go_without_a_warning(bot, caplog):
    """A staff run held up by Telegram outlasts many ticks of its job: each of those ticks
    is let go quietly (the scheduler never finds the job still running)."""
    caplog.set_level(logging.INFO)
    api = bot.api
    job_queue = bot.runtime.application.job_queue
    [staff_job] = job_queue.get_jobs_by_name("staff")
    ticks: list[int] = []
    scheduler = job_queue.scheduler

    def listener(event: Any) -> None:
        if event.job_id == staff_job.id:
            ticks.append(event.code)

    scheduler.add_listener(listener, EVENT_JOB_SUBMITTED | EVENT_JOB_MAX_INSTANCES)
    held = api.hold("sendMessage", chat_id=STAFF_CHAT)
    code = await request_by_typed_phone(TelegramUser(api, 58, "Ann"))
    await api.wait_for(lambda: held.arrived == 1, description="the staff send held")
    seen = len(ticks)
    # Ten ticks of the staff job while its run waits for Telegram.
    await api.wait_for(lambda: len(ticks) >= seen + 10, timeout=10, description="ten ticks")
    assert EVENT_JOB_MAX_INSTANCES not in ticks
    assert not [r for r in caplog.records if "maximum number" in r.getMessage()]
    assert bot.runtime.staff_ticks.coalesced >= 10, "the ticks reached the job, and were let go"
    api.release(held)
    await api.wait_for(lambda: any(code in (m.text or "") for m in api.messages(STAFF_CHAT)))
    scheduler.remove_listener(listener)
    assert len(api.messages(STAFF_CHAT)) == 1
