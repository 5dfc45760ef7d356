"""The database goes away for a few seconds: updates get the "try again" answer, the worker
keeps running, and everything works again by itself once the database is back."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from prometheus_client.parser import text_string_to_metric_families
from sqlalchemy.engine import make_url

from tests.channels.telegram.webhook_support import webhook_bot
from tests.databases import fresh_pg_schema
from tests.tcp_proxy import CuttableProxy

TRY_AGAIN = "Please try again"


@pytest.fixture
async def proxy_url() -> AsyncIterator[tuple[CuttableProxy, str]]:
    """A fresh PostgreSQL schema reached through a proxy the test can cut."""
    async with fresh_pg_schema() as url:
        parsed = make_url(url)
        proxy = await CuttableProxy(parsed.host or "127.0.0.1", parsed.port or 5432).start()
        try:
            through = parsed.set(host="127.0.0.1", port=proxy.port)
            yield proxy, through.render_as_string(hide_password=False)
        finally:
            await proxy.stop()


async def test_an_outage_answers_try_again_and_the_worker_recovers(api, tmp_path, proxy_url):
    proxy, url = proxy_url
    async with webhook_bot(api, tmp_path, url) as bot:
        assert await bot.post(api.build_text_update(21, "/start")) == 200
        await api.wait_for_messages(21, 1)

        proxy.cut()
        assert await bot.post(api.build_text_update(21, "my calves are tight")) == 200
        [sorry] = (await api.wait_for_messages(21, 2))[1:]
        assert TRY_AGAIN in sorry.text
        # Both senders' runs fail meanwhile: logged, not fatal.
        runs = bot.runtime.reminders.runs, bot.runtime.outbox.runs
        await asyncio.gather(*(r.ran(failed=True) for r in runs))
        assert proxy.refused > 0

        proxy.restore()
        # The same message again, now that the database is back: the normal answer.
        assert await bot.post(api.build_text_update(21, "my calves are tight")) == 200
        answers = (await api.wait_for_messages(21, 3, timeout=10))[2:]
        assert TRY_AGAIN not in answers[0].text
        assert not bot.api.internal_errors


async def test_an_update_recorded_before_an_outage_is_applied_after_it(api, tmp_path, proxy_url):
    proxy, url = proxy_url
    async with webhook_bot(api, tmp_path, url, webhook_order_wait=1.0) as bot:
        # An earlier update that never comes holds this one back for a second (it waits for
        # the missing number), and meanwhile the database goes away: draining fails, and the
        # update waits in the inbox for the sweeper.
        assert await bot.post(api.build_text_update(1, "/start")) == 200
        await api.wait_for_messages(1, 1)
        api.build_text_update(22, "/start")
        assert await bot.post(api.build_text_update(22, "/help")) == 200
        proxy.cut()
        await bot.inbox.wait_idle()  # the drain waiting for the missing number gave up
        await bot.inbox.sweeps.ran(failed=True)  # and so did the sweeper
        assert api.messages(22) == []  # nothing said yet: not a "try again" either
        proxy.restore()
        [help_text] = await api.wait_for_messages(22, 1, timeout=10)
        assert "/reminder" in help_text.text
        await bot.inbox.sweeps.ran()  # a whole sweep after it was applied
        await bot.inbox.wait_idle()
        assert len(api.messages(22)) == 1  # applied once


async def test_readyz_fails_during_the_outage_and_the_metrics_count_it(api, tmp_path, proxy_url):
    proxy, url = proxy_url
    async with webhook_bot(api, tmp_path, url) as bot, httpx.AsyncClient(timeout=30) as client:
        base = bot.url.removesuffix("/telegram")
        assert (await client.get(f"{base}/readyz")).status_code == 200

        proxy.cut()
        ready = await client.get(f"{base}/readyz")
        assert ready.status_code == 503 and ready.text.startswith("store: no answer (")
        assert (await client.get(f"{base}/healthz")).status_code == 200
        assert await bot.post(api.build_text_update(22, "/start")) == 200  # "try again"
        await api.wait_for_messages(22, 1)
        await bot.runtime.outbox.runs.ran(failed=True)
        metrics = (await client.get(f"{base}/metrics")).text

        proxy.restore()
        assert (await client.get(f"{base}/readyz")).status_code == 200
    counted = {
        s.labels["where"]: s.value
        for family in text_string_to_metric_families(metrics)
        for s in family.samples
        if s.name == "footcoach_store_errors_total"
    }
    assert counted["probe"] >= 1 and counted["inbox"] == 1 and counted["metrics"] == 1
    assert counted["outbox"] >= 1
