"""Reminder rows: a person's reminder, read and written as `bot.core.reminders.Reminder`."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.reminders import Days, Reminder
from bot.store.rows import update_or_insert
from bot.store.schema import ReminderRow, User


def _value(row: ReminderRow) -> Reminder:
    return Reminder(
        at=time.fromisoformat(row.at_time),
        zone=row.zone,
        days=Days(row.days),
        paused=row.paused,
        next_due=row.next_due,
        snooze_due=row.snooze_due,
        last_day=row.last_day,
        attempts=row.attempts,
        second_at=time.fromisoformat(row.second_at) if row.second_at else None,
        second_next_due=row.second_next_due,
        second_last_day=row.second_last_day,
        follow_up_due=row.follow_up_due,
        answered_day=row.answered_day,
        review_day=row.review_day,
        starts_on=row.starts_on,
    )


async def get(session: AsyncSession, user_id: int, *, lock: bool = False) -> Reminder | None:
    """Return the person's reminder, if any, locked for this transaction if asked."""
    row = await session.get(ReminderRow, user_id, with_for_update=lock or None)
    return _value(row) if row is not None else None


async def put(session: AsyncSession, user_id: int, reminder: Reminder, now: datetime) -> None:
    """Create or replace the person's reminder."""
    await update_or_insert(
        session,
        ReminderRow,
        {"user_id": user_id},
        _columns(reminder, now),
        on_insert={"created_at": now},
    )


async def put_existing(
    session: AsyncSession, changed: Sequence[tuple[int, Reminder]], now: datetime
) -> None:
    """Write reminders whose rows exist (locked in this transaction), in one statement.

    The dispatcher moves on a whole batch of due reminders at once: `put` for each read its
    row again (the rows `lock_due` loaded are gone from the session by then, held weakly)
    and wrote it, two statements a reminder and a quarter of a fan-out's CPU.
    """
    if changed:
        rows = [{"user_id": user_id, **_columns(r, now)} for user_id, r in changed]
        await session.execute(update(ReminderRow), rows)


def _columns(reminder: Reminder, now: datetime) -> dict[str, object]:
    """Return a reminder's row as column values (all but its person and creation time)."""
    return {
        "at_time": reminder.at.strftime("%H:%M"),
        "zone": reminder.zone,
        "days": reminder.days.value,
        "paused": reminder.paused,
        "next_due": reminder.next_due,
        "snooze_due": reminder.snooze_due,
        "last_day": reminder.last_day,
        "attempts": reminder.attempts,
        "second_at": reminder.second_at.strftime("%H:%M") if reminder.second_at else None,
        "second_next_due": reminder.second_next_due,
        "second_last_day": reminder.second_last_day,
        "follow_up_due": reminder.follow_up_due,
        "answered_day": reminder.answered_day,
        "review_day": reminder.review_day,
        "starts_on": reminder.starts_on,
        "updated_at": now,
    }


async def remove(session: AsyncSession, user_id: int) -> None:
    """Delete the person's reminder."""
    await session.execute(delete(ReminderRow).where(ReminderRow.user_id == user_id))


def is_due(now: datetime) -> ColumnElement[bool]:
    """Return the condition of a reminder with a send due by `now` (any of its four kinds)."""
    return ReminderRow.paused.is_(False) & or_(
        ReminderRow.next_due <= now,
        ReminderRow.snooze_due <= now,
        ReminderRow.second_next_due <= now,
        ReminderRow.follow_up_due <= now,
    )


async def lock_due(
    session: AsyncSession,
    now: datetime,
    limit: int,
    *,
    skip_locked: bool,
    only_user: int | None = None,
) -> Sequence[tuple[int, Reminder, str]]:
    """Select (and lock, where the database can) due reminders with their person's state."""
    query = (
        select(ReminderRow, User.state)
        .join(User, User.id == ReminderRow.user_id)
        .where(is_due(now))
        .order_by(ReminderRow.next_due)
        .limit(limit)
    )
    if only_user is not None:
        query = query.where(ReminderRow.user_id == only_user)
    if skip_locked:
        query = query.with_for_update(of=ReminderRow, skip_locked=True)
    result = await session.execute(query)
    return [(row.user_id, _value(row), state) for row, state in result.tuples()]
