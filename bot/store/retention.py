"""Data that expires: the people due a notice or an erasure, and the closed requests to delete.

The selections lock what they return (SKIP LOCKED on PostgreSQL), so workers sharing the store
share the work and never take the same person or request twice; the decisions are in
bot/core/retention.py and the erasure itself is bot/store/privacy.py's `forget`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.leads import LeadStatus
from bot.store.schema import LeadRow, OutboxRow, ReminderRow, User

# A request is finished when staff closed it or the person withdrew it (or was forgotten);
# its last change is then when it was finished.
FINISHED = (LeadStatus.closed.value, LeadStatus.withdrawn.value)


@dataclass(frozen=True)
class Quiet:
    """A person due their expiry notice: when they were last seen, and what tells their zone."""

    user_id: int
    last_seen: datetime
    state_json: str
    reminder_zone: str | None


async def lock_due_notice(
    session: AsyncSession, cutoff: datetime, now: datetime, limit: int, *, skip_locked: bool
) -> list[Quiet]:
    """Select (and lock) people last seen at or before `cutoff` and not told yet, longest
    quiet first; those whose notice waits for daytime only once that time has come."""
    query = (
        select(User.id, User.last_seen_at, User.state, ReminderRow.zone)
        .outerjoin(ReminderRow, ReminderRow.user_id == User.id)
        .where(
            User.last_seen_at <= cutoff,
            User.expiry_noticed_at.is_(None),
            or_(User.expiry_due_at.is_(None), User.expiry_due_at <= now),
        )
        .order_by(User.last_seen_at)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(of=User, skip_locked=True)
    rows = (await session.execute(query)).tuples()
    return [Quiet(uid, seen, state, zone) for uid, seen, state, zone in rows if seen is not None]


async def defer_notice(session: AsyncSession, user_id: int, until: datetime) -> None:
    """Leave the person's notice until `until` (daytime where they are)."""
    await session.execute(
        update(User)
        .where(User.id == user_id, User.expiry_noticed_at.is_(None))
        .values(expiry_due_at=until)
    )


async def mark_noticed(
    session: AsyncSession, user_id: int, now: datetime, erase_at: datetime
) -> None:
    """Record that the person is told now (before it is sent) and when they are erased."""
    await session.execute(
        update(User).where(User.id == user_id).values(expiry_noticed_at=now, expiry_due_at=erase_at)
    )


async def unmark_noticed(
    session: AsyncSession, user_id: int, noticed_at: datetime, retry_at: datetime
) -> None:
    """Take back a notice that certainly did not arrive, to try again at `retry_at` (only the
    one recorded at `noticed_at`: a person who came back meanwhile is left as they are)."""
    await session.execute(
        update(User)
        .where(User.id == user_id, User.expiry_noticed_at == noticed_at)
        .values(expiry_noticed_at=None, expiry_due_at=retry_at)
    )


async def lock_due_erasure(
    session: AsyncSession, cutoff: datetime, now: datetime, limit: int, *, skip_locked: bool
) -> list[tuple[int, datetime, datetime]]:
    """Select (and lock) people told, whose date has come and who were last seen at or
    before `cutoff`: (user id, last seen, erasure due)."""
    query = (
        select(User.id, User.last_seen_at, User.expiry_due_at)
        .where(
            User.expiry_noticed_at.is_not(None),
            User.expiry_due_at <= now,
            User.last_seen_at <= cutoff,
        )
        .order_by(User.expiry_due_at)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(of=User, skip_locked=True)
    rows = (await session.execute(query)).tuples()
    return [(uid, seen, due) for uid, seen, due in rows if seen is not None and due is not None]


async def void_stale_notices(session: AsyncSession, cutoff: datetime, now: datetime) -> int:
    """Forget notices whose date has come for people seen after `cutoff` (RETENTION_DAYS grew
    since they were told): they are told again, of the new date, when it nears."""
    result = await session.execute(
        update(User)
        .where(
            User.expiry_noticed_at.is_not(None),
            User.expiry_due_at <= now,
            User.last_seen_at > cutoff,
        )
        .values(expiry_noticed_at=None, expiry_due_at=None)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def lock_expired_leads(
    session: AsyncSession, cutoff: datetime, limit: int, *, skip_locked: bool
) -> Sequence[str]:
    """Select (and lock) the codes of requests finished at or before `cutoff`."""
    query = (
        select(LeadRow.code)
        .where(LeadRow.status.in_(FINISHED), LeadRow.updated_at <= cutoff)
        .order_by(LeadRow.updated_at)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return list((await session.execute(query)).scalars())


async def delete_leads(session: AsyncSession, codes: Sequence[str]) -> int:
    """Delete the requests and their staff message rows; return how many requests went."""
    if not codes:
        return 0
    await session.execute(delete(OutboxRow).where(OutboxRow.lead_code.in_(codes)))
    result = await session.execute(delete(LeadRow).where(LeadRow.code.in_(codes)))
    return int(result.rowcount)  # type: ignore[attr-defined]
