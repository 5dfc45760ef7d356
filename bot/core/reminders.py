"""A person's daily reminder, and every decision about it as a pure function on plain values.

The store loads a `Reminder`, asks one of the functions below what it becomes, and writes the
answer back; the senders and the coach decide nothing about rows themselves. That keeps the
guarantees (at most once per local day, catch-up after a restart, retries with backoff) in one
place that tests can exercise without a database.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from bot.core.schedule import catch_up, local_day, next_due
from bot.core.zones import zone_from_key

# A reminder that fell due while the bot was down is still sent this long after its time.
CATCH_UP = timedelta(hours=2)
# The weekly review comes with the daily reminder this many days after the last one.
REVIEW_DAYS = 7
# Failed sends of one local day, each retried later through the snooze slot.
MAX_SEND_ATTEMPTS = 5
SNOOZE = timedelta(hours=1)


DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_WEEKDAYS = frozenset(range(5))
_WEEKENDS = frozenset({5, 6})
_EVERY_DAY = frozenset(range(7))


class Days(str):
    """Which local days a reminder is sent on: "daily", "weekdays", "weekends", or chosen days.

    Chosen days are kept as "d:" and one digit per weekday from Monday ("d:1010100" is Monday,
    Wednesday and Friday), short enough for the store's column; a set that has a name is
    always written by its name.
    """

    __slots__ = ()
    daily: Days
    weekdays: Days
    weekends: Days

    def __new__(cls, value: str) -> Days:
        """Return the days written `value`, in its one canonical spelling."""
        return cls.of(_parse_code(str(value)))

    @classmethod
    def of(cls, weekdays: frozenset[int]) -> Days:
        """Return the days for a set of weekday numbers (0 is Monday)."""
        if not weekdays or not weekdays <= _EVERY_DAY:
            raise ValueError("days need at least one weekday from 0 (Monday) to 6")
        if weekdays == _EVERY_DAY:
            code = "daily"
        elif weekdays == _WEEKDAYS:
            code = "weekdays"
        elif weekdays == _WEEKENDS:
            code = "weekends"
        else:
            code = "d:" + "".join("1" if n in weekdays else "0" for n in range(7))
        return str.__new__(cls, code)

    @property
    def value(self) -> str:
        """Return the stored spelling ("daily", "d:1010100")."""
        return str(self)

    @property
    def named(self) -> bool:
        """Say whether the set has a name of its own (daily, weekdays, weekends)."""
        return not self.startswith("d:")

    def numbers(self) -> frozenset[int]:
        """Return the weekday numbers (0 is Monday)."""
        return _parse_code(str(self))

    def allows(self, day: date) -> bool:
        """Tell whether a reminder with these days is sent on local `day`."""
        return day.weekday() in self.numbers()

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: Any) -> Any:
        """Validate from and serialize to the stored spelling."""
        from pydantic_core import core_schema

        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.str_schema(),
            serialization=core_schema.plain_serializer_function_ser_schema(str),
        )


def _parse_code(code: str) -> frozenset[int]:
    if code == "daily":
        return _EVERY_DAY
    if code == "weekdays":
        return _WEEKDAYS
    if code == "weekends":
        return _WEEKENDS
    if code.startswith("d:") and len(code) == 9 and set(code[2:]) <= {"0", "1"}:
        return frozenset(n for n, bit in enumerate(code[2:]) if bit == "1")
    raise ValueError(f"not a set of days: {code!r}")


Days.daily = Days("daily")
Days.weekdays = Days("weekdays")
Days.weekends = Days("weekends")

_DAY_WORDS = {
    "mon": 0, "monday": 0, "tue": 1, "tues": 1, "tuesday": 1, "wed": 2, "weds": 2,
    "wednesday": 2, "thu": 3, "thur": 3, "thurs": 3, "thursday": 3, "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5, "sun": 6, "sunday": 6,
}  # fmt: skip
_DAY_WORD = re.compile(r"\b(" + "|".join(sorted(_DAY_WORDS, key=len, reverse=True)) + r")s?\b")
_DAY_SPAN = re.compile(r"\b(\w+?)s?\s*(?:-|to|through|thru|till|until)\s*(\w+?)s?\b")
_EXCEPT = re.compile(r"\b(?:except|but not|apart from|not on|not|no|skip|skipping|without)\b")
_WEEKEND = re.compile(r"\bweek\s?ends?\b")
_WORKDAYS = re.compile(r"\b(?:week\s?days?|work\s?days?|working days|mon(?:day)?\s*-\s*fri)")
_EVERY = re.compile(r"\b(?:every\s?day|everyday|daily|each day|all week|7 days|seven days)\b")
# "from Monday", "starting next Tuesday", "next Monday": the first day, not the days; "from
# Monday to Friday" is still the days. "from next week" is next Monday.
_FROM = r"\b(?:from|starting|starting from|beginning|beginning from|start|as of)\s+(?:on\s+)?"
_FROM_DAY = re.compile(
    r"(?:"
    + _FROM
    + r"(?:next\s+|this\s+|the\s+)?|\bnext\s+)("
    + "|".join(sorted(_DAY_WORDS, key=len, reverse=True))
    + r")s?\b(?!\s*(?:-|to|through|thru|till|until)\b)"
)
_FROM_NEXT_WEEK = re.compile(_FROM + r"next\s+week\b")


def _fold(text: str) -> str:
    return " ".join(text.lower().replace("'", "").split())


def parse_start_weekday(text: str) -> int | None:
    """Read the weekday a person wants the reminders to start on (0 is Monday), or None.

    "from Monday", "starting Monday" and "next Monday" start on the next Monday ("from next
    week" too); "Monday" or "on Mondays" alone are the days (`parse_days`).
    """
    folded = _fold(text)
    said = _FROM_DAY.search(folded)
    if said:
        return _DAY_WORDS[said.group(1)]
    return 0 if _FROM_NEXT_WEEK.search(folded) else None


def next_weekday(today: date, weekday: int) -> date:
    """Return the first day after `today` that is `weekday` (0 is Monday): a week on for today's.

    Someone who says "from Monday" on a Monday means the next one; today is "from today".
    """
    return today + timedelta(days=(weekday - today.weekday() - 1) % 7 + 1)


def parse_days(text: str) -> Days | None:
    """Read which days a person wants ("weekdays", "mon wed fri", "not at weekends"), or None."""
    # "from Monday" is the first day (parse_start_weekday), not a day of the reminder.
    folded = _FROM_DAY.sub(" ", _fold(text))
    chosen: set[int] = set()
    for span in _DAY_SPAN.finditer(folded):
        first, last = _DAY_WORDS.get(span.group(1)), _DAY_WORDS.get(span.group(2))
        if first is not None and last is not None:
            chosen |= {(first + n) % 7 for n in range((last - first) % 7 + 1)}
    chosen |= {_DAY_WORDS[m.group(1)] for m in _DAY_WORD.finditer(folded)}
    negated = _EXCEPT.search(folded)
    if _WEEKEND.search(folded):
        if negated and negated.start() < _WEEKEND.search(folded).start():  # type: ignore[union-attr]
            return Days.weekdays  # "not at the weekend", "skip weekends"
        chosen |= _WEEKENDS
    if _WORKDAYS.search(folded):
        chosen |= _WEEKDAYS
    if _EVERY.search(folded):
        if negated and chosen:
            return Days.of(_EVERY_DAY - chosen)  # "every day except fridays"
        return Days.daily
    if negated and chosen and not _WORKDAYS.search(folded):
        return Days.of(_EVERY_DAY - chosen)  # "not fridays"
    return Days.of(frozenset(chosen)) if chosen else None


class Reminder(BaseModel):
    """A person's reminder: its settings, and where its sending stands.

    Besides the daily reminder there may be a second one the same days (for moves done twice
    a day), and one gentle follow-up of a reminder nobody answered. Each is sent at most once
    per local day, and every day sent is recorded before the send.
    """

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
    second_at: time | None = None
    second_next_due: datetime | None = None
    second_last_day: date | None = None
    follow_up_due: datetime | None = None  # when to nudge if `last_day` is still unanswered
    answered_day: date | None = None  # the latest local day the person answered a reminder
    review_day: date | None = None  # the latest weekly review (or the first reminder's day)
    # The local day asked for the first one ("from tomorrow"): nothing is due before it.
    starts_on: date | None = None


class ReminderRules(BaseModel):
    """The follow-up of an unanswered reminder, and the quiet hours (from rules.yaml)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    follow_up: bool = True
    follow_up_hours: float = 3.0
    quiet_from: time = time(21, 0)
    quiet_until: time = time(8, 0)
    # The second daily reminder (moves done twice a day) comes at least this far from the
    # first: half an hour apart is one session, not two.
    second_gap_hours: float = Field(default=4.0, ge=0, le=12)


def hours_apart(first: time, second: time) -> float:
    """Return how many hours lie between two times of day, the short way round the clock."""
    minutes = abs((first.hour * 60 + first.minute) - (second.hour * 60 + second.minute))
    return min(minutes, 24 * 60 - minutes) / 60


def second_too_close(rules: ReminderRules, first: time, second: time) -> bool:
    """Say whether a second daily reminder at `second` is too close to the first at `first`."""
    return hours_apart(first, second) < rules.second_gap_hours


class SendFailure(StrEnum):
    """How a reminder's send failed, as far as deciding what happens next goes."""

    blocked = "blocked"  # the person blocked the bot: stop until they come back
    refused = "refused"  # the request was malformed: drop today's, try tomorrow's
    not_sent = "not_sent"  # certainly not delivered: retry later today
    maybe_sent = "maybe_sent"  # may have arrived: never resend (at most once a day)


class SendKind(StrEnum):
    """Which message a send is."""

    main = "main"
    second = "second"
    follow_up = "follow_up"
    review = "review"  # once a week, after the daily reminder


@dataclass(frozen=True)
class Send:
    """One message to send for a local day."""

    kind: SendKind
    day: date


@dataclass(frozen=True)
class Claim:
    """What claiming a due reminder decided: the reminder as it now stands, and what to send."""

    reminder: Reminder
    sends: tuple[Send, ...] = ()
    skipped_late: bool = False  # one was missed: the bot was down past the catch-up window

    @property
    def send_day(self) -> date | None:
        """Return the local day of the daily reminder to send, if one is due."""
        return next((s.day for s in self.sends if s.kind is SendKind.main), None)


def first_due(
    at: time, zone: str, days: Days, now: datetime, starts_on: date | None = None
) -> datetime:
    """Return when a reminder set now at `at` in `zone` is first due, not before `starts_on`."""
    tz = zone_from_key(zone)
    due = next_due(at, tz, days, now)
    while starts_on is not None and local_day(due, tz) < starts_on:
        due = next_due(at, tz, days, due)
    return due


def set_up(
    at: time,
    zone: str,
    days: Days,
    now: datetime,
    old: Reminder | None,
    second_at: time | None = None,
    starts_on: date | None = None,
) -> Reminder:
    """Return a new or changed reminder; the days already sent stay recorded.

    A change that names no start day keeps the one asked for before, so moving the time of a
    reminder that starts tomorrow does not bring it forward to today.
    """
    second = second_at if second_at is not None else (old.second_at if old else None)
    start = starts_on if starts_on is not None else (old.starts_on if old else None)
    return Reminder(
        at=at,
        zone=zone,
        days=days,
        next_due=first_due(at, zone, days, now, start),
        starts_on=start,
        last_day=old.last_day if old else None,
        second_at=second,
        second_next_due=first_due(second, zone, days, now, start) if second else None,
        second_last_day=old.second_last_day if old else None,
        answered_day=old.answered_day if old else None,
        review_day=old.review_day if old else None,
    )


def with_second(reminder: Reminder, at: time | None, now: datetime) -> Reminder:
    """Add (or with None remove) the second daily reminder."""
    due = first_due(at, reminder.zone, reminder.days, now, reminder.starts_on) if at else None
    return reminder.model_copy(update={"second_at": at, "second_next_due": due})


def pause(reminder: Reminder) -> Reminder:
    """Keep the settings, send nothing until resumed."""
    return reminder.model_copy(update={"paused": True, "snooze_due": None, "follow_up_due": None})


def resume(reminder: Reminder, now: datetime) -> Reminder:
    """Send again from the next due time on."""
    start = reminder.starts_on
    due = first_due(reminder.at, reminder.zone, reminder.days, now, start)
    second = reminder.second_at
    return reminder.model_copy(
        update={
            "paused": False,
            "next_due": due,
            "snooze_due": None,
            "attempts": 0,
            "second_next_due": first_due(second, reminder.zone, reminder.days, now, start)
            if second
            else None,
        }
    )


def snooze(reminder: Reminder, until: datetime) -> Reminder:
    """Send today's reminder again at `until`."""
    return reminder.model_copy(update={"snooze_due": until})


def skip_today(reminder: Reminder) -> Reminder:
    """Drop a pending snooze, so nothing more is sent today."""
    return reminder.model_copy(update={"snooze_due": None})


def answered(reminder: Reminder, day: date) -> Reminder:
    """Note that the person answered the day's reminder: no follow-up for it."""
    return reminder.model_copy(update={"answered_day": day, "follow_up_due": None})


def quiet(rules: ReminderRules, local: time) -> bool:
    """Say whether a local time is in the quiet hours (night), when nothing is sent unasked."""
    if rules.quiet_from <= rules.quiet_until:
        return rules.quiet_from <= local < rules.quiet_until
    return local >= rules.quiet_from or local < rules.quiet_until


def lag_of(reminder: Reminder, now: datetime) -> float:
    """Return how many seconds the earliest of the reminder's due instants lies before `now`."""
    due = [
        instant
        for instant in (
            reminder.next_due,
            reminder.snooze_due,
            reminder.second_next_due,
            reminder.follow_up_due,
        )
        if instant is not None and instant <= now
    ]
    return (now - min(due)).total_seconds() if due else 0.0


def claim(reminder: Reminder, now: datetime, rules: ReminderRules | None = None) -> Claim:
    """Move a due reminder on and say what to send for which local day, before anything is sent.

    The answer is committed before the send, so a day recorded here is never sent twice.
    """
    rules = rules or ReminderRules()
    try:
        zone = zone_from_key(reminder.zone)
    except ValueError:
        # A zone the tz database no longer knows: stop rather than loop on it every tick.
        return Claim(pause(reminder))
    main, skipped = _claim_main(reminder, now, zone, rules)
    sends = list(main.sends)
    reminder = main.reminder
    reminder, second = _claim_second(reminder, now, zone)
    if second is not None:
        sends.append(second)
    reminder, follow_up = _claim_follow_up(reminder, now, zone, rules)
    if follow_up is not None:
        sends.append(follow_up)
    return Claim(reminder, tuple(sends), skipped_late=skipped)


def _claim_main(
    reminder: Reminder, now: datetime, zone: tzinfo, rules: ReminderRules
) -> tuple[Claim, bool]:
    snoozed = reminder.snooze_due
    if snoozed is not None and snoozed <= now:
        cleared = reminder.model_copy(update={"snooze_due": None})
        late = not catch_up(snoozed, now, CATCH_UP)
        if late or reminder.last_day is None:
            return Claim(cleared), late
        return Claim(cleared, (Send(SendKind.main, reminder.last_day),)), False
    due = reminder.next_due
    if due is None or due > now:
        return Claim(reminder), False
    skipped = False
    if not catch_up(due, now, CATCH_UP):
        # The bot was down too long for that one: skip it, but not a later occurrence that
        # is still within the catch-up window (or due right now).
        skipped = True
        due = next_due(reminder.at, zone, reminder.days, now - CATCH_UP)
        if due > now:
            return Claim(reminder.model_copy(update={"next_due": due})), True
    after = next_due(reminder.at, zone, reminder.days, due)
    moved = reminder.model_copy(update={"next_due": after})
    day = local_day(due, zone)
    if reminder.last_day == day:
        return Claim(moved), skipped  # sent already (the time was changed)
    nudge = due + timedelta(hours=rules.follow_up_hours)
    at_night = quiet(rules, nudge.astimezone(zone).time())
    follow_up = nudge if rules.follow_up and not at_night else None
    review_day = reminder.review_day or day
    week_over = (day - review_day).days >= REVIEW_DAYS
    sent = moved.model_copy(
        update={
            "last_day": day,
            "attempts": 0,
            "follow_up_due": follow_up,
            "review_day": day if week_over else review_day,
        }
    )
    sends = [Send(SendKind.main, day)]
    if week_over:
        sends.append(Send(SendKind.review, day))
    return Claim(sent, tuple(sends)), skipped


def _claim_second(reminder: Reminder, now: datetime, zone: tzinfo) -> tuple[Reminder, Send | None]:
    due = reminder.second_next_due
    if reminder.second_at is None or due is None or due > now:
        return reminder, None
    if not catch_up(due, now, CATCH_UP):
        later = next_due(reminder.second_at, zone, reminder.days, now - CATCH_UP)
        if later > now:
            return reminder.model_copy(update={"second_next_due": later}), None
        due = later
    after = next_due(reminder.second_at, zone, reminder.days, due)
    day = local_day(due, zone)
    moved = reminder.model_copy(update={"second_next_due": after})
    if reminder.second_last_day == day:
        return moved, None
    return moved.model_copy(update={"second_last_day": day}), Send(SendKind.second, day)


def _claim_follow_up(
    reminder: Reminder, now: datetime, zone: tzinfo, rules: ReminderRules
) -> tuple[Reminder, Send | None]:
    due = reminder.follow_up_due
    if due is None or due > now:
        return reminder, None
    cleared = reminder.model_copy(update={"follow_up_due": None})
    day = reminder.last_day
    if day is None or reminder.answered_day == day or not catch_up(due, now, CATCH_UP):
        return cleared, None
    if quiet(rules, now.astimezone(zone).time()) or local_day(now, zone) != day:
        return cleared, None  # never at night, and never for another day
    return cleared, Send(SendKind.follow_up, day)


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
