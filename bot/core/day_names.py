"""Name days and months in words from knowledge/messages.yaml, never from the machine's locale.

strftime's "%a" and "%b" follow the locale the bot happens to run under; the sentences here
are the clinician's and the translator's to edit, in the order their language says a date.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from bot.core.reminders import DAY_NAMES as WEEKDAYS

MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")

# The sentences, with the placeholders each may use: checked by `footcoach check-knowledge`.
DAY_MESSAGES: dict[str, frozenset[str]] = {
    "date_short": frozenset({"weekday", "day", "month"}),
    "date_day_month": frozenset({"day", "month"}),
    "date_long": frozenset({"weekday", "day", "month"}),
    **{f"weekday_short_{name}": frozenset() for name in WEEKDAYS},
    **{f"month_short_{name}": frozenset() for name in MONTHS},
    **{f"month_{name}": frozenset() for name in MONTHS},
}

Say = Callable[..., str]


def short_day(say: Say, day: date) -> str:
    """Name a day briefly, with its weekday ("Tue 3 Nov")."""
    weekday = say(f"weekday_short_{WEEKDAYS[day.weekday()]}")
    month = say(f"month_short_{MONTHS[day.month - 1]}")
    return say("date_short", weekday=weekday, day=day.day, month=month)


def day_and_month(say: Say, day: date) -> str:
    """Name a day by its date and month in full ("3 November")."""
    return say("date_day_month", day=day.day, month=say(f"month_{MONTHS[day.month - 1]}"))


def long_day(say: Say, day: date) -> str:
    """Name a day in full, with its weekday ("Monday 7 December")."""
    return say(
        "date_long",
        weekday=say(f"weekday_{WEEKDAYS[day.weekday()]}"),
        day=day.day,
        month=say(f"month_{MONTHS[day.month - 1]}"),
    )
