"""Build the running pieces from settings: knowledge, store, engine and coach."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from bot.app.clock import Clock
from bot.app.coach import Coach
from bot.config import Settings
from bot.core.dialogue import Engine
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.retention import RetentionPolicy
from bot.core.turn import EngineConfig
from bot.store import migrate
from bot.store.db import Database, StoreError

log = logging.getLogger(__name__)


class StartupError(Exception):
    """Start-up cannot go on; the message says what to fix, in one line."""


@dataclass
class Components:
    """What a channel needs to run: the settings, the coach, and the database to close."""

    settings: Settings
    knowledge: Knowledge
    db: Database
    coach: Coach

    async def close(self) -> None:
        """Release the database connections."""
        await self.db.close()


def configure_logging(settings: Settings) -> None:
    """Send logs to standard error at the configured level."""
    logging.basicConfig(
        level=settings.log_level,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
    )
    quiet_library_loggers()


# Libraries that log personal data or secrets below these levels: python-telegram-bot logs
# whole updates (names, phone numbers, message text) at DEBUG; httpx logs request URLs, which
# contain the bot token; SQLAlchemy logs statement parameters. Alembic narrates every
# connection it configures; start-up logs one line of its own. fontTools narrates every glyph of
# every PDF report (the glyph names spell out the person's text).
_LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "asyncpg": logging.WARNING,
    "alembic": logging.WARNING,
    "fontTools": logging.WARNING,
    "matplotlib": logging.WARNING,
    "PIL": logging.WARNING,
}


def quiet_library_loggers() -> None:
    """Keep library loggers above the levels at which they would log personal data."""
    for name, floor in _LIBRARY_FLOORS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), floor))


def build_engine(settings: Settings) -> Engine:
    """Load and validate the knowledge, and build the dialogue engine on it."""
    knowledge = load_knowledge(settings.knowledge_dir)
    config = EngineConfig(
        default_phone_region=settings.default_phone_region,
        retention=retention_policy(settings),
    )
    return Engine(knowledge, config=config)


def retention_policy(settings: Settings) -> RetentionPolicy:
    """Return how long data is kept, as the settings say."""
    return RetentionPolicy(days=settings.retention_days, lead_days=settings.lead_retention_days)


def open_database(settings: Settings) -> Database:
    """Open the store's engine (no connection yet) with the configured pool."""
    try:
        return Database(settings.database_url, pool_size=settings.database_pool_size)
    except StoreError as exc:
        raise StartupError(str(exc)) from None


async def upgrade_database(db: Database) -> migrate.Upgrade:
    """Migrate the store to the newest schema, or stop start-up with one line saying why."""
    try:
        done = await migrate.upgrade(db)
    except StoreError as exc:
        await db.close()
        raise StartupError(str(exc)) from None
    except Exception as exc:
        await db.close()
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise StartupError(f"cannot open the database at DATABASE_URL ({detail})") from None
    if done.before != done.after:
        # Creating a new database is routine; upgrading one that held data is worth a line.
        level = logging.DEBUG if done.before is None and not done.adopted else logging.INFO
        log.log(level, "%s", done.describe())
    return done


async def open_components(settings: Settings, *, clock: Clock | None = None) -> Components:
    """Load knowledge, open the store and bring its schema up to date, and build the coach."""
    engine = build_engine(settings)
    db = open_database(settings)
    await upgrade_database(db)
    coach = Coach(engine, db, clock=clock) if clock else Coach(engine, db)
    # Knowledge, the reader's tables and the libraries live as long as the process: keep them
    # out of the collector's full passes, which otherwise walk them all and stalled sending
    # for up to ~0.2 s at a time (~1 s in a 10,000-reminder fan-out).
    keep_out_of_full_collections()
    return Components(settings, engine.knowledge, db, coach)


def keep_out_of_full_collections() -> None:
    """Collect what start-up left, and keep every object alive now out of later full passes
    of the garbage collector (what lives as long as the process need not be walked again)."""
    gc.collect()
    gc.freeze()
