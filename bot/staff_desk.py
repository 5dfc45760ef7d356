"""The staff side: what admins can see and do with callback requests."""

from __future__ import annotations

from datetime import datetime

from bot.core.staff import StaffLead
from bot.core.turn import LeadStatus
from bot.store import leads
from bot.store.db import Database


class StaffDesk:
    """Read and update callback requests on behalf of staff."""

    def __init__(self, db: Database, admin_ids: tuple[int, ...]) -> None:
        self.db = db
        self.admin_ids = frozenset(admin_ids)

    def is_admin(self, user_id: int | None) -> bool:
        """Say whether this Telegram user may use the staff commands and buttons."""
        return user_id is not None and user_id in self.admin_ids

    async def listing(self, *, active_only: bool) -> list[StaffLead]:
        """Return requests, newest first."""
        async with self.db.transaction() as session:
            return [
                leads.staff_view(r) for r in await leads.listing(session, active_only=active_only)
            ]

    async def find(self, code: str) -> StaffLead | None:
        """Return one request by its code."""
        async with self.db.transaction() as session:
            row = await leads.by_code(session, code)
            return leads.staff_view(row) if row else None

    async def mark(
        self, code: str, status: LeadStatus, handled_by: str, now: datetime
    ) -> StaffLead | None:
        """Record who contacted or closed a request, and queue the staff message's update."""
        async with self.db.transaction() as session:
            row = await leads.mark(session, code, status, handled_by, now)
            if row is None:
                return None
            leads.queue_staff_message(session, row.code, now)
            return leads.staff_view(row)
