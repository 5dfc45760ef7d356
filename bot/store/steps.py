"""A conversation step's reads and its write, in as little work per statement as SQL allows.

Every update runs these, so they are the store's hot path: the update's inbox claim and the
reads the step needs (state, reminder, guide, open request, check-ins) go in one hop to the
database layer (`run_sync`), as Core statements built once, rather than as ORM queries built
and loaded afresh each time (SQLAlchemy's statement building, ORM execution and loading were
most of a step's CPU time, profiled on `python -m bench.bench_telegram`). The statements and
their row locks are those of the repository functions they stand for (reminders.get,
guides.get, leads.open_for, checkins.recent, inbox.claim, users.save_state).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Connection, Table, bindparam, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.core.guide import GuideRun
from bot.core.leads import Lead
from bot.core.progress import Checkin
from bot.core.reminders import Reminder
from bot.core.updates import UpdateKey, numbering_since
from bot.store import guides, inbox, leads, reminders
from bot.store.checkins import MAX_LOADED
from bot.store.schema import CheckinRow, GuideRow, LeadRow, ReminderRow, User, UTCDateTime

_users = cast(Table, User.__table__)
_reminders = cast(Table, ReminderRow.__table__)
_guides = cast(Table, GuideRow.__table__)
_leads = cast(Table, LeadRow.__table__)
_checkins = cast(Table, CheckinRow.__table__)

_USER = select(_users.c.state, _users.c.first_name).where(_users.c.id == bindparam("user"))
# Locked for the step, so a sender claiming due reminders (or the guide runner, due edits)
# skips them until the step commits (PostgreSQL; SQLite's single writer needs no row locks).
_REMINDER = select(_reminders).where(_reminders.c.user_id == bindparam("user")).with_for_update()
_GUIDE = select(_guides).where(_guides.c.user_id == bindparam("user")).with_for_update()
_OPEN_LEAD = (
    select(_leads)
    .where(_leads.c.user_id == bindparam("user"), _leads.c.status.in_(leads.ACTIVE))
    .order_by(_leads.c.created_at.desc(), _leads.c.id.desc())
    .limit(1)
)
_CHECKINS = (
    select(_checkins.c.day, _checkins.c.score, _checkins.c.done)
    .where(_checkins.c.user_id == bindparam("user"))
    .order_by(_checkins.c.day.desc())
    .limit(MAX_LOADED)
)
_NEW_USER = insert(_users).values(
    id=bindparam("user"),
    state=bindparam("state"),
    first_name=bindparam("first_name"),
    created_at=bindparam("now"),
    updated_at=bindparam("now"),
    last_seen_at=bindparam("now"),
)
_SAVE = (
    update(_users)
    .where(_users.c.id == bindparam("user"))
    .values(state=bindparam("state"), updated_at=bindparam("now"))
)
# A step that came from the person: their data's expiry starts again and any notice of it is
# void (users.save_state's `seen`), in the same UPDATE as the state.
_SAVE_SEEN = _SAVE.values(last_seen_at=bindparam("now"), expiry_noticed_at=None, expiry_due_at=None)
# By (seen, named): a first name that changed is saved with the state.
_SAVES = {
    (False, False): _SAVE,
    (False, True): _SAVE.values(first_name=bindparam("first_name")),
    (True, False): _SAVE_SEEN,
    (True, True): _SAVE_SEEN.values(first_name=bindparam("first_name")),
}


# `inbox.claim` as text: SQLAlchemy cannot cache the compiled form of an ON CONFLICT insert
# and compiled it afresh on every update. Both SQLite and PostgreSQL speak this upsert. As
# there: a recorded update keeps the time it arrived; a row of an earlier numbering (applied,
# and received before `fresh`) is a new update now. SET reads the row as it was.
_CLAIM = text(
    "INSERT INTO inbox (bot_id, update_id, user_id, payload, received_at, processed_at,"
    " processed_by, failed, answer_id)"
    " VALUES (:bot, :update_id, :user, NULL, :now, :now, :worker, false, :press)"
    " ON CONFLICT (bot_id, update_id) DO UPDATE SET processed_at = :now,"
    " processed_by = :worker, payload = NULL, failed = false, user_id = :user,"
    " answer_id = :press,"
    " received_at = CASE WHEN inbox.processed_at IS NULL THEN inbox.received_at"
    " ELSE excluded.received_at END"
    " WHERE inbox.processed_at IS NULL OR inbox.received_at < :fresh"
).bindparams(bindparam("now", type_=UTCDateTime()), bindparam("fresh", type_=UTCDateTime()))


@dataclass(frozen=True)
class StepStart:
    """What a step starts from: the person's saved row (if any) and their context."""

    known: bool  # the person has a row already
    state: str | None
    first_name: str | None
    reminder: Reminder | None
    guide: GuideRun | None
    open_lead: Lead | None
    checkins: tuple[Checkin, ...]


async def begin(
    conn: AsyncConnection,
    user_id: int,
    update: UpdateKey | None,
    now: datetime,
    press: str | None = None,
) -> StepStart | None:
    """Claim the update (None: it was applied before) and read what the step needs; `press`
    is the callback query id of a button press, kept with the claim."""
    return await conn.run_sync(_begin, user_id, update, now, press)


def _begin(
    conn: Connection,
    user_id: int,
    update: UpdateKey | None,
    now: datetime,
    press: str | None,
) -> StepStart | None:
    if update is not None:
        params = {
            "bot": update.bot_id,
            "update_id": update.update_id,
            "user": user_id,
            "now": now,
            "fresh": numbering_since(now),
            "worker": inbox.worker_id(),
            "press": press,
        }
        if not conn.execute(_CLAIM, params).rowcount:
            return None
    key = {"user": user_id}
    user = conn.execute(_USER, key).first()
    reminder = conn.execute(_REMINDER, key).first()
    guide = conn.execute(_GUIDE, key).first()
    lead = conn.execute(_OPEN_LEAD, key).first()
    checkins = conn.execute(_CHECKINS, key).all()
    return StepStart(
        known=user is not None,
        state=user.state if user else None,
        first_name=user.first_name if user else None,
        # Core rows carry the same names as the ORM rows the repositories read.
        reminder=reminders._value(cast(ReminderRow, reminder)) if reminder else None,
        guide=guides._value(cast(GuideRow, guide)).run if guide else None,
        open_lead=leads._value(cast(LeadRow, lead)) if lead else None,
        checkins=tuple(Checkin(day=r.day, score=r.score, done=r.done) for r in reversed(checkins)),
    )


async def save(
    conn: AsyncConnection,
    start: StepStart,
    user_id: int,
    state_json: str,
    now: datetime,
    first_name: str | None,
    *,
    seen: bool = True,
) -> None:
    """Store the conversation state, creating the person's row on their first message.

    `seen`: the step came from the person (not a timer of ours), as in users.save_state.
    """
    await conn.run_sync(_save, start, user_id, state_json, now, first_name, seen)


def _save(
    conn: Connection,
    start: StepStart,
    user_id: int,
    state_json: str,
    now: datetime,
    first_name: str | None,
    seen: bool,
) -> None:
    params = {"user": user_id, "state": state_json, "now": now, "first_name": first_name}
    if not start.known:
        conn.execute(_NEW_USER, params)
    else:
        named = bool(first_name) and first_name != start.first_name
        conn.execute(_SAVES[seen, named], params)
