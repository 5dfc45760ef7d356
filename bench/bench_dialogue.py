"""Dialogue steps per second including the store write, beside the pure engine step alone.

The coach runs one transaction per step on a temporary SQLite file (load the person and their
reminder, lead and check-ins, run the engine, save the state, commit), exactly as a channel
calls it. The mix is the team's conversation transcripts, each replayed as a new person
(bench/conversations.py). The same conversations through `Engine.step` alone, with no store,
are the baseline: the ratio says what the store costs on top of the dialogue itself.

    python -m bench.bench_dialogue [--rounds 7]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from bench.cli import print_figures
from bench.conversations import (
    FIRST_NAME,
    KNOWLEDGE_DIR,
    Line,
    calibrate,
    event_of,
    mix,
    transcripts,
)
from bot.app.coach import Coach, Person
from bot.core.dialogue import Engine
from bot.core.knowledge import load_knowledge
from bot.core.replies import Reply
from bot.core.state import ConversationState
from bot.core.turn import Context, EngineConfig
from bot.store import Database, migrate

ROUNDS = 7  # each round plays every conversation once, as new people


async def _coach_round(
    coach: Coach, scripts: dict[str, list[Line]], first_user: int
) -> list[float]:
    """Play every conversation through the coach; return each step's time in seconds."""
    timings: list[float] = []
    clock = time.perf_counter
    for number, lines in enumerate(scripts.values()):
        person = Person(id=first_user + number, first_name=FIRST_NAME)
        history: list[Reply] = []
        for line in lines:
            event = event_of(line, history)
            if event is None:
                continue
            start = clock()
            replies = await coach.handle(person, event)
            timings.append(clock() - start)
            history.extend(replies)
    return timings


def _engine_round(engine: Engine, scripts: dict[str, list[Line]]) -> list[float]:
    """Play every conversation through the bare engine; return each step's time in seconds."""
    timings: list[float] = []
    clock = time.perf_counter
    for lines in scripts.values():
        state = ConversationState()
        history: list[Reply] = []
        for line in lines:
            event = event_of(line, history)
            if event is None:
                continue  # without a store, a saved reminder's buttons never appear
            ctx = Context(now=datetime.now(UTC), first_name=FIRST_NAME)
            start = clock()
            outcome = engine.step(state, event, ctx)
            timings.append(clock() - start)
            state = outcome.state
            history.extend(outcome.replies)
    return timings


def _p99(values: list[float]) -> float:
    return statistics.quantiles(values, n=100, method="inclusive")[98]


async def measure(rounds: int = ROUNDS) -> dict[str, float]:
    """Time both over `rounds` rounds after a warm-up round; return medians and ratios."""
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    scripts = await calibrate(knowledge, transcripts())
    engine = Engine(knowledge, config=EngineConfig(default_phone_region="GB"))
    coach_rates: list[float] = []
    engine_rates: list[float] = []
    coach_steps: list[float] = []
    engine_steps: list[float] = []
    # Process CPU time (the SQLite thread included) per step: steadier than wall time when
    # other work shares the machine.
    coach_cpu: list[float] = []
    engine_cpu: list[float] = []
    with tempfile.TemporaryDirectory(prefix="footcoach-bench-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'dialogue.db'}")
        await migrate.upgrade(db)
        try:
            coach = Coach(engine, db)
            # Warm-up: the reader's typo cache, SQLAlchemy's statement cache, SQLite's pages.
            await _coach_round(coach, scripts, 1)
            _engine_round(engine, scripts)
            for number in range(rounds):
                gc.collect()
                cpu = time.process_time()
                steps = await _coach_round(coach, scripts, 1_000 * (number + 1))
                coach_cpu.append((time.process_time() - cpu) / len(steps))
                coach_rates.append(len(steps) / sum(steps))
                coach_steps += steps
                gc.collect()
                cpu = time.process_time()
                steps = _engine_round(engine, scripts)
                engine_cpu.append((time.process_time() - cpu) / len(steps))
                engine_rates.append(len(steps) / sum(steps))
                engine_steps += steps
        finally:
            await db.close()
    figures = {
        "rounds": float(rounds),
        "steps_per_round": float(len(coach_steps) / rounds),
        "coach_steps_per_s": statistics.median(coach_rates),
        "engine_steps_per_s": statistics.median(engine_rates),
        "coach_step_median_ms": statistics.median(coach_steps) * 1000,
        "coach_step_p99_ms": _p99(coach_steps) * 1000,
        "engine_step_median_ms": statistics.median(engine_steps) * 1000,
        "engine_step_p99_ms": _p99(engine_steps) * 1000,
        "coach_cpu_ms_per_step": statistics.median(coach_cpu) * 1000,
        "engine_cpu_ms_per_step": statistics.median(engine_cpu) * 1000,
    }
    figures["rate_ratio"] = figures["coach_steps_per_s"] / figures["engine_steps_per_s"]
    figures["median_ratio"] = figures["coach_step_median_ms"] / figures["engine_step_median_ms"]
    figures["p99_ratio"] = figures["coach_step_p99_ms"] / figures["engine_step_p99_ms"]
    figures["cpu_ratio"] = figures["coach_cpu_ms_per_step"] / figures["engine_cpu_ms_per_step"]
    lines = [line for lines in scripts.values() for line in lines]
    for kind, count in mix(lines).items():
        figures[f"mix_{kind}"] = float(count)
    return figures


def run(rounds: int = ROUNDS) -> dict[str, float]:
    """Measure and return the figures."""
    return asyncio.run(measure(rounds))


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description="Dialogue steps per second, with the store.")
    parser.add_argument("--rounds", type=int, default=ROUNDS, help="rounds of all conversations")
    figures = run(parser.parse_args().rounds)
    print_figures(figures)


if __name__ == "__main__":
    main()
