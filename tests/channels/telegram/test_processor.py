"""PerUserUpdateProcessor on its own: ordered per person, and nobody waits behind another."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime

from telegram import Chat, Message, Update, User

from bot.channels.telegram.processor import PerUserUpdateProcessor


def update_from(user_id: int, update_id: int) -> Update:
    """Return a private text update from this user."""
    user = User(user_id, "Ann", is_bot=False)
    chat = Chat(user_id, Chat.PRIVATE)
    message = Message(update_id, datetime.now(UTC), chat, from_user=user, text="hi")
    return Update(update_id, message=message)


async def test_one_person_in_order_others_alongside():
    processor = PerUserUpdateProcessor(max_concurrent_updates=4)
    gate = asyncio.Event()
    done: list[str] = []

    async def work(name: str) -> None:
        await asyncio.sleep(0)  # give a later update every chance to overtake
        if name.startswith("a"):
            await gate.wait()
        done.append(name)

    names = ["a1", "a2", "b1", "a3"]
    updates = [update_from(1 if n[0] == "a" else 2, i) for i, n in enumerate(names)]
    tasks = [
        asyncio.create_task(processor.process_update(u, work(n)))
        for u, n in zip(updates, names, strict=True)
    ]
    await asyncio.wait_for(asyncio.shield(tasks[2]), 1)
    assert done == ["b1"]
    gate.set()
    await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert done == ["b1", "a1", "a2", "a3"]


async def test_a_busy_person_does_not_take_every_slot():
    # With more updates queued for one person than there are slots, others must still get in:
    # a person's waiting updates should not hold slots while they wait for their turn.
    processor = PerUserUpdateProcessor(max_concurrent_updates=2)
    gate = asyncio.Event()
    done: list[str] = []

    async def work(name: str) -> None:
        if name.startswith("a"):
            await gate.wait()
        done.append(name)

    names = ["a1", "a2", "a3", "b1"]
    tasks = [
        asyncio.create_task(
            processor.process_update(update_from(1 if n[0] == "a" else 2, i), work(n))
        )
        for i, n in enumerate(names)
    ]
    try:
        await asyncio.wait_for(asyncio.shield(tasks[3]), 1)
        assert done == ["b1"]
    finally:
        gate.set()
        await asyncio.wait_for(asyncio.gather(*tasks), 1)
    assert done == ["b1", "a1", "a2", "a3"]
    # Idle people are forgotten, so the lock table does not grow with everyone ever seen.
    assert len(processor._locks) == 0
