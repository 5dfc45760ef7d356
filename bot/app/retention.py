"""Data that expires, run by the dispatcher: the notice a week before, the erasure, old requests.

Each run, in this order:

- People quiet for RETENTION_DAYS - 7 days are told the date their data goes, once: the notice
  is claimed (recorded with the date) in a transaction that commits BEFORE it is sent, as the
  reminders are, so no run and no other worker sends it twice. It goes between 10:00 and 20:00
  where the person is (their zone, else their reminder's, else UTC); outside those hours the
  person is left until the next 10:00. Only a send that certainly failed is taken back, to be
  tried an hour later (and then the date moves, so it is always a week after the notice).
- People told whose date has come, and who have still said nothing, are erased by
  bot/store/privacy.py's `forget`, the very function /forget uses.
- Callback requests closed or withdrawn LEAD_RETENTION_DAYS ago are deleted with their staff
  message rows.

Everything is claimed with SKIP LOCKED on PostgreSQL, and a person in the middle of a step (their
step lock is held), or with an update received and not yet applied, is skipped this time: they
are writing, so not someone to tell or erase.
The logs name people by internal id only.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from pydantic import ValidationError

from bot.app.clock import Clock, utc_now
from bot.app.outlet import Blocked, MaybeDelivered, NotDelivered, Outlet, Rejected
from bot.app.runs import Runs
from bot.core.knowledge import Knowledge
from bot.core.retention import (
    Defer,
    RetentionPolicy,
    may_erase,
    notice_message,
    plan_notice,
)
from bot.core.state import ConversationState
from bot.core.zones import person_zone
from bot.store import Database, inbox, privacy
from bot.store import retention as store

log = logging.getLogger(__name__)

# A notice that certainly did not go is tried again this much later.
RETRY_AFTER = timedelta(hours=1)
# People erased per transaction: an erasure is ~10 statements (~35 ms on SQLite on a busy
# machine, bench/bench_retention.py), and on SQLite every step waits for the one writer.
ERASE_BATCH = 10


@dataclass(frozen=True)
class _Notice:
    user_id: int
    noticed_at: datetime
    erase_at: datetime
    zone: tzinfo


@dataclass
class RetentionStats:
    """What one run did."""

    noticed: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    erased: int = 0
    busy: int = 0
    leads_deleted: int = 0


class Retention:
    """Tell quiet people before their data expires, erase it when it has, and delete old
    finished callback requests."""

    def __init__(
        self,
        db: Database,
        knowledge: Knowledge,
        outlet: Outlet,
        policy: RetentionPolicy,
        *,
        clock: Clock = utc_now,
        batch: int = 100,
        concurrency: int = 16,
    ) -> None:
        self.db = db
        self.knowledge = knowledge
        self.outlet = outlet
        self.policy = policy
        self.clock = clock
        self.batch = batch
        self._slots = asyncio.Semaphore(concurrency)
        self._running = asyncio.Lock()
        # Whole runs (one skipped because the last is still going is none).
        self.runs = Runs()

    async def run_once(self) -> RetentionStats:
        """Send the notices due, erase the people due, delete the requests due."""
        stats = RetentionStats()
        if self._running.locked():
            return stats
        async with self._running:
            with self.runs.run():
                await self._notify(stats)
                await self._erase(stats)
                await self._delete_leads(stats)
        return stats

    # -- the notice ---------------------------------------------------------------------------

    async def _notify(self, stats: RetentionStats) -> None:
        while True:
            found, claimed = await self._claim_notices(stats)
            await asyncio.gather(*(self._send(notice, stats) for notice in claimed))
            if found < self.batch or not claimed:
                return

    async def _claim_notices(self, stats: RetentionStats) -> tuple[int, list[_Notice]]:
        """Record the notices going now (committed before any is sent); return how many
        people were due and the notices to send."""
        now = self.clock()
        claimed: list[_Notice] = []
        async with self.db.transaction() as session:
            due = await store.lock_due_notice(
                session,
                self.policy.notice_cutoff(now),
                now,
                self.batch,
                skip_locked=not self.db.is_sqlite,
            )
            for quiet in due:
                if not await self.db.try_lock_person(session, quiet.user_id):
                    stats.busy += 1
                    continue
                zone = person_zone(_state_zone(quiet.state_json), quiet.reminder_zone)
                plan = plan_notice(self.policy, quiet.last_seen, now, zone)
                if isinstance(plan, Defer):
                    await store.defer_notice(session, quiet.user_id, plan.until)
                    stats.deferred += 1
                    continue
                await store.mark_noticed(session, quiet.user_id, now, plan.erase_at)
                claimed.append(_Notice(quiet.user_id, now, plan.erase_at, zone))
        return len(due), claimed

    async def _send(self, notice: _Notice, stats: RetentionStats) -> None:
        message = notice_message(self.knowledge, notice.erase_at, notice.zone)
        async with self._slots:
            try:
                await self.outlet.deliver(notice.user_id, [message])
                stats.noticed += 1
                return
            except NotDelivered:
                pass  # certainly not there: taken back below and tried again later
            except Blocked:
                # They cannot be told; the date stands (they may unblock and say hi).
                stats.failed += 1
                return
            except Rejected as exc:
                log.error("an expiry notice was refused: %s", exc)
                stats.failed += 1
                return
            except MaybeDelivered:
                # It may have arrived: sending it again could tell them twice.
                log.warning("an expiry notice timed out; not resent (at most once)")
                stats.failed += 1
                return
            except Exception as exc:
                log.error("an expiry notice failed: %s", type(exc).__name__)
                stats.failed += 1
                return
        async with self.db.transaction() as session:
            retry_at = self.clock() + RETRY_AFTER
            await store.unmark_noticed(session, notice.user_id, notice.noticed_at, retry_at)
        stats.retried += 1

    # -- the erasure --------------------------------------------------------------------------

    async def _erase(self, stats: RetentionStats) -> None:
        now = self.clock()
        async with self.db.transaction() as session:
            await store.void_stale_notices(session, self.policy.erase_cutoff(now), now)
        while True:
            now = self.clock()
            erased: list[int] = []
            batch = min(self.batch, ERASE_BATCH)
            async with self.db.transaction() as session:
                due = await store.lock_due_erasure(
                    session,
                    self.policy.erase_cutoff(now),
                    now,
                    batch,
                    skip_locked=not self.db.is_sqlite,
                )
                for user_id, last_seen, erase_at in due:
                    if not may_erase(self.policy, last_seen, erase_at, now):
                        continue
                    # Writing right now (a step under way, or an update of theirs received
                    # and not yet applied): they are back, and the step will say so.
                    if not await self.db.try_lock_person(session, user_id) or (
                        await inbox.any_pending(session, user_id)
                    ):
                        stats.busy += 1
                        continue
                    await privacy.forget(session, user_id, now)
                    erased.append(user_id)
            for user_id in erased:
                log.info("erased user %s (inactive for %s days)", user_id, self.policy.days)
            stats.erased += len(erased)
            if len(due) < batch or not erased:
                return

    # -- callback requests --------------------------------------------------------------------

    async def _delete_leads(self, stats: RetentionStats) -> None:
        while True:
            now = self.clock()
            async with self.db.transaction() as session:
                codes = await store.lock_expired_leads(
                    session,
                    self.policy.lead_cutoff(now),
                    self.batch,
                    skip_locked=not self.db.is_sqlite,
                )
                deleted = await store.delete_leads(session, codes)
            if deleted:
                log.info(
                    "deleted %s callback requests closed over %s days ago",
                    deleted,
                    self.policy.lead_days,
                )
            stats.leads_deleted += deleted
            if len(codes) < self.batch:
                return


def _state_zone(state_json: str) -> str | None:
    """Return the time zone the person gave, from their saved conversation (None if none)."""
    try:
        return ConversationState.model_validate_json(state_json).zone
    except ValidationError:
        return None
