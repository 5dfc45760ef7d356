"""What a running bot counts, in the Prometheus text format: every metric is defined here.

Each running bot has a registry of its own (tests start several bots in one process, and each
must see only its own counts). Labels only ever hold names the code chooses (an update's
kind, a Bot API method, an outcome): never a person's id, name, phone number or text.
"""

from __future__ import annotations

import re
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from bot.store import Database, stats

CONTENT_TYPE = CONTENT_TYPE_LATEST
_METHOD = re.compile(r"^[A-Za-z]{1,40}$")
# A conversation step is milliseconds on SQLite, more on a busy PostgreSQL; a second is slow.
_STEP_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
# A reminder is claimed at the first tick after it falls due (DISPATCH_INTERVAL, 5 s by
# default); minutes mean a backlog, hours a bot that was down.
_LAG_BUCKETS = (1.0, 5.0, 10.0, 30.0, 60.0, 300.0, 900.0, 3600.0, 4 * 3600.0)


def method_label(name: str) -> str:
    """Return a Bot API method's name as a label (anything unexpected is "other")."""
    return name if _METHOD.match(name) else "other"


class Metrics:
    """The counters, histograms and gauges of one running bot, in a registry of its own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.updates = Counter(
            "footcoach_updates",
            "Updates handled, by kind (command, text, button, ...) and outcome.",
            ["kind", "outcome"],
            registry=r,
        )
        self.step_seconds = Histogram(
            "footcoach_step_seconds",
            "Time to apply one conversation step (load, step, save: one transaction).",
            buckets=_STEP_BUCKETS,
            registry=r,
        )
        self.api_calls = Counter(
            "footcoach_bot_api_calls",
            "Bot API requests, by method and result (ok, rate_limited, client_error, "
            "server_error, timeout, network_error).",
            ["method", "result"],
            registry=r,
        )
        self.rate_limited = Counter(
            "footcoach_bot_api_rate_limited",
            "Bot API answers 429 Too Many Requests, by method.",
            ["method"],
            registry=r,
        )
        self.retries = Counter(
            "footcoach_bot_api_retries",
            "Bot API requests sent again by the rate limiter after a 429, by method.",
            ["method"],
            registry=r,
        )
        self.reminder_lag = Histogram(
            "footcoach_reminder_lag_seconds",
            "How long after it fell due each reminder was claimed for sending.",
            buckets=_LAG_BUCKETS,
            registry=r,
        )
        self.reminders_due = Gauge(
            "footcoach_reminders_due",
            "Reminders due and not yet claimed, when last looked at.",
            registry=r,
        )
        self.outbox_waiting = Gauge(
            "footcoach_outbox_waiting",
            "Staff messages not yet delivered, when last looked at.",
            registry=r,
        )
        self.outbox_oldest_age = Gauge(
            "footcoach_outbox_oldest_age_seconds",
            "Age of the oldest staff message not yet delivered (0 when none waits).",
            registry=r,
        )
        self.store_errors = Counter(
            "footcoach_store_errors",
            "Failures to reach the database, by where (update, inbox, reminders, outbox, "
            "guides, probe, metrics).",
            ["where"],
            registry=r,
        )

    def api_call(self, method: str, result: str) -> None:
        """Count one Bot API request and its result."""
        label = method_label(method)
        self.api_calls.labels(method=label, result=result).inc()
        if result == "rate_limited":
            self.rate_limited.labels(method=label).inc()

    def retry(self, method: str) -> None:
        """Count a request the rate limiter sends again."""
        self.retries.labels(method=method_label(method)).inc()

    def store_error(self, where: str) -> None:
        """Count a failure to reach the database."""
        self.store_errors.labels(where=where).inc()

    async def refresh(self, db: Database, now: datetime) -> None:
        """Read the backlog gauges from the store (raises when the store cannot answer)."""
        async with db.transaction() as session:
            backlog = await stats.backlog(session, now)
        self.reminders_due.set(backlog.reminders_due)
        self.outbox_waiting.set(backlog.outbox_waiting)
        oldest = backlog.outbox_oldest
        self.outbox_oldest_age.set(max(0.0, (now - oldest).total_seconds()) if oldest else 0.0)

    def exposition(self) -> bytes:
        """Return every metric in the Prometheus text format."""
        return generate_latest(self.registry)
