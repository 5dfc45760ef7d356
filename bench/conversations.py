"""A realistic mix of what people send, taken from the team's conversation transcripts.

The transcripts under tests/core/transcripts are whole conversations written as stories; their
`>` lines are what a person sends (text, commands, button presses, stickers, shared contacts).
The dialogue and Telegram benchmarks replay those lines, so the mix follows the product's real
flows rather than one message repeated. Lines that only make sense with a controlled clock
(`@`, `! reminders`) are left out, and a button press whose button never appeared without them
is dropped when the script is calibrated.
"""

from __future__ import annotations

import re
import shlex
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from bot.app.coach import Coach, Person
from bot.core.dialogue import Engine
from bot.core.events import ButtonEvent, CommandEvent, ContactEvent, Event, MediaEvent, TextEvent
from bot.core.knowledge import Knowledge
from bot.core.replies import AskPhone, Card, Document, Guide, Picture, Reply, Say
from bot.core.turn import EngineConfig
from bot.store import Database, migrate

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
TRANSCRIPTS = ROOT / "tests" / "core" / "transcripts"
# /progress draws a matplotlib chart (~150 ms, measured by bench_chart) and /mydata exports a
# document: both are rare and would swamp the per-update cost with work measured elsewhere.
# A guided move waits for its timer (`! guide ends`), which a replay does not have.
LEFT_OUT = ("15_checkin_progress_nudge", "16_privacy_mydata_forget", "38_a_guided_move")
FIRST_NAME = "Ann"
_BUTTON = re.compile(r"\[(?P<label>[^\]]+)\](?P<old>\s*@old)?")


@dataclass(frozen=True)
class Line:
    """One thing a person sends, and how many messages the bot answers it with."""

    kind: str  # text | command | button | token | media | contact
    text: str = ""  # the text, the command line, the button label, the raw data, the media kind
    old: bool = False  # a button pressed on an older message (a stale press)
    own: bool = True  # a shared contact is the person's own number
    replies: int = 0  # messages the bot delivers for it (filled in by calibrate)

    def as_dict(self) -> dict[str, object]:
        """Return the line as plain data (it crosses to the fake server's process)."""
        return {
            "kind": self.kind,
            "text": self.text,
            "old": self.old,
            "own": self.own,
            "replies": self.replies,
        }


def parse(spec: str) -> Line:
    """Read one transcript `>` line."""
    if spec.startswith("/"):
        return Line("command", spec)
    button = _BUTTON.fullmatch(spec)
    if button:
        return Line("button", button["label"], old=bool(button["old"]))
    if spec.startswith("(") and spec.endswith(")"):
        words = shlex.split(spec[1:-1])
        if words[0] == "token":
            return Line("token", words[1])
        if words[0] == "contact":
            return Line("contact", words[-1], own=words[1] != "other")
        return Line("media", words[0])
    return Line("text", spec)


def transcripts(leave_out: Iterable[str] = LEFT_OUT) -> dict[str, list[Line]]:
    """Return the `>` lines of each transcript (one person's conversation each), by name."""
    scripts: dict[str, list[Line]] = {}
    for path in sorted(TRANSCRIPTS.glob("*.txt")):
        if path.stem in leave_out:
            continue
        # Keep the line's own spaces: a message of blanks is one of the cases.
        lines = [parse(raw[2:]) for raw in path.read_text("utf-8").splitlines() if raw[:2] == "> "]
        if lines:
            scripts[path.stem] = lines
    return scripts


def mix(lines: Sequence[Line]) -> dict[str, int]:
    """Count the lines by kind (printed so a reader can see what was measured)."""
    return dict(Counter(line.kind for line in lines))


def delivered(reply: Reply) -> int:
    """Return how many Telegram messages a reply becomes (long texts are split)."""
    from bot.channels.telegram.render import MAX_CAPTION, split_text

    match reply:
        case Say(text=text) | AskPhone(text=text):
            return len(split_text(text))
        case Card(text=text):  # its animation, with the text as caption or after it
            return 1 + (len(split_text(text)) if len(text) > MAX_CAPTION else 0)
        case Guide(new=new):  # a change to a guide edits its message: nothing new
            return 1 if new else 0
        case Picture(caption=caption) | Document(caption=caption):
            return 1 + (len(split_text(caption)) if len(caption) > MAX_CAPTION else 0)
    return 1


def event_of(line: Line, history: Sequence[Reply]) -> Event | None:
    """Turn a line into the engine event, resolving a button label as the person sees it."""
    match line.kind:
        case "command":
            name, _, args = line.text[1:].partition(" ")
            return CommandEvent(name=name, args=args)
        case "text":
            return TextEvent(text=line.text)
        case "token":
            return ButtonEvent(token=line.text)
        case "media":
            return MediaEvent(media=line.text)
        case "contact":
            return ContactEvent(phone=line.text, own=line.own)
    token = button_token(history, line.text, old=line.old)
    return None if token is None else ButtonEvent(token=token)


def button_token(history: Sequence[Reply], label: str, *, old: bool) -> str | None:
    """Return the token of the labelled button on the latest (or an older) message."""
    with_buttons = [r for r in history if isinstance(r, Say | Card | Guide) and r.choices]
    candidates = with_buttons[:-1] if old else with_buttons[-1:]
    for reply in reversed(candidates):
        for choice in reply.choices:
            if choice.label == label:
                return choice.token
    return None


async def calibrate(knowledge: Knowledge, scripts: dict[str, list[Line]]) -> dict[str, list[Line]]:
    """Run each script through a real coach for a new person; count each line's replies.

    Lines whose button never appeared are dropped, so every remaining line can be replayed
    for any new person with exactly these reply counts (a conversation is deterministic).
    """
    from bot.channels.telegram.render import merge_replies

    calibrated: dict[str, list[Line]] = {}
    with tempfile.TemporaryDirectory(prefix="footcoach-bench-") as folder:
        db = Database(f"sqlite+aiosqlite:///{Path(folder) / 'calibrate.db'}")
        await migrate.upgrade(db)
        try:
            coach = Coach(Engine(knowledge, config=EngineConfig(default_phone_region="GB")), db)
            for number, (name, lines) in enumerate(scripts.items(), start=1):
                person = Person(id=number, first_name=FIRST_NAME)
                history: list[Reply] = []
                kept: list[Line] = []
                for line in lines:
                    event = event_of(line, history)
                    if event is None:
                        continue
                    replies = await coach.handle(person, event)
                    history.extend(replies)
                    # Counted as the Telegram channel sends them (plain replies joined).
                    sent = merge_replies(replies)
                    kept.append(replace(line, replies=sum(delivered(r) for r in sent)))
                calibrated[name] = kept
        finally:
            await db.close()
    return calibrated


def plan(
    scripts: dict[str, list[Line]],
    slots: int,
    per_slot: int,
    first_user: int,
    offset: int = 0,
) -> list[list[tuple[int, list[Line]]]]:
    """Give each of `slots` simulated people `per_slot` conversations, each as a new user.

    Slot i starts at the i-th script (after `offset`) and takes the next ones in turn, so
    every script is played about equally often and the mix is the transcripts' mix.
    """
    names = list(scripts)
    user = first_user
    planned: list[list[tuple[int, list[Line]]]] = []
    for slot in range(slots):
        conversations = []
        for k in range(per_slot):
            conversations.append((user, scripts[names[(offset + slot + k * slots) % len(names)]]))
            user += 1
        planned.append(conversations)
    return planned
