"""`footcoach run` as a process: it answers, stops cleanly on SIGTERM, and says what is wrong."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
from pathlib import Path

from tests.channels.telegram.conftest import bot_settings, startup_refusal
from tests.conftest import KNOWLEDGE_DIR, ROOT, TOKEN
from tests.fakebot import FakeBotAPI
from tests.support import free_port

SCRIPT = Path(sys.executable).with_name("footcoach")
# The installed command when there is one (what people run), else the same entry point.
COMMAND = [str(SCRIPT), "run"] if SCRIPT.exists() else [sys.executable, "-m", "bot", "run"]


def bot_env(folder: Path, **settings: str) -> dict[str, str]:
    """Return an environment for the bot: this checkout's code, data under `folder`."""
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "STAFF_", "ADMIN_"))
    }
    env.update(
        PYTHONPATH=str(ROOT),  # this worktree's `bot`, whatever the virtualenv has installed
        DATABASE_URL=f"sqlite+aiosqlite:///{folder / 'bot.db'}",
        KNOWLEDGE_DIR=str(KNOWLEDGE_DIR),
        DATA_DIR=str(folder),
        LOG_LEVEL="INFO",
        DEFAULT_PHONE_REGION="GB",
    )
    env.update(settings)
    return env


async def test_footcoach_run_answers_and_stops_cleanly_on_sigterm(tmp_path):
    # The fake serves on this loop, so the process is waited for in a thread.
    async with FakeBotAPI(TOKEN, timeout_delay=1.0) as api:
        env = bot_env(tmp_path, TELEGRAM_BOT_TOKEN=TOKEN, TELEGRAM_API_URL=api.base_url)
        log = (tmp_path / "stderr.log").open("w+")
        process = subprocess.Popen(COMMAND, cwd=tmp_path, env=env, stdout=log, stderr=log)
        try:
            api.send_text(70, "/start", first_name="Philomena")
            [greeting] = await api.wait_for_messages(70, 1, timeout=20)
            assert greeting.text is not None and greeting.text.startswith("Hi Philomena!")
            assert greeting.button_texts[0] == "Tightness"
            assert api.commands(), "the command menu was set at start-up"
            # Asked to stop while it long-polls: it stops (a hang fails on the timeout here).
            process.send_signal(signal.SIGTERM)
            code = await asyncio.to_thread(process.wait, 10)
        finally:
            if process.poll() is None:
                process.kill()
                process.wait()
        log.seek(0)
        output = log.read()
        log.close()
    assert code == 0, output
    assert "footcoach stopped" in output
    assert "Traceback" not in output
    # httpx would log every request URL, and those URLs carry the token.
    assert TOKEN not in output and TOKEN.split(":")[1] not in output
    assert "Philomena" not in output, "names stay out of the logs"


async def test_footcoach_run_without_a_token_or_with_a_wrong_one_says_so_in_one_line(tmp_path):
    async with FakeBotAPI(TOKEN) as api:
        cases = {
            "no token": (
                {"TELEGRAM_BOT_TOKEN": ""},
                ["TELEGRAM_BOT_TOKEN", ".env", "make chat"],
            ),
            "wrong token": (
                {"TELEGRAM_BOT_TOKEN": "999:wrong", "TELEGRAM_API_URL": api.base_url},
                ["TELEGRAM_BOT_TOKEN"],
            ),
        }
        # Started together: each one is mostly Python starting up.
        running = {}
        for name, (settings, _) in cases.items():
            folder = tmp_path / name.replace(" ", "_")
            folder.mkdir()
            running[name] = subprocess.Popen(
                COMMAND,
                cwd=folder,  # no .env there
                env=bot_env(folder, **settings),
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
                text=True,
            )
        results = {}
        for name, process in running.items():
            outputs = await asyncio.to_thread(process.communicate, timeout=20)
            results[name] = (outputs, process.returncode)
    for name, ((stdout, stderr), code) in results.items():
        lines = stderr.strip().splitlines()
        assert code != 0, name
        assert len(lines) == 1, f"{name}:\n{stderr}"
        for words in cases[name][1]:
            assert words in lines[0], f"{name}: {lines[0]}"
        assert stdout == "", name
        assert "wrong" not in stderr, "a token never appears in the output"


async def test_an_unreachable_bot_api_stops_start_up_with_one_line(api, tmp_path):
    nowhere = f"http://127.0.0.1:{free_port()}/bot"
    settings = bot_settings(api, tmp_path, telegram_api_url=nowhere)
    message = await startup_refusal(settings)
    assert "TELEGRAM_API_URL" in message and "\n" not in message
