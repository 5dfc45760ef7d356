"""The staff side: what admins can see and do with callback requests."""

from __future__ import annotations

from datetime import datetime

from bot.core.leads import Lead, LeadStatus
from bot.core.stats import Stats
from bot.store import Database, leads, stats


class StaffDesk:
    """Read and update callback requests on behalf of staff."""

    def __init__(self, db: Database, admin_ids: tuple[int, ...]) -> None:
        self.db = db
        self.admin_ids = frozenset(admin_ids)

    def is_admin(self, user_id: int | None) -> bool:
        """Say whether this Telegram user may use the staff commands and buttons."""
        return user_id is not None and user_id in self.admin_ids

    async def listing(self, *, active_only: bool) -> list[Lead]:
        """Return requests, newest first."""
        async with self.db.transaction() as session:
            return await leads.listing(session, active_only=active_only)

    async def stats(self, now: datetime) -> Stats:
        """Return the week's numbers and the backlog for /stats."""
        async with self.db.transaction() as session:
            return await stats.weekly(session, now)

    async def find(self, code: str) -> Lead | None:
        """Return one request by its code."""
        async with self.db.transaction() as session:
            return await leads.by_code(session, code)

    async def mark(
        self, code: str, status: LeadStatus, handled_by: str, now: datetime
    ) -> Lead | None:
        """Record who contacted or closed a request, and queue the staff message's update.

        Return None when nothing was marked: no such request, or it was withdrawn meanwhile.
        """
        async with self.db.transaction() as session:
            lead = await leads.mark(session, code, status, handled_by, now)
        return lead if lead is not None and lead.status is status else None
