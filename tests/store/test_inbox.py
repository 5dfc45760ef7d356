"""The inbox repository: recording, claiming, and telling a missing update number."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.store import inbox
from bot.store.db import Database
from bot.store.schema import InboxRow
from tests.support import Clock, make_coach

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RECENT = NOW - timedelta(seconds=2)


async def store(knowledge, tmp_path, db_url) -> Database:
    _, db = await make_coach(knowledge, tmp_path, Clock(NOW), url=db_url)
    return db


async def test_an_update_is_recorded_once_and_claimed_once(knowledge, tmp_path, db_url):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            assert await inbox.record(session, 10, 7, '{"update_id": 10}', NOW)
            assert not await inbox.record(session, 10, 7, '{"update_id": 10}', NOW)
            assert [r.update_id for r in [await inbox.next_pending(session, 7)] if r] == [10]
        async with db.transaction() as session:
            assert await inbox.claim(session, 10, 7, NOW)
            assert not await inbox.claim(session, 10, 7, NOW)
            # Polling: an update nobody recorded is claimed (and so recorded) by its step.
            assert await inbox.claim(session, 11, 7, NOW)
            assert not await inbox.claim(session, 11, 7, NOW)
            assert await inbox.next_pending(session, 7) is None
        async with db.transaction() as session:
            row = await session.get(InboxRow, 10)
            assert row is not None and row.payload is None and row.processed_at == NOW
    finally:
        await db.close()


async def test_a_missing_number_counts_only_while_it_is_recent(knowledge, tmp_path, db_url):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            # The first update a store sees cannot know of earlier ones.
            assert not await inbox.missing_before(session, 5, RECENT)
            for update_id in (5, 6, 8):
                await inbox.record(session, update_id, 1, "{}", NOW)
            assert not await inbox.missing_before(session, 7, RECENT)
            assert await inbox.missing_before(session, 9, RECENT)  # 7 is on its way
            await inbox.record(session, 7, 2, "{}", NOW)
            assert not await inbox.missing_before(session, 9, RECENT)
        async with db.transaction() as session:
            # Received long ago, 20 is followed by a gap that is no longer worth waiting for:
            # only numbers after the newest old update are looked at.
            await inbox.record(session, 20, 1, "{}", NOW - timedelta(minutes=5))
            assert not await inbox.missing_before(session, 21, RECENT)
            await inbox.record(session, 23, 1, "{}", NOW)
            assert await inbox.missing_before(session, 24, RECENT)  # 21 and 22 are recent gaps
            await inbox.record_applied(session, 21, NOW)
            await inbox.record(session, 22, 3, "{}", NOW)
            assert not await inbox.missing_before(session, 24, RECENT)
    finally:
        await db.close()


async def test_pending_updates_come_oldest_first_and_old_applied_ones_are_pruned(
    knowledge, tmp_path, db_url
):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            for update_id in (33, 31, 32):
                await inbox.record(session, update_id, 4, "{}", NOW - timedelta(seconds=10))
            await inbox.record(session, 34, 4, "{}", NOW)
            assert await inbox.pending(session, 4) == [31, 32, 33, 34]
            assert await inbox.stale_senders(session, NOW - timedelta(seconds=5), 10) == [4]
            await inbox.finish(session, 31, NOW - timedelta(days=3), failed=False)
            await inbox.finish(session, 32, NOW, failed=True)
            pending = await inbox.next_pending(session, 4)
            assert pending is not None and pending.update_id == 33
            assert await inbox.prune(session, NOW - timedelta(days=2)) == 1
            assert await session.get(InboxRow, 31) is None
            failed = await session.get(InboxRow, 32)
            assert failed is not None and failed.failed
    finally:
        await db.close()
