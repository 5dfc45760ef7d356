"""Durability: the real bot process (`python -m bot run`) killed with SIGKILL and restarted.

The fake Bot API serves on the test's loop; the bot runs as a subprocess on a SQLite file (and
PostgreSQL when configured), exactly as in production. A request whose step committed must be
in the store and reach the staff chat exactly once whatever happens to the process, between
steps or in the middle of one; a request that did not commit leaves nothing. Nothing more can
arrive once the last process has stopped (SIGTERM), so the counts are taken then.

Failures injected into staff sends are the fake's "500" and plain "timeout" kinds: a "timeout"
is never processed (nothing is delivered) and its answer is held longer than PTB's 5 s read
timeout, so the bot sees a real TimedOut. (A send Telegram took whose answer was lost is the
one window the design cannot close; tests/app/test_senders.py shows such a resend is marked.)
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sqlite3
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import closing
from pathlib import Path

import pytest

from tests.channels.telegram.people import TelegramUser, answered_queries, callback_answer
from tests.channels.telegram.probes import code_in
from tests.conftest import KNOWLEDGE_DIR, ROOT, TOKEN
from tests.databases import BACKENDS, fresh_pg_database, pg_query
from tests.fakebot import FakeBotAPI, Hold, SentMessage
from tests.support import eventually

STAFF_CHAT = -1001234
ADMIN = 900
PTB_READ_TIMEOUT = 5.0


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """The fake Bot API, answering "timeout" failures after PTB has given up on them."""
    async with FakeBotAPI(TOKEN, timeout_delay=PTB_READ_TIMEOUT + 1) as server:
        yield server
        assert not server.internal_errors, "\n".join(server.internal_errors)


class BotProcess:
    """`python -m bot run` on a SQLite file in `folder`, started, killed and restarted."""

    def __init__(self, api: FakeBotAPI, folder: Path) -> None:
        self.api = api
        self.folder = folder
        self.db_path = folder / "footcoach.db"
        self.database_url = f"sqlite+aiosqlite:///{self.db_path}"
        self.process: subprocess.Popen[bytes] | None = None
        self.runs = 0

    def env(self, interval: float, staff: bool = True) -> dict[str, str]:
        """Return the environment of the bot: the fake server, the store, the staff chat."""
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "TMPDIR")}
        return {
            **keep,
            "PYTHONPATH": str(ROOT),
            "TELEGRAM_BOT_TOKEN": TOKEN,
            "TELEGRAM_API_URL": self.api.base_url,
            "DATABASE_URL": self.database_url,
            "KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
            "DATA_DIR": str(self.folder),
            "STAFF_CHAT_ID": str(STAFF_CHAT) if staff else "",
            "ADMIN_USER_IDS": str(ADMIN),
            "DEFAULT_PHONE_REGION": "GB",
            "TELEGRAM_MAX_RATE": "1000",
            "DISPATCH_INTERVAL": str(interval),
            "LOG_LEVEL": "INFO",
            "MPLBACKEND": "Agg",
        }

    async def start(
        self, *, interval: float = 0.2, lease: float | None = None, staff: bool = True
    ) -> None:
        """Start the bot and wait until it polls; `interval` is DISPATCH_INTERVAL; without
        `staff` no staff chat is set, so requests are queued and none is announced."""
        assert self.process is None
        if lease is None:
            command = [sys.executable, "-m", "bot", "run"]
        else:
            # The same entry point with a shorter staff-outbox lease, so a lease left by a
            # killed process runs out in seconds rather than the production two minutes.
            command = [sys.executable, "-c", _WITH_LEASE, str(lease)]
        self.runs += 1
        polls = self.api.request_count("getUpdates")
        log = (self.folder / f"bot-{self.runs}.log").open("wb")
        with log:
            self.process = subprocess.Popen(
                command,
                cwd=self.folder,  # no .env from the working tree
                env=self.env(interval, staff),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        process = self.process
        await self.api.wait_for(
            lambda: self.api.request_count("getUpdates") > polls or process.poll() is not None,
            timeout=20,
            description="the bot process to start polling",
        )
        assert process.poll() is None, self.logs()

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind runs."""
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(10)
        self.process = None

    async def stop(self) -> int | None:
        """Stop the bot the way an operator does (SIGTERM); return its exit status. It finishes
        its runs first (the job queue waits for them), so nothing it sends can come later."""
        process, self.process = self.process, None
        if process is None:
            return None
        process.send_signal(signal.SIGTERM)
        try:
            # In a thread: the bot talks to the fake on this loop while it stops.
            return await asyncio.to_thread(process.wait, 20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(5)
            raise

    def logs(self) -> str:
        """Return everything the bot processes wrote."""
        return "\n".join(p.read_text() for p in sorted(self.folder.glob("bot-*.log")))

    async def query(self, sql: str, *args: object) -> list[tuple[object, ...]]:
        """Read the store directly (WAL lets a reader in beside the running bot)."""
        if self.database_url.startswith("postgresql"):
            numbers = iter(range(1, 99))
            numbered = re.sub(r"\?", lambda _: f"${next(numbers)}", sql)
            return [tuple(row) for row in await pg_query(self.database_url, numbered, *args)]
        with closing(sqlite3.connect(self.db_path, timeout=10)) as conn:
            return list(conn.execute(sql, args))

    async def leads_of(self, user_id: int) -> list[tuple[object, ...]]:
        """Return the stored requests of one person (code, status)."""
        return await self.query("SELECT code, status FROM leads WHERE user_id = ?", user_id)

    async def pending_outbox(self) -> int:
        """Return how many staff messages still wait to be delivered."""
        [(count,)] = await self.query("SELECT COUNT(*) FROM outbox WHERE sent_at IS NULL")
        assert isinstance(count, int)
        return count

    async def delivered_all(self) -> bool:
        """Say whether every staff message has been delivered."""
        return await self.pending_outbox() == 0


_WITH_LEASE = (
    "import datetime, runpy, sys; import bot.core.outbox as d; "
    "d.LEASE = datetime.timedelta(seconds=float(sys.argv[1])); "
    "sys.argv = ['footcoach', 'run']; runpy.run_module('bot', run_name='__main__')"
)


@pytest.fixture(params=BACKENDS)
async def bot(
    request: pytest.FixtureRequest, api: FakeBotAPI, tmp_path: Path
) -> AsyncIterator[BotProcess]:
    """A bot process driver on SQLite (and PostgreSQL when configured); stopped at the end."""
    process = BotProcess(api, tmp_path)
    try:
        if request.param == "sqlite":
            yield process
        else:
            async with fresh_pg_database() as url:
                process.database_url = url
                try:
                    yield process
                finally:
                    await process.stop()  # before the database is dropped under it
    finally:
        await process.stop()


def staff_messages(api: FakeBotAPI, code: str) -> list[SentMessage]:
    """Return the messages the staff chat received about one request."""
    return [m for m in api.messages(STAFF_CHAT) if code in (m.text or "")]


async def all_delivered_then_stopped(bot: BotProcess) -> None:
    """Wait until the outbox is empty, then stop the bot cleanly: nothing can come after."""
    await eventually(bot.delivered_all)
    assert await bot.stop() == 0, bot.logs()


async def up_to_consent(person: TelegramUser) -> None:
    """Ask for a call: the bot says what it will share and asks for consent."""
    [consent] = await person.send("/callback", 1)
    assert consent.button_texts == ["Yes, that's OK", "No thanks"]


async def up_to_phone(person: TelegramUser, name: str) -> None:
    """Consent and give a name: the bot asks for the phone number."""
    await up_to_consent(person)
    await person.press("Yes, that's OK", 1)
    [ask] = await person.send(name, 1)
    assert ask.reply_keyboard, "expected the phone question with its share button"


async def up_to_review(person: TelegramUser, name: str, phone: str) -> None:
    """Answer every question: the bot shows the summary to confirm."""
    await up_to_phone(person, name)
    await person.send(phone, 2)
    await person.press("Morning", 1)
    [review] = await person.press("Skip", 1)
    assert review.text is not None and review.text.startswith("Please check your request:")


async def confirmed(person: TelegramUser, name: str, phone: str) -> str:
    """Go through the whole request and confirm it; return its reference code."""
    await up_to_review(person, name, phone)
    [thanks] = await person.press("Confirm", 1)
    return code_in(thanks)


async def test_kills_between_the_steps_of_a_request(api: FakeBotAPI, bot: BotProcess):
    # First run: no staff chat, so requests are queued and none is announced (nor leased):
    # the kill after the confirmation certainly comes before the staff message.
    await bot.start(interval=3600, staff=False)
    ann, bea, cat, dan = (TelegramUser(api, uid, first_name=n) for uid, n in enumerate("ABCD", 101))
    await up_to_consent(ann)
    await up_to_phone(bea, "Bea Middle")
    await up_to_review(cat, "Cat Review", "07400 100003")
    dan_code = await confirmed(dan, "Dan Done", "07400 100004")
    bot.kill()  # right after Dan saw his confirmation

    # What was confirmed is stored with its outbox row; nothing of the others.
    assert await bot.leads_of(104) == [(dan_code, "open")]
    assert await bot.pending_outbox() == 1
    for person in (101, 102, 103):
        assert await bot.leads_of(person) == []

    await bot.start()
    await api.wait_for(lambda: staff_messages(api, dan_code), description="Dan's staff message")
    # Each conversation carries on from where it was when the process died.
    [name_question] = await ann.press("Yes, that's OK", 1)  # Ann agrees, then changes her mind
    assert name_question.text == "What name should they ask for?"
    [left] = await ann.send("/cancel", 1)
    assert left.text is not None and left.text.startswith("OK")
    saved, _ = await bea.send("07400 100002", 2)
    assert saved.text == "Thanks, I've got +447400100002."
    bot.kill()  # mid-flow again, at the best-time question

    await bot.start()
    [thanks] = await cat.press("Confirm", 1)  # the summary shown before the first kill
    cat_code = code_in(thanks)
    await bea.send("/cancel", 1)
    await api.wait_for(lambda: staff_messages(api, cat_code), description="Cat's staff message")
    await all_delivered_then_stopped(bot)

    for code in (dan_code, cat_code):
        [message] = staff_messages(api, code)
        assert message.button_texts == ["Contacted", "Closed"]
    assert len(api.messages(STAFF_CHAT)) == 2
    assert sorted(await bot.query("SELECT code, user_id FROM leads")) == sorted(
        [(dan_code, 104), (cat_code, 103)]
    )
    assert await bot.leads_of(101) == await bot.leads_of(102) == []
    outbox = await bot.query("SELECT DISTINCT lead_code FROM outbox")
    assert sorted(outbox) == sorted([(dan_code,), (cat_code,)])
    [(state,)] = await bot.query("SELECT state FROM users WHERE id = 102")
    assert "Bea" not in str(state) and "100002" not in str(state)  # /cancel kept nothing
    logs = bot.logs()
    assert "footcoach is running" in logs
    for secret in ("Dan Done", "Cat Review", "Bea Middle", "7400100004", "07400 100003"):
        assert secret not in logs


async def killed_while_held(api: FakeBotAPI, bot: BotProcess, *holds: Hold) -> None:
    """Kill the bot once every hold has caught a call, and let the holds go once those calls
    died with it (so nothing a dead process asked for is done after all)."""
    await api.wait_for(lambda: all(hold.arrived for hold in holds), description="held calls")
    bot.kill()
    held = [(h.method, h.chat_id) for h in holds]

    def all_cut() -> bool:
        calls = [r for r in api.requests() if (r.method, r.params.get("chat_id")) in held]
        # A held call dies with the process (499); none is left waiting to be released.
        return all(r.status is not None for r in calls) and any(r.status == 499 for r in calls)

    await api.wait_for(all_cut, description="the held calls cut off by the kill")
    for hold in holds:
        api.release(hold)


async def test_kills_in_the_middle_of_the_confirm_step(api: FakeBotAPI, bot: BotProcess):
    await bot.start(interval=3600, staff=False)
    eve, fay = TelegramUser(api, 401, first_name="Eve"), TelegramUser(api, 402, first_name="Fay")
    await up_to_review(eve, "Eve Replyless", "07400 400001")
    await up_to_review(fay, "Fay Unapplied", "07400 400002")

    # Eve confirms: the step commits and the bot dies while its reply is on the way, before
    # its next poll could tell Telegram it has the update, so Telegram hands it out again.
    review = eve.latest_with_buttons()
    await api.wait_for(lambda: [r for r in api.requests("getUpdates") if r.status is None])
    holds = api.hold("getUpdates"), api.hold("sendMessage", chat_id=401)
    pressed = api.press_button(401, review.message_id, review.callback_data("Confirm"))
    await killed_while_held(api, bot, *holds)
    [(eve_code, status)] = await bot.leads_of(401)  # committed, though Eve never saw the code
    assert isinstance(eve_code, str) and status == "open"
    assert api.delivered_count(401) == eve.seen
    [cut] = [r for r in api.requests("getUpdates") if r.status == 499]
    assert cut.params["offset"] > pressed["update_id"], "the poll that would have confirmed it"

    # Fay confirms: her step commits and her thanks goes out while the answer to her press
    # is still on its way (it goes beside the step), and her next message waits behind the
    # press in the inbox. The bot dies then: the press applied but unanswered, the message
    # fetched (Telegram will not send it again) and not applied.
    await bot.start(interval=3600, staff=False)
    await api.wait_for_update_consumed(pressed)  # the new process had Eve's press again
    review = fay.latest_with_buttons()
    answering = api.hold("answerCallbackQuery")
    pressed = api.press_button(402, review.message_id, review.callback_data("Confirm"))
    [thanks] = await fay.expect(1)
    fay_code = code_in(thanks)
    asked = api.send_text(402, "/help", first_name="Fay")
    await api.wait_for_update_consumed(asked)

    async def recorded() -> bool:
        return bool(await bot.query("SELECT 1 FROM inbox WHERE processed_at IS NULL"))

    await eventually(recorded)
    await killed_while_held(api, bot, answering)
    assert await bot.leads_of(402) == [(fay_code, "open")]
    assert await bot.query("SELECT user_id FROM inbox WHERE processed_at IS NULL") == [(402,)]
    kept = await bot.query("SELECT answer_id FROM inbox WHERE update_id = ?", pressed["update_id"])
    assert kept == [(pressed["callback_query"]["id"],)]

    # The next process answers the press a minute old at most, and applies the message.
    await bot.start()
    await callback_answer(api, pressed["callback_query"]["id"])
    [help_text] = await fay.expect(1)
    assert "/reminder" in (help_text.text or ""), help_text.describe()
    await all_delivered_then_stopped(bot)
    assert [len(staff_messages(api, code)) for code in (eve_code, fay_code)] == [1, 1]
    assert len(api.messages(STAFF_CHAT)) == 2
    assert answered_queries(api).count(pressed["callback_query"]["id"]) == 1
    # Eve's press, handed out again, was recognised and changed and said nothing.
    assert api.delivered_count(401) == eve.seen
    assert sorted(await bot.query("SELECT user_id FROM leads")) == [(401,), (402,)]


async def test_a_kill_while_the_staff_message_is_in_flight(api: FakeBotAPI, bot: BotProcess):
    # No staff chat in the first run: the request waits in the outbox, not leased by anyone.
    await bot.start(interval=3600, staff=False)
    code = await confirmed(TelegramUser(api, 201, first_name="Eve"), "Eve Flight", "07400 200001")
    bot.kill()

    # The next staff send never reaches Telegram: the process dies while it waits.
    api.fail_next("sendMessage", "timeout")
    await bot.start(lease=2)
    await api.wait_for(
        lambda: [r for r in api.requests("sendMessage") if r.params["chat_id"] == STAFF_CHAT],
        description="the staff send to be on its way",
    )
    bot.kill()
    assert staff_messages(api, code) == []
    [(sending_since,)] = await bot.query("SELECT sending_since FROM outbox")
    assert sending_since is not None  # leased by the process that died

    await bot.start(lease=2)
    await all_delivered_then_stopped(bot)
    [message] = staff_messages(api, code)
    # Nobody can know whether the dead process's send arrived: the one that did is marked.
    assert (message.text or "").startswith("(Sent again after a delivery problem")


async def test_every_request_arrives_once_with_thirty_percent_of_staff_sends_failing(
    api: FakeBotAPI, bot: BotProcess
):
    # No staff chat in the first run: every request is queued and none announced yet, so all
    # eight staff sends happen under the failures below (seed 4 fails sends 1, 4, 9 and 10
    # of the first ten, with both kinds).
    await bot.start(interval=3600, staff=False)
    codes = []
    for n in range(8):
        person = TelegramUser(api, 300 + n, first_name=f"P{n}")
        codes.append(await confirmed(person, f"Person {n}", f"07400 3000{n:02d}"))
    bot.kill()
    assert await bot.pending_outbox() == len(codes)
    assert api.messages(STAFF_CHAT) == []

    # Only staff messages are sent from here on, so only they fail.
    api.fail_rate("sendMessage", 0.3, kinds=("500", "timeout"), seed=4)
    await bot.start()
    await all_delivered_then_stopped(bot)

    staff_sends = [r for r in api.requests("sendMessage") if r.params["chat_id"] == STAFF_CHAT]
    injected = [r.injected for r in staff_sends]
    assert injected.count("500") >= 1 and injected.count("timeout") >= 1, injected
    for code in codes:
        assert len(staff_messages(api, code)) == 1, code
    assert len(api.messages(STAFF_CHAT)) == len(codes)


async def test_a_kill_in_a_burst_loses_no_update_and_applies_none_twice(
    api: FakeBotAPI, bot: BotProcess
):
    """Polling: every update a getUpdates handed over is in the inbox before the next call
    confirms it, so a process killed in a burst leaves nothing Telegram will not send again
    unapplied, and the next one applies it, once, in each person's order."""
    await bot.start(interval=3600, staff=False)
    pressers = [TelegramUser(api, 500 + n, first_name=f"P{n}") for n in range(6)]
    texters = [TelegramUser(api, 600 + n, first_name=f"T{n}") for n in range(6)]
    greetings = {}
    for person in pressers + texters:
        [greetings[person.user_id]] = await person.send("/start", 1)

    # The burst: everyone at once, nobody waiting for an answer. Answers to button presses
    # are held, so each presser's first press is applied (the answer goes beside the step)
    # but not finished, and their later updates pile up behind it: fetched, and confirmed to
    # Telegram by the next getUpdates.
    answers = api.hold("answerCallbackQuery")
    queries: list[str] = []
    last: dict[str, object] = {}
    for person in pressers:
        greeting = greetings[person.user_id]
        for label, text in (("Tightness", "/help"), ("Cramping", "/help")):
            data = greeting.callback_data(label)
            pressed = api.press_button(person.user_id, greeting.message_id, data)
            queries.append(pressed["callback_query"]["id"])
            last = api.send_text(person.user_id, text, first_name=person.first_name)
    for person in texters:
        for _ in range(4):
            last = api.send_text(person.user_id, "/help", first_name=person.first_name)
    await api.wait_for_update_consumed(last, timeout=20)  # Telegram considers every one sent
    await api.wait_for(lambda: answers.arrived == len(pressers), description="stuck presses")
    for person in texters:
        await person.expect(4)  # nothing of theirs in flight when the process dies
    wheres = {}
    for person in pressers:
        [wheres[person.user_id]] = await person.expect(1)  # the first press only
    await killed_while_held(api, bot, answers)
    assert all(api.delivered_count(p.user_id) == 2 for p in pressers), "the rest waits"

    await bot.start(interval=3600, staff=False)
    for person in pressers:
        where = wheres[person.user_id]
        help_text, again, help_again = await person.expect(3)
        assert where.text is not None and "Where" in where.text, where.describe()
        assert help_text.text == help_again.text and "/reminder" in (help_text.text or "")
        assert (again.text or "").startswith("That button has expired")
        assert again.button_texts == where.button_texts
    assert await bot.stop() == 0, bot.logs()  # nothing can arrive after this

    for person in pressers + texters:
        assert api.delivered_count(person.user_id) == 5, api.describe(person.user_id)
    assert sorted(answered_queries(api)) == sorted(queries), "every press answered once"
    rows = await bot.query("SELECT bot_id, processed_at IS NULL, failed FROM inbox")
    assert len(rows) == 12 + 6 * 4 + 6 * 4
    assert {tuple(r) for r in rows} == {(int(TOKEN.split(":")[0]), False, False)}
    assert "Traceback" not in bot.logs()
