"""A fake Telegram Bot API server on loopback, for end-to-end tests of the bot with the real
python-telegram-bot (README.md says what it does)."""

from ._records import FailureKind as FailureKind
from ._records import JSONDict as JSONDict
from ._records import RecordedRequest as RecordedRequest
from ._records import SentMessage as SentMessage
from ._records import WebhookState as WebhookState
from ._server import FakeBotAPI as FakeBotAPI
from ._server import Hold as Hold
from ._telegram import MEDIA_KINDS as MEDIA_KINDS
from ._telegram import MediaKind as MediaKind
