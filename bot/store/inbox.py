"""The inbox of Telegram updates: recorded on arrival, claimed once, taken in order per sender.

`record` runs before a webhook answers Telegram, so an acknowledged update is never lost;
`claim` runs in the transaction of the step an update causes, so the step and the mark that
it happened commit together and a redelivered update is ignored. Processed rows keep only the
update id (to recognise redeliveries) and are pruned once Telegram can no longer resend them.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import delete, func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.schema import InboxRow

# How far below an update to look for a missing number (bounds the count in a busy bot).
_GAP_WINDOW = 10_000


@cache
def worker_id() -> str:
    """Return this process's name in the inbox (host and pid), for tracing who did what."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _insert(session: AsyncSession) -> Any:
    """Return the INSERT construct of the session's dialect (both support ON CONFLICT)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


async def record(
    session: AsyncSession, update_id: int, user_id: int, payload: str, now: datetime
) -> bool:
    """Store a received update; return False if it was already there (a redelivery)."""
    statement = (
        _insert(session)(InboxRow)
        .values(update_id=update_id, user_id=user_id, payload=payload, received_at=now)
        .on_conflict_do_nothing(index_elements=[InboxRow.update_id])
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def claim(session: AsyncSession, update_id: int, user_id: int, now: datetime) -> bool:
    """Mark the update processed in this transaction; return False if it already was.

    An update nobody recorded (polling, where Telegram resends only after a crash) gets its row
    here. The message text is dropped: once applied, only the id is needed.
    """
    statement = _applied_row(session, update_id, user_id, now).on_conflict_do_update(
        index_elements=[InboxRow.update_id],
        set_={"processed_at": now, "processed_by": worker_id(), "payload": None},
        where=InboxRow.processed_at.is_(None),
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def record_applied(session: AsyncSession, update_id: int, now: datetime) -> None:
    """Store an update that is handled elsewhere (it has no sender to order it with)."""
    statement = _applied_row(session, update_id, None, now).on_conflict_do_nothing(
        index_elements=[InboxRow.update_id]
    )
    await session.execute(statement)


def _applied_row(session: AsyncSession, update_id: int, user_id: int | None, now: datetime) -> Any:
    """Return the insert of an update's row as applied now by this worker, without its text."""
    return _insert(session)(InboxRow).values(
        update_id=update_id,
        user_id=user_id,
        payload=None,
        received_at=now,
        processed_at=now,
        processed_by=worker_id(),
        failed=False,
    )


async def missing_before(session: AsyncSession, update_id: int, received_since: datetime) -> bool:
    """Say whether an update numbered below this one has not arrived yet.

    Telegram numbers updates consecutively. The numbers checked run from the newest update
    received before `received_since` (older gaps are updates that never came) up to this one.
    """
    anchor = await session.scalar(
        select(func.max(InboxRow.update_id)).where(
            InboxRow.update_id < update_id, InboxRow.received_at < received_since
        )
    )
    if anchor is None:
        anchor = await session.scalar(
            select(func.min(InboxRow.update_id) - 1).where(InboxRow.update_id < update_id)
        )
        if anchor is None:
            return False  # nothing below it at all: the first update this store has seen
    anchor = max(anchor, update_id - _GAP_WINDOW)
    present = await session.scalar(
        select(func.count()).where(InboxRow.update_id > anchor, InboxRow.update_id < update_id)
    )
    return int(present or 0) < update_id - anchor - 1


@dataclass(frozen=True)
class PendingUpdate:
    """An update recorded and not yet applied."""

    update_id: int
    payload: str
    received_at: datetime


async def next_pending(session: AsyncSession, user_id: int) -> PendingUpdate | None:
    """Return the sender's oldest update not yet processed."""
    result = await session.execute(
        select(InboxRow.update_id, InboxRow.payload, InboxRow.received_at)
        .where(InboxRow.user_id == user_id, InboxRow.processed_at.is_(None))
        .order_by(InboxRow.update_id)
        .limit(1)
    )
    found = result.first()
    if found is None:
        return None
    update_id, payload, received_at = found
    return PendingUpdate(update_id, payload or "{}", received_at)


async def finish(session: AsyncSession, update_id: int, now: datetime, *, failed: bool) -> None:
    """Mark an update done that no step claimed (not for the coach, or it failed for good)."""
    await session.execute(
        update(InboxRow)
        .where(InboxRow.update_id == update_id, InboxRow.processed_at.is_(None))
        .values(processed_at=now, processed_by=worker_id(), payload=None, failed=failed)
    )


async def stale_senders(session: AsyncSession, received_before: datetime, limit: int) -> list[int]:
    """Return senders with an update received before that time and still not processed."""
    result = await session.execute(
        select(InboxRow.user_id)
        .where(InboxRow.processed_at.is_(None), InboxRow.received_at < received_before)
        .group_by(InboxRow.user_id)
        .order_by(InboxRow.user_id)
        .limit(limit)
    )
    return [user_id for user_id in result.scalars() if user_id is not None]


async def prune(session: AsyncSession, processed_before: datetime) -> int:
    """Delete processed rows older than that (Telegram resends nothing after 24 hours)."""
    result = await session.execute(delete(InboxRow).where(InboxRow.processed_at < processed_before))
    return int(result.rowcount)  # type: ignore[attr-defined]


async def forget(session: AsyncSession, user_id: int) -> None:
    """Unlink the person from the updates already applied (their ids still stop resends)."""
    await session.execute(
        update(InboxRow)
        .where(InboxRow.user_id == user_id, InboxRow.processed_at.is_not(None))
        .values(user_id=None, payload=None)
    )


async def pending(session: AsyncSession, user_id: int) -> Sequence[int]:
    """Return the ids of the sender's updates not yet processed, oldest first."""
    result = await session.execute(
        select(InboxRow.update_id)
        .where(InboxRow.user_id == user_id, InboxRow.processed_at.is_(None))
        .order_by(InboxRow.update_id)
    )
    return list(result.scalars())
