"""Guided sessions in Telegram: one message per guide, edited in place as the time goes.

A guide is a row in the store (bot/store/guides.py) with the time its message is next due for
an edit. The job queue's tick (every second) runs `run_once`: it claims due rows (SKIP LOCKED
on PostgreSQL, so several workers share them), works out what each message should say now
from the pure state machine (bot/core/guide.py: the elapsed time is computed from the start,
so nothing is lost across a restart), commits the next due time, and only then edits.

Limits. One message is edited at most every `cadence` seconds (5: Telegram allows about one
message a second per chat, and answers quick edits of one message with 429s), and a change
the person made (Pause) is shown at once but never within a second of the last edit. Across
all guides the runner spends at most `share` of TELEGRAM_MAX_RATE (half: the other half is
for answers and reminders), paced by a token bucket in real time: when more guides are due
than that allows, the longest overdue go first and the rest wait their turn, so with many
guides each message is edited less often (it says "~25 s", rounded) instead of Telegram
refusing. The Bot's rate limiter (AIORateLimiter) still spaces every request under the limit.

A guide whose time is over gets its last edit ("done", or "ended while I was offline" after
a restart), then the conversation is told (GuideEndedEvent), which asks how the move felt
and drops the row in the same transaction. The row stays due until then: a runner that dies
half way does it again, and the conversation asks only once.
"""

from __future__ import annotations

import asyncio
import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from bot.app.clock import Clock, utc_now
from bot.app.coach import Coach, Person
from bot.app.metrics import Metrics
from bot.app.outlet import Blocked, Outlet, Rejected
from bot.app.runs import Runs
from bot.core import guide
from bot.core.events import GuideEndedEvent
from bot.core.flows.guide import Shown, show
from bot.core.knowledge import Knowledge
from bot.core.replies import Say
from bot.store import Database, guides, is_unavailable
from bot.store.guides import StoredGuide

log = logging.getLogger(__name__)

# How long a claimed end or stop is left before another run takes it up again.
LEASE = timedelta(seconds=30)
# The share of TELEGRAM_MAX_RATE the guides may use.
SHARE = 0.5

Action = Literal["edit", "end", "drop"]


@dataclass(frozen=True)
class _Claimed:
    stored: StoredGuide
    shown: Shown
    action: Action


@dataclass
class GuideStats:
    """What the runner did (in one run, or in all of them)."""

    edited: int = 0
    ended: int = 0
    dropped: int = 0
    failed: int = 0
    deferred: int = 0  # waits for the rate budget

    def add(self, other: GuideStats) -> None:
        """Count another run's work in these."""
        self.edited += other.edited
        self.ended += other.ended
        self.dropped += other.dropped
        self.failed += other.failed
        self.deferred += other.deferred


class Budget:
    """A token bucket in real time: `rate` a second, up to half a second's worth at once."""

    def __init__(self, rate: float, monotonic: Callable[[], float] = time.monotonic) -> None:
        self.rate = rate
        self.capacity = max(1.0, rate / 2)
        self.monotonic = monotonic
        self.tokens = self.capacity
        self.at = monotonic()

    def _refill(self) -> None:
        now = self.monotonic()
        self.tokens = min(self.capacity, self.tokens + (now - self.at) * self.rate)
        self.at = now

    def take(self, most: int) -> int:
        """Take up to `most` whole tokens; return how many were taken."""
        self._refill()
        granted = max(0, min(most, math.floor(self.tokens)))
        self.tokens -= granted
        return granted

    def give_back(self, count: int) -> None:
        """Return tokens taken but not used."""
        self.tokens = min(self.capacity, self.tokens + count)

    def spend(self, count: int) -> None:
        """Spend tokens after the fact (may go below zero: the next takes wait it off)."""
        self._refill()
        self.tokens -= count

    def wait(self) -> float:
        """Return the seconds until a whole token is there."""
        self._refill()
        return max(0.0, (1 - self.tokens) / self.rate)


class GuideRunner:
    """Edit every due guide's message, within the rate budget; end guides whose time is up."""

    def __init__(
        self,
        db: Database,
        knowledge: Knowledge,
        outlet: Outlet,
        coach: Coach,
        *,
        clock: Clock = utc_now,
        max_rate: float = 30.0,
        share: float = SHARE,
        cadence: float = guide.CADENCE_S,
        concurrency: int = 16,
        batch: int = 100,
        monotonic: Callable[[], float] = time.monotonic,
        metrics: Metrics | None = None,
    ) -> None:
        self.db = db
        self.metrics = metrics
        self.knowledge = knowledge
        self.outlet = outlet
        self.coach = coach
        self.clock = clock
        self.cadence = cadence
        self.step = max(1, round(cadence))
        self.batch = batch
        self.budget = Budget(max_rate * share, monotonic)
        self._slots = asyncio.Semaphore(concurrency)
        self._running = asyncio.Lock()
        self._kick: asyncio.Task[None] | None = None
        self._tick: asyncio.Task[None] | None = None
        self.runs = Runs()
        self.totals = GuideStats()

    # -- the conversation side ----------------------------------------------------------------

    async def attach(self, chat_id: int, stamp: str, message_id: int) -> bool:
        """Record the message that shows a person's new guide (their private chat's id is
        their user id); its first edit is due a cadence after it was sent."""
        now = self.clock()
        due = now + timedelta(seconds=self.cadence)
        async with self.db.transaction() as session:
            return await guides.attach(session, chat_id, stamp, chat_id, message_id, now, due)

    def kick(self) -> None:
        """Show a change (Pause, Resume, Stop) now rather than at the next tick."""
        if self._kick is not None and not self._kick.done():
            return  # a run is waiting to start already, and will see the change
        self._kick = asyncio.create_task(self._kicked())

    def tick(self) -> None:
        """Start a run unless one is going (the job queue's tick). It returns at once: with
        many guides a run paced by the budget outlasts the tick, and a job still running
        would have the scheduler skip it and log a warning every second."""
        if self._running.locked() or (self._tick is not None and not self._tick.done()):
            return
        self._tick = asyncio.create_task(self._kicked())

    async def _kicked(self) -> None:
        try:
            await self.run_once()
        except Exception as exc:
            if self.metrics is not None and is_unavailable(exc):
                self.metrics.store_error("guides")
            log.error("guide run failed: %s", type(exc).__name__)

    async def close(self) -> None:
        """Wait for the runs a kick or a tick started (at shutdown)."""
        started = [task for task in (self._kick, self._tick) if task is not None]
        await asyncio.gather(*started, return_exceptions=True)

    # -- runs ---------------------------------------------------------------------------------

    async def run_once(self) -> GuideStats:
        """Edit the messages of the guides due now, paced by the budget; end those that are
        over. Rows that fall due while the run goes on wait for the next run."""
        stats = GuideStats()
        async with self._running:
            with self.runs.run():
                started = self.clock()
                while True:
                    allowed = self.budget.take(self.batch)
                    if allowed == 0:
                        stats.deferred += 1
                        await asyncio.sleep(self.budget.wait())
                        continue
                    claimed = await self._claim(started, allowed)
                    self.budget.give_back(allowed - len(claimed))
                    if claimed:
                        await self._show(claimed, stats)
                    if len(claimed) < allowed:
                        break
        self.totals.add(stats)
        return stats

    async def _claim(self, due_by: datetime, limit: int) -> list[_Claimed]:
        """Take guides due by `due_by`, decide what each message says now, and commit the
        next due time before any edit goes out."""
        claimed: list[_Claimed] = []
        async with self.db.transaction() as session:
            now = self.clock()
            skip = not self.db.is_sqlite
            due = await guides.lock_due(session, due_by, limit, skip_locked=skip)
            for stored in due:
                run = stored.run
                shown = show(self.knowledge, run, now, step=self.step)
                action: Action = "edit"
                next_at = guide.next_edit(run, now, self.cadence)
                if run.status == "stopped":
                    action, next_at = "drop", now + LEASE
                elif shown.over:
                    action, next_at = "end", now + LEASE
                await guides.schedule(session, stored.user_id, next_at, now)
                claimed.append(_Claimed(stored, shown, action))
        return claimed

    async def _show(self, claimed: list[_Claimed], stats: GuideStats) -> None:
        await asyncio.gather(*(self._one(item, stats) for item in claimed))
        edited = [(c.stored.user_id, c.stored.version) for c in claimed if c.action == "edit"]
        if edited:
            # A change (Pause) shown by another run while this older view was on its way
            # was overwritten by it: show it again (not within a second of this edit).
            again = self.clock() + timedelta(seconds=guide.CHANGE_GAP_S)
            async with self.db.transaction() as session:
                await guides.show_again_if_changed(session, edited, again)

    async def _one(self, item: _Claimed, stats: GuideStats) -> None:
        try:
            async with self._slots:
                delivered = await self._edit(item, stats)
            if not delivered:
                return
            if item.action == "end":
                await self._end(item)
                stats.ended += 1
            elif item.action == "drop":
                async with self.db.transaction() as session:
                    dropped = await guides.remove(
                        session,
                        item.stored.user_id,
                        stamp=item.stored.run.stamp,
                        version=item.stored.version,
                    )
                stats.dropped += dropped
        except Exception as exc:
            # One guide's failure must not stop the others; it is due again after its lease.
            stats.failed += 1
            log.error("a guide failed: %s", type(exc).__name__)

    async def _edit(self, item: _Claimed, stats: GuideStats) -> bool:
        """Edit the guide's message; False when the guide is gone for good (blocked)."""
        stored = item.stored
        assert stored.message_id is not None
        chat_id = stored.chat_id if stored.chat_id is not None else stored.user_id
        view = Say(text=item.shown.text, choices=item.shown.choices, key="guide")
        try:
            await self.outlet.edit(chat_id, stored.message_id, view)
            stats.edited += 1
        except Blocked:
            async with self.db.transaction() as session:
                await guides.remove(session, stored.user_id, stamp=stored.run.stamp)
            return False
        except Rejected as exc:
            if "not modified" not in str(exc).lower():
                # The message is gone (deleted by the person): the guide goes on unseen, and
                # still asks how the move felt at its end.
                stats.failed += 1
                log.info("a guide's message could not be edited: %s", type(exc).__name__)
        except Exception as exc:
            # Not edited this time (a 429, a 5xx, no answer): the next edit is due anyway.
            stats.failed += 1
            log.info("a guide edit failed: %s", type(exc).__name__)
        return True

    async def _end(self, item: _Claimed) -> None:
        """Tell the conversation the guide is over, and send what it says (how did it feel)."""
        stored = item.stored
        event = GuideEndedEvent(stamp=stored.run.stamp)
        replies = await self.coach.handle(Person(id=stored.user_id), event)
        if replies:
            chat_id = stored.chat_id if stored.chat_id is not None else stored.user_id
            self.budget.spend(len(replies))
            await self.outlet.deliver(chat_id, replies)
