"""The reminder's decisions on plain values: the second reminder, the follow-up, quiet hours."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.reminders import (
    Days,
    ReminderRules,
    SendKind,
    answered,
    claim,
    first_due,
    hours_apart,
    next_weekday,
    parse_days,
    parse_start_weekday,
    pause,
    quiet,
    resume,
    second_too_close,
    set_up,
    with_second,
)

LONDON = ZoneInfo("Europe/London")
RULES = ReminderRules()


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=LONDON).astimezone(UTC)


def sends(reminder, moments):
    """Claim at each moment in turn; return (moment, kind) of every send, and the reminder."""
    found = []
    for moment in moments:
        decided = claim(reminder, moment, RULES)
        reminder = decided.reminder
        found += [(moment, send.kind) for send in decided.sends]
    return found, reminder


def hourly(start: str, hours: int) -> list[datetime]:
    first = at(start)
    return [first + timedelta(minutes=30 * n) for n in range(hours * 2 + 1)]


def test_an_unanswered_reminder_gets_one_follow_up() -> None:
    reminder = set_up(time(9, 0), "Europe/London", Days.daily, at("2026-11-25 08:00"), None)
    found, _ = sends(reminder, hourly("2026-11-25 08:30", 14))
    assert [(m.astimezone(LONDON).strftime("%H:%M"), k) for m, k in found] == [
        ("09:00", SendKind.main),
        ("12:00", SendKind.follow_up),
    ]


def test_an_answered_reminder_gets_none() -> None:
    reminder = set_up(time(9, 0), "Europe/London", Days.daily, at("2026-11-25 08:00"), None)
    decided = claim(reminder, at("2026-11-25 09:00"), RULES)
    reminder = answered(decided.reminder, date(2026, 11, 25))
    found, _ = sends(reminder, hourly("2026-11-25 09:30", 10))
    assert found == []


def test_no_follow_up_at_night() -> None:
    reminder = set_up(time(19, 30), "Europe/London", Days.daily, at("2026-11-25 08:00"), None)
    found, _ = sends(reminder, hourly("2026-11-25 19:00", 14))
    assert [k for _, k in found] == [SendKind.main]  # 22:30 is in the quiet hours
    assert quiet(RULES, time(22, 30)) and quiet(RULES, time(7, 59))
    assert not quiet(RULES, time(8, 0)) and not quiet(RULES, time(20, 59))


def test_a_second_reminder_keeps_its_local_time_across_daylight_saving() -> None:
    start = at("2026-03-27 08:00")
    reminder = set_up(time(9, 0), "Europe/London", Days.daily, start, None)
    reminder = with_second(reminder, time(19, 30), start)
    moments = [start + timedelta(minutes=30 * n) for n in range(4 * 48)]
    found, _ = sends(reminder, moments)
    seconds = [m.astimezone(LONDON) for m, k in found if k is SendKind.second]
    assert [(s.date().isoformat(), s.strftime("%H:%M")) for s in seconds] == [
        ("2026-03-27", "19:30"),
        ("2026-03-28", "19:30"),
        ("2026-03-29", "19:30"),  # clocks went forward that night
        ("2026-03-30", "19:30"),
    ]
    mains = [m for m, k in found if k is SendKind.main]
    assert len(mains) == 4 and len({m.astimezone(LONDON).date() for m in mains}) == 4


def test_each_reminder_at_most_once_a_day_when_the_time_is_changed() -> None:
    start = at("2026-11-25 08:00")
    reminder = with_second(
        set_up(time(9, 0), "Europe/London", Days.daily, start, None), time(18, 0), start
    )
    _, reminder = sends(reminder, hourly("2026-11-25 08:30", 10))
    # Moved to later the same day: today's was sent already, so nothing more today.
    moved = with_second(reminder, time(19, 0), at("2026-11-25 18:30"))
    found, _ = sends(moved, hourly("2026-11-25 18:30", 3))
    assert [k for _, k in found] == []


def test_a_follow_up_long_overdue_after_a_restart_is_dropped() -> None:
    reminder = set_up(time(9, 0), "Europe/London", Days.daily, at("2026-11-25 08:00"), None)
    decided = claim(reminder, at("2026-11-25 09:00"), RULES)
    # The bot was down from 11:00 to 17:00; the 12:00 follow-up is not sent at 17:00.
    late = claim(decided.reminder, at("2026-11-25 17:00"), RULES)
    assert late.sends == () and late.reminder.follow_up_due is None


def test_the_weekly_review_comes_with_the_reminder_seven_days_after_the_first() -> None:
    reminder = set_up(time(8, 0), "Europe/London", Days.daily, at("2026-11-23 20:00"), None)
    mornings = [at("2026-11-24 08:00") + timedelta(days=n) for n in range(15)]
    found, reminder = sends(reminder, mornings)
    reviews = [m.astimezone(LONDON).date().isoformat() for m, k in found if k is SendKind.review]
    assert reviews == ["2026-12-01", "2026-12-08"]
    assert reminder.review_day == date(2026, 12, 8)


def test_on_chosen_days_the_review_comes_on_the_first_reminder_a_week_on() -> None:
    mondays_and_fridays = Days("d:1000100")
    reminder = set_up(
        time(8, 0), "Europe/London", mondays_and_fridays, at("2026-11-22 20:00"), None
    )
    mornings = [at("2026-11-23 08:00") + timedelta(days=n) for n in range(21)]
    found, _ = sends(reminder, mornings)
    reviews = [m.astimezone(LONDON).date().isoformat() for m, k in found if k is SendKind.review]
    # First reminder Monday 23rd; the reminder on or after Monday 30th brings the review.
    assert reviews == ["2026-11-30", "2026-12-07"]


def test_follow_ups_keep_to_one_a_local_day_across_daylight_saving() -> None:
    for start in ("2026-03-27 08:00", "2026-10-23 08:00"):  # spring forward, fall back
        first = at(start)
        reminder = set_up(time(9, 0), "Europe/London", Days.daily, first, None)
        found, _ = sends(reminder, [first + timedelta(minutes=15 * n) for n in range(4 * 24 * 4)])
        follow_ups = [m.astimezone(LONDON) for m, k in found if k is SendKind.follow_up]
        assert [f.strftime("%H:%M") for f in follow_ups] == ["12:00"] * 4, start
        assert len({f.date() for f in follow_ups}) == 4


def test_a_second_reminder_is_measured_the_short_way_round_the_clock() -> None:
    rules = ReminderRules(second_gap_hours=4)
    assert hours_apart(time(7, 30), time(8, 0)) == 0.5
    assert hours_apart(time(22, 0), time(1, 0)) == 3  # across midnight
    assert second_too_close(rules, time(7, 30), time(8, 0))
    assert second_too_close(rules, time(22, 0), time(1, 0))
    assert not second_too_close(rules, time(7, 30), time(11, 30))
    assert not second_too_close(ReminderRules(second_gap_hours=0), time(7, 30), time(7, 30))


def test_nothing_is_due_before_the_day_asked_for() -> None:
    now = at("2026-11-27T07:00")  # a Friday
    tomorrow = date(2026, 11, 28)
    assert first_due(time(8), "Europe/London", Days.daily, now) == at("2026-11-27T08:00")
    assert first_due(time(8), "Europe/London", Days.daily, now, tomorrow) == at("2026-11-28T08:00")
    # Weekdays from tomorrow (a Saturday) start on Monday.
    weekdays = first_due(time(8), "Europe/London", Days.weekdays, now, tomorrow)
    assert weekdays == at("2026-11-30T08:00")
    reminder = set_up(time(8), "Europe/London", Days.daily, now, None, starts_on=tomorrow)
    assert reminder.next_due == at("2026-11-28T08:00")
    # A second reminder, a change of time and a resume all keep the first day.
    assert with_second(reminder, time(19), now).second_next_due == at("2026-11-28T19:00")
    changed = set_up(time(7, 30), "Europe/London", Days.daily, now, reminder)
    assert (changed.starts_on, changed.next_due) == (tomorrow, at("2026-11-28T07:30"))
    assert resume(pause(reminder), now).next_due == at("2026-11-28T08:00")


@pytest.mark.parametrize(
    ("text", "weekday", "days"),
    [
        ("from Monday", 0, None),
        ("starting monday", 0, None),
        ("start on Mondays", 0, None),
        ("starting from next Tuesday", 1, None),
        ("7:30 weekdays starting thurs", 3, "weekdays"),
        ("mon wed fri from monday", 0, "d:1010100"),
        ("every day from next week", 0, "daily"),
        # "next Monday" is one day, the first: not "Mondays"
        ("next monday", 0, None),
        ("weekdays, next tuesday", 1, "weekdays"),
        ("next monday to friday", None, "weekdays"),
        # the day alone, or a span of days, is the days
        ("on Mondays", None, "d:1000000"),
        ("monday", None, "d:1000000"),
        ("from monday to friday", None, "weekdays"),
        ("from mon-thu", None, "d:1111000"),
        ("next week", None, None),
    ],
)
def test_from_a_weekday_is_the_first_day_not_the_days(
    text: str, weekday: int | None, days: str | None
) -> None:
    assert parse_start_weekday(text) == weekday
    found = parse_days(text)
    assert (found.value if found else None) == days


def test_the_first_day_of_the_week_asked_for_is_the_next_one() -> None:
    thursday = date(2026, 12, 3)
    assert next_weekday(thursday, 0) == date(2026, 12, 7)
    assert next_weekday(thursday, 4) == date(2026, 12, 4)  # Friday: tomorrow
    # on a Monday, "from Monday" is the next one, a week on
    assert next_weekday(date(2026, 12, 7), 0) == date(2026, 12, 14)
