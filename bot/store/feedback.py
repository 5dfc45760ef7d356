"""Feedback rows: how each move felt, one answer per person, exercise and local day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.feedback import Feedback, Feeling
from bot.store.rows import update_or_insert
from bot.store.schema import FeedbackRow

MAX_LOADED = 1000


async def record(
    session: AsyncSession, user_id: int, exercise: str, day: date, feeling: Feeling, now: datetime
) -> None:
    """Store how a move felt today, replacing an earlier answer for it the same day."""
    await update_or_insert(
        session,
        FeedbackRow,
        {"user_id": user_id, "exercise": exercise, "day": day},
        {"feeling": feeling, "recorded_at": now},
    )


async def history(
    session: AsyncSession, user_id: int, *, exercise: str | None = None, since: date | None = None
) -> tuple[Feedback, ...]:
    """Return the person's answers, oldest first (of one exercise, from a day, if given)."""
    query = select(FeedbackRow).where(FeedbackRow.user_id == user_id)
    if exercise is not None:
        query = query.where(FeedbackRow.exercise == exercise)
    if since is not None:
        query = query.where(FeedbackRow.day >= since)
    query = query.order_by(FeedbackRow.day.desc(), FeedbackRow.exercise).limit(MAX_LOADED)
    rows = list((await session.execute(query)).scalars())
    return tuple(
        Feedback(exercise=r.exercise, day=r.day, feeling=r.feeling) for r in reversed(rows)
    )


async def forget(session: AsyncSession, user_id: int) -> None:
    """Delete every answer of the person."""
    await session.execute(delete(FeedbackRow).where(FeedbackRow.user_id == user_id))
