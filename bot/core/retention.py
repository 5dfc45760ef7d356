"""Data that expires: when a quiet person is told, when they are erased, and what they are told.

A person who has sent nothing for `days` days is erased exactly as /forget erases them. A week
before, they are told the date (in their own time zone, in words) at a decent local hour; any
message or button from them in between keeps everything, and the count starts again. Closed
callback requests are deleted `lead_days` days after they were closed. Everything here is pure:
the store selects by the cut-offs, the application sends and erases.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.core.knowledge import Knowledge
from bot.core.replies import Say
from bot.core.schedule import local_day, next_due

NOTICE_DAYS = 7
# Notices go between 10:00 and 20:00 where the person is (UTC when no zone is known): a
# message about deleting someone's data should not wake them.
DECENT_FROM = time(10, 0)
DECENT_UNTIL = time(20, 0)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


class _EveryDay:
    """Every local day allows a notice."""

    def allows(self, day: date) -> bool:
        """Allow any day."""
        return True


@dataclass(frozen=True)
class RetentionPolicy:
    """How long what a person or a closed request leaves behind is kept, in days."""

    days: int = 365
    lead_days: int = 730

    def __post_init__(self) -> None:
        if self.days <= NOTICE_DAYS:
            raise ValueError(f"retention must be longer than the {NOTICE_DAYS}-day notice")
        if self.lead_days < 1:
            raise ValueError("lead retention must be at least one day")

    def notice_cutoff(self, now: datetime) -> datetime:
        """Return the last-seen instant at or before which a person is due their notice."""
        return now - timedelta(days=self.days - NOTICE_DAYS)

    def erase_cutoff(self, now: datetime) -> datetime:
        """Return the last-seen instant at or before which a person may be erased."""
        return now - timedelta(days=self.days)

    def lead_cutoff(self, now: datetime) -> datetime:
        """Return the closing instant at or before which a closed request is deleted."""
        return now - timedelta(days=self.lead_days)


@dataclass(frozen=True)
class SendNotice:
    """Tell the person now; erase them at `erase_at` unless they come back first."""

    erase_at: datetime


@dataclass(frozen=True)
class Defer:
    """Not a decent hour where the person is: look again at `until`."""

    until: datetime


def plan_notice(
    policy: RetentionPolicy, last_seen: datetime, now: datetime, zone: tzinfo
) -> SendNotice | Defer:
    """Decide whether the notice goes now and, if so, when the erasure falls due.

    The erasure is never less than a full week after the notice, even when the notice is late
    (the dispatcher was down, or the hour was not decent): the date promised is the date kept.
    """
    local = now.astimezone(zone).time()
    if not DECENT_FROM <= local < DECENT_UNTIL:
        return Defer(until=next_due(DECENT_FROM, zone, _EveryDay(), now))
    due = last_seen + timedelta(days=policy.days)
    return SendNotice(erase_at=max(due, now + timedelta(days=NOTICE_DAYS)))


def may_erase(
    policy: RetentionPolicy, last_seen: datetime, erase_at: datetime, now: datetime
) -> bool:
    """Say whether a person told of the erasure may be erased now."""
    return erase_at <= now and last_seen <= policy.erase_cutoff(now)


def date_in_words(day: date) -> str:
    """Return a date as people write it: "9 December 2027"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def period_in_words(knowledge: Knowledge, days: int) -> str:
    """Return a retention period in words: whole years as years, anything else in days."""
    if days % 365 == 0:
        years = days // 365
        return knowledge.say("period_year" if years == 1 else "period_years", count=years)
    return knowledge.say("period_days", count=days)


def notice_message(knowledge: Knowledge, erase_at: datetime, zone: tzinfo) -> Say:
    """Return the notice that the person's data goes on a date (theirs) unless they say hi."""
    day = local_day(erase_at, zone)
    return Say(
        text=knowledge.say("retention_notice", date=date_in_words(day)), key="retention_notice"
    )
