"""The report a person takes to a clinician: gathered from the store, drawn as a PDF.

Used by /report (the coach), by a callback request the person asked to carry it (the staff
outbox), and by `footcoach report --user ID --out FILE.pdf`.
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from pydantic import ValidationError

from bot.core.knowledge import Knowledge
from bot.core.report import ReportData, build_report
from bot.core.state import ConversationState
from bot.core.turn import zone_of
from bot.store import Database, Session, checkins, feedback, program, reminders, users

FILENAME = "footcoach-report.pdf"


async def gather(
    session: Session, knowledge: Knowledge, user_id: int, now: datetime
) -> ReportData | None:
    """Return the person's report data, or None when the store has never seen them."""
    user = await users.load_user(session, user_id)
    if user is None:
        return None
    try:
        state = ConversationState.model_validate_json(user.state)
    except ValidationError:
        state = ConversationState()
    reminder = await reminders.get(session, user_id)
    today = now.astimezone(zone_of(state.zone, reminder)).date()
    return build_report(
        knowledge,
        state,
        first_name=user.first_name,
        made_at=now.astimezone(zone_of(state.zone, reminder)),
        today=today,
        days=reminder.days if reminder else None,
        checkins=await checkins.recent(session, user_id),
        changes=await program.changes(session, user_id),
        function=await program.function_measures(session, user_id),
        moved_days={f.day for f in await feedback.history(session, user_id)},
    )


async def draw(data: ReportData) -> bytes:
    """Draw the report as a PDF, off the event loop (matplotlib takes a fraction of a second)."""
    # Imported here: matplotlib is slow to import, and most processes never draw a report.
    from bot.render.report import render_report

    return await asyncio.to_thread(render_report, data)


async def make_report(
    db: Database, knowledge: Knowledge, user_id: int, now: datetime
) -> bytes | None:
    """Return the person's report as PDF bytes, or None when the store has never seen them."""
    async with db.transaction() as session:
        data = await gather(session, knowledge, user_id, now)
    return None if data is None else await draw(data)
