"""The terminal channel: the same conversation as Telegram, typed into a shell.

Choices are numbered; typing the number or the label picks one. Choices whose labels are
themselves numbers or times (the 0-10 scale, 07:30) are shown as they are, unnumbered, so
typing "7" always means 7 (or 07:00), never the seventh button. When standard input is not a
terminal, one line is one message, so a transcript can be piped in; `--json` prints each reply
as one JSON line `{"text": ..., "buttons": [...]}` for scripts and tests.
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

from bot.app.coach import Coach, Person
from bot.core.events import ButtonEvent, CommandEvent, Event, TextEvent
from bot.core.replies import AskPhone, Document, Picture, Reply, Say

ReadLine = Callable[[], Awaitable[str | None]]
TEXT_BUTTON = "text:"
# A label that is a number or a clock time: numbering such buttons would make "7" ambiguous.
_NUMBER_LIKE = re.compile(r"^\d{1,2}(?:[:.]\d{2})?$")


def numbers_only(labels: Sequence[str]) -> bool:
    """Say whether every label is a number or a time (shown unnumbered)."""
    return bool(labels) and all(_NUMBER_LIKE.match(label) for label in labels)


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
    ) -> None:
        self.coach = coach
        self.person = person
        self.out = out
        self.json_mode = json_mode
        self.files_dir = files_dir
        self.tokens: list[str] = []
        self.labels: list[str] = []
        self.lock = asyncio.Lock()

    async def send(self, event: Event) -> None:
        """Hand one event to the coach and print its replies."""
        async with self.lock:
            replies = await self.coach.handle(self.person, event)
            for reply in replies:
                self.show(reply)

    async def run(self, read_line: ReadLine, *, greet_if_new: bool = False) -> None:
        """Read lines until the end of input, one message each."""
        if greet_if_new and await self.coach.is_new(self.person.id):
            await self.send(CommandEvent(name="start"))
        while True:
            line = await read_line()
            if line is None:
                break
            if not line.strip() and not self.json_mode:
                continue
            await self.send(parse_input(line, self.tokens, self.labels))

    def show(self, reply: Reply) -> None:
        """Print one reply, numbering its choices."""
        text, buttons, tokens = _render(reply, self._save_file)
        plain = numbers_only(buttons)
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
            self.out.write(json.dumps({"text": text, "buttons": buttons}, ensure_ascii=False))
            self.out.write("\n")
        else:
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
        case Say(text=text, choices=choices):
            if not choices:
                return text, [], None
            return text, [c.label for c in choices], [c.token for c in choices]
        case AskPhone(text=text, cancel_label=cancel):
            return text, [cancel], [TEXT_BUTTON + cancel]
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
                self.chat.show(reply)
        self._next_id += len(replies)
        return list(range(self._next_id - len(replies) + 1, self._next_id + 1))

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        """Print the changed message again."""
        await self.deliver(chat_id, [reply])


async def stdin_reader(prompt: str) -> str | None:
    """Read one line from standard input without blocking the event loop; None at the end."""

    def read() -> str | None:
        if prompt:
            sys.stdout.write(prompt)
            sys.stdout.flush()
        line = sys.stdin.readline()
        return line.rstrip("\n") if line else None

    return await asyncio.to_thread(read)
