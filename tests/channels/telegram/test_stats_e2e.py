"""/stats for admins: the week's people and check-ins, reminders on, open requests, backlog."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.core.leads import LeadDetails
from bot.core.reminders import Days, Reminder
from bot.store import checkins, leads, reminders, users
from tests.channels.telegram.conftest import ADMIN, running_bot
from tests.channels.telegram.people import TelegramUser
from tests.support import Clock

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DETAILS = LeadDetails(name="Wenceslas", phone="+447400123456", best_time="evening")


async def test_stats_answers_admins_with_the_weeks_numbers(api, tmp_path):
    clock = Clock(NOW)
    # No staff chat: the request's staff message waits, so the backlog has an age to show.
    async with running_bot(api, tmp_path, clock=clock, staff_chat_id=None) as bot:
        async with bot.components.db.transaction() as session:
            for user_id in (1, 2):
                await users.save_state(session, None, user_id, "{}", NOW - timedelta(days=2))
                reminder = Reminder(
                    at=time(7), zone="UTC", days=Days.daily, next_due=NOW + timedelta(hours=19)
                )
                await reminders.put(session, user_id, reminder, NOW)
            await checkins.record(session, 1, date(2026, 11, 24), 3, True, NOW - timedelta(1))
            await leads.save(session, 2, "FC-AAAAA", DETAILS, NOW - timedelta(minutes=90))
        clock.set(NOW)

        ann = TelegramUser(api, 42)
        [answer] = await ann.send("/stats", 1)
        assert "stats" in (answer.text or ""), "anyone else: the unknown-command answer"
        assert "People active" not in (answer.text or "")

        admin = TelegramUser(api, ADMIN, first_name="Nora")
        [stats] = await admin.send("/stats", 1)
    # Ann (42) wrote today; 1 and 2 two days ago; the admin's own /stats is a staff command.
    assert (stats.text or "").splitlines() == [
        "The last 7 days:",
        "People active: 3",
        "Check-ins: 1",
        "Now:",
        "Reminders on: 2",
        "Open callback requests: 1",
        "Staff messages waiting: 1, the oldest for 1 h 30 min",
    ]
    assert "Wenceslas" not in (stats.text or "") and "7400" not in (stats.text or "")
