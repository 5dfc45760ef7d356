"""The inbox repository: recording, claiming, telling a missing number, and keying by bot."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from bot.app.update_inbox import presses_left
from bot.core.updates import UNKEYED_BOT, UpdateKey, numbering_since
from bot.store import inbox, migrate, steps
from bot.store.db import Database
from bot.store.schema import InboxRow
from tests.support import Clock, make_coach

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)
RECENT = NOW - timedelta(seconds=2)
FRESH = numbering_since(NOW)  # rows received before this are of an earlier numbering
BOT = 123456
STAGING = 654321
WEEK_AGO = NOW - timedelta(days=8)


def key(update_id: int, bot_id: int = BOT) -> UpdateKey:
    return UpdateKey(bot_id, update_id)


async def store(knowledge, tmp_path, db_url) -> Database:
    _, db = await make_coach(knowledge, tmp_path, Clock(NOW), url=db_url)
    return db


async def test_an_update_is_recorded_once_and_claimed_once(knowledge, tmp_path, db_url):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            assert await inbox.record(session, key(10), 7, '{"update_id": 10}', NOW, FRESH)
            assert not await inbox.record(session, key(10), 7, '{"update_id": 10}', NOW, FRESH)
            assert [r.update_id for r in [await inbox.next_pending(session, BOT, 7)] if r] == [10]
        async with db.transaction() as session:
            assert await inbox.claim(session, key(10), 7, NOW, FRESH)
            assert not await inbox.claim(session, key(10), 7, NOW, FRESH)
            # An update nobody recorded is claimed (and so recorded) by its step.
            assert await inbox.claim(session, key(11), 7, NOW, FRESH)
            assert not await inbox.claim(session, key(11), 7, NOW, FRESH)
            assert await inbox.next_pending(session, BOT, 7) is None
        async with db.transaction() as session:
            row = await session.get(InboxRow, (BOT, 10))
            assert row is not None and row.payload is None and row.processed_at == NOW
    finally:
        await db.close()


async def test_two_bots_on_one_store_each_have_their_own_numbers(knowledge, tmp_path, db_url):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            for number in (1, 2, 3):
                assert await inbox.record(session, key(number), 7, "{}", NOW, FRESH)
            assert await inbox.claim(session, key(1), 7, NOW, FRESH)
            # A staging bot starts again at low numbers: not the first bot's redeliveries.
            assert await inbox.record(session, key(1, STAGING), 7, "{}", NOW, FRESH)
            assert await inbox.claim(session, key(1, STAGING), 7, NOW, FRESH)
            assert await inbox.claim(session, key(2, STAGING), 7, NOW, FRESH)
            assert not await inbox.claim(session, key(2, STAGING), 7, NOW, FRESH)
            assert await inbox.record_applied(session, key(3, STAGING), NOW, FRESH)
            # Each bot drains, sweeps and gap-checks its own updates only.
            assert await inbox.pending(session, BOT, 7) == [2, 3]
            assert await inbox.pending(session, STAGING, 7) == []
            assert await inbox.stale_senders(session, STAGING, NOW + timedelta(1), 10) == []
            assert await inbox.stale_senders(session, BOT, NOW + timedelta(1), 10) == [7]
            assert not await inbox.missing_before(session, key(4, STAGING), RECENT, FRESH)
            assert await inbox.missing_before(session, key(5, STAGING), RECENT, FRESH)
            await inbox.finish(session, key(2, STAGING), NOW, failed=True)
            pending = await inbox.next_pending(session, BOT, 7)
            assert pending is not None and pending.update_id == 2
    finally:
        await db.close()


async def test_a_number_from_before_a_long_idle_time_is_a_new_update(knowledge, tmp_path, db_url):
    """Telegram numbers afresh, at random, after a week without updates: a number seen more
    than a day ago cannot be sent again, so meeting it again means a new update."""
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            # The last updates before a quiet week, applied and not yet pruned.
            for number in range(5000, 5010):
                await inbox.record(session, key(number), 7, "{}", WEEK_AGO, FRESH)
                await inbox.claim(session, key(number), 7, WEEK_AGO, FRESH)
            await inbox.record(session, key(5010), 8, "{}", WEEK_AGO, FRESH)  # never applied
        async with db.transaction() as session:
            # Far below the last number seen: new, and no gap below it is waited for.
            assert await inbox.record(session, key(17), 7, '{"n": 17}', NOW, FRESH)
            assert not await inbox.missing_before(session, key(17), RECENT, FRESH)
            assert not await inbox.missing_before(session, key(18), RECENT, FRESH)
            # The new numbering meets an old number: recorded (and claimed) as new.
            assert await inbox.record(session, key(5003), 7, '{"n": 5003}', NOW, FRESH)
            assert await inbox.claim(session, key(5004), 7, NOW, FRESH)
            # Then a real redelivery of the new updates is still known as one.
            assert not await inbox.record(session, key(17), 7, "{}", NOW, FRESH)
            assert not await inbox.record(session, key(5003), 7, "{}", NOW, FRESH)
            assert not await inbox.claim(session, key(5004), 7, NOW, FRESH)
            # An update never applied is never overwritten, however old.
            assert not await inbox.record(session, key(5010), 9, "{}", NOW, FRESH)
            assert await inbox.pending(session, BOT, 7) == [17, 5003]
        async with db.transaction() as session:
            renewed = await session.get(InboxRow, (BOT, 5003))
            assert renewed is not None and renewed.processed_at is None
            assert renewed.received_at == NOW and renewed.payload == '{"n": 5003}'
        # A number received within the day is a redelivery however far below it is.
        async with db.transaction() as session:
            day = NOW - timedelta(hours=20)
            assert await inbox.record(session, key(1, STAGING), 7, "{}", day, FRESH)
            assert await inbox.claim(session, key(1, STAGING), 7, day, FRESH)
            assert not await inbox.record(session, key(1, STAGING), 7, "{}", NOW, FRESH)
    finally:
        await db.close()


async def test_a_missing_number_counts_only_while_it_is_recent(knowledge, tmp_path, db_url):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            # The first update a store sees cannot know of earlier ones.
            assert not await inbox.missing_before(session, key(5), RECENT, FRESH)
            for update_id in (5, 6, 8):
                await inbox.record(session, key(update_id), 1, "{}", NOW, FRESH)
            assert not await inbox.missing_before(session, key(7), RECENT, FRESH)
            assert await inbox.missing_before(session, key(9), RECENT, FRESH)  # 7 is on its way
            await inbox.record(session, key(7), 2, "{}", NOW, FRESH)
            assert not await inbox.missing_before(session, key(9), RECENT, FRESH)
        async with db.transaction() as session:
            # Received long ago, 20 is followed by a gap that is no longer worth waiting for:
            # only numbers after the newest old update are looked at.
            await inbox.record(session, key(20), 1, "{}", NOW - timedelta(minutes=5), FRESH)
            assert not await inbox.missing_before(session, key(21), RECENT, FRESH)
            await inbox.record(session, key(23), 1, "{}", NOW, FRESH)
            # 21 and 22 are recent gaps
            assert await inbox.missing_before(session, key(24), RECENT, FRESH)
            await inbox.record_applied(session, key(21), NOW, FRESH)
            await inbox.record(session, key(22), 3, "{}", NOW, FRESH)
            assert not await inbox.missing_before(session, key(24), RECENT, FRESH)
    finally:
        await db.close()


async def test_pending_updates_come_oldest_first_and_old_applied_ones_are_pruned(
    knowledge, tmp_path, db_url
):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.transaction() as session:
            for update_id in (33, 31, 32):
                await inbox.record(
                    session, key(update_id), 4, "{}", NOW - timedelta(seconds=10), FRESH
                )
            await inbox.record(session, key(34), 4, "{}", NOW, FRESH)
            assert await inbox.pending(session, BOT, 4) == [31, 32, 33, 34]
            assert await inbox.stale_senders(session, BOT, NOW - timedelta(seconds=5), 10) == [4]
            await inbox.finish(session, key(31), NOW - timedelta(days=3), failed=False)
            await inbox.finish(session, key(32), NOW, failed=True)
            pending = await inbox.next_pending(session, BOT, 4)
            assert pending is not None and pending.update_id == 33
            assert await inbox.prune(session, NOW - timedelta(days=2)) == 1
            assert await session.get(InboxRow, (BOT, 31)) is None
            failed = await session.get(InboxRow, (BOT, 32))
            assert failed is not None and failed.failed
    finally:
        await db.close()


async def test_rows_from_before_keying_go_to_the_first_bot_that_starts(db_url):
    """Revision 0007 gives the existing rows bot id 0; the first bot to start adopts them."""
    db = Database(db_url)
    try:
        await migrate.upgrade(db, "0006")
        async with db.engine.begin() as conn:
            # Revision 0006's inbox, as a running bot left it: one applied, one pending.
            await conn.execute(
                text(
                    "INSERT INTO inbox (update_id, user_id, payload, received_at, processed_at,"
                    " failed) VALUES (40, 7, NULL, :now, :now, :no), (41, 7, '{}', :now, NULL, :no)"
                ),
                {"now": NOW, "no": False},
            )
        await migrate.upgrade(db)
        async with db.transaction() as session:
            stored = (await session.execute(select(InboxRow).order_by(InboxRow.update_id))).all()
            assert [(r.bot_id, r.update_id) for (r,) in stored] == [(UNKEYED_BOT, 40), (0, 41)]
            # A bot that started first already holds number 41 (say): that row stays unkeyed.
            await inbox.record(session, key(41, STAGING), 8, "{}", NOW, FRESH)
        async with db.transaction() as session:
            assert await inbox.adopt_unkeyed(session, STAGING) == 1
        async with db.transaction() as session:
            assert await inbox.adopt_unkeyed(session, BOT) == 1
            assert await inbox.adopt_unkeyed(session, BOT) == 0
            # The adopted applied update still stops its redelivery; the pending one is drained.
            assert not await inbox.record(session, key(40, STAGING), 7, "{}", NOW, FRESH)
            assert await inbox.pending(session, BOT, 7) == [41]
            assert await inbox.pending(session, STAGING, 8) == [41]
    finally:
        await db.close()


async def test_a_start_finds_the_presses_applied_in_the_last_minute(knowledge, tmp_path, db_url):
    db = await store(knowledge, tmp_path, db_url)
    try:
        async with db.connection_transaction() as conn:
            # Presses claimed by their steps, a minute and more apart; a text has no answer.
            for number, seconds_ago, press in ((1, 90, "old"), (2, 30, "a"), (3, 5, "b")):
                at = NOW - timedelta(seconds=seconds_ago)
                assert await steps.begin(conn, 7, key(number), at, press) is not None
            assert await steps.begin(conn, 7, key(4), NOW, None) is not None
            assert await steps.begin(conn, 7, key(1, STAGING), NOW, "staging") is not None
        assert await presses_left(db, BOT, NOW) == ["b", "a"]
        assert await presses_left(db, STAGING, NOW) == ["staging"]
        # A press that came again and found its update applied keeps the first claim's id.
        async with db.connection_transaction() as conn:
            assert await steps.begin(conn, 7, key(3), NOW, "b-again") is None
        assert await presses_left(db, BOT, NOW + timedelta(seconds=40)) == ["b"]
    finally:
        await db.close()
