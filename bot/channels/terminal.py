"""The terminal channel: the same conversation as Telegram, typed into a shell.

Choices are numbered; typing the number or the label picks one. Choices whose labels are
themselves numbers or times (the 0-10 scale, 07:30) are shown as they are, unnumbered, so
typing "7" always means 7 (or 07:00), never the seventh button. When standard input is not a
terminal, one line is one message, so a transcript can be piped in; `--json` prints each reply
as one JSON line `{"text": ..., "buttons": [...]}` for scripts and tests, with `"image"` (the
path of the exercise's picture) for a card.

A card's picture is written once as a PNG under DATA_DIR/chat/pictures and its path shown. A
guided session counts down on one line in an interactive terminal (Pause and Stop by number),
driven by the same state machine as in Telegram (bot/core/guide.py); piped, it prints one line
per phase at once and ends, so that a script's output does not depend on time.
"""

from __future__ import annotations

import asyncio
import json
import re
import sys
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from bot.app.clock import Clock, utc_now
from bot.app.coach import Coach, Person
from bot.app.pictures import Pictures
from bot.core.events import ButtonEvent, CommandEvent, Event, GuideEndedEvent, TextEvent
from bot.core.flows.guide import phase_texts, show
from bot.core.guide import GuideRun
from bot.core.replies import AskPhone, Card, Document, Guide, Picture, Reply, Say

ReadLine = Callable[[], Awaitable[str | None]]
Sleep = Callable[[float], Awaitable[None]]
TEXT_BUTTON = "text:"
# A label that is a number or a clock time: numbering such buttons would make "7" ambiguous.
_NUMBER_LIKE = re.compile(r"^\d{1,2}(?:[:.]\d{2})?$")


def unnumbered(labels: Sequence[str]) -> bool:
    """Say whether to show the labels unnumbered, picked by label only: when any is a number
    or a time ("1. 0", "2. 1" made the 0-10 scale with a Talk to a professional button
    unreadable)."""
    return any(_NUMBER_LIKE.match(label) for label in labels)


COUNTDOWN_EVERY = 0.25  # seconds between redraws of the countdown line


def parse_input(line: str, tokens: list[str], labels: Sequence[str] = ()) -> Event:
    """Turn a typed line into an event: a command, a numbered choice, or text.

    A line that is exactly a button's label is sent as text (the coach matches labels), so
    on the 0-10 scale typing "4" means 4, not the fourth button.
    """
    text = line.strip()
    if text.startswith("/") and len(text) > 1:
        name, _, args = text[1:].partition(" ")
        return CommandEvent(name=name.split("@")[0], args=args.strip())
    if text in labels:
        return TextEvent(text=text)
    if text.isdecimal() and tokens and 1 <= int(text) <= len(tokens):  # int() refuses "²"
        token = tokens[int(text) - 1]
        # Reply-keyboard buttons (like Cancel under the phone question) send their label.
        if token.startswith(TEXT_BUTTON):
            return TextEvent(text=token.removeprefix(TEXT_BUTTON))
        return ButtonEvent(token=token)
    return TextEvent(text=line)


class TerminalChat:
    """Talk to the coach through text streams."""

    def __init__(
        self,
        coach: Coach,
        person: Person,
        *,
        out: TextIO,
        json_mode: bool = False,
        files_dir: Path = Path("data"),
        pictures: Pictures | None = None,
        live: bool = False,
        clock: Clock = utc_now,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.coach = coach
        self.person = person
        self.out = out
        self.json_mode = json_mode
        self.files_dir = files_dir
        self.pictures = pictures or Pictures(coach.engine.knowledge)
        # A countdown that redraws its line (an interactive terminal), or one line per phase.
        self.live = live
        self.clock = clock
        self.sleep = sleep
        self.tokens: list[str] = []
        self.labels: list[str] = []
        self.lock = asyncio.Lock()
        self.countdown: asyncio.Task[None] | None = None
        self._guide: GuideRun | None = None

    async def send(self, event: Event) -> None:
        """Hand one event to the coach and print its replies."""
        async with self.lock:
            await self._handle(event)

    async def _handle(self, event: Event) -> None:
        for reply in await self.coach.handle(self.person, event):
            await self.present(reply)

    async def present(self, reply: Reply) -> None:
        """Print one reply: a card with its picture's path, a guide as a countdown."""
        if isinstance(reply, Card):
            self.show(reply, image=await self.picture_path(reply))
        elif isinstance(reply, Guide):
            await self._guided(reply)
        else:
            self.show(reply)

    async def picture_path(self, card: Card) -> Path:
        """Write the card's picture (a PNG) once under DATA_DIR/chat/pictures; return its path."""
        file = self.pictures.file(card.exercise, card.variant, kind="still")
        digest = file.key.rsplit("/", 1)[-1][:8]
        name = Path(file.filename)
        path = self.files_dir / "chat" / "pictures" / f"{name.stem}-{digest}{name.suffix}"
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            content = await self.pictures.content(file)
            partial = path.with_suffix(".part")
            partial.write_bytes(content)
            partial.replace(path)  # whole or not at all: a reader never sees half a picture
        return path

    # -- a guided session ---------------------------------------------------------------------

    async def _guided(self, reply: Guide) -> None:
        if not reply.new:
            self._guide = reply.run
            self._set_choices(reply)
            if reply.run.status == "stopped":
                self._end_countdown()
            return
        if not self.live:
            # Piped: every phase at once, then the end, so a script's output never waits.
            for text in phase_texts(self.coach.engine.knowledge, reply.run.plan):
                self.show(Say(text=text, key="guide"))
            await self._handle(GuideEndedEvent(stamp=reply.run.stamp))
            return
        self._end_countdown()
        self._guide = reply.run
        self._set_choices(reply)
        self.countdown = asyncio.create_task(self._count_down(reply.run.stamp))

    def _set_choices(self, reply: Guide) -> None:
        self.tokens = [c.token for c in reply.choices]
        self.labels = [c.label for c in reply.choices]

    def _end_countdown(self) -> None:
        if self.countdown is not None and not self.countdown.done():
            self.countdown.cancel()
            self.out.write("\n")
        self.countdown = None

    async def _count_down(self, stamp: str) -> None:
        """Redraw the guide's line until it is over, then tell the coach it ended."""
        knowledge = self.coach.engine.knowledge
        while True:
            run = self._guide
            if run is None or run.stamp != stamp:
                return
            shown = show(knowledge, run, self.clock())
            buttons = "  ".join(f"{i}. {c.label}" for i, c in enumerate(shown.choices, start=1))
            line = shown.text.replace("\n", " · ")
            self.out.write(f"\r\x1b[2K{line}" + (f"   [{buttons}]" if buttons else ""))
            self.out.flush()
            if shown.over:
                break
            await self.sleep(COUNTDOWN_EVERY)
        self.out.write("\n\n")
        self.countdown = None
        await self.send(GuideEndedEvent(stamp=stamp))

    async def run(self, read_line: ReadLine, *, greet_if_new: bool = False) -> None:
        """Read lines until the end of input, one message each."""
        if greet_if_new and await self.coach.is_new(self.person.id):
            await self.send(CommandEvent(name="start"))
        else:
            # Coming back: the numbers typed now pick from the question left open last time.
            shown = await self.coach.live_choices(self.person.id)
            self.labels = [c.label for c in shown]
            self.tokens = [] if unnumbered(self.labels) else [c.token for c in shown]
        while True:
            line = await read_line()
            if line is None:
                break
            if not line.strip() and not self.json_mode:
                continue
            await self.send(parse_input(line, self.tokens, self.labels))

    def show(self, reply: Reply, *, image: Path | None = None) -> None:
        """Print one reply, numbering its choices (and a card's picture's path)."""
        text, buttons, tokens = _render(reply, self._save_file)
        plain = unnumbered(buttons)
        if tokens is not None:
            # Unnumbered buttons are picked by their label only.
            self.tokens = [] if plain else tokens
            self.labels = buttons
        elif isinstance(reply, Say):
            # A message without buttons: the question it asks takes text, so a number typed
            # now is text too, not a pick from an older message's buttons.
            self.tokens = []
            self.labels = []
        if self.json_mode:
            shown: dict[str, object] = {"text": text, "buttons": buttons}
            if image is not None:
                shown["image"] = str(image)
            self.out.write(json.dumps(shown, ensure_ascii=False))
            self.out.write("\n")
        else:
            if image is not None:
                text = f"{text}\n[picture: {image}]"
            if plain:
                lines = [text, "  " + "  ".join(f"[{label}]" for label in buttons)]
            else:
                lines = [text, *(f"  {i}. {label}" for i, label in enumerate(buttons, start=1))]
            self.out.write("\n".join(lines) + "\n\n")
        self.out.flush()

    def _save_file(self, name: str, content: bytes) -> Path:
        stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
        folder = self.files_dir / "chat"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{self.person.id}-{stamp}-{name}"
        path.write_bytes(content)
        return path


def _render(
    reply: Reply, save: Callable[[str, bytes], Path]
) -> tuple[str, list[str], list[str] | None]:
    """Return a reply's text, button labels, and the tokens of its choices (None: keep old)."""
    match reply:
        case Say(text=text, choices=choices) | Card(text=text, choices=choices):
            if not choices:
                return text, [], None
            return text, [c.label for c in choices], [c.token for c in choices]
        case AskPhone(text=text, typed_text=typed, cancel_label=cancel):
            # No share-my-number button here: the question that asks for it typed.
            return typed or text, [cancel], [TEXT_BUTTON + cancel]
        case Picture(png=png, caption=caption, filename=filename):
            path = save(filename, png)
            return f"{caption}\n[picture saved to {path}]", [], None
        case Document(content=content, caption=caption, filename=filename):
            path = save(filename, content)
            return f"{caption}\n[file saved to {path}]".strip(), [], None
    return "", [], None


class TerminalOutlet:
    """Print reminders into an open terminal chat (the chat's own person only)."""

    def __init__(self, chat: TerminalChat) -> None:
        self.chat = chat
        self._next_id = 0

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        """Print the replies as if the bot had sent them."""
        async with self.chat.lock:
            for reply in replies:
                await self.chat.present(reply)
        self._next_id += len(replies)
        return list(range(self._next_id - len(replies) + 1, self._next_id + 1))

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        """Print the changed message again."""
        await self.deliver(chat_id, [reply])

    async def delete(self, chat_id: int, message_id: int) -> None:
        """Nothing to take back from a terminal that has printed it."""


async def stdin_reader(prompt: str) -> str | None:
    """Read one line from standard input without blocking the event loop; None at the end."""

    def read() -> str | None:
        if prompt:
            sys.stdout.write(prompt)
            sys.stdout.flush()
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None

    return await asyncio.to_thread(read)
