"""Looks into what the bot said and stored, for end-to-end tests."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import inspect, text

from bot.store.db import Database
from tests.fakebot import SentMessage

CODE = re.compile(r"FC-[0-9A-Z]{5}")


def texts(messages: list[SentMessage]) -> list[str]:
    """Return the text (or caption) of each message."""
    return [m.text or "" for m in messages]


def code_in(message: SentMessage) -> str:
    """Return the reference code a message mentions."""
    found = CODE.search(message.text or "")
    assert found, f"no reference code in {message.text!r}"
    return found.group()


async def every_row(db: Database) -> dict[str, list[dict[str, Any]]]:
    """Return every row of every table the database has (read from the database, not the model)."""
    async with db.engine.connect() as conn:
        names = await conn.run_sync(lambda sync: inspect(sync).get_table_names())
        tables: dict[str, list[dict[str, Any]]] = {}
        for name in names:
            result = await conn.execute(text(f'SELECT * FROM "{name}"'))
            tables[name] = [dict(row._mapping) for row in result]
    return tables
