"""The reminder sender and the staff outbox, driven by a controllable clock.

Reminders are at most once per person and local day (the claim commits before the send);
staff messages are at least once, exactly once unless the process dies between Telegram's
acceptance and the commit, and then the repeat is marked. See bot/app/reminder_sender.py
and bot/app/staff_outbox.py.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.coach import Coach, Person
from bot.app.outlet import Blocked, MaybeDelivered, NotDelivered, Rejected
from bot.app.reminder_sender import ReminderSender
from bot.app.staff_desk import StaffDesk
from bot.app.staff_outbox import StaffOutbox
from bot.core.events import ButtonEvent, CommandEvent, TextEvent
from bot.core.knowledge import Knowledge
from bot.core.leads import LeadDetails, LeadStatus
from bot.core.outbox import LEASE as STAFF_LEASE
from bot.core.reminders import MAX_SEND_ATTEMPTS, Days, ReminderRules, set_up
from bot.core.replies import Reply, Say
from bot.store import leads, reminders, users
from bot.store.db import Database
from bot.store.schema import OutboxRow
from tests.support import Clock, RecordingOutlet, make_coach

STAFF = -100777
ANN = Person(id=42, first_name="Ann")
LONDON = ZoneInfo("Europe/London")


@pytest.fixture(scope="session")
def knowledge(knowledge: Knowledge) -> Knowledge:
    """The real knowledge without follow-ups: these tests count the daily reminders only."""
    return knowledge.model_copy(update={"reminders": ReminderRules(follow_up=False)})


class Crash(BaseException):
    """The process dies here (a BaseException, so no `except Exception` catches it)."""


@dataclass
class Outlet(RecordingOutlet):
    """A recording outlet that also counts attempts (failed ones too) and can crash."""

    attempts: list[int] = field(default_factory=list)
    crash_before: bool = False
    crash_after: bool = False

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        self.attempts.append(chat_id)
        if self.crash_before:
            raise Crash
        ids = await super().deliver(chat_id, replies)
        if self.crash_after:
            raise Crash
        return ids


def local(text: str, zone: ZoneInfo = LONDON) -> datetime:
    """Return the aware instant of a local wall time such as '2026-11-26 07:30'."""
    return datetime.fromisoformat(text).replace(tzinfo=zone)


async def add_reminder(
    db: Database, clock: Clock, user_id: int, at: str, zone: str, days: Days = Days.daily
) -> None:
    """Store a person and their daily reminder as the coach's SetReminder effect would."""
    wall = time.fromisoformat(at)
    async with db.transaction() as session:
        user = await users.load_user(session, user_id)
        await users.save_state(session, user, user_id, "{}", clock())
        await reminders.put(session, user_id, set_up(wall, zone, days, clock(), None), clock())


@pytest.fixture
async def store(knowledge: Knowledge, tmp_path: Path, db_url: str):
    """A coach on a fresh database (SQLite, and PostgreSQL when configured), with its clock."""
    clock = Clock(datetime(2026, 11, 25, 12, 0, tzinfo=UTC))
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    yield coach, db, clock
    await db.close()


async def sweep(
    dispatcher: ReminderSender, clock: Clock, until: datetime, step: timedelta
) -> list[tuple[datetime, int]]:
    """Run the dispatcher at every step, and last at `until`; return (when, user) of sends."""
    sent: list[tuple[datetime, int]] = []
    outlet = dispatcher.outlet
    assert isinstance(outlet, RecordingOutlet)
    while True:
        clock.set(min(clock.now, until))
        before = len(outlet.sent)
        await dispatcher.run_once()
        sent.extend((clock.now, chat) for chat, _ in outlet.sent[before:])
        if clock.now >= until:
            return sent
        clock.advance(seconds=step.total_seconds())


def reminder_days(outlet: RecordingOutlet, user_id: int) -> list[str]:
    """Return the day stamp carried by the buttons of each reminder sent to a person."""
    stamps = []
    for reply in outlet.to(user_id):
        assert isinstance(reply, Say) and reply.key == "reminder_due"
        stamps.append(reply.choices[0].token.rsplit(".", 1)[1])
    return stamps


async def press(coach: Coach, person: Person, token: str) -> list[Reply]:
    """Press a button and return the replies."""
    return await coach.handle(person, ButtonEvent(token=token))


# -- reminders --------------------------------------------------------------------------------


async def test_a_reminder_fires_at_its_minute_not_a_minute_early_and_once(store, knowledge):
    _, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:29:00"))
    assert (await dispatcher.run_once()).sent == 0
    clock.set(local("2026-11-26 07:29:59"))
    assert (await dispatcher.run_once()).sent == 0
    clock.set(local("2026-11-26 07:30:00"))
    assert (await dispatcher.run_once()).sent == 1
    for _ in range(3):
        clock.advance(seconds=20)
        assert (await dispatcher.run_once()).sent == 0
    assert reminder_days(outlet, ANN.id) == ["20261126"]
    clock.set(local("2026-11-27 07:30:00"))
    assert (await dispatcher.run_once()).sent == 1
    assert reminder_days(outlet, ANN.id) == ["20261126", "20261127"]


@pytest.mark.parametrize(
    ("zone", "at", "start", "expected_local"),
    [
        # Spring forward in London (01:00 -> 02:00): 01:30 does not exist that night, so it is
        # sent at 02:00; 07:30 stays 07:30 local on both sides of the change.
        (
            "Europe/London",
            "01:30",
            "2026-03-28 00:00",
            ["2026-03-28 01:30 GMT", "2026-03-29 02:00 BST", "2026-03-30 01:30 BST"],
        ),
        (
            "Europe/London",
            "07:30",
            "2026-03-28 00:00",
            ["2026-03-28 07:30 GMT", "2026-03-29 07:30 BST", "2026-03-30 07:30 BST"],
        ),
        # Fall back in London (02:00 BST -> 01:00 GMT): 01:30 happens twice, sent once.
        (
            "Europe/London",
            "01:30",
            "2026-10-24 00:00",
            ["2026-10-24 01:30 BST", "2026-10-25 01:30 BST", "2026-10-26 01:30 GMT"],
        ),
        # The same in New York, on its own dates (2026-03-08 and 2026-11-01, at 02:00).
        (
            "America/New_York",
            "02:30",
            "2026-03-07 00:00",
            ["2026-03-07 02:30 EST", "2026-03-08 03:00 EDT", "2026-03-09 02:30 EDT"],
        ),
        (
            "America/New_York",
            "01:30",
            "2026-10-31 00:00",
            ["2026-10-31 01:30 EDT", "2026-11-01 01:30 EDT", "2026-11-02 01:30 EST"],
        ),
        (
            "America/New_York",
            "07:30",
            "2026-10-31 00:00",
            ["2026-10-31 07:30 EDT", "2026-11-01 07:30 EST", "2026-11-02 07:30 EST"],
        ),
    ],
)
async def test_daylight_saving_changes_through_the_dispatcher(
    store, knowledge, zone, at, start, expected_local
):
    _, db, clock = store
    tz = ZoneInfo(zone)
    clock.set(local(start, tz))
    await add_reminder(db, clock, ANN.id, at, zone)
    dispatcher = ReminderSender(db, knowledge, Outlet(), clock=clock)
    # Every 30 minutes for three days: these zones are whole hours from UTC, so the due
    # instants all fall on the grid and a send's instant is its due instant.
    sent = await sweep(dispatcher, clock, clock.now + timedelta(days=3), timedelta(minutes=30))
    shown = [moment.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z") for moment, _ in sent]
    assert shown == expected_local


async def test_snooze_sends_the_same_day_again_an_hour_later(store, knowledge):
    coach, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    await dispatcher.run_once()
    clock.set(local("2026-11-26 07:35"))
    [reply] = await press(coach, ANN, "r.snooze.20261126")
    assert isinstance(reply, Say) and reply.key == "reminder_snoozed"
    clock.set(local("2026-11-26 08:34:59"))
    assert (await dispatcher.run_once()).sent == 0
    clock.set(local("2026-11-26 08:35"))
    assert (await dispatcher.run_once()).sent == 1
    clock.advance(minutes=1)
    assert (await dispatcher.run_once()).sent == 0
    clock.set(local("2026-11-27 07:30"))
    assert (await dispatcher.run_once()).sent == 1
    assert reminder_days(outlet, ANN.id) == ["20261126", "20261126", "20261127"]


async def test_skip_today_drops_the_snooze_and_keeps_tomorrow(store, knowledge):
    coach, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    await dispatcher.run_once()
    await press(coach, ANN, "r.snooze.20261126")
    [reply] = await press(coach, ANN, "r.skip.20261126")
    assert isinstance(reply, Say) and reply.key == "reminder_skipped"
    sent = await sweep(dispatcher, clock, local("2026-11-27 07:29"), timedelta(minutes=10))
    assert sent == []
    clock.set(local("2026-11-27 07:30"))
    assert (await dispatcher.run_once()).sent == 1


async def test_stop_ends_the_reminders(store, knowledge):
    coach, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    await dispatcher.run_once()
    [reply] = await press(coach, ANN, "r.stop.20261126")
    assert isinstance(reply, Say) and reply.key == "reminder_stopped"
    sent = await sweep(dispatcher, clock, local("2026-11-29 08:00"), timedelta(minutes=30))
    assert sent == []
    async with db.transaction() as session:
        assert await reminders.get(session, ANN.id) is None


async def test_a_blocked_person_is_paused_and_never_retried(store, knowledge):
    coach, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet(failures=[Blocked("Forbidden: bot was blocked by the user")])
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    stats = await dispatcher.run_once()
    assert stats.paused == 1 and stats.sent == 0
    await sweep(dispatcher, clock, local("2026-11-29 08:00"), timedelta(minutes=15))
    assert outlet.attempts == [ANN.id]
    async with db.transaction() as session:
        row = await reminders.get(session, ANN.id)
        assert row is not None and row.paused and row.snooze_due is None
    # They see it as paused, and can turn it back on.
    [current] = await coach.handle(ANN, CommandEvent(name="reminder", args=""))
    assert isinstance(current, Say) and "(paused)" in current.text


async def test_a_refused_reminder_is_not_retried_today_nor_paused(store, knowledge):
    _, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    # A 400 says the request was wrong, not that the person left: a bug that made every
    # reminder refused must not switch everyone's reminders off for good.
    outlet = Outlet(failures=[Rejected("Bad Request: can't parse entities")])
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    sent = await sweep(dispatcher, clock, local("2026-11-27 07:30"), timedelta(minutes=15))
    assert outlet.attempts == [ANN.id, ANN.id]
    assert [moment for moment, _ in sent] == [local("2026-11-27 07:30")]


async def test_not_delivered_is_retried_later_with_backoff(store, knowledge):
    _, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet(failures=[NotDelivered("500"), NotDelivered("502")])
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    start = local("2026-11-26 07:30")
    tried_at: list[float] = []
    clock.set(start)
    # Every second for five minutes: when does it try again?
    while clock.now < start + timedelta(minutes=5):
        before = len(outlet.attempts)
        await dispatcher.run_once()
        if len(outlet.attempts) > before:
            tried_at.append((clock.now - start).total_seconds())
        clock.advance(seconds=1)
    # 30 s after the first failure, then 60 s after the second (doubling), then delivered.
    assert tried_at == [0, 30, 90]
    assert reminder_days(outlet, ANN.id) == ["20261126"]


async def test_retries_give_up_after_the_last_attempt(store, knowledge):
    _, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet(failures=[NotDelivered("500") for _ in range(20)])
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    await sweep(dispatcher, clock, local("2026-11-26 09:29"), timedelta(seconds=10))
    assert len(outlet.attempts) == MAX_SEND_ATTEMPTS + 1
    outlet.failures.clear()
    clock.set(local("2026-11-27 07:30"))
    assert (await dispatcher.run_once()).sent == 1


async def test_maybe_delivered_is_not_retried(store, knowledge):
    _, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet(failures=[MaybeDelivered("timed out")])
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    sent = await sweep(dispatcher, clock, local("2026-11-27 07:30"), timedelta(minutes=5))
    # Not again that day (it may have arrived); the next day as usual.
    assert outlet.attempts == [ANN.id, ANN.id]
    assert [moment for moment, _ in sent] == [local("2026-11-27 07:30")]


@pytest.mark.parametrize(
    ("back_at", "sent_today"),
    [("2026-11-26 07:30", True), ("2026-11-26 09:29", True), ("2026-11-26 09:30", False)],
)
async def test_catch_up_after_downtime(store, knowledge, back_at, sent_today):
    _, db, clock = store
    clock.set(local("2026-11-26 06:00"))
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    # The bot was down from 06:00 until back_at.
    clock.set(local(back_at))
    stats = await dispatcher.run_once()
    assert stats.sent == int(sent_today)
    assert stats.skipped_late == int(not sent_today)
    sent = await sweep(dispatcher, clock, local("2026-11-27 07:30"), timedelta(minutes=10))
    assert [moment for moment, _ in sent] == [local("2026-11-27 07:30")]


async def test_catch_up_after_days_down_sends_only_the_latest_if_recent(store, knowledge):
    _, db, clock = store
    clock.set(local("2026-11-26 06:00"))
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    # Down for three days; back 20 minutes after the fourth one fell due.
    clock.set(local("2026-11-29 07:50"))
    stats = await dispatcher.run_once()
    assert stats.sent == 1
    assert reminder_days(outlet, ANN.id) == ["20261129"]
    assert (await dispatcher.run_once()).sent == 0


@pytest.mark.parametrize("crash", ["before the send", "after the send"])
async def test_no_double_send_after_a_crash_between_the_claim_and_the_send(
    knowledge, tmp_path, db_url, crash
):
    clock = Clock(local("2026-11-26 06:00"))
    _, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    clock.set(local("2026-11-26 07:30"))
    dying = Outlet(crash_before=crash == "before the send", crash_after=crash == "after the send")
    with pytest.raises(Crash):
        await ReminderSender(db, knowledge, dying, clock=clock).run_once()
    await db.close()  # the process is gone; nothing it held is committed any more

    # A new process on the same database, for the rest of that local day and the next.
    _, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        outlet = Outlet()
        dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
        sent = await sweep(dispatcher, clock, local("2026-11-27 07:30"), timedelta(minutes=5))
        assert [moment for moment, _ in sent] == [local("2026-11-27 07:30")]
        delivered_on_26 = len(dying.sent)
        assert delivered_on_26 == (1 if crash == "after the send" else 0)
    finally:
        await db.close()


async def test_a_cancelled_send_is_not_repeated_either(knowledge, tmp_path, db_url):
    clock = Clock(local("2026-11-26 06:00"))
    _, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    clock.set(local("2026-11-26 07:30"))

    entered = asyncio.Event()

    class Hanging(Outlet):
        async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
            entered.set()
            await asyncio.Event().wait()
            return []

    task = asyncio.create_task(ReminderSender(db, knowledge, Hanging(), clock=clock).run_once())
    await entered.wait()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    await sweep(dispatcher, clock, local("2026-11-26 23:59"), timedelta(minutes=5))
    assert outlet.attempts == []
    await db.close()


async def test_many_people_due_at_once_each_get_one(store, knowledge):
    _, db, clock = store
    for user_id in range(1, 451):
        await add_reminder(db, clock, user_id, "07:30", "Europe/London")
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock, batch=100)
    clock.set(local("2026-11-26 07:30"))
    stats = await dispatcher.run_once()
    assert stats.sent == 450
    assert sorted(chat for chat, _ in outlet.sent) == list(range(1, 451))
    assert (await dispatcher.run_once()).sent == 0


# -- the staff outbox -------------------------------------------------------------------------


async def save_lead(
    db: Database, clock: Clock, user_id: int = ANN.id, code: str = "FC-7K3QX"
) -> None:
    """Store a confirmed request and its outbox row, as the coach's SaveLead effect does."""
    async with db.transaction() as session:
        user = await users.load_user(session, user_id)
        await users.save_state(session, user, user_id, "{}", clock())
        details = LeadDetails(
            name="Ann Smith",
            phone="+447400123456",
            best_time="evening",
            note="after 6pm",
            symptoms=("tightness",),
            pain_score=6,
        )
        await leads.save(session, user_id, code, details, clock())


async def outbox_rows(db: Database) -> list[OutboxRow]:
    """Return every outbox row, oldest first."""
    from sqlalchemy import select

    async with db.transaction() as session:
        return list((await session.execute(select(OutboxRow).order_by(OutboxRow.id))).scalars())


def staff_texts(outlet: RecordingOutlet) -> list[str]:
    """Return the text of each new message sent to the staff chat."""
    return [r.text for r in outlet.to(STAFF) if isinstance(r, Say)]


async def test_a_request_reaches_staff_once_with_its_buttons(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    assert await outbox.run_once() == 1
    for _ in range(3):
        clock.advance(minutes=5)
        assert await outbox.run_once() == 0
    [message] = outlet.to(STAFF)
    assert isinstance(message, Say)
    assert "FC-7K3QX" in message.text and "+447400123456" in message.text
    assert "Sent again" not in message.text
    assert [c.token for c in message.choices] == ["s.contacted.FC-7K3QX", "s.closed.FC-7K3QX"]
    [row] = await outbox_rows(db)
    assert row.sent_at is not None and row.sent_message_id == outlet.next_id
    assert outlet.edits == []


async def test_without_a_staff_chat_requests_wait_in_the_outbox(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    assert await StaffOutbox(db, knowledge, outlet, None, clock=clock).run_once() == 0
    assert outlet.attempts == []
    [row] = await outbox_rows(db)
    assert row.sent_at is None
    # Once a staff chat is configured, the request is announced.
    assert await StaffOutbox(db, knowledge, outlet, STAFF, clock=clock).run_once() == 1


async def test_failed_staff_sends_are_retried_with_backoff(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet(failures=[NotDelivered("500"), NotDelivered("502"), NotDelivered("500")])
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    start = clock.now
    tried_at = []
    while clock.now < start + timedelta(minutes=2) and not outlet.sent:
        before = len(outlet.attempts)
        await outbox.run_once()
        if len(outlet.attempts) > before:
            tried_at.append((clock.now - start).total_seconds())
        clock.advance(seconds=1)
    # 5 s, then 10 s, then 20 s between attempts.
    assert tried_at == [0, 5, 15, 35]
    [text] = staff_texts(outlet)
    # A definite failure delivered nothing: the one that arrived is not marked as a repeat.
    assert "Sent again" not in text


@pytest.mark.parametrize(
    "failures",
    [
        [MaybeDelivered("timed out")],
        # A later definite failure must not make the bot forget the earlier unknown outcome.
        [MaybeDelivered("timed out"), NotDelivered("500")],
    ],
    ids=["timeout", "timeout-then-500"],
)
async def test_a_staff_send_that_may_have_arrived_is_resent_marked(store, knowledge, failures):
    _, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet(failures=list(failures))
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    for _ in range(120):
        await outbox.run_once()
        clock.advance(seconds=1)
    [text] = staff_texts(outlet)
    assert text.startswith("(Sent again after a delivery problem: if you already have FC-7K3QX")


async def test_a_refused_first_send_is_retried_not_dropped(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock)
    # e.g. the bot lost the right to post in the staff group until an admin fixes it.
    outlet = Outlet(failures=[Rejected("Bad Request: not enough rights to send text messages")])
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    assert await outbox.run_once() == 0
    [row] = await outbox_rows(db)
    assert row.sent_at is None
    clock.advance(minutes=1)
    assert await outbox.run_once() == 1
    assert len(staff_texts(outlet)) == 1


async def test_updates_edit_the_staff_message(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    message_id = outlet.next_id
    desk = StaffDesk(db, (900,))
    clock.advance(minutes=10)
    marked = await desk.mark("FC-7K3QX", LeadStatus.contacted, "@nurse (900)", clock())
    assert marked is not None and marked.handled_by == "@nurse (900)"
    assert await outbox.run_once() == 1
    [(chat, edited_id, edit)] = outlet.edits
    assert (chat, edited_id) == (STAFF, message_id)
    assert "contacted by @nurse (900) at 2026-11-25 12:10 UTC" in edit.text
    assert [c.label for c in edit.choices] == ["Contacted", "Closed"]
    assert len(outlet.to(STAFF)) == 1  # an edit, never a second message

    await desk.mark("FC-7K3QX", LeadStatus.closed, "@nurse (900)", clock())
    await outbox.run_once()
    assert outlet.edits[-1][2].choices == ()  # closed: nothing left to press


async def test_withdrawing_edits_the_staff_message(store, knowledge):
    coach, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    [existing] = await coach.handle(ANN, CommandEvent(name="callback", args=""))
    assert isinstance(existing, Say) and existing.key == "callback_existing"
    withdraw = next(c.token for c in existing.choices if c.label == "Withdraw it")
    await press(coach, ANN, withdraw)
    assert await outbox.run_once() == 1
    [(_, _, edit)] = outlet.edits
    assert "FC-7K3QX" in edit.text and "withdrawn" in edit.text and edit.choices == ()


async def test_forget_turns_the_staff_message_into_a_note_without_personal_data(store, knowledge):
    coach, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    [ask] = await coach.handle(ANN, CommandEvent(name="forget", args=""))
    assert isinstance(ask, Say)
    await press(coach, ANN, ask.choices[0].token)
    assert await outbox.run_once() == 1
    [(_, _, edit)] = outlet.edits
    assert "FC-7K3QX" in edit.text and "withdrawn" in edit.text
    for personal in ("Ann", "+447400123456", "7400", "after 6pm", "evening"):
        assert personal not in edit.text
    assert edit.choices == ()


async def test_a_request_withdrawn_before_it_was_announced_is_sent_once_as_withdrawn(
    store, knowledge
):
    _, db, clock = store
    await save_lead(db, clock)
    async with db.transaction() as session:
        await leads.withdraw(session, ANN.id, "FC-7K3QX", clock())
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    clock.advance(minutes=5)
    await outbox.run_once()
    [text] = staff_texts(outlet)
    assert "withdrawn" in text
    assert all(row.sent_at is not None for row in await outbox_rows(db))


@pytest.mark.parametrize("crash", ["before the send", "after the send"])
async def test_a_lease_left_by_a_crash_is_resent_marked_as_a_repeat(
    knowledge, tmp_path, db_url, crash
):
    clock = Clock()
    _, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    await save_lead(db, clock)
    dying = Outlet(crash_before=crash == "before the send", crash_after=crash == "after the send")
    with pytest.raises(Crash):
        await StaffOutbox(db, knowledge, dying, STAFF, clock=clock).run_once()
    await db.close()

    _, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        outlet = Outlet()
        outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
        # The lease is still held: another worker may be sending it right now.
        clock.advance(seconds=STAFF_LEASE.total_seconds() - 1)
        assert await outbox.run_once() == 0
        clock.advance(seconds=1)
        assert await outbox.run_once() == 1
        clock.advance(minutes=10)
        assert await outbox.run_once() == 0
        [text] = staff_texts(outlet)
        assert text.startswith("(Sent again after a delivery problem")
        # Telegram got it once if the crash came before the send, twice (marked) if after.
        assert len(dying.sent) == (1 if crash == "after the send" else 0)
    finally:
        await db.close()


async def test_a_reminder_whose_exercise_left_the_knowledge_is_still_sent(store, knowledge):
    _, db, clock = store
    await add_reminder(db, clock, ANN.id, "07:30", "Europe/London")
    async with db.transaction() as session:
        user = await users.load_user(session, ANN.id)
        # A routine saved before a clinician renamed one of its exercises.
        state = '{"routine": ["standing_calf_stretch", "an_exercise_since_removed"]}'
        await users.save_state(session, user, ANN.id, state, clock())
    outlet = Outlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    clock.set(local("2026-11-26 07:30"))
    assert (await dispatcher.run_once()).sent == 1
    [reminder] = outlet.to(ANN.id)
    assert isinstance(reminder, Say) and "Standing calf stretch" in reminder.text


@dataclass
class Broken(Outlet):
    """An outlet that fails in a way nobody mapped, for some chats."""

    broken: frozenset[int] = frozenset()

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        if chat_id in self.broken:
            self.attempts.append(chat_id)
            raise RuntimeError("an error nobody expected")
        return await super().deliver(chat_id, replies)


async def test_an_unexpected_error_for_one_reminder_does_not_stop_the_others(store, knowledge):
    _, db, clock = store
    for user_id in (1, 2, 3):
        await add_reminder(db, clock, user_id, "07:30", "Europe/London")
    outlet = Broken(broken=frozenset({2}))
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock, batch=1)
    clock.set(local("2026-11-26 07:30"))
    stats = await dispatcher.run_once()
    assert sorted(chat for chat, _ in outlet.sent) == [1, 3]
    assert stats.failed == 1
    # At most once a day: the one that failed in an unknown way is not tried again today.
    await sweep(dispatcher, clock, local("2026-11-26 12:00"), timedelta(minutes=10))
    assert outlet.attempts.count(2) == 1


async def test_rows_skipped_in_a_batch_do_not_hide_due_ones_behind_them(store, knowledge):
    _, db, clock = store
    clock.set(local("2026-11-26 06:00"))
    for user_id in (1, 2, 3):
        await add_reminder(db, clock, user_id, "06:30", "Europe/London")
    await add_reminder(db, clock, 4, "07:30", "Europe/London")
    async with db.transaction() as session:
        for user_id in (1, 2, 3):
            reminder = await reminders.get(session, user_id)
            assert reminder is not None
            sent_today = reminder.model_copy(update={"last_day": local("2026-11-26 06:00").date()})
            await reminders.put(session, user_id, sent_today, clock())
    dispatcher = ReminderSender(db, knowledge, Outlet(), clock=clock, batch=2)
    clock.set(local("2026-11-26 07:30"))
    stats = await dispatcher.run_once()
    assert stats.sent == 1 and stats.claimed == [4]


async def test_an_unexpected_error_for_one_staff_message_does_not_stop_the_others(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock, user_id=1, code="FC-AAAA1")
    await save_lead(db, clock, user_id=2, code="FC-AAAA2")
    outlet = Broken(broken=frozenset({STAFF}))
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    assert await outbox.run_once() == 0
    assert outlet.attempts == [STAFF, STAFF]  # both tried, neither lost
    outlet.broken = frozenset()
    clock.advance(seconds=5)
    assert await outbox.run_once() == 2
    # Nobody knows whether the failed sends arrived, so what went out is marked.
    assert all(text.startswith("(Sent again") for text in staff_texts(outlet))


async def test_marking_a_request_withdrawn_meanwhile_marks_nothing(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    async with db.transaction() as session:
        await leads.withdraw(session, ANN.id, "FC-7K3QX", clock())
    desk = StaffDesk(db, (900,))
    # Pressed on the staff message before its edit arrived.
    assert await desk.mark("FC-7K3QX", LeadStatus.contacted, "@nurse (900)", clock()) is None
    found = await desk.find("FC-7K3QX")
    assert found is not None and found.status is LeadStatus.withdrawn and found.handled_by is None
    await outbox.run_once()
    assert "withdrawn" in outlet.edits[-1][2].text


async def test_staff_are_told_whether_the_details_of_a_withdrawn_request_remain(store, knowledge):
    coach, db, clock = store
    await save_lead(db, clock, user_id=1, code="FC-AAAA1")
    await save_lead(db, clock, user_id=ANN.id, code="FC-AAAA2")
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    async with db.transaction() as session:
        await leads.withdraw(session, 1, "FC-AAAA1", clock())
    await outbox.run_once()
    [(_, _, withdrawn)] = outlet.edits
    assert "withdrawn" in withdrawn.text and "deleted" not in withdrawn.text
    [ask] = await coach.handle(ANN, CommandEvent(name="forget", args=""))
    assert isinstance(ask, Say)
    await press(coach, ANN, ask.choices[0].token)
    await outbox.run_once()
    assert "deleted" in outlet.edits[-1][2].text


async def test_an_update_waits_behind_an_announcement_that_may_have_arrived(store, knowledge):
    _, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet(failures=[MaybeDelivered("timed out")])
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    assert await outbox.run_once() == 0
    # Staff got it after all and press Contacted before the retry is due.
    clock.advance(seconds=1)
    desk = StaffDesk(db, (900,))
    await desk.mark("FC-7K3QX", LeadStatus.contacted, "@nurse (900)", clock())
    assert await outbox.run_once() == 0  # not a second, unmarked announcement
    clock.advance(seconds=5)
    await outbox.run_once()
    [text] = staff_texts(outlet)
    assert text.startswith("(Sent again after a delivery problem")
    assert "contacted by @nurse (900)" in text
    assert all(row.sent_at is not None for row in await outbox_rows(db))


async def test_a_sign_told_after_the_request_goes_on_it_and_on_the_staff_message(store, knowledge):
    coach, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    clock.advance(minutes=10)
    replies = await coach.handle(ANN, TextEvent(text="my calf is swollen and hot after the flight"))
    assert [r.key for r in replies if isinstance(r, Say)] == [
        "callback_sign_added",
        "callback_sign_urgent",
        "warning",
    ]
    async with db.transaction() as session:
        lead = await leads.by_code(session, "FC-7K3QX")
    assert lead is not None and lead.status is LeadStatus.open
    assert lead.red_flags == ("dvt",)  # the calf swelling is the clot sign, not a second one
    # Everything else the person gave is kept as it was.
    assert (lead.name, lead.phone, lead.note, lead.symptoms) == (
        "Ann Smith",
        "+447400123456",
        "after 6pm",
        ("tightness",),
    )
    assert await outbox.run_once() == 1
    [(chat, _, edit)] = outlet.edits
    assert chat == STAFF and "WARNING SIGNS, URGENT (told to be seen today)" in edit.text
    # An edit makes no sound in Telegram: a short new message says that the request changed.
    _announcement, notice = staff_texts(outlet)
    assert "FC-7K3QX" in notice and "URGENT" in notice and "Ann Smith" not in notice
    clock.advance(minutes=5)
    assert await outbox.run_once() == 0
    assert len(outlet.to(STAFF)) == 2


async def test_a_request_staff_have_handled_is_left_as_it_was(store, knowledge):
    coach, db, clock = store
    await save_lead(db, clock)
    await StaffDesk(db, (900,)).mark("FC-7K3QX", LeadStatus.contacted, "@nurse (900)", clock())
    replies = await coach.handle(ANN, TextEvent(text="my toes are numb"))
    assert [r.key for r in replies if isinstance(r, Say)] == ["warning"]
    async with db.transaction() as session:
        lead = await leads.by_code(session, "FC-7K3QX")
    assert lead is not None and lead.red_flags == ()


async def test_a_new_signs_notice_that_failed_is_retried_and_said_once(store, knowledge):
    coach, db, clock = store
    await save_lead(db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    await coach.handle(ANN, TextEvent(text="my toes are numb"))
    deliver = outlet.deliver

    async def fail_once(chat_id: int, replies: Sequence[Reply]) -> list[int]:
        outlet.deliver = deliver  # type: ignore[method-assign]
        raise NotDelivered("502")

    outlet.deliver = fail_once  # type: ignore[method-assign]
    assert await outbox.run_once() == 0
    clock.advance(seconds=10)
    assert await outbox.run_once() == 1
    clock.advance(minutes=5)
    assert await outbox.run_once() == 0
    _announcement, notice = staff_texts(outlet)
    assert "FC-7K3QX" in notice and "Numbness or tingling" in notice
    assert len(outlet.edits) == 2  # the retry edits again (Telegram refuses it, harmlessly)
