"""A person's daily reminder, and every decision about it as a pure function on plain values.

The store loads a `Reminder`, asks one of the functions below what it becomes, and writes the
answer back; the senders and the coach decide nothing about rows themselves. That keeps the
guarantees (at most once per local day, catch-up after a restart, retries with backoff) in one
place that tests can exercise without a database.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from bot.core.schedule import catch_up, local_day, next_due
from bot.core.zones import zone_from_key

# A reminder that fell due while the bot was down is still sent this long after its time.
CATCH_UP = timedelta(hours=2)
# Failed sends of one local day, each retried later through the snooze slot.
MAX_SEND_ATTEMPTS = 5
SNOOZE = timedelta(hours=1)


class Days(StrEnum):
    """Which local days a reminder is sent on."""

    daily = "daily"
    weekdays = "weekdays"  # Monday to Friday

    def allows(self, day: date) -> bool:
        """Tell whether a reminder with these days is sent on local `day`."""
        return self is Days.daily or day.weekday() < 5


class Reminder(BaseModel):
    """A person's reminder: its settings, and where its sending stands."""

    model_config = ConfigDict(frozen=True)

    at: time
    zone: str
    days: Days
    paused: bool = False
    next_due: datetime | None = None
    # A snooze, or the retry of a failed send, of the day already recorded in `last_day`.
    snooze_due: datetime | None = None
    last_day: date | None = None  # local day of the latest reminder sent
    attempts: int = 0  # failed sends of `last_day`


class SendFailure(StrEnum):
    """How a reminder's send failed, as far as deciding what happens next goes."""

    blocked = "blocked"  # the person blocked the bot: stop until they come back
    refused = "refused"  # the request was malformed: drop today's, try tomorrow's
    not_sent = "not_sent"  # certainly not delivered: retry later today
    maybe_sent = "maybe_sent"  # may have arrived: never resend (at most once a day)


@dataclass(frozen=True)
class Claim:
    """What claiming a due reminder decided: the reminder as it now stands, and what to send."""

    reminder: Reminder
    send_day: date | None  # the local day to send for; None sends nothing
    skipped_late: bool = False  # one was missed: the bot was down past the catch-up window


def first_due(at: time, zone: str, days: Days, now: datetime) -> datetime:
    """Return when a reminder set now at `at` in `zone` is first due."""
    return next_due(at, zone_from_key(zone), days, now)


def set_up(at: time, zone: str, days: Days, now: datetime, old: Reminder | None) -> Reminder:
    """Return a new or changed reminder; the day already sent stays recorded."""
    return Reminder(
        at=at,
        zone=zone,
        days=days,
        next_due=first_due(at, zone, days, now),
        last_day=old.last_day if old else None,
    )


def pause(reminder: Reminder) -> Reminder:
    """Keep the settings, send nothing until resumed."""
    return reminder.model_copy(update={"paused": True, "snooze_due": None})


def resume(reminder: Reminder, now: datetime) -> Reminder:
    """Send again from the next due time on."""
    due = first_due(reminder.at, reminder.zone, reminder.days, now)
    return reminder.model_copy(
        update={"paused": False, "next_due": due, "snooze_due": None, "attempts": 0}
    )


def snooze(reminder: Reminder, until: datetime) -> Reminder:
    """Send today's reminder again at `until`."""
    return reminder.model_copy(update={"snooze_due": until})


def skip_today(reminder: Reminder) -> Reminder:
    """Drop a pending snooze, so nothing more is sent today."""
    return reminder.model_copy(update={"snooze_due": None})


def claim(reminder: Reminder, now: datetime) -> Claim:
    """Move a due reminder on and say which local day to send for, before anything is sent.

    The answer is committed before the send, so a day recorded here is never sent twice.
    """
    try:
        zone = zone_from_key(reminder.zone)
    except ValueError:
        # A zone the tz database no longer knows: stop rather than loop on it every tick.
        return Claim(pause(reminder), None)
    snoozed = reminder.snooze_due
    if snoozed is not None and snoozed <= now:
        cleared = reminder.model_copy(update={"snooze_due": None})
        late = not catch_up(snoozed, now, CATCH_UP)
        if late or reminder.last_day is None:
            return Claim(cleared, None, skipped_late=late)
        return Claim(cleared, reminder.last_day)
    due = reminder.next_due
    if due is None or due > now:
        return Claim(reminder, None)
    skipped = False
    if not catch_up(due, now, CATCH_UP):
        # The bot was down too long for that one: skip it, but not a later occurrence that
        # is still within the catch-up window (or due right now).
        skipped = True
        due = next_due(reminder.at, zone, reminder.days, now - CATCH_UP)
        if due > now:
            return Claim(reminder.model_copy(update={"next_due": due}), None, skipped_late=True)
    moved = reminder.model_copy(
        update={"next_due": next_due(reminder.at, zone, reminder.days, due)}
    )
    day = local_day(due, zone)
    if reminder.last_day == day:
        return Claim(moved, None, skipped_late=skipped)  # sent already (the time was changed)
    return Claim(
        moved.model_copy(update={"last_day": day, "attempts": 0}), day, skipped_late=skipped
    )


def after_failure(
    reminder: Reminder, day: date, failure: SendFailure, now: datetime
) -> Reminder | None:
    """Return the reminder after a failed send of `day`, or None when nothing changes."""
    if failure is SendFailure.blocked:
        return pause(reminder)
    if failure is not SendFailure.not_sent:
        return None
    if reminder.last_day != day or reminder.attempts >= MAX_SEND_ATTEMPTS:
        return None
    attempts = reminder.attempts + 1
    retry_at = now + timedelta(seconds=30 * 2 ** (attempts - 1))
    return reminder.model_copy(update={"attempts": attempts, "snooze_due": retry_at})
