"""A request and its staff message commit together or not at all; /forget leaves no trace."""

from __future__ import annotations

import pytest
from sqlalchemy import inspect, select, text

from bot.app.coach import Person
from bot.core.events import CommandEvent, TextEvent
from bot.core.leads import LeadDetails
from bot.core.staff import CSV_COLUMNS, csv_row, lead_line, staff_message
from bot.core.updates import UpdateKey
from bot.store import leads, privacy
from bot.store.schema import LeadRow, OutboxRow
from tests.support import Clock, make_coach, reply_key, text_of

ANN = Person(id=4242, first_name="Ann")
DETAILS = LeadDetails(name="Ann", phone="+447400123456", best_time="evening")

BOT = 123456  # the bot whose updates these are


async def test_a_request_and_its_staff_message_commit_together(knowledge, tmp_path, db_url):
    clock = Clock()
    _, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        with pytest.raises(RuntimeError):
            async with db.transaction() as session:
                await leads.save(session, ANN.id, "FC-ABCDE", DETAILS, clock())
                raise RuntimeError("rolled back after the writes")
        async with db.transaction() as session:
            assert (await session.execute(select(LeadRow))).first() is None
            assert (await session.execute(select(OutboxRow))).first() is None
        async with db.transaction() as session:
            await leads.save(session, ANN.id, "FC-ABCDE", DETAILS, clock())
        async with db.transaction() as session:
            [lead] = (await session.execute(select(LeadRow))).scalars()
            [queued] = (await session.execute(select(OutboxRow))).scalars()
            assert queued.lead_code == lead.code == "FC-ABCDE" and queued.sent_at is None
    finally:
        await db.close()


async def test_forget_leaves_no_row_that_names_the_person(knowledge, tmp_path, db_url):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    update_id = 100

    async def say(event):
        nonlocal update_id
        update_id += 1
        return await coach.handle(ANN, event, update=UpdateKey(BOT, update_id))

    try:
        for event in [
            CommandEvent(name="reminder", args="7:30"),
            TextEvent(text="London"),
            TextEvent(text="Yes"),
            TextEvent(text="Every day"),
            CommandEvent(name="checkin", args="5"),
            CommandEvent(name="rate"),
            TextEvent(text="walking the dog"),
            TextEvent(text="6"),
            CommandEvent(name="callback"),
            TextEvent(text="yes"),
            TextEvent(text="Use Ann"),
            TextEvent(text="07400 123456"),
            TextEvent(text="Evening"),
            TextEvent(text="Skip"),
            TextEvent(text="Confirm"),
        ]:
            await say(event)
        before = await _rows_naming(db, ANN.id)
        assert {"checkins.user_id", "function_scores.user_id", "users.first_name"} <= set(before)
        await say(CommandEvent(name="forget"))
        replies = await say(TextEvent(text="Yes, delete everything"))
        assert [reply_key(r) for r in replies][:1] == ["forgotten"]
        assert await _rows_naming(db, ANN.id) == []
        # The ids of applied updates stay (unlinked), so a resent /forget is still ignored.
        assert await say_again(coach, update_id) == []
    finally:
        await db.close()


async def say_again(coach, update_id: int):
    return await coach.handle(
        ANN, TextEvent(text="Yes, delete everything"), update=UpdateKey(BOT, update_id)
    )


async def _rows_naming(db, person_id: int) -> list[str]:
    """Every (table, column) holding the person's id, name or phone number."""
    found: list[str] = []
    async with db.engine.connect() as conn:
        tables = await conn.run_sync(lambda c: inspect(c).get_table_names())
        for table in tables:
            columns = await conn.run_sync(lambda c, t=table: inspect(c).get_columns(t))
            for column in columns:
                name = column["name"]
                rows = await conn.execute(text(f'SELECT "{name}" FROM "{table}"'))
                for (value,) in rows:
                    if value == person_id or (
                        isinstance(value, str) and ("Ann" in value or "7400" in value)
                    ):
                        found.append(f"{table}.{name}")
    return sorted(set(found))


async def test_a_request_carries_the_known_conditions_to_staff(knowledge, tmp_path, db_url):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        for message in [
            "/start",
            "I'm diabetic and my calves are tight",
            "3",
            "Numb or tingling",  # the screen's choice, typed
            "Talk to a professional",
            "yes",
            "Sam",
            "+44 7911 123456",
            "any time",
            "skip",
            "confirm",
        ]:
            if message == "/start":
                replies = await coach.handle(ANN, CommandEvent(name="start", args=""))
            else:
                replies = await coach.handle(ANN, TextEvent(text=message))
            if reply_key(replies[0]) == "callback_consent":
                # What is shared is what the person agrees to: the condition too.
                assert "diabetes" in text_of(replies[0])
        # Diabetes with numbness is a diabetic foot: the confirmation speaks of today.
        assert [reply_key(r) for r in replies][:1] == ["callback_confirmed_urgent"]
        async with db.transaction() as session:
            [lead] = await leads.listing(session, active_only=True)
            export = await privacy.export(session, ANN.id)
        assert lead.red_flags == ("diabetic_foot", "numbness")
        assert lead.conditions == ("diabetes",)
        # A column of its own at the end: the documented ones keep their names and places.
        assert CSV_COLUMNS[-1] == "conditions" and csv_row(lead)[-1] == "diabetes"
        row = dict(zip(CSV_COLUMNS, csv_row(lead), strict=True))
        assert row["red_flags"] == "diabetic_foot numbness"
        label = knowledge.conditions["diabetes"].label
        assert label in staff_message(knowledge, lead).text
        assert "diabetes" in lead_line(knowledge, lead)
        assert export["callback_requests"][0]["conditions"] == ["diabetes"]

        await coach.handle(ANN, CommandEvent(name="forget", args=""))
        await coach.handle(ANN, TextEvent(text="Yes, delete everything"))
        async with db.transaction() as session:
            [forgotten] = await leads.listing(session, active_only=False)
        assert forgotten.conditions == ()  # health data goes with the name
    finally:
        await db.close()
