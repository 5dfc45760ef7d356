"""The fake's state: the Bot API methods the bot calls, and the people who talk to it.

A person's ``build_*`` makes an update; ``send_*``, ``press_button`` and ``edit_text`` also
queue it for getUpdates. A chat id below zero is a group (-100... a supergroup).
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from functools import partial
from typing import Any, Literal

from . import _telegram as tg
from ._records import JSONDict, SentMessage, UploadedFile, WebhookState, bad_request

Method = Callable[[JSONDict, dict[str, UploadedFile]], Any]
MEDIA_METHODS = {"sendPhoto": "photo", "sendDocument": "document", "sendAnimation": "animation"}
NOT_MODIFIED = "message is not modified: specified new message content and reply markup are "
NOT_MODIFIED += "exactly the same as a current content and reply markup of the message"


class _Core:
    def __init__(self, token: str, *, check_markup: bool) -> None:
        self.token = token
        bot_id = int(token.split(":")[0])
        self.bot_user = {"id": bot_id, "is_bot": True, "first_name": "Footcoach"}
        self.bot_user["username"] = "footcoach_test_bot"
        self.check_markup = check_markup
        self._changed = asyncio.Event()  # replaced by a fresh one at every change
        self._users: dict[int, JSONDict] = {}
        self._chats: dict[int, dict[int, JSONDict]] = {}  # each chat's messages, by id
        self._sent: dict[int, list[SentMessage]] = {}
        self._sent_by_id: dict[tuple[int, int], SentMessage] = {}
        self._delivered = 0
        self._update_ids = 0
        self._updates: deque[JSONDict] = deque()  # dropped once getUpdates' offset confirms
        self.enqueued = 0  # how many updates were queued for getUpdates so far
        self._open_queries: set[str] = set()
        self._commands: list[JSONDict] = []
        self._webhook: WebhookState | None = None
        self._webhook_error: tuple[int, str] | None = None  # (unix time, message)
        self._groups: set[int] = set()  # group chats the bot is a member of
        self._blocked: set[int] = set()
        self._files: dict[str, UploadedFile] = {}  # the files uploaded, by the id given them
        self._methods: dict[str, Method] = {
            "getMe": lambda params, files: {**self.bot_user, "can_join_groups": True},
            "sendMessage": self._send_message,
            **{name: partial(self._send_media, name) for name in MEDIA_METHODS},
            "editMessageText": self._edit_message_text,
            "editMessageReplyMarkup": lambda params, files: self._edit(params, None, None),
            "deleteMessage": self._delete_message,
            "answerCallbackQuery": self._answer_callback_query,
            "setMyCommands": self._set_my_commands,
            "setWebhook": self._set_webhook,
            "deleteWebhook": lambda params, files: self._set_webhook({}, files),
            "getWebhookInfo": self._get_webhook_info,
            "getChat": self._get_chat,
        }

    def _notify(self) -> None:
        """Wake whoever waits for a change (long polls, held calls, tests)."""
        self._changed.set()
        self._changed = asyncio.Event()

    # -- the Bot API methods ------------------------------------------------------------------
    def _new_message(self, chat_id: int, sender: JSONDict, fields: JSONDict) -> JSONDict:
        """Store a new message (a person's or the bot's) in its chat and return it."""
        messages = self._chats.setdefault(chat_id, {})
        chat = tg.chat_obj(chat_id, self._users.get(chat_id))
        message = {"message_id": len(messages) + 1, "from": sender, "chat": chat, **fields}
        message["date"] = int(time.time())
        messages[message["message_id"]] = message
        return message

    def _deliver(self, method: str, params: JSONDict, fields: JSONDict, **sent: Any) -> JSONDict:
        """Check and record a message the bot sends; return the Message object."""
        chat_id, markup = params.get("chat_id"), params.get("reply_markup")
        if not isinstance(chat_id, int):
            raise bad_request("chat not found")
        tg.check_reply_markup(markup)
        if markup and "inline_keyboard" in markup:
            fields["reply_markup"] = markup  # a reply keyboard is not part of the Message
        message = self._new_message(chat_id, self.bot_user, fields)
        self._delivered += 1
        parse_mode = params.get("parse_mode")
        ids = (chat_id, message["message_id"], method, self._delivered)
        record = SentMessage(*ids, message, parse_mode=parse_mode, reply_markup=markup, **sent)
        self._sent.setdefault(chat_id, []).append(record)
        self._sent_by_id[(chat_id, record.message_id)] = record
        return message

    def _send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        text, parse_mode = params.get("text"), params.get("parse_mode")
        tg.check_text(text, parse_mode, caption=False, markup=self.check_markup)
        fields = {"text": tg.shown_text(str(text), parse_mode)}
        return self._deliver("sendMessage", params, fields, text=str(text))

    def _send_media(self, method: str, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        kind = MEDIA_METHODS[method]
        given = params.get(kind)
        upload = files.get(str(given).removeprefix("attach://")) or files.get(kind)
        reused: str | None = None
        if upload is None and isinstance(given, str) and not given.startswith("attach://"):
            # A file sent again by the id the fake gave it when it was uploaded.
            upload = self._files.get(given)
            if upload is None:
                raise bad_request("wrong file identifier/HTTP URL specified")
            reused = given
        if upload is None:
            raise bad_request(f"there is no {kind} in the request")
        caption, parse_mode = params.get("caption"), params.get("parse_mode")
        tg.check_text(caption, parse_mode, caption=True, markup=self.check_markup)
        file_id = reused or f"F{self._delivered + 1}"
        self._files[file_id] = upload
        fields: JSONDict = {"photo": tg.photo_sizes(file_id, len(upload.data))}
        if kind != "photo":
            media = {"file_id": file_id, "file_unique_id": file_id, "file_name": upload.filename}
            size = {"width": 320, "height": 240, "duration": 2} if kind == "animation" else {}
            fields = {kind: {**media, **size}, "document": media}  # an animation is one too
        if caption:
            fields["caption"] = tg.shown_text(str(caption), parse_mode)
        text = None if caption is None else str(caption)
        sent = None if reused else upload  # `file` is what was uploaded with this message
        return self._deliver(method, params, fields, text=text, file=sent, file_id=file_id)

    def forget_files(self) -> None:
        """Refuse every file id given so far, as Telegram may (a file sent by one is refused)."""
        self._files.clear()

    def _edit_message_text(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        text, parse_mode = params.get("text"), params.get("parse_mode")
        tg.check_text(text, parse_mode, caption=False, markup=self.check_markup)
        return self._edit(params, str(text), parse_mode)

    def _edit(self, params: JSONDict, text: str | None, parse_mode: str | None) -> JSONDict:
        """Edit a bot message as Telegram does: without reply_markup the keyboard goes, and
        an edit that changes nothing is refused."""
        sent = self._sent_by_id.get((params.get("chat_id") or 0, params.get("message_id") or 0))
        if sent is None or sent.deleted:
            raise bad_request("message to edit not found")
        markup = params.get("reply_markup")
        tg.check_reply_markup(markup)
        same_text = text is None or (text, parse_mode) == (sent.text, sent.parse_mode)
        if same_text and markup == sent.raw.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        raw = {k: v for k, v in sent.raw.items() if k != "reply_markup"}
        raw["edit_date"] = int(time.time())
        if markup:
            raw["reply_markup"] = markup
        if text is not None:
            raw["text"] = tg.shown_text(text, parse_mode)
            sent.text, sent.parse_mode = text, parse_mode
        sent.reply_markup, sent.raw = markup, raw
        sent.edit_count += 1
        self._chats[sent.chat_id][sent.message_id] = raw
        return raw

    def _delete_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        """Delete a bot message: gone from the chat, kept in the record marked deleted."""
        key = (params.get("chat_id") or 0, params.get("message_id") or 0)
        sent = self._sent_by_id.get(key)
        if sent is None or sent.deleted:
            raise bad_request("message to delete not found")
        sent.deleted = True
        self._chats[sent.chat_id].pop(sent.message_id, None)
        self._notify()
        return True

    def _answer_callback_query(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        if params.get("callback_query_id") not in self._open_queries:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        self._open_queries.remove(params["callback_query_id"])
        return True

    def _set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        tg.check_commands(params.get("commands"))
        self._commands = [{k: c[k] for k in ("command", "description")} for c in params["commands"]]
        return True

    def _set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        url = str(params.get("url") or "")
        if url and not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        hook = WebhookState(url, params.get("secret_token"), params.get("allowed_updates"))
        self._webhook = hook if url else None
        return True

    def _get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        """What Telegram says of the webhook: its URL (empty when polling), the updates
        waiting for the bot, and the last error delivering one (set by `webhook_failed`)."""
        info: JSONDict = {
            "url": self._webhook.url if self._webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self._webhook is not None and self._webhook.allowed_updates is not None:
            info["allowed_updates"] = self._webhook.allowed_updates
        if self._webhook_error is not None:
            info["last_error_date"], info["last_error_message"] = self._webhook_error
        return info

    def webhook_failed(self, message: str, when: float | None = None) -> None:
        """Report a failed delivery to the webhook at `when` (unix time; now by default)."""
        self._webhook_error = (int(time.time() if when is None else when), message)

    def _get_chat(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        """A chat the bot can see: a person who wrote to it, or a group it was added to."""
        chat_id = params.get("chat_id")
        known = chat_id in self._users or chat_id in self._groups or chat_id in self._chats
        if not isinstance(chat_id, int) or not known:
            raise bad_request("chat not found")
        chat = tg.chat_obj(chat_id, self._users.get(chat_id))
        return {**chat, "accent_color_id": 0, "max_reaction_count": 11}

    def add_to_group(self, chat_id: int) -> None:
        """Add the bot to a group (getChat then finds it)."""
        self._groups.add(chat_id)

    # -- people -------------------------------------------------------------------------------
    def register_user(self, user_id: int, *, first_name: str, username: str | None) -> None:
        """Set the profile a person sends with."""
        self._users[user_id] = tg.user_obj(user_id, first_name, username)

    def _user(self, user_id: int, first_name: str | None) -> JSONDict:
        user = self._users.get(user_id)
        if user is None or first_name not in (None, user["first_name"]):
            username = user.get("username") if user else None
            user = self._users[user_id] = tg.user_obj(user_id, first_name or "Ann", username)
        return user

    def _update(self, kind: str, payload: JSONDict) -> JSONDict:
        self._update_ids += 1
        return {"update_id": self._update_ids, kind: payload}

    def _message(
        self, user_id: int, first_name: str | None, chat_id: int | None, fields: JSONDict
    ) -> JSONDict:
        user = self._user(user_id, first_name)
        chat = user_id if chat_id is None else chat_id
        return self._update("message", self._new_message(chat, user, fields))

    def build_text_update(
        self, user_id: int, text: str, *, first_name: str | None = None, chat_id: int | None = None
    ) -> JSONDict:
        """A ``message`` update: the person writes `text` (to the bot, or in a group)."""
        fields: JSONDict = {"text": text}
        if entities := tg.command_entities(text):
            fields["entities"] = entities
        return self._message(user_id, first_name, chat_id, fields)

    def send_text(
        self, user_id: int, text: str, *, first_name: str | None = None, chat_id: int | None = None
    ) -> JSONDict:
        update = self.build_text_update(user_id, text, first_name=first_name, chat_id=chat_id)
        return self.enqueue(update)

    def build_button_press(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        check: bool = True,
    ) -> JSONDict:
        """A ``callback_query``: the person taps the button with this data under a message of
        their chat (or of the group `chat_id`); without `check` the data may be forged."""
        chat = user_id if chat_id is None else chat_id
        message = self._chats.get(chat, {}).get(message_id)
        if message is None:
            raise AssertionError(f"no message {message_id} in chat {chat} to press")
        rows = (message.get("reply_markup") or {}).get("inline_keyboard", [])
        offered = [b.get("callback_data") for row in rows for b in row]
        if check and data not in offered:
            raise AssertionError(f"message {message_id} has no button {data!r}: {offered}")
        query_id = str(4_000_000_000 + self._update_ids)
        self._open_queries.add(query_id)
        query = {"id": query_id, "from": self._user(user_id, None), "message": message}
        return self._update("callback_query", {**query, "data": data, "chat_instance": "1"})

    def press_button(
        self,
        user_id: int,
        message_id: int,
        data: str,
        *,
        chat_id: int | None = None,
        check: bool = True,
    ) -> JSONDict:
        return self.enqueue(
            self.build_button_press(user_id, message_id, data, chat_id=chat_id, check=check)
        )

    def send_contact(
        self, user_id: int, phone: str, *, contact_user_id: int | Literal["self"] = "self"
    ) -> JSONDict:
        """The person shares their own contact (the ``request_contact`` button) or another's."""
        owner = user_id if contact_user_id == "self" else contact_user_id
        contact = {"phone_number": phone, "first_name": "Ann", "user_id": owner}
        return self.enqueue(self._message(user_id, None, None, {"contact": contact}))

    def send_media(
        self,
        user_id: int,
        kind: tg.MediaKind,
        *,
        caption: str | None = None,
        chat_id: int | None = None,
    ) -> JSONDict:
        """The person sends media of one of the MEDIA_KINDS (its file cannot be downloaded)."""
        if kind not in tg.MEDIA_KINDS:
            raise ValueError(f"unknown media kind {kind!r}; expected one of {tg.MEDIA_KINDS}")
        fields = tg.media_fields(kind, f"M{self._update_ids + 1}")
        if caption is not None:
            fields["caption"] = caption
        return self.enqueue(self._message(user_id, None, chat_id, fields))

    def edit_text(
        self, user_id: int, message_id: int, new_text: str, *, chat_id: int | None = None
    ) -> JSONDict:
        """The person edits their text message (an ``edited_message`` update)."""
        chat = user_id if chat_id is None else chat_id
        message = self._chats.get(chat, {}).get(message_id)
        if message is None or "text" not in message:
            raise AssertionError(f"no text message {message_id} in chat {chat} to edit")
        edited = {k: v for k, v in message.items() if k != "entities"}
        edited.update(text=new_text, edit_date=message["date"] + 1)
        if entities := tg.command_entities(new_text):
            edited["entities"] = entities
        self._chats[chat][message_id] = edited
        return self.enqueue(self._update("edited_message", edited))

    def enqueue(self, update: JSONDict) -> JSONDict:
        """Queue an update for getUpdates and wake the long polls."""
        self._updates.append(update)
        self.enqueued += 1
        self._notify()
        return update
