"""Everything stored about one person: a copy of it, and deleting it."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.store import feedback, guides, inbox, leads, program
from bot.store.schema import CheckinRow, FunctionScoreRow, LevelChangeRow, ReminderRow, User


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment else None


async def export(session: AsyncSession, user_id: int) -> dict[str, Any]:
    """Return every stored record about the person, as plain JSON-ready data."""
    user = await session.get(User, user_id)
    reminder = await session.get(ReminderRow, user_id)
    checkin_rows = (
        await session.execute(
            select(CheckinRow).where(CheckinRow.user_id == user_id).order_by(CheckinRow.day)
        )
    ).scalars()
    return {
        "user_id": user_id,
        "first_seen": _iso(user.created_at) if user else None,
        "first_name": user.first_name if user else None,
        # Data expires a while after this (RETENTION_DAYS), on the date told, if told.
        "last_seen_utc": _iso(user.last_seen_at) if user else None,
        "erased_after_utc": _iso(user.expiry_due_at) if user and user.expiry_noticed_at else None,
        "conversation": json.loads(user.state) if user else None,
        "reminder": None
        if reminder is None
        else {
            "time": reminder.at_time,
            "time_zone": reminder.zone,
            "days": reminder.days,
            "paused": reminder.paused,
            "next_due_utc": _iso(reminder.next_due),
            "last_sent_local_day": reminder.last_day.isoformat() if reminder.last_day else None,
        },
        "checkins": [
            {"day": c.day.isoformat(), "pain_score": c.score, "routine_done": c.done}
            for c in checkin_rows
        ],
        "level_changes": [
            {
                "day": c.day.isoformat(),
                "exercise": c.exercise,
                "level_before": c.before,
                "level_after": c.after,
                "reason": c.reason,
            }
            for c in await program.changes(session, user_id)
        ],
        "function_scores": [
            {"activity": m.activity, "day": s.day.isoformat(), "score": s.score}
            for m in await program.function_measures(session, user_id)
            for s in m.scores
        ],
        "how_moves_felt": [
            {"day": f.day.isoformat(), "exercise": f.exercise, "feeling": f.feeling}
            for f in await feedback.history(session, user_id)
        ],
        "callback_requests": [
            {
                "code": lead.code,
                "status": lead.status.value,
                "created_at_utc": _iso(lead.created_at),
                "name": lead.name,
                "phone": lead.phone,
                "best_time": lead.best_time,
                "note": lead.note,
                "symptoms": list(lead.symptoms),
                "red_flags": list(lead.red_flags),
                "pain_score": lead.pain_score,
                "conditions": list(lead.conditions),
            }
            for lead in await leads.of_user(session, user_id)
        ],
    }


async def forget(session: AsyncSession, user_id: int, now: datetime) -> None:
    """Delete everything about the person; their requests become anonymous withdrawn codes."""
    await leads.forget_user(session, user_id, now)
    await session.execute(delete(CheckinRow).where(CheckinRow.user_id == user_id))
    await session.execute(delete(FunctionScoreRow).where(FunctionScoreRow.user_id == user_id))
    await session.execute(delete(LevelChangeRow).where(LevelChangeRow.user_id == user_id))
    await feedback.forget(session, user_id)
    await guides.forget(session, user_id)
    await session.execute(delete(ReminderRow).where(ReminderRow.user_id == user_id))
    await session.execute(delete(User).where(User.id == user_id))
    await inbox.forget(session, user_id)
