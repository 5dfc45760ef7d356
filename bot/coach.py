"""The coach service: one transaction per event around the pure dialogue engine.

Channels hand an event here; the coach loads the person's state and context from the store,
runs the engine step, applies the step's effects and saves the new state in the same
transaction, and only then returns the replies for the channel to send. A crash therefore
never leaves half a step behind.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.core.dialogue import Engine, Outcome
from bot.core.events import Event
from bot.core.replies import Reply
from bot.core.state import ConversationState
from bot.core.turn import Context
from bot.store import users
from bot.store.db import Database

log = logging.getLogger(__name__)

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current instant in UTC."""
    return datetime.now(UTC)


@dataclass(frozen=True)
class Person:
    """Who sent an event: a stable id and, where the channel knows it, a first name."""

    id: int
    first_name: str | None = None


class Coach:
    """Run the engine for one person at a time, with the store as its memory."""

    def __init__(
        self,
        engine: Engine,
        db: Database,
        *,
        clock: Clock = utc_now,
        rng: random.Random | None = None,
    ) -> None:
        self.engine = engine
        self.db = db
        self.clock = clock
        self.rng = rng or random.SystemRandom()

    async def handle(self, person: Person, event: Event) -> list[Reply]:
        """Apply one event for one person and return the replies to send."""
        async with self.db.transaction() as session:
            user = await users.load_user(session, person.id, lock=not self.db.is_sqlite)
            state = _load_state(user.state if user else None)
            ctx = await self._context(session, person)
            outcome = self.engine.step(state, event, ctx)
            await self._apply(session, person, outcome)
            await users.save_state(
                session, user, person.id, outcome.state.model_dump_json(), ctx.now
            )
        return list(outcome.replies)

    async def state_of(self, person_id: int) -> ConversationState:
        """Return the saved conversation state of a person (a fresh one if none)."""
        async with self.db.transaction() as session:
            user = await users.load_user(session, person_id)
            return _load_state(user.state if user else None)

    async def is_new(self, person_id: int) -> bool:
        """Say whether the store has never seen this person."""
        async with self.db.transaction() as session:
            return await users.load_user(session, person_id) is None

    async def _context(self, session: AsyncSession, person: Person) -> Context:
        return Context(now=self.clock(), first_name=_clean_name(person.first_name))

    async def _apply(self, session: AsyncSession, person: Person, outcome: Outcome) -> None:
        for effect in outcome.effects:
            raise NotImplementedError(f"no store action for {effect.kind}")


def _load_state(raw: str | None) -> ConversationState:
    if not raw:
        return ConversationState()
    try:
        return ConversationState.model_validate_json(raw)
    except ValidationError:
        # A state saved by an older version that no longer fits: start the talk afresh
        # rather than fail every message of this person.
        log.warning("conversation state did not validate; starting afresh")
        return ConversationState()


def _clean_name(name: str | None) -> str | None:
    if not name:
        return None
    cleaned = " ".join(name.split())[:64]
    return cleaned or None
