"""The Telegram channel: updates in, coach events; replies out, Bot API calls. Nothing else.

python-telegram-bot does the Telegram work: polling or the webhook (with its secret token),
the AIORateLimiter with retries, and the job queue tick. The conversation lives in the coach.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys
import traceback
from collections.abc import Awaitable
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from telegram import BotCommand, Update, User
from telegram.constants import ChatType
from telegram.error import InvalidToken, NetworkError, TelegramError
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
from bot.channels.webhook import TelegramWebhook, schedule_inbox_prune
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
        # The base class takes its slot before do_process_update, i.e. before the sender's
        # turn: updates waiting for their turn would hold slots, and one person sending many
        # messages quickly could hold up everyone. So its limit stays out of the way and the
        # slots here are taken only once it is the sender's turn.
        super().__init__(sys.maxsize)
        self._slots = asyncio.BoundedSemaphore(max_concurrent_updates)
        self._locks: dict[int, asyncio.Lock] = {}
        self._waiting: dict[int, int] = {}

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        """Wait for the sender's turn, then for a free slot, and run the update's handlers."""
        key = _sender_key(update)
        if key is None:
            async with self._slots:
                await coroutine
            return
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock, self._slots:
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
        elif chat.id == self.staff_chat_id:
            # Staff talk among themselves there; a press by someone who is not an admin gets
            # the normal group answer as a passing notice, not a message in the staff chat.
            if update.callback_query is not None:
                with suppress(TelegramError):
                    await update.callback_query.answer(self.knowledge.say("private_only"))
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
        # The update id, the error type and where it happened (file, line, function): never
        # the exception's message, which can quote what the person typed.
        where = ""
        if error is not None and error.__traceback__ is not None:
            frames = traceback.extract_tb(error.__traceback__)[-3:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames)
        log.error("update %s failed: %s at %s", update_id, type(error).__name__, where)
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
        """Send due reminders, then pending staff messages."""
        await self.send_reminders(context)
        await self.send_staff_messages(context)

    async def send_reminders(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Send due reminders (a job of its own: a fan-out may take minutes)."""
        try:
            await self.reminders.run_once()
        except Exception as exc:
            log.error("reminder tick failed: %s", type(exc).__name__)

    async def send_staff_messages(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Send pending staff messages (a job of its own, never queued behind reminders)."""
        try:
            await self.outbox.run_once()
        except Exception as exc:
            log.error("staff outbox tick failed: %s", type(exc).__name__)


def limiter_rate(max_rate: float) -> tuple[float, float]:
    """Return the steady rate and the burst (in requests) that keep under `max_rate` a second.

    With room for only one request (no burst), every moment the event loop is late to take
    its turn is lost for good: at 300 a second, fan-out ran at ~185 a second. A little room
    (1 + 1% of the rate) lets a late request catch up. The steady rate is kept 6% under the
    limit so that the burst plus a second of the steady rate still fit any sliding second
    with ~50 ms of jitter on the way to Telegram (how the fake server, and roughly Telegram,
    count): a 429 stops every request for a second or more, far dearer than the 6%.
    """
    return max_rate * 0.94, 1 + max_rate * 0.01


def build_application(settings: Settings, components: Components) -> Runtime:
    """Build the python-telegram-bot Application and the senders for these settings."""
    token = require_token(settings)
    base_url = settings.telegram_api_url.rstrip("/")
    rate, burst = limiter_rate(settings.telegram_max_rate)
    limiter = AIORateLimiter(
        overall_max_rate=burst, overall_time_period=burst / rate, max_retries=3
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


def webhook_secret(settings: Settings) -> str | None:
    """Return the webhook's secret token (None when polling); webhook mode requires one."""
    if not settings.webhook_mode:
        return None
    if settings.webhook_secret is None:
        raise StartupError(_NEEDS_SECRET)
    return settings.webhook_secret.get_secret_value()


async def serve(settings: Settings, components: Components, stop: asyncio.Event) -> None:
    """Run the bot until `stop` is set: polling, or the webhook when WEBHOOK_URL is set."""
    secret = webhook_secret(settings)  # before anything starts that would need stopping
    runtime = build_application(settings, components)
    application = runtime.application
    await _initialize(application, settings)
    # Warned only now, so that a start-up that stops still says one line and nothing else.
    if settings.staff_chat_id is None:
        log.warning(
            "STAFF_CHAT_ID is not set: callback requests are stored (see `footcoach leads`) "
            "but not sent to a staff chat"
        )
    try:
        await set_commands(application, components)
        await application.start()
        webhook: TelegramWebhook | None = None
        try:
            webhook = await _receive_updates(runtime, settings, secret)
            log.info("footcoach is running (%s)", "polling" if secret is None else "webhook")
            await stop.wait()
        finally:
            if webhook is not None:
                await webhook.stop()
            updater = application.updater
            if updater is not None and updater.running:
                await updater.stop()
            await application.stop()
    finally:
        await application.shutdown()


async def _initialize(
    application: Application[Any, Any, Any, Any, Any, Any], settings: Settings
) -> None:
    """Meet the Bot API (getMe); a wrong token or address stops start-up with one line."""
    try:
        await application.initialize()
    except (InvalidToken, NetworkError) as exc:
        await application.shutdown()
        if isinstance(exc, InvalidToken):
            raise StartupError(
                "Telegram refused TELEGRAM_BOT_TOKEN: check it in .env (@BotFather gives it)"
            ) from None
        raise StartupError(
            f"cannot reach the Bot API at TELEGRAM_API_URL {settings.telegram_api_url} "
            f"({type(exc).__name__})"
        ) from None


async def _receive_updates(
    runtime: Runtime, settings: Settings, secret: str | None
) -> TelegramWebhook | None:
    """Start the dispatch jobs, then polling, or the webhook when there is a secret for it."""
    application = runtime.application
    updater, job_queue = application.updater, application.job_queue
    assert updater is not None and job_queue is not None
    # Two jobs, so thousands of reminders due at once cannot hold a confirmed request back.
    for name, job in (
        ("reminders", runtime.send_reminders),
        ("staff", runtime.send_staff_messages),
    ):
        job_queue.run_repeating(
            job,
            interval=settings.dispatch_interval,
            first=0.1,
            name=name,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    schedule_inbox_prune(job_queue, runtime)
    if secret is None:
        await updater.start_polling(allowed_updates=Update.ALL_TYPES)
        return None
    where = f"{settings.webhook_listen}:{settings.webhook_port}"
    # Our own server rather than PTB's: it answers Telegram only once the update is stored.
    webhook = TelegramWebhook(runtime, settings, secret)
    try:
        await webhook.start()
    except OSError as exc:
        detail = exc.strerror or type(exc).__name__
        raise StartupError(
            f"cannot listen for the webhook on WEBHOOK_LISTEN:WEBHOOK_PORT {where} ({detail})"
        ) from None
    except TelegramError as exc:
        await webhook.stop()
        raise StartupError(
            f"cannot set the webhook to WEBHOOK_URL {settings.webhook_url} ({exc})"
        ) from None
    return webhook


def run_bot(settings: Settings) -> int:
    """Run the Telegram bot until SIGINT or SIGTERM; return the exit status."""
    require_token(settings)
    webhook_secret(settings)
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
