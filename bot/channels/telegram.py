"""The Telegram channel: updates in, coach events; replies out, Bot API calls. Nothing else.

python-telegram-bot does the Telegram work: polling or the webhook (with its secret token),
the AIORateLimiter with retries, and the job queue tick. The conversation lives in the coach.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Awaitable
from contextlib import suppress
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand, Update, User
from telegram.constants import ChatType
from telegram.error import TelegramError
from telegram.ext import (
    AIORateLimiter,
    Application,
    ApplicationBuilder,
    BaseUpdateProcessor,
    ContextTypes,
    TypeHandler,
)

from bot.bootstrap import Components, StartupError, open_components
from bot.channels.telegram_render import Renderer, TelegramOutlet
from bot.channels.webhook import TelegramWebhook, schedule_inbox_prune, start_webhook
from bot.coach import Person
from bot.config import Settings
from bot.core.codes import parse_code
from bot.core.events import ButtonEvent, CommandEvent, ContactEvent, Event, MediaEvent, TextEvent
from bot.core.replies import Document
from bot.core.staff import lead_line, leads_csv, parse_staff_token, staff_message
from bot.dispatch import ReminderDispatcher, StaffOutbox
from bot.staff_desk import StaffDesk

log = logging.getLogger(__name__)

COMMANDS = (
    "start",
    "help",
    "routine",
    "reminder",
    "callback",
    "progress",
    "privacy",
    "forget",
    "cancel",
)
STAFF_COMMANDS = ("leads", "lead", "export_leads")
_NEEDS_SECRET = (
    "WEBHOOK_SECRET is required when WEBHOOK_URL is set (1-256 characters of A-Z a-z 0-9 _ -)"
)
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


class PerUserUpdateProcessor(BaseUpdateProcessor):
    """Process updates concurrently across people but strictly in order for each one."""

    def __init__(self, max_concurrent_updates: int = 256) -> None:
        super().__init__(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Run the update's handlers while holding its sender's lock."""
        key = _sender_key(update)
        if key is None:
            await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                await coroutine
        finally:
            self._waiting[key] -= 1
            if self._waiting[key] == 0:
                # Forget idle people so the table does not grow with every user ever seen.
                del self._waiting[key]
                del self._locks[key]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to tear down."""


def _sender_key(update: object) -> int | None:
    if isinstance(update, Update):
        if update.effective_user is not None:
            return update.effective_user.id
        if update.effective_chat is not None:
            return update.effective_chat.id
    return None


# -- updates in -----------------------------------------------------------------------------


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
        text = message.text
        if text.startswith("/") and len(text) > 1:
            head, _, args = text[1:].partition(" ")
            return CommandEvent(name=head.split("@")[0], args=args.strip())
        return TextEvent(text=text)
    for kind in MEDIA_KINDS:
        if getattr(message, kind, None):
            return MediaEvent(media=kind)
    return MediaEvent(media="other")


def staff_request(update: Update) -> tuple[str, str] | None:
    """Return ("button", token) or (command, args) when the update is a staff request."""
    query = update.callback_query
    if query is not None:
        token = query.data or ""
        return ("button", token) if parse_staff_token(token) else None
    message = update.message
    if message is None or not message.text or not message.text.startswith("/"):
        return None
    head, _, args = message.text[1:].partition(" ")
    name = head.split("@")[0].lower()
    return (name, args) if name in STAFF_COMMANDS else None


def _staff_name(user: User) -> str:
    name = f"@{user.username}" if user.username else user.full_name
    return f"{name} ({user.id})"[:200]


class TelegramChannel:
    """The handlers of the bot, bound to the coach and the staff desk."""

    def __init__(self, components: Components, outbox: StaffOutbox | None = None) -> None:
        self.components = components
        self.coach = components.coach
        self.knowledge = components.knowledge
        self.desk = StaffDesk(components.db, components.settings.admin_user_ids)
        self.staff_chat_id = components.settings.staff_chat_id
        self.outbox = outbox
        self._kicks: set[asyncio.Task[int]] = set()

    async def on_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Hand a private-chat update to the coach and send its replies."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None:
            return
        if update.callback_query is not None:
            # Always answer, so the person's button stops spinning.
            with suppress(TelegramError):
                await update.callback_query.answer()
        event = event_of(update)
        if event is None:
            return
        person = Person(id=user.id, first_name=user.first_name)
        replies = await self.coach.handle(person, event, update_id=update.update_id)
        await Renderer(context.bot).send(chat.id, replies)

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say the bot only talks in private chats."""
        chat = update.effective_chat
        if chat is None:
            return
        if update.callback_query is not None:
            with suppress(TelegramError):
                await update.callback_query.answer()
        elif update.message is None:
            return  # joins, leaves and edits in groups need no answer
        await Renderer(context.bot).text(chat.id, self.knowledge.say("private_only"))

    async def route(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Send each update to staff handling, the private conversation, or the group answer."""
        chat = update.effective_chat
        if chat is None:
            return
        user = update.effective_user
        staff = staff_request(update)
        if staff is not None and self.desk.is_admin(user.id if user else None):
            await self.on_staff(update, context, staff)
        elif chat.type == ChatType.PRIVATE:
            # Everyone else gets the normal answer: a staff command or button means nothing.
            await self.on_private(update, context)
        elif chat.id == self.staff_chat_id and update.callback_query is None:
            return  # staff talk among themselves in their chat
        else:
            await self.on_group(update, context)

    async def on_staff(
        self, update: Update, context: ContextTypes.DEFAULT_TYPE, staff: tuple[str, str]
    ) -> None:
        """Answer an admin's staff command or button."""
        chat = update.effective_chat
        user = update.effective_user
        assert chat is not None and user is not None
        kind, args = staff
        say = self.knowledge.say
        renderer = Renderer(context.bot)
        if kind == "button":
            parsed = parse_staff_token(args)
            assert parsed is not None
            status, code = parsed
            lead = await self.desk.mark(code, status, _staff_name(user), self.coach.clock())
            note = say("staff_marked", code=code, status=status.value) if lead else ""
            with suppress(TelegramError):
                await update.callback_query.answer(note)  # type: ignore[union-attr]
            self.kick_outbox()
        elif kind == "leads":
            found = await self.desk.listing(active_only=True)
            lines = [lead_line(self.knowledge, lead) for lead in found]
            await renderer.text(chat.id, "\n".join(lines) or say("staff_no_leads"))
        elif kind == "lead":
            wanted = parse_code(args)
            lead = await self.desk.find(wanted) if wanted else None
            if not args.strip():
                await renderer.text(chat.id, say("staff_lead_usage"))
            elif lead is None:
                await renderer.text(chat.id, say("staff_lead_not_found", code=args.strip()[:20]))
            else:
                await renderer.send(chat.id, [staff_message(self.knowledge, lead)])
        else:
            everything = await self.desk.listing(active_only=False)
            document = Document(
                filename="footcoach-leads.csv",
                content=leads_csv(everything).encode(),
                caption=say("staff_export_caption"),
            )
            await renderer.send(chat.id, [document])

    def kick_outbox(self) -> None:
        """Deliver staff-message updates now rather than at the next tick."""
        if self.outbox is None:
            return
        task = asyncio.create_task(self.outbox.run_once())
        self._kicks.add(task)
        task.add_done_callback(self._kicks.discard)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure without personal data, and tell the person to try again."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        # Only the update id and the error type: messages and names stay out of the logs.
        log.error("update %s failed: %s", update_id, type(error).__name__)
        if isinstance(update, Update) and update.effective_chat is not None:
            with suppress(TelegramError):
                await context.bot.send_message(
                    update.effective_chat.id, self.knowledge.say("something_went_wrong")
                )

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register one router for every update, and the error handler."""
        application.add_handler(TypeHandler(Update, self.route))
        application.add_error_handler(self.on_error)


def require_token(settings: Settings) -> str:
    """Return the bot token, or stop start-up with a line that says where to put it."""
    if settings.telegram_bot_token is None:
        raise StartupError(
            "TELEGRAM_BOT_TOKEN is not set: put it in .env (see .env.example), "
            "or try `make chat` to talk to the coach in your terminal"
        )
    return settings.telegram_bot_token.get_secret_value()


@dataclass
class Runtime:
    """A built bot: the PTB application and the senders its job tick drives."""

    application: Application[Any, Any, Any, Any, Any, Any]
    channel: TelegramChannel
    reminders: ReminderDispatcher
    outbox: StaffOutbox

    async def tick(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Send due reminders and pending staff messages (the job queue calls this)."""
        try:
            await self.reminders.run_once()
            await self.outbox.run_once()
        except Exception as exc:
            log.error("dispatch tick failed: %s", type(exc).__name__)


def build_application(settings: Settings, components: Components) -> Runtime:
    """Build the python-telegram-bot Application and the senders for these settings."""
    token = require_token(settings)
    base_url = settings.telegram_api_url.rstrip("/")
    # Space requests evenly at the configured rate: a burst allowance would trip Telegram's
    # (and the fake server's) per-second limit when thousands of reminders fall due at once.
    limiter = AIORateLimiter(
        overall_max_rate=1,
        overall_time_period=1 / settings.telegram_max_rate,
        max_retries=3,
    )
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        .rate_limiter(limiter)
        .concurrent_updates(PerUserUpdateProcessor())
        .build()
    )
    outlet = TelegramOutlet(application.bot)
    knowledge, db, clock = components.knowledge, components.db, components.coach.clock
    outbox = StaffOutbox(db, knowledge, outlet, settings.staff_chat_id, clock=clock)
    dispatcher = ReminderDispatcher(db, knowledge, outlet, clock=clock)
    channel = TelegramChannel(components, outbox)
    channel.install(application)
    return Runtime(application, channel, dispatcher, outbox)


async def set_commands(
    application: Application[Any, Any, Any, Any, Any, Any], components: Components
) -> None:
    """Publish the command menu with a short description of each command."""
    knowledge = components.knowledge
    await application.bot.set_my_commands(
        [BotCommand(name, knowledge.say(f"command_{name}")) for name in COMMANDS]
    )


async def serve(settings: Settings, components: Components, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set: polling, or the webhook when WEBHOOK_URL is set."""
    runtime = build_application(settings, components)
    application = runtime.application
    if settings.staff_chat_id is None:
        log.warning(
            "STAFF_CHAT_ID is not set: callback requests are stored (see `footcoach leads`) "
            "but not sent to a staff chat"
        )
    async with application:
        await set_commands(application, components)
        await application.start()
        updater = application.updater
        job_queue = application.job_queue
        assert updater is not None and job_queue is not None
        job_queue.run_repeating(
            runtime.tick,
            interval=settings.dispatch_interval,
            first=0.1,
            name="dispatch",
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
        schedule_inbox_prune(job_queue, runtime)
        webhook: TelegramWebhook | None = None
        if settings.webhook_mode:
            secret = settings.webhook_secret
            if secret is None:
                raise StartupError(_NEEDS_SECRET)
            # Our own server: it answers Telegram only once the update is in the store.
            webhook = await start_webhook(runtime, settings, secret.get_secret_value())
        else:
            await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        log.info("footcoach is running (%s)", "webhook" if settings.webhook_mode else "polling")
        try:
            await stop.wait()
        finally:
            if webhook is not None:
                await webhook.stop()
            else:
                await updater.stop()
            await application.stop()


def run_bot(settings: Settings) -> int:
    """Run the Telegram bot until SIGINT or SIGTERM; return the exit status."""
    require_token(settings)
    if settings.webhook_mode and settings.webhook_secret is None:
        raise StartupError(_NEEDS_SECRET)
    return asyncio.run(_main(settings))


async def _main(settings: Settings) -> int:
    components = await open_components(settings)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await serve(settings, components, stop)
    finally:
        await components.close()
    log.info("footcoach stopped")
    return 0
