"""Data that expires, the pure rules: when the notice goes, what date it promises, in words."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.core.knowledge import Knowledge
from bot.core.retention import (
    Defer,
    RetentionPolicy,
    SendNotice,
    date_in_words,
    may_erase,
    notice_message,
    period_in_words,
    plan_notice,
)
from bot.core.zones import person_zone

POLICY = RetentionPolicy(days=365, lead_days=730)
TOKYO = ZoneInfo("Asia/Tokyo")
LONDON = ZoneInfo("Europe/London")
SEEN = datetime(2026, 12, 9, 12, 0, tzinfo=UTC)


def test_the_notice_goes_at_a_decent_hour_and_promises_the_full_period():
    now = SEEN + timedelta(days=358)  # 12:00 UTC, 21:00 in Tokyo, 12:00 in London
    assert plan_notice(POLICY, SEEN, now, LONDON) == SendNotice(erase_at=SEEN + timedelta(days=365))
    deferred = plan_notice(POLICY, SEEN, now, TOKYO)
    assert deferred == Defer(until=datetime(2027, 12, 3, 1, 0, tzinfo=UTC))  # 10:00 in Tokyo
    assert deferred.until.astimezone(TOKYO).hour == 10


@pytest.mark.parametrize(
    ("local", "decent"),
    [("09:59", False), ("10:00", True), ("19:59", True), ("20:00", False), ("03:00", False)],
)
def test_decent_hours_are_ten_to_eight_local(local, decent):
    hour, minute = map(int, local.split(":"))
    now = datetime(2027, 12, 2, hour, minute, tzinfo=LONDON)
    assert isinstance(plan_notice(POLICY, SEEN, now, LONDON), SendNotice) is decent


def test_a_late_notice_still_gives_a_full_week():
    now = SEEN + timedelta(days=400)  # the dispatcher was down for weeks
    plan = plan_notice(POLICY, SEEN, now, UTC)
    assert plan == SendNotice(erase_at=now + timedelta(days=7))
    assert not may_erase(POLICY, SEEN, plan.erase_at, now + timedelta(days=6))
    assert may_erase(POLICY, SEEN, plan.erase_at, now + timedelta(days=7))


def test_nobody_seen_recently_is_erased_even_if_a_date_has_passed():
    now = SEEN + timedelta(days=100)
    assert not may_erase(POLICY, SEEN, SEEN, now)


def test_dates_and_periods_in_words(knowledge: Knowledge):
    assert date_in_words(date(2027, 12, 9)) == "9 December 2027"
    assert date_in_words(date(2028, 1, 31)) == "31 January 2028"
    assert period_in_words(knowledge, 365) == "a year"
    assert period_in_words(knowledge, 730) == "2 years"
    assert period_in_words(knowledge, 90) == "90 days"


def test_the_notice_names_the_day_where_the_person_is(knowledge: Knowledge):
    erase_at = datetime(2027, 12, 9, 20, 0, tzinfo=UTC)  # already the 10th in Tokyo
    assert "on 9 December 2027 unless you" in notice_message(knowledge, erase_at, LONDON).text
    assert "on 10 December 2027 unless you" in notice_message(knowledge, erase_at, TOKYO).text


def test_the_zone_is_the_persons_then_their_reminders_then_utc():
    assert person_zone("Asia/Tokyo", "Europe/London") == TOKYO
    assert person_zone(None, "Europe/London") == LONDON
    assert person_zone("Not/AZone", None) == UTC
    assert person_zone(None, None) == UTC


def test_a_policy_must_leave_room_for_the_notice():
    with pytest.raises(ValueError, match="7-day notice"):
        RetentionPolicy(days=7)
    assert RetentionPolicy(days=8).notice_cutoff(SEEN) == SEEN - timedelta(days=1)
