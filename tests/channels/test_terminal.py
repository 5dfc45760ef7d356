"""The terminal channel through a real subprocess with piped input."""

from __future__ import annotations

import json
import os
import queue
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from bot.channels.terminal import parse_input
from bot.core.events import ButtonEvent, CommandEvent, TextEvent
from tests.conftest import KNOWLEDGE_DIR, ROOT


def chat(tmp_path: Path, lines: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),  # this worktree's `bot`, whatever the virtualenv has installed
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
        "KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    return subprocess.run(
        [sys.executable, "-m", "bot", "chat", *args],
        input="\n".join(lines) + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )


def test_piped_transcript_in_json(tmp_path):
    lines = ["/start", "my calves are super tight", "4", "None of these", "3"]
    result = chat(tmp_path, lines, "--json")
    assert result.returncode == 0, result.stderr
    replies = [json.loads(line) for line in result.stdout.splitlines()]
    cards = [r for r in replies if "image" in r]
    assert all(set(r) == {"text", "buttons"} for r in replies if r not in cards)
    assert replies[0]["text"].startswith("Hi! I'm Footcoach")
    assert replies[1]["buttons"] == ["Tightness", "Cramping", "Soreness", "Weakness", "Pain"]
    assert "0 (no pain)" in replies[2]["text"]
    assert replies[3]["text"].startswith("Before I suggest moves, a quick safety check")
    assert replies[3]["buttons"][-1] == "None of these"
    assert replies[4]["text"].startswith("Here are 2 moves for tightness in the calf")
    assert replies[5]["text"].startswith("1/2 Standing calf stretch")
    assert replies[5]["buttons"] == ["Start", "Done", "Skip", "Stop here"]
    # "3" picked the third button of the card, Skip: the next card, and no question.
    assert replies[6]["text"].startswith("2/2 Plank calf stretch")
    assert cards == [replies[5], replies[6]]
    # Each card comes with its picture, written once under DATA_DIR/chat/pictures.
    for card in cards:
        picture = Path(card["image"])
        assert picture.parent == tmp_path / "chat" / "pictures"
        assert picture.read_bytes().startswith(b"\x89PNG")
    assert result.stderr == ""


def test_a_piped_guide_prints_a_line_per_phase_and_asks_how_it_felt(tmp_path):
    lines = ["/start", "my calves are tight", "2", "None of these", "Start", "Hard"]
    result = chat(tmp_path, lines)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    picture = tmp_path / "chat" / "pictures"
    assert f"[picture: {picture}/standing_calf_stretch-" in out
    guide = out[out.index("Standing calf stretch\nGet ready… 10 s") :]
    assert guide.count("Hold… 30 s") == 6 and guide.count("Switch legs… 10 s") == 3
    assert "Rest… 15 s. Next: set 2 of 3." in guide
    assert "Standing calf stretch: done. Well done!" in guide
    assert "How did Standing calf stretch feel?\n  1. Easy\n  2. Just right" in guide
    assert "That's fine. Do fewer" in guide  # "Hard" was taken as the answer
    assert "2/2 Plank calf stretch" in guide
    # The picture is written once, however many times the card is shown.
    assert len(list(picture.iterdir())) == 2


def test_state_persists_across_runs_per_user(tmp_path):
    first = chat(tmp_path, ["/start", "my heel hurts"], "--json", "--user", "7")
    assert first.returncode == 0, first.stderr
    second = chat(tmp_path, ["5"], "--json", "--user", "7")
    texts = [json.loads(line)["text"] for line in second.stdout.splitlines()]
    assert texts[0].startswith("Before I suggest"), texts  # the 0-10 question was still open
    other = chat(tmp_path, ["5"], "--json", "--user", "8")
    texts = [json.loads(line)["text"] for line in other.stdout.splitlines()]
    assert not texts[0].startswith("Before I suggest")  # user 8 has no conversation yet


def test_a_number_typed_after_a_restart_picks_from_the_question_left_open(tmp_path):
    first = chat(tmp_path, ["/start", "tight calves", "3"], "--json")
    assert json.loads(first.stdout.splitlines()[-1])["buttons"][-1] == "None of these"
    second = chat(tmp_path, ["9"], "--json")  # "None of these" is the 9th on the screen
    texts = [json.loads(line)["text"] for line in second.stdout.splitlines()]
    assert texts[0].startswith("Here are 2 moves"), texts


def test_plain_output_numbers_the_choices(tmp_path):
    result = chat(tmp_path, ["/start"])
    assert result.returncode == 0, result.stderr
    assert "  1. Tightness\n  2. Cramping" in result.stdout


def test_plain_output_shows_a_scale_unnumbered(tmp_path):
    result = chat(tmp_path, ["/start", "my calves are tight"])
    assert result.returncode == 0, result.stderr
    assert "  [0]  [1]  [2]" in result.stdout
    assert ". 10\n" not in result.stdout  # no "11. 10"


def test_a_scale_with_a_worded_button_stays_unnumbered_and_each_is_picked_by_label(tmp_path):
    lines = ["sore arches", "3", "none", "Stop here", "/checkin", "getting worse"]
    result = chat(tmp_path, [*lines, "Talk to a professional"])
    assert result.returncode == 0, result.stderr
    assert "  [0]  [1]  [2]" in result.stdout and "[10]  [Talk to a professional]" in result.stdout
    assert "1. 0\n" not in result.stdout  # not "1. 0", "2. 1", ...
    assert result.stdout.rstrip().splitlines()[-3].startswith("A professional from our team")


def test_the_phone_question_asks_for_the_number_typed_with_no_button_to_press(tmp_path):
    result = chat(tmp_path, ["/callback", "yes", "Ann"], "--json")
    assert result.returncode == 0, result.stderr
    asked = json.loads(result.stdout.splitlines()[-1])
    assert asked["text"].startswith("What number should they call? Please type it")
    assert "button" not in asked["text"]  # the terminal has no share-my-number button
    assert asked["buttons"] == ["Cancel"]


def test_bad_config_stops_with_one_line(tmp_path):
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": "mysql://nope",
        "KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
    }
    result = subprocess.run(
        [sys.executable, "-m", "bot", "chat"],
        input="",
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "DATABASE_URL" in lines[0], result.stderr


def test_parse_input_prefers_labels_then_numbers():
    tokens, labels = ["3.a", "3.b"], ["7", "Next"]
    assert parse_input("/start callback", tokens, labels) == CommandEvent(
        name="start", args="callback"
    )
    assert parse_input("7", tokens, labels) == TextEvent(text="7")
    assert parse_input("2", tokens, labels) == ButtonEvent(token="3.b")
    assert parse_input("5", tokens, labels) == TextEvent(text="5")
    assert parse_input("hello", tokens, labels) == TextEvent(text="hello")


def test_parse_input_reads_a_superscript_digit_as_text():
    assert parse_input("²", ["1.a", "1.b"]) == TextEvent(text="²")


async def test_a_due_reminder_is_printed_into_an_open_chat(tmp_path):
    from datetime import UTC, datetime, time, timedelta

    from bot.core.reminders import Days, Reminder
    from bot.store import reminders
    from bot.store.db import Database

    assert chat(tmp_path, ["/start"], "--json", "--user", "5").returncode == 0
    db = Database(f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}")
    now = datetime.now(UTC)
    async with db.transaction() as session:
        await reminders.put(
            session,
            5,
            Reminder(
                at=time(7, 30), zone="UTC", days=Days.daily, next_due=now - timedelta(minutes=1)
            ),
            now,
        )
    await db.close()
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'chat.db'}",
        "KNOWLEDGE_DIR": str(KNOWLEDGE_DIR),
        "DISPATCH_INTERVAL": "0.2",
        "LOG_LEVEL": "WARNING",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", "chat", "--json", "--user", "5"],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=tmp_path,
    )
    lines: queue.Queue[str] = queue.Queue()
    assert process.stdout is not None and process.stdin is not None
    stdout = process.stdout

    def read_lines() -> None:
        for line in stdout:
            lines.put(line)

    threading.Thread(target=read_lines, daemon=True).start()

    def next_reply() -> dict[str, Any]:
        try:
            reply: dict[str, Any] = json.loads(lines.get(timeout=20))
            return reply
        except queue.Empty:
            raise AssertionError("the chat printed nothing within 20 s") from None

    try:
        reminder = next_reply()
        assert reminder["text"].startswith("Time for your foot care!")
        assert reminder["buttons"] == ["Done", "Snooze 1 hour", "Skip today", "Stop reminders"]
        process.stdin.write("1\n")  # Done
        process.stdin.close()
        answer = next_reply()
        assert answer["text"].startswith("How does it feel today")
        assert process.wait(timeout=30) == 0
    finally:
        process.kill()


async def test_an_interactive_guide_counts_down_on_one_line_and_pauses(knowledge, tmp_path):
    """The live countdown, on a clock that moves a quarter second at each redraw."""
    import asyncio
    import io
    from datetime import timedelta

    from bot.app.coach import Person
    from bot.channels.terminal import COUNTDOWN_EVERY, TerminalChat
    from bot.core.flows import routine
    from bot.core.state import ConversationState
    from bot.store import users
    from tests.support import Clock, make_coach

    clock = Clock()
    began = clock.now
    coach, db = await make_coach(knowledge, tmp_path, clock)
    redraws = 0
    stops = {60, 460}  # 15 s in, then 100 s later: the test acts while the line waits
    reached, go_on = asyncio.Event(), asyncio.Event()

    async def sleep(seconds: float) -> None:
        nonlocal redraws
        assert seconds == COUNTDOWN_EVERY
        redraws += 1
        clock.advance(seconds=seconds)
        if redraws in stops:
            reached.set()
            await go_on.wait()
            go_on.clear()
        await asyncio.sleep(0)

    async def at_the_next_stop() -> None:
        await reached.wait()
        reached.clear()

    out = io.StringIO()
    chat = TerminalChat(coach, Person(id=9), out=out, files_dir=tmp_path, live=True, sleep=sleep)
    chat.clock = clock
    state = ConversationState(
        step=routine.ROUTINE,
        symptoms=("weakness",),
        screened=True,
        routine=("standing_calf_raise",),
        seq=1,
        choices=("start", "did_it", "skip"),
        choice_labels=("Start", "Done", "Skip"),
    )
    try:
        async with db.transaction() as session:
            await users.save_state(session, None, 9, state.model_dump_json(), clock())
        await chat.send(parse_input("1", ["1.start"]))  # Start
        await at_the_next_stop()  # 15 s in: the first set's reps
        assert chat.labels == ["Pause", "Stop"]
        await chat.send(parse_input("1", chat.tokens, chat.labels))  # Pause
        go_on.set()
        await at_the_next_stop()  # 100 s later, still paused
        assert chat.labels == ["Resume", "Stop"]
        await chat.send(parse_input("Resume", chat.tokens, chat.labels))
        go_on.set()
        assert chat.countdown is not None
        await chat.countdown  # runs out, and asks how it felt
        shown = out.getvalue()
        assert "\r\x1b[2KStanding calf raises · Get ready… 10 s   [1. Pause  2. Stop]" in shown
        assert "Rep 2 of 10 · up 2 s, down 2 s   [1. Pause  2. Stop]" in shown
        assert "Paused. Tap Resume when you're ready.   [1. Resume  2. Stop]" in shown
        assert shown.count("\n") < 40  # one line redrawn, not a line per second
        assert shown.rstrip().endswith("  1. Easy\n  2. Just right\n  3. Hard\n  4. It hurt")
        assert "Standing calf raises: done. Well done!" in shown
        # The pause did not count: 120 s of guide took 120 s and the 100 s paused.
        assert timedelta(seconds=220) <= clock.now - began <= timedelta(seconds=220.5)
    finally:
        await db.close()
