"""Build the running pieces from settings: knowledge, store, engine and coach."""

from __future__ import annotations

import gc
import logging
from dataclasses import dataclass

from bot.coach import Clock, Coach
from bot.config import Settings
from bot.core.dialogue import Engine
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.turn import EngineConfig
from bot.store.db import Database, StoreError


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
# contain the bot token; SQLAlchemy logs statement parameters.
_LIBRARY_FLOORS = {
    "telegram": logging.INFO,
    "httpx": logging.WARNING,
    "httpcore": logging.WARNING,
    "apscheduler": logging.WARNING,
    "sqlalchemy": logging.WARNING,
    "aiosqlite": logging.WARNING,
    "asyncpg": logging.WARNING,
}


def quiet_library_loggers() -> None:
    """Keep library loggers above the levels at which they would log personal data."""
    for name, floor in _LIBRARY_FLOORS.items():
        logger = logging.getLogger(name)
        logger.setLevel(max(logger.getEffectiveLevel(), floor))


def build_engine(settings: Settings) -> Engine:
    """Load and validate the knowledge, and build the dialogue engine on it."""
    knowledge = load_knowledge(settings.knowledge_dir)
    return Engine(
        knowledge, config=EngineConfig(default_phone_region=settings.default_phone_region)
    )


async def open_components(settings: Settings, *, clock: Clock | None = None) -> Components:
    """Load knowledge, open and prepare the store, and build the coach."""
    engine = build_engine(settings)
    try:
        db = Database(settings.database_url)
        await db.create_schema()
    except StoreError as exc:
        raise StartupError(str(exc)) from None
    except Exception as exc:
        detail = f"{type(exc).__name__}: {exc}".splitlines()[0]
        raise StartupError(f"cannot open the database at DATABASE_URL ({detail})") from None
    coach = Coach(engine, db, clock=clock) if clock else Coach(engine, db)
    # Knowledge, the reader's tables and the libraries live as long as the process: keep them
    # out of the collector's full passes, which otherwise walk them all and stalled sending
    # for up to ~0.2 s at a time (~1 s in a 10,000-reminder fan-out).
    gc.collect()
    gc.freeze()
    return Components(settings, engine.knowledge, db, coach)
