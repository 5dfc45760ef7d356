"""Reminders and staff messages claimed by several workers at once are each sent once.

Each worker is a separate Database (its own pool and connections), as separate processes are;
on PostgreSQL the claims rely on SELECT ... FOR UPDATE SKIP LOCKED, on SQLite on its single
writer. The outlet sends nothing until two workers are sending at once, so their claims
surely overlap.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import time, timedelta

from bot.app.reminder_sender import ReminderSender
from bot.app.staff_outbox import StaffOutbox
from bot.core.leads import LeadDetails
from bot.core.reminders import Days, Reminder
from bot.core.replies import Reply, Say
from bot.store import leads, outbox, reminders, users
from bot.store.db import Database
from tests.support import Clock, RecordingOutlet, make_coach

STAFF = -100777
PEOPLE = range(1000, 1060)


@dataclass
class OverlappingOutlet(RecordingOutlet):
    """One Telegram for every worker, which holds each send until two workers are sending."""

    sending: set[int] = field(default_factory=set)
    overlap: asyncio.Event = field(default_factory=asyncio.Event)

    def of(self, worker: int) -> WorkerOutlet:
        """Return the outlet one worker sends through."""
        return WorkerOutlet(self, worker)


@dataclass
class WorkerOutlet:
    """A worker's way to the shared outlet."""

    shared: OverlappingOutlet
    worker: int

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        self.shared.sending.add(self.worker)
        if len(self.shared.sending) >= 2:
            self.shared.overlap.set()
        await self.shared.overlap.wait()
        return await self.shared.deliver(chat_id, replies)

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        await self.shared.edit(chat_id, message_id, reply)

    async def delete(self, chat_id: int, message_id: int) -> None:
        await self.shared.delete(chat_id, message_id)


async def workers(knowledge, tmp_path, db_url, clock: Clock, n: int = 3) -> list[Database]:
    _, first = await make_coach(knowledge, tmp_path, clock, url=db_url)
    return [first, *(Database(db_url) for _ in range(n - 1))]


async def test_due_reminders_are_sent_once_however_many_workers_claim(knowledge, tmp_path, db_url):
    clock = Clock()
    dbs = await workers(knowledge, tmp_path, db_url, clock)
    try:
        async with dbs[0].transaction() as session:
            for person in PEOPLE:
                await users.save_state(session, None, person, "{}", clock())
                await reminders.put(
                    session,
                    person,
                    Reminder(
                        at=time(8, 59),
                        zone="UTC",
                        days=Days.daily,
                        next_due=clock() - timedelta(minutes=1),
                    ),
                    clock(),
                )
        outlet = OverlappingOutlet()
        dispatchers = [
            ReminderSender(db, knowledge, outlet.of(i), clock=clock, batch=7)
            for i, db in enumerate(dbs)
        ]
        runs = await asyncio.wait_for(asyncio.gather(*(d.run_once() for d in dispatchers)), 60)
        sent = Counter(chat for chat, _ in outlet.sent)
        assert sent == Counter({person: 1 for person in PEOPLE})
        assert all(
            isinstance(reply, Say) and reply.key == "reminder_due" for _, reply in outlet.sent
        )
        # More than one worker took a share, so the claims did overlap.
        assert sum(1 for run in runs if run.sent) >= 2
        # And nothing is due again the same day.
        again = await asyncio.gather(*(d.run_once() for d in dispatchers))
        assert sum(run.sent for run in again) == 0
    finally:
        for db in dbs:
            await db.close()


async def test_staff_messages_are_sent_once_however_many_workers_claim(knowledge, tmp_path, db_url):
    clock = Clock()
    dbs = await workers(knowledge, tmp_path, db_url, clock)
    try:
        codes = [f"FC-{i:05d}" for i in range(30)]
        async with dbs[0].transaction() as session:
            for i, code in enumerate(codes):
                details = LeadDetails(
                    name=f"Person {i}",
                    phone="+447400123456",
                    best_time="evening",
                    symptoms=("tightness",),
                    pain_score=4,
                )
                await leads.save(session, 2000 + i, code, details, clock())
        outlet = OverlappingOutlet()
        senders = [
            StaffOutbox(db, knowledge, outlet.of(i), STAFF, clock=clock, batch=4)
            for i, db in enumerate(dbs)
        ]
        delivered = 0
        for _ in range(10):
            delivered += sum(await asyncio.gather(*(s.run_once() for s in senders)))
        assert delivered == len(codes)
        texts = [
            reply.text for chat, reply in outlet.sent if chat == STAFF and isinstance(reply, Say)
        ]
        per_code = Counter(code for text in texts for code in codes if code in text)
        assert per_code == Counter({code: 1 for code in codes})
        async with dbs[0].transaction() as session:
            assert await outbox.pending_count(session) == 0
    finally:
        for db in dbs:
            await db.close()


async def test_a_batch_of_reminders_is_written_as_put_writes_each(knowledge, tmp_path, db_url):
    clock = Clock()
    _, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    first = Reminder(at=time(7, 30), zone="UTC", days=Days.daily, next_due=clock())
    try:
        async with db.transaction() as session:
            for person in (1, 2, 3):
                await users.save_state(session, None, person, "{}", clock())
                await reminders.put(session, person, first, clock())
        later = clock() + timedelta(hours=1)
        moved = {
            1: first.model_copy(update={"next_due": later, "last_day": clock().date()}),
            2: first.model_copy(update={"paused": True, "attempts": 2, "second_at": time(19)}),
        }
        async with db.transaction() as session:
            await reminders.put_existing(session, list(moved.items()), later)
        async with db.transaction() as session:
            for person, expected in moved.items():
                assert await reminders.get(session, person) == expected
            assert await reminders.get(session, 3) == first  # not in the batch
    finally:
        await db.close()
