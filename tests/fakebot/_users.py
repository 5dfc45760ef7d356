"""Simulated Telegram users: build updates and queue them for the bot.

``build_*`` methods only build the Update dict (taking the next update_id and storing the
user's message in its chat, so later edits and replies can refer to it); ``send_*``/
``press_button``/``edit_text`` also queue it for getUpdates. For webhook tests, build and POST
with :meth:`FakeBotAPI.post_update_to`.

``first_name=None`` means: the name this user had before (see :meth:`register_user`), else "Ann".
All of these may be called from any thread.
"""

from __future__ import annotations

import time
from typing import Literal

from ._core import _Core, _without_reply
from ._records import JSONDict
from ._telegram import (
    MEDIA_FILE_NAMES,
    MEDIA_KINDS,
    MediaKind,
    command_entities,
    group_chat_obj,
    media_fields,
    private_chat_obj,
    user_obj,
)

ChatType = Literal["private", "group", "supergroup"]

DEFAULT_FIRST_NAME = "Ann"


class _UsersMixin(_Core):
    # -- users and chats ----------------------------------------------------------------------
    def register_user(
        self,
        user_id: int,
        *,
        first_name: str = DEFAULT_FIRST_NAME,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
    ) -> JSONDict:
        """Set the profile a simulated user sends with (returns the ``User`` dict)."""
        user = user_obj(
            user_id,
            first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
        )
        with self._lock:
            self._users[user_id] = user
            if user_id in self._chats and self._chats[user_id]["type"] == "private":
                self._chats[user_id] = private_chat_obj(user)
        return dict(user)

    def _user(self, user_id: int, first_name: str | None) -> JSONDict:
        if user_id <= 0:
            raise ValueError("user ids are positive; negative ids are group chats")
        user = self._users.get(user_id)
        if user is None or (first_name is not None and first_name != user["first_name"]):
            base = user or {}
            user = user_obj(
                user_id,
                first_name or DEFAULT_FIRST_NAME,
                last_name=base.get("last_name"),
                username=base.get("username"),
                language_code=base.get("language_code", "en"),
            )
            self._users[user_id] = user
        return user

    def _chat(
        self, user: JSONDict, chat_id: int | None, chat_type: ChatType, chat_title: str | None
    ) -> JSONDict:
        if chat_type == "private":
            if chat_id is not None and chat_id != user["id"]:
                raise ValueError("a private chat's id is the user's id")
            chat = private_chat_obj(user)
        else:
            if chat_id is None:
                # Group ids are negative; supergroups look like -100xxxxxxxxxx.
                chat_id = -user["id"] if chat_type == "group" else -1_000_000_000_000 - user["id"]
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            known = self._chats.get(chat_id)
            title = chat_title or (known or {}).get("title") or "Test group"
            chat = group_chat_obj(chat_id, chat_type, title)
        self._chats[int(chat["id"])] = chat
        return chat

    def _user_message(
        self,
        user_id: int,
        first_name: str | None,
        chat_id: int | None,
        chat_type: ChatType,
        chat_title: str | None,
        fields: JSONDict,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        user = self._user(user_id, first_name)
        chat = self._chat(user, chat_id, chat_type, chat_title)
        cid = int(chat["id"])
        message: JSONDict = {
            "message_id": self._new_message_id(cid),
            "from": user,
            "chat": chat,
            "date": int(time.time()),
        }
        if reply_to_message_id is not None:
            replied = self._find_message(cid, reply_to_message_id)
            if replied is None:
                raise AssertionError(f"no message {reply_to_message_id} in chat {cid} to reply to")
            message["reply_to_message"] = _without_reply(replied)
        message.update(fields)
        self._store_message(message)
        return message

    # -- generic ------------------------------------------------------------------------------
    def make_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """``{"update_id": <next>, kind: payload}`` without queueing it."""
        return {"update_id": self._take_update_id(), kind: payload}

    def pending_updates(self) -> list[JSONDict]:
        """Queued updates the bot has not confirmed yet (via getUpdates' offset)."""
        with self._lock:
            return list(self._updates)

    # -- text ---------------------------------------------------------------------------------
    def build_text_update(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: ChatType = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        """A ``message`` update with this text; ``/command args`` gets a bot_command entity."""
        fields: JSONDict = {"text": text}
        entities = command_entities(text)
        if entities:
            fields["entities"] = entities
        with self._lock:
            message = self._user_message(
                user_id, first_name, chat_id, chat_type, chat_title, fields, reply_to_message_id
            )
            return self.make_update("message", message)

    def send_text(
        self,
        user_id: int,
        text: str,
        *,
        first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: ChatType = "private",
        chat_title: str | None = None,
        reply_to_message_id: int | None = None,
    ) -> JSONDict:
        """The user writes ``text`` (to the bot, or in a group when chat_type is not private)."""
        return self.enqueue(
            self.build_text_update(
                user_id,
                text,
                first_name=first_name,
                chat_id=chat_id,
                chat_type=chat_type,
                chat_title=chat_title,
                reply_to_message_id=reply_to_message_id,
            )
        )

    # -- buttons ------------------------------------------------------------------------------
    def build_button_press(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        first_name: str | None = None,
        chat_id: int | None = None,
        check: bool = True,
    ) -> JSONDict:
        """A ``callback_query`` update for an inline button of a stored message.

        ``chat_id`` defaults to the user's private chat. With ``check`` (default) the message
        must carry an inline button with this callback_data, as only real buttons can be
        pressed; the AssertionError lists the buttons that exist.
        """
        cid = user_id if chat_id is None else chat_id
        with self._lock:
            message = self._find_message(cid, message_id)
            if message is None:
                known = sorted(self._chat_messages.get(cid, {}))
                raise AssertionError(
                    f"no message {message_id} in chat {cid} to press a button on; "
                    f"message ids there: {known}"
                )
            if check:
                buttons = [
                    b
                    for row in (message.get("reply_markup") or {}).get("inline_keyboard", [])
                    for b in row
                ]
                if not any(b.get("callback_data") == callback_data for b in buttons):
                    offered = [(b.get("text"), b.get("callback_data")) for b in buttons]
                    raise AssertionError(
                        f"message {message_id} in chat {cid} has no inline button with "
                        f"callback_data {callback_data!r}; buttons (text, data): {offered}"
                    )
            user = self._user(user_id, first_name)
            self._callback_counter += 1
            query_id = str(4_000_000_000_000_000_000 + self._callback_counter)
            query: JSONDict = {
                "id": query_id,
                "from": user,
                "message": message,
                "chat_instance": str(-(cid * 7_919) % 10**19),
                "data": callback_data,
            }
            self._open_callback_queries[query_id] = query
            return self.make_update("callback_query", query)

    def press_button(
        self,
        user_id: int,
        message_id: int,
        callback_data: str,
        *,
        first_name: str | None = None,
        chat_id: int | None = None,
        check: bool = True,
    ) -> JSONDict:
        """The user presses the inline button with ``callback_data`` under ``message_id``."""
        return self.enqueue(
            self.build_button_press(
                user_id,
                message_id,
                callback_data,
                first_name=first_name,
                chat_id=chat_id,
                check=check,
            )
        )

    # -- contact ------------------------------------------------------------------------------
    def build_contact_update(
        self,
        user_id: int,
        phone_number: str,
        *,
        contact_user_id: int | Literal["self"] | None = "self",
        first_name: str | None = None,
        contact_first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: ChatType = "private",
    ) -> JSONDict:
        """A message carrying a contact. By default it is the user's own contact, as sent by a
        ``request_contact`` keyboard button (``contact.user_id`` == sender). Pass another id
        for someone else's contact, or ``None`` for a contact not on Telegram."""
        with self._lock:
            user = self._user(user_id, first_name)
            contact: JSONDict = {
                "phone_number": phone_number,
                "first_name": contact_first_name or user["first_name"],
            }
            if contact_user_id == "self":
                contact_user_id = user_id
                if "last_name" in user:
                    contact["last_name"] = user["last_name"]
            if contact_user_id is not None:
                contact["user_id"] = contact_user_id
            message = self._user_message(
                user_id, first_name, chat_id, chat_type, None, {"contact": contact}
            )
            return self.make_update("message", message)

    def send_contact(
        self,
        user_id: int,
        phone_number: str,
        *,
        contact_user_id: int | Literal["self"] | None = "self",
        first_name: str | None = None,
        contact_first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: ChatType = "private",
    ) -> JSONDict:
        """The user shares a contact (see :meth:`build_contact_update`)."""
        return self.enqueue(
            self.build_contact_update(
                user_id,
                phone_number,
                contact_user_id=contact_user_id,
                first_name=first_name,
                contact_first_name=contact_first_name,
                chat_id=chat_id,
                chat_type=chat_type,
            )
        )

    # -- media --------------------------------------------------------------------------------
    def build_media_update(
        self,
        user_id: int,
        kind: MediaKind,
        *,
        caption: str | None = None,
        content: bytes | None = None,
        first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: ChatType = "private",
    ) -> JSONDict:
        """A message with minimal valid media of ``kind``. Its file (``content`` or generated
        bytes) can be fetched by the bot with getFile + download."""
        if kind not in MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; expected one of {MEDIA_KINDS}")
        with self._lock:
            if kind == "location":
                fields = media_fields(kind, "", "", 0)
            else:
                data = content if content is not None else f"fake {kind} data".encode()
                file_id, unique_id = self._new_file(MEDIA_FILE_NAMES[kind][0], data)
                fields = media_fields(kind, file_id, unique_id, len(data))
            if caption is not None:
                if kind in ("sticker", "video_note", "location"):
                    raise ValueError(f"a {kind} message has no caption")
                fields["caption"] = caption
            message = self._user_message(user_id, first_name, chat_id, chat_type, None, fields)
            return self.make_update("message", message)

    def send_media(
        self,
        user_id: int,
        kind: MediaKind,
        *,
        caption: str | None = None,
        content: bytes | None = None,
        first_name: str | None = None,
        chat_id: int | None = None,
        chat_type: ChatType = "private",
    ) -> JSONDict:
        """The user sends a sticker/photo/voice/video/video_note/animation/audio/location/
        document."""
        return self.enqueue(
            self.build_media_update(
                user_id,
                kind,
                caption=caption,
                content=content,
                first_name=first_name,
                chat_id=chat_id,
                chat_type=chat_type,
            )
        )

    # -- edits --------------------------------------------------------------------------------
    def build_edit_update(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JSONDict:
        """An ``edited_message`` update: the user edits one of their own text messages."""
        cid = user_id if chat_id is None else chat_id
        with self._lock:
            message = self._find_message(cid, message_id)
            if message is None or message.get("from", {}).get("id") != user_id:
                raise AssertionError(f"user {user_id} has no message {message_id} in chat {cid}")
            if "text" not in message:
                raise AssertionError(f"message {message_id} in chat {cid} has no text to edit")
            edited: JSONDict = {
                **{k: v for k, v in message.items() if k != "entities"},
                "text": new_text,
                "edit_date": int(time.time()),
            }
            entities = command_entities(new_text)
            if entities:
                edited["entities"] = entities
            self._store_message(edited)
            return self.make_update("edited_message", edited)

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JSONDict:
        """The user edits their message ``message_id`` to ``new_text``."""
        return self.enqueue(self.build_edit_update(user_id, message_id, new_text, chat_id=chat_id))
