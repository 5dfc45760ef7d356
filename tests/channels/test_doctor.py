"""`footcoach doctor`: each check passing and failing, against the fake Bot API."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any

from telegram import Bot

from bot.channels.doctor import Finding, check_time_zones, diagnose
from bot.config import load_settings
from bot.store import Database, migrate
from tests.channels.telegram.conftest import STAFF_CHAT, bot_settings
from tests.conftest import KNOWLEDGE_DIR, ROOT, TOKEN
from tests.fakebot import FakeBotAPI
from tests.support import free_port

PUBLIC_URL = "https://bot.example.test/telegram"
SECRET = "s3cret_token-42"
ORDER = ["settings", "knowledge", "database", "telegram", "updates", "staff chat", "time zones"]


async def ready_store(folder: Path, target: str = "head") -> None:
    """Make the bot's database in `folder`, migrated to `target`."""
    db = Database(f"sqlite+aiosqlite:///{folder / 'bot.db'}")
    try:
        await migrate.upgrade(db, target)
    finally:
        await db.close()


async def doctor(api: FakeBotAPI, folder: Path, **overrides: Any) -> dict[str, Finding]:
    """Run the checks with settings for the fake server; return the findings by name."""
    settings = bot_settings(api, folder, **overrides)
    found = await diagnose(lambda: settings)
    assert [f.name for f in found] == ORDER
    for finding in found:
        assert "\n" not in finding.line()
        assert TOKEN.split(":")[1] not in finding.line()
    return {f.name: f for f in found}


def statuses(found: dict[str, Finding]) -> dict[str, str]:
    return {name: f.status for name, f in found.items()}


async def set_webhook(api: FakeBotAPI, url: str) -> None:
    """Set the fake's webhook as a worker of another deployment would."""
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        await bot.set_webhook(url, secret_token=SECRET)


async def test_everything_in_order_passes_on_a_ready_deployment(api, tmp_path):
    await ready_store(tmp_path)
    api.add_to_group(STAFF_CHAT)
    found = await doctor(api, tmp_path)
    assert set(statuses(found).values()) == {"ok"}, [f.line() for f in found.values()]
    assert "@footcoach_test_bot" in found["telegram"].detail
    assert found["database"].detail.endswith(f"({migrate.head_revision()})")
    assert found["updates"].detail.startswith("polling, no webhook set")
    # It changed nothing at Telegram: only questions were asked.
    assert {r.method for r in api.requests()} == {"getMe", "getWebhookInfo", "getChat"}


def test_a_bad_setting_fails_first_and_skips_what_needs_settings(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)
    load = lambda: load_settings(_env_file=None, telegram_max_rate=0)  # noqa: E731
    found = {f.name: f for f in asyncio.run(diagnose(load))}
    assert found["settings"].status == "FAIL"
    assert "TELEGRAM_MAX_RATE" in found["settings"].detail
    assert [found[n].status for n in ORDER[1:-1]] == ["skip"] * 5
    assert found["time zones"].status == "ok"


async def test_a_broken_knowledge_file_is_named(api, tmp_path):
    await ready_store(tmp_path)
    broken = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, broken)
    (broken / "exercises.yaml").write_text("exercises: [\n")
    found = await doctor(api, tmp_path, knowledge_dir=broken)
    assert found["knowledge"].status == "FAIL"
    assert "exercises.yaml" in found["knowledge"].detail
    assert found["database"].status == "ok", "later checks still run"


async def test_a_database_at_an_old_migration_or_missing_says_to_upgrade(api, tmp_path):
    found = await doctor(api, tmp_path)
    assert found["database"].status == "FAIL"
    assert "footcoach db upgrade" in found["database"].detail
    assert not (tmp_path / "bot.db").exists(), "the doctor creates nothing"

    await ready_store(tmp_path, "0001")
    found = await doctor(api, tmp_path)
    assert found["database"].status == "FAIL"
    assert found["database"].detail == (
        f"at revision 0001, the newest is {migrate.head_revision()}: run `footcoach db upgrade`"
    )


async def test_a_token_telegram_refuses_fails_and_skips_the_telegram_checks(api, tmp_path):
    await ready_store(tmp_path)
    found = await doctor(api, tmp_path, telegram_bot_token="999:WRONG-token")
    assert found["telegram"].status == "FAIL"
    assert "Telegram refused TELEGRAM_BOT_TOKEN" in found["telegram"].detail
    assert "WRONG" not in found["telegram"].line()
    assert (found["updates"].status, found["staff chat"].status) == ("skip", "skip")


async def test_an_unreachable_bot_api_fails_and_skips_the_telegram_checks(api, tmp_path):
    await ready_store(tmp_path)
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    found = await doctor(api, tmp_path, telegram_api_url=nowhere)
    assert found["telegram"].status == "FAIL"
    assert found["telegram"].detail == (
        f"cannot reach the Bot API at TELEGRAM_API_URL {nowhere} (NetworkError)"
    )
    assert (found["updates"].status, found["staff chat"].status) == ("skip", "skip")


async def test_webhook_url_pending_updates_and_its_last_error(api, tmp_path):
    await ready_store(tmp_path)
    api.add_to_group(STAFF_CHAT)
    webhook = {"webhook_url": PUBLIC_URL, "webhook_secret": SECRET}
    found = await doctor(api, tmp_path, **webhook)
    assert found["updates"].status == "FAIL"
    assert "Telegram has no webhook" in found["updates"].detail

    await set_webhook(api, PUBLIC_URL)
    api.send_text(5, "hello")  # an update waiting for the bot
    found = await doctor(api, tmp_path, **webhook)
    assert found["updates"].status == "ok"
    assert found["updates"].detail == f"webhook {PUBLIC_URL}; 1 update(s) waiting"

    api.webhook_failed("Wrong response from the webhook: 502 Bad Gateway")
    found = await doctor(api, tmp_path, **webhook)
    assert found["updates"].status == "FAIL"
    assert "502 Bad Gateway" in found["updates"].detail
    # An error from two hours ago is history: shown, not failed.
    api.webhook_failed("Connection timed out", when=time.time() - 7200)
    found = await doctor(api, tmp_path, **webhook)
    assert found["updates"].status == "ok"
    assert "2 h ago: Connection timed out" in found["updates"].detail

    # Polling configured while Telegram still posts to a webhook: neither would work as meant.
    found = await doctor(api, tmp_path)
    assert found["updates"].status == "FAIL"
    assert PUBLIC_URL in found["updates"].detail


async def test_an_unreachable_staff_chat_fails_and_a_missing_one_warns(api, tmp_path):
    await ready_store(tmp_path)
    found = await doctor(api, tmp_path)
    assert found["staff chat"].status == "FAIL"
    assert str(STAFF_CHAT) in found["staff chat"].detail
    assert "chat not found" in found["staff chat"].detail.lower()
    found = await doctor(api, tmp_path, staff_chat_id=None)
    assert found["staff chat"].status == "warn"
    assert "STAFF_CHAT_ID is not set" in found["staff chat"].detail


def test_missing_time_zone_data_fails():
    assert check_time_zones().status == "ok"
    finding = check_time_zones(lambda: {"UTC", "Europe/London"})
    assert finding.status == "FAIL" and "tzdata" in finding.detail


async def doctor_process(env: dict[str, str], cwd: Path) -> tuple[int, list[str]]:
    """Run `python -m bot doctor` in another process; return its exit code and lines."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "doctor",
        cwd=cwd,
        env={**os.environ, "PYTHONPATH": str(ROOT), **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    assert not err.strip(), err.decode()
    return process.returncode or 0, out.decode().splitlines()


async def test_the_command_prints_one_line_per_check_and_exits_non_zero_on_a_failure(api, tmp_path):
    await ready_store(tmp_path)
    api.add_to_group(STAFF_CHAT)
    env = {
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_API_URL": api.base_url,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}",
        "KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
        "STAFF_CHAT_ID": str(STAFF_CHAT),
        "WEBHOOK_URL": "",
    }
    code, lines = await doctor_process(env, tmp_path)
    assert code == 0, lines
    assert [line.split(":")[0].split(maxsplit=1)[1] for line in lines] == ORDER
    assert all(line.startswith("ok ") for line in lines)

    code, lines = await doctor_process({**env, "TELEGRAM_BOT_TOKEN": "1:refused"}, tmp_path)
    assert code == 1
    assert lines[3].startswith("FAIL telegram: Telegram refused TELEGRAM_BOT_TOKEN")

    code, lines = await doctor_process({**env, "DISPATCH_INTERVAL": "never"}, tmp_path)
    assert code == 1
    assert lines[0].startswith("FAIL settings: Configuration error: DISPATCH_INTERVAL")
