"""Three worker processes, one PostgreSQL database, 100 people, one worker killed mid-stream.

Every person asks for a callback in a conversation whose replies give away the order its
messages were applied in (a note typed at the wrong step reads as a command, an "Edit note"
applied twice is taken as the note). In every round each person's next two messages are posted
at the same instant to two different workers. In the middle, one worker is SIGKILLed while
updates are in flight to it; as a load balancer would, the test then sends it nothing more
and re-posts (as Telegram redelivers) each update whose POST to it failed.

Checked afterwards: every update applied exactly once and in update-id order per person, with
each reply sent once and in order (the updates the killed worker applied may lack their
replies: it died before sending them); every due reminder sent once; every staff notification
sent once. Reminders fall due before and after the kill and staff notifications are made
before and after it, but none is in flight at the worker at the instant it dies: reminders
are at most once by design (bot/dispatch.py), so one claimed by a worker that dies before
sending it is skipped, and a staff message whose sender dies between Telegram's acceptance
and the commit is sent again, marked as a repeat.
"""

from __future__ import annotations

import asyncio
import html
import random
import re
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp

from bot.app.coach import Person
from bot.channels.telegram.render import merge_replies
from bot.core.events import CommandEvent, TextEvent
from bot.core.flows.reminder import REMINDER_PREFIX
from bot.core.reminders import Days, Reminder
from bot.core.replies import AskPhone, Say
from bot.store import reminders
from bot.store.db import Database
from tests.cluster import STAFF_CHAT, TOKEN, Worker, post, start_workers, stop_workers
from tests.databases import fresh_pg_database, pg_query
from tests.fakebot import FakeBotAPI, SentMessage
from tests.support import Clock, eventually, make_coach

PEOPLE = [70_000 + i for i in range(100)]
WARM_UP = 69_999
SHORT = ["/callback", "yes", "Ann Smith", "07400 123456", "Evening", "note 1", "Confirm"]
LONG = [
    *SHORT[:-1],
    *("Edit note", "note 2", "Edit note", "note 3", "Edit note", "note 4"),
    "Confirm",
]
KILL_ROUND = 4
ORDER_WAIT = 5.0
CODE = re.compile(r"FC-[A-Z0-9]{5}")


def script_of(person: int) -> list[str]:
    """Even people confirm before the kill, odd ones after it."""
    return SHORT if person % 2 == 0 else LONG


async def expected_replies(knowledge, folder: Path) -> dict[str, list[list[str]]]:
    """The reply texts of each message of each script, from one coach on SQLite."""
    expected = {}
    for name, script in (("short", SHORT), ("long", LONG)):
        coach, db = await make_coach(knowledge, folder / name, Clock(), url=None)
        try:
            person = Person(id=1, first_name="Ann")
            per_message = []
            for text in script:
                event = (
                    CommandEvent(name=text[1:]) if text.startswith("/") else TextEvent(text=text)
                )
                # As the Telegram channel sends them: a plain reply joined to the next.
                replies = merge_replies(await coach.handle(person, event))
                per_message.append(
                    [normal(r.text) for r in replies if isinstance(r, Say | AskPhone)]
                )
            expected[name] = per_message
        finally:
            await db.close()
    return expected


def normal(text: str) -> str:
    return CODE.sub("FC-?????", html.unescape(text))


def is_reminder(message: SentMessage) -> bool:
    rows = (message.reply_markup or {}).get("inline_keyboard") or []
    return any(
        str(b.get("callback_data", "")).startswith(f"{REMINDER_PREFIX}.") for r in rows for b in r
    )


class LoadBalancer:
    """Posts updates to workers; remembers what it posted and re-posts what failed."""

    def __init__(
        self,
        session: aiohttp.ClientSession,
        retry_session: aiohttp.ClientSession,
        workers: list[Worker],
    ) -> None:
        self.session = session
        # A balancer retries at once on its own connection, not behind the queue of other
        # requests: the re-post must reach a live worker within the order wait of the update
        # after it, which may already be there.
        self.retry_session = retry_session
        self.live = list(workers)
        self.posted: dict[int, int] = {}  # update_id -> person
        self.reposted = 0
        self.in_flight: Counter[int] = Counter()  # worker index -> posts awaiting an answer
        self.busy = asyncio.Event()  # set once the watched worker has posts in flight
        self.watched: Worker | None = None

    async def send(self, worker: Worker, person: int, update: dict[str, Any]) -> None:
        self.posted[update["update_id"]] = person
        self.in_flight[worker.index] += 1
        if worker is self.watched and self.in_flight[worker.index] >= 3:
            self.busy.set()
        try:
            status = await post(self.session, worker, update)
        finally:
            self.in_flight[worker.index] -= 1
        while status != 200:
            # The worker is gone (or refused): Telegram would send it again, and the load
            # balancer would pick a live worker.
            self.reposted += 1
            target = [w for w in self.live if w.alive][
                person % len([w for w in self.live if w.alive])
            ]
            status = await post(self.retry_session, target, update)

    def pair(self, person: int, round_: int) -> tuple[Worker, Worker]:
        n = len(self.live)
        return self.live[(person + round_) % n], self.live[(person + round_ + 1) % n]


async def seed_reminders(url: str, people: list[int]) -> None:
    """Give these people a daily reminder that fell due a minute ago."""
    db = Database(url)
    now = datetime.now(UTC)
    try:
        async with db.transaction() as session:
            for person in people:
                due = now - timedelta(minutes=1)
                await reminders.put(
                    session,
                    person,
                    Reminder(
                        at=due.time().replace(second=0, microsecond=0),
                        zone="UTC",
                        days=Days.daily,
                        next_due=due,
                    ),
                    now,
                )
    finally:
        await db.close()


async def test_three_workers_one_killed_every_update_once_in_order(knowledge, tmp_path):
    expected = await expected_replies(knowledge, tmp_path)
    async with FakeBotAPI(TOKEN, timeout_delay=3.0) as api, fresh_pg_database() as url:
        # Three workers, PostgreSQL, the fake and this test share two CPUs here: a worker can
        # take seconds to record an update, so the order wait gets more room than in production.
        workers = await start_workers(3, api, url, tmp_path, webhook_order_wait=ORDER_WAIT)
        victim = workers[1]
        try:
            await _run(api, url, workers, victim, expected)
        except BaseException:
            for row in await pg_query(
                url,
                "SELECT count(*) AS rows, count(sent_at) AS sent, count(sending_since) AS leased,"
                " min(next_attempt_at) FILTER (WHERE sent_at IS NULL) AS next_unsent,"
                " max(attempts) AS attempts, string_agg(DISTINCT last_error, ',') AS errors,"
                " (SELECT count(*) FROM leads) AS leads,"
                " (SELECT count(*) FROM inbox WHERE failed) AS failed_updates FROM outbox",
            ):
                print("outbox", dict(row), "staff messages", len(api.messages(STAFF_CHAT)))
            with_lead = {r[0] for r in await pg_query(url, "SELECT user_id FROM leads")}
            for person in [p for p in PEOPLE if p not in with_lead][:3]:
                print("no request from", person)
                for r in await pg_query(
                    url,
                    "SELECT update_id, received_at, processed_at, processed_by, failed FROM inbox"
                    " WHERE user_id = $1 ORDER BY update_id",
                    person,
                ):
                    print("  update", dict(r))
                for m in api.messages(person):
                    print("  reply", repr((m.text or "")[:70]))
            for row in await pg_query(
                url,
                "SELECT pid, application_name, state, wait_event_type, wait_event,"
                " left(query, 80) AS query, now() - state_change AS for"
                " FROM pg_stat_activity WHERE datname = current_database()",
            ):
                print("activity", dict(row))
            for worker in workers:
                print(f"--- worker {worker.index} (pid {worker.pid})\n{worker.log_tail()}")
            raise
        finally:
            await stop_workers(workers)
        assert [w.process.returncode for w in workers] == [0, -9, 0], [
            w.log_tail() for w in workers
        ]
        assert not api.internal_errors


async def _run(api: FakeBotAPI, url: str, workers: list[Worker], victim: Worker, expected):
    scripts = {person: script_of(person) for person in PEOPLE}
    rounds = (max(len(s) for s in scripts.values()) + 1) // 2
    connector = aiohttp.TCPConnector(limit=64)
    timeout = aiohttp.ClientTimeout(10)
    async with (
        aiohttp.ClientSession(connector=connector, timeout=timeout) as s,
        aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout) as r,
    ):
        balancer = LoadBalancer(s, r, workers)

        async def all_processed() -> bool:
            rows = await pg_query(url, "SELECT count(*) FROM inbox WHERE processed_at IS NOT NULL")
            return int(rows[0][0]) == len(balancer.posted)

        def staff_sent() -> int:
            return len(api.messages(STAFF_CHAT))

        def reminders_sent() -> int:
            return sum(is_reminder(m) for p in PEOPLE for m in api.messages(p))

        # The bot has been running: a store that has seen no update at all cannot tell that a
        # lower number is still on its way (bot/store/inbox.py), which happens once in a bot's
        # life, not in every round.
        warm_up = api.build_text_update(WARM_UP, "/start", first_name="Wu")
        await balancer.send(workers[0], WARM_UP, warm_up)
        await eventually(all_processed, timeout=40)

        for round_ in range(rounds):
            if round_ == KILL_ROUND:
                # Before the kill: reminders due and staff notifications made so far are out.
                await eventually(all_processed, timeout=40)
                await api.wait_for(lambda: reminders_sent() >= 50, timeout=40)
                await api.wait_for(lambda: staff_sent() >= 50, timeout=40)
            shuffle = random.Random(round_)
            tasks = []
            for person, script in scripts.items():
                texts = script[2 * round_ : 2 * round_ + 2]
                # Numbered in the order the person wrote them, posted at the same instant (the
                # later one first as often as not). A pair leaves together: one person's two
                # updates far apart in a queue of 200 posts could be further apart than the
                # order wait on a slow machine, which the inbox documents as out of its reach.
                updates = [api.build_text_update(person, t, first_name="Ann") for t in texts]
                sends = [
                    balancer.send(worker, person, update)
                    for worker, update in zip(balancer.pair(person, round_), updates, strict=False)
                ]
                shuffle.shuffle(sends)
                tasks.append(_together(sends))
            shuffle.shuffle(tasks)
            if round_ == KILL_ROUND:
                balancer.watched = victim
                sending = asyncio.gather(*tasks)
                await asyncio.wait_for(balancer.busy.wait(), 30)  # updates on their way to it
                killed_at = datetime.now(UTC)
                victim.kill()
                balancer.live.remove(victim)
                await sending
                await seed_reminders(url, PEOPLE[50:])
            else:
                await asyncio.gather(*tasks)
            if round_ == 0:
                await eventually(all_processed, timeout=40)
                await seed_reminders(url, PEOPLE[:50])

        await eventually(all_processed, timeout=60)
        await api.wait_for(lambda: staff_sent() >= 100, timeout=40)
        await api.wait_for(lambda: reminders_sent() >= 100, timeout=40)
        # Stopped cleanly, the live workers finish what they are doing: nothing they could
        # still send twice comes later, so the counts below are final.
        await stop_workers(balancer.live)

        assert balancer.reposted > 0, "the kill hit no update in flight"
        await _check(api, url, balancer, victim, scripts, expected, reminders_sent(), killed_at)


async def _together(sends: list[Any]) -> None:
    await asyncio.gather(*sends)


async def _check(api, url, balancer, victim, scripts, expected, reminder_count, killed_at) -> None:
    rows = await pg_query(
        url,
        "SELECT update_id, user_id, processed_at, processed_by, failed FROM inbox"
        " ORDER BY update_id",
    )
    # Every update posted is in the inbox exactly once, applied, and none failed.
    assert [r["update_id"] for r in rows] == sorted(balancer.posted)
    assert all(r["processed_at"] is not None and not r["failed"] for r in rows)
    assert all(r["user_id"] == balancer.posted[r["update_id"]] for r in rows)
    by_victim = {r["update_id"] for r in rows if r["processed_by"].endswith(f":{victim.pid}")}
    assert by_victim, "the killed worker applied nothing"

    for person, script in scripts.items():
        mine = [r for r in rows if r["user_id"] == person]
        assert len(mine) == len(script)
        # Applied in update-id order.
        assert [r["update_id"] for r in sorted(mine, key=lambda r: r["processed_at"])] == [
            r["update_id"] for r in mine
        ]
        want = expected["short" if script is SHORT else "long"]
        got = [normal(m.text or "") for m in api.messages(person) if not is_reminder(m)]
        _match_replies(person, got, want, [r["update_id"] in by_victim for r in mine])

    # Each person's request is stored once, with the last note they wrote.
    leads = await pg_query(url, "SELECT code, user_id, status, note FROM leads")
    assert sorted(r["user_id"] for r in leads) == sorted(scripts)
    for lead in leads:
        assert lead["status"] == "open"
        assert lead["note"] == ("note 1" if lead["user_id"] % 2 == 0 else "note 4")
    # Every staff notification sent once.
    staff = [m.text or "" for m in api.messages(STAFF_CHAT)]
    per_code = Counter(code for text in staff for code in CODE.findall(text))
    assert per_code == Counter({lead["code"]: 1 for lead in leads})
    assert len(staff) == len(leads)
    # Nothing waits, except a message the killed worker had handed to Telegram (it arrived:
    # counted above) without marking it sent: its lease, taken before the kill, runs out two
    # minutes later and the row is sent again marked as a repeat (at least once, by design).
    pending = await pg_query(url, "SELECT sending_since FROM outbox WHERE sent_at IS NULL")
    assert all(r["sending_since"] is not None and r["sending_since"] <= killed_at for r in pending)
    assert len(pending) <= 1
    # Every due reminder sent once.
    assert reminder_count == len(PEOPLE)
    for person in PEOPLE:
        assert sum(is_reminder(m) for m in api.messages(person)) == 1, person


def _match_replies(person: int, got: list[str], want: list[list[str]], by_victim: list[bool]):
    """The replies are each message's expected replies in order, each once; a message the
    killed worker applied may have lost the tail of its replies (it died sending them)."""
    at = 0
    for index, (replies, victims) in enumerate(zip(want, by_victim, strict=True)):
        if not victims:
            assert got[at : at + len(replies)] == replies, (person, index, got[at:][:3], replies)
            at += len(replies)
            continue
        sent = 0
        while sent < len(replies) and at < len(got) and got[at] == replies[sent]:
            at += 1
            sent += 1
    assert at == len(got), (person, "more replies than messages", got[at:])
