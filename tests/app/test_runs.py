"""Runs and Tally: what tests await instead of sleeping, so they must not return early."""

from __future__ import annotations

import asyncio

import pytest

from bot.app.runs import Runs, Tally


async def test_a_run_already_going_when_the_wait_begins_does_not_count() -> None:
    runs = Runs()
    going = asyncio.Event()
    finish = asyncio.Event()

    async def one_run() -> None:
        with runs.run():
            going.set()
            await finish.wait()

    earlier = asyncio.create_task(one_run())
    await going.wait()
    after = runs.next()
    finish.set()
    await earlier
    assert not after.done()
    with runs.run():
        pass
    assert after.done()
    await after
    assert (runs.started, runs.completed, runs.failed) == (2, 2, 0)


async def test_failed_runs_are_awaited_apart_from_completed_ones() -> None:
    runs = Runs()
    completed, failed = runs.next(), runs.next(failed=True)
    with pytest.raises(RuntimeError), runs.run():
        raise RuntimeError("the database went away")
    assert failed.done() and not completed.done()
    with runs.run():
        pass
    assert completed.done()
    assert (runs.started, runs.completed, runs.failed) == (2, 1, 1)


async def test_two_runs_means_two_whole_runs() -> None:
    runs = Runs()
    two = runs.next(2)
    with runs.run():
        pass
    assert not two.done()
    with runs.run():
        pass
    await asyncio.wait_for(runs.ran(0), 1)  # nothing to wait for
    assert two.done()


async def test_a_tally_is_reached_once_it_counts_that_many() -> None:
    tally = Tally()
    three = tally.reaching(3)
    tally.add(2)
    assert not three.done()
    tally.add()
    assert three.done()
    await tally.reached(1)  # reached already: returns at once
    assert tally.value == 3
