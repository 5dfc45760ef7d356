"""The staff outbox rows: one delivery of a request's current state to the staff chat each.

What happens to a row after a send is decided in bot/core/outbox.py; this module only reads
and writes the rows as `OutboxEntry` values.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.outbox import OutboxEntry, Topic
from bot.store.schema import OutboxRow

_TOPICS = {topic.value: topic for topic in Topic}


def _value(row: OutboxRow) -> OutboxEntry:
    return OutboxEntry(
        id=row.id,
        lead_code=row.lead_code,
        topic=_TOPICS.get(row.topic, Topic.staff),
        attempts=row.attempts,
        next_attempt_at=row.next_attempt_at,
        sending_since=row.sending_since,
        sent_at=row.sent_at,
        sent_message_id=row.sent_message_id,
        last_error=row.last_error,
    )


def queue(session: AsyncSession, code: str, now: datetime, topic: Topic = Topic.staff) -> None:
    """Queue one delivery of the request's current state to the staff chat."""
    session.add(OutboxRow(topic=topic.value, lead_code=code, created_at=now, next_attempt_at=now))


async def lock_pending(
    session: AsyncSession, now: datetime, limit: int, *, skip_locked: bool
) -> list[OutboxEntry]:
    """Select (and lock, where the database can) outbox rows due for an attempt.

    Only the oldest undelivered row of each request is due: a later one (an update) waits
    until the announcement is settled, so it edits that message instead of posting another,
    and two workers never post the same request side by side.
    """
    older = aliased(OutboxRow)
    earlier_pending = (
        select(older.id)
        .where(
            older.lead_code == OutboxRow.lead_code,
            older.id < OutboxRow.id,
            older.sent_at.is_(None),
        )
        .exists()
    )
    query = (
        select(OutboxRow)
        .where(OutboxRow.sent_at.is_(None), OutboxRow.next_attempt_at <= now, ~earlier_pending)
        .order_by(OutboxRow.id)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    result = await session.execute(query)
    return [_value(row) for row in result.scalars()]


async def save(session: AsyncSession, entry: OutboxEntry) -> None:
    """Write back what was decided about a row (a row deleted meanwhile is left alone)."""
    row = await session.get(OutboxRow, entry.id)
    if row is None:
        return
    row.attempts = entry.attempts
    row.next_attempt_at = entry.next_attempt_at
    row.sending_since = entry.sending_since
    row.sent_at = entry.sent_at
    row.sent_message_id = entry.sent_message_id
    row.last_error = entry.last_error


async def get(session: AsyncSession, entry_id: int) -> OutboxEntry | None:
    """Return one row."""
    row = await session.get(OutboxRow, entry_id)
    return _value(row) if row is not None else None


async def pending_count(session: AsyncSession) -> int:
    """Return how many staff messages are still waiting for delivery."""
    result = await session.execute(
        select(func.count()).select_from(OutboxRow).where(OutboxRow.sent_at.is_(None))
    )
    return int(result.scalar_one())
