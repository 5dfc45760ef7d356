"""People and their conversation state."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.schema import User


async def load_user(session: AsyncSession, user_id: int, *, lock: bool = False) -> User | None:
    """Return the person's row, locking it for this transaction where the database can."""
    query = select(User).where(User.id == user_id)
    if lock:
        query = query.with_for_update()
    result = await session.execute(query)
    return result.scalar_one_or_none()


async def save_state(
    session: AsyncSession,
    user: User | None,
    user_id: int,
    state_json: str,
    now: datetime,
    first_name: str | None = None,
    *,
    seen: bool = True,
) -> User:
    """Store the conversation state, creating the person's row on their first message.

    `seen`: the step came from the person, so their data's expiry starts again (and any
    notice of it is void); set in the same UPDATE as the state, so it costs nothing more.
    """
    if user is None:
        user = User(id=user_id, state=state_json, created_at=now, updated_at=now)
        session.add(user)
        seen = True
    else:
        user.state = state_json
        user.updated_at = now
    if seen:
        user.last_seen_at = now
        user.expiry_noticed_at = user.expiry_due_at = None
    if first_name and user.first_name != first_name:
        user.first_name = first_name
    await session.flush()
    return user
