"""/healthz, /readyz and /metrics, fetched with a real HTTP client from a bot on the fake API."""

from __future__ import annotations

import re
from datetime import UTC, datetime, time

import httpx
from prometheus_client.parser import text_string_to_metric_families

from bot.core.reminders import Days, Reminder
from bot.store import migrate, outbox, reminders, users
from tests.channels.telegram.conftest import running_bot
from tests.channels.telegram.people import TelegramUser
from tests.support import Clock, free_port, post_update

PUBLIC_URL = "https://bot.example.test/telegram"
SECRET = "s3cret_token-42"
NAME, SURNAME, PHONE = "Wenceslas", "Zborowski", "+44 7700 900123"
TEXT = f"my name is {NAME} {SURNAME}, call {PHONE}, my calves are super tight"
# What a label may hold: names the code chooses, and Prometheus' own bucket bounds.
LABEL_VALUE = re.compile(r"^[A-Za-z_]+$|^[0-9.e+]+$|^\+Inf$")


def at(text: str) -> datetime:
    """Return a UTC time (London's in winter) as an instant."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


async def get(port: int, path: str) -> httpx.Response:
    """GET a route of the bot on 127.0.0.1."""
    async with httpx.AsyncClient(timeout=10) as client:
        return await client.get(f"http://127.0.0.1:{port}{path}")


Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


def samples(body: str) -> Samples:
    """Parse a Prometheus exposition into {(sample name, labels): value}."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


def value(found: Samples, name: str, **labels: str) -> float:
    """Return a sample's value (0 when it is absent, as a counter never incremented)."""
    return float(found.get((name, frozenset(labels.items())), 0.0))


async def test_webhook_mode_serves_health_readiness_and_metrics_without_personal_data(
    api, tmp_path
):
    port = free_port()
    async with running_bot(
        api, tmp_path, webhook_url=PUBLIC_URL, webhook_secret=SECRET, webhook_port=port
    ) as bot:
        health = await get(port, "/healthz")
        assert (health.status_code, health.text) == (200, "ok\n")
        ready = await get(port, "/readyz")
        assert (ready.status_code, ready.text) == (200, "ready\n")

        local = f"http://127.0.0.1:{port}/telegram"
        person = TelegramUser(api, 61, NAME)
        assert await post_update(
            local, api.build_text_update(61, "/start", first_name=NAME), SECRET
        )
        await person.expect(1)
        assert await post_update(local, api.build_text_update(61, TEXT, first_name=NAME), SECRET)
        await person.expect(1)
        forged = api.build_text_update(61, TEXT, first_name=NAME)
        assert await post_update(local, forged, "wrong") == 403
        assert bot.runtime.webhook is not None
        await bot.runtime.webhook.inbox.wait_idle()

        metrics = await get(port, "/metrics")
        assert metrics.status_code == 200
        assert metrics.headers["content-type"].startswith("text/plain")
        body = metrics.text
    found = samples(body)
    assert value(found, "footcoach_updates_total", kind="command", outcome="ok") == 1
    assert value(found, "footcoach_updates_total", kind="text", outcome="ok") == 1
    assert value(found, "footcoach_updates_total", kind="unknown", outcome="forbidden") == 1
    assert value(found, "footcoach_step_seconds_count") == 2
    sent = value(found, "footcoach_bot_api_calls_total", method="sendMessage", result="ok")
    assert sent == api.request_count("sendMessage") >= 2
    assert value(found, "footcoach_bot_api_calls_total", method="getMe", result="ok") >= 2
    assert value(found, "footcoach_bot_api_calls_total", method="setWebhook", result="ok") == 1
    # No label holds anything of the person: every value is a name the code chose.
    for (_, labels), _ in found.items():
        for _key, label in labels:
            assert LABEL_VALUE.match(label), label
    # Nor does any other part of the page (the numbers are counts, times and bucket bounds).
    for secret in (NAME, SURNAME, PHONE, "calves", "tight", api.token.split(":")[1]):
        assert secret not in body


async def test_readyz_fails_while_getme_fails_and_recovers(api, tmp_path):
    port = free_port()
    async with running_bot(api, tmp_path, metrics_port=port):
        api.fail_next("getMe", "500")
        ready = await get(port, "/readyz")
        assert ready.status_code == 503
        assert ready.text == "telegram: getMe failed (NetworkError)\n"
        assert (await get(port, "/readyz")).status_code == 200
        # Health is about the process only.
        api.fail_next("getMe", "500")
        assert (await get(port, "/healthz")).status_code == 200


async def test_readyz_fails_while_the_store_does_not_answer(api, tmp_path):
    port = free_port()
    async with running_bot(api, tmp_path, metrics_port=port, dispatch_interval=3600) as bot:
        assert (await get(port, "/readyz")).status_code == 200
        # The database file goes away and a folder stands in its place: SQLite cannot open it.
        await bot.components.db.engine.dispose()
        for suffix in ("", "-wal", "-shm"):
            (tmp_path / f"bot.db{suffix}").unlink(missing_ok=True)
        (tmp_path / "bot.db").mkdir()
        ready = await get(port, "/readyz")
        assert (ready.status_code, ready.text) == (503, "store: no answer (OperationalError)\n")
        metrics = await get(port, "/metrics")
        assert metrics.status_code == 200, "counters are served even without the store"
        found = samples(metrics.text)
        assert value(found, "footcoach_store_errors_total", where="probe") == 1
        assert value(found, "footcoach_store_errors_total", where="metrics") == 1
        # The store back: ready again.
        (tmp_path / "bot.db").rmdir()
        await migrate.upgrade(bot.components.db)
        assert (await get(port, "/readyz")).status_code == 200


async def test_polling_serves_the_routes_on_metrics_port_only_when_set(api, tmp_path):
    async with running_bot(api, tmp_path) as bot:
        assert bot.runtime.ops is None
    port = free_port()
    async with running_bot(api, tmp_path / "2", metrics_port=port) as bot:
        assert bot.runtime.ops is not None
        assert (await get(port, "/healthz")).status_code == 200
        polls = samples((await get(port, "/metrics")).text)
        assert value(polls, "footcoach_bot_api_calls_total", method="getUpdates", result="ok") >= 0
        assert (await get(port, "/telegram")).status_code == 404, "no webhook when polling"


async def test_429s_and_retries_are_counted_at_the_request_layer(api, tmp_path):
    port = free_port()
    async with running_bot(api, tmp_path, metrics_port=port) as bot:
        person = TelegramUser(api, 62)
        api.fail_next("sendMessage", "429", retry_after=1)
        await person.send("/start", 1)  # sent after the limiter's retry
        await bot.updates_handled()
        found = samples((await get(port, "/metrics")).text)
    assert value(found, "footcoach_bot_api_rate_limited_total", method="sendMessage") == 1
    assert (
        value(found, "footcoach_bot_api_calls_total", method="sendMessage", result="rate_limited")
        == 1
    )
    assert value(found, "footcoach_bot_api_retries_total", method="sendMessage") == 1
    assert value(found, "footcoach_bot_api_calls_total", method="sendMessage", result="ok") == 1


async def test_reminder_lag_and_the_backlog_of_reminders_and_staff_messages(api, tmp_path):
    clock = Clock(at("2026-11-26 07:00"))
    port = free_port()
    async with running_bot(
        api, tmp_path, clock=clock, metrics_port=port, staff_chat_id=None, dispatch_interval=3600
    ) as bot:
        await bot.reminder_run()  # the first run is over: the next is an hour away
        async with bot.components.db.transaction() as session:
            for user_id in (70, 71):
                await users.save_state(session, None, user_id, "{}", clock())
                reminder = Reminder(
                    at=time(7, 30),
                    zone="Europe/London",
                    days=Days.daily,
                    next_due=at("2026-11-26 07:30"),
                )
                await reminders.put(session, user_id, reminder, clock())
            outbox.queue(session, "FC-AAAAA", clock())
        clock.set(at("2026-11-26 07:31:30"))
        found = samples((await get(port, "/metrics")).text)
        assert value(found, "footcoach_reminders_due") == 2
        assert value(found, "footcoach_outbox_waiting") == 1
        assert value(found, "footcoach_outbox_oldest_age_seconds") == 31 * 60 + 30
        assert value(found, "footcoach_reminder_lag_seconds_count") == 0

        await bot.runtime.send_reminders()
        found = samples((await get(port, "/metrics")).text)
    assert value(found, "footcoach_reminders_due") == 0
    assert value(found, "footcoach_reminder_lag_seconds_count") == 2
    assert value(found, "footcoach_reminder_lag_seconds_sum") == 2 * 90
    assert value(found, "footcoach_reminder_lag_seconds_bucket", le="60.0") == 0
    assert value(found, "footcoach_reminder_lag_seconds_bucket", le="300.0") == 2
