"""Telegram's wire details: what PTB posts, the objects of updates, and what Telegram refuses
(so a bug shows up here, not in production)."""

from __future__ import annotations

import html
import json
import re
from typing import Any, Literal, NoReturn, get_args

from ._records import JSONDict, bad_request

# Parameters of type String: PTB posts a str as it is and JSON-encodes everything else, so the
# form value "007" is the string "007" for these and the number 7 for any other.
STRING_PARAMS = {"text", "caption", "parse_mode", "callback_query_id", "url", "secret_token"}
STRING_PARAMS |= {"photo", "document", "animation"}  # a file id sent instead of an upload


def decode_form_value(name: str, value: str) -> Any:
    """Decode one form field the way PTB encoded it."""
    if name in STRING_PARAMS or value.startswith("attach://"):
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def utf16_len(text: str) -> int:
    """Return the length in UTF-16 code units, Telegram's unit for limits."""
    return len(text.encode("utf-16-le")) // 2


def user_obj(user_id: int, first_name: str, username: str | None = None) -> JSONDict:
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    return {**user, "username": username} if username else user


def chat_obj(chat_id: int, user: JSONDict | None) -> JSONDict:
    """A private chat with the user, or a group (an id below zero; -100... a supergroup)."""
    if chat_id > 0:
        name = (user or {}).get("first_name", f"User{chat_id}")
        return {"id": chat_id, "type": "private", "first_name": name}
    kind = "supergroup" if str(chat_id).startswith("-100") else "group"
    return {"id": chat_id, "type": kind, "title": f"Chat {chat_id}"}


def command_entities(text: str) -> list[JSONDict]:
    """The ``bot_command`` entity of a leading ``/command`` (``/start@bot`` included)."""
    if not text.startswith("/"):
        return []
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(text.split()[0])}]


def photo_sizes(file_id: str, size: int) -> list[JSONDict]:
    """Telegram answers a photo with several sizes, the largest last."""
    small = {"file_id": f"{file_id}s", "file_unique_id": f"{file_id}s", "width": 90, "height": 67}
    large = {"file_id": file_id, "file_unique_id": file_id, "width": 1280, "height": 960}
    return [small, {**large, "file_size": size}]


MediaKind = Literal[
    "sticker", "photo", "voice", "video", "video_note", "animation", "audio", "location", "document"
]
MEDIA_KINDS: tuple[MediaKind, ...] = get_args(MediaKind)
# What each kind's object needs beside its file id and size.
_MEDIA: dict[str, JSONDict] = {
    "sticker": {
        "type": "regular", "width": 512, "height": 512, "is_animated": False, "is_video": False
    },
    "voice": {"duration": 3},
    "video": {"width": 640, "height": 360, "duration": 5},
    "video_note": {"length": 240, "duration": 4},
    "animation": {"width": 320, "height": 240, "duration": 2},
    "audio": {"duration": 30},
    "document": {"file_name": "document.pdf"},
}  # fmt: skip


def media_fields(kind: MediaKind, file_id: str) -> JSONDict:
    """The fields of a person's message with media of this kind (minimal but valid)."""
    media = {"file_id": file_id, "file_unique_id": file_id, "file_size": 1000}
    if kind == "location":
        return {"location": {"latitude": 52.52, "longitude": 13.405}}
    if kind == "photo":
        return {"photo": photo_sizes(file_id, 1000)}
    fields: JSONDict = {kind: {**media, **_MEDIA[kind]}}
    if kind == "animation":
        fields["document"] = media  # Telegram sends a GIF as a document too
    return fields


MAX_TEXT, MAX_CAPTION, MAX_CALLBACK_DATA = 4096, 1024, 64
_INLINE_ACTIONS = ("callback_data", "url", "web_app", "login_url", "switch_inline_query", "pay")
_COMMAND = re.compile(r"[a-z0-9_]{1,32}")
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)?[^>]*(>?)")
HTML_TAGS = {"b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "a", "code", "pre"}


def shown_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram shows (and returns): HTML markup stripped."""
    return html.unescape(re.sub(r"<[^>]*>", "", text)) if parse_mode == "HTML" else text


def check_text(text: Any, parse_mode: str | None, *, caption: bool, markup: bool) -> None:
    """Refuse an empty or too long text or caption, or HTML Telegram cannot parse."""
    if caption and not text:
        return
    if text is None or not str(text).strip():
        raise bad_request("message text is empty")
    if utf16_len(shown_text(str(text), parse_mode)) > (MAX_CAPTION if caption else MAX_TEXT):
        raise bad_request("message caption is too long" if caption else "message is too long")
    if parse_mode not in (None, "HTML"):
        raise bad_request(f"this fake knows parse_mode HTML only, not {parse_mode}")
    if markup and parse_mode == "HTML":
        check_html(str(text))


def check_html(text: str) -> None:
    """Refuse unknown or unbalanced tags and a bare "<", as Telegram does."""
    open_tags: list[str] = []
    for tag in _TAG.finditer(text):
        closing, name, end = tag.group(1), (tag.group(2) or "").lower(), tag.group(3)
        where = f"at byte offset {len(text[: tag.start()].encode())}"
        if not end:
            _unparsable(f"Unclosed start tag {where}")
        if not closing and name not in HTML_TAGS:
            _unparsable(f'Unsupported start tag "{name}" {where}')
        if closing and (not open_tags or open_tags.pop() != name):
            _unparsable(f"Unexpected end tag {where}")
        if not closing:
            open_tags.append(name)
    if open_tags:
        _unparsable(f'Can\'t find end tag corresponding to start tag "{open_tags[-1]}"')


def _unparsable(detail: str) -> NoReturn:
    raise bad_request(f"can't parse entities: {detail}")


def check_reply_markup(markup: Any) -> None:
    """Refuse a reply_markup Telegram would refuse (the errors bots really hit)."""
    if markup is None or (isinstance(markup, dict) and markup.get("remove_keyboard")):
        return
    rows = markup.get("inline_keyboard", markup.get("keyboard")) if isinstance(markup, dict) else 0
    if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
        raise bad_request("can't parse reply keyboard markup JSON object")
    for button in (b if isinstance(b, dict) else {"text": b} for row in rows for b in row):
        if not isinstance(button.get("text"), str) or not button["text"]:
            raise bad_request("can't parse keyboard button: Text is not specified")
        if "inline_keyboard" not in markup:
            continue
        if not any(action in button for action in _INLINE_ACTIONS):
            raise bad_request("can't parse inline keyboard button: Text buttons are unallowed")
        data = button.get("callback_data", "x")
        if not isinstance(data, str) or not 0 < len(data.encode()) <= MAX_CALLBACK_DATA:
            raise bad_request("BUTTON_DATA_INVALID")


def check_commands(commands: Any) -> None:
    """Refuse a command menu Telegram would refuse."""
    if not isinstance(commands, list) or len(commands) > 100:
        raise bad_request("can't parse commands JSON object")
    for command in commands:
        if not _COMMAND.fullmatch(str(command.get("command"))):
            raise bad_request("BOT_COMMAND_INVALID")
        if not 1 <= len(str(command.get("description") or "")) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
