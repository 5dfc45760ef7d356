"""Plain data records kept by the fake Bot API server.

Everything here is a snapshot handed to test code: the server copies records before returning
them from its accessors, so a test can keep them around without locking.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any, Literal

JSONDict = dict[str, Any]

FailureKind = Literal["500", "502", "timeout", "slow", "429", "403", "400"]
"""What an injected failure looks like to the client.

``"timeout"``: the request is *not* processed and the response is held for
:attr:`FakeBotAPI.timeout_delay` seconds (longer than a client's read timeout), then answered 504.
``"slow"``: the request *is* processed (a message is delivered) but the response is held the same
way, so the client sees a timeout for something that happened -- the case that produces
duplicates when a sender retries blindly.
The other kinds answer immediately with that HTTP status and Telegram's error JSON.
"""

FAILURE_KINDS: frozenset[str] = frozenset({"500", "502", "timeout", "slow", "429", "403", "400"})


class ApiError(Exception):
    """A Bot API error answer: ``{"ok": false, "error_code": code, "description": ...}``."""

    def __init__(self, code: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(f"{code} {description}")
        self.code = code
        self.description = description
        self.parameters = parameters

    def payload(self) -> JSONDict:
        body: JSONDict = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(description: str) -> ApiError:
    """400 with Telegram's ``"Bad Request: ..."`` prefix."""
    return ApiError(400, f"Bad Request: {description}")


@dataclass(slots=True)
class UploadedFile:
    """One multipart file part of a request (e.g. the ``photo`` of ``sendPhoto``)."""

    field: str
    filename: str | None
    content_type: str
    data: bytes

    def __repr__(self) -> str:
        return (
            f"UploadedFile(field={self.field!r}, filename={self.filename!r}, "
            f"content_type={self.content_type!r}, {len(self.data)} bytes)"
        )


@dataclass(slots=True)
class RecordedRequest:
    """One HTTP request the bot made, in arrival order.

    ``params`` are decoded to Python values (``reply_markup`` is a dict, ``chat_id`` an int...).
    ``status`` is the HTTP status answered (``None`` while the request is still being handled,
    e.g. a long poll). ``time`` is :func:`time.monotonic` at arrival. ``result`` is the ``result``
    of a successful answer; ``description`` the error text of a failed one. ``injected`` names the
    failure kind when the answer came from failure injection or the global rate limit
    (``"rate_limit"``).
    """

    seq: int
    method: str
    params: JSONDict
    files: dict[str, UploadedFile]
    time: float
    status: int | None = None
    result: Any = None
    description: str | None = None
    injected: str | None = None

    @property
    def ok(self) -> bool:
        return self.status == 200


@dataclass(slots=True)
class SentMessage:
    """A message the bot delivered to a chat (only successful sends are recorded).

    ``text`` is the text, or the caption of a media message, exactly as the bot sent it (markup
    included). ``reply_markup`` is whatever markup the bot attached, as a dict: an inline keyboard,
    a reply keyboard, ``{"remove_keyboard": true}``... Edits update ``text``/``reply_markup`` and
    bump ``edit_count``; ``raw`` is the current Telegram ``Message`` object.
    """

    chat_id: int
    message_id: int
    method: str
    text: str | None
    parse_mode: str | None
    reply_markup: JSONDict | None
    params: JSONDict
    raw: JSONDict
    time: float
    file: UploadedFile | None = None
    file_id: str | None = None
    edit_count: int = 0
    history: list[str | None] = field(default_factory=list)
    deleted: bool = False

    def snapshot(self) -> SentMessage:
        clone = copy.copy(self)
        clone.history = list(self.history)
        return clone

    # -- media -------------------------------------------------------------------------------
    @property
    def photo(self) -> bytes | None:
        """Uploaded bytes of a ``sendPhoto`` (``None`` if sent by file_id/URL or not a photo)."""
        return self.file.data if self.method == "sendPhoto" and self.file else None

    @property
    def document(self) -> bytes | None:
        """Uploaded bytes of a ``sendDocument``."""
        return self.file.data if self.method == "sendDocument" and self.file else None

    # -- keyboards ---------------------------------------------------------------------------
    @property
    def inline_keyboard(self) -> list[list[JSONDict]]:
        return list((self.reply_markup or {}).get("inline_keyboard") or [])

    @property
    def reply_keyboard(self) -> list[list[JSONDict]]:
        rows = (self.reply_markup or {}).get("keyboard") or []
        # Reply keyboard buttons may be bare strings in the Bot API.
        return [[b if isinstance(b, dict) else {"text": b} for b in row] for row in rows]

    @property
    def removes_keyboard(self) -> bool:
        return bool((self.reply_markup or {}).get("remove_keyboard"))

    @property
    def button_texts(self) -> list[str]:
        """Texts of all buttons (inline or reply keyboard), row by row."""
        rows = self.inline_keyboard or self.reply_keyboard
        return [str(b.get("text")) for row in rows for b in row]

    def button(self, text: str) -> JSONDict:
        """The button with exactly this text; AssertionError listing the buttons otherwise."""
        for row in self.inline_keyboard or self.reply_keyboard:
            for b in row:
                if b.get("text") == text:
                    return dict(b)
        raise AssertionError(
            f"message {self.message_id} in chat {self.chat_id} has no button {text!r}; "
            f"buttons: {self.button_texts!r}"
        )

    def callback_data(self, text: str) -> str:
        """``callback_data`` of the inline button with this text."""
        data = self.button(text).get("callback_data")
        if data is None:
            raise AssertionError(f"button {text!r} of message {self.message_id} has no callback")
        return str(data)

    def describe(self) -> str:
        extra = ""
        if self.file is not None:
            extra += f" file={self.file.filename!r}({len(self.file.data)}B)"
        if self.file_id is not None:
            extra += f" file_id={self.file_id!r}"
        if self.button_texts:
            extra += f" buttons={self.button_texts!r}"
        elif self.removes_keyboard:
            extra += " remove_keyboard"
        if self.edit_count:
            extra += f" edits={self.edit_count}"
        if self.deleted:
            extra += " DELETED"
        text = self.text if self.text is None or len(self.text) < 160 else self.text[:157] + "..."
        return f"#{self.message_id} {self.method} {text!r}{extra}"


@dataclass(slots=True)
class WebhookState:
    """What the bot passed to ``setWebhook``."""

    url: str
    secret_token: str | None = None
    allowed_updates: list[str] | None = None
    max_connections: int | None = None
    ip_address: str | None = None
    drop_pending_updates: bool = False
    has_custom_certificate: bool = False
