"""Telegram wire details: decoding request parameters, building Bot API JSON objects and the
checks real Telegram applies to what a bot sends (so bugs show up here, not in production)."""

from __future__ import annotations

import contextlib
import html
import json
import re
from typing import Any, Literal

from ._markup import check_markup
from ._records import JSONDict, bad_request

# Parameters whose Bot API type is String. PTB sends str values verbatim and JSON-encodes
# everything else, so a form value "123" is the *string* "123" for these fields and the
# *integer* 123 for, say, chat_id. For any field not listed we try json.loads and fall back to the
# raw string, which is right for every non-string field PTB sends.
STRING_PARAMS: frozenset[str] = frozenset(
    {
        "text", "caption", "parse_mode", "callback_query_id", "inline_message_id", "url",
        "secret_token", "ip_address", "language_code", "business_connection_id",
        "message_effect_id", "action", "emoji", "phone_number", "first_name", "last_name",
        "vcard", "title", "description", "short_description", "name", "address", "question",
        "explanation", "file_id", "custom_emoji_id", "sticker", "photo", "document", "audio",
        "video", "voice", "video_note", "animation", "thumbnail", "performer",
        "foursquare_id", "foursquare_type", "google_place_id", "google_place_type",
        "game_short_name", "payload", "currency", "provider_token", "start_parameter",
        "sticker_set_name", "query", "switch_pm_text", "switch_pm_parameter", "next_offset",
        "quote",
    }
)  # fmt: skip

# Parameters that are JSON objects/arrays in the Bot API; tolerated as JSON strings even in an
# application/json body (some clients double-encode).
STRUCTURED_PARAMS: frozenset[str] = frozenset(
    {
        "reply_markup", "entities", "caption_entities", "commands", "scope", "menu_button",
        "allowed_updates", "reply_parameters", "link_preview_options", "media", "results",
        "message_ids", "options", "permissions",
    }
)  # fmt: skip

_INT_RE = re.compile(r"-?\d+")


def decode_form_value(name: str, value: str) -> Any:
    """Decode one form/multipart field the way PTB encoded it."""
    if name in STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def normalize_params(params: JSONDict) -> JSONDict:
    """Make JSON-body/query parameters look like decoded form parameters."""
    for key, value in params.items():
        if isinstance(value, str):
            if key in STRUCTURED_PARAMS:
                with contextlib.suppress(ValueError):
                    params[key] = json.loads(value)
            elif key not in STRING_PARAMS and _INT_RE.fullmatch(value):
                params[key] = int(value)
    return params


def utf16_len(text: str) -> int:
    """Length in UTF-16 code units -- the unit of Telegram's entity offsets and limits."""
    return len(text.encode("utf-16-le")) // 2


# --------------------------------------------------------------------------------------------
# Objects
# --------------------------------------------------------------------------------------------


def user_obj(
    user_id: int,
    first_name: str,
    *,
    last_name: str | None = None,
    username: str | None = None,
    language_code: str | None = "en",
) -> JSONDict:
    user: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    if last_name:
        user["last_name"] = last_name
    if username:
        user["username"] = username
    if language_code:
        user["language_code"] = language_code
    return user


def private_chat_obj(user: JSONDict) -> JSONDict:
    chat: JSONDict = {"id": user["id"], "type": "private", "first_name": user["first_name"]}
    for key in ("last_name", "username"):
        if key in user:
            chat[key] = user[key]
    return chat


def group_chat_obj(chat_id: int, chat_type: str, title: str) -> JSONDict:
    return {"id": chat_id, "type": chat_type, "title": title}


def default_chat_obj(chat_id: int) -> JSONDict:
    """A plausible chat for an id the fake has never seen a user write from."""
    if chat_id > 0:
        return {"id": chat_id, "type": "private", "first_name": f"User{chat_id}"}
    chat_type = "supergroup" if str(chat_id).startswith("-100") else "group"
    return group_chat_obj(chat_id, chat_type, f"Chat {chat_id}")


def command_entities(text: str) -> list[JSONDict]:
    """A ``bot_command`` entity for a leading ``/command`` (``/start@bot`` included)."""
    if not text.startswith("/"):
        return []
    command = text.split(maxsplit=1)[0] if text.strip() else text
    return [{"type": "bot_command", "offset": 0, "length": utf16_len(command)}]


def photo_sizes(file_id: str, unique_id: str, size: int) -> list[JSONDict]:
    """Telegram answers a photo with several sizes; the largest is last."""
    return [
        {
            "file_id": f"{file_id}-s",
            "file_unique_id": f"{unique_id}s",
            "width": 90,
            "height": 67,
            "file_size": max(1, size // 20),
        },
        {
            "file_id": file_id,
            "file_unique_id": unique_id,
            "width": 1280,
            "height": 960,
            "file_size": size,
        },
    ]


MediaKind = Literal[
    "sticker", "photo", "voice", "video", "video_note", "animation", "audio", "location", "document"
]

MEDIA_KINDS: tuple[MediaKind, ...] = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "animation",
    "audio",
    "location",
    "document",
)

MEDIA_FILE_NAMES: dict[str, tuple[str, str]] = {
    # kind: (file path suffix, mime type)
    "sticker": ("stickers/file_{n}.webp", "image/webp"),
    "photo": ("photos/file_{n}.jpg", "image/jpeg"),
    "voice": ("voice/file_{n}.oga", "audio/ogg"),
    "video": ("videos/file_{n}.mp4", "video/mp4"),
    "video_note": ("video_notes/file_{n}.mp4", "video/mp4"),
    "animation": ("animations/file_{n}.mp4", "video/mp4"),
    "audio": ("music/file_{n}.mp3", "audio/mpeg"),
    "document": ("documents/file_{n}.pdf", "application/pdf"),
}


def media_fields(kind: str, file_id: str, unique_id: str, size: int) -> JSONDict:
    """The message fields a user's media message of this kind carries (minimal but valid)."""
    base: JSONDict = {"file_id": file_id, "file_unique_id": unique_id, "file_size": size}
    if kind == "sticker":
        return {
            "sticker": {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
                "emoji": "\N{THUMBS UP SIGN}",
                "set_name": "FakeStickers",
            }
        }
    if kind == "photo":
        return {"photo": photo_sizes(file_id, unique_id, size)}
    if kind == "voice":
        return {"voice": {**base, "duration": 3, "mime_type": "audio/ogg"}}
    if kind == "video":
        return {
            "video": {**base, "width": 640, "height": 360, "duration": 5, "mime_type": "video/mp4"}
        }
    if kind == "video_note":
        return {"video_note": {**base, "length": 240, "duration": 4}}
    if kind == "animation":
        animation = {
            **base,
            "width": 320,
            "height": 240,
            "duration": 2,
            "file_name": "animation.mp4",
            "mime_type": "video/mp4",
        }
        # Telegram still sends the GIF as a document too, so filters.Document matches it.
        document = {
            **base,
            "file_name": "animation.mp4",
            "mime_type": "video/mp4",
        }
        return {"animation": animation, "document": document}
    if kind == "audio":
        return {
            "audio": {
                **base,
                "duration": 30,
                "performer": "Fake Band",
                "title": "Fake Song",
                "file_name": "song.mp3",
                "mime_type": "audio/mpeg",
            }
        }
    if kind == "location":
        return {"location": {"latitude": 52.520008, "longitude": 13.404954}}
    if kind == "document":
        return {"document": {**base, "file_name": "document.pdf", "mime_type": "application/pdf"}}
    raise ValueError(f"unknown media kind {kind!r}; expected one of {MEDIA_KINDS}")


# --------------------------------------------------------------------------------------------
# Checks Telegram applies to outgoing messages
# --------------------------------------------------------------------------------------------

MAX_TEXT = 4096
MAX_CAPTION = 1024
MAX_CALLBACK_DATA = 64  # bytes

_INLINE_ACTIONS = (
    "callback_data",
    "url",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
_COMMAND_RE = re.compile(r"[a-z0-9_]{1,32}")
TAG_RE = re.compile(r"<[^>]*>")


def visible_length(text: str, parse_mode: str | None) -> int:
    """Approximate length of the text after Telegram strips the markup (UTF-16 units)."""
    mode = (parse_mode or "").lower()
    if mode == "html":
        text = html.unescape(TAG_RE.sub("", text))
    elif mode in ("markdown", "markdownv2"):
        text = re.sub(r"\\(.)", r"\1", re.sub(r"(?<!\\)[*_~|`]", "", text))
    return utf16_len(text)


def check_text(
    text: Any, parse_mode: str | None, *, caption: bool = False, markup: bool = True
) -> None:
    """Telegram's checks of a message text (or caption): empty, too long, bad markup."""
    if caption:
        if text is None:
            return
        if visible_length(str(text), parse_mode) > MAX_CAPTION:
            raise bad_request("message caption is too long")
    else:
        if text is None or not str(text).strip():
            raise bad_request("message text is empty")
        if visible_length(str(text), parse_mode) > MAX_TEXT:
            raise bad_request("message is too long")
    if markup:
        check_markup(str(text), parse_mode)


def check_reply_markup(markup: Any) -> None:
    """Validate a reply_markup the way Telegram does (the errors bots really hit)."""
    if markup is None:
        return
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    if "inline_keyboard" in markup:
        rows = markup["inline_keyboard"]
        if not isinstance(rows, list) or any(not isinstance(r, list) for r in rows):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("can't parse inline keyboard button: Text is not specified")
                actions = [a for a in _INLINE_ACTIONS if a in button]
                if not actions:
                    raise bad_request(
                        "can't parse inline keyboard button: "
                        "Text buttons are unallowed in the inline keyboard"
                    )
                data = button.get("callback_data")
                if "callback_data" in actions and (
                    not isinstance(data, str)
                    or not data
                    or len(data.encode("utf-8")) > MAX_CALLBACK_DATA
                ):
                    raise bad_request("BUTTON_DATA_INVALID")
    elif "keyboard" in markup:
        rows = markup["keyboard"]
        if not isinstance(rows, list) or any(not isinstance(r, list) for r in rows):
            raise bad_request(
                'field "keyboard" of the ReplyKeyboardMarkup should be an Array of Arrays'
            )
        for row in rows:
            for button in row:
                text = button.get("text") if isinstance(button, dict) else button
                if not isinstance(text, str) or not text:
                    raise bad_request("can't parse keyboard button: Text is not specified")
    elif not (markup.get("remove_keyboard") or markup.get("force_reply")):
        raise bad_request('can\'t find field "inline_keyboard"')


def check_commands(commands: Any) -> None:
    if not isinstance(commands, list):
        raise bad_request("can't parse commands JSON object")
    if len(commands) > 100:
        raise bad_request("too many commands specified")
    for command in commands:
        if not isinstance(command, dict):
            raise bad_request("can't parse BotCommand")
        if not _COMMAND_RE.fullmatch(str(command.get("command", ""))):
            raise bad_request("BOT_COMMAND_INVALID")
        description = command.get("description")
        if not isinstance(description, str) or not 1 <= len(description) <= 256:
            raise bad_request("BOT_COMMAND_DESCRIPTION_INVALID")
