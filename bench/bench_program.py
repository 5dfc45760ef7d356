"""A routine step from the person's program, beside the same step in a first routine.

The program issue adds work to a routine step: the moves come from the stored program at
their levels, each "How did that feel?" answer is kept and checked against the ladder rules
(two easy days step a move up, "It hurt" steps it down), and a change is told and recorded.
This measures what that costs, through the coach and a temporary SQLite file, as a channel
calls it.

Each person first describes a complaint and gets the first routine (the plain routine: the
baseline); the next day they open /program and start today's moves (the program's routine).
In both, the same taps are timed: Done, a feel answer, Skip, Done, a feel answer. Setup
steps (the complaint, the sign question, /program) are not timed.

    python -m bench.bench_program [--rounds 5] [--people 30]
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.cli import print_figures
from bench.conversations import FIRST_NAME, KNOWLEDGE_DIR, Line, event_of
from bot.app.coach import Coach, Person
from bot.core.dialogue import Engine
from bot.core.knowledge import load_knowledge
from bot.core.replies import Reply
from bot.core.turn import EngineConfig
from bot.store import Database, migrate

ROUNDS = 5
PEOPLE = 30
START = datetime(2026, 11, 24, 8, 0, tzinfo=UTC)
FIRST_SETUP = (Line("text", "my calves are weak and tight, 3/10"), Line("button", "None of these"))
PROGRAM_SETUP = (Line("command", "/program"), Line("button", "Start today's moves"))
TIMED = (
    Line("button", "Done"),
    Line("button", "Just right"),
    Line("button", "Skip"),
    Line("button", "Done"),
    Line("button", "Easy"),
)


class _Clock:
    """A clock the bench moves a day on between the first routine and the program's."""

    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> datetime:
        return self.now


async def _play(
    coach: Coach, person: Person, setup: tuple[Line, ...], history: list[Reply]
) -> list[float]:
    """Send the setup lines untimed, then the timed taps; return each timed step's seconds."""
    for line in setup:
        event = event_of(line, history)
        if event is None:
            raise RuntimeError(f"the setup line {line.text!r} found no button")
        history.extend(await coach.handle(person, event))
    timings: list[float] = []
    for line in TIMED:
        event = event_of(line, history)
        if event is None:
            raise RuntimeError(f"the tap {line.text!r} found no button: the flow changed")
        start = time.perf_counter()
        history.extend(await coach.handle(person, event))
        timings.append(time.perf_counter() - start)
    return timings


async def _round(coach: Coach, clock: _Clock, first_user: int, people: int) -> dict[str, float]:
    """Play `people` new people through both; return total seconds and CPU seconds of each."""
    plain: list[float] = []
    program: list[float] = []
    persons = [Person(id=first_user + n, first_name=FIRST_NAME) for n in range(people)]
    histories: dict[int, list[Reply]] = {person.id: [] for person in persons}
    clock.now = START
    gc.collect()
    cpu = time.process_time()
    for person in persons:
        plain += await _play(coach, person, FIRST_SETUP, histories[person.id])
    plain_cpu = time.process_time() - cpu
    clock.now = START + timedelta(days=1)
    gc.collect()
    cpu = time.process_time()
    for person in persons:
        program += await _play(coach, person, PROGRAM_SETUP, histories[person.id])
    program_cpu = time.process_time() - cpu
    return {
        "plain_ms": statistics.median(plain) * 1000,
        "program_ms": statistics.median(program) * 1000,
        # CPU includes the untimed setup steps: equal in number on both sides (two each).
        "plain_cpu": plain_cpu,
        "program_cpu": program_cpu,
    }


async def measure(rounds: int = ROUNDS, people: int = PEOPLE) -> dict[str, float]:
    """Time both over `rounds` rounds after a warm-up; return medians and their ratio."""
    knowledge = load_knowledge(KNOWLEDGE_DIR)
    engine = Engine(knowledge, config=EngineConfig(default_phone_region="GB"))
    clock = _Clock()
    results: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="footcoach-bench-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'program.db'}")
        await migrate.upgrade(db)
        try:
            coach = Coach(engine, db, clock=clock)
            await _round(coach, clock, 1, 5)  # warm-up: caches, pages
            for number in range(rounds):
                results.append(await _round(coach, clock, 10_000 * (number + 1), people))
        finally:
            await db.close()
    figures = {
        "rounds": float(rounds),
        "timed_steps_per_person": float(len(TIMED)),
        "plain_step_median_ms": statistics.median(r["plain_ms"] for r in results),
        "program_step_median_ms": statistics.median(r["program_ms"] for r in results),
        "step_ratio_median": statistics.median(r["program_ms"] / r["plain_ms"] for r in results),
        "cpu_ratio_median": statistics.median(r["program_cpu"] / r["plain_cpu"] for r in results),
    }
    ratios = [r["program_ms"] / r["plain_ms"] for r in results]
    figures["step_ratio_min"] = min(ratios)
    figures["step_ratio_max"] = max(ratios)
    return figures


def run(rounds: int = ROUNDS, people: int = PEOPLE) -> dict[str, float]:
    """Measure and return the figures (the bench runner's entry point)."""
    return asyncio.run(measure(rounds, people))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=ROUNDS)
    parser.add_argument("--people", type=int, default=PEOPLE)
    args = parser.parse_args()
    print_figures(run(args.rounds, args.people))


if __name__ == "__main__":
    main()
