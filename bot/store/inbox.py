"""The inbox of Telegram updates: recorded on arrival, claimed once, taken in order per sender.

`record` runs before a webhook answers Telegram (polling: before the next getUpdates confirms
the update), so an update Telegram handed over is never lost; `claim` runs in the transaction
of the step an update causes, so the step and the mark that it happened commit together and a
redelivered update is ignored. Processed rows keep only the update's key (to recognise
redeliveries) and are pruned once Telegram can no longer resend them.

An update is known by the bot that received it and Telegram's number (bot/core/updates.py).
A number received before `fresh_since` (longer ago than Telegram keeps an update) cannot be a
redelivery: the same number now is a new update, from a new numbering, and replaces the old
row; nor does such a row say anything about a gap in today's numbers.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from typing import Any

from sqlalchemy import bindparam, case, delete, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import aliased

from bot.core.updates import UNKEYED_BOT, UpdateKey
from bot.store.schema import InboxRow, UTCDateTime

# How far below an update to look for a missing number (bounds the count in a busy bot).
_GAP_WINDOW = 10_000


@cache
def worker_id() -> str:
    """Return this process's name in the inbox (host and pid), for tracing who did what."""
    return f"{socket.gethostname()}:{os.getpid()}"[:64]


def _insert(session: AsyncSession) -> Any:
    """Return the INSERT construct of the session's dialect (both support ON CONFLICT)."""
    return postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert


_KEY = [InboxRow.bot_id, InboxRow.update_id]


def _of(key: UpdateKey) -> Any:
    """Return the condition that picks the row of this update."""
    return (InboxRow.bot_id == key.bot_id) & (InboxRow.update_id == key.update_id)


def _earlier_numbering(fresh_since: datetime) -> Any:
    """Return the condition of a row whose update Telegram cannot send again: applied, and
    received before `fresh_since`. The same number now is a new update. (An update never
    applied is never taken for one.)"""
    return InboxRow.processed_at.is_not(None) & (InboxRow.received_at < fresh_since)


async def record(
    session: AsyncSession,
    key: UpdateKey,
    user_id: int,
    payload: str,
    now: datetime,
    fresh_since: datetime,
) -> bool:
    """Store a received update; return False if it was already there (a redelivery)."""
    received = [(key.update_id, user_id, payload)]
    return bool(await record_many(session, key.bot_id, received, now, fresh_since))


# The upsert as text: SQLAlchemy cannot cache the compiled form of an ON CONFLICT insert (see
# steps._CLAIM), and polling records every batch with it. Both SQLite and PostgreSQL speak it.
# A row of an earlier numbering (applied, and received before `fresh`) is a new update now;
# RETURNING gives a row only for what was inserted or replaced, i.e. what is new.
_RECORD = text(
    "INSERT INTO inbox (bot_id, update_id, user_id, payload, received_at, processed_at,"
    " processed_by, failed) VALUES (:bot, :update_id, :user, :payload, :now, :processed_at,"
    " :processed_by, false)"
    " ON CONFLICT (bot_id, update_id) DO UPDATE SET user_id = excluded.user_id,"
    " payload = excluded.payload, received_at = excluded.received_at,"
    " processed_at = excluded.processed_at, processed_by = excluded.processed_by,"
    " failed = false, answer_id = NULL"
    " WHERE inbox.processed_at IS NOT NULL AND inbox.received_at < :fresh"
    " RETURNING update_id"
).bindparams(
    bindparam("now", type_=UTCDateTime()),
    bindparam("processed_at", type_=UTCDateTime()),
    bindparam("fresh", type_=UTCDateTime()),
)


async def record_many(
    session: AsyncSession,
    bot_id: int,
    updates: Sequence[tuple[int, int | None, str]],
    now: datetime,
    fresh_since: datetime,
) -> set[int]:
    """Store received updates (id, sender or None, payload); return the ids of those that
    were new (the others are redeliveries). One without a sender is stored as applied: it is
    handled elsewhere, and its number only stops redeliveries and fills the sequence."""
    return await session.run_sync(
        lambda sync: _record_rows(sync.connection(), bot_id, updates, now, fresh_since)
    )


async def record_many_on(
    conn: AsyncConnection,
    bot_id: int,
    updates: Sequence[tuple[int, int | None, str]],
    now: datetime,
    fresh_since: datetime,
) -> set[int]:
    """`record_many` on a connection in a transaction (polling's hot path, no ORM session)."""
    return await conn.run_sync(_record_rows, bot_id, updates, now, fresh_since)


def _record_rows(
    conn: Connection,
    bot_id: int,
    updates: Sequence[tuple[int, int | None, str]],
    now: datetime,
    fresh_since: datetime,
) -> set[int]:
    worker = worker_id()
    new: set[int] = set()
    for update_id, sender, payload in updates:
        applied = sender is None
        params = {
            "bot": bot_id,
            "update_id": update_id,
            "user": sender,
            "payload": None if applied else payload,
            "now": now,
            "processed_at": now if applied else None,
            "processed_by": worker if applied else None,
            "fresh": fresh_since,
        }
        if conn.execute(_RECORD, params).first() is not None:
            new.add(update_id)
    return new


async def claim(
    session: AsyncSession, key: UpdateKey, user_id: int, now: datetime, fresh_since: datetime
) -> bool:
    """Mark the update processed in this transaction; return False if it already was.

    An update nobody recorded (a caller outside the inbox) gets its row here, as does one of
    a new numbering. The message text is dropped: once applied, only the key is needed.
    """
    statement = _applied_row(session, key, user_id, now)
    statement = statement.on_conflict_do_update(
        index_elements=_KEY,
        set_={
            "processed_at": now,
            "processed_by": worker_id(),
            "payload": None,
            "failed": False,
            "user_id": user_id,
            # A recorded update keeps the time it arrived; a new numbering's arrived now.
            "received_at": case(
                (InboxRow.processed_at.is_(None), InboxRow.received_at),
                else_=statement.excluded.received_at,
            ),
        },
        where=InboxRow.processed_at.is_(None) | _earlier_numbering(fresh_since),
    )
    result = await session.execute(statement)
    return bool(result.rowcount)  # type: ignore[attr-defined]


async def record_applied(
    session: AsyncSession, key: UpdateKey, now: datetime, fresh_since: datetime
) -> bool:
    """Store an update that is handled elsewhere (it has no sender to order it with); return
    False if it was already there (a redelivery)."""
    received = [(key.update_id, None, "")]
    return bool(await record_many(session, key.bot_id, received, now, fresh_since))


def _applied_row(session: AsyncSession, key: UpdateKey, user_id: int | None, now: datetime) -> Any:
    """Return the insert of an update's row as applied now by this worker, without its text."""
    return _insert(session)(InboxRow).values(
        bot_id=key.bot_id,
        update_id=key.update_id,
        user_id=user_id,
        payload=None,
        received_at=now,
        processed_at=now,
        processed_by=worker_id(),
        failed=False,
    )


async def missing_before(
    session: AsyncSession, key: UpdateKey, received_since: datetime, fresh_since: datetime
) -> bool:
    """Say whether an update of this bot numbered below this one has not arrived yet.

    Telegram numbers updates consecutively. The numbers checked run from the newest update
    received before `received_since` (older gaps are updates that never came) up to this one.
    Rows received before `fresh_since` are left out: a gap after them is no update on its way
    (Telegram dropped it, or numbering started again).
    """
    mine = (InboxRow.bot_id == key.bot_id) & (InboxRow.received_at >= fresh_since)
    update_id = key.update_id
    anchor = await session.scalar(
        select(func.max(InboxRow.update_id)).where(
            mine, InboxRow.update_id < update_id, InboxRow.received_at < received_since
        )
    )
    if anchor is None:
        anchor = await session.scalar(
            select(func.min(InboxRow.update_id) - 1).where(mine, InboxRow.update_id < update_id)
        )
        if anchor is None:
            return False  # nothing below it at all: the first update this store has seen
    anchor = max(anchor, update_id - _GAP_WINDOW)
    present = await session.scalar(
        select(func.count()).where(
            mine, InboxRow.update_id > anchor, InboxRow.update_id < update_id
        )
    )
    return int(present or 0) < update_id - anchor - 1


@dataclass(frozen=True)
class PendingUpdate:
    """An update recorded and not yet applied."""

    update_id: int
    payload: str
    received_at: datetime


async def next_pending(session: AsyncSession, bot_id: int, user_id: int) -> PendingUpdate | None:
    """Return the sender's oldest update to this bot not yet processed."""
    result = await session.execute(
        select(InboxRow.update_id, InboxRow.payload, InboxRow.received_at)
        .where(
            InboxRow.bot_id == bot_id,
            InboxRow.user_id == user_id,
            InboxRow.processed_at.is_(None),
        )
        .order_by(InboxRow.update_id)
        .limit(1)
    )
    found = result.first()
    if found is None:
        return None
    update_id, payload, received_at = found
    return PendingUpdate(update_id, payload or "{}", received_at)


async def finish(session: AsyncSession, key: UpdateKey, now: datetime, *, failed: bool) -> None:
    """Mark an update done that no step claimed (not for the coach, or it failed for good)."""
    await session.execute(
        update(InboxRow)
        .where(_of(key), InboxRow.processed_at.is_(None))
        .values(processed_at=now, processed_by=worker_id(), payload=None, failed=failed)
    )


async def stale_senders(
    session: AsyncSession, bot_id: int, received_before: datetime, limit: int
) -> list[int]:
    """Return senders with an update to this bot received before then and not processed."""
    result = await session.execute(
        select(InboxRow.user_id)
        .where(
            InboxRow.bot_id == bot_id,
            InboxRow.processed_at.is_(None),
            InboxRow.received_at < received_before,
        )
        .group_by(InboxRow.user_id)
        .order_by(InboxRow.user_id)
        .limit(limit)
    )
    return [user_id for user_id in result.scalars() if user_id is not None]


async def pending_senders(session: AsyncSession, bot_id: int) -> list[int]:
    """Return every sender with an update to this bot recorded and not processed."""
    result = await session.execute(
        select(InboxRow.user_id)
        .where(InboxRow.bot_id == bot_id, InboxRow.processed_at.is_(None))
        .group_by(InboxRow.user_id)
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


async def any_pending(session: AsyncSession, user_id: int) -> bool:
    """Say whether the person has an update to any bot received and not yet processed."""
    result = await session.execute(
        select(InboxRow.update_id)
        .where(InboxRow.user_id == user_id, InboxRow.processed_at.is_(None))
        .limit(1)
    )
    return result.first() is not None


async def pending(session: AsyncSession, bot_id: int, user_id: int) -> Sequence[int]:
    """Return the ids of the sender's updates to this bot not yet processed, oldest first."""
    result = await session.execute(
        select(InboxRow.update_id)
        .where(
            InboxRow.bot_id == bot_id,
            InboxRow.user_id == user_id,
            InboxRow.processed_at.is_(None),
        )
        .order_by(InboxRow.update_id)
    )
    return list(result.scalars())


async def adopt_unkeyed(session: AsyncSession, bot_id: int) -> int:
    """Give this bot the rows recorded before updates were keyed by bot; return how many.

    They belong to the bot that ran before the upgrade, whose id the database never had: the
    first bot to start takes them (its pending updates are applied, its applied ones still
    stop redeliveries). A number this bot has already recorded stays with the unkeyed row,
    which is pruned in time like any other.
    """
    mine = aliased(InboxRow)
    taken = (
        select(mine.update_id)
        .where(mine.bot_id == bot_id, mine.update_id == InboxRow.update_id)
        .exists()
    )
    result = await session.execute(
        update(InboxRow)
        .where(InboxRow.bot_id == UNKEYED_BOT, ~taken)
        .values(bot_id=bot_id)
        .execution_options(synchronize_session=False)
    )
    return int(result.rowcount)  # type: ignore[attr-defined]


async def presses_applied_since(
    session: AsyncSession, bot_id: int, since: datetime, limit: int
) -> list[str]:
    """Return the callback query ids of this bot's button presses applied since `since`,
    newest first (at most `limit`)."""
    result = await session.scalars(
        select(InboxRow.answer_id)
        .where(
            InboxRow.bot_id == bot_id,
            InboxRow.answer_id.is_not(None),
            InboxRow.processed_at >= since,
        )
        .order_by(InboxRow.processed_at.desc())
        .limit(limit)
    )
    return [answer_id for answer_id in result if answer_id is not None]
