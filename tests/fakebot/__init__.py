"""A fake Telegram Bot API server for end-to-end tests of the bot with the real PTB.

Quick use::

    async with FakeBotAPI(token="123:ABC") as api:
        app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
        ...
        api.send_text(42, "/start")
        [reply] = await api.wait_for_messages(42, 1)
"""

from ._records import (
    ApiError,
    FailureKind,
    JSONDict,
    RecordedRequest,
    SentMessage,
    UploadedFile,
    WebhookState,
)
from ._server import SEND_METHODS, FakeBotAPI
from ._telegram import MEDIA_KINDS, MediaKind
from ._users import ChatType

__all__ = [
    "MEDIA_KINDS",
    "SEND_METHODS",
    "ApiError",
    "ChatType",
    "FailureKind",
    "FakeBotAPI",
    "JSONDict",
    "MediaKind",
    "RecordedRequest",
    "SentMessage",
    "UploadedFile",
    "WebhookState",
]
