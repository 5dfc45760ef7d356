"""The store: the one place that remembers; nothing above it writes SQL or imports SQLAlchemy.

Application code opens `Database.transaction()` and passes the session it yields (typed as
`Session`) to the repository modules (users, reminders, checkins, leads, outbox, inbox,
privacy), which read and write plain values from bot.core.
"""

from sqlalchemy.ext.asyncio import AsyncSession as Session

from bot.store.db import Conflict, Database, StoreError, is_unavailable

__all__ = ["Conflict", "Database", "Session", "StoreError", "is_unavailable"]
