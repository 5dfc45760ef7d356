"""Media file rows: the file_id Telegram gave a picture we uploaded, per bot, to send it again."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store.schema import MediaFileRow


async def get(session: AsyncSession, bot_id: int, file_key: str) -> str | None:
    """Return the file_id this bot has for the file, if any."""
    row = await session.get(MediaFileRow, (bot_id, file_key))
    return row.file_id if row is not None else None


async def put(
    session: AsyncSession, bot_id: int, file_key: str, file_id: str, now: datetime
) -> None:
    """Keep (or replace) the file_id this bot has for the file."""
    row = await session.get(MediaFileRow, (bot_id, file_key))
    if row is None:
        session.add(MediaFileRow(bot_id=bot_id, file_key=file_key, file_id=file_id, created_at=now))
    else:
        row.file_id = file_id
        row.created_at = now
    await session.flush()


async def forget(session: AsyncSession, bot_id: int, file_key: str, file_id: str) -> None:
    """Drop a file_id Telegram refused (only that one: another may have replaced it)."""
    await session.execute(
        delete(MediaFileRow).where(
            MediaFileRow.bot_id == bot_id,
            MediaFileRow.file_key == file_key,
            MediaFileRow.file_id == file_id,
        )
    )
