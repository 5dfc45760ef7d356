"""Reminder rows: saved settings, when each is next due, and claiming the due ones."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from sqlalchemy import delete, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.schedule import Days
from bot.core.turn import ReminderInfo
from bot.store.schema import Reminder, User


def info_of(row: Reminder) -> ReminderInfo:
    """Return what the core needs to know of a reminder row."""
    return ReminderInfo(
        at=time.fromisoformat(row.at_time),
        zone=row.zone,
        days=Days(row.days),
        paused=row.paused,
        next_due=row.next_due,
        last_day=row.last_day,
    )


async def get(session: AsyncSession, user_id: int, *, lock: bool = False) -> Reminder | None:
    """Return the person's reminder row, if any, locked for this transaction if asked."""
    return await session.get(Reminder, user_id, with_for_update=lock or None)


async def upsert(
    session: AsyncSession,
    user_id: int,
    *,
    at: time,
    zone: str,
    days: Days,
    next_due: datetime,
    now: datetime,
) -> Reminder:
    """Create or replace the person's reminder; it is due next at `next_due`."""
    row = await session.get(Reminder, user_id)
    if row is None:
        row = Reminder(user_id=user_id, created_at=now, last_day=None)
        session.add(row)
    row.at_time = at.strftime("%H:%M")
    row.zone = zone
    row.days = days.value
    row.paused = False
    row.next_due = next_due
    row.snooze_due = None
    row.attempts = 0
    row.updated_at = now
    await session.flush()
    return row


async def remove(session: AsyncSession, user_id: int) -> None:
    """Delete the person's reminder."""
    await session.execute(delete(Reminder).where(Reminder.user_id == user_id))


async def lock_due(
    session: AsyncSession,
    now: datetime,
    limit: int,
    *,
    skip_locked: bool,
    only_user: int | None = None,
) -> Sequence[tuple[Reminder, str]]:
    """Select (and lock, where the database can) due reminders with their person's state."""
    query = (
        select(Reminder, User.state)
        .join(User, User.id == Reminder.user_id)
        .where(
            Reminder.paused.is_(False),
            or_(Reminder.next_due <= now, Reminder.snooze_due <= now),
        )
        .order_by(Reminder.next_due)
        .limit(limit)
    )
    if only_user is not None:
        query = query.where(Reminder.user_id == only_user)
    if skip_locked:
        query = query.with_for_update(of=Reminder, skip_locked=True)
    result = await session.execute(query)
    return [(row, state) for row, state in result.tuples()]
