"""The Telegram bot as a whole: build the Application, serve (polling or webhook), stop on a signal.

python-telegram-bot does the Telegram work: the Bot API calls, the AIORateLimiter with
retries, and the job queue ticks that drive the reminder sender, the staff outbox and the
guide runner. Updates come in through the store's inbox either way: the webhook (webhook.py)
or getUpdates (poller.py) records them before Telegram may forget them. The conversation lives
in the coach; the routing in router.py.
"""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from telegram import BotCommand
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.ext import Application, ApplicationBuilder, ContextTypes, JobQueue

from bot.app.clock import Clock
from bot.app.guide_runner import GuideRunner
from bot.app.metrics import Metrics
from bot.app.pictures import Pictures
from bot.app.reminder_sender import ReminderSender
from bot.app.retention import Retention
from bot.app.runs import Tally
from bot.app.staff_desk import StaffDesk
from bot.app.staff_outbox import StaffOutbox
from bot.app.update_inbox import prune as prune_inbox
from bot.bootstrap import (
    Components,
    StartupError,
    keep_out_of_full_collections,
    open_components,
    retention_policy,
)
from bot.channels.telegram.applier import POLLING_CONCURRENCY, InboxApplier, drain_concurrency
from bot.channels.telegram.instrument import Counting, CountingRateLimiter, CountingRequest
from bot.channels.telegram.ops import OpsServer, Probe
from bot.channels.telegram.pacing import SlidingWindow
from bot.channels.telegram.poller import InboxPoller
from bot.channels.telegram.processor import PerUserUpdateProcessor
from bot.channels.telegram.render import TelegramOutlet
from bot.channels.telegram.router import TelegramChannel
from bot.channels.telegram.staff import StaffCommands
from bot.channels.telegram.ticker import Ticker
from bot.channels.telegram.webhook import TelegramWebhook
from bot.config import Settings
from bot.core.updates import bot_id_of
from bot.store import Database, is_unavailable

log = logging.getLogger(__name__)

_NEEDS_SECRET = (
    "WEBHOOK_SECRET is required when WEBHOOK_URL is set (1-256 characters of A-Z a-z 0-9 _ -)"
)
AnyApplication = Application[Any, Any, Any, Any, Any, Any]
GUIDE_TICK = 1.0  # seconds between looks for guide messages due for an edit
# Expiry counts in days: a look every 12 dispatch intervals (a minute by default) is soon
# enough, and keeps its three transactions off SQLite's single writer between steps.
RETENTION_TICKS = 12
RETENTION_TICK_MAX = 60.0


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

    application: AnyApplication
    channel: TelegramChannel
    reminders: ReminderSender
    outbox: StaffOutbox
    guides: GuideRunner
    pictures: Pictures
    components: Components
    retention: Retention
    metrics: Metrics
    bot_id: int
    applier: InboxApplier
    # Every update handled (applied from the inbox, or through python-telegram-bot's queue).
    handled: Tally
    reminder_ticks: Ticker
    staff_ticks: Ticker
    retention_ticks: Ticker
    webhook: TelegramWebhook | None = None  # set once serving in webhook mode
    poller: InboxPoller | None = None  # set once serving in polling mode
    ops: OpsServer | None = None  # /healthz, /readyz, /metrics on METRICS_PORT
    # The long poll's request, which keeps the fetched updates' JSON for the inbox.
    updates_request: Counting | None = None

    @property
    def probe(self) -> Probe:
        """Return what answers /readyz and /metrics for this bot."""
        components = self.components
        return Probe(components.db, self.application.bot, self.metrics, components.coach.clock)

    @property
    def processor(self) -> PerUserUpdateProcessor:
        """Return the processor of the updates without a sender (and of tests' own updates)."""
        processor = self.application.update_processor
        assert isinstance(processor, PerUserUpdateProcessor)
        return processor

    async def send_reminders(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Start sending due reminders unless a run is going (a fan-out may take minutes)."""
        self.reminder_ticks.tick()

    async def send_staff_messages(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Start sending pending staff messages unless a run is going (never queued behind
        reminders)."""
        self.staff_ticks.tick()

    async def expire_data(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Start telling quiet people before their data expires, erasing it when it has, and
        deleting old finished callback requests, unless a run is going."""
        self.retention_ticks.tick()

    async def edit_guides(self, context: ContextTypes.DEFAULT_TYPE | None = None) -> None:
        """Start editing the guides' messages that are due (a job of its own, every second;
        it returns at once, the run goes on as long as the rate budget makes it)."""
        self.guides.tick()


def build_application(settings: Settings, components: Components) -> Runtime:
    """Build the python-telegram-bot Application and the senders for these settings."""
    token = require_token(settings)
    base_url = settings.telegram_api_url.rstrip("/")
    metrics = Metrics()
    # Every send within Telegram's limit in any sliding second (pacing.py); PTB's limiter
    # keeps its part: a group's own limit, and the pause for everything after a 429.
    limiter = CountingRateLimiter(
        metrics, pacing=SlidingWindow.for_rate(settings.telegram_max_rate), max_retries=3
    )
    try:
        bot_id = bot_id_of(token)
    except ValueError:
        raise StartupError(
            "TELEGRAM_BOT_TOKEN is not a bot token (the bot's number, a colon, the secret): "
            "check it in .env (@BotFather gives it)"
        ) from None
    handled = Tally()
    updates_request = CountingRequest(metrics, connection_pool_size=1)
    application = (
        ApplicationBuilder()
        .token(token)
        .base_url(base_url)
        .base_file_url(base_url.removesuffix("/bot") + "/file/bot")
        # On aiohttp (transport.py), with PTB's own pool sizes (256 for calls, 1 for the long
        # poll), counting every request.
        .request(CountingRequest(metrics, connection_pool_size=256))
        .get_updates_request(updates_request)
        .rate_limiter(limiter)
        .concurrent_updates(PerUserUpdateProcessor(processed=handled))
        # Updates come through the store's inbox (poller.py, webhook.py), not PTB's Updater.
        .updater(None)
        .build()
    )
    outlet = TelegramOutlet(application.bot)
    knowledge, db, clock = components.knowledge, components.db, components.coach.clock
    outbox = StaffOutbox(db, knowledge, outlet, settings.staff_chat_id, clock=clock)
    sender = ReminderSender(db, knowledge, outlet, clock=clock, metrics=metrics)
    guides = GuideRunner(
        db,
        knowledge,
        outlet,
        components.coach,
        clock=clock,
        max_rate=settings.telegram_max_rate,
        metrics=metrics,
    )
    pictures = Pictures(knowledge, db, clock=clock)
    retention = Retention(db, knowledge, outlet, retention_policy(settings), clock=clock)
    staff = StaffCommands(StaffDesk(db, settings.admin_user_ids), knowledge, clock)
    channel = TelegramChannel(
        components.coach,
        knowledge,
        staff,
        settings.staff_chat_id,
        outbox,
        pictures=pictures,
        guides=guides,
        bot_id=bot_id,
        metrics=metrics,
    )
    channel.install(application)
    webhook = settings.webhook_mode
    applier = InboxApplier(
        application,
        channel.route,
        channel.on_error,
        db,
        bot_id,
        # One poller receives every update, in order: no number is ever on its way, and no
        # other worker drains the same sender (so no lock among workers, holding a connection
        # while replies go out, limits how many people it serves at once).
        order_wait=settings.webhook_order_wait if webhook else 0.0,
        concurrency=drain_concurrency(db, settings.database_pool_size)
        if webhook
        else POLLING_CONCURRENCY,
        shared_lock=webhook,
        clock=clock,
        handled=handled,
        # The coach reports the claims a poller waits for (bot/app/claims.py).
        claims=components.coach.claims,
    )
    return Runtime(
        application,
        channel,
        sender,
        outbox,
        guides,
        pictures,
        components,
        retention,
        metrics,
        bot_id,
        applier,
        handled,
        updates_request=updates_request,
        reminder_ticks=Ticker("reminder", sender.run_once, _store_errors(metrics, "reminders")),
        staff_ticks=Ticker("staff outbox", outbox.run_once, _store_errors(metrics, "outbox")),
        retention_ticks=Ticker(
            "retention", retention.run_once, _store_errors(metrics, "retention")
        ),
    )


def _store_errors(metrics: Metrics, where: str) -> Callable[[Exception], None]:
    """Return what counts a tick's failure to reach the database in the metrics."""

    def count(exc: Exception) -> None:
        if is_unavailable(exc):
            metrics.store_error(where)

    return count


async def set_commands(application: AnyApplication, components: Components) -> None:
    """Publish the command menu with a short description of each command."""
    knowledge = components.knowledge
    menu = components.coach.engine.registry.menu()
    await application.bot.set_my_commands(
        [BotCommand(name, knowledge.say(f"command_{name}")) for name in menu]
    )


def webhook_secret(settings: Settings) -> str | None:
    """Return the webhook's secret token (None when polling); webhook mode requires one."""
    if not settings.webhook_mode:
        return None
    if settings.webhook_secret is None:
        raise StartupError(_NEEDS_SECRET)
    return settings.webhook_secret.get_secret_value()


async def serve(
    settings: Settings,
    components: Components,
    stop: asyncio.Event,
    ready: Callable[[Runtime], object] | None = None,
) -> None:
    """Run the bot until `stop` is set: polling, or the webhook when WEBHOOK_URL is set.

    `ready` is called with the running bot once updates are being received (tests use it to
    await the senders' runs and the updates handled).
    """
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
        try:
            adopted = await runtime.applier.inbox.adopt_unkeyed()
            if adopted:
                log.info("the inbox's %d updates recorded before keying are this bot's", adopted)
            try:
                left = await runtime.applier.inbox.presses_left()
                answered = await runtime.channel.answer_presses(application.bot, left)
            except Exception as exc:
                # A courtesy (the buttons stop spinning), not worth failing a start for.
                log.warning("could not look for presses left unanswered: %s", type(exc).__name__)
            else:
                if answered:
                    log.info("answered %d button presses a stopped worker had left", answered)
            # The running bot's own objects (the application, its handlers, pools and jobs)
            # live as long as the process too. Walked by every full collection, they made
            # pauses of 30-110 ms while replies were waiting (bench.bench_telegram).
            keep_out_of_full_collections()
            await _receive_updates(runtime, settings, secret)
            log.info("footcoach is running (%s)", "polling" if secret is None else "webhook")
            if ready is not None:
                ready(runtime)
            await stop.wait()
        finally:
            if runtime.ops is not None:
                await runtime.ops.stop()
            if runtime.webhook is not None:
                await runtime.webhook.stop()
            if runtime.poller is not None:
                await runtime.poller.stop()
            await application.stop()
            await runtime.applier.close()
            await runtime.reminder_ticks.close()
            await runtime.staff_ticks.close()
            await runtime.retention_ticks.close()
            await runtime.guides.close()
    finally:
        await application.shutdown()


async def _initialize(application: AnyApplication, settings: Settings) -> None:
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


async def _receive_updates(runtime: Runtime, settings: Settings, secret: str | None) -> None:
    """Start the dispatch jobs, then polling, or the webhook when there is a secret for it."""
    application = runtime.application
    job_queue = application.job_queue
    assert job_queue is not None
    # Jobs of their own, so thousands of reminders due at once cannot hold a confirmed request
    # back, nor a guide's countdown. Guides look every second (or more often): an edit due
    # is at most that late.
    guide_tick = min(GUIDE_TICK, settings.dispatch_interval)
    for name, job, interval in (
        ("reminders", runtime.send_reminders, settings.dispatch_interval),
        ("staff", runtime.send_staff_messages, settings.dispatch_interval),
        ("guides", runtime.edit_guides, guide_tick),
        ("retention", runtime.expire_data, retention_tick(settings.dispatch_interval)),
    ):
        job_queue.run_repeating(
            job,
            interval=interval,
            first=0.1,
            name=name,
            job_kwargs={"max_instances": 1, "coalesce": True},
        )
    schedule_inbox_prune(job_queue, runtime.components.db, runtime.components.coach.clock)
    port = settings.metrics_port
    # In webhook mode the webhook's server has the routes too; a METRICS_PORT of its own
    # keeps them off the port the reverse proxy publishes.
    if port is not None and (secret is None or port != settings.webhook_port):
        runtime.ops = OpsServer(runtime.probe, port, settings.webhook_listen)
        try:
            runtime.ops.start()
        except OSError as exc:
            runtime.ops = None
            detail = exc.strerror or type(exc).__name__
            raise StartupError(
                f"cannot serve health and metrics on WEBHOOK_LISTEN:METRICS_PORT "
                f"{settings.webhook_listen}:{port} ({detail})"
            ) from None
    if secret is None:
        runtime.poller = InboxPoller(application, runtime.applier, raw=runtime.updates_request)
        await runtime.poller.start()
        return
    where = f"{settings.webhook_listen}:{settings.webhook_port}"
    # Our own server rather than PTB's: it answers Telegram only once the update is stored.
    webhook = runtime.webhook = TelegramWebhook(
        application, runtime.applier, settings, secret, probe=runtime.probe
    )
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


def retention_tick(dispatch_interval: float) -> float:
    """Return the seconds between two runs of the retention job."""
    return max(dispatch_interval, min(RETENTION_TICK_MAX, RETENTION_TICKS * dispatch_interval))


def schedule_inbox_prune(job_queue: JobQueue[Any], db: Database, clock: Clock) -> None:
    """Delete old applied-update ids hourly (polling records them too, to skip resends)."""

    async def prune(_context: ContextTypes.DEFAULT_TYPE) -> None:
        try:
            await prune_inbox(db, clock())
        except Exception as exc:
            log.warning("inbox prune failed: %s", type(exc).__name__)

    job_queue.run_repeating(prune, interval=3600, first=60, name="inbox-prune")
