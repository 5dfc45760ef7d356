"""The program's history of levels, and the function scores (in the manner of PSFS)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.program import LevelChange
from bot.core.report import FunctionMeasure, FunctionScore
from bot.store.schema import FunctionScoreRow, LevelChangeRow


async def record_changes(
    session: AsyncSession, user_id: int, changes: Sequence[LevelChange], now: datetime
) -> None:
    """Append level changes to the person's history."""
    session.add_all(
        LevelChangeRow(
            user_id=user_id,
            day=c.day,
            exercise=c.exercise,
            before=c.before,
            after=c.after,
            reason=c.reason,
            recorded_at=now,
        )
        for c in changes
    )


async def changes(
    session: AsyncSession, user_id: int, since: date | None = None
) -> list[LevelChange]:
    """Return the person's level changes, oldest first (since a day, if given)."""
    query = select(LevelChangeRow).where(LevelChangeRow.user_id == user_id)
    if since is not None:
        query = query.where(LevelChangeRow.day >= since)
    rows = (await session.execute(query.order_by(LevelChangeRow.day, LevelChangeRow.id))).scalars()
    return [
        LevelChange(day=r.day, exercise=r.exercise, before=r.before, after=r.after, reason=r.reason)
        for r in rows
    ]


async def record_function(
    session: AsyncSession, user_id: int, day: date, activity: str, score: int, now: datetime
) -> None:
    """Store a function rating, replacing one of the same activity and day."""
    result = await session.execute(
        select(FunctionScoreRow).where(
            FunctionScoreRow.user_id == user_id,
            FunctionScoreRow.day == day,
            FunctionScoreRow.activity == activity,
        )
    )
    row = result.scalar_one_or_none()
    if row is None:
        session.add(
            FunctionScoreRow(
                user_id=user_id, day=day, activity=activity, score=score, recorded_at=now
            )
        )
    else:
        row.score = score
        row.recorded_at = now


async def function_measures(session: AsyncSession, user_id: int) -> list[FunctionMeasure]:
    """Return each activity the person rated, with its ratings oldest first."""
    rows = (
        await session.execute(
            select(FunctionScoreRow)
            .where(FunctionScoreRow.user_id == user_id)
            .order_by(FunctionScoreRow.day, FunctionScoreRow.id)
        )
    ).scalars()
    by_activity: dict[str, list[FunctionScore]] = {}
    for row in rows:
        by_activity.setdefault(row.activity, []).append(FunctionScore(day=row.day, score=row.score))
    return [FunctionMeasure(activity=a, scores=tuple(s)) for a, s in by_activity.items()]
