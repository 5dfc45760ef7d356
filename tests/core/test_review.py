"""The weekly review: the days counted, the pain trend, the week's level changes, one question."""

from __future__ import annotations

from datetime import date, timedelta

from bot.core.knowledge import Knowledge
from bot.core.program import LevelChange
from bot.core.progress import Checkin
from bot.core.reminders import Days
from bot.core.replies import Chart, Reply, Say
from bot.core.report import FunctionMeasure, FunctionScore
from bot.core.review import days_done, week_before, weekly_review

MONDAY = date(2026, 11, 30)


def checkins(*pairs: tuple[int, int, bool]) -> list[Checkin]:
    """Check-ins as (days before MONDAY, score, done)."""
    return [Checkin(day=MONDAY - timedelta(days=n), score=s, done=d) for n, s, d in pairs]


def review(knowledge: Knowledge, **given: object) -> list[Reply]:
    values: dict[str, object] = {
        "today": MONDAY,
        "days": Days.daily,
        "checkins": (),
        "changes": (),
        "function": (),
        "prefix": "r",
    }
    values.update(given)
    return weekly_review(knowledge, **values)  # type: ignore[arg-type]


def said(replies: list[Reply], index: int) -> Say:
    reply = replies[index]
    assert isinstance(reply, Say)
    return reply


def test_the_week_is_the_seven_days_before_today() -> None:
    week = week_before(MONDAY)
    assert week[0] == date(2026, 11, 23) and week[-1] == date(2026, 11, 29) and len(week) == 7


def test_days_are_counted_once_and_only_planned_days_are_planned() -> None:
    week = week_before(MONDAY)
    weekdays = Days("d:1111100")
    history = checkins((1, 3, True), (2, 3, False), (3, 4, True), (8, 5, True))
    # A second check-in on the same day does not make two days.
    history.append(Checkin(day=MONDAY - timedelta(days=1), score=3, done=True))
    assert days_done(weekdays, week, history) == (2, 5)
    assert days_done(Days.daily, week, history) == (2, 7)


def test_a_day_with_moves_done_but_no_check_in_counts_as_done() -> None:
    week = week_before(MONDAY)
    history = checkins((1, 3, True))
    moved = {MONDAY - timedelta(days=2), MONDAY - timedelta(days=4), MONDAY}  # today: next week
    assert days_done(Days.daily, week, history, moved) == (3, 7)
    # A day both checked in and moved is one day.
    assert days_done(Days.daily, week, history, {MONDAY - timedelta(days=1)}) == (1, 7)


def test_the_review_tells_the_days_the_trend_and_asks_to_name_an_activity(
    knowledge: Knowledge,
) -> None:
    history = checkins((7, 6, True), (5, 5, True), (3, 4, False), (1, 3, True))
    replies = review(knowledge, checkins=history)
    text = said(replies, 0).text
    assert "3 of 7" in text
    assert "from 6 when you started to 3 now" in text
    assert knowledge.say("review_function_first") in text
    assert isinstance(replies[1], Chart)
    question = said(replies, -1)
    assert question.key == "review_question"
    assert [c.token for c in question.choices] == ["r.rate.20261130"]


def test_one_check_in_is_not_a_trend_and_no_check_ins_no_chart(knowledge: Knowledge) -> None:
    replies = review(knowledge, checkins=checkins((2, 5, True)))
    assert knowledge.say("review_pain_unknown") in said(replies, 0).text
    assert not any(isinstance(r, Chart) for r in review(knowledge))


def test_the_weeks_level_changes_are_named_and_older_ones_are_not(knowledge: Knowledge) -> None:
    raise_ = knowledge.exercises["standing_calf_raise"]
    changes = [
        LevelChange(
            day=MONDAY - timedelta(days=10), exercise=raise_.id, before=1, after=2, reason="easy"
        ),
        LevelChange(
            day=MONDAY - timedelta(days=2), exercise=raise_.id, before=2, after=3, reason="easy"
        ),
        LevelChange(
            day=MONDAY - timedelta(days=2), exercise=raise_.id, before=0, after=1, reason="added"
        ),
    ]
    text = said(review(knowledge, changes=changes), 0).text
    assert f"{raise_.name}: {raise_.ladder[2].name}" in text
    assert raise_.ladder[1].name not in text


def test_an_activity_named_before_is_asked_about_again(knowledge: Knowledge) -> None:
    walked = FunctionMeasure(
        activity="walking the dog", scores=(FunctionScore(day=MONDAY - timedelta(days=7), score=6),)
    )
    text = said(review(knowledge, function=[walked]), 0).text
    assert "walking the dog" in text
    assert knowledge.say("review_function_first") not in text


def test_pain_that_rises_offers_a_professional_with_the_question(knowledge: Knowledge) -> None:
    rising = checkins(
        (6, 3, True), (5, 4, True), (4, 5, True), (3, 6, True), (2, 6, True), (1, 7, True)
    )
    question = said(review(knowledge, checkins=rising), -1)
    assert [c.token for c in question.choices] == ["r.rate.20261130", "r.pro.20261130"]
