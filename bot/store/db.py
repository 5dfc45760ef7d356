"""The database connection: one async engine, transactions, per-person locks, SQLite specifics.

PostgreSQL is what several workers share. Each worker keeps a small pool (DATABASE_POOL_SIZE,
plus a few overflow connections): checked before use (`pool_pre_ping`), so connections broken
by a database restart are replaced instead of failing an update; a connect that does not
answer in 5 s fails instead of hanging; and TCP keepalives let the server notice a worker that
vanished without closing its connections (its locks are released then).
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    IntegrityError,
    InterfaceError,
    OperationalError,
)
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from bot.store import sqlite_inline

CONNECT_TIMEOUT = 5.0
COMMAND_TIMEOUT = 60.0
# Per-person locks come in two kinds that must not block each other: the coach's step lock
# is keyed by the person's id, the inbox drain lock by the id with this bit flipped. Telegram
# ids are far below 2**62, so the two ranges never meet.
_DRAIN_BIT = 1 << 62


class StoreError(Exception):
    """The store cannot be opened; the message says what to fix, in one line."""


class Conflict(Exception):
    """A write clashed with a row that is already there (a unique key was taken)."""


class Database:
    """An async SQLAlchemy engine with transactions that commit whole or not at all."""

    def __init__(self, url: str, *, pool_size: int = 10, max_overflow: int = 5) -> None:
        try:
            parsed = make_url(url)
        except ArgumentError:
            raise StoreError(f"DATABASE_URL is not a database URL: {url!r}") from None
        self.url = parsed
        self.is_sqlite = parsed.get_backend_name() == "sqlite"
        options: dict[str, Any] = {}
        engine_url = parsed
        if self.is_sqlite:
            _ensure_parent_dir(parsed.database)
            # sqlite+aiosqlite in the settings; the statements run on the loop's thread
            # (bot/store/sqlite_inline.py).
            engine_url = parsed.set(drivername=f"sqlite+{sqlite_inline.DRIVER}")
        else:
            options.update(
                pool_size=pool_size,
                max_overflow=max_overflow,
                pool_pre_ping=True,
                pool_timeout=10,
                # Connections older than this are replaced, so a failover or a proxy's idle
                # cut never meets a long-lived connection first.
                pool_recycle=1800,
                connect_args={
                    "timeout": CONNECT_TIMEOUT,
                    "command_timeout": COMMAND_TIMEOUT,
                    "server_settings": {
                        "application_name": "footcoach",
                        "tcp_keepalives_idle": "30",
                        "tcp_keepalives_interval": "10",
                        "tcp_keepalives_count": "3",
                    },
                },
            )
        self.engine: AsyncEngine = create_async_engine(engine_url, **options)
        self.sessions = async_sessionmaker(self.engine, expire_on_commit=False)
        # SQLite has one writer at a time; queueing writers here is cheaper than SQLITE_BUSY.
        self._write_lock = asyncio.Lock() if self.is_sqlite else None

    async def lock_person(self, session: AsyncSession | AsyncConnection, person_id: int) -> None:
        """Hold the person's step lock until the session's transaction ends.

        On PostgreSQL this is an advisory lock, so it also serialises two first messages of
        someone who has no row yet; SQLite's single writer already serialises every step.
        """
        if not self.is_sqlite:
            await session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": person_id})

    async def try_lock_person(self, session: AsyncSession, person_id: int) -> bool:
        """Take the person's step lock for this transaction if nobody holds it; say whether.

        For work that must not wait on (or run beside) a step of the person, and can skip
        them this time: a person writing right now is not someone to erase.
        """
        if self.is_sqlite:
            return True
        found = await session.execute(
            text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": person_id}
        )
        return bool(found.scalar())

    @asynccontextmanager
    async def drain_lock(self, person_id: int, *, wait: bool = True) -> AsyncIterator[bool]:
        """Hold the person's inbox lock across transactions, in every worker sharing the store.

        Yields whether the lock is held (always, when `wait`). PostgreSQL: a session advisory
        lock on a connection kept for the duration; if the worker dies, the server ends the
        session and the lock with it. SQLite has a single worker, whose own per-person lock is
        enough, so this holds nothing there.
        """
        if self.is_sqlite:
            yield True
            return
        key = person_id ^ _DRAIN_BIT
        call = "pg_advisory_lock" if wait else "pg_try_advisory_lock"
        async with self.engine.connect() as conn:
            try:
                answer = (await conn.execute(text(f"SELECT {call}(:key)"), {"key": key})).scalar()
                await conn.commit()
            except BaseException:
                # Interrupted while asking: the server may have granted it anyway.
                await conn.invalidate()
                raise
            held = wait or bool(answer)
            if not held:
                yield False
                return
            try:
                yield True
            finally:
                await _unlock_or_discard(conn, key)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """Yield a session whose work is committed on success and rolled back on any error."""
        async with self._writing(), self.sessions() as session, session.begin():
            yield session

    @asynccontextmanager
    async def connection_transaction(self) -> AsyncIterator[AsyncConnection]:
        """Yield a connection in a transaction, committed on success and rolled back on any
        error: `transaction` without the ORM session, for the hot path's Core statements
        (a session costs a third of a one-statement transaction's CPU)."""
        async with self._writing(), self.engine.begin() as conn:
            yield conn

    @asynccontextmanager
    async def session_on(self, conn: AsyncConnection) -> AsyncIterator[AsyncSession]:
        """Yield an ORM session inside a `connection_transaction`, for the repositories; its
        work is flushed into that transaction, which alone commits or rolls back."""
        # Joined to the connection's transaction ("conditional_savepoint"): the session
        # neither commits nor rolls it back.
        session = AsyncSession(bind=conn, expire_on_commit=False)
        try:
            yield session
            await session.flush()
        finally:
            await session.close()

    @asynccontextmanager
    async def _writing(self) -> AsyncIterator[None]:
        """Take SQLite's one writer's turn (PostgreSQL: nothing to take) around a transaction,
        and turn a constraint it broke into Conflict."""
        try:
            if self._write_lock is None:
                yield
            else:
                async with self._write_lock:
                    yield
        except IntegrityError as exc:
            # Rolled back already; callers above the store know no SQLAlchemy errors.
            raise Conflict(type(exc.orig).__name__ if exc.orig else "IntegrityError") from exc

    async def ping(self) -> None:
        """Ask the database a trivial question; raise when it cannot answer."""
        async with self.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def close(self) -> None:
        """Close every pooled connection."""
        await self.engine.dispose()


async def _unlock_or_discard(conn: AsyncConnection, key: int) -> None:
    """Release a session lock; a connection that may still hold it is closed, never pooled."""
    released = False
    try:
        released = bool(
            (await conn.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": key})).scalar()
        )
        await conn.commit()
    except Exception:
        released = False
    finally:
        if not released:
            # Closing the session is what releases a session lock for sure; a pooled
            # connection holding it would block that person's updates for good.
            await conn.invalidate()


def is_unavailable(exc: BaseException) -> bool:
    """Say whether an error means the database could not be reached or answered in time.

    Such a failure changes nothing that was not rolled back and is worth retrying later;
    any other error is a bug or bad data, and retrying the same thing will fail again.
    """
    if isinstance(exc, PoolTimeout | OperationalError | InterfaceError):
        return True
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    return isinstance(exc, OSError | TimeoutError | ConnectionError)


def _ensure_parent_dir(database: str | None) -> None:
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    try:
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise StoreError(f"cannot create the folder for {database}: {exc.strerror}") from None
