"""Staff messages, sent AT LEAST ONCE and, in all but one window, exactly once.

A callback request and its outbox row were committed together before the person saw the
confirmation. The sender leases a row, sends, and records Telegram's message id and the
delivery in one transaction. If the process dies after Telegram accepted the message and
before that commit, the row's lease runs out and it is sent again, marked as a repeat of the
same code: a lost request is the worst bug this product can have, so a marked duplicate is
the price of never losing one. Every failed announcement is retried with backoff, also one
Telegram refused (the bot may have lost the right to post in the staff group); once a send may
have arrived (a timeout), every later copy is marked. The decisions live in bot/core/outbox.py.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from bot.app.clock import Clock, utc_now
from bot.app.outlet import Blocked, MaybeDelivered, NotDelivered, Outlet, Rejected
from bot.app.runs import Runs
from bot.core.knowledge import Knowledge
from bot.core.outbox import OutboxEntry, StaffSendFailure, lease, retry_later, settle
from bot.core.staff import staff_message
from bot.store import Database, leads, outbox

log = logging.getLogger(__name__)

_FAILURES: dict[type[Exception], StaffSendFailure] = {
    Rejected: StaffSendFailure.refused,
    NotDelivered: StaffSendFailure.not_sent,
    MaybeDelivered: StaffSendFailure.maybe_sent,
    Blocked: StaffSendFailure.blocked,
}


@dataclass(frozen=True)
class _Leased:
    entry: OutboxEntry
    repeated: bool


class StaffOutbox:
    """Deliver queued staff messages to the staff chat, retrying until Telegram takes them."""

    def __init__(
        self,
        db: Database,
        knowledge: Knowledge,
        outlet: Outlet,
        staff_chat_id: int | None,
        *,
        clock: Clock = utc_now,
        batch: int = 20,
    ) -> None:
        self.db = db
        self.knowledge = knowledge
        self.outlet = outlet
        self.staff_chat_id = staff_chat_id
        self.clock = clock
        self.batch = batch
        self._running = asyncio.Lock()
        # Whole runs (none without a staff chat, or while the last one is still going).
        self.runs = Runs()

    async def run_once(self) -> int:
        """Try every due outbox row once (at most `batch` of them); return how many were sent."""
        if self.staff_chat_id is None or self._running.locked():
            return 0
        delivered = 0
        async with self._running:
            with self.runs.run():
                for _ in range(self.batch):
                    # One row at a time: each lease starts just before its own send, so a slow
                    # send cannot let the leases of rows still waiting behind it run out.
                    item = await self._lease()
                    if item is None:
                        break
                    delivered += await self._deliver(item, self.staff_chat_id)
        return delivered

    async def _lease(self) -> _Leased | None:
        async with self.db.transaction() as session:
            due = await outbox.lock_pending(
                session, self.clock(), 1, skip_locked=not self.db.is_sqlite
            )
            if not due:
                return None
            entry, repeated = lease(due[0], self.clock())
            await outbox.save(session, entry)
            return _Leased(entry, repeated)

    async def _deliver(self, item: _Leased, chat_id: int) -> int:
        code = item.entry.lead_code
        async with self.db.transaction() as session:
            lead = await leads.by_code(session, code)
            if lead is None:
                await outbox.save(session, settle(item.entry, None, self.clock()))
                return 0
        message_id = lead.staff_message_id
        message = staff_message(self.knowledge, lead, repeated=item.repeated and message_id is None)
        try:
            if message_id is None:
                ids = await self.outlet.deliver(chat_id, [message])
                message_id = ids[-1] if ids else None
            else:
                await self.outlet.edit(chat_id, message_id, message)
        except Rejected as exc:
            if message_id is None:
                # Telegram refused the announcement itself (e.g. the bot may no longer post in
                # the staff group): keep retrying, as a dropped request is the worst outcome.
                log.error("the staff chat refused request %s: %s", code, exc)
                await self._later(item.entry, StaffSendFailure.refused)
                return 0
            # An edit was refused (the text did not change, or the message is gone): the
            # request itself was announced, so nothing more to do for this row.
        except (NotDelivered, MaybeDelivered, Blocked) as exc:
            await self._later(item.entry, _FAILURES[type(exc)])
            return 0
        except Exception as exc:
            # A failure nobody mapped: it may have arrived, so the resend is marked; and the
            # rows behind this one still get their turn.
            log.error("sending staff message %s failed: %s", code, type(exc).__name__)
            await self._later(item.entry, StaffSendFailure.maybe_sent)
            return 0
        async with self.db.transaction() as session:
            await outbox.save(session, settle(item.entry, message_id, self.clock()))
            await leads.set_staff_message(session, code, message_id)
        return 1

    async def _later(self, entry: OutboxEntry, failure: StaffSendFailure) -> None:
        async with self.db.transaction() as session:
            # Read again: the row is ours by lease, but stay correct if it was settled meanwhile.
            current = await outbox.get(session, entry.id)
            if current is not None:
                await outbox.save(session, retry_later(current, failure, self.clock()))
