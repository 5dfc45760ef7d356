"""SQLite for SQLAlchemy's asyncio engine, run on the event loop's thread.

The store's SQLite file first ran on aiosqlite, which runs every call in a thread of its own;
SQLAlchemy's adapter makes three or four awaited calls per statement (cursor, execute, fetch,
close), each a switch out of SQLAlchemy's greenlet and a hop to that thread. A conversation
step's nine statements spent about 1.7 ms of CPU there, a tenth of it in SQLite (cProfile on
the step's store work; py-spy on `python -m bench.bench_telegram` before that).

Here the file is opened with Python's own sqlite3 driver, and SQLAlchemy's asyncio engine
runs it inside its greenlet on the loop's thread: a statement is a plain sqlite3 call. That is
right because in WAL mode a transaction that holds the write lock (every transaction of the
store starts with `BEGIN IMMEDIATE`) never waits for anyone: its reads see a snapshot, its
writes and commit append to the WAL (no fsync with synchronous=NORMAL). The one wait left is
for another process's write lock, at BEGIN (or a statement outside a transaction). SQLite's
own busy handler would sleep on the loop's thread, stopping every other person's step; so in
WAL mode the handler is off (busy_timeout 0) and such a statement, refused with SQLITE_BUSY,
is tried again after an asyncio sleep, up to BUSY_TIMEOUT_MS, while the loop goes on.

A journal that is not WAL (a file system without shared memory) keeps SQLite's busy handler
for every statement: there a commit waits for readers, and a statement in a transaction that
meets a lock is not safe to retry. Such a store is for a single process.
"""

from __future__ import annotations

import asyncio
import sqlite3
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator
from typing import Any, TypeVar

from greenlet import getcurrent
from sqlalchemy import URL, pool
from sqlalchemy.dialects import registry
from sqlalchemy.dialects.sqlite.pysqlite import SQLiteDialect_pysqlite
from sqlalchemy.engine.interfaces import DBAPIConnection
from sqlalchemy.util.concurrency import await_only, in_greenlet

BUSY_TIMEOUT_MS = 30_000  # how long a statement waits for another process's write lock
DRIVER = "footcoach_loop"  # the URL's driver name: sqlite+footcoach_loop:///path
_FIRST_PAUSE_S = 0.001
_LONGEST_PAUSE_S = 0.05
_BUSY = (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)

T = TypeVar("T")


class LoopConnection(sqlite3.Connection):
    """A sqlite3 connection whose waits for another process's lock do not stop the loop."""

    # Set on connect: whether the journal is WAL, where nothing in a transaction waits.
    wal = False

    def cursor(self, factory: Any = None) -> Any:
        """Return a cursor that waits for locks the loop's way."""
        return super().cursor(factory or LoopCursor)

    def execute(self, sql: str, parameters: Any = (), /) -> Any:
        """Run a statement on a new cursor of ours (sqlite3's shortcut makes a plain one)."""
        return self.cursor().execute(sql, parameters)


class LoopCursor(sqlite3.Cursor):
    """A cursor whose statements outside a transaction wait for locks off SQLite's handler,
    and whose rows are read whole at once."""

    # Rows are fetched as the statement runs, as SQLAlchemy's asyncio drivers do: a result
    # read after its transaction, or beside a later statement, holds no SQLite statement open.
    _rows: deque[Any]

    def execute(self, sql: str, parameters: Any = (), /) -> LoopCursor:
        """Run a statement; one that waits for a lock waits in asyncio sleeps."""
        self._waiting_the_loop_way(lambda: super(LoopCursor, self).execute(sql, parameters))
        self._rows = deque(super().fetchall()) if self.description else deque()
        _pass_by_the_loop()
        return self

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> LoopCursor:
        """Run a statement for each set of parameters, as `execute` waits."""
        self._waiting_the_loop_way(
            lambda: super(LoopCursor, self).executemany(sql, seq_of_parameters)
        )
        self._rows = deque()
        _pass_by_the_loop()
        return self

    def _waiting_the_loop_way(self, call: Callable[[], object]) -> None:
        """Make the call; outside a WAL transaction, wait for a lock in asyncio sleeps."""
        connection = self.connection
        if connection.in_transaction or not getattr(connection, "wal", False):
            call()
        else:
            _patiently(call)

    def fetchone(self) -> Any:
        """Return the next row, or None."""
        rows = getattr(self, "_rows", None)
        return rows.popleft() if rows else None

    def fetchmany(self, size: int | None = None) -> list[Any]:
        """Return up to `size` (arraysize) more rows."""
        rows = getattr(self, "_rows", None) or deque()
        count = min(self.arraysize if size is None else size, len(rows))
        return [rows.popleft() for _ in range(count)]

    def fetchall(self) -> list[Any]:
        """Return the rows left."""
        rows = getattr(self, "_rows", None) or deque()
        left = list(rows)
        rows.clear()
        return left

    def __next__(self) -> Any:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    async def _async_soft_close(self) -> None:
        """Nothing to close before the result goes back to async code: the rows are read."""


class _Done(Awaitable[None]):
    """An awaitable that is done already."""

    def __await__(self) -> Generator[Any, None, None]:
        return (yield from ())


_DONE = _Done()


def _pass_by_the_loop() -> None:
    """Switch to the event loop's side of SQLAlchemy's greenlet and straight back.

    SQLAlchemy's AsyncConnection.execute refuses a statement that never went through the
    loop (AwaitRequired, its guard against a blocking driver); one switch on an awaitable that
    is done already satisfies it, for a few microseconds.
    """
    current = getcurrent()
    # Once per greenlet: SQLAlchemy spawns one for each call it runs, and asks only that.
    if getattr(current, "__sqlalchemy_greenlet_provider__", False) and not getattr(
        current, "footcoach_passed", False
    ):
        current.footcoach_passed = True
        await_only(_DONE)


def _patiently(call: Callable[[], T]) -> T:
    """Make a call that SQLite may refuse as busy, trying again until BUSY_TIMEOUT_MS."""
    deadline = time.monotonic() + BUSY_TIMEOUT_MS / 1000
    pause = _FIRST_PAUSE_S
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if exc.sqlite_errorcode & 0xFF not in _BUSY or time.monotonic() >= deadline:
                raise
        if in_greenlet():
            await_only(asyncio.sleep(pause))  # the loop runs other steps meanwhile
        else:
            time.sleep(pause)  # a synchronous caller (a script) has no loop to keep going
        pause = min(pause * 2, _LONGEST_PAUSE_S)


class LoopSQLiteDialect(SQLiteDialect_pysqlite):
    """SQLAlchemy's pysqlite dialect, for its asyncio engine: statements on the loop's thread,
    every transaction `BEGIN IMMEDIATE`, WAL with NORMAL sync (safe against process crashes)."""

    driver = DRIVER
    is_async = True
    supports_statement_cache = True

    @classmethod
    def get_pool_class(cls, url: URL) -> type[pool.Pool]:
        """Pool a file's connections the asyncio way (waiting for one awaits)."""
        if cls._is_url_file_db(url):
            return pool.AsyncAdaptedQueuePool
        return pool.StaticPool

    def create_connect_args(self, url: URL) -> Any:
        """Open connections as LoopConnection, usable from the loop's greenlets."""
        args, options = super().create_connect_args(url)
        # Transactions begin where SQLAlchemy says (do_begin), not where sqlite3 guesses.
        options.update(factory=LoopConnection, check_same_thread=False, isolation_level=None)
        options.setdefault("timeout", BUSY_TIMEOUT_MS / 1000)
        return args, options

    def on_connect(self) -> Callable[[DBAPIConnection], None]:
        """Set up each new connection: the dialect's functions, then the journal."""
        functions = super().on_connect()

        def set_up(dbapi_connection: DBAPIConnection) -> None:
            functions(dbapi_connection)
            cursor = dbapi_connection.cursor()
            try:
                cursor.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
                cursor.execute("PRAGMA journal_mode=WAL")
                journal: Any = cursor.fetchone()
                wal = bool(journal) and str(journal[0]).lower() == "wal"
                if wal:
                    cursor.execute("PRAGMA busy_timeout=0")
                cursor.execute("PRAGMA synchronous=NORMAL")
                cursor.execute("PRAGMA foreign_keys=ON")
            finally:
                cursor.close()
            if isinstance(dbapi_connection, LoopConnection):
                dbapi_connection.wal = wal

        return set_up

    def do_begin(self, dbapi_connection: Any) -> None:
        """Begin with the write lock taken, so two processes never deadlock on upgrade."""
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("BEGIN IMMEDIATE")
        finally:
            cursor.close()


registry.register(f"sqlite.{DRIVER}", __name__, "LoopSQLiteDialect")
