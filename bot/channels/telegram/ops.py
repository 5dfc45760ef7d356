"""The routes operators and their tools call: /healthz, /readyz and /metrics.

In webhook mode they are served by the webhook's own server; when polling, by a small server
on METRICS_PORT (only when it is set). None of them says anything about a person.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import tornado.web
from telegram import Bot
from tornado.httpserver import HTTPServer

from bot.app.clock import Clock
from bot.app.metrics import CONTENT_TYPE, Metrics
from bot.store import Database

log = logging.getLogger(__name__)

PROBE_TIMEOUT = 5.0  # seconds a readiness check may take before it counts as failed


class Probe:
    """Answer whether this worker can do its job, and what it has counted."""

    def __init__(self, db: Database, bot: Bot, metrics: Metrics, clock: Clock) -> None:
        self.db = db
        self.bot = bot
        self.metrics = metrics
        self.clock = clock

    async def problems(self) -> list[str]:
        """Return what keeps this worker from being ready (empty: ready)."""
        store, telegram = await asyncio.gather(
            self._check(self.db.ping), self._check(self.bot.get_me)
        )
        found = []
        if store is not None:
            self.metrics.store_error("probe")
            found.append(f"store: no answer ({store})")
        if telegram is not None:
            found.append(f"telegram: getMe failed ({telegram})")
        return found

    @staticmethod
    async def _check(call: Callable[[], Awaitable[Any]]) -> str | None:
        """Run one check; return the error's type name when it failed (never its message,
        which may quote a URL holding the token)."""
        try:
            await asyncio.wait_for(call(), PROBE_TIMEOUT)
        except Exception as exc:
            return type(exc).__name__
        return None

    async def exposition(self) -> bytes:
        """Return the metrics, with the backlog gauges read from the store just now."""
        try:
            await asyncio.wait_for(self.metrics.refresh(self.db, self.clock()), PROBE_TIMEOUT)
        except Exception as exc:
            # The counters are still worth serving; the gauges keep their last values.
            self.metrics.store_error("metrics")
            log.warning("metrics: could not read the backlog: %s", type(exc).__name__)
        return self.metrics.exposition()


class _OpsHandler(tornado.web.RequestHandler):
    SUPPORTED_METHODS = ("GET",)

    def initialize(self, probe: Probe) -> None:
        """Receive the probe the route was registered with."""
        self.probe = probe

    def log_exception(self, *args: Any) -> None:
        """Log only the error's type."""
        log.error("ops request failed: %s", args[0].__name__ if args else "?")

    def _log(self) -> None:
        """Log only failures: a probe or a scrape every few seconds is not news."""
        if self.get_status() >= 500:
            super()._log()


class _Health(_OpsHandler):
    """GET /healthz: the process is up and its event loop answers."""

    async def get(self) -> None:
        """Say the process is up."""
        self.write("ok\n")


class _Ready(_OpsHandler):
    """GET /readyz: the store answers and Telegram accepts the bot (getMe)."""

    async def get(self) -> None:
        """Answer 200 when ready, else 503 with one line per problem."""
        found = await self.probe.problems()
        self.set_status(503 if found else 200)
        self.set_header("Content-Type", "text/plain; charset=utf-8")
        self.write("".join(f"{line}\n" for line in found) or "ready\n")


class _Metrics(_OpsHandler):
    """GET /metrics: every metric in the Prometheus text format."""

    async def get(self) -> None:
        """Serve the metrics."""
        body = await self.probe.exposition()
        self.set_header("Content-Type", CONTENT_TYPE)
        self.write(body)


def ops_routes(probe: Probe) -> list[tuple[str, type[tornado.web.RequestHandler], Any]]:
    """Return the routes to add to a tornado application."""
    args = {"probe": probe}
    return [
        (r"/healthz", _Health, args),
        (r"/readyz", _Ready, args),
        (r"/metrics", _Metrics, args),
    ]


class OpsServer:
    """The routes on a port of their own (polling mode, METRICS_PORT)."""

    def __init__(self, probe: Probe, port: int, address: str) -> None:
        self.port = port
        self.address = address
        self._server = HTTPServer(tornado.web.Application(ops_routes(probe)))

    def start(self) -> None:
        """Listen (raises OSError when the port is taken)."""
        self._server.listen(self.port, address=self.address)
        log.info("health and metrics on %s:%s", self.address, self.port)

    async def stop(self) -> None:
        """Stop listening and close open connections."""
        self._server.stop()
        await self._server.close_all_connections()
