"""Guide rows: a person's guided session, read and written as `bot.core.guide.GuideRun`,
with the message that shows it and when that message is next edited."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.guide import GuideRun, Plan
from bot.store.schema import GuideRow


@dataclass(frozen=True)
class StoredGuide:
    """A guide as stored: the run, where it is shown, and its edit schedule."""

    user_id: int
    run: GuideRun
    chat_id: int | None
    message_id: int | None
    version: int
    next_edit_at: datetime | None
    last_edit_at: datetime | None


def _value(row: GuideRow) -> StoredGuide:
    run = GuideRun(
        plan=Plan.model_validate_json(row.plan),
        started=row.started_at,
        paused_at=row.paused_at,
        paused_s=row.paused_s,
        status=row.status,  # validated by GuideRun
    )
    return StoredGuide(
        row.user_id,
        run,
        row.chat_id,
        row.message_id,
        row.version,
        row.next_edit_at,
        row.last_edit_at,
    )


async def get(session: AsyncSession, user_id: int, *, lock: bool = False) -> StoredGuide | None:
    """Return the person's guide, if any, locked for this transaction if asked."""
    row = await session.get(GuideRow, user_id, with_for_update=lock or None)
    return _value(row) if row is not None else None


async def put(
    session: AsyncSession,
    user_id: int,
    run: GuideRun,
    now: datetime,
    *,
    next_edit_at: datetime | None,
    new: bool,
) -> None:
    """Store the guide: a new one replaces any other (with no message yet); a changed one
    keeps its message and counts one more version."""
    row = await session.get(GuideRow, user_id)
    if row is None:
        row = GuideRow(user_id=user_id)
        session.add(row)
        new = True
    row.exercise = run.plan.exercise
    row.plan = run.plan.model_dump_json()
    row.started_at = run.started
    row.paused_at = run.paused_at
    row.paused_s = run.paused_s
    row.status = run.status
    row.next_edit_at = next_edit_at
    row.updated_at = now
    if new:
        row.chat_id = row.message_id = row.last_edit_at = None
        row.version = 1
    else:
        row.version = (row.version or 0) + 1
    await session.flush()


async def attach(
    session: AsyncSession,
    user_id: int,
    stamp: str,
    chat_id: int,
    message_id: int,
    sent_at: datetime,
    next_edit_at: datetime | None,
) -> bool:
    """Record the message that shows the guide `stamp`; False if that guide is gone."""
    row = await session.get(GuideRow, user_id, with_for_update=True)
    if row is None or _value(row).run.stamp != stamp:
        return False
    row.chat_id, row.message_id = chat_id, message_id
    row.last_edit_at = sent_at
    # A change made before the message was known (it was sent slowly) is shown at once.
    row.next_edit_at = next_edit_at if row.status == "running" else sent_at
    return True


async def remove(
    session: AsyncSession, user_id: int, *, stamp: str | None = None, version: int | None = None
) -> bool:
    """Delete the person's guide (only the one `stamp` names, at `version`, if given)."""
    row = await session.get(GuideRow, user_id, with_for_update=True)
    if row is None:
        return False
    if stamp is not None and _value(row).run.stamp != stamp:
        return False
    if version is not None and row.version != version:
        return False
    await session.delete(row)
    await session.flush()
    return True


async def lock_due(
    session: AsyncSession, now: datetime, limit: int, *, skip_locked: bool
) -> Sequence[StoredGuide]:
    """Select (and lock, where the database can) guides whose message is due for an edit,
    the longest overdue first."""
    query = (
        select(GuideRow)
        .where(GuideRow.next_edit_at <= now, GuideRow.message_id.is_not(None))
        .order_by(GuideRow.next_edit_at)
        .limit(limit)
    )
    if skip_locked:
        query = query.with_for_update(skip_locked=True)
    return [_value(row) for row in (await session.execute(query)).scalars()]


async def schedule(
    session: AsyncSession, user_id: int, next_edit_at: datetime | None, edited_at: datetime
) -> None:
    """Record an edit made (or about to be made) now, and when the next one is due."""
    row = await session.get(GuideRow, user_id)
    if row is not None:
        row.next_edit_at = next_edit_at
        row.last_edit_at = edited_at


async def show_again_if_changed(
    session: AsyncSession, shown: Iterable[tuple[int, int]], at: datetime
) -> int:
    """For guides changed since they were shown (user id, version shown) that have no edit
    due (a change another run showed first, before this older view landed), make one due
    at `at`; return how many there were."""
    wanted = dict(shown)
    if not wanted:
        return 0
    rows = await session.execute(select(GuideRow).where(GuideRow.user_id.in_(list(wanted))))
    changed = 0
    for row in rows.scalars():
        shown_older = row.version != wanted[row.user_id]
        if shown_older and row.message_id is not None and row.next_edit_at is None:
            row.next_edit_at = at
            changed += 1
    return changed


async def forget(session: AsyncSession, user_id: int) -> None:
    """Delete the person's guide."""
    await session.execute(delete(GuideRow).where(GuideRow.user_id == user_id))
