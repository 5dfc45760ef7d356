"""When reminders fall due: reading a clock time from chat, and the next due instant.

Everything here is pure: no clock is read and nothing is stored. Callers pass "now" in and get
aware UTC datetimes back. Zone matching lives in `bot.core.zones` and is re-exported here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from enum import StrEnum
from typing import Protocol

from bot.core.zones import (
    ZoneCandidate,
    ZoneMatcher,
    load_zone_aliases,
    match_zone,
    offset_key,
    zone_from_key,
)

__all__ = [
    "DayRule",
    "TimeRefusal",
    "ZoneCandidate",
    "ZoneMatcher",
    "catch_up",
    "load_zone_aliases",
    "local_day",
    "match_zone",
    "next_due",
    "offset_key",
    "parse_start",
    "parse_time",
    "zone_from_key",
]


class DayRule(Protocol):
    """Which local days something falls due on (bot.core.reminders.Days is one)."""

    def allows(self, day: date) -> bool:
        """Tell whether `day` is one of them."""
        ...


class TimeRefusal(StrEnum):
    """Why a message could not be read as a clock time; the bot words a helpful answer."""

    not_a_time = "not_a_time"  # nothing that looks like a time: "banana", "-1", ""
    out_of_range = "out_of_range"  # looks like a time but no clock shows it: "25:00", "13pm"
    ambiguous = "ambiguous"  # two different times: "7 or 8"


# --- parsing ----------------------------------------------------------------------------------

_HOUR_WORDS = {
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
}
_MINUTE_WORDS = {"fifteen": "15", "thirty": "30", "forty five": "45"}
_HOUR_WORD = "|".join(_HOUR_WORDS)
_NUMBER_START = r"(?<![\w.:+])"
# "3 times", "10 minutes", "2 days": numbers that count something rather than name an hour.
_NOT_A_UNIT = (
    r"(?!st\b|nd\b|rd\b|th\b)(?!\s*(?:%|x\b|times?\b|days?\b|weeks?\b|months?\b|years?\b|"
    r"mins?\b|minutes?\b|hours?\b|hrs?\b|secs?\b|seconds?\b|reps?\b|sets?\b|steps?\b|kg\b|km\b|"
    r"reminders?\b|alarms?\b|messages?\b|exercises?\b))"
)
# Other counts need "minutes" ("13 minutes past 7"): a bare "6 to 7" is a range, not 06:54.
# The American "quarter of 8" is "quarter to 8".
_RELATIVE = re.compile(
    _NUMBER_START + r"(?P<n>half|(?:a\s+)?quarter|\d{1,2}(?=\s+min)|5|10|20|25)"
    r"(?:\s+(?:minutes?|mins?))?"
    r"\s+(?P<dir>past|after|to|till|til|before|of)\s+(?P<h>\d{1,2}|noon|midday|midnight)(?!\d)"
)
_PATTERNS = (
    ("relative", _RELATIVE),
    ("word", re.compile(r"\b(?:12\s*)?(?P<w>noon|midday|midnight)\b")),
    ("half", re.compile(_NUMBER_START + r"half\s+(?P<h>\d{1,2})(?![\d:.])")),
    ("clock", re.compile(_NUMBER_START + r"(?P<h>\d{1,2})[:.h](?P<m>\d+)(?!\d)" + _NOT_A_UNIT)),
    ("compact", re.compile(_NUMBER_START + r"(?P<d>\d{3,4})(?:\s*(?:h|hrs|hours)\b)?(?!\d)")),
    # "(?![.:]\d)": the 2 of "2.5 hours" is no hour of its own.
    ("hour", re.compile(_NUMBER_START + r"(?P<h>\d{1,2})(?:\s*h\b)?(?![\d]|[.:]\d)" + _NOT_A_UNIT)),
)
_MERIDIEM = re.compile(r"\s*(?P<mer>am|pm)\b")
_PERIOD = re.compile(r"\s*(?:in the |this |at )?(?P<per>morning|afternoon|evening|night|tonight)\b")
# "Good evening!" is a greeting, not a request for an evening reminder.
_PERIOD_ANYWHERE = re.compile(r"\b(?<!good )(?P<per>morning|afternoon|evening|night|tonight)\b")
_PM_PERIODS = frozenset({"afternoon", "evening"})
_NIGHT_PERIODS = frozenset({"night", "tonight"})


@dataclass(frozen=True, slots=True)
class _Reading:
    """One stretch of the message that looks like a time, and what it comes to."""

    value: time | TimeRefusal
    # Minutes, am/pm or a part of day make a time unmistakable, so in "I'm 45, remind me at 7:30"
    # the stray 45 gives way; two bare hours ("7 or 8") stay ambiguous.
    strong: bool


# Before this, a time read from a bare hour ("1", "at 5") falls in the night: rarely meant.
NIGHT_ENDS = time(6, 0)
_BARE_SMALL_HOUR = re.compile(r"^\D*?\b[0-5]\b\D*$")


def bare_night_hour(text: str, at: time) -> bool:
    """Say whether `at` was read from a bare small hour ("1", "at 5") to the night, with no
    am, pm, part of day or "midnight" to say the night was meant."""
    normal = _normalise(text)
    return (
        at < NIGHT_ENDS
        and _BARE_SMALL_HOUR.match(normal) is not None
        and not _MERIDIEM.search(normal)
        and not _PERIOD_ANYWHERE.search(normal)
        and "midnight" not in normal
    )


def parse_time(text: str) -> time | TimeRefusal:
    """Read a clock time from a chat message, or say why not.

    Accepts "7", "7am", "7.30pm", "19:00", "1900", "7h30", "half past 7", "quarter to 8",
    "7 in the evening", "noon", "midnight", also inside a sentence ("remind me at 7.30 please").
    A bare hour without am/pm is read on the 24-hour clock, so 1-11 mean the morning ("7" is
    07:00), "12" is noon and "0" is midnight. With am/pm only hours 1-12 exist: "12am" is 00:00,
    "12pm" is noon, and "0pm" / "13pm" are out of range, as are "24:00" and "7:75".
    A part of day anywhere in the message ("every evening at 7") applies to a bare hour.
    """
    normal = _normalise(text)
    readings = list(_readings(normal))
    strong = {r.value for r in readings if r.strong and isinstance(r.value, time)}
    if len(strong) == 1:
        return strong.pop()
    if len(strong) > 1:
        return TimeRefusal.ambiguous
    refusals = [r.value for r in readings if isinstance(r.value, TimeRefusal)]
    if refusals:
        return min(refusals, key=[TimeRefusal.out_of_range, TimeRefusal.not_a_time].index)
    weak = {r.value for r in readings}
    if len(weak) > 1:
        return TimeRefusal.ambiguous
    return weak.pop() if weak else TimeRefusal.not_a_time


def _normalise(text: str) -> str:
    """Lowercase `text` and spell times one way: "a.m." as "am", "seven" as "7"."""
    text = text.lower().replace("’", "'").replace("−", "-")
    text = re.sub(r"(?<![a-z])([ap])\.\s*m\b\.?", r"\1m", text)
    text = re.sub(r"\bo'?\s?clock\b", " ", text)
    text = re.sub(r"\bforty[- ]five\b", "forty five", text)
    # "twenty past seven", "twenty-five to eight": the minutes before an hour
    text = re.sub(r"\btwenty[- ]five\b", "25", text)
    text = re.sub(r"\btwenty\b", "20", text)
    text = re.sub(
        rf"\b({_HOUR_WORD})\s+({'|'.join(_MINUTE_WORDS)})\b",
        lambda m: f"{_HOUR_WORDS[m[1]]}:{_MINUTE_WORDS[m[2]]}",
        text,
    )
    text = re.sub(rf"\b({_HOUR_WORD})\b", lambda m: str(_HOUR_WORDS[m[1]]), text)
    # A minus sign makes a number negative ("-1"), but "7-8" is a range of two hours.
    return re.sub(r"(?<![\w)])-\s*\d+(?:[.:]\d+)?", " ", text)


def _readings(text: str) -> list[_Reading]:
    """Find every stretch of `text` that looks like a time, most specific patterns first."""
    found: list[tuple[int, _Reading]] = []
    period_words = {m["per"] for m in _PERIOD_ANYWHERE.finditer(text)}
    overall = {_period_kind(p) for p in period_words}
    default_period = period_words.pop() if len(overall) == 1 else None
    for kind, pattern in _PATTERNS:
        for match in pattern.finditer(text):
            end = match.end()
            meridiem = _MERIDIEM.match(text, end)
            if meridiem:
                end = meridiem.end()
            period = _PERIOD.match(text, end)
            if period:
                end = period.end()
            value = _value(
                kind,
                match.groupdict(),
                meridiem["mer"] if meridiem else None,
                period["per"] if period else None,
                default_period,
            )
            strong = bool(kind != "hour" or meridiem or period)
            found.append((match.start(), _Reading(value, strong)))
            # Blank what was read so "7:30" is not read again as "7" and "30".
            text = text[: match.start()] + " " * (end - match.start()) + text[end:]
    return [reading for _, reading in sorted(found, key=lambda item: item[0])]


def _period_kind(period: str) -> str:
    """Sort a part of day into "am", "pm" or "night"."""
    if period in _PM_PERIODS:
        return "pm"
    return "night" if period in _NIGHT_PERIODS else "am"


def _value(
    kind: str,
    parts: dict[str, str | None],
    meridiem: str | None,
    period: str | None,
    default_period: str | None,
) -> time | TimeRefusal:
    """Turn the pieces of one match into a time, or the reason it is not one."""
    if kind == "word":
        return time(12) if parts["w"] in ("noon", "midday") else time(0)
    if kind == "compact":
        digits = parts["d"] or ""
        hour, minute_text = int(digits[:-2]), digits[-2:]
    elif kind == "clock":
        hour, minute_text = int(parts["h"] or 0), parts["m"] or ""
        if len(minute_text) != 2:
            return TimeRefusal.not_a_time
    elif kind == "half":
        hour, minute_text = int(parts["h"] or 0), "30"
    else:
        hour, minute_text = _hour_of(parts["h"] or ""), "00"
    minute = int(minute_text)
    if meridiem is None and period is None and 1 <= hour <= 12:
        # Only a bare 12-hour reading borrows the part of day said elsewhere in the message.
        period = default_period
    hour_or_refusal = _with_part_of_day(hour, meridiem, period)
    if isinstance(hour_or_refusal, TimeRefusal) or minute > 59:
        return TimeRefusal.out_of_range
    hour = hour_or_refusal
    if kind != "relative":
        return time(hour, minute) if hour < 24 else TimeRefusal.out_of_range
    return _relative(parts["n"] or "", parts["dir"] or "", hour)


def _hour_of(word: str) -> int:
    """Read an hour written as digits or as "noon" / "midnight"."""
    named = {"noon": 12, "midday": 12, "midnight": 0}
    return named[word] if word in named else int(word)


def _with_part_of_day(hour: int, meridiem: str | None, period: str | None) -> int | TimeRefusal:
    """Apply am/pm or "in the evening" to a clock hour; refuse combinations no clock shows."""
    if meridiem:
        if not 1 <= hour <= 12:
            return TimeRefusal.out_of_range
        hour = hour % 12 + (12 if meridiem == "pm" else 0)
        if period and _with_part_of_day(hour % 12 or 12, None, period) != hour:
            return TimeRefusal.out_of_range
        return hour
    if period is None or hour == 0 or hour > 12:
        # "19 in the evening" is merely redundant; "19 in the morning" contradicts itself.
        if period and hour > 12 and _period_kind(period) == "am":
            return TimeRefusal.out_of_range
        return hour
    kind = _period_kind(period)
    if kind == "am":
        return hour % 12
    if kind == "pm":
        return hour % 12 + 12
    # At night, 6-11 are evening hours, 12 is midnight and 1-5 are the small hours.
    return hour + 12 if 6 <= hour <= 11 else hour % 12


def _relative(amount: str, direction: str, hour: int) -> time | TimeRefusal:
    """Work out "quarter past 7", "20 to 8", "half past 12"."""
    words = {"half": 30, "quarter": 15, "a quarter": 15}
    minutes = words.get(" ".join(amount.split()))
    if minutes is None:
        minutes = int(amount)
    if not 1 <= minutes <= 59:
        return TimeRefusal.out_of_range
    # "quarter to midnight" is 23:45, so midnight counts as hour 24 when counting back.
    forward = direction in ("past", "after")
    total = hour * 60 + minutes if forward else (hour or 24) * 60 - minutes
    if not 0 <= total < 24 * 60:
        return TimeRefusal.out_of_range
    return time(total // 60, total % 60)


# "from tomorrow", "tomorrow at 8", with the usual slips; "2moro" would read as 02:00.
_TOMORROW = r"(?:tomorrow|tomorow|tommorow|tommorrow|tmrw|tmr|tmw)"
_START_WORDS = (
    (re.compile(r"\bday after " + _TOMORROW + r"\b"), 2),
    (re.compile(r"\b" + _TOMORROW + r"\b"), 1),
)


def parse_start(text: str) -> int | None:
    """Read in how many days the first reminder is asked for ("from tomorrow": 1), or None."""
    normal = " ".join(text.lower().replace("-", " ").split())
    for pattern, days in _START_WORDS:
        if pattern.search(normal):
            return days
    return None


# --- due instants -----------------------------------------------------------------------------


def local_day(instant: datetime, zone: tzinfo) -> date:
    """Return the calendar day it is in `zone` at the aware `instant`."""
    _require_aware(instant, "instant")
    return instant.astimezone(zone).date()


def next_due(at: time, zone: tzinfo, days: DayRule, after: datetime) -> datetime:
    """Return the first UTC instant strictly after `after` when `zone` shows `at` on a due day.

    Across daylight saving the wall time is kept: a time skipped by a spring-forward gap is due
    at the first moment after the gap (02:30 -> 03:00), and a time that happens twice in a
    fall-back fold is due once, at its first occurrence.
    """
    _require_aware(after, "after")
    wall = at.replace(tzinfo=None)
    day = local_day(after, zone) - timedelta(days=1)
    # A due day comes within three local days (Friday -> Monday); the slack covers zones that
    # skipped a whole calendar day (Pacific/Apia, 2011-12-30).
    for _ in range(10):
        if days.allows(day):
            instant = _wall_to_utc(datetime.combine(day, wall), zone)
            if instant > after:
                return instant
        day += timedelta(days=1)
    raise AssertionError("no due day within ten days")  # pragma: no cover


def _wall_to_utc(wall: datetime, zone: tzinfo) -> datetime:
    """Return when the naive `wall` time first shows in `zone`, or the end of its gap."""
    first = wall.replace(tzinfo=zone, fold=0).astimezone(UTC)
    if first.astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # `wall` is inside a gap. fold=1 reads it with the offset after the change, which lands
    # before the gap, and fold=0 after it; the gap ends at the first instant in between whose
    # wall clock has reached `wall`.
    low = wall.replace(tzinfo=zone, fold=1).astimezone(UTC)
    low, high = min(low, first), max(low, first)
    while high - low > timedelta(seconds=1):
        middle = low + (high - low) / 2
        middle = middle.replace(microsecond=0)
        if middle.astimezone(zone).replace(tzinfo=None) >= wall:
            high = middle
        else:
            low = middle
    return high


def catch_up(due: datetime, now: datetime, grace: timedelta = timedelta(hours=2)) -> bool:
    """Tell whether a reminder that fell due at `due` while the bot was down is still worth it."""
    _require_aware(due, "due")
    _require_aware(now, "now")
    # Not yet due is not a catch-up; a reminder hours late for a morning routine is just noise.
    return timedelta(0) <= now - due < grace


def _require_aware(moment: datetime, name: str) -> None:
    """Refuse a naive datetime, which would silently mean the server's local time."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
