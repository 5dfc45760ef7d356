"""Replies out: turn the coach's transport-neutral replies into Bot API calls."""

from __future__ import annotations

import asyncio
import functools
import html
import logging
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, TypeVar

from telegram import (
    Bot,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InputFile,
    KeyboardButton,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
)
from telegram.constants import MessageLimit, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.app.outlet import Blocked, MaybeDelivered, NotDelivered, Rejected
from bot.app.pictures import PictureFile, Pictures
from bot.channels.telegram.transport import NEVER_CONNECTED
from bot.core.replies import AskPhone, Card, Choice, Document, Guide, Picture, Reply, Say

if TYPE_CHECKING:
    from bot.app.guide_runner import GuideRunner

log = logging.getLogger(__name__)

MAX_TEXT = MessageLimit.MAX_TEXT_LENGTH
# Between two replies joined into one message (see merge_replies).
PARAGRAPH = "\n\n"
MAX_CAPTION = MessageLimit.CAPTION_LENGTH
_ROW_CHARS = 32
_SEND_ATTEMPTS = 4

T = TypeVar("T")
Markup = InlineKeyboardMarkup | ReplyKeyboardMarkup | ReplyKeyboardRemove | None


def merge_replies(replies: Sequence[Reply], limit: int = MAX_TEXT) -> list[Reply]:
    """Join each plain message to the message after it, as paragraphs of one message.

    The engine often says something and then asks the next question ("Hi Ann!..." and "What
    bothers you?"). As one message that is one notification instead of two, and one Bot API
    call fewer against Telegram's limits. Only a message without buttons and without a
    keyboard change joins the next one, and only while the whole fits in one message; before
    a card, only while the whole fits in the picture's caption.
    """
    merged: list[Reply] = []
    for reply in replies:
        last = merged[-1] if merged else None
        if (
            isinstance(reply, Card)
            and isinstance(last, Say)
            and not last.choices
            and not last.clear_keyboard
            and _size(f"{last.text}{PARAGRAPH}{reply.text}") <= MAX_CAPTION
        ):
            text = f"{last.text}{PARAGRAPH}{reply.text}"
            merged[-1] = reply.model_copy(update={"text": text, "key": f"{last.key}+{reply.key}"})
        elif (
            isinstance(reply, Say | AskPhone)
            and isinstance(last, Say)
            and not last.choices
            and not last.clear_keyboard
            and _size(f"{last.text}{PARAGRAPH}{reply.text}") <= limit
        ):
            text = f"{last.text}{PARAGRAPH}{reply.text}"
            if isinstance(reply, Say):
                merged[-1] = reply.model_copy(
                    update={"text": text, "key": f"{last.key}+{reply.key}"}
                )
            else:
                merged[-1] = reply.model_copy(update={"text": text})
        else:
            merged.append(reply)
    return merged


def split_text(text: str, limit: int = MAX_TEXT) -> list[str]:
    """Split text into pieces that each fit one message: at paragraphs, else lines, else words."""
    pieces = _split(text, limit, ("\n\n", "\n", " "))
    # A piece made only of line breaks would be refused as an empty message.
    return [piece for piece in pieces if piece.strip()] or [text]


def _split(text: str, limit: int, separators: tuple[str, ...]) -> list[str]:
    """Pack the parts between the coarsest separator; split a part too big by the next one."""
    if _size(text) <= limit:
        return [text]
    if not separators:
        return _hard_cut(text, limit)
    separator, finer = separators[0], separators[1:]
    pieces: list[str] = []
    current: str | None = None
    for part in text.split(separator):
        # Parts keep the separator between them within a piece; where a piece ends, the
        # message break takes its place.
        joined = part if current is None else f"{current}{separator}{part}"
        if _size(joined) <= limit:
            current = joined
            continue
        if current is not None:
            pieces.append(current)
        *whole, current = _split(part, limit, finer)
        pieces.extend(whole)
    if current is not None:
        pieces.append(current)
    return pieces


def _hard_cut(text: str, limit: int) -> list[str]:
    """Cut a run with no break in it into pieces of at most `limit`."""
    pieces: list[str] = []
    start = size = 0
    for index, char in enumerate(text):
        width = _size(char)
        if size + width > limit:
            pieces.append(text[start:index])
            start, size = index, 0
        size += width
    pieces.append(text[start:])
    return pieces


def _size(text: str) -> int:
    """Measure text as Telegram limits it: in UTF-16 units, counted after escaping to be safe."""
    return len(html.escape(text, quote=False).encode("utf-16-le")) // 2


def keyboard(choices: Sequence[Choice]) -> InlineKeyboardMarkup:
    """Lay buttons out in rows that read well on a phone: short labels share a row."""
    return _keyboard(tuple((choice.label, choice.token) for choice in choices))


# Most messages offer one of a few dozen keyboards; PTB's objects are immutable, so one built
# is reused (making the buttons was ~2% of a step's CPU time, py-spy on bench_telegram).
@functools.lru_cache(maxsize=256)
def _keyboard(buttons: tuple[tuple[str, str], ...]) -> InlineKeyboardMarkup:
    rows: list[list[InlineKeyboardButton]] = []
    row: list[InlineKeyboardButton] = []
    width = 0
    numeric = all(label.isdigit() for label, _ in buttons)
    per_row = 6 if numeric else 3
    for label, token in buttons:
        size = len(label) + 2
        if row and (len(row) >= per_row or width + size > _ROW_CHARS):
            rows.append(row)
            row, width = [], 0
        row.append(InlineKeyboardButton(label, callback_data=token))
        width += size
    if row:
        rows.append(row)
    return InlineKeyboardMarkup(rows)


def phone_keyboard(reply: AskPhone) -> ReplyKeyboardMarkup:
    """Offer Telegram's share-my-number button, and a way out."""
    return ReplyKeyboardMarkup(
        [[KeyboardButton(reply.share_label, request_contact=True)], [reply.cancel_label]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def not_sent(exc: BaseException) -> bool:
    """Say whether a failed call certainly did not reach Telegram (safe to send again)."""
    cause = exc.__cause__
    if isinstance(cause, NEVER_CONNECTED):
        return True
    # An error *answer* (a 5xx from Telegram or a proxy) comes without a transport cause.
    return isinstance(exc, NetworkError) and not isinstance(exc, TimedOut) and cause is None


async def with_retries(call: Callable[[], Awaitable[T]], what: str, *, retry: bool = True) -> T:
    """Run a Bot API call, retrying network errors and flood waits with backoff.

    Conversation replies retry every network error (a rare repeat beats a lost answer, and a
    timed-out send may have arrived). The reminder and staff senders pass retry=False: then
    only a failure that certainly sent nothing is retried here, and the sender decides the
    rest from the error.
    """
    delay = 0.5
    for attempt in range(1, _SEND_ATTEMPTS + 1):
        try:
            return await call()
        except (Forbidden, BadRequest):
            raise
        except RetryAfter as exc:
            if attempt == _SEND_ATTEMPTS:
                raise
            wait = exc.retry_after
            await asyncio.sleep(wait.total_seconds() if hasattr(wait, "total_seconds") else wait)
        except NetworkError as exc:  # timeouts and 5xx answers included
            if attempt == _SEND_ATTEMPTS or not (retry or not_sent(exc)):
                raise
            log.info("%s failed (%s); retrying", what, type(exc).__name__)
            await asyncio.sleep(delay)
            delay *= 2
    raise AssertionError("unreachable")


class Renderer:
    """Send replies to one chat through a Bot.

    With `pictures`, a card comes with its exercise's animation; with `guides`, a guide's
    message is handed to the guide runner, which edits it from then on.
    """

    def __init__(
        self,
        bot: Bot,
        *,
        retry: bool = True,
        pictures: Pictures | None = None,
        guides: GuideRunner | None = None,
    ) -> None:
        self.bot = bot
        self.retry = retry
        self.pictures = pictures
        self.guides = guides

    async def send(self, chat_id: int, replies: Sequence[Reply]) -> list[Message]:
        """Send every reply in order; return the messages Telegram accepted."""
        sent: list[Message] = []
        for reply in merge_replies(replies):
            sent.extend(await self._send_one(chat_id, reply))
        return sent

    async def _send_one(self, chat_id: int, reply: Reply) -> list[Message]:
        match reply:
            case Say(text=text, choices=choices, clear_keyboard=clear):
                if clear and choices:
                    # A message carries one kind of keyboard: remove the phone keyboard
                    # with the text, then put the buttons on that same message.
                    sent = await self.text(chat_id, text, ReplyKeyboardRemove())
                    last = sent[-1]
                    await with_retries(
                        lambda: self.bot.edit_message_reply_markup(
                            chat_id, last.message_id, reply_markup=keyboard(choices)
                        ),
                        "editMessageReplyMarkup",
                        retry=self.retry,
                    )
                    return sent
                markup: Markup = keyboard(choices) if choices else None
                if clear:
                    markup = ReplyKeyboardRemove()
                return await self.text(chat_id, text, markup)
            case Card():
                return await self._card(chat_id, reply)
            case Guide():
                return await self._guide(chat_id, reply)
            case AskPhone():
                return await self.text(chat_id, reply.text, phone_keyboard(reply))
            case Picture(png=png, caption=caption, filename=filename):
                return await self._media(chat_id, "photo", png, filename, caption)
            case Document(content=content, caption=caption, filename=filename):
                return await self._media(chat_id, "document", content, filename, caption)
        log.warning("no renderer for reply kind %s", getattr(reply, "kind", "?"))
        return []

    async def text(self, chat_id: int, text: str, markup: Markup = None) -> list[Message]:
        """Send text, split to fit, escaped for HTML; the keyboard goes on the last piece."""
        pieces = split_text(text)
        sent = []
        for index, piece in enumerate(pieces):
            last = index == len(pieces) - 1
            message = await with_retries(
                lambda piece=piece, last=last: self.bot.send_message(  # type: ignore[misc]
                    chat_id,
                    html.escape(piece, quote=False),
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup if last else None,
                ),
                "sendMessage",
                retry=self.retry,
            )
            sent.append(message)
        return sent

    async def _media(
        self, chat_id: int, kind: str, content: bytes, filename: str, caption: str
    ) -> list[Message]:
        short = caption if _size(caption) <= MAX_CAPTION else ""
        escaped = html.escape(short, quote=False)

        async def call() -> Message:
            upload = InputFile(content, filename=filename)
            if kind == "photo":
                return await self.bot.send_photo(
                    chat_id, upload, caption=escaped, parse_mode=ParseMode.HTML
                )
            return await self.bot.send_document(
                chat_id, upload, caption=escaped, parse_mode=ParseMode.HTML
            )

        sent = [await with_retries(call, f"send_{kind}", retry=self.retry)]
        if caption and not short:
            sent.extend(await self.text(chat_id, caption))
        return sent

    async def _card(self, chat_id: int, card: Card) -> list[Message]:
        """Send the card's animation with the card as its caption and the buttons under it;
        a card too long for a caption follows the animation as a message with the buttons."""
        markup = keyboard(card.choices) if card.choices else None
        if self.pictures is None:
            return await self.text(chat_id, card.text, markup)
        file = self.pictures.file(card.exercise, card.variant)
        fits = _size(card.text) <= MAX_CAPTION
        try:
            picture = await self._picture(
                chat_id, file, card.text if fits else "", markup if fits else None
            )
        except _NoPicture as exc:
            # The card matters more than its picture: it goes as text.
            log.error("the picture of %s was not sent: %s", file.key, exc)
            return await self.text(chat_id, card.text, markup)
        if fits:
            return [picture]
        return [picture, *await self.text(chat_id, card.text, markup)]

    async def _picture(
        self, chat_id: int, file: PictureFile, caption: str, markup: Markup
    ) -> Message:
        """Send a picture by the file id this bot was given for it, or upload it (once)."""
        assert self.pictures is not None
        pictures, bot_id = self.pictures, _bot_id(self.bot)
        kept = await pictures.file_id(bot_id, file)
        if kept is not None:
            try:
                return await self._send_file(chat_id, file, kept, caption, markup)
            except BadRequest as exc:
                if "file" not in str(exc).lower():
                    raise  # not the file id (a caption Telegram cannot parse): no re-upload
                await pictures.refused(bot_id, file, kept)
        async with pictures.uploading(bot_id, file):
            kept = await pictures.file_id(bot_id, file)  # a card just before uploaded it
            if kept is not None:
                return await self._send_file(chat_id, file, kept, caption, markup)
            try:
                content = await pictures.content(file)
            except Exception as exc:
                raise _NoPicture(f"drawing failed: {type(exc).__name__}") from exc
            upload = InputFile(content, filename=file.filename)
            try:
                message = await self._send_file(chat_id, file, upload, caption, markup)
            except BadRequest as exc:
                raise _NoPicture(f"Telegram refused the upload: {exc}") from exc
            file_id = _file_id(message)
            if file_id is not None:
                await pictures.remember(bot_id, file, file_id)
            return message

    async def _send_file(
        self, chat_id: int, file: PictureFile, media: str | InputFile, caption: str, markup: Markup
    ) -> Message:
        escaped = html.escape(caption, quote=False) if caption else None

        async def call() -> Message:
            if file.kind == "animation":
                return await self.bot.send_animation(
                    chat_id, media, caption=escaped, parse_mode=ParseMode.HTML, reply_markup=markup
                )
            return await self.bot.send_photo(
                chat_id, media, caption=escaped, parse_mode=ParseMode.HTML, reply_markup=markup
            )

        return await with_retries(call, f"send_{file.kind}", retry=self.retry)

    async def _guide(self, chat_id: int, reply: Guide) -> list[Message]:
        """Send a new guide's message and hand it to the runner; show a change through it."""
        if not reply.new:
            if self.guides is not None:
                self.guides.kick()  # the runner edits the message: one writer, in order
            return []
        markup = keyboard(reply.choices) if reply.choices else None
        sent = await self.text(chat_id, reply.text, markup)
        if self.guides is not None and sent:
            await self.guides.attach(chat_id, reply.run.stamp, sent[-1].message_id)
        return sent


class _NoPicture(Exception):
    """The picture could not be drawn, or Telegram refused it: the card goes without it."""


def _bot_id(bot: Bot) -> int:
    """Return the bot's user id (the token starts with it): file ids belong to one bot."""
    return int(bot.token.split(":", 1)[0])


def _file_id(message: Message) -> str | None:
    """Return the file id Telegram gave the picture of a message."""
    if message.animation is not None:
        return message.animation.file_id
    if message.document is not None:
        return message.document.file_id
    if message.photo:
        return message.photo[-1].file_id
    return None


class TelegramOutlet:
    """The Outlet for reminders and staff messages: Telegram failures mapped for the senders."""

    def __init__(self, bot: Bot) -> None:
        self.bot = bot
        self.renderer = Renderer(bot, retry=False)

    async def deliver(self, chat_id: int, replies: Sequence[Reply]) -> list[int]:
        """Send replies and return their message ids."""
        with _mapped_errors():
            messages = await self.renderer.send(chat_id, replies)
        return [m.message_id for m in messages]

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        """Replace a message's text and buttons."""
        markup = keyboard(reply.choices) if reply.choices else None
        text = split_text(reply.text)[0]
        with _mapped_errors():
            await with_retries(
                lambda: self.bot.edit_message_text(
                    html.escape(text, quote=False),
                    chat_id=chat_id,
                    message_id=message_id,
                    parse_mode=ParseMode.HTML,
                    reply_markup=markup,
                ),
                "editMessageText",
                retry=False,
            )

    async def delete(self, chat_id: int, message_id: int) -> None:
        """Delete a message the bot sent."""
        with _mapped_errors():
            await with_retries(
                lambda: self.bot.delete_message(chat_id=chat_id, message_id=message_id),
                "deleteMessage",
                retry=False,
            )


@contextmanager
def _mapped_errors() -> Iterator[None]:
    """Translate python-telegram-bot errors into the delivery errors the senders act on."""
    try:
        yield
    except Forbidden as exc:
        raise Blocked(str(exc)) from None
    except BadRequest as exc:
        if "chat not found" in str(exc).lower():
            raise Blocked(str(exc)) from None
        raise Rejected(str(exc)) from None
    except RetryAfter as exc:
        raise NotDelivered(str(exc)) from None
    except NetworkError as exc:
        if not_sent(exc):
            raise NotDelivered(str(exc)) from None
        raise MaybeDelivered(str(exc)) from None
