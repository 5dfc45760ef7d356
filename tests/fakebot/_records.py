"""What the fake records: requests and delivered messages, handed to tests as copies."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Literal

JSONDict = dict[str, Any]

FailureKind = Literal["500", "429", "timeout"]
"""An injected failure: "500" and "429" answer at once with Telegram's error JSON; "timeout"
leaves the request unprocessed and answers 504 after `timeout_delay` seconds."""


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, retry_after: int | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.payload: JSONDict = {"ok": False, "error_code": code, "description": description}
        if retry_after is not None:
            self.payload["parameters"] = {"retry_after": retry_after}


def bad_request(description: str) -> ApiError:
    """Return a 400 with Telegram's "Bad Request: ..." prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(slots=True)
class UploadedFile:
    """A file the bot uploaded (the ``photo`` of ``sendPhoto``)."""

    filename: str | None
    data: bytes


@dataclass(slots=True)
class RecordedRequest:
    """A request of the bot, its params decoded (``reply_markup`` a dict, ``chat_id`` an int).

    ``status`` is None until it is answered; ``time`` is :func:`time.monotonic` at arrival;
    ``injected`` names a failure the fake made ("500", "429", "timeout", or "flood" and
    "rate_limit" for its own 429s).
    """

    method: str
    params: JSONDict
    time: float
    status: int | None = None
    description: str | None = None
    injected: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(slots=True)
class SentMessage:
    """A message the bot delivered: ``text`` (or caption) as sent, markup included; the
    ``reply_markup`` sent with it, as a dict; ``seq``, its place among all deliveries to any
    chat; ``raw``, the Telegram ``Message`` as it is now. Edits change ``text`` and
    ``reply_markup`` and count in ``edit_count``."""

    chat_id: int
    message_id: int
    method: str
    seq: int
    raw: JSONDict
    text: str | None = None
    parse_mode: str | None = None
    reply_markup: JSONDict | None = None
    file: UploadedFile | None = None  # the upload (None for a file sent by its id)
    file_id: str | None = None  # the id of the message's file (given, or sent by)
    edit_count: int = 0
    deleted: bool = False

    @property
    def photo(self) -> bytes | None:
        return self.file.data if self.method == "sendPhoto" and self.file else None

    @property
    def document(self) -> bytes | None:
        return self.file.data if self.method == "sendDocument" and self.file else None

    @property
    def animation(self) -> bytes | None:
        return self.file.data if self.method == "sendAnimation" and self.file else None

    @property
    def inline_keyboard(self) -> list[list[JSONDict]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def reply_keyboard(self) -> list[list[JSONDict]]:
        return list((self.reply_markup or {}).get("keyboard") or [])

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    @property
    def button_texts(self) -> list[str]:
        """The texts of all buttons (inline or reply keyboard), row by row."""
        return [str(b["text"]) for row in self.inline_keyboard or self.reply_keyboard for b in row]

    def callback_data(self, text: str) -> str:
        """Return the ``callback_data`` of the inline button with exactly this text."""
        for row in self.inline_keyboard:
            for button in row:
                if button.get("text") == text and "callback_data" in button:
                    return str(button["callback_data"])
        raise AssertionError(f"no inline button {text!r} on {self.describe()}")

    def copy(self) -> SentMessage:
        return copy.copy(self)

    def describe(self) -> str:
        text = self.text if self.text is None or len(self.text) < 160 else self.text[:157] + "..."
        extra = f" file={self.file.filename!r}" if self.file else ""
        extra += f" file_id={self.file_id}" if self.file_id and not self.file else ""
        extra += f" buttons={self.button_texts!r}" if self.button_texts else ""
        extra += f" edits={self.edit_count}" if self.edit_count else ""
        return f"#{self.message_id} {self.method} {text!r}{extra}"


@dataclass(slots=True)
class WebhookState:
    """What the bot passed to ``setWebhook``."""

    url: str
    secret_token: str | None
    allowed_updates: list[str] | None
