"""Judge progress from daily pain check-ins on the 0-10 numeric rating scale (lower is better).

A drop of 2 points or 30% is the clinically important improvement found by Farrar et al.
(Pain 2001;94:149-158); the thresholds live in ProgressRules so the knowledge file can tune them.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from enum import StrEnum
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

PAIN_MIN = 0
PAIN_MAX = 10

# Strict so a bool or a float such as 7.5 from a buggy caller is refused rather than coerced.
PainScore = Annotated[int, Field(ge=PAIN_MIN, le=PAIN_MAX, strict=True)]


class Checkin(BaseModel):
    """One day's check-in: the pain score and whether the routine was done."""

    model_config = ConfigDict(frozen=True)

    day: date
    score: PainScore
    done: bool


class ProgressRules(BaseModel):
    """Thresholds for judging progress, loaded from the knowledge file."""

    # Forbid unknown keys so a typo in the YAML fails loudly instead of silently using a default.
    model_config = ConfigDict(frozen=True, extra="forbid")

    improvement_points: int = Field(default=2, ge=1, le=PAIN_MAX)
    improvement_percent: int = Field(default=30, ge=1, le=100)
    min_days_for_review: int = Field(default=14, ge=1)
    worsening_points: int = Field(default=2, ge=1, le=PAIN_MAX)
    worsening_window_days: int = Field(default=7, ge=1)
    high_score: int = Field(default=8, ge=PAIN_MIN, le=PAIN_MAX)
    chart_days: int = Field(default=28, ge=1, le=366)


class Verdict(StrEnum):
    """Overall direction from the first to the latest check-in."""

    IMPROVED = "improved"
    SLIGHTLY_BETTER = "slightly_better"
    NO_CHANGE = "no_change"
    WORSE = "worse"
    NOT_ENOUGH_DATA = "not_enough_data"


class NudgeReason(StrEnum):
    """Why the bot should gently suggest getting a professional opinion.

    Checked in this priority order, on one check-in per day up to today:

    - high_score: the latest check-in's score is at least ``high_score``.
    - worsening: among check-ins on or after ``today - worsening_window_days`` (with 7 days the
      same weekday last week still counts, which matters for people who check in weekly), the
      latest score is at least ``worsening_points`` above the lowest earlier one.
    - not_improving: the first and latest check-ins are at least ``min_days_for_review`` days
      apart, the drop meets neither improvement threshold, and some pain remains (a score of 0
      has nothing left to improve).
    """

    HIGH_SCORE = "high_score"
    WORSENING = "worsening"
    NOT_IMPROVING = "not_improving"


class ProgressSummary(BaseModel):
    """What the bot can say about someone's progress as of one local date."""

    model_config = ConfigDict(frozen=True)

    count: int
    enough: bool
    start_day: date | None
    latest_day: date | None
    start_score: int | None
    current_score: int | None
    change_points: int | None
    change_percent: float | None
    streak: int
    verdict: Verdict


def daily_checkins(checkins: Sequence[Checkin], today: date) -> list[Checkin]:
    """Return one check-in per day up to today, oldest first, the later entry winning a tie."""
    by_day: dict[date, Checkin] = {}
    for checkin in checkins:
        # Future days only appear after a time-zone change or a clock error; counting them
        # would make "today" mean different things to different parts of the bot.
        if checkin.day <= today:
            by_day[checkin.day] = checkin
    return [by_day[day] for day in sorted(by_day)]


def checkin_on(checkins: Sequence[Checkin], day: date) -> Checkin | None:
    """Return the check-in recorded for that day (the later entry of a tie), if any."""
    return next((c for c in reversed(checkins) if c.day == day), None)


# The shortest chart: a week, so the first days of check-ins fill it instead of a sliver.
MIN_CHART_DAYS = 7


def chart_days(checkins: Sequence[Checkin], today: date, longest: int) -> int:
    """Return how many days the chart spans: from the first check-in, a week to ``longest``."""
    days = daily_checkins(checkins, today)
    since_first = (today - days[0].day).days + 1 if days else 1
    return max(min(MIN_CHART_DAYS, longest), min(since_first, longest))


def is_important_improvement(start: int, current: int, rules: ProgressRules) -> bool:
    """Return whether the drop from start to current meets either improvement threshold."""
    drop = start - current
    if drop >= rules.improvement_points:
        return True
    # Integer arithmetic so "exactly 30%" counts, which float division can get wrong.
    return start > 0 and drop * 100 >= rules.improvement_percent * start


def summarize(checkins: Sequence[Checkin], today: date, rules: ProgressRules) -> ProgressSummary:
    """Summarise check-ins up to today: change since the start, streak and verdict."""
    days = daily_checkins(checkins, today)
    streak = _streak(days, today)
    if not days:
        return ProgressSummary(
            count=0,
            enough=False,
            start_day=None,
            latest_day=None,
            start_score=None,
            current_score=None,
            change_points=None,
            change_percent=None,
            streak=streak,
            verdict=Verdict.NOT_ENOUGH_DATA,
        )
    first, latest = days[0], days[-1]
    change = latest.score - first.score
    percent = None if first.score == 0 else change * 100 / first.score
    enough = len(days) >= 2
    return ProgressSummary(
        count=len(days),
        enough=enough,
        start_day=first.day,
        latest_day=latest.day,
        start_score=first.score,
        current_score=latest.score,
        change_points=change,
        change_percent=percent,
        streak=streak,
        verdict=_verdict(first.score, latest.score, rules) if enough else Verdict.NOT_ENOUGH_DATA,
    )


def _verdict(start: int, current: int, rules: ProgressRules) -> Verdict:
    """Classify the change between two scores."""
    if is_important_improvement(start, current, rules):
        return Verdict.IMPROVED
    if current < start:
        return Verdict.SLIGHTLY_BETTER
    if current == start:
        return Verdict.NO_CHANGE
    return Verdict.WORSE


def _streak(days: Sequence[Checkin], today: date) -> int:
    """Count consecutive routine-done days ending today, or yesterday before today's check-in."""
    done_on = {checkin.day: checkin.done for checkin in days}
    # Not having checked in yet today should not break a streak that ran until yesterday.
    cursor = today if today in done_on else today - timedelta(days=1)
    streak = 0
    while done_on.get(cursor, False):
        streak += 1
        cursor -= timedelta(days=1)
    return streak


def nudge_reason(
    checkins: Sequence[Checkin], today: date, rules: ProgressRules
) -> NudgeReason | None:
    """Return the most important reason to suggest professional advice, or None."""
    days = daily_checkins(checkins, today)
    if not days:
        return None
    first, latest = days[0], days[-1]
    if latest.score >= rules.high_score:
        return NudgeReason.HIGH_SCORE
    if _rise_within_window(days, today, rules) >= rules.worsening_points:
        return NudgeReason.WORSENING
    long_enough = (latest.day - first.day).days >= rules.min_days_for_review
    if (
        long_enough
        and latest.score > PAIN_MIN
        and not is_important_improvement(first.score, latest.score, rules)
    ):
        return NudgeReason.NOT_IMPROVING
    return None


def _rise_within_window(days: Sequence[Checkin], today: date, rules: ProgressRules) -> int:
    """Return how far the latest score sits above the lowest earlier score in the window."""
    window_start = today - timedelta(days=rules.worsening_window_days)
    # Judged from today, not from the latest check-in, so an old rise does not nudge forever.
    recent = [checkin for checkin in days if checkin.day >= window_start]
    if len(recent) < 2:
        return 0
    latest = recent[-1]
    return latest.score - min(checkin.score for checkin in recent[:-1])
