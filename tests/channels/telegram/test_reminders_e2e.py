"""Reminders end to end: set in conversation, sent by the job-queue tick, answered with Done."""

from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from bot.core.reminders import Days, Reminder
from bot.store import checkins, reminders, users
from tests.channels.telegram.conftest import STAFF_CHAT, running_bot
from tests.channels.telegram.people import TelegramUser
from tests.channels.telegram.probes import code_in, texts
from tests.support import Clock

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    """Return a London wall time as an instant."""
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


async def set_reminder(ann: TelegramUser) -> None:
    """Set a 07:30 London reminder in the person's own words."""
    [ask_zone] = await ann.send("remind me every day at 7:30 please", 1)
    assert "time zone" in (ask_zone.text or "").lower() or "where" in (ask_zone.text or "").lower()
    [confirm] = await ann.send("londn", 1)
    assert confirm.button_texts == ["London (UTC+0)", "None of these"]
    # "every day" was said with the request: the days are not asked again.
    [done] = await ann.press("London (UTC+0)", 1)
    assert "07:30 every day, London (UTC+0) time" in (done.text or "")
    assert "tomorrow at 07:30" in (done.text or "")


async def test_a_reminder_set_in_conversation_arrives_and_done_stores_the_score(api, tmp_path):
    clock = Clock(at("2026-11-25 20:00"))
    async with running_bot(api, tmp_path, clock=clock) as bot:
        ann = TelegramUser(api, 42)
        await set_reminder(ann)

        # A minute early: a whole run of the sender looks, and nothing comes.
        clock.set(at("2026-11-26 07:29"))
        await ann.quiet(bot.reminder_run())
        clock.set(at("2026-11-26 07:30"))
        [reminder] = await ann.expect(1)
        assert reminder.text is not None and reminder.text.startswith("Time for your foot care")
        assert reminder.button_texts == ["Done", "Snooze 1 hour", "Skip today", "Stop reminders"]
        assert reminder.callback_data("Done") == "r.done.20261126"
        # Later runs the same day send nothing more.
        clock.set(at("2026-11-26 07:31"))
        await ann.quiet(bot.reminder_run())

        [question] = await ann.press("Done", 1)
        assert "from 0 (no pain) to 10" in (question.text or "")
        [saved] = await ann.press("3", 1)
        assert "3/10" in (saved.text or "")

        async with bot.components.db.transaction() as session:
            stored = await checkins.recent(session, 42)
            row = await reminders.get(session, 42)
        assert [(c.day, c.score, c.done) for c in stored] == [(date(2026, 11, 26), 3, True)]
        assert row is not None and row.last_day == date(2026, 11, 26)


async def test_a_person_who_blocked_the_bot_has_their_reminder_paused(api, tmp_path):
    clock = Clock(at("2026-11-25 20:00"))
    async with running_bot(api, tmp_path, clock=clock) as bot:
        ann = TelegramUser(api, 42)
        await set_reminder(ann)
        api.block(42)
        before = api.request_count("sendMessage")
        clock.set(at("2026-11-26 07:30"))
        await bot.reminder_run()  # a run that began at 07:30: it tried, and paused the reminder
        assert api.request_count("sendMessage") == before + 1
        async with bot.components.db.transaction() as session:
            row = await reminders.get(session, 42)
        assert row is not None and row.paused
        # Not retried: the next days pass without another attempt.
        clock.set(at("2026-11-27 07:30"))
        await ann.quiet(bot.reminder_run())
        assert api.request_count("sendMessage") == before + 1

        # Unblocked, they turn it back on themselves.
        api.unblock(42)
        [current] = await ann.send("/reminder", 1)
        assert "(paused)" in (current.text or "")
        assert texts(await ann.press("Turn back on", 1)) == ["Reminder back on."]
        clock.set(at("2026-11-28 07:30"))
        [reminder] = await ann.expect(1)
        assert reminder.callback_data("Done") == "r.done.20261128"


async def test_a_reminder_fan_out_does_not_hold_back_a_confirmed_request(api, tmp_path):
    clock = Clock(at("2026-11-26 07:00"))
    async with running_bot(api, tmp_path, clock=clock) as bot:
        async with bot.components.db.transaction() as session:
            for user_id in range(10_000, 10_300):
                await users.save_state(session, None, user_id, "{}", clock())
                await reminders.put(
                    session,
                    user_id,
                    Reminder(
                        at=time(7, 30),
                        zone="Europe/London",
                        days=Days.daily,
                        next_due=at("2026-11-26 07:30"),
                    ),
                    clock(),
                )
        ann = TelegramUser(api, 42)
        [_consent] = await ann.send("/callback", 1)
        await ann.press("Yes, that's OK", 1)
        await ann.press("Use Ann", 1)
        await ann.send("07400 123456", 2)
        await ann.press("Morning", 1)
        await ann.press("Skip", 1)

        # One reminder hangs on its way to Telegram, so the fan-out cannot end while it does.
        stuck = api.hold("sendMessage", chat_id=10_150)
        clock.set(at("2026-11-26 07:30"))
        await api.wait_for(lambda: stuck.arrived)
        confirmed = await ann.press("Confirm", 1)
        code = code_in(confirmed[0])
        # The request reaches staff while the reminders' run is still going.
        [staff] = await api.wait_for_messages(STAFF_CHAT, 1)
        assert code in (staff.text or "")
        [held] = [r for r in api.requests("sendMessage") if r.params["chat_id"] == 10_150]
        assert held.status is None, "the stuck reminder was still on its way"
        api.release(stuck)
        others = [u for u in range(10_000, 10_300) if u != 10_150]
        await api.wait_for(lambda: all(api.delivered_count(u) for u in others))
