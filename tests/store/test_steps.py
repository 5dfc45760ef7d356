"""One step, one transaction: state round trips, a crash leaves nothing half done, an update
id is applied once, and one person's steps never interleave, even from two processes."""

from __future__ import annotations

import asyncio
import random

import pytest
from sqlalchemy import func, select

from bot.app.coach import Coach, Person
from bot.core.dialogue import Engine
from bot.core.events import CommandEvent, Event, TextEvent
from bot.core.flows import callback
from bot.core.turn import EngineConfig
from bot.core.updates import UpdateKey
from bot.store import leads
from bot.store.db import Database
from bot.store.schema import InboxRow, LeadRow, OutboxRow, User
from tests.support import Clock, make_coach, reply_key

ANN = Person(id=42, first_name="Ann")
TO_REVIEW: list[Event] = [
    CommandEvent(name="callback"),
    TextEvent(text="yes"),
    TextEvent(text="Use Ann"),
    TextEvent(text="07400 123456"),
    TextEvent(text="Evening"),
    TextEvent(text="after 6pm please"),
]

BOT = 123456  # the bot whose updates these are


async def second_coach(knowledge, url: str, clock: Clock) -> tuple[Coach, Database]:
    """Another worker's coach: its own engine and pool on the same database."""
    db = Database(url)
    engine = Engine(knowledge, config=EngineConfig(default_phone_region="GB"))
    return Coach(engine, db, clock=clock, rng=random.Random(11)), db


async def count(db: Database, model: type) -> int:
    async with db.transaction() as session:
        return int(await session.scalar(select(func.count()).select_from(model)) or 0)


async def test_the_conversation_state_round_trips_through_the_store(knowledge, tmp_path, db_url):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        for event in TO_REVIEW:
            await coach.handle(ANN, event)
        state = await coach.state_of(ANN.id)
        assert state.step == callback.REVIEW
        draft = callback.DRAFT.get(state.model_copy(deep=True))
        assert draft is not None and draft.note == "after 6pm please"
        # A fresh coach (a restarted worker) reads the same state back.
        other, other_db = await second_coach(knowledge, db_url, clock)
        try:
            assert await other.state_of(ANN.id) == state
            assert not await other.is_new(ANN.id)
        finally:
            await other_db.close()
    finally:
        await db.close()


async def test_a_crash_in_the_middle_of_a_step_leaves_no_half_step(
    knowledge, tmp_path, db_url, monkeypatch
):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        for event in TO_REVIEW:
            await coach.handle(ANN, event)
        before = await coach.state_of(ANN.id)
        real_save = leads.save

        async def save_then_die(*args, **kwargs):
            await real_save(*args, **kwargs)  # the request and its outbox row are written...
            raise RuntimeError("the process dies here")  # ...and the step never finishes

        monkeypatch.setattr("bot.app.coach.leads.save", save_then_die)
        with pytest.raises(RuntimeError):
            await coach.handle(ANN, TextEvent(text="Confirm"), update=UpdateKey(BOT, 500))
        assert await coach.state_of(ANN.id) == before
        assert await count(db, LeadRow) == await count(db, OutboxRow) == 0
        assert await count(db, InboxRow) == 0  # not even marked as applied

        monkeypatch.setattr("bot.app.coach.leads.save", real_save)
        replies = await coach.handle(ANN, TextEvent(text="Confirm"), update=UpdateKey(BOT, 500))
        assert [reply_key(r) for r in replies] == ["callback_confirmed"]
        assert await count(db, LeadRow) == await count(db, OutboxRow) == 1
    finally:
        await db.close()


async def test_an_update_id_is_applied_once(knowledge, tmp_path, db_url):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        first = await coach.handle(ANN, CommandEvent(name="start"), update=UpdateKey(BOT, 7))
        assert [reply_key(r) for r in first] == ["greeting", "ask_what_bothers"]
        seq = (await coach.state_of(ANN.id)).seq
        assert await coach.handle(ANN, CommandEvent(name="start"), update=UpdateKey(BOT, 7)) == []
        assert (await coach.state_of(ANN.id)).seq == seq
        # Events without an update id (the terminal) are always applied.
        await coach.handle(ANN, CommandEvent(name="start"))
        assert (await coach.state_of(ANN.id)).seq == seq + 1
    finally:
        await db.close()


async def test_steps_of_one_person_from_two_workers_never_interleave(knowledge, tmp_path, db_url):
    """Each /start shows a fresh set of buttons, so the step counter counts applied steps: a
    lost update (two steps reading the same state) would leave it short."""
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    other, other_db = await second_coach(knowledge, db_url, clock)
    runs = 0
    real_once = Coach._handle_once

    async def counted(self, *args, **kwargs):
        nonlocal runs
        runs += 1
        return await real_once(self, *args, **kwargs)

    try:
        Coach._handle_once = counted  # type: ignore[method-assign]
        # A brand-new person (no row yet) writes to both workers at once, 20 times.
        await asyncio.gather(
            *(
                (coach if i % 2 else other).handle(
                    ANN, CommandEvent(name="start"), update=UpdateKey(BOT, i)
                )
                for i in range(20)
            )
        )
        assert (await coach.state_of(ANN.id)).seq == 20
        # No step had to be run again: the first two did not race to create the person.
        assert runs == 20
        assert await count(db, User) == 1
        assert await count(db, InboxRow) == 20
    finally:
        Coach._handle_once = real_once  # type: ignore[method-assign]
        await other_db.close()
        await db.close()
