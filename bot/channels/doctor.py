"""`footcoach doctor`: check what a deployment needs, in order, one line each with what to fix.

Settings, knowledge, the database and its schema revision, the token (getMe), webhook or
polling as configured (getWebhookInfo), the staff chat (getChat), time zone data. It changes
nothing: no migration, no webhook set or removed. A check that needs an earlier one which
failed is skipped and says so. No line holds a secret or anything about a person.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError
from telegram.request import HTTPXRequest

from bot.bootstrap import StartupError, build_engine, open_database, quiet_library_loggers
from bot.config import ConfigError, Settings, load_settings
from bot.core.knowledge import KnowledgeError
from bot.core.stats import age_text
from bot.store import migrate

OK, WARN, FAIL, SKIP = "ok", "warn", "FAIL", "skip"
# A webhook delivery error newer than this is a problem now; an older one is history.
RECENT_ERROR_S = 3600
# Zones people are likely to pick; all must load, and a full tz database has ~600 names.
_SAMPLE_ZONES = ("Europe/London", "America/Los_Angeles", "Asia/Kolkata", "Australia/Sydney")
_MIN_ZONES = 400


@dataclass(frozen=True)
class Finding:
    """The outcome of one check: its status (ok, warn, FAIL, skip), name and one line."""

    status: str
    name: str
    detail: str

    def line(self) -> str:
        """Return the finding as printed."""
        return f"{self.status:<4} {self.name}: {self.detail}"


def _first_line(exc: BaseException) -> str:
    return (str(exc).strip().splitlines() or [type(exc).__name__])[0]


async def diagnose(load: Callable[[], Settings] = load_settings) -> list[Finding]:
    """Run every check in order and return the findings."""
    try:
        settings = load()
    except ConfigError as exc:
        skipped = ("knowledge", "database", "telegram", "updates", "staff chat")
        return [
            Finding(FAIL, "settings", _first_line(exc)),
            *(Finding(SKIP, name, "needs valid settings") for name in skipped),
            check_time_zones(),
        ]
    found = [Finding(OK, "settings", _settings_summary(settings))]
    found.append(_check_knowledge(settings))
    found.append(await _check_database(settings))
    found.extend(await _check_telegram(settings))
    found.append(check_time_zones())
    return found


def _settings_summary(settings: Settings) -> str:
    mode = "webhook" if settings.webhook_mode else "polling"
    backend = "SQLite" if settings.database_url.startswith("sqlite") else "PostgreSQL"
    return f"valid ({mode}, {backend})"


def _check_knowledge(settings: Settings) -> Finding:
    try:
        knowledge = build_engine(settings).knowledge
    except KnowledgeError as exc:
        return Finding(FAIL, "knowledge", f"{_first_line(exc)} (fix it in KNOWLEDGE_DIR)")
    except OSError as exc:
        return Finding(FAIL, "knowledge", f"cannot read KNOWLEDGE_DIR: {exc.strerror}")
    counts = f"{len(knowledge.exercises)} exercises, {len(knowledge.messages)} messages"
    return Finding(OK, "knowledge", f"valid ({counts})")


async def _check_database(settings: Settings) -> Finding:
    name = "database"
    path = _sqlite_path(settings.database_url)
    if path is not None and not path.exists():
        # Opening it would create the file (and its folder); the doctor changes nothing.
        return Finding(FAIL, name, f"no database at {path} yet: `footcoach db upgrade` creates it")
    try:
        db = open_database(settings)
    except StartupError as exc:
        return Finding(FAIL, name, str(exc))
    try:
        try:
            revision = await migrate.current(db)
        except Exception as exc:
            detail = f"{type(exc).__name__}: {_first_line(exc)}"
            return Finding(FAIL, name, f"cannot open the database at DATABASE_URL ({detail})")
    finally:
        await db.close()
    head = migrate.head_revision()
    if revision is None:
        return Finding(FAIL, name, f"no schema yet: run `footcoach db upgrade` (to {head})")
    if revision != head:
        return Finding(
            FAIL, name, f"at revision {revision}, the newest is {head}: run `footcoach db upgrade`"
        )
    return Finding(OK, name, f"reachable, at the newest revision ({head})")


def _sqlite_path(url: str) -> Path | None:
    """Return the file of a SQLite URL (None for another database, or one in memory)."""
    prefix = "sqlite+aiosqlite:///"
    if not url.startswith(prefix):
        return None
    path = url.removeprefix(prefix).split("?", 1)[0]
    return Path(path) if path and path != ":memory:" else None


async def _check_telegram(settings: Settings) -> list[Finding]:
    names = ("telegram", "updates", "staff chat")
    if settings.telegram_bot_token is None:
        line = "TELEGRAM_BOT_TOKEN is not set: put the token @BotFather gave you in .env"
        return [
            Finding(FAIL, names[0], line),
            *(Finding(SKIP, n, "needs the token") for n in names[1:]),
        ]
    base_url = settings.telegram_api_url.rstrip("/")
    # Our own request objects, closed whatever happens (a Bot whose getMe failed is not
    # initialized, and its shutdown would leave them open).
    requests = (HTTPXRequest(), HTTPXRequest())
    bot = Bot(
        settings.telegram_bot_token.get_secret_value(),
        base_url=base_url,
        base_file_url=base_url.removesuffix("/bot") + "/file/bot",
        request=requests[0],
        get_updates_request=requests[1],
    )
    try:
        return await _ask_telegram(bot, settings)
    finally:
        for request in requests:
            await request.shutdown()


async def _ask_telegram(bot: Bot, settings: Settings) -> list[Finding]:
    names = ("telegram", "updates", "staff chat")
    try:
        await bot.initialize()  # getMe
    except InvalidToken:
        line = "Telegram refused TELEGRAM_BOT_TOKEN: check it in .env (@BotFather gives it)"
        return [
            Finding(FAIL, names[0], line),
            *(Finding(SKIP, n, "needs the token") for n in names[1:]),
        ]
    except (NetworkError, TelegramError) as exc:
        line = (
            f"cannot reach the Bot API at TELEGRAM_API_URL {settings.telegram_api_url} "
            f"({type(exc).__name__})"
        )
        return [
            Finding(FAIL, names[0], line),
            *(Finding(SKIP, n, "needs the Bot API") for n in names[1:]),
        ]
    return [
        Finding(OK, names[0], f"the token is accepted: @{bot.username}"),
        await _check_updates(bot, settings),
        await _check_staff_chat(bot, settings),
    ]


async def _check_updates(bot: Bot, settings: Settings) -> Finding:
    name = "updates"
    try:
        info = await bot.get_webhook_info()
    except Exception as exc:
        return Finding(FAIL, name, f"getWebhookInfo failed ({type(exc).__name__})")
    pending = f"{info.pending_update_count} update(s) waiting"
    error = ""
    recent = False
    if info.last_error_date is not None:
        ago = time.time() - info.last_error_date.astimezone(UTC).timestamp()
        recent = ago < RECENT_ERROR_S
        error = f"last delivery error {age_text(ago)} ago: {info.last_error_message or '?'}"
    if not settings.webhook_mode:
        if info.url:
            return Finding(
                FAIL,
                name,
                f"polling is configured but a webhook is set to {info.url}: Telegram hands out "
                "no updates to polling while it is (set WEBHOOK_URL to use it; `footcoach run` "
                "in polling mode removes it)",
            )
        return Finding(OK, name, f"polling, no webhook set; {pending}")
    if settings.webhook_secret is None:
        return Finding(FAIL, name, "WEBHOOK_URL is set but WEBHOOK_SECRET is not: set both")
    if info.url != settings.webhook_url:
        where = info.url or "no webhook"
        return Finding(
            FAIL,
            name,
            f"Telegram has {where}, WEBHOOK_URL is {settings.webhook_url}: `footcoach run` sets it",
        )
    if recent:
        return Finding(
            FAIL,
            name,
            f"webhook {info.url}: {error}; {pending} (check the reverse proxy and the "
            "workers' /readyz)",
        )
    return Finding(OK, name, f"webhook {info.url}; {pending}" + (f"; {error}" if error else ""))


async def _check_staff_chat(bot: Bot, settings: Settings) -> Finding:
    name = "staff chat"
    chat_id = settings.staff_chat_id
    if chat_id is None:
        return Finding(
            WARN,
            name,
            "STAFF_CHAT_ID is not set: callback requests are stored (`footcoach leads`) but "
            "sent to no chat",
        )
    try:
        chat = await bot.get_chat(chat_id)
    except Exception as exc:  # a refusal, or an answer PTB cannot read: either way, not reached
        return Finding(
            FAIL,
            name,
            f"Telegram cannot reach chat {chat_id} ({_first_line(exc)}): add the bot to the "
            "staff group, or check STAFF_CHAT_ID (a group's id starts with -)",
        )
    return Finding(OK, name, f"chat {chat_id} is reachable (a {chat.type} chat)")


def check_time_zones(available: Callable[[], Iterable[str]] = available_timezones) -> Finding:
    """Check that IANA time zone data is installed (reminders keep people's local time)."""
    name = "time zones"
    names = set(available())
    missing = [zone for zone in _SAMPLE_ZONES if zone not in names]
    if len(names) < _MIN_ZONES or missing:
        return Finding(
            FAIL,
            name,
            f"time zone data incomplete ({len(names)} zones): install the tzdata package "
            "(`pip install tzdata`) or the system's tzdata",
        )
    try:
        for zone in _SAMPLE_ZONES:
            datetime.now(ZoneInfo(zone))
    except Exception as exc:
        return Finding(FAIL, name, f"cannot load {zone} ({type(exc).__name__}): install tzdata")
    return Finding(OK, name, f"{len(names)} zones")


def run_doctor(out: Callable[[str], object] = print) -> int:
    """Print each finding; return 1 when any check failed, else 0."""
    quiet_library_loggers()  # httpx would log request URLs, which hold the token
    findings = asyncio.run(diagnose())
    for finding in findings:
        out(finding.line())
    return 1 if any(f.status == FAIL for f in findings) else 0
