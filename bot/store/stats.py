"""Counts for /stats and the metrics: people active, reminders, check-ins, requests, backlog."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.leads import LeadStatus
from bot.core.stats import WEEK, Backlog, Stats
from bot.store import reminders
from bot.store.schema import CheckinRow, LeadRow, OutboxRow, ReminderRow, User


async def backlog(session: AsyncSession, now: datetime) -> Backlog:
    """Return the reminders due and the staff messages waiting right now."""
    due = await session.scalar(
        select(func.count()).select_from(ReminderRow).where(reminders.is_due(now))
    )
    waiting, oldest = (
        await session.execute(
            select(func.count(), func.min(OutboxRow.created_at)).where(OutboxRow.sent_at.is_(None))
        )
    ).one()
    return Backlog(reminders_due=int(due or 0), outbox_waiting=int(waiting), outbox_oldest=oldest)


async def weekly(session: AsyncSession, now: datetime) -> Stats:
    """Return the numbers of the 7 days up to `now`, and the backlog."""
    since = now - WEEK

    async def count(query: object) -> int:
        return int(await session.scalar(query) or 0)  # type: ignore[call-overload]

    active = [LeadStatus.open.value, LeadStatus.contacted.value]
    return Stats(
        people_active=await count(
            select(func.count()).select_from(User).where(User.updated_at >= since)
        ),
        reminders_on=await count(
            select(func.count()).select_from(ReminderRow).where(ReminderRow.paused.is_(False))
        ),
        checkins=await count(
            select(func.count()).select_from(CheckinRow).where(CheckinRow.recorded_at >= since)
        ),
        open_requests=await count(
            select(func.count()).select_from(LeadRow).where(LeadRow.status.in_(active))
        ),
        backlog=await backlog(session, now),
    )
