"""Shared state of the fake Bot API (chats, messages, updates, files) and helpers on it.

All state lives behind one re-entrant lock so the server can run on another thread than the
test. Every mutation happens synchronously under the lock; waiters are woken through
:class:`Notifier` objects afterwards.
"""

from __future__ import annotations

import bisect
import html
import threading
import time
from collections import deque

from ._records import JSONDict, SentMessage, UploadedFile, WebhookState, bad_request
from ._sync import Notifier
from ._telegram import TAG_RE, default_chat_obj


class _Core:
    """State and low-level helpers shared by the Bot API methods and the simulated users."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_first_name: str,
        strict_chats: bool,
        check_markup: bool,
        first_update_id: int,
    ) -> None:
        if ":" not in token:
            raise ValueError("a bot token looks like '123456:ABC-DEF'")
        self.token = token
        bot_id = token.split(":", 1)[0]
        self.bot_id: int = int(bot_id) if bot_id.isdigit() else 1
        self.bot_username = bot_username
        self.bot_first_name = bot_first_name
        self.strict_chats = strict_chats
        self.check_markup = check_markup

        self._lock = threading.RLock()
        self._updates_changed = Notifier()
        self._records_changed = Notifier()

        # Users and chats seen by the fake.
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, JSONDict] = {}
        # Every message in each chat (the user's and the bot's), by message_id; private chats
        # share one message_id sequence between both sides, as on Telegram.
        self._chat_messages: dict[int, dict[int, JSONDict]] = {}
        self._last_message_id: dict[int, int] = {}

        # What the bot delivered.
        self._sent: dict[int, list[SentMessage]] = {}
        self._sent_by_id: dict[tuple[int, int], SentMessage] = {}
        self._sent_total = 0

        # Update queue for getUpdates: ordered by update_id, dropped when confirmed by offset.
        self._next_update_id = first_update_id
        self._updates: deque[JSONDict] = deque()
        self._highest_fetched_update_id = 0
        self._last_enqueued_update_id = 0

        # Callback queries: issued ids (waiting for an answer) and the answers received.
        self._open_callback_queries: dict[str, JSONDict] = {}
        self._answered_callbacks: list[JSONDict] = []
        self._callback_counter = 0

        # Files (user media and bot uploads), for getFile and downloads.
        self._files: dict[str, tuple[str, bytes]] = {}
        self._files_by_path: dict[str, bytes] = {}
        self._file_counter = 0

        self._chat_actions: dict[int, list[str]] = {}
        self._commands: dict[str, list[JSONDict]] = {}
        self._menu_buttons: dict[int | None, JSONDict] = {}
        self._webhook: WebhookState | None = None
        self._blocked: set[int] = set()

    # -- objects ---------------------------------------------------------------------------
    @property
    def bot_user(self) -> JSONDict:
        """The bot's own ``User`` object (what getMe returns, minus the capability flags)."""
        return {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": self.bot_first_name,
            "username": self.bot_username,
        }

    # -- chats and messages -------------------------------------------------------------------
    def _chat_for_send(self, params: JSONDict) -> JSONDict:
        """The chat a bot request targets (400 like Telegram when missing/unknown)."""
        chat_id = params.get("chat_id")
        if chat_id is None or chat_id == "":
            raise bad_request("chat_id is empty")
        if isinstance(chat_id, str) and chat_id.lstrip("-").isdigit():
            chat_id = int(chat_id)
        if not isinstance(chat_id, int) or isinstance(chat_id, bool):
            raise bad_request("chat not found")  # "@username" chats are not simulated
        chat = self._chats.get(chat_id)
        if chat is None:
            if self.strict_chats:
                raise bad_request("chat not found")
            chat = default_chat_obj(chat_id)
            self._chats[chat_id] = chat
        return chat

    def _new_message_id(self, chat_id: int) -> int:
        message_id = self._last_message_id.get(chat_id, 0) + 1
        self._last_message_id[chat_id] = message_id
        return message_id

    def _store_message(self, message: JSONDict) -> None:
        chat_id = int(message["chat"]["id"])
        self._chat_messages.setdefault(chat_id, {})[int(message["message_id"])] = message

    def _find_message(self, chat_id: int, message_id: int) -> JSONDict | None:
        return self._chat_messages.get(chat_id, {}).get(message_id)

    def _new_bot_message(self, chat: JSONDict, params: JSONDict) -> JSONDict:
        chat_id = int(chat["id"])
        message: JSONDict = {
            "message_id": self._new_message_id(chat_id),
            "from": self.bot_user,
            "chat": chat,
            "date": int(time.time()),
        }
        reply_to = _reply_target(params)
        if reply_to is not None:
            replied = self._find_message(chat_id, reply_to)
            if replied is not None:
                message["reply_to_message"] = _without_reply(replied)
            elif not _allows_missing_reply(params):
                raise bad_request("message to be replied not found")
        markup = params.get("reply_markup")
        if isinstance(markup, dict) and "inline_keyboard" in markup:
            # Only inline keyboards are part of a Message; reply keyboards live on the client.
            message["reply_markup"] = markup
        return message

    def _deliver(
        self,
        method: str,
        message: JSONDict,
        params: JSONDict,
        *,
        text: str | None,
        file: UploadedFile | None = None,
        file_id: str | None = None,
    ) -> JSONDict:
        """Record a message the bot sent successfully and store it in its chat."""
        chat_id = int(message["chat"]["id"])
        self._store_message(message)
        reply_markup = params.get("reply_markup")
        sent = SentMessage(
            chat_id=chat_id,
            message_id=int(message["message_id"]),
            method=method,
            text=text,
            parse_mode=params.get("parse_mode"),
            reply_markup=reply_markup if isinstance(reply_markup, dict) else None,
            params=params,
            raw=message,
            time=time.monotonic(),
            file=file,
            file_id=file_id,
        )
        self._sent.setdefault(chat_id, []).append(sent)
        self._sent_by_id[(chat_id, sent.message_id)] = sent
        self._sent_total += 1
        self._records_changed.notify()
        return message

    # -- files ----------------------------------------------------------------------------
    def _new_file(self, path_template: str, data: bytes) -> tuple[str, str]:
        """Register file content; returns (file_id, file_unique_id)."""
        self._file_counter += 1
        n = self._file_counter
        file_id = f"FAKE{self.bot_id}F{n:06d}"
        unique_id = f"U{n:06d}"
        path = path_template.format(n=n)
        self._files[file_id] = (path, data)
        self._files_by_path[path] = data
        return file_id, unique_id

    # -- updates --------------------------------------------------------------------------
    def _take_update_id(self) -> int:
        with self._lock:
            update_id = self._next_update_id
            self._next_update_id += 1
            return update_id

    def enqueue(self, update: JSONDict) -> JSONDict:
        """Queue an update for getUpdates (kept in update_id order) and wake long polls."""
        with self._lock:
            update_id = int(update["update_id"])
            if self._updates and int(self._updates[-1]["update_id"]) > update_id:
                ids = [int(u["update_id"]) for u in self._updates]
                self._updates.insert(bisect.bisect(ids, update_id), update)
            else:
                self._updates.append(update)
            self._last_enqueued_update_id = max(self._last_enqueued_update_id, update_id)
        self._updates_changed.notify()
        return update

    def _confirm_updates(self, offset: int) -> None:
        """getUpdates' offset: positive confirms (drops) every update with a smaller id;
        negative -N keeps only the last N updates."""
        if offset > 0:
            while self._updates and int(self._updates[0]["update_id"]) < offset:
                self._updates.popleft()
        elif offset < 0:
            while len(self._updates) > -offset:
                self._updates.popleft()


def _reply_target(params: JSONDict) -> int | None:
    reply_parameters = params.get("reply_parameters")
    if isinstance(reply_parameters, dict) and "message_id" in reply_parameters:
        return int(reply_parameters["message_id"])
    if params.get("reply_to_message_id") is not None:
        return int(params["reply_to_message_id"])
    return None


def _allows_missing_reply(params: JSONDict) -> bool:
    reply_parameters = params.get("reply_parameters")
    if isinstance(reply_parameters, dict):
        return bool(reply_parameters.get("allow_sending_without_reply"))
    return bool(params.get("allow_sending_without_reply"))


def _without_reply(message: JSONDict) -> JSONDict:
    """Telegram does not nest reply_to_message further than one level."""
    return {k: v for k, v in message.items() if k != "reply_to_message"}


def rendered_text(text: str, parse_mode: str | None) -> str:
    """The text Telegram shows/returns: HTML markup stripped. (Entities are not simulated.)"""
    if (parse_mode or "").lower() == "html":
        return html.unescape(TAG_RE.sub("", text))
    return text
