"""Polling mode: each fetched batch is in the store's inbox before the next getUpdates confirms it.

python-telegram-bot's Updater puts fetched updates on an in-memory queue and confirms them to
Telegram with the offset of its next getUpdates, usually before they are applied: a process
killed in a burst lost every update fetched and not yet applied, and Telegram never sent them
again. Here the loop has a batch in the store's inbox before it asks for the next one: an
update applied at once is there when its step's claim commits (bot/app/claims.py), the rest
are recorded in one transaction; each sender's recorded updates are applied from the inbox by
the webhook's drain (bot/app/update_inbox.py), and after a restart its sweeper applies what
the dead process recorded and left. So every update Telegram handed over is applied exactly
once.

Our own loop rather than a hook into the Updater: its offset and its queue are private, and
the one place a hook fits (the queue's `put`) cannot tell the loop to wait or to leave an update
unconfirmed. Here what is confirmed is decided in one line, after the commit. While the store
cannot take a batch, the loop keeps it and tries again (nothing unrecorded is confirmed); a
batch the store refuses for good (a bug, bad data) is answered "something went wrong", as the
webhook does. Updates without a sender (none the coach uses) go through python-telegram-bot's
queue as before.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from typing import Any

from telegram import Update
from telegram.error import InvalidToken, RetryAfter, TelegramError, TimedOut
from telegram.ext import Application

from bot.channels.telegram.applier import InboxApplier
from bot.channels.telegram.instrument import Counting
from bot.channels.telegram.translate import sender_of
from bot.core.updates import UpdateKey
from bot.store import is_unavailable

log = logging.getLogger(__name__)

AnyApplication = Application[Any, Any, Any, Any, Any, Any]

LONG_POLL = 10.0  # seconds Telegram holds a getUpdates open when there is nothing new
# How long the loop waits for the claims of the steps it started before recording the rest:
# a step takes milliseconds; one behind its sender's previous update (still sending) longer.
CLAIM_WAIT = 0.05
_BACKOFF_FIRST = 0.5
_BACKOFF_MAX = 30.0


class InboxPoller:
    """Fetch updates with getUpdates, record each batch, then confirm it with the next call."""

    def __init__(
        self,
        application: AnyApplication,
        applier: InboxApplier,
        *,
        long_poll: float = LONG_POLL,
        raw: Counting | None = None,
        claim_wait: float = CLAIM_WAIT,
    ) -> None:
        self.application = application
        # The getUpdates request, which keeps each fetched update as Telegram sent it.
        self.raw = raw
        self.applier = applier
        self.inbox = applier.inbox
        self.long_poll = long_poll
        self.claim_wait = claim_wait
        self._offset: int | None = None
        self._stopping = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Make sure no webhook is set (Telegram refuses getUpdates then), and start polling."""
        await self.application.bot.delete_webhook()
        job_queue = self.application.job_queue
        assert job_queue is not None
        self.applier.sweep_on(job_queue)
        # Updates left pending by a process that died are applied before newer ones. With
        # the store away, every sender is drained from it until a sweep gets the answer.
        try:
            await self.inbox.note_pending()
        except Exception as exc:
            log.warning("could not look for pending updates: %s", type(exc).__name__)
        self._task = asyncio.create_task(self._poll(), name="footcoach-polling")

    async def stop(self) -> None:
        """Stop fetching, confirm what was recorded, and let the drains in flight finish."""
        self._stopping.set()
        if self._task is not None:
            await self._task
        if self._offset is not None:
            # Tidiness, not safety: a batch not confirmed comes again and is known as recorded.
            with contextlib.suppress(TelegramError):
                await self.application.bot.get_updates(offset=self._offset, timeout=0, limit=1)
        await self.inbox.wait_idle()

    async def _poll(self) -> None:
        backoff = _BACKOFF_FIRST
        while not self._stopping.is_set():
            try:
                updates = await self._fetch()
            except RetryAfter as exc:
                await self._pause(_seconds(exc.retry_after))
                continue
            except TimedOut:
                continue  # the long poll outlasted the read timeout: ask again
            except TelegramError as exc:
                # The error's type only: InvalidToken's text is harmless, but others may not be.
                level = logging.ERROR if isinstance(exc, InvalidToken) else logging.WARNING
                log.log(level, "getUpdates failed: %s; trying again", type(exc).__name__)
                await self._pause(backoff)
                backoff = min(backoff * 2, _BACKOFF_MAX)
                continue
            backoff = _BACKOFF_FIRST
            if updates and await self._keep(updates):
                # The next call's offset confirms the batch: it is in the inbox now.
                self._offset = updates[-1].update_id + 1

    async def _fetch(self) -> Sequence[Update]:
        """Return the next batch; an empty one when stopping (the call in flight is dropped,
        so its updates stay unconfirmed and come again)."""
        fetch = asyncio.ensure_future(
            self.application.bot.get_updates(
                offset=self._offset, timeout=self.long_poll, allowed_updates=Update.ALL_TYPES
            )
        )
        stopping = asyncio.ensure_future(self._stopping.wait())
        try:
            await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopping.cancel()
        if not fetch.done():
            fetch.cancel()
            with contextlib.suppress(asyncio.CancelledError, TelegramError):
                await fetch
            return ()
        updates: Sequence[Update] = fetch.result()
        return updates

    async def _keep(self, updates: Sequence[Update]) -> bool:
        """Start applying a batch, have it in the store, and apply the rest; return False if
        stopping left it unrecorded.

        A sender with nothing older pending has their update applied at once: its step's
        claim writes the update's row, marked applied, in the step's own transaction. Once
        that commits the update is in the store, so the loop waits for those claims (briefly:
        a step held up behind the sender's previous update is recorded instead) and records
        only what was not claimed. Either way the batch is in the store, applied or pending,
        before the next getUpdates confirms it.
        """
        sent = self.raw.raw_updates if self.raw is not None else {}
        batch = [(u.update_id, sender_of(u), sent.get(u.update_id) or u.to_json()) for u in updates]
        recorded: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        claims = self.inbox.claims
        started: dict[int, asyncio.Future[bool]] = {}
        for update, (update_id, sender, payload) in zip(updates, batch, strict=True):
            if sender is not None and self.inbox.can_apply_received(sender):
                started[update_id] = claims.expect(UpdateKey(self.inbox.bot_id, update_id))
                self.applier.apply_soon(sender, update, payload, recorded)
        try:
            if started:
                await asyncio.wait(started.values(), timeout=self.claim_wait)
            claimed = {
                update_id
                for update_id, future in started.items()
                if future.done() and not future.cancelled() and future.result()
            }
            for update_id in started.keys() - claimed:
                claims.drop(UpdateKey(self.inbox.bot_id, update_id))
            rest = [row for row in batch if row[0] not in claimed]
            new = await self._record(updates, rest, set(started)) if rest else []
        finally:
            recorded.set_result(None)
        if new is None:
            return False
        fresh = dict(zip((row[0] for row in rest), new, strict=True))
        for update, (update_id, sender, payload) in zip(updates, batch, strict=True):
            if not fresh.get(update_id, False) or update_id in started:
                continue  # handed out again after a restart (recorded already), or applying
            if sender is None:
                await self.application.update_queue.put(update)
            else:
                self.applier.apply_soon(sender, update, payload)
        return True

    async def _record(
        self,
        updates: Sequence[Update],
        batch: list[tuple[int, int | None, str]],
        started: set[int],
    ) -> list[bool] | None:
        """Record the batch, trying again while the store is away; return which updates
        were new, or None if stopping left it unrecorded."""
        delay = _BACKOFF_FIRST
        while True:
            try:
                return await self.inbox.record_batch(batch)
            except Exception as exc:
                if not is_unavailable(exc):
                    await self._refuse([u for u in updates if u.update_id not in started], exc)
                    return [False] * len(batch)
                log.warning("%d updates wait: the database is unavailable", len(batch))
                if self._stopping.is_set():
                    return None  # not confirmed: Telegram hands them out again
                await self._pause(delay)
                delay = min(delay * 2, _BACKOFF_MAX)

    async def _refuse(self, updates: Sequence[Update], exc: Exception) -> None:
        """Answer a batch the store refused for good (not recorded, so never applied)."""
        log.error("could not record %d updates: %s", len(updates), type(exc).__name__)
        for update in updates:
            try:
                await self.applier.give_up(update.to_json(), exc)
            except Exception as answer_exc:
                log.warning("could not tell the sender: %s", type(answer_exc).__name__)

    async def _pause(self, seconds: float) -> None:
        """Wait that long, or until asked to stop."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._stopping.wait(), seconds)


def _seconds(retry_after: object) -> float:
    """Return a RetryAfter's wait in seconds (an int, or a timedelta in newer releases)."""
    total = getattr(retry_after, "total_seconds", None)
    return float(total()) if callable(total) else float(retry_after)  # type: ignore[arg-type]
