"""Several real `python -m bot run` workers in webhook mode, sharing one database.

Used by the multi-worker test and by bench/bench_workers.py: start N worker processes on
different ports against the fake Bot API, post updates to them as a load balancer would, kill
one, and stop the rest cleanly.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from tests.fakebot import FakeBotAPI
from tests.support import free_port

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
TOKEN = "123456:TEST-token_abc"
SECRET = "cluster_secret-1"
# One staff member (not a group: Telegram allows a group 20 messages a minute).
STAFF_CHAT = 990_001
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"


@dataclass
class Worker:
    """One `python -m bot run` process serving its webhook on its own port."""

    index: int
    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    _terminated: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/telegram"

    @property
    def pid(self) -> int:
        return self.process.pid

    @property
    def alive(self) -> bool:
        return self.process.poll() is None

    def kill(self) -> None:
        """Die at once, as with a power cut: SIGKILL, no clean-up of any kind."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)

    def terminate(self) -> None:
        """Ask the worker to stop (once: a second SIGTERM while it shuts down kills it)."""
        if self.alive and not self._terminated:
            self._terminated = True
            self.process.send_signal(signal.SIGTERM)

    def stop(self, timeout: float = 20.0) -> int:
        """Stop cleanly with SIGTERM; return the exit status."""
        self.terminate()
        try:
            return self.process.wait(timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        """Return the last lines of the worker's log, leaving out the scheduler's noise."""
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        # A busy machine makes APScheduler skip overlapping ticks: harmless, and it would
        # crowd out the lines that explain a failure.
        kept = [line for line in text.splitlines() if "maximum number of running" not in line]
        return "\n".join(kept[-lines:])


def worker_env(api: FakeBotAPI, database_url: str, folder: Path, **extra: Any) -> dict[str, str]:
    """Return the environment of a worker talking to the fake server and the database."""
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing of the caller's Footcoach settings may leak into the workers.
        if not key.startswith(("TELEGRAM_", "WEBHOOK_", "DATABASE_", "STAFF_", "ADMIN_"))
    }
    env.update(
        PYTHONPATH=str(ROOT),
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_URL=api.base_url,
        DATABASE_URL=database_url,
        KNOWLEDGE_DIR=str(KNOWLEDGE_DIR),
        DATA_DIR=str(folder),
        WEBHOOK_URL="https://bot.example.com/telegram",
        WEBHOOK_SECRET=SECRET,
        WEBHOOK_LISTEN="127.0.0.1",
        STAFF_CHAT_ID=str(STAFF_CHAT),
        DEFAULT_PHONE_REGION="GB",
        TELEGRAM_MAX_RATE="1000",
        DISPATCH_INTERVAL="0.3",
        DATABASE_POOL_SIZE="10",
        LOG_LEVEL="WARNING",
    )
    env.update({key.upper(): str(value) for key, value in extra.items()})
    return env


async def start_workers(
    n: int, api: FakeBotAPI, database_url: str, folder: Path, **extra: Any
) -> list[Worker]:
    """Start n workers on free ports; return once every one has set its webhook (it listens
    before it does)."""
    workers = []
    before = _webhooks_set(api)
    for index in range(n):
        port = free_port()
        log_path = folder / f"worker{index}.log"
        env = worker_env(api, database_url, folder, webhook_port=port, **extra)
        with log_path.open("wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "bot", "run"],
                # Not the repository: a developer's .env there must not configure the workers.
                cwd=folder,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        workers.append(Worker(index, port, process, log_path))
    try:
        await api.wait_for(
            lambda: _webhooks_set(api) >= before + n or not all(w.alive for w in workers),
            timeout=60,
            description=f"{n} workers to set their webhook",
        )
        for worker in workers:
            if not worker.alive:
                raise RuntimeError(f"worker {worker.index} exited:\n{worker.log_tail()}")
    except BaseException:
        await stop_workers(workers)
        raise
    return workers


def _webhooks_set(api: FakeBotAPI) -> int:
    return sum(1 for r in api.requests("setWebhook") if r.ok)


async def stop_workers(workers: Iterable[Worker]) -> None:
    """Stop every worker still running (SIGTERM, then SIGKILL if it hangs). The wait is in a
    thread: workers still talk to the fake on this loop while they stop."""
    for worker in workers:
        worker.terminate()
    for worker in workers:
        await asyncio.to_thread(worker.stop)


async def post(
    session: aiohttp.ClientSession, worker: Worker, update: dict[str, Any]
) -> int | None:
    """POST an update as Telegram does; return the status, or None if the worker is gone."""
    try:
        async with session.post(
            worker.url,
            data=json.dumps(update),
            headers={"Content-Type": "application/json", SECRET_HEADER: SECRET},
        ) as response:
            await response.read()
            return response.status
    except (TimeoutError, aiohttp.ClientError, OSError):
        return None
