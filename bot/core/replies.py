"""Transport-neutral replies: what the coach says back, for any channel to render."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from bot.core.guide import GuideRun
from bot.core.progress import Checkin
from bot.core.report import ReportData

MAX_TOKEN_BYTES = 64


class Choice(BaseModel):
    """One button: its label and the token the channel sends back when it is pressed."""

    model_config = ConfigDict(frozen=True)

    token: str
    label: str

    @field_validator("token")
    @classmethod
    def _short_token(cls, token: str) -> str:
        # Telegram's callback_data limit; every channel shares it so tokens stay portable.
        if not 1 <= len(token.encode()) <= MAX_TOKEN_BYTES:
            raise ValueError(f"a choice token must be 1-{MAX_TOKEN_BYTES} bytes")
        return token


class _Reply(BaseModel):
    model_config = ConfigDict(frozen=True)


class Say(_Reply):
    """A message, optionally with choices shown as buttons."""

    kind: Literal["say"] = "say"
    text: str
    choices: tuple[Choice, ...] = ()
    # Drop a reply keyboard (the phone button) that an earlier message showed.
    clear_keyboard: bool = False
    # The messages.yaml key the text came from: for tests and transcripts, never shown.
    key: str = ""


class Card(_Reply):
    """An exercise card: its text and buttons, shown with the exercise's picture.

    The picture is named, not drawn: the channel asks the application for it (Telegram sends
    a file it already holds by its file_id without drawing anything; the terminal writes the
    PNG once). `variant` is the picture's ladder step (knowledge/poses), "default" for now.
    """

    kind: Literal["card"] = "card"
    exercise: str
    variant: str = "default"
    text: str
    choices: tuple[Choice, ...] = ()
    key: str = "card"


class Guide(_Reply):
    """A guided session of a move (bot/core/guide.py): started now, or changed by a button.

    `new` is a guide that has just started: its first message carries `text` and `choices`
    (Pause, Stop), and is then edited in place as the time goes (Telegram) or counted down
    on one line (the terminal). A guide that was paused, resumed or stopped is not new: the
    channel shows the change on the message it already has.
    """

    kind: Literal["guide"] = "guide"
    run: GuideRun
    text: str
    choices: tuple[Choice, ...] = ()
    new: bool = True
    key: str = "guide"


class AskPhone(_Reply):
    """Ask for a phone number, offering a button that shares the person's own.

    `text` speaks of that button; `typed_text` asks the same without it, for a channel that
    has no such button (the terminal), like the labels the channel shows or leaves out.
    """

    kind: Literal["ask_phone"] = "ask_phone"
    text: str
    share_label: str
    cancel_label: str
    typed_text: str = ""  # empty (a reply kept by an older version): `text` is all there is


class Chart(_Reply):
    """A progress chart to be drawn from check-ins, with a caption under it."""

    kind: Literal["chart"] = "chart"
    checkins: tuple[Checkin, ...]
    today: date
    days: int
    caption: str
    title: str
    start_label: str
    done_label: str


class Picture(_Reply):
    """A ready image (PNG bytes) with a caption."""

    kind: Literal["picture"] = "picture"
    png: bytes
    caption: str
    filename: str = "picture.png"


class Document(_Reply):
    """A file to hand over, such as the person's data as JSON or staff's CSV export."""

    kind: Literal["document"] = "document"
    filename: str
    content: bytes
    caption: str = ""


class Report(_Reply):
    """The report for a clinician, to be drawn as a PDF from its data."""

    kind: Literal["report"] = "report"
    data: ReportData
    caption: str


Reply = Annotated[
    Say | Card | Guide | AskPhone | Chart | Picture | Document | Report,
    Field(discriminator="kind"),
]
