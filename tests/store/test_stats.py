"""/stats and the metrics' backlog: what counts as this week, on and open (both backends)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from bot.core.leads import LeadDetails, LeadStatus
from bot.core.reminders import Days, Reminder
from bot.core.stats import Backlog, Stats, age_text
from bot.store import Database, checkins, leads, migrate, outbox, reminders, stats, users

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
DETAILS = LeadDetails(name="Ann", phone="+447400123456", best_time="evening")


def reminder(due: datetime, *, paused: bool = False) -> Reminder:
    return Reminder(at=time(7, 30), zone="UTC", days=Days.daily, paused=paused, next_due=due)


async def test_the_week_and_the_backlog_count_what_they_say(db_url):
    db = Database(db_url)
    await migrate.upgrade(db)
    try:
        async with db.transaction() as session:
            assert await stats.weekly(session, NOW) == Stats(0, 0, 0, 0, Backlog(0, 0, None))
            # Active this week: 1 (today) and 2 (6 days ago); 3 was last seen 8 days ago.
            for user_id, days_ago in ((1, 0), (2, 6), (3, 8)):
                await users.save_state(session, None, user_id, "{}", NOW - timedelta(days_ago))
            # Reminders: 1 due an hour ago, 2 due tomorrow, 3 paused (and due).
            await reminders.put(session, 1, reminder(NOW - timedelta(hours=1)), NOW)
            await reminders.put(session, 2, reminder(NOW + timedelta(days=1)), NOW)
            await reminders.put(session, 3, reminder(NOW - timedelta(days=1), paused=True), NOW)
            # Check-ins: two this week, one before it.
            await checkins.record(session, 1, date(2026, 11, 25), 3, True, NOW)
            await checkins.record(session, 2, date(2026, 11, 20), 4, True, NOW - timedelta(5))
            await checkins.record(session, 3, date(2026, 11, 10), 5, True, NOW - timedelta(15))
            # Requests: open, contacted (both open for staff), closed, withdrawn.
            for user_id, code in ((1, "FC-AAAAA"), (2, "FC-BBBBB"), (3, "FC-CCCCC")):
                await leads.save(session, user_id, code, DETAILS, NOW - timedelta(hours=user_id))
            await leads.save(session, 1, "FC-DDDDD", DETAILS, NOW)
            await leads.mark(session, "FC-BBBBB", LeadStatus.contacted, "staff", NOW)
            await leads.mark(session, "FC-CCCCC", LeadStatus.closed, "staff", NOW)
            await leads.withdraw(session, 1, "FC-DDDDD", NOW)
        async with db.transaction() as session:
            found = await stats.weekly(session, NOW)
            # Every staff message row above waits: the oldest was queued 3 hours ago.
            waiting = found.backlog.outbox_waiting
            assert waiting == 7
            assert found == Stats(
                people_active=2,
                reminders_on=2,
                checkins=2,
                open_requests=2,
                backlog=Backlog(1, waiting, NOW - timedelta(hours=3)),
            )
            assert found.backlog.outbox_oldest is not None
            assert found.backlog.outbox_oldest.tzinfo is not None
            # Delivered rows no longer wait.
            for entry in await outbox.lock_pending(session, NOW, 100, skip_locked=False):
                await outbox.save(session, entry.model_copy(update={"sent_at": NOW}))
        async with db.transaction() as session:
            assert (await stats.backlog(session, NOW)).outbox_waiting == waiting - 4
    finally:
        await db.close()


def test_ages_read_the_way_staff_read_them():
    assert [age_text(s) for s in (0, 45, 60, 719, 3600, 3660 * 3, 86400 * 2 + 3600 * 4)] == [
        "0 s",
        "45 s",
        "1 min",
        "11 min",
        "1 h",
        "3 h 3 min",
        "2 d 4 h",
    ]
