"""An aiosqlite connection that runs a transaction's statements on the event loop's thread.

aiosqlite runs every call in a thread of its own: SQLAlchemy makes three or four calls per
statement (cursor, execute, fetch, close), each a hop to that thread and a wake-up of the
event loop to come back. A conversation step made ~30 of them, and the hops, not SQLite,
were most of the step's CPU time (profiled with py-spy on `python -m bench.bench_telegram`).

Here only what can wait for another process goes to the thread: connecting, and a statement
outside a transaction; that is the `BEGIN IMMEDIATE` every transaction of the store starts
with (it waits up to busy_timeout for a writer in another process), and the set-up PRAGMAs.
Once the transaction holds SQLite's write lock, in WAL mode nothing in it waits for anyone:
its reads see a snapshot, its writes and its commit append to the WAL (no fsync with
synchronous=NORMAL). Those calls take microseconds and run inline. A connection whose
journal is not WAL (a file system without shared memory) keeps every call on the thread,
since a commit there waits for readers.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

import aiosqlite

# sqlite3 methods that run SQL, and may therefore wait for a lock when no transaction is open.
_RUNS_SQL = frozenset({"execute", "executemany", "executescript"})


class InlineConnection(aiosqlite.Connection):
    """aiosqlite, but a WAL transaction's statements run on the caller's thread."""

    # Set by the store once the connection's journal mode is known to be WAL.
    inline = False

    async def _execute(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        """Run `fn` inline when it cannot wait for a lock, else on the connection's thread."""
        connection = self._connection
        if (
            self.inline
            and self._running
            and connection is not None
            and (connection.in_transaction or getattr(fn, "__name__", "") not in _RUNS_SQL)
        ):
            return fn(*args, **kwargs)
        return await super()._execute(fn, *args, **kwargs)


def connector(database: str, timeout: float) -> Callable[[], InlineConnection]:
    """Return an `async_creator` for SQLAlchemy that opens `database` as an InlineConnection."""

    def connect() -> sqlite3.Connection:
        # Opened on the connection's thread, used from the loop's thread too (never at once:
        # each call is awaited before the next).
        return sqlite3.connect(database, timeout=timeout, check_same_thread=False)

    async def create() -> InlineConnection:
        connection = InlineConnection(connect, iter_chunk_size=64)
        connection._thread.daemon = True  # as SQLAlchemy's own aiosqlite dialect does
        return await connection

    return create
