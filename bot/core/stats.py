"""The numbers staff see in /stats and the backlog the metrics show, as plain values."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.core.knowledge import Knowledge

WEEK = timedelta(days=7)


@dataclass(frozen=True)
class Backlog:
    """Work waiting: reminders due and not yet claimed, staff messages not yet delivered."""

    reminders_due: int
    outbox_waiting: int
    outbox_oldest: datetime | None  # when the oldest undelivered staff message was queued


@dataclass(frozen=True)
class Stats:
    """The week at a glance for staff (a week is the 7 days up to now)."""

    people_active: int
    reminders_on: int
    checkins: int
    open_requests: int
    backlog: Backlog


def age_text(seconds: float) -> str:
    """Return a duration the way staff read it: 45 s, 12 min, 3 h 5 min, 2 d 4 h."""
    seconds = max(0, int(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes = seconds // 60
    if minutes < 60:
        return f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    if hours < 24:
        return f"{hours} h {minutes} min" if minutes else f"{hours} h"
    days, hours = divmod(hours, 24)
    return f"{days} d {hours} h" if hours else f"{days} d"


def stats_message(knowledge: Knowledge, stats: Stats, now: datetime) -> str:
    """Return the /stats answer."""
    oldest = stats.backlog.outbox_oldest
    waiting = (
        knowledge.say(
            "staff_stats_outbox",
            count=stats.backlog.outbox_waiting,
            age=age_text((now - oldest).total_seconds()),
        )
        if oldest is not None
        else knowledge.say("staff_stats_outbox_empty")
    )
    return knowledge.say(
        "staff_stats",
        people=stats.people_active,
        reminders=stats.reminders_on,
        checkins=stats.checkins,
        requests=stats.open_requests,
        outbox=waiting,
    )
