"""The two senders that run on a tick: daily reminders, and the staff outbox.

Reminders are sent AT MOST ONCE per person and local day. A due reminder is claimed and moved
to its next due instant, with the local day recorded as sent, in one transaction that commits
BEFORE the message goes out. If the process dies after that commit and before the send, that
day's reminder is lost; it can never be sent twice, because the row already says the day was
sent. A send that failed with a definite error answer is retried (through the snooze slot, with
backoff); a send that timed out may have arrived and is not retried. A person who blocked the bot
has their reminder paused; a request Telegram refused as malformed is dropped for that day only.

Staff messages are sent AT LEAST ONCE and, in all but one window, exactly once. The request and
its outbox row were committed together before the person saw the confirmation. The sender
leases a row, sends, and records Telegram's message id and the delivery in one transaction. If
the process dies after Telegram accepted the message and before that commit, the row's lease
runs out and it is sent again, marked as a repeat of the same code: a lost request is the worst
bug this product can have, so a marked duplicate is the price of never losing one. Every failed
announcement is retried with backoff, also one Telegram refused (the bot may have lost the right
to post in the staff group); once a send may have arrived (a timeout), every later copy is marked.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.coach import Clock, utc_now
from bot.core.flows.reminder import reminder_message
from bot.core.knowledge import Knowledge
from bot.core.schedule import catch_up, local_day, next_due
from bot.core.staff import staff_message
from bot.core.state import ConversationState
from bot.core.turn import ReminderInfo
from bot.core.zones import zone_from_key
from bot.delivery import Blocked, MaybeDelivered, NotDelivered, Outlet, Rejected
from bot.store import leads, reminders
from bot.store.db import Database
from bot.store.schema import Outbox, Reminder

log = logging.getLogger(__name__)

CATCH_UP = timedelta(hours=2)
MAX_SEND_ATTEMPTS = 5
STAFF_LEASE = timedelta(minutes=2)
_MAYBE = MaybeDelivered.__name__


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder, ready to send."""

    user_id: int
    day: date
    state_json: str


@dataclass
class DispatchStats:
    """What one run of the reminder dispatcher did."""

    sent: int = 0
    skipped_late: int = 0
    failed: int = 0
    paused: int = 0
    retried: int = 0
    claimed: list[int] = field(default_factory=list)


class ReminderDispatcher:
    """Send every due reminder once, as fast as the outlet's rate limit allows."""

    def __init__(
        self,
        db: Database,
        knowledge: Knowledge,
        outlet: Outlet,
        *,
        clock: Clock = utc_now,
        batch: int = 200,
        concurrency: int = 16,
        only_user: int | None = None,
    ) -> None:
        self.db = db
        self.only_user = only_user
        self.knowledge = knowledge
        self.outlet = outlet
        self.clock = clock
        self.batch = batch
        # Sends in flight at once. 16 covers ~150 a second at Telegram's ~100 ms round trip;
        # more only opens more HTTP connections, and httpx's pool pays for each one on every
        # request (64 in flight cost ~4 ms of CPU per send against ~2.4 ms at 8-16).
        self._slots = asyncio.Semaphore(concurrency)
        self._running = asyncio.Lock()

    async def run_once(self) -> DispatchStats:
        """Claim and send due reminders until none is left due."""
        stats = DispatchStats()
        if self._running.locked():
            return stats  # the previous tick is still sending
        async with self._running:
            # The next batch is claimed while the last one is still going out: a claim is a
            # transaction over a few hundred rows, and waiting for it between batches left the
            # rate limiter idle (fan-out at 300/s lost ~1 s in 30).
            sending: asyncio.Future[list[None]] | None = None
            try:
                while True:
                    found, due = await self._claim(self.clock(), stats)
                    if sending is not None:
                        await sending
                        sending = None
                    if due:
                        sending = asyncio.gather(*(self._send(item, stats) for item in due))
                    if found < self.batch:
                        break  # a full batch may have more due rows behind it, even if none sent
            finally:
                if sending is not None:
                    await sending
        return stats

    async def _claim(self, now: datetime, stats: DispatchStats) -> tuple[int, list[DueReminder]]:
        """Move the due rows on; return how many were due and the ones to send."""
        claimed: list[DueReminder] = []
        async with self.db.transaction() as session:
            rows = await reminders.lock_due(
                session,
                now,
                self.batch,
                skip_locked=not self.db.is_sqlite,
                only_user=self.only_user,
            )
            for row, state_json in rows:
                item = self._advance(row, now, stats)
                if item is not None:
                    claimed.append(DueReminder(row.user_id, item, state_json))
                row.updated_at = now
        stats.claimed.extend(d.user_id for d in claimed)
        return len(rows), claimed

    def _advance(self, row: Reminder, now: datetime, stats: DispatchStats) -> date | None:
        """Move a due row on; return the local day to send for, or None to send nothing."""
        info: ReminderInfo = reminders.info_of(row)
        try:
            zone = zone_from_key(info.zone)
        except ValueError:
            row.paused = True  # a zone the tz database no longer knows: stop, don't loop
            return None
        if row.snooze_due is not None and row.snooze_due <= now:
            # A snooze, or a resend after a failed attempt, of the day already recorded.
            late = not catch_up(row.snooze_due, now, CATCH_UP)
            row.snooze_due = None
            if late or row.last_day is None:
                stats.skipped_late += late
                return None
            return row.last_day
        due = row.next_due
        if due is None or due > now:
            return None
        if not catch_up(due, now, CATCH_UP):
            # The bot was down too long for that one: skip it, but not a later occurrence
            # that is still within the catch-up window (or due right now).
            stats.skipped_late += 1
            due = next_due(info.at, zone, info.days, now - CATCH_UP)
            if due > now:
                row.next_due = due
                return None
        row.next_due = next_due(info.at, zone, info.days, due)
        day = local_day(due, zone)
        if row.last_day == day:
            return None  # already sent for this local day (e.g. the time was changed)
        row.last_day = day
        row.attempts = 0
        return day

    async def _send(self, item: DueReminder, stats: DispatchStats) -> None:
        try:
            state = ConversationState.model_validate_json(item.state_json)
        except ValidationError:
            state = ConversationState()
        message = reminder_message(self.knowledge, state, item.day)
        async with self._slots:
            try:
                await self.outlet.deliver(item.user_id, [message])
                stats.sent += 1
            except Blocked:
                stats.paused += 1
                await self._pause(item.user_id)
            except Rejected as exc:
                # The request was wrong, not the person gone: pausing would let one bad
                # message switch everyone's reminders off for good. Tomorrow's is tried anew.
                stats.failed += 1
                log.error("a reminder was refused: %s", exc)
            except NotDelivered:
                stats.failed += 1
                stats.retried += await self._retry_later(item)
            except MaybeDelivered:
                # May have arrived: resending could make it twice in one day.
                stats.failed += 1
                log.warning("a reminder send timed out; not resent (at most once a day)")
            except Exception as exc:
                # Unknown whether it arrived, so not resent; and one person's failure must
                # not stop the reminders sent beside it.
                stats.failed += 1
                log.error("a reminder send failed: %s", type(exc).__name__)

    async def _pause(self, user_id: int) -> None:
        async with self.db.transaction() as session:
            row = await reminders.get(session, user_id)
            if row is not None:
                row.paused = True
                row.snooze_due = None
                row.updated_at = self.clock()

    async def _retry_later(self, item: DueReminder) -> int:
        now = self.clock()
        async with self.db.transaction() as session:
            row = await reminders.get(session, item.user_id)
            if row is None or row.last_day != item.day or row.attempts >= MAX_SEND_ATTEMPTS:
                return 0
            row.attempts += 1
            row.snooze_due = now + timedelta(seconds=30 * 2 ** (row.attempts - 1))
            row.updated_at = now
            return 1


@dataclass(frozen=True)
class _Claimed:
    outbox_id: int
    code: str
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

    async def run_once(self) -> int:
        """Try every due outbox row once (at most `batch` of them); return how many were sent."""
        if self.staff_chat_id is None or self._running.locked():
            return 0
        delivered = 0
        async with self._running:
            for _ in range(self.batch):
                # One row at a time: each lease starts just before its own send, so a slow
                # send cannot let the leases of rows still waiting behind it run out.
                item = await self._claim(self.clock())
                if item is None:
                    break
                delivered += await self._deliver(item, self.staff_chat_id)
        return delivered

    async def _claim(self, now: datetime) -> _Claimed | None:
        async with self.db.transaction() as session:
            rows = await leads.lock_pending(session, now, 1, skip_locked=not self.db.is_sqlite)
            if not rows:
                return None
            row = rows[0]
            # A row still leased from an attempt that never finished (a crash after the send),
            # or one whose earlier send may have arrived, is resent marked as a repeat.
            repeated = row.sending_since is not None or _maybe_arrived(row.last_error)
            row.attempts += 1
            row.sending_since = now
            row.next_attempt_at = now + STAFF_LEASE
            return _Claimed(row.id, row.lead_code, repeated)

    async def _deliver(self, item: _Claimed, chat_id: int) -> int:
        async with self.db.transaction() as session:
            lead = await leads.by_code(session, item.code)
            if lead is None:
                await _settle(session, item.outbox_id, self.clock(), None)
                return 0
            view = leads.staff_view(lead)
            message_id = lead.staff_message_id
        message = staff_message(self.knowledge, view, repeated=item.repeated and message_id is None)
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
                log.error("the staff chat refused request %s: %s", item.code, exc)
                await self._later(item, "Rejected")
                return 0
            # An edit was refused (the text did not change, or the message is gone): the
            # request itself was announced, so nothing more to do for this row.
        except (NotDelivered, MaybeDelivered, Blocked) as exc:
            await self._later(item, type(exc).__name__)
            return 0
        except Exception as exc:
            # A failure nobody mapped: it may have arrived, so the resend is marked; and the
            # rows behind this one still get their turn.
            log.error("sending staff message %s failed: %s", item.code, type(exc).__name__)
            await self._later(item, _MAYBE)
            return 0
        now = self.clock()
        async with self.db.transaction() as session:
            await _settle(session, item.outbox_id, now, message_id)
            lead = await leads.by_code(session, item.code)
            if lead is not None and lead.staff_message_id is None:
                lead.staff_message_id = message_id
        return 1

    async def _later(self, item: _Claimed, error: str) -> None:
        async with self.db.transaction() as session:
            row = await session.get(Outbox, item.outbox_id)
            if row is None:
                return
            row.sending_since = None
            row.next_attempt_at = self.clock() + leads.backoff(row.attempts)
            if error != _MAYBE and _maybe_arrived(row.last_error):
                # Keep knowing that an earlier copy may have arrived, so the one that gets
                # through is still marked as a possible repeat.
                error = f"{error} after {_MAYBE}"
            row.last_error = error


def _maybe_arrived(last_error: str | None) -> bool:
    return last_error is not None and _MAYBE in last_error


async def _settle(
    session: AsyncSession, outbox_id: int, now: datetime, message_id: int | None
) -> None:
    row = await session.get(Outbox, outbox_id)
    if row is not None:
        row.sent_at = now
        row.sending_since = None
        row.sent_message_id = message_id
