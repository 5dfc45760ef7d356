"""CPU per update applied through the store's inbox, beside the step claiming its update itself.

Polling used to hand each update straight to the coach, whose step claimed the update id in
its own transaction; now every fetched batch is recorded in the inbox first (one transaction)
and each update is applied as received, its step's claim its only mark (`apply_soon`). The
webhook's way reads each sender's updates back from the inbox instead (a look for the next
one, then the step, then the next look), since several workers receive them.
Fifty people send six /help each, a batch of fifty at a time, on a SQLite file; the three ways
run in this process, trial by trial, and the figure is this process's CPU time per update (the
machine is shared and noisy). Telegram's side (HTTP, rendering) is left out: it is the same
either way, so in the whole bot the share is smaller than the ratio here.

    python -m bench.bench_inbox
"""

from __future__ import annotations

import asyncio
import json
import random
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

from bot.app.coach import Coach, Person
from bot.app.update_inbox import UpdateInbox
from bot.core.dialogue import Engine
from bot.core.events import CommandEvent
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.turn import EngineConfig
from bot.core.updates import UpdateKey
from bot.store import Database, migrate

KNOWLEDGE_DIR = Path(__file__).resolve().parent.parent / "knowledge"
BOT = 123456
SENDERS = 50
BATCHES = 6
TRIALS = 5


async def _trial(knowledge: Knowledge, folder: Path, *, way: str) -> float:
    """Apply the updates one way; return the CPU milliseconds per update."""
    db = Database(f"sqlite+aiosqlite:///{folder / 'bench.db'}")
    await migrate.upgrade(db)
    engine = Engine(knowledge, config=EngineConfig(default_phone_region="GB"))
    coach = Coach(engine, db, rng=random.Random(7))

    async def step(payload: str) -> bool:
        sent = json.loads(payload)
        key = UpdateKey(BOT, sent["update_id"])
        await coach.handle(Person(sent["user"]), CommandEvent(name="help"), update=key)
        return True

    async def give_up(_payload: str, _error: BaseException) -> None:
        raise AssertionError("no update fails here")

    inbox = UpdateInbox(db, BOT, step, give_up, order_wait=0.0, concurrency=256, shared_lock=False)
    await inbox.note_pending()
    try:
        start = time.process_time()
        for batch_no in range(BATCHES):
            batch: list[tuple[int, int | None, str]] = []
            for n in range(SENDERS):
                update_id, user = batch_no * SENDERS + n + 1, 1000 + n
                batch.append((update_id, user, json.dumps({"update_id": update_id, "user": user})))
            if way == "drained":
                await inbox.record_batch(batch)
                await asyncio.gather(*(inbox.drain(user) for _, user, _ in batch if user))
            elif way == "polled":
                await inbox.record_batch(batch)
                for update_id, sender, payload in batch:
                    assert sender is not None
                    inbox.apply_soon(sender, update_id, payload, partial(step, payload))
                await inbox.wait_idle()
            else:
                await asyncio.gather(*(step(payload) for _, _, payload in batch))
        return (time.process_time() - start) * 1000 / (SENDERS * BATCHES)
    finally:
        await db.close()


async def measure(trials: int) -> dict[str, float]:
    """Run both ways, trial by trial; return the medians and the median ratio."""
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    cpu: dict[str, list[float]] = {"direct": [], "polled": [], "drained": []}
    for _ in range(trials):
        for way, figures in cpu.items():
            with tempfile.TemporaryDirectory() as folder:
                figures.append(await _trial(knowledge, Path(folder), way=way))
    direct = cpu["direct"]
    return {
        "updates": float(SENDERS * BATCHES),
        "inbox_cpu_ms_per_update": statistics.median(cpu["polled"]),
        "drained_cpu_ms_per_update": statistics.median(cpu["drained"]),
        "direct_cpu_ms_per_update": statistics.median(direct),
        "inbox_vs_direct": _ratio(cpu["polled"], direct),
        "drained_vs_direct": _ratio(cpu["drained"], direct),
    }


def _ratio(ours: list[float], baseline: list[float]) -> float:
    """Return the median of the trial-by-trial ratios."""
    return statistics.median(o / b for o, b in zip(ours, baseline, strict=True))


def run(trials: int = TRIALS) -> dict[str, float]:
    """Return the figures (the `make bench` entry point)."""
    return asyncio.run(measure(trials))


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:>26}: {value:9.2f}")
