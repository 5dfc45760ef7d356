"""Transport-neutral events: what a person did, whatever channel they did it in."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

MAX_TEXT = 10_000


class _Event(BaseModel):
    model_config = ConfigDict(frozen=True)


class TextEvent(_Event):
    """The person typed something."""

    kind: Literal["text"] = "text"
    text: str


class ButtonEvent(_Event):
    """The person pressed a choice; `token` is the choice's token as it was shown."""

    kind: Literal["button"] = "button"
    token: str


class ContactEvent(_Event):
    """The person shared a contact card; `own` says whether it is their own number."""

    kind: Literal["contact"] = "contact"
    phone: str
    own: bool


class CommandEvent(_Event):
    """The person sent a command such as /start, with what followed it."""

    kind: Literal["command"] = "command"
    name: str
    args: str = ""


class MediaEvent(_Event):
    """The person sent something that is not text: a sticker, photo, voice note, location…"""

    kind: Literal["media"] = "media"
    media: str


class GuideEndedEvent(_Event):
    """The time of a guided move ran out (the guide is named by its stamp, bot/core/guide.py).

    Not something the person did: the guide runner (Telegram) or the terminal's countdown
    sends it when the guide it shows is over, so that the conversation asks how it felt.
    """

    kind: Literal["guide_ended"] = "guide_ended"
    stamp: str = Field(max_length=20)


Event = Annotated[
    TextEvent | ButtonEvent | ContactEvent | CommandEvent | MediaEvent | GuideEndedEvent,
    Field(discriminator="kind"),
]


def command_of(text: str) -> CommandEvent | None:
    """Read "/name args" (or "/name@bot args") as a command; None when the text is not one."""
    text = text.strip()
    if not text.startswith("/") or len(text) == 1:
        return None
    head, _, args = text[1:].partition(" ")
    return CommandEvent(name=head.split("@")[0], args=args.strip())
