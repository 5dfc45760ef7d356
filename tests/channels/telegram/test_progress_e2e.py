"""Progress end to end: daily check-ins over simulated days, the chart, and the nudge."""

from __future__ import annotations

import struct
from datetime import UTC, datetime, timedelta

from bot.store import checkins
from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.people import TelegramUser
from tests.support import Clock

START = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def check_in(person: TelegramUser, score: int, *, done: bool = True) -> list[str]:
    """Answer /checkin with a score and whether the routine was done; return what follows
    the thanks in the same message, if anything."""
    [question] = await person.send(f"/checkin {score}", 1)
    assert question.button_texts == ["Yes", "No"]
    [reply] = await person.press("Yes" if done else "No", 1)
    thanks, *more = (reply.text or "").split("\n\n", 1)
    assert thanks == f"Thanks, I've noted {score}/10 for today. Send /progress to see your chart."
    return more


async def given_a_routine(person: TelegramUser) -> None:
    """Tell a complaint and pass the warning-sign screen: a routine to check in about."""
    await person.send("my calves are tight, 4/10", 1)
    await person.press("None of these", 1)
    # leave the first card for later, so that the check-ins are not asked to pick it up
    [offer] = await person.send("/cancel", 1)
    assert offer.button_texts == ["Back to your routine", "Not now"]
    await person.press("Not now", 1)


def png_size(data: bytes) -> tuple[int, int]:
    """Return a PNG's width and height, read from its header."""
    assert data.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", data[16:24])
    return width, height


async def test_checkins_over_days_then_progress_sends_a_chart_and_the_summary(api, tmp_path):
    clock = Clock(START)
    async with running_bot(api, tmp_path, clock=clock) as bot:
        ann = TelegramUser(api, 42)
        [need] = await ann.send("/progress", 1)
        assert "(I have 0)" in (need.text or "")
        await given_a_routine(ann)
        # Ten days, pain going from 7 to 4, the routine skipped on day 5.
        for day, score in enumerate([7, 7, 6, 6, 6, 5, 5, 5, 4, 4]):
            clock.set(START + timedelta(days=day))
            assert await check_in(ann, score, done=day != 4) == []
        # A second check-in the same day: the same score is already noted, with no question;
        # another score asks first, then replaces the first and says so.
        clock.advance(hours=1)
        [same] = await ann.send("/checkin 4", 1)
        assert (same.text or "").startswith("Thanks! I already have 4/10 for today")
        assert same.button_texts == []
        [ask] = await ann.send("/checkin 3", 1)
        assert (ask.text or "").startswith("You've already checked in for today: 4/10.")
        assert ask.button_texts == ["Update it", "Keep it"]
        # "Did you do your routine?" was answered yes today: the update does not ask it again.
        [updated] = await ann.press("Update it", 1)
        assert (updated.text or "").startswith("Updated: 3/10 for today (it was 4/10).")

        [chart] = await ann.send("/progress", 1)
        assert chart.method == "sendPhoto" and chart.photo is not None
        width, height = png_size(chart.photo)
        assert 600 <= width <= 2000 and 400 <= height <= 2000
        assert chart.text == (
            "Streak: 5 days done in a row. Pain went from 7 to 3 (down 4 points, 57%). "
            "That is a real improvement. Well done!"
        )
        async with bot.components.db.transaction() as session:
            stored = await checkins.recent(session, 42)
        assert [c.score for c in stored] == [7, 7, 6, 6, 6, 5, 5, 5, 4, 3]
        assert [c.done for c in stored].count(False) == 1


async def test_a_flat_fortnight_nudges_once_and_the_callback_opens_from_it(api, tmp_path):
    clock = Clock(START)
    async with running_bot(api, tmp_path, clock=clock) as bot:
        ann = TelegramUser(api, 42)
        await given_a_routine(ann)
        for day in range(14):
            clock.set(START + timedelta(days=day))
            assert await check_in(ann, 5) == []
        # Day 15: two weeks after the first check-in, and no better.
        clock.set(START + timedelta(days=14))
        [nudge] = await check_in(ann, 5)
        assert nudge.startswith("After two weeks your pain hasn't dropped much.")
        message = ann.latest_with_buttons()
        assert message.button_texts == ["Talk to a professional", "Not now"]

        [consent] = await ann.press("Talk to a professional", 1)
        assert (consent.text or "").startswith("A professional from our team can call you back.")
        assert consent.button_texts == ["Yes, that's OK", "No thanks"]
        [declined] = await ann.press("No thanks", 1)
        assert (declined.text or "").startswith("No problem, nothing has been shared.")

        # Still flat over the next days: the same episode, so no second nudge.
        for day in range(15, 18):
            clock.set(START + timedelta(days=day))
            assert await check_in(ann, 5) == []
        await ann.quiet(bot.updates_handled())
