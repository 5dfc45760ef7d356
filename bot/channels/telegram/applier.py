"""The inbox of one bot, applying updates through the router: the webhook's and polling's alike.

Both ways of receiving record an update in the store's inbox before Telegram may forget it
(the webhook: before the 200; polling: before the next getUpdates confirms it), then drain the
sender: bot/app/update_inbox.py applies each sender's updates once and in order, and its
sweeper, run here on the job queue, applies what a dead process recorded and left.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from typing import Any

from telegram import Update
from telegram.ext import Application, CallbackContext, ContextTypes, JobQueue

from bot.app.claims import Claims
from bot.app.clock import Clock, utc_now
from bot.app.runs import Tally
from bot.app.update_inbox import UpdateInbox
from bot.channels.telegram.ticker import Ticker
from bot.store import Database

log = logging.getLogger(__name__)

SWEEP_INTERVAL = 1.0

AnyApplication = Application[Any, Any, Any, Any, Any, Any]
# Handle one update; return True if its step marked it applied in the inbox (the coach's claim).
Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[bool]]
ErrorHandler = Callable[[object, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


POLLING_CONCURRENCY = 256  # senders applied at once by a poller (as PTB's processor did)


def drain_concurrency(db: Database, pool_size: int) -> int:
    """Return how many senders a webhook worker may drain at once.

    On PostgreSQL each drain holds two connections at most (the sender's lock among workers,
    and the step's transaction); SQLite's drains hold no lock connection.
    """
    return POLLING_CONCURRENCY if db.is_sqlite else max(1, pool_size // 2)


class InboxApplier:
    """Record updates in the inbox and apply them with the router, in order per sender."""

    def __init__(
        self,
        application: AnyApplication,
        route: Handler,
        on_error: ErrorHandler,
        db: Database,
        bot_id: int,
        *,
        order_wait: float,
        concurrency: int,
        shared_lock: bool,
        clock: Clock = utc_now,
        handled: Tally | None = None,
        claims: Claims | None = None,
    ) -> None:
        self.application = application
        self.route = route
        self.on_error = on_error
        self.inbox = UpdateInbox(
            db,
            bot_id,
            self.process,
            self.give_up,
            order_wait=order_wait,
            concurrency=concurrency,
            shared_lock=shared_lock,
            clock=clock,
            handled=handled,
            claims=claims,
        )
        # A sweep of many senders can outlast the second between ticks.
        self._sweeps = Ticker("inbox sweep", self._sweep)

    def sweep_on(self, job_queue: JobQueue[Any]) -> None:
        """Sweep the inbox every second on the job queue (a sweep still going is not doubled)."""
        job_queue.run_repeating(
            self._tick,
            interval=SWEEP_INTERVAL,
            first=SWEEP_INTERVAL,
            name="inbox-sweep",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )

    async def close(self) -> None:
        """Wait for the sweep in flight (at shutdown)."""
        await self._sweeps.close()

    def decode(self, payload: str) -> Update:
        """Return the update a stored payload holds."""
        return Update.de_json(json.loads(payload), self.application.bot)

    async def process(self, payload: str) -> bool:
        """Apply one recorded update; return whether its step marked it applied."""
        return await self.apply(self.decode(payload))

    async def apply(self, update: Update) -> bool:
        """Apply one update through the router; return whether its step marked it applied."""
        context: ContextTypes.DEFAULT_TYPE = CallbackContext.from_update(update, self.application)
        return await self.route(update, context)

    def apply_soon(
        self,
        sender: int,
        update: Update,
        payload: str,
        recorded: Awaitable[object] | None = None,
    ) -> None:
        """Apply an update this process alone received (polling; `recorded`: what is done
        once its record is written, if it is not yet)."""
        self.inbox.apply_soon(
            sender, update.update_id, payload, lambda: self.apply(update), recorded
        )

    async def give_up(self, payload: str, error: BaseException) -> None:
        """Hand an update that failed for good to the error handler (it tells the person)."""
        update = self.decode(payload)
        exc = error if isinstance(error, Exception) else RuntimeError(type(error).__name__)
        context: ContextTypes.DEFAULT_TYPE = CallbackContext.from_error(
            update, exc, self.application
        )
        await self.on_error(update, context)

    async def _tick(self, _context: ContextTypes.DEFAULT_TYPE) -> None:
        self._sweeps.tick()

    async def _sweep(self) -> None:
        try:
            await self.inbox.sweep()
        except Exception as exc:
            log.warning("inbox sweep failed: %s", type(exc).__name__)
