"""Webhook mode: many workers behind a load balancer, each update recorded before its 200.

python-telegram-bot's own webhook server queues an update in memory and answers Telegram at
once, so a worker killed a moment later loses it. This server answers only once the update is
in the store's inbox (bot/app/update_inbox.py explains the order and exactly-once guarantees);
if the database cannot take it, the person is told to try again. Requests without the right
X-Telegram-Bot-Api-Secret-Token get 403 and are never processed. Updates with no sender (none
the coach uses) go through python-telegram-bot's queue as before.
"""

from __future__ import annotations

import hmac
import json
import logging
from http import HTTPStatus
from typing import Any

import tornado.web
from telegram import Update
from telegram.ext import Application, JobQueue
from tornado.httpserver import HTTPServer

from bot.channels.telegram.applier import InboxApplier
from bot.channels.telegram.ops import Probe, ops_routes
from bot.channels.telegram.translate import sender_of, update_kind
from bot.config import Settings
from bot.store import is_unavailable

log = logging.getLogger(__name__)

PATH = "/telegram"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

AnyApplication = Application[Any, Any, Any, Any, Any, Any]


class TelegramWebhook:
    """The HTTP endpoint Telegram posts updates to, and the inbox behind it."""

    def __init__(
        self,
        application: AnyApplication,
        applier: InboxApplier,
        settings: Settings,
        secret: str,
        *,
        probe: Probe | None = None,
    ) -> None:
        self.application = application
        self.applier = applier
        self.inbox = applier.inbox
        self.probe = probe
        self.secret = secret.encode()
        self.settings = settings
        routes: list[Any] = [(rf"{PATH}/?", _UpdateHandler, {"webhook": self})]
        if probe is not None:
            routes.extend(ops_routes(probe))  # /healthz, /readyz, /metrics
        app = tornado.web.Application(routes)
        self._server = HTTPServer(app)

    async def start(self) -> None:
        """Listen, tell Telegram where to post, and sweep the inbox on the job queue."""
        self._server.listen(self.settings.webhook_port, address=self.settings.webhook_listen)
        await self.application.bot.set_webhook(
            url=self.settings.webhook_url,
            secret_token=self.secret.decode(),
            allowed_updates=Update.ALL_TYPES,
        )
        job_queue: JobQueue[Any] | None = self.application.job_queue
        assert job_queue is not None
        self.applier.sweep_on(job_queue)
        log.info(
            "webhook listening on %s:%s", self.settings.webhook_listen, self.settings.webhook_port
        )

    async def stop(self) -> None:
        """Stop taking requests and let the drains in flight finish."""
        self._server.stop()
        await self._server.close_all_connections()
        await self.inbox.wait_idle()

    async def receive(self, headers: dict[str, str], body: bytes) -> int:
        """Check, record and schedule one posted update; return the HTTP status to answer."""
        if not hmac.compare_digest(headers.get(SECRET_HEADER, "").encode(), self.secret):
            self._count("unknown", "forbidden")
            return HTTPStatus.FORBIDDEN
        try:
            data = json.loads(body)
            update = Update.de_json(data, self.application.bot)
        except Exception:
            # Nothing of the body is logged: it is a person's message.
            log.warning("a webhook request did not hold a readable update")
            self._count("unknown", "unreadable")
            return HTTPStatus.BAD_REQUEST
        sender = sender_of(update)
        if sender is None:
            try:
                await self.inbox.record_unordered(update.update_id)
            except Exception as exc:
                log.warning("could not note update %s: %s", update.update_id, type(exc).__name__)
            await self.application.update_queue.put(update)
            return HTTPStatus.OK
        try:
            await self.inbox.record(update.update_id, sender, body.decode())
        except Exception as exc:
            # Not recorded, so never applied: say so, and Telegram need not send it again.
            self._count(update_kind(update), "not_recorded")
            if self.probe is not None and is_unavailable(exc):
                self.probe.metrics.store_error("inbox")
            await self.applier.give_up(body.decode(), exc)
            return HTTPStatus.OK
        self.inbox.drain_soon(sender)
        return HTTPStatus.OK

    def _count(self, kind: str, outcome: str) -> None:
        """Count an update the webhook answered without handing it on."""
        if self.probe is not None:
            self.probe.metrics.updates.labels(kind=kind, outcome=outcome).inc()


class _UpdateHandler(tornado.web.RequestHandler):
    """POST /telegram: one update from Telegram."""

    SUPPORTED_METHODS = ("POST",)

    def initialize(self, webhook: TelegramWebhook) -> None:
        """Receive the webhook the route was registered with."""
        self.webhook = webhook

    async def post(self) -> None:
        """Answer 200 only once the update is safely recorded."""
        status = await self.webhook.receive(dict(self.request.headers), self.request.body)
        self.set_status(status)

    def log_exception(self, *args: Any) -> None:
        """Log only the error's type: request bodies hold people's messages."""
        log.error("webhook request failed: %s", args[0].__name__ if args else "?")
