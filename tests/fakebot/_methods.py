"""The Bot API methods the fake implements (all but getUpdates, which is async, see _server).

Each implementation takes the decoded params and uploaded files, runs under the state lock,
returns the ``result`` for ``{"ok": true, "result": ...}`` or raises :class:`ApiError`.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from ._core import _Core, rendered_text
from ._records import ApiError, JSONDict, UploadedFile, WebhookState, bad_request
from ._telegram import (
    check_commands,
    check_reply_markup,
    check_text,
    photo_sizes,
)

MethodImpl = Callable[[JSONDict, dict[str, UploadedFile]], Any]

CHAT_ACTIONS: frozenset[str] = frozenset(
    {
        "typing", "upload_photo", "record_video", "upload_video", "record_voice",
        "upload_voice", "upload_document", "choose_sticker", "find_location",
        "record_video_note", "upload_video_note",
    }
)  # fmt: skip

MENU_BUTTON_TYPES = ("default", "commands", "web_app")

NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the "
    "same as a current content and reply markup of the message"
)
QUERY_TOO_OLD = "query is too old and response timeout expired or query ID is invalid"


def _commands_key(params: JSONDict) -> str:
    scope = params.get("scope") or {"type": "default"}
    return json.dumps(scope, sort_keys=True) + "|" + str(params.get("language_code") or "")


class _MethodsMixin(_Core):
    def _method_table(self) -> dict[str, MethodImpl]:
        """Bot API method name -> implementation (getUpdates is handled by the server)."""
        return {
            "getMe": self._api_get_me,
            "sendMessage": self._api_send_message,
            "editMessageText": self._api_edit_message_text,
            "editMessageCaption": self._api_edit_message_caption,
            "editMessageReplyMarkup": self._api_edit_message_reply_markup,
            "deleteMessage": self._api_delete_message,
            "answerCallbackQuery": self._api_answer_callback_query,
            "sendPhoto": self._api_send_photo,
            "sendDocument": self._api_send_document,
            "sendChatAction": self._api_send_chat_action,
            "setMyCommands": self._api_set_my_commands,
            "getMyCommands": self._api_get_my_commands,
            "deleteMyCommands": self._api_delete_my_commands,
            "setChatMenuButton": self._api_set_chat_menu_button,
            "getChatMenuButton": self._api_get_chat_menu_button,
            "setWebhook": self._api_set_webhook,
            "deleteWebhook": self._api_delete_webhook,
            "getWebhookInfo": self._api_get_webhook_info,
            "getFile": self._api_get_file,
            "close": self._api_true,
            "logOut": self._api_true,
        }

    # -- simple -------------------------------------------------------------------------------
    def _api_true(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        return True

    def _api_get_me(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    # -- sending ----------------------------------------------------------------------------
    def _api_send_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        chat = self._chat_for_send(params)
        text = params.get("text")
        parse_mode = params.get("parse_mode")
        check_text(text, parse_mode, markup=self.check_markup)
        check_reply_markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        message["text"] = rendered_text(str(text), parse_mode)
        return self._deliver("sendMessage", message, params, text=str(text))

    def _resolve_input_file(
        self, params: JSONDict, files: dict[str, UploadedFile], name: str
    ) -> UploadedFile | str | None:
        """A file parameter: an upload (plain part or ``attach://``), or a file_id/URL string."""
        if name in files:
            return files[name]
        value = params.get(name)
        if isinstance(value, str) and value.startswith("attach://"):
            attached = files.get(value.removeprefix("attach://"))
            if attached is None:
                raise bad_request(f"file for {name} not found in the request")
            return attached
        return value if isinstance(value, str) and value else None

    def _file_for_media(
        self, source: UploadedFile | str, path_template: str
    ) -> tuple[str, str, int]:
        """(file_id, file_unique_id, size) for an uploaded or referenced file."""
        if isinstance(source, UploadedFile):
            file_id, unique_id = self._new_file(path_template, source.data)
            return file_id, unique_id, len(source.data)
        if source in self._files:
            _path, data = self._files[source]
            return source, "U" + source[-6:], len(data)
        if source.startswith(("http://", "https://")):
            file_id, unique_id = self._new_file(path_template, b"")
            return file_id, unique_id, 0
        raise bad_request("wrong file identifier/HTTP URL specified")

    def _send_media(
        self, method: str, kind: str, params: JSONDict, files: dict[str, UploadedFile]
    ) -> Any:
        chat = self._chat_for_send(params)
        source = self._resolve_input_file(params, files, kind)
        if source is None:
            raise bad_request(f"there is no {kind} in the request")
        caption = params.get("caption")
        parse_mode = params.get("parse_mode")
        check_text(caption, parse_mode, caption=True, markup=self.check_markup)
        check_reply_markup(params.get("reply_markup"))
        message = self._new_bot_message(chat, params)
        if kind == "photo":
            file_id, unique_id, size = self._file_for_media(source, "photos/file_{n}.jpg")
            message["photo"] = photo_sizes(file_id, unique_id, size)
        else:
            file_id, unique_id, size = self._file_for_media(source, "documents/file_{n}")
            document: JSONDict = {"file_id": file_id, "file_unique_id": unique_id}
            if isinstance(source, UploadedFile):
                if source.filename:
                    document["file_name"] = source.filename
                document["mime_type"] = source.content_type
            document["file_size"] = size
            message["document"] = document
        if caption is not None:
            message["caption"] = rendered_text(str(caption), parse_mode)
        return self._deliver(
            method,
            message,
            params,
            text=None if caption is None else str(caption),
            file=source if isinstance(source, UploadedFile) else None,
            file_id=source if isinstance(source, str) else None,
        )

    def _api_send_photo(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        return self._send_media("sendPhoto", "photo", params, files)

    def _api_send_document(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        return self._send_media("sendDocument", "document", params, files)

    def _api_send_chat_action(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        chat = self._chat_for_send(params)
        action = params.get("action")
        if action not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        self._chat_actions.setdefault(int(chat["id"]), []).append(str(action))
        return True

    # -- editing ------------------------------------------------------------------------------
    def _edit_target(self, params: JSONDict, verb: str = "edit") -> tuple[int, int]:
        chat = self._chat_for_send(params)
        if params.get("message_id") is None:
            raise bad_request("message identifier is not specified")
        chat_id, message_id = int(chat["id"]), int(params["message_id"])
        if self._find_message(chat_id, message_id) is None:
            raise bad_request(f"message to {verb} not found")
        if (chat_id, message_id) not in self._sent_by_id:
            raise bad_request(f"message can't be {'edited' if verb == 'edit' else 'deleted'}")
        return chat_id, message_id

    def _apply_edit(
        self,
        chat_id: int,
        message_id: int,
        params: JSONDict,
        *,
        field: str | None,
        new_text: str | None,
        parse_mode: str | None,
    ) -> JSONDict:
        """Edit text/caption (field) and inline markup; raises 'not modified' like Telegram.

        As on Telegram, an edit without reply_markup removes the message's inline keyboard.
        """
        sent = self._sent_by_id[(chat_id, message_id)]
        markup = params.get("reply_markup")
        check_reply_markup(markup)
        if markup is not None and "inline_keyboard" not in markup:
            raise bad_request("inline keyboard expected")
        old_markup = sent.raw.get("reply_markup")
        same_text = field is None or (new_text == sent.text and parse_mode == sent.parse_mode)
        if same_text and markup == old_markup:
            raise bad_request(NOT_MODIFIED)
        raw = {k: v for k, v in sent.raw.items() if k != "reply_markup"}
        if markup is not None:
            raw["reply_markup"] = markup
        raw["edit_date"] = int(time.time())
        if field is not None and new_text is not None:
            raw[field] = rendered_text(new_text, parse_mode)
            sent.history.append(sent.text)
            sent.text = new_text
            sent.parse_mode = parse_mode
        if markup is not None or "inline_keyboard" in (sent.reply_markup or {}):
            sent.reply_markup = markup  # a reply keyboard stays with the chat across edits
        sent.raw = raw
        sent.edit_count += 1
        self._store_message(raw)
        self._records_changed.notify()
        return raw

    def _api_edit_message_text(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        text, parse_mode = params.get("text"), params.get("parse_mode")
        check_text(text, parse_mode, markup=self.check_markup)
        if params.get("inline_message_id"):
            return True  # inline messages are not simulated; accept the edit
        chat_id, message_id = self._edit_target(params)
        if "text" not in self._sent_by_id[(chat_id, message_id)].raw:
            raise bad_request("there is no text in the message to edit")
        return self._apply_edit(
            chat_id, message_id, params, field="text", new_text=str(text), parse_mode=parse_mode
        )

    def _api_edit_message_caption(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        caption, parse_mode = params.get("caption"), params.get("parse_mode")
        check_text(caption, parse_mode, caption=True, markup=self.check_markup)
        if params.get("inline_message_id"):
            return True
        chat_id, message_id = self._edit_target(params)
        if "text" in self._sent_by_id[(chat_id, message_id)].raw:
            raise bad_request("there is no caption in the message to edit")
        return self._apply_edit(
            chat_id,
            message_id,
            params,
            field="caption",
            new_text=None if caption is None else str(caption),
            parse_mode=parse_mode,
        )

    def _api_edit_message_reply_markup(
        self, params: JSONDict, files: dict[str, UploadedFile]
    ) -> Any:
        if params.get("inline_message_id"):
            check_reply_markup(params.get("reply_markup"))
            return True
        chat_id, message_id = self._edit_target(params)
        return self._apply_edit(
            chat_id, message_id, params, field=None, new_text=None, parse_mode=None
        )

    def _api_delete_message(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        chat_id, message_id = self._edit_target(params, verb="delete")
        del self._chat_messages[chat_id][message_id]
        self._sent_by_id.pop((chat_id, message_id)).deleted = True
        self._records_changed.notify()
        return True

    # -- callback queries ---------------------------------------------------------------------
    def _api_answer_callback_query(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        query_id = str(params.get("callback_query_id") or "")
        if self._open_callback_queries.pop(query_id, None) is None:
            raise bad_request(QUERY_TOO_OLD)
        self._answered_callbacks.append({**params, "callback_query_id": query_id})
        self._records_changed.notify()
        return True

    # -- commands and menu ------------------------------------------------------------------
    def _api_set_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        commands = params.get("commands")
        check_commands(commands)
        assert isinstance(commands, list)
        self._commands[_commands_key(params)] = [
            {"command": c["command"], "description": c["description"]} for c in commands
        ]
        return True

    def _api_get_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        return list(self._commands.get(_commands_key(params), []))

    def _api_delete_my_commands(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        self._commands.pop(_commands_key(params), None)
        return True

    def _api_set_chat_menu_button(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        chat_id = params.get("chat_id")
        button = params.get("menu_button") or {"type": "default"}
        if not isinstance(button, dict) or button.get("type") not in MENU_BUTTON_TYPES:
            raise bad_request("can't parse menu button")
        self._menu_buttons[None if chat_id is None else int(chat_id)] = button
        return True

    def _api_get_chat_menu_button(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        chat_id = params.get("chat_id")
        key = None if chat_id is None else int(chat_id)
        return self._menu_buttons.get(key) or self._menu_buttons.get(None) or {"type": "default"}

    # -- webhook ----------------------------------------------------------------------------
    def _api_set_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        url = str(params.get("url") or "")
        if params.get("drop_pending_updates"):
            self._updates.clear()
        if not url:
            self._webhook = None
            return True
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        allowed = params.get("allowed_updates")
        self._webhook = WebhookState(
            url=url,
            secret_token=params.get("secret_token"),
            allowed_updates=list(allowed) if isinstance(allowed, list) else None,
            max_connections=params.get("max_connections"),
            ip_address=params.get("ip_address"),
            drop_pending_updates=bool(params.get("drop_pending_updates")),
            has_custom_certificate="certificate" in files,
        )
        return True

    def _api_delete_webhook(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        self._webhook = None
        if params.get("drop_pending_updates"):
            self._updates.clear()
        return True

    def _api_get_webhook_info(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        hook = self._webhook
        info: JSONDict = {
            "url": hook.url if hook else "",
            "has_custom_certificate": bool(hook and hook.has_custom_certificate),
            "pending_update_count": len(self._updates),
        }
        if hook is not None:
            if hook.max_connections is not None:
                info["max_connections"] = hook.max_connections
            if hook.ip_address is not None:
                info["ip_address"] = hook.ip_address
            if hook.allowed_updates is not None:
                info["allowed_updates"] = hook.allowed_updates
        return info

    # -- files --------------------------------------------------------------------------------
    def _api_get_file(self, params: JSONDict, files: dict[str, UploadedFile]) -> Any:
        file_id = str(params.get("file_id") or "")
        # The small photo size "<id>-s" resolves to the same content in this fake.
        known = self._files.get(file_id) or self._files.get(file_id.removesuffix("-s"))
        if known is None:
            raise bad_request("invalid file_id")
        path, data = known
        return {
            "file_id": file_id,
            "file_unique_id": "U" + file_id[-6:],
            "file_size": len(data),
            "file_path": path,
        }


__all__ = ["ApiError", "MethodImpl", "_MethodsMixin"]
