"""Apply each sender's recorded updates once and in update-id order, whichever worker got them.

Several workers behind a load balancer each receive some of the updates, and two updates of
one person can reach two workers at the same instant. The webhook records every update in the
store's inbox before Telegram gets its 200 (polling: before the next getUpdates confirms it;
one poller receives everything in order, so it never waits for a missing number), then drains
that sender: it takes the sender's
inbox lock (a PostgreSQL session lock, shared by all workers) and applies the sender's pending
updates oldest first, sending each one's replies before taking the next. Telegram numbers
updates consecutively, so a number missing below the update about to be applied is an update
still on its way to some worker: the drain waits for it (at most WEBHOOK_ORDER_WAIT after the
later update arrived) and then takes whichever is oldest. The step an update causes and the
mark that it was applied commit together (see bot/app/coach.py), so an update is applied at most
once; because it was recorded before the 200, and a sweeper in every worker drains updates
left waiting (their worker died, or the database was away), it is applied at least once.

What is guaranteed, and what is not:

- Updates are known by the bot's id and their number (bot/core/updates.py): bots sharing the
  store never take each other's updates for redeliveries, nor drain or sweep them.
- Every update Telegram got a 200 for (or handed to a poll) is applied exactly once, also
  when a worker is killed at any point, when Telegram redelivers it, or when the database is
  away for a while (the update is applied when it is back). An update whose recording failed
  (the database was away) gets the "something went wrong, try again" answer instead and
  changes nothing (polling keeps a batch it could not record and tries again instead).
- A person's updates are applied, and answered, in update-id order across all workers,
  provided an earlier update reaches some worker no later than WEBHOOK_ORDER_WAIT (2 s) after
  a later one. One that arrives later still is applied (never dropped), after the newer one.
  A number that never arrives (an update that could not be recorded) delays the updates
  received within that time after it, by at most that time.
- Replies are sent after the commit: a worker killed between the two loses that update's
  replies (the step itself stands). A redelivered or retried update never sends them again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Awaitable, Callable
from contextlib import AbstractAsyncContextManager
from datetime import datetime, timedelta
from functools import partial

from bot.app.claims import Claims
from bot.app.clock import Clock, utc_now
from bot.app.locks import KeyedLocks
from bot.app.runs import Runs, Tally
from bot.core.updates import UpdateKey, numbering_since
from bot.store import Database, inbox, is_unavailable

log = logging.getLogger(__name__)

# Apply one update; return True if its step marked it applied (the coach's claim), so no
# second mark is needed.
Process = Callable[[str], Awaitable[bool]]
Apply = Callable[[], Awaitable[bool]]
GiveUp = Callable[[str, BaseException], Awaitable[None]]

KEEP_PROCESSED = timedelta(days=2)
_GAP_POLL = 0.005
_GAP_POLL_MAX = 0.1
_SWEEP_BATCH = 200


async def prune(db: Database, now: datetime) -> int:
    """Delete the ids of updates applied longer ago than Telegram could resend them."""
    async with db.transaction() as session:
        return await inbox.prune(session, now - KEEP_PROCESSED)


class UpdateInbox:
    """Record updates, and apply each sender's pending ones in order under a shared lock."""

    def __init__(
        self,
        db: Database,
        bot_id: int,
        process: Process,
        give_up: GiveUp,
        *,
        order_wait: float = 2.0,
        concurrency: int = 4,
        shared_lock: bool = True,
        clock: Clock = utc_now,
        handled: Tally | None = None,
        claims: Claims | None = None,
    ) -> None:
        self.db = db
        # The claims a receiver waits for (polling), settled here when a step makes none.
        self.claims = claims if claims is not None else Claims()
        self.bot_id = bot_id
        self.process = process
        self.give_up = give_up
        self.order_wait = timedelta(seconds=order_wait)
        # Past this, an update nobody is applying was left by a dead worker or an outage.
        self.stale_after = self.order_wait + timedelta(seconds=1)
        self.clock = clock
        self._slots = asyncio.Semaphore(concurrency)
        # Whether drains also take the store's lock of the sender, for workers sharing it (on
        # PostgreSQL a connection held while the replies go out). One poller needs none.
        self.shared_lock = shared_lock
        self._locks = KeyedLocks()
        self._tasks: set[asyncio.Task[int]] = set()
        # Senders whose updates must be read back from the store, oldest first, rather than
        # applied as received (see `apply_soon`): they have an older update still pending.
        self._behind: set[int] = set()
        # Until the store has said which senders those are, every sender is drained.
        self._behind_known = False
        self._arrival = asyncio.Event()
        # What tests await: updates handled here (applied, or answered as failed) with their
        # marks committed; looks that found a sender's next update waiting for a missing
        # number; and whole sweeps.
        self.handled = handled or Tally()
        self.held_back = Tally()
        self.sweeps = Runs()

    async def adopt_unkeyed(self) -> int:
        """Take over the updates recorded before they were keyed by bot (see the migration)."""
        async with self.db.transaction() as session:
            return await inbox.adopt_unkeyed(session, self.bot_id)

    async def record(self, update_id: int, sender: int, payload: str) -> bool:
        """Store a received update; return False if it was there already (a redelivery)."""
        now = self.clock()
        key = UpdateKey(self.bot_id, update_id)
        async with self.db.transaction() as session:
            new = await inbox.record(session, key, sender, payload, now, numbering_since(now))
        self._arrived()
        return new

    async def record_batch(self, updates: list[tuple[int, int | None, str]]) -> list[bool]:
        """Store fetched updates (id, sender or None, payload) in one transaction; return which
        were new. Those without a sender are stored as applied: they are handled elsewhere."""
        now = self.clock()
        # A Core connection, not an ORM session: polling records every batch (its hot path).
        async with self.db.connection_transaction() as conn:
            new = await inbox.record_many_on(conn, self.bot_id, updates, now, numbering_since(now))
        self._arrived()
        return [update_id in new for update_id, _, _ in updates]

    async def presses_left(self) -> list[str]:
        """Return the callback query ids of the presses applied lately (`presses_left`): a
        worker killed between a step's commit and the press's answer left them spinning."""
        return await presses_left(self.db, self.bot_id, self.clock())

    def _arrived(self) -> None:
        """Wake the drains waiting for a missing number: it may be this one."""
        self._arrival.set()
        self._arrival = asyncio.Event()

    async def record_unordered(self, update_id: int) -> bool:
        """Note an update that needs no order (no sender), so its number is not a gap; return
        False if it was there already (a redelivery)."""
        now = self.clock()
        key = UpdateKey(self.bot_id, update_id)
        async with self.db.transaction() as session:
            new = await inbox.record_applied(session, key, now, numbering_since(now))
        self._arrived()
        return new

    def drain_soon(self, sender: int) -> None:
        """Drain the sender in the background."""
        if self._locks.users(sender) >= 2:
            # One drain runs and another waits to start: the waiting one will see this update.
            return
        task = asyncio.create_task(self._drain_logged(sender))
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _drain_logged(self, sender: int, *, held: bool = False) -> int:
        """Drain the sender (`held`: this task holds their lock already), logging a failure."""
        try:
            return await (self._drain_unlocked(sender) if held else self.drain(sender))
        except Exception as exc:
            # The sweeper picks these updates up again; nothing is lost by giving up here.
            log.warning("draining an inbox failed: %s", type(exc).__name__)
            return 0

    async def drain(self, sender: int, *, wait: bool = True) -> int:
        """Apply the sender's pending updates oldest first; return how many were handled.

        With `wait` False the call returns at once if another task or worker is draining the
        sender (it will see the same updates).
        """
        # This worker's drains of one sender queue here, so each holds one connection at most.
        async with self._locks.hold(sender, wait=wait) as held:
            if not held:
                return 0
            return await self._drain_unlocked(sender, wait=wait)

    async def _drain_unlocked(self, sender: int, *, wait: bool = True) -> int:
        """Drain the sender, whose lock in this worker the caller holds."""
        async with self._slots, self._shared(sender, wait=wait) as shared:
            if not shared:
                return 0
            handled = 0
            # The update just applied and not marked by its step, and whether it failed.
            done: tuple[UpdateKey, bool] | None = None
            pause = _GAP_POLL
            while True:
                now = self.clock()
                marking = done is not None
                async with self.db.transaction() as session:
                    if done is not None:
                        # Marked here, with the next look, to save a transaction each.
                        await inbox.finish(session, done[0], now, failed=done[1])
                        done = None
                    row = await inbox.next_pending(session, self.bot_id, sender)
                    waiting = False
                    if row is not None and now - row.received_at < self.order_wait:
                        waiting = await inbox.missing_before(
                            session,
                            UpdateKey(self.bot_id, row.update_id),
                            now - self.order_wait,
                            numbering_since(now),
                        )
                        if not waiting:
                            # The missing number may have been recorded between the two
                            # queries, and be this sender's: take the oldest one again.
                            row = await inbox.next_pending(session, self.bot_id, sender)
                if marking:
                    self.handled.add()
                if row is None:
                    self._behind.discard(sender)
                    return handled
                if waiting:
                    # An earlier update is on its way; it may be this sender's. Look again
                    # when this worker records one, or after a short while (backing off,
                    # so many waiting drains do not keep the database busy).
                    self.held_back.add()
                    await self._next_arrival(pause)
                    pause = min(pause * 2, _GAP_POLL_MAX)
                    continue
                pause = _GAP_POLL
                outcome = await self._apply(
                    row.update_id, row.payload, partial(self.process, row.payload)
                )
                if outcome is None:
                    return handled
                marked, failed = outcome
                handled += 1
                if marked:
                    self.handled.add()
                else:
                    done = (UpdateKey(self.bot_id, row.update_id), failed)

    def _shared(self, sender: int, *, wait: bool) -> AbstractAsyncContextManager[bool]:
        """Return the sender's lock among workers (nothing to take with a single poller)."""
        if not self.shared_lock:
            return contextlib.nullcontext(True)
        return self.db.drain_lock(sender, wait=wait)

    async def _apply(self, update_id: int, payload: str, apply: Apply) -> tuple[bool, bool] | None:
        """Apply one update; return whether its step marked it and whether it failed for
        good, or None if the store was away (it stays pending).

        An update the coach applied is already marked in the step's own transaction; the mark
        made afterwards is for the others (staff commands, group chats) and for failures.
        """
        try:
            return await apply(), False
        except Exception as exc:
            if is_unavailable(exc):
                log.warning("update %s waits: the database is unavailable", update_id)
                return None
            # A bug or bad data: retrying would fail again, so tell the person and move on.
            try:
                await self.give_up(payload, exc)
            except Exception as answer_exc:
                log.warning("could not tell the sender: %s", type(answer_exc).__name__)
            return False, True

    def can_apply_received(self, sender: int) -> bool:
        """Say whether the sender's next update may be applied as received (`apply_soon`):
        nothing older of theirs is pending in the store."""
        return self._behind_known and sender not in self._behind

    def apply_soon(
        self,
        sender: int,
        update_id: int,
        payload: str,
        apply: Apply,
        recorded: Awaitable[object] | None = None,
    ) -> None:
        """Apply an update received by this bot's only receiver, in the background.

        Polling: one receiver gets every update, in order, so nothing can be missing below it
        and nobody else applies it: the update is applied as received (`apply` holds it
        decoded), not read back from the store, and its step's claim is its only mark. A
        sender with an older update pending (left by a process that died, or by a store that
        was away) is drained from the store instead, so the order holds. Call in the order
        received. `recorded`, when the update's record is still being written, is what is
        done once it is: what has to wait for the row (a mark, a drain) waits for it.
        """
        task = asyncio.create_task(
            self._apply_received(sender, update_id, payload, apply, recorded)
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _apply_received(
        self,
        sender: int,
        update_id: int,
        payload: str,
        apply: Apply,
        recorded: Awaitable[object] | None,
    ) -> int:
        key = UpdateKey(self.bot_id, update_id)
        try:
            return await self._apply_in_turn(sender, key, payload, apply, recorded)
        finally:
            self.claims.settle(key, claimed=False)  # no claim committed, if none was

    async def _apply_in_turn(
        self,
        sender: int,
        key: UpdateKey,
        payload: str,
        apply: Apply,
        recorded: Awaitable[object] | None,
    ) -> int:
        update_id = key.update_id
        # Tasks take the sender's lock in the order they were created: the order received.
        async with self._locks.hold(sender):
            if not self.can_apply_received(sender):
                self.claims.settle(key, claimed=False)  # the receiver records it
                if recorded is not None:
                    await recorded  # the drain reads this update from the store
                return await self._drain_logged(sender, held=True)
            async with self._slots:
                outcome = await self._apply(update_id, payload, apply)
                # Not claimed by its step (the coach settled it if it was): the receiver
                # records it, and the mark below waits for that.
                self.claims.settle(key, claimed=False)
                if outcome is None:
                    self._behind.add(sender)  # the sweeper applies it when the store is back
                    return 0
                marked, failed = outcome
                if not marked:
                    if recorded is not None:
                        await recorded  # the mark needs the row
                    if not await self._finish(key, failed):
                        self._behind.add(sender)  # left pending: the sweeper takes it up
                self.handled.add()
                return 1

    async def _finish(self, key: UpdateKey, failed: bool) -> bool:
        """Mark an update done that its step did not mark (not for the coach, or failed);
        return False if the mark could not be made."""
        try:
            async with self.db.transaction() as session:
                await inbox.finish(session, key, self.clock(), failed=failed)
        except Exception as exc:
            # Left pending: the sweeper applies it again (a staff command, said twice at worst).
            log.warning("marking update %s failed: %s", key.update_id, type(exc).__name__)
            return False
        return True

    async def note_pending(self) -> int:
        """Note the senders with updates still pending from before (at a receiver's start), so
        what arrives for them now waits for those; return how many there are."""
        async with self.db.transaction() as session:
            senders = await inbox.pending_senders(session, self.bot_id)
        self._behind.update(senders)
        self._behind_known = True
        return len(senders)

    async def _next_arrival(self, timeout: float) -> None:
        """Wait until this worker records an update, or for `timeout` seconds."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._arrival.wait(), timeout)

    async def sweep(self) -> int:
        """Drain senders whose updates waited too long (their worker died, the store was away)."""
        with self.sweeps.run():
            if not self._behind_known:
                await self.note_pending()
            if not self.shared_lock and not self._behind:
                # The only receiver (polling) knows what is left pending: nothing, here.
                return 0
            async with self.db.transaction() as session:
                senders = await inbox.stale_senders(
                    session, self.bot_id, self.clock() - self.stale_after, _SWEEP_BATCH
                )
            handled = await asyncio.gather(*(self.drain(s, wait=False) for s in senders))
            return sum(handled)

    async def wait_handled(self, count: int) -> None:
        """Wait until this inbox has handled `count` updates in all (for tests)."""
        await self.handled.reached(count)

    async def wait_idle(self) -> None:
        """Wait for the drains in flight (used when stopping)."""
        while self._tasks:
            await asyncio.gather(*list(self._tasks), return_exceptions=True)


# How far back a start looks for presses a killed worker may have left unanswered: Telegram
# takes an answer only for a short while after the press.
PRESSES_LEFT_WITHIN = timedelta(seconds=60)
_PRESSES_LEFT_MAX = 500


async def presses_left(db: Database, bot_id: int, now: datetime) -> list[str]:
    """Return the callback query ids of the presses applied lately, newest first."""
    async with db.transaction() as session:
        since = now - PRESSES_LEFT_WITHIN
        return await inbox.presses_applied_since(session, bot_id, since, _PRESSES_LEFT_MAX)
