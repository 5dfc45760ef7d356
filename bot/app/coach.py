"""The coach service: one transaction per event around the pure dialogue engine.

Channels hand an event here; the coach loads the person's state and context from the store,
runs the engine step, applies the step's effects and saves the new state in the same
transaction, and only then returns the replies for the channel to send. A crash therefore
never leaves half a step behind.
"""

from __future__ import annotations

import json
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError

from bot.app import reports
from bot.app.claims import Claims
from bot.app.clock import Clock, utc_now
from bot.app.drawing import drawn
from bot.core import guide as guide_rules
from bot.core import reminders as reminder_rules
from bot.core.codes import new_code
from bot.core.dialogue import Engine
from bot.core.effects import (
    AttachReport,
    Effect,
    EndGuide,
    ExportMyData,
    ForgetMe,
    PauseReminder,
    RecordCheckin,
    RecordFeedback,
    RecordFunction,
    RecordLevelChanges,
    ReminderAnswered,
    ResumeReminder,
    SaveGuide,
    SaveLead,
    SendReport,
    SetReminder,
    SetSecondReminder,
    SkipReminderToday,
    SnoozeReminder,
    StopReminder,
    WithdrawLead,
)
from bot.core.events import Event, GuideEndedEvent
from bot.core.guide import GuideRun
from bot.core.replies import Choice, Document, Reply, Report, Say
from bot.core.state import ConversationState
from bot.core.turn import Context, live_choices
from bot.core.updates import UpdateKey
from bot.store import (
    Conflict,
    Database,
    Session,
    checkins,
    feedback,
    guides,
    leads,
    privacy,
    program,
    reminders,
    steps,
    users,
)

log = logging.getLogger(__name__)

_CODE_ATTEMPTS = 5


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
        # The updates a receiver waits to see claimed (bot/app/claims.py).
        self.claims = Claims()

    async def handle(
        self,
        person: Person,
        event: Event,
        *,
        update: UpdateKey | None = None,
        press: str | None = None,
    ) -> list[Reply]:
        """Apply one event for one person and return the replies to send.

        With the Telegram update's key (the bot's id and the update's number), an update that
        was already applied changes nothing and gets no replies. `press` is a button press's
        callback query id, kept with the update's claim (see `inbox.presses_applied_since`).
        """
        for attempt in range(_CODE_ATTEMPTS):
            try:
                replies = await self._handle_once(person, event, update, press)
                break
            except Conflict:
                # A reference code clashed with an existing one (rare): the whole step is
                # rolled back and run again with a fresh code.
                if attempt == _CODE_ATTEMPTS - 1:
                    raise
        if update is not None:
            # A poller waits for this claim to fetch the next updates (it asks once the first
            # reply's request is on its way).
            self.claims.settle(update, claimed=True)
        return await self._finish(replies)

    async def _handle_once(
        self, person: Person, event: Event, update: UpdateKey | None, press: str | None
    ) -> list[Reply]:
        # A Core connection, not an ORM session: most steps have no effects, and a session
        # costs about a fifth of a step's time in the store (`_apply` opens one when needed).
        async with self.db.connection_transaction() as conn:
            await self.db.lock_person(conn, person.id)
            now = self.clock()
            # The update's claim and the step's reads in one go (the store's hot path).
            start = await steps.begin(conn, person.id, update, now, press)
            if start is None:
                log.info(
                    "update %s was applied before; ignored", update.update_id if update else ""
                )
                return []
            state = _load_state(start.state)
            ctx = self._context(person, start, now)
            outcome = self.engine.step(state, event, ctx, handed_over=True)
            await steps.save(
                conn,
                start,
                person.id,
                outcome.state.model_dump_json(),
                now,
                ctx.first_name,
                # A guide's time running out is our timer, not the person coming back.
                seen=not isinstance(event, GuideEndedEvent),
            )
            files: list[tuple[str, Reply]] = []
            if outcome.effects:
                async with self.db.session_on(conn) as session:
                    files = await self._apply(session, person.id, outcome.effects, ctx.now)
        return _with_files(outcome.replies, files)

    async def _finish(self, replies: list[Reply]) -> list[Reply]:
        """Draw what the replies only describe (charts), off the event loop."""
        return await drawn(replies)

    async def state_of(self, person_id: int) -> ConversationState:
        """Return the saved conversation state of a person (a fresh one if none)."""
        async with self.db.transaction() as session:
            user = await users.load_user(session, person_id)
            return _load_state(user.state if user else None)

    async def live_choices(self, person_id: int) -> tuple[Choice, ...]:
        """Return the buttons of the question a person has open (after a restart too)."""
        return live_choices(await self.state_of(person_id))

    async def is_new(self, person_id: int) -> bool:
        """Say whether the store has never seen this person."""
        async with self.db.transaction() as session:
            return await users.load_user(session, person_id) is None

    def _context(self, person: Person, start: steps.StepStart, now: datetime) -> Context:
        """Return the step's context: what the store holds for the person, and the moment."""
        return Context(
            now=now,
            first_name=_clean_name(person.first_name),
            reminder=start.reminder,
            open_lead=start.open_lead,
            checkins=start.checkins,
            guide=start.guide,
            new_code=new_code(self.rng),
        )

    async def _apply(
        self, session: Session, user_id: int, effects: Sequence[Effect], now: datetime
    ) -> list[tuple[str, Reply]]:
        """Carry out the step's effects in its transaction; return the files they make, each
        with the key of the message it follows."""
        extra: list[tuple[str, Reply]] = []
        for effect in effects:
            match effect:
                case SetReminder(at=at, zone=zone, days=days, starts_on=starts_on):
                    old = await reminders.get(session, user_id)
                    new = reminder_rules.set_up(at, zone, days, now, old, starts_on=starts_on)
                    await reminders.put(session, user_id, new, now)
                case PauseReminder() | ResumeReminder() | SnoozeReminder() | SkipReminderToday():
                    current = await reminders.get(session, user_id)
                    if current is not None:
                        changed = _changed(current, effect, now)
                        await reminders.put(session, user_id, changed, now)
                case ReminderAnswered(day=day):
                    current = await reminders.get(session, user_id)
                    if current is not None:
                        changed = reminder_rules.answered(current, day)
                        await reminders.put(session, user_id, changed, now)
                case SetSecondReminder(at=second):
                    current = await reminders.get(session, user_id)
                    if current is not None:
                        changed = reminder_rules.with_second(current, second, now)
                        await reminders.put(session, user_id, changed, now)
                case StopReminder():
                    await reminders.remove(session, user_id)
                case RecordCheckin(day=day, score=score, done=done):
                    await checkins.record(session, user_id, day, score, done, now)
                case RecordFunction(day=day, activity=activity, score=score):
                    await program.record_function(session, user_id, day, activity, score, now)
                case RecordLevelChanges(changes=changes):
                    await program.record_changes(session, user_id, changes, now)
                case RecordFeedback(exercise=exercise, day=day, feeling=feeling):
                    await feedback.record(session, user_id, exercise, day, feeling, now)
                case SaveGuide(run=run):
                    await _save_guide(session, user_id, run, now)
                case EndGuide(stamp=stamp):
                    await guides.remove(session, user_id, stamp=stamp)
                case SaveLead(code=code, details=details, signs_added=signs_added):
                    await leads.save(session, user_id, code, details, now, signs_added=signs_added)
                case WithdrawLead(code=code):
                    await leads.withdraw(session, user_id, code, now)
                case AttachReport(code=code):
                    await leads.want_report(session, user_id, code, now)
                case ExportMyData(after=after):
                    data = await privacy.export(session, user_id)
                    content = json.dumps(data, indent=2, ensure_ascii=False).encode()
                    file = Document(filename="footcoach-my-data.json", content=content)
                    extra.append((after, file))
                case SendReport(caption=caption, after=after):
                    report = await reports.gather(session, self.engine.knowledge, user_id, now)
                    if report is not None:
                        extra.append((after, Report(data=report, caption=caption)))
                case ForgetMe():
                    await privacy.forget(session, user_id, now)
        return extra


def _with_files(replies: Sequence[Reply], files: Sequence[tuple[str, Reply]]) -> list[Reply]:
    """Put each file right after the message that announces it ("Here is your report"), so
    the question the person was at comes after the file, not between the two."""
    placed = list(replies)
    for after, file in files:
        keys = [r.key if isinstance(r, Say) else "" for r in placed]
        at = keys.index(after) + 1 if after and after in keys else len(placed)
        placed.insert(at, file)
    return placed


async def _save_guide(session: Session, user_id: int, run: GuideRun, now: datetime) -> None:
    """Store a new guide (shown once its message is sent), or a change to the one shown."""
    stored = await guides.get(session, user_id)
    if stored is None or stored.run.stamp != run.stamp:
        await guides.put(session, user_id, run, now, next_edit_at=None, new=True)
    elif stored.message_id is None and run.status == "stopped":
        await guides.remove(session, user_id)  # never shown (the terminal): nothing to edit
    else:
        shown_at = (
            guide_rules.change_shown_at(stored.last_edit_at, now)
            if stored.message_id is not None
            else None
        )
        await guides.put(session, user_id, run, now, next_edit_at=shown_at, new=False)


def _changed(
    reminder: reminder_rules.Reminder,
    effect: PauseReminder | ResumeReminder | SnoozeReminder | SkipReminderToday,
    now: datetime,
) -> reminder_rules.Reminder:
    match effect:
        case PauseReminder():
            return reminder_rules.pause(reminder)
        case ResumeReminder():
            return reminder_rules.resume(reminder, now)
        case SnoozeReminder(until=until):
            return reminder_rules.snooze(reminder, until)
        case SkipReminderToday():
            return reminder_rules.skip_today(reminder)


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
