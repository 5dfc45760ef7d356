"""Data that expires, on the store (SQLite, and PostgreSQL when configured), with a clock the
test moves: the notice a week before, the erasure, the person who comes back, old requests."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Boolean, Date, Float, Integer, String, Text, insert, select
from sqlalchemy.sql.schema import Column

from bot.app.coach import Coach, Person
from bot.app.outlet import MaybeDelivered, NotDelivered
from bot.app.retention import Retention
from bot.core.events import CommandEvent, GuideEndedEvent, TextEvent
from bot.core.leads import LeadDetails, LeadStatus
from bot.core.retention import RetentionPolicy
from bot.core.updates import UpdateKey, numbering_since
from bot.store import Database, inbox, leads, privacy
from bot.store.schema import Base, LeadRow, OutboxRow, User, UTCDateTime
from tests.support import Clock, RecordingOutlet, make_coach, text_of

ANN = Person(id=4242, first_name="Ann")
POLICY = RetentionPolicy(days=365, lead_days=730)
# 11:00 in London in winter: a decent hour for the notice.
START = datetime(2026, 12, 9, 11, 0, tzinfo=UTC)


BOT = 123456  # the bot's id, the number before the token's colon


def _retention(db: Database, coach: Coach, outlet: RecordingOutlet, clock: Clock) -> Retention:
    return Retention(db, coach.engine.knowledge, outlet, POLICY, clock=clock)


async def _say(coach: Coach, text: str, person: Person = ANN) -> None:
    await coach.handle(person, TextEvent(text=text))


async def _user(db: Database, user_id: int) -> User | None:
    async with db.transaction() as session:
        return await session.get(User, user_id)


async def test_a_quiet_person_is_told_a_week_before_and_then_erased_once(
    knowledge, tmp_path, db_url, caplog
):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    retention = _retention(db, coach, outlet, clock)
    try:
        await coach.handle(ANN, CommandEvent(name="checkin", args="4"))
        await coach.handle(ANN, CommandEvent(name="rate"))  # with the weekly function score
        await _say(coach, "walking the dog")
        await _say(coach, "6")
        clock.advance(days=358, seconds=-1)
        await retention.run_once()
        assert outlet.sent == []  # a second short of a week before: nothing yet

        clock.advance(seconds=1)
        stats = await retention.run_once()
        assert stats.noticed == 1
        [(chat, notice)] = outlet.sent
        assert chat == ANN.id
        assert "on 9 December 2027 unless you say hi" in text_of(notice)
        # Told once: later runs of this and the next days send nothing more.
        for _ in range(3):
            clock.advance(days=2)
            await retention.run_once()
        assert len(outlet.sent) == 1 and (await _user(db, ANN.id)) is not None

        clock.set(START + timedelta(days=365))
        with caplog.at_level(logging.INFO):
            stats = await retention.run_once()
        assert stats.erased == 1
        assert await _user(db, ANN.id) is None
        async with db.transaction() as session:
            assert await privacy.export(session, ANN.id) == _nothing_about(ANN.id)
        assert f"erased user {ANN.id}" in caplog.text
        assert "Ann" not in caplog.text and "walking" not in caplog.text

        # Once: the next run finds nobody, and the person is not told again.
        clock.advance(days=1)
        assert await retention.run_once() == type(stats)()
        assert len(outlet.sent) == 1
    finally:
        await db.close()


async def test_a_person_who_comes_back_in_the_last_week_keeps_everything(
    knowledge, tmp_path, db_url
):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    retention = _retention(db, coach, outlet, clock)
    try:
        await coach.handle(ANN, CommandEvent(name="checkin", args="4"))
        clock.advance(days=358)
        await retention.run_once()
        assert len(outlet.sent) == 1
        async with db.transaction() as session:
            told = await privacy.export(session, ANN.id)
        assert told["last_seen_utc"] == START.isoformat()
        assert told["erased_after_utc"] == (START + timedelta(days=365)).isoformat()

        clock.advance(days=6, hours=23)  # an hour before the date
        await _say(coach, "hi")
        back = clock()
        clock.set(START + timedelta(days=366))
        stats = await retention.run_once()
        assert stats.erased == 0 and len(outlet.sent) == 1
        async with db.transaction() as session:
            kept = await privacy.export(session, ANN.id)
        assert [c["pain_score"] for c in kept["checkins"]] == [4]
        assert kept["erased_after_utc"] is None

        # A new notice only once they are quiet for RETENTION_DAYS - 7 again.
        clock.set(back + timedelta(days=358, seconds=-1))
        await retention.run_once()
        assert len(outlet.sent) == 1
        clock.set(back + timedelta(days=358))
        await retention.run_once()
        assert len(outlet.sent) == 2
        assert "on 8 December 2028" in text_of(outlet.sent[-1][1])
    finally:
        await db.close()


async def test_the_notice_waits_for_daytime_where_the_person_is(knowledge, tmp_path, db_url):
    clock = Clock(datetime(2026, 12, 9, 23, 0, tzinfo=UTC))
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    retention = _retention(db, coach, outlet, clock)
    tokyo = Person(id=77)
    try:
        await coach.handle(tokyo, CommandEvent(name="reminder", args="7:30"))
        await _say(coach, "Tokyo", tokyo)
        await _say(coach, "yes", tokyo)
        await _say(coach, "every day", tokyo)
        # 358 days later it is 08:00 in Tokyo: too early.
        clock.advance(days=358)
        stats = await retention.run_once()
        assert (stats.noticed, stats.deferred) == (0, 1)
        clock.set(datetime(2027, 12, 3, 0, 59, tzinfo=UTC))  # 09:59 in Tokyo
        await retention.run_once()
        assert outlet.sent == []
        clock.set(datetime(2027, 12, 3, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
        await retention.run_once()
        [(_, notice)] = outlet.sent
        # The date promised is a year after they were last seen, as Tokyo counts days.
        assert "on 10 December 2027" in text_of(notice)
    finally:
        await db.close()


async def test_a_notice_that_did_not_go_is_tried_again_one_that_may_have_is_not(
    knowledge, tmp_path, db_url
):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    retention = _retention(db, coach, outlet, clock)
    bob = Person(id=5151)
    try:
        await _say(coach, "hello")
        await _say(coach, "hello", bob)
        clock.advance(days=358)
        outlet.failures = [NotDelivered("503"), NotDelivered("503")]
        stats = await retention.run_once()
        assert (stats.noticed, stats.retried) == (0, 2)
        clock.advance(minutes=59)
        await retention.run_once()
        assert outlet.sent == []
        clock.advance(minutes=1)
        outlet.failures = [MaybeDelivered("timeout")]
        stats = await retention.run_once()
        assert (stats.noticed, stats.failed) == (1, 1)
        clock.advance(days=1)
        await retention.run_once()
        assert len(outlet.sent) == 1  # the timed-out one is not sent again
        # The notice that went an hour late promises a full week from then.
        [(told, _)] = outlet.sent
        user = await _user(db, told)
        sent_at = START + timedelta(days=358, hours=1)
        assert user is not None and user.expiry_due_at == sent_at + timedelta(days=7)
    finally:
        await db.close()


async def test_several_workers_tell_and_erase_each_person_once(knowledge, tmp_path, db_url):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    people = [Person(id=20_000 + n) for n in range(60)]
    try:
        for person in people:
            await _say(coach, "hello", person)
        clock.advance(days=358)
        databases = [Database(db_url) for _ in range(3)]
        outlets = [RecordingOutlet() for _ in databases]
        workers = [
            Retention(other, knowledge, outlet, POLICY, clock=clock, batch=7)
            for other, outlet in zip(databases, outlets, strict=True)
        ]
        try:
            await asyncio.gather(*(w.run_once() for w in workers))
            told = sorted(chat for outlet in outlets for chat, _ in outlet.sent)
            assert told == [p.id for p in people]
            clock.advance(days=7)
            results = await asyncio.gather(*(w.run_once() for w in workers))
            assert sum(r.erased for r in results) == len(people)
        finally:
            for other in databases:
                await other.close()
        async with db.transaction() as session:
            assert (await session.execute(select(User.id))).first() is None
    finally:
        await db.close()


async def test_a_guide_ending_is_not_the_person_coming_back(knowledge, tmp_path, db_url):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        await _say(coach, "hello")
        clock.advance(days=3)
        await coach.handle(ANN, GuideEndedEvent(stamp="x"))
        user = await _user(db, ANN.id)
        assert user is not None and user.last_seen_at == START
        await coach.handle(ANN, CommandEvent(name="help"))
        user = await _user(db, ANN.id)
        assert user is not None and user.last_seen_at == clock()
    finally:
        await db.close()


async def test_closed_requests_are_deleted_after_their_period_open_ones_never(
    knowledge, tmp_path, db_url
):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    retention = _retention(db, coach, outlet, clock)
    details = LeadDetails(name="Ann", phone="+447400123456", best_time="evening")
    try:
        async with db.transaction() as session:
            for code in ("FC-CLOSE", "FC-OPEN1", "FC-WITHD", "FC-LATER"):
                await leads.save(session, ANN.id, code, details, clock())
            await leads.mark(session, "FC-CLOSE", LeadStatus.closed, "Dr Lee", clock())
            await leads.withdraw(session, ANN.id, "FC-WITHD", clock())
        clock.advance(days=10)
        async with db.transaction() as session:
            await leads.mark(session, "FC-LATER", LeadStatus.closed, "Dr Lee", clock())
        clock.set(START + timedelta(days=730, seconds=-1))
        assert (await retention.run_once()).leads_deleted == 0
        clock.set(START + timedelta(days=730))
        assert (await retention.run_once()).leads_deleted == 2
        assert await _codes(db) == (["FC-LATER", "FC-OPEN1"], ["FC-LATER", "FC-OPEN1"])
        clock.advance(days=10)
        assert (await retention.run_once()).leads_deleted == 1
        assert await _codes(db) == (["FC-OPEN1"], ["FC-OPEN1"])
    finally:
        await db.close()


async def _codes(db: Database) -> tuple[list[str], list[str]]:
    """The codes of the stored requests, and of the staff message rows."""
    async with db.transaction() as session:
        lead_codes = (await session.execute(select(LeadRow.code))).scalars()
        outbox_codes = (await session.execute(select(OutboxRow.lead_code))).scalars()
        return sorted(lead_codes), sorted(set(outbox_codes))


# -- forget covers every table that holds a user id ---------------------------------------------


def _holds_a_user_id(column: Column[Any]) -> bool:
    """Say whether a column names a person: `user_id`, users' key, or a key into users."""
    if column.table.name == "users" and column.name == "id":
        return True
    return column.name.endswith("user_id") or any(
        fk.column.table.name == "users" for fk in column.foreign_keys
    )


def _value_for(column: Column[Any], person: int, now: datetime) -> Any:
    """A value of the column's type (the person's id where it names a person)."""
    if _holds_a_user_id(column):
        return person
    kind = column.type
    if isinstance(kind, UTCDateTime):
        return now
    if isinstance(kind, Date):
        return date(2026, 12, 9)
    if isinstance(kind, Boolean):
        return False
    if isinstance(kind, Integer):
        return person if column.primary_key else 1  # a key of its own for each person
    if isinstance(kind, Float):
        return 1.0
    if isinstance(kind, String | Text):
        return {"state": "{}", "symptoms": "[]", "red_flags": "[]", "status": "open"}.get(
            column.name, "Ann"
        )
    raise AssertionError(f"no test value for {column.table.name}.{column.name} ({kind!r})")


async def _fill_every_table(db: Database, person: int, now: datetime) -> set[str]:
    """Write one row naming the person in every table that has a column for them."""
    naming: set[str] = set()
    async with db.engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            columns = [c for c in table.columns if not (c.primary_key and c.autoincrement is True)]
            if not any(_holds_a_user_id(c) for c in columns):
                continue
            naming.add(table.name)
            row = {c.name: _value_for(c, person, now) for c in columns}
            if table.name == "leads":
                row["code"] = f"FC-{person}"
            await conn.execute(insert(table), row)
    return naming


async def _tables_naming(db: Database, person: int) -> list[str]:
    found = []
    async with db.engine.connect() as conn:
        for table in Base.metadata.sorted_tables:
            for column in table.columns:
                if _holds_a_user_id(column):
                    hit = await conn.execute(select(column).where(column == person).limit(1))
                    if hit.first() is not None:
                        found.append(f"{table.name}.{column.name}")
    return found


async def test_forget_and_expiry_erase_every_table_that_holds_a_user_id(
    knowledge, tmp_path, db_url
):
    """Fails when a new table with a person's id is added and `privacy.forget` misses it."""
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        naming = await _fill_every_table(db, ANN.id, clock())
        # Every table of today's schema that names a person (a new one adds itself here).
        assert {"users", "reminders", "checkins", "leads", "inbox", "guides", "feedback"} <= naming
        assert {"function_scores", "level_changes"} <= naming
        assert len(await _tables_naming(db, ANN.id)) == len(naming)
        async with db.transaction() as session:
            await privacy.forget(session, ANN.id, clock())
        assert await _tables_naming(db, ANN.id) == []

        # The expiry erases through the same function: the same tables, left as empty.
        bob = 5151
        await _fill_every_table(db, bob, clock())
        async with db.transaction() as session:
            user = await session.get(User, bob)
            assert user is not None
            user.last_seen_at = clock()
            user.expiry_noticed_at = user.expiry_due_at = None
        clock.advance(days=358)
        retention = _retention(db, coach, RecordingOutlet(), clock)
        await retention.run_once()
        clock.advance(days=7)
        assert (await retention.run_once()).erased == 1
        assert await _tables_naming(db, bob) == []
    finally:
        await db.close()


def _nothing_about(user_id: int) -> dict[str, Any]:
    return {
        "user_id": user_id,
        "first_seen": None,
        "first_name": None,
        "last_seen_utc": None,
        "erased_after_utc": None,
        "conversation": None,
        "reminder": None,
        "checkins": [],
        "level_changes": [],
        "function_scores": [],
        "how_moves_felt": [],
        "callback_requests": [],
    }


async def test_an_update_received_and_not_yet_applied_holds_the_erasure(
    knowledge, tmp_path, db_url
):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    retention = _retention(db, coach, outlet, clock)
    try:
        await coach.handle(ANN, TextEvent(text="hello"), update=UpdateKey(BOT, 1))
        clock.advance(days=358)
        await retention.run_once()
        clock.advance(days=7)
        # The webhook stored their "hi" a moment before the date; no worker has applied it yet.
        async with db.transaction() as session:
            await inbox.record(
                session, UpdateKey(BOT, 2), ANN.id, "{}", clock(), numbering_since(clock())
            )
        stats = await retention.run_once()
        assert (stats.erased, stats.busy) == (0, 1)
        await coach.handle(ANN, TextEvent(text="hi"), update=UpdateKey(BOT, 2))
        clock.advance(days=1)
        assert (await retention.run_once()).erased == 0
        user = await _user(db, ANN.id)
        assert user is not None and user.expiry_noticed_at is None
    finally:
        await db.close()


async def test_a_longer_retention_set_after_the_notice_means_a_new_notice(
    knowledge, tmp_path, db_url
):
    clock = Clock(START)
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    try:
        await _say(coach, "hello")
        clock.advance(days=358)
        await _retention(db, coach, outlet, clock).run_once()
        # RETENTION_DAYS went from 365 to 400 before the date: nobody is erased on the date
        # told, and the person is told the new date a week before it.
        longer = Retention(db, knowledge, outlet, RetentionPolicy(days=400), clock=clock)
        clock.set(START + timedelta(days=365))
        assert (await longer.run_once()).erased == 0
        clock.set(START + timedelta(days=393))
        await longer.run_once()
        assert len(outlet.sent) == 2
        assert "on 13 January 2028" in text_of(outlet.sent[-1][1])
        clock.set(START + timedelta(days=400))
        assert (await longer.run_once()).erased == 1
    finally:
        await db.close()
