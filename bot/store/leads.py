"""Callback request rows, read and written as `bot.core.leads.Lead`.

Every change a person or staff make to a request queues a staff message in the same
transaction (bot/store/outbox.py), so a confirmed request can never exist without the message
that announces it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.leads import Lead, LeadDetails, LeadStatus
from bot.core.outbox import Topic
from bot.store import outbox
from bot.store.schema import LeadRow

ACTIVE = tuple(status.value for status in LeadStatus if status.active)


def _value(row: LeadRow) -> Lead:
    return Lead(
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
        conditions=tuple(json.loads(row.conditions)),
        handled_by=row.handled_by,
        handled_at=row.handled_at,
        staff_message_id=row.staff_message_id,
        report_wanted=row.report_wanted,
        report_message_id=row.report_message_id,
    )


async def _row(session: AsyncSession, code: str) -> LeadRow | None:
    result = await session.execute(select(LeadRow).where(LeadRow.code == code))
    return result.scalar_one_or_none()


async def open_for(session: AsyncSession, user_id: int) -> Lead | None:
    """Return the person's newest request that is still open or in hand."""
    result = await session.execute(
        select(LeadRow)
        .where(LeadRow.user_id == user_id, LeadRow.status.in_(ACTIVE))
        .order_by(LeadRow.created_at.desc(), LeadRow.id.desc())
        .limit(1)
    )
    row = result.scalar_one_or_none()
    return _value(row) if row is not None else None


async def by_code(session: AsyncSession, code: str) -> Lead | None:
    """Return the request with this reference code."""
    row = await _row(session, code)
    return _value(row) if row is not None else None


async def save(
    session: AsyncSession,
    user_id: int,
    code: str,
    details: LeadDetails,
    now: datetime,
    *,
    signs_added: bool = False,
) -> Lead:
    """Create the request (or update the person's own open one) and queue the staff message
    (with `signs_added`, also a notice that the request now carries new warning signs)."""
    row = await _row(session, code)
    if row is None or row.user_id != user_id:
        row = LeadRow(
            code=code,
            user_id=user_id,
            created_at=now,
            status=LeadStatus.open.value,
            report_wanted=False,
        )
        session.add(row)
    row.name = details.name
    row.phone = details.phone
    row.best_time = details.best_time
    row.note = details.note
    row.symptoms = json.dumps(list(details.symptoms))
    row.red_flags = json.dumps(list(details.red_flags))
    row.pain_score = details.pain_score
    row.conditions = json.dumps(list(details.conditions))
    row.updated_at = now
    await session.flush()
    outbox.queue(session, row.code, now, Topic.signs_added if signs_added else Topic.staff)
    return _value(row)


async def withdraw(session: AsyncSession, user_id: int, code: str, now: datetime) -> None:
    """Withdraw the person's own request and queue the update for staff."""
    row = await _row(session, code)
    if row is None or row.user_id != user_id:
        return
    row.status = LeadStatus.withdrawn.value
    row.updated_at = now
    outbox.queue(session, row.code, now)


async def mark(
    session: AsyncSession, code: str, status: LeadStatus, handled_by: str, now: datetime
) -> Lead | None:
    """Record that staff contacted or closed a request, by whom and when; queue the update.

    Return the request as it now stands (a withdrawn one is left as it was), or None.
    """
    row = await _row(session, code)
    if row is None:
        return None
    if row.status != LeadStatus.withdrawn.value:
        row.status = status.value
        row.handled_by = handled_by
        row.handled_at = now
        row.updated_at = now
    # Also for a withdrawn one: its staff message still showed buttons, so refresh it.
    outbox.queue(session, row.code, now)
    return _value(row)


async def set_staff_message(session: AsyncSession, code: str, message_id: int | None) -> None:
    """Remember the staff chat's message that announced the request (the first one wins)."""
    row = await _row(session, code)
    if row is not None and row.staff_message_id is None:
        row.staff_message_id = message_id


async def want_report(session: AsyncSession, user_id: int, code: str, now: datetime) -> None:
    """Note that the person wants their report sent with their open request; queue it."""
    row = await _row(session, code)
    if row is None or row.user_id != user_id or row.status not in ACTIVE:
        return
    row.report_wanted = True
    row.updated_at = now
    outbox.queue(session, row.code, now)


async def set_report_message(session: AsyncSession, code: str, message_id: int | None) -> None:
    """Remember the staff chat's message carrying the report (None: it was deleted)."""
    row = await _row(session, code)
    if row is not None:
        row.report_message_id = message_id


async def report_not_sent(session: AsyncSession, code: str) -> None:
    """Give up on a report Telegram refused (the request itself stands)."""
    row = await _row(session, code)
    if row is not None:
        row.report_wanted = False


async def user_of(session: AsyncSession, code: str) -> int | None:
    """Return whose request this is (None once they asked to be forgotten)."""
    row = await _row(session, code)
    return row.user_id if row is not None else None


async def listing(session: AsyncSession, *, active_only: bool) -> list[Lead]:
    """Return requests, newest first (only open and contacted ones if asked)."""
    query = select(LeadRow).order_by(LeadRow.created_at.desc(), LeadRow.id.desc())
    if active_only:
        query = query.where(LeadRow.status.in_(ACTIVE))
    result = await session.execute(query)
    return [_value(row) for row in result.scalars()]


async def _of_user(session: AsyncSession, user_id: int) -> Sequence[LeadRow]:
    result = await session.execute(select(LeadRow).where(LeadRow.user_id == user_id))
    return list(result.scalars())


async def of_user(session: AsyncSession, user_id: int) -> list[Lead]:
    """Return every request of one person."""
    return [_value(row) for row in await _of_user(session, user_id)]


async def forget_user(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Withdraw the person's requests and erase what named them, keeping only the code."""
    for row in await _of_user(session, user_id):
        row.user_id = None
        row.status = LeadStatus.withdrawn.value
        row.name = row.phone = row.note = ""
        row.symptoms = row.red_flags = row.conditions = "[]"
        row.pain_score = None
        row.report_wanted = False
        row.handled_by = None
        row.updated_at = now
        outbox.queue(session, row.code, now)
