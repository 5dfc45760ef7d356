"""Updates in: a Telegram update read as a coach event, a staff request, or whose it is."""

from __future__ import annotations

from telegram import Update

from bot.core.events import ButtonEvent, ContactEvent, Event, MediaEvent, TextEvent, command_of
from bot.core.staff import parse_staff_token

STAFF_COMMANDS = ("leads", "lead", "export_leads", "stats")
MEDIA_KINDS = (
    "sticker",
    "photo",
    "voice",
    "video",
    "video_note",
    "animation",
    "audio",
    "location",
    "venue",
    "document",
    "poll",
    "dice",
    "game",
)


def sender_of(update: object) -> int | None:
    """Return whose updates this one must be ordered with (the user, else the chat)."""
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


def event_of(update: Update) -> Event | None:
    """Translate a private-chat update into a coach event (None: nothing for the coach)."""
    if update.callback_query is not None:
        return ButtonEvent(token=update.callback_query.data or "")
    if update.edited_message is not None:
        return MediaEvent(media="edited")
    message = update.message
    if message is None:
        return None
    if message.contact is not None:
        own = message.contact.user_id is not None and message.contact.user_id == (
            message.from_user.id if message.from_user else None
        )
        return ContactEvent(phone=message.contact.phone_number, own=own)
    if message.text is not None:
        return command_of(message.text) or TextEvent(text=message.text)
    for kind in MEDIA_KINDS:
        if getattr(message, kind, None):
            return MediaEvent(media=kind)
    if message.effective_attachment is None:
        # A service message (a pin, a timer change...): nothing the person said to the coach.
        return None
    return MediaEvent(media="other")


def staff_request(update: Update) -> tuple[str, str] | None:
    """Return ("button", token) or (command, args) when the update is a staff request."""
    query = update.callback_query
    if query is not None:
        token = query.data or ""
        return ("button", token) if parse_staff_token(token) else None
    message = update.message
    command = command_of(message.text) if message is not None and message.text else None
    if command is None:
        return None
    name = command.name.lower()
    return (name, command.args) if name in STAFF_COMMANDS else None


def update_kind(update: Update) -> str:
    """Return what kind of update this is, for counting (never what it says)."""
    if staff_request(update) is not None:
        return "staff"
    chat = update.effective_chat
    if chat is not None and chat.type != "private":
        return "group"
    if update.callback_query is not None:
        return "button"
    if update.edited_message is not None:
        return "edited"
    message = update.message
    if message is None:
        return "other"
    if message.contact is not None:
        return "contact"
    if message.text is not None:
        return "command" if command_of(message.text) else "text"
    return "media" if message.effective_attachment is not None else "other"
