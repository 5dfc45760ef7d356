"""An aiosqlite connection that runs a transaction's statements on the event loop's thread.

aiosqlite runs every call in a thread of its own: SQLAlchemy makes three or four calls per
statement (cursor, execute, fetch, close), each a hop to that thread and a wake-up of the
event loop to come back. A conversation step made ~30 of them, and the hops, not SQLite,
were most of the step's CPU time (profiled with py-spy on `python -m bench.bench_telegram`).

Here only what waits for another process goes to the thread: connecting, the set-up PRAGMAs,
and a `BEGIN IMMEDIATE` (every transaction of the store starts with one) that finds another
process writing: it is tried inline without waiting first, and only when the write lock is
taken is it run again on the thread, waiting up to busy_timeout as before. Once the
transaction holds SQLite's write lock, in WAL mode nothing in it waits for anyone: its reads
see a snapshot, its writes and its commit append to the WAL (no fsync with
synchronous=NORMAL). Those calls take microseconds and run inline. A connection whose journal
is not WAL (a file system without shared memory) keeps every call on the thread, since a
commit there waits for readers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Awaitable, Callable
from typing import Any

import aiosqlite

BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for another process's write lock
# sqlite3 methods that run SQL, and may therefore wait for a lock when no transaction is open.
_RUNS_SQL = frozenset({"execute", "executemany", "executescript"})


class InlineConnection(aiosqlite.Connection):
    """aiosqlite, but a WAL transaction's statements run on the caller's thread."""

    # Set by the store once the connection's journal mode is known to be WAL.
    inline = False

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `fn` inline when it cannot wait for a lock, else on the connection's thread."""
        connection = self._connection
        if not (self.inline and self._running and connection is not None):
            return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]
        if connection.in_transaction or getattr(fn, "__name__", "") not in _RUNS_SQL:
            return fn(*args, **kwargs)
        # SQL outside a transaction (the BEGIN IMMEDIATE): try it without waiting; only if
        # another process holds the write lock, wait for it on the thread, as aiosqlite does.
        connection.execute("PRAGMA busy_timeout=0")
        try:
            return fn(*args, **kwargs)
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF not in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED):
                raise
        finally:
            connection.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
        return await super()._execute(fn, *args, **kwargs)  # type: ignore[no-untyped-call]


def connector(database: str) -> Callable[[], Awaitable[InlineConnection]]:
    """Return an `async_creator` for SQLAlchemy that opens `database` as an InlineConnection."""

    def connect() -> sqlite3.Connection:
        # Opened on the connection's thread, used from the loop's thread too (never at once:
        # each call is awaited before the next).
        return sqlite3.connect(database, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    async def create() -> InlineConnection:
        connection = InlineConnection(connect, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy's own aiosqlite dialect does
        await connection
        return connection

    return create
