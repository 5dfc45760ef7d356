"""Throwaway databases for tests: a SQLite file, or an isolated corner of a PostgreSQL server.

PostgreSQL runs when TEST_DATABASE_URL points at a server where that user may create roles
and databases (e.g. postgresql+asyncpg://postgres@127.0.0.1:5432/test). A test gets a role of
its own whose only schema is its own, so it sees an empty database and leaves nothing behind;
tests that start other processes get a whole fresh database.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import asyncpg
from sqlalchemy.engine import URL, make_url

TEST_DATABASE_URL: str | None = os.environ.get("TEST_DATABASE_URL", "").strip() or None
# The backends every store test runs on: PostgreSQL only where a server was configured.
BACKENDS: list[str] = ["sqlite", *(["postgresql"] if TEST_DATABASE_URL else [])]


def _admin_url() -> URL:
    # Read at call time: the benchmarks set it after this module was imported.
    url = os.environ.get("TEST_DATABASE_URL", "").strip()
    if not url:
        raise RuntimeError("TEST_DATABASE_URL is not set")
    return make_url(url)


async def _admin_connection(url: URL) -> asyncpg.Connection:
    return await asyncpg.connect(
        host=url.host or "127.0.0.1",
        port=url.port or 5432,
        user=url.username,
        password=url.password,
        database=url.database,
    )


def _quoted_password(url: URL) -> str:
    if not url.password:
        return ""
    return " PASSWORD '" + str(url.password).replace("'", "''") + "'"


@asynccontextmanager
async def fresh_pg_schema() -> AsyncIterator[str]:
    """Yield the URL of an empty PostgreSQL schema, reached as a role that sees only it."""
    admin = _admin_url()
    name = f"fc_test_{secrets.token_hex(6)}"
    conn = await _admin_connection(admin)
    try:
        await conn.execute(f"CREATE ROLE {name} LOGIN{_quoted_password(admin)}")
        await conn.execute(f"CREATE SCHEMA {name} AUTHORIZATION {name}")
        await conn.execute(f"ALTER ROLE {name} SET search_path = {name}")
        yield admin.set(username=name).render_as_string(hide_password=False)
    finally:
        await _drop_role(conn, name)
        await conn.close()


async def _drop_role(conn: asyncpg.Connection, name: str) -> None:
    # Connections a test forgot to close would keep the role alive.
    await conn.execute(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = $1", name
    )
    await conn.execute(f"DROP SCHEMA IF EXISTS {name} CASCADE")
    await conn.execute(f"DROP ROLE IF EXISTS {name}")


@asynccontextmanager
async def fresh_pg_database() -> AsyncIterator[str]:
    """Yield the URL of a new, empty PostgreSQL database; drop it (and its sessions) after."""
    admin = _admin_url()
    name = f"fc_test_{secrets.token_hex(6)}"
    conn = await _admin_connection(admin)
    try:
        await conn.execute(f"CREATE DATABASE {name}")
        yield admin.set(database=name).render_as_string(hide_password=False)
    finally:
        await conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        await conn.close()


async def pg_query(url: str, query: str, *args: Any) -> list[asyncpg.Record]:
    """Run one query on a PostgreSQL URL (as given to the bot) and return its rows."""
    conn = await _admin_connection(make_url(url))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()
