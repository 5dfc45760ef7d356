"""The program through Telegram: the reminder's Start walks through the moves and ends with
the day's score, /program changes the moves, /report sends the PDF, and a callback request
can carry the report to the staff chat."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.store import checkins
from tests.channels.telegram.conftest import STAFF_CHAT, running_bot
from tests.channels.telegram.people import TelegramUser
from tests.channels.telegram.test_reminders_e2e import set_reminder
from tests.fakebot import FakeBotAPI
from tests.support import Clock

LONDON = ZoneInfo("Europe/London")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON)


async def complaint(ann: TelegramUser) -> None:
    """Tell a complaint and pass the warning-sign screen; the first card comes."""
    await ann.send("my calves are weak, 4/10", 1)
    [card] = await ann.press("None of these", 1)
    assert "Standing calf raises" in (card.text or "")
    assert card.button_texts == ["Start", "Done", "Skip"]


async def test_the_reminders_start_walks_through_the_program_to_the_score(api, tmp_path):
    clock = Clock(at("2026-11-25 20:00"))
    async with running_bot(api, tmp_path, clock=clock) as bot:
        ann = TelegramUser(api, 42)
        await complaint(ann)
        await set_reminder(ann)
        clock.set(at("2026-11-26 07:30"))
        await bot.reminder_run()
        [reminder] = await ann.expect(1)
        assert "Today: Standing calf raises, about" in (reminder.text or "")
        assert reminder.button_texts[:2] == ["Start", "Done"]
        [card] = await ann.press("Start", 1)
        assert "1/1 Standing calf raises" in (card.text or "") and "2 x 10" in (card.text or "")
        [feel] = await ann.press("Done", 1)
        assert feel.button_texts == ["Easy", "Just right", "Hard", "It hurt"]
        [score] = await ann.press("Easy", 1)
        assert "from 0 (no pain) to 10" in (score.text or "")
        [saved] = await ann.press("3", 1)
        assert (saved.text or "").startswith("Thanks, I've noted 3/10")
        async with bot.components.db.transaction() as session:
            [day] = await checkins.recent(session, 42)
        assert (day.day.isoformat(), day.score, day.done) == ("2026-11-26", 3, True)

        [menu] = await ann.send("/program", 1)
        assert "1. Standing calf raises: Both legs, 2 x 10" in (menu.text or "")
        [ask] = await ann.press("Add a move", 1)
        [added] = await ann.press("Towel toe curls", 1)
        assert (added.text or "").startswith("Added: Towel toe curls")
        assert ask.button_texts[-1] == "Keep it as it is"


async def test_report_sends_a_pdf_and_a_request_can_carry_it(api: FakeBotAPI, tmp_path):
    async with running_bot(api, tmp_path) as bot:
        ann = TelegramUser(api, 42)
        await complaint(ann)
        [text, document, back] = await ann.send("/report", 3)
        assert (text.text or "").startswith("Here is your report")
        assert (back.text or "").startswith("We're on")  # the card, after the file
        assert document.method == "sendDocument" and document.document is not None
        assert document.document.startswith(b"%PDF")
        assert document.file is not None and document.file.filename == "footcoach-report.pdf"

        await ann.send("/callback", 1)
        await ann.press("Yes, that's OK", 1)
        await ann.press("Use Ann", 1)
        await ann.send("07400 123456", 2)
        await ann.press("Evening", 1)
        await ann.press("Skip", 1)
        [confirmed] = await ann.press("Confirm", 1)
        assert "send the professional your self-care report" in (confirmed.text or "")
        assert confirmed.button_texts == ["Yes, send my report", "No, just the request"]
        [attached] = await ann.press("Yes, send my report", 1)
        assert (attached.text or "").startswith("OK, your report goes with your request")
        staff = await bot.api.wait_for_messages(STAFF_CHAT, 2)
        assert any(m.method == "sendDocument" for m in staff)
        pdf = next(m for m in staff if m.method == "sendDocument")
        assert pdf.document is not None and pdf.document.startswith(b"%PDF")
