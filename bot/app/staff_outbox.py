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

from bot.app import reports
from bot.app.clock import Clock, utc_now
from bot.app.outlet import Blocked, MaybeDelivered, NotDelivered, Outlet, Rejected
from bot.app.runs import Runs
from bot.core.knowledge import Knowledge
from bot.core.leads import Lead, LeadStatus
from bot.core.outbox import OutboxEntry, StaffSendFailure, Topic, lease, retry_later, settle
from bot.core.replies import Document
from bot.core.staff import signs_notice, staff_message
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
        announced = message_id is not None
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
        # New warning signs on a request staff have seen: the edit above makes no sound.
        new_signs = announced and item.entry.topic is Topic.signs_added
        if new_signs and not await self._notice(item.entry, lead, chat_id):
            return 0
        if not announced and message_id is not None and self._report_to_do(lead):
            # Kept before the report goes, so that a retry edits the announcement, never
            # announces the request twice.
            async with self.db.transaction() as session:
                await leads.set_staff_message(session, code, message_id)
        if not await self._report(item.entry, lead, chat_id):
            return 0
        async with self.db.transaction() as session:
            await outbox.save(session, settle(item.entry, message_id, self.clock()))
            await leads.set_staff_message(session, code, message_id)
        return 1

    async def _notice(self, entry: OutboxEntry, lead: Lead, chat_id: int) -> bool:
        """Say in a new message that the request has new warning signs; False when that
        failed and the row waits for a retry (which edits again, harmlessly, then says it)."""
        notice = signs_notice(self.knowledge, lead)
        if notice is None:
            return True
        try:
            await self.outlet.deliver(chat_id, [notice])
        except Rejected as exc:
            log.warning("the staff chat refused the new signs of request %s: %s", lead.code, exc)
        except (NotDelivered, MaybeDelivered, Blocked) as exc:
            await self._later(entry, _FAILURES[type(exc)])
            return False
        except Exception as exc:
            log.error("the new signs of request %s failed: %s", lead.code, type(exc).__name__)
            await self._later(entry, StaffSendFailure.maybe_sent)
            return False
        return True

    @staticmethod
    def _report_to_do(lead: Lead) -> bool:
        """Say whether the request's report is still to send, or (forgotten) to delete."""
        if lead.report_message_id is not None:
            return lead.status is LeadStatus.withdrawn and not (lead.name or lead.phone)
        return lead.report_wanted and lead.status.active

    async def _report(self, entry: OutboxEntry, lead: Lead, chat_id: int) -> bool:
        """Send the report the person asked to attach, or delete it after /forget; False when
        that failed and the row waits for a retry."""
        if not self._report_to_do(lead):
            return True
        code = lead.code
        try:
            if lead.report_message_id is not None:
                await self.outlet.delete(chat_id, lead.report_message_id)
                message_id = None
            else:
                document = await self._report_document(code)
                if document is None:
                    return True  # nothing to report about (the person was forgotten)
                message_id = (await self.outlet.deliver(chat_id, [document]))[-1]
        except Rejected as exc:
            # A message too old to delete, or a refused file: say so (no personal data), and
            # leave the request as it stands.
            log.warning("the report of request %s was refused: %s", code, exc)
            message_id = None
        except (NotDelivered, MaybeDelivered, Blocked) as exc:
            await self._later(entry, _FAILURES[type(exc)])
            return False
        except Exception as exc:
            # The request itself is with the staff; a report that cannot be made is let go.
            log.error("the report of request %s failed: %s", code, type(exc).__name__)
            message_id = None
        async with self.db.transaction() as session:
            await leads.set_report_message(session, code, message_id)
            if message_id is None and lead.report_message_id is None:
                await leads.report_not_sent(session, code)
        return True

    async def _report_document(self, code: str) -> Document | None:
        """Gather and draw the report of the request's person, as a file for the staff chat."""
        async with self.db.transaction() as session:
            user_id = await leads.user_of(session, code)
            if user_id is None:
                return None
            data = await reports.gather(session, self.knowledge, user_id, self.clock())
        if data is None:
            return None
        pdf = await reports.draw(data)
        caption = self.knowledge.say("staff_report_caption", code=code)
        return Document(filename=f"footcoach-report-{code}.pdf", content=pdf, caption=caption)

    async def _later(self, entry: OutboxEntry, failure: StaffSendFailure) -> None:
        async with self.db.transaction() as session:
            # Read again: the row is ours by lease, but stay correct if it was settled meanwhile.
            current = await outbox.get(session, entry.id)
            if current is not None:
                await outbox.save(session, retry_later(current, failure, self.clock()))
