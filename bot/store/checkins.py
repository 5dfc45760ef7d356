"""Check-in rows: one pain score per person and local day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.progress import Checkin
from bot.store.schema import CheckinRow

MAX_LOADED = 400


async def recent(session: AsyncSession, user_id: int) -> tuple[Checkin, ...]:
    """Return the person's check-ins, oldest first (at most about a year's worth)."""
    result = await session.execute(
        select(CheckinRow)
        .where(CheckinRow.user_id == user_id)
        .order_by(CheckinRow.day.desc())
        .limit(MAX_LOADED)
    )
    rows = list(result.scalars())
    return tuple(Checkin(day=r.day, score=r.score, done=r.done) for r in reversed(rows))


async def record(
    session: AsyncSession, user_id: int, day: date, score: int, done: bool, now: datetime
) -> None:
    """Store the day's check-in, replacing an earlier one of the same day."""
    result = await session.execute(
        select(CheckinRow).where(CheckinRow.user_id == user_id, CheckinRow.day == day)
    )
    row = result.scalar_one_or_none()
    if row is None:
        session.add(CheckinRow(user_id=user_id, day=day, score=score, done=done, recorded_at=now))
    else:
        row.score = score
        row.done = done
        row.recorded_at = now
    await session.flush()
