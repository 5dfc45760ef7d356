"""Daily reminders, sent AT MOST ONCE per person and local day.

A due reminder is claimed and moved to its next due instant, with the local day recorded as
sent, in one transaction that commits BEFORE the message goes out. If the process dies after
that commit and before the send, that day's reminder is lost; it can never be sent twice,
because the store already says the day was sent. A send that failed with a definite error
answer is retried (through the snooze slot, with backoff); a send that timed out may have
arrived and is not retried. A person who blocked the bot has their reminder paused; a request
Telegram refused as malformed is dropped for that day only. The decisions themselves are pure
functions in bot/core/reminders.py.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from pydantic import ValidationError

from bot.app.clock import Clock, utc_now
from bot.app.drawing import drawn
from bot.app.metrics import Metrics
from bot.app.outlet import Blocked, MaybeDelivered, NotDelivered, Outlet, Rejected
from bot.app.runs import Runs
from bot.core.flows.reminder import REMINDER_PREFIX, reminder_message
from bot.core.knowledge import Knowledge
from bot.core.reminders import Reminder, SendFailure, SendKind, after_failure, claim, lag_of
from bot.core.replies import Reply
from bot.core.review import weekly_review
from bot.core.state import ConversationState
from bot.store import Database, checkins, feedback, reminders
from bot.store import program as program_store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DueReminder:
    """A claimed reminder, ready to send."""

    user_id: int
    day: date
    state_json: str
    kind: SendKind = SendKind.main


@dataclass
class SendStats:
    """What one run of the reminder sender did."""

    sent: int = 0
    skipped_late: int = 0
    failed: int = 0
    paused: int = 0
    retried: int = 0
    claimed: list[int] = field(default_factory=list)


class ReminderSender:
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
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
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
        # Whole runs (a tick skipped because the last one is still sending is none).
        self.runs = Runs()

    async def run_once(self) -> SendStats:
        """Claim and send due reminders until none is left due."""
        stats = SendStats()
        if self._running.locked():
            return stats  # the previous tick is still sending
        async with self._running:
            with self.runs.run():
                await self._send_due(stats)
        return stats

    async def _send_due(self, stats: SendStats) -> None:
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

    async def _claim(self, now: datetime, stats: SendStats) -> tuple[int, list[DueReminder]]:
        """Move the due reminders on; return how many were due and the ones to send."""
        claimed: list[DueReminder] = []
        async with self.db.transaction() as session:
            due = await reminders.lock_due(
                session,
                now,
                self.batch,
                skip_locked=not self.db.is_sqlite,
                only_user=self.only_user,
            )
            moved_on: list[tuple[int, Reminder]] = []
            for user_id, reminder, state_json in due:
                if self.metrics is not None:
                    self.metrics.reminder_lag.observe(lag_of(reminder, now))
                decided = claim(reminder, now, self.knowledge.reminders)
                stats.skipped_late += decided.skipped_late
                moved_on.append((user_id, decided.reminder))
                claimed.extend(
                    DueReminder(user_id, send.day, state_json, send.kind) for send in decided.sends
                )
            await reminders.put_existing(session, moved_on, now)
        stats.claimed.extend(d.user_id for d in claimed)
        return len(due), claimed

    async def _send(self, item: DueReminder, stats: SendStats) -> None:
        try:
            state = ConversationState.model_validate_json(item.state_json)
        except ValidationError:
            state = ConversationState()
        if item.kind is SendKind.review:
            messages = await self._review(item, state)
        else:
            message = reminder_message(self.knowledge, state, item.day, item.kind)
            messages = [message] if message is not None else []
        if not messages:
            return  # nothing to send of this kind today (a warning sign stands)
        async with self._slots:
            try:
                await self.outlet.deliver(item.user_id, messages)
                stats.sent += 1
                return
            except Blocked:
                stats.paused += 1
                failure = SendFailure.blocked
            except Rejected as exc:
                # The request was wrong, not the person gone: pausing would let one bad
                # message switch everyone's reminders off for good. Tomorrow's is tried anew.
                log.error("a reminder was refused: %s", exc)
                failure = SendFailure.refused
            except NotDelivered:
                failure = SendFailure.not_sent
            except MaybeDelivered:
                # May have arrived: resending could make it twice in one day.
                log.warning("a reminder send timed out; not resent (at most once a day)")
                failure = SendFailure.maybe_sent
            except Exception as exc:
                # Unknown whether it arrived, so not resent; and one person's failure must
                # not stop the reminders sent beside it.
                log.error("a reminder send failed: %s", type(exc).__name__)
                failure = SendFailure.maybe_sent
        if failure is SendFailure.blocked:
            await self._after_failure(item, failure)
            return
        stats.failed += 1
        if failure is SendFailure.not_sent and item.kind is SendKind.main:
            stats.retried += await self._after_failure(item, failure)

    async def _review(self, item: DueReminder, state: ConversationState) -> list[Reply]:
        """Compose the weekly review from the person's week (nothing while a sign stands)."""
        if not (state.routine or state.program) or state.safety.signs:
            return []
        async with self.db.transaction() as session:
            reminder = await reminders.get(session, item.user_id)
            history = await checkins.recent(session, item.user_id)
            changes = await program_store.changes(session, item.user_id)
            function = await program_store.function_measures(session, item.user_id)
            felt = await feedback.history(session, item.user_id, since=item.day - timedelta(days=7))
        if reminder is None:
            return []
        replies = weekly_review(
            self.knowledge,
            today=item.day,
            days=reminder.days,
            checkins=history,
            changes=changes,
            function=function,
            prefix=REMINDER_PREFIX,
            moved_days={f.day for f in felt},
        )
        return await drawn(replies)

    async def _after_failure(self, item: DueReminder, failure: SendFailure) -> bool:
        """Record what a failed send means for the reminder; say whether anything changed."""
        now = self.clock()
        async with self.db.transaction() as session:
            reminder = await reminders.get(session, item.user_id)
            changed = reminder and after_failure(reminder, item.day, failure, now)
            if not changed:
                return False
            await reminders.put(session, item.user_id, changed, now)
            return True
