"""Callback requests (leads) and the staff outbox that announces them exactly once."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.core.effects import SaveLead
from bot.core.staff import StaffLead
from bot.core.turn import LeadInfo, LeadStatus
from bot.store.schema import Lead, Outbox

ACTIVE = (LeadStatus.open.value, LeadStatus.contacted.value)
TOPIC_STAFF = "staff"


def info_of(row: Lead) -> LeadInfo:
    """Return what the core needs to know of a lead row."""
    return LeadInfo(
        code=row.code,
        status=LeadStatus(row.status),
        name=row.name,
        phone=row.phone,
        best_time=row.best_time,
        note=row.note,
        created_at=row.created_at,
    )


async def open_for(session: AsyncSession, user_id: int) -> Lead | None:
    """Return the person's newest request that is still open or in hand."""
    result = await session.execute(
        select(Lead)
        .where(Lead.user_id == user_id, Lead.status.in_(ACTIVE))
        .order_by(Lead.created_at.desc(), Lead.id.desc())
        .limit(1)
    )
    return result.scalar_one_or_none()


async def by_code(session: AsyncSession, code: str) -> Lead | None:
    """Return the request with this reference code."""
    result = await session.execute(select(Lead).where(Lead.code == code))
    return result.scalar_one_or_none()


async def save(session: AsyncSession, user_id: int, effect: SaveLead, now: datetime) -> Lead:
    """Create the request (or update the person's own open one) and queue the staff message.

    The request and its outbox row are written in the caller's transaction, so a confirmed
    request can never exist without the message that announces it to staff.
    """
    row = await by_code(session, effect.code)
    if row is None or row.user_id != user_id:
        row = Lead(code=effect.code, user_id=user_id, created_at=now, status="open")
        session.add(row)
    row.name = effect.name
    row.phone = effect.phone
    row.best_time = effect.best_time
    row.note = effect.note
    row.symptoms = json.dumps(list(effect.symptoms))
    row.red_flags = json.dumps(list(effect.red_flags))
    row.pain_score = effect.pain_score
    row.updated_at = now
    await session.flush()
    queue_staff_message(session, row.code, now)
    return row


async def withdraw(session: AsyncSession, user_id: int, code: str, now: datetime) -> None:
    """Withdraw the person's own request and queue the update for staff."""
    row = await by_code(session, code)
    if row is None or row.user_id != user_id:
        return
    row.status = LeadStatus.withdrawn.value
    row.updated_at = now
    queue_staff_message(session, row.code, now)


async def mark(
    session: AsyncSession, code: str, status: LeadStatus, handled_by: str, now: datetime
) -> Lead | None:
    """Record that staff contacted or closed a request, by whom and when."""
    row = await by_code(session, code)
    if row is None or row.status == LeadStatus.withdrawn.value:
        return row
    row.status = status.value
    row.handled_by = handled_by
    row.handled_at = now
    row.updated_at = now
    return row


async def listing(session: AsyncSession, *, active_only: bool) -> Sequence[Lead]:
    """Return requests, newest first (only open and contacted ones if asked)."""
    query = select(Lead).order_by(Lead.created_at.desc(), Lead.id.desc())
    if active_only:
        query = query.where(Lead.status.in_(ACTIVE))
    result = await session.execute(query)
    return list(result.scalars())


async def of_user(session: AsyncSession, user_id: int) -> Sequence[Lead]:
    """Return every request of one person."""
    result = await session.execute(select(Lead).where(Lead.user_id == user_id))
    return list(result.scalars())


async def forget_user(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Withdraw the person's requests and erase what named them, keeping only the code."""
    for row in await of_user(session, user_id):
        row.user_id = None
        row.status = LeadStatus.withdrawn.value
        row.name = row.phone = row.note = ""
        row.symptoms = row.red_flags = "[]"
        row.pain_score = None
        row.handled_by = None
        row.updated_at = now
        queue_staff_message(session, row.code, now)


# -- the outbox -----------------------------------------------------------------------------


def queue_staff_message(session: AsyncSession, code: str, now: datetime) -> None:
    """Queue one delivery of the request's current state to the staff chat."""
    session.add(Outbox(topic=TOPIC_STAFF, lead_code=code, created_at=now, next_attempt_at=now))


async def lock_pending(
    session: AsyncSession, now: datetime, limit: int, *, skip_locked: bool
) -> Sequence[Outbox]:
    """Select (and lock, where the database can) outbox rows due for an attempt.

    Only the oldest undelivered row of each request is due: a later one (an update) waits
    until the announcement is settled, so it edits that message instead of posting another,
    and two workers never post the same request side by side.
    """
    older = aliased(Outbox)
    earlier_pending = (
        select(older.id)
        .where(older.lead_code == Outbox.lead_code, older.id < Outbox.id, older.sent_at.is_(None))
        .exists()
    )
    query = (
        select(Outbox)
        .where(Outbox.sent_at.is_(None), Outbox.next_attempt_at <= now, ~earlier_pending)
        .order_by(Outbox.id)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    result = await session.execute(query)
    return list(result.scalars())


async def pending_count(session: AsyncSession) -> int:
    """Return how many staff messages are still waiting for delivery."""
    result = await session.execute(select(Outbox.id).where(Outbox.sent_at.is_(None)))
    return len(result.all())


def backoff(attempts: int) -> timedelta:
    """Return how long to wait before the next attempt: 5 s doubling, at most 10 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


def staff_view(row: Lead) -> StaffLead:
    """Return a request as staff see it."""
    return StaffLead(
        code=row.code,
        status=LeadStatus(row.status),
        created_at=row.created_at,
        name=row.name,
        phone=row.phone,
        best_time=row.best_time,
        note=row.note,
        symptoms=tuple(json.loads(row.symptoms)),
        red_flags=tuple(json.loads(row.red_flags)),
        pain_score=row.pain_score,
        handled_by=row.handled_by,
        handled_at=row.handled_at,
    )
