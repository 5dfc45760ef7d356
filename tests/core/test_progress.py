"""Progress judgement from daily pain check-ins, with a controllable "today"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from bot.core.progress import (
    Checkin,
    NudgeReason,
    ProgressRules,
    Verdict,
    chart_days,
    daily_checkins,
    is_important_improvement,
    nudge_reason,
    summarize,
)

TODAY = date(2024, 11, 28)
RULES = ProgressRules()


def daily(scores: Sequence[int | None], *, end: date = TODAY, done: bool = True) -> list[Checkin]:
    """Build one check-in per day ending on ``end``; None leaves a gap for that day."""
    first = end - timedelta(days=len(scores) - 1)
    return [
        Checkin(day=first + timedelta(days=i), score=score, done=done)
        for i, score in enumerate(scores)
        if score is not None
    ]


def ago(days: int, score: int, done: bool = True) -> Checkin:
    """Build a check-in ``days`` before TODAY."""
    return Checkin(day=TODAY - timedelta(days=days), score=score, done=done)


# --- validation -----------------------------------------------------------------------------


@pytest.mark.parametrize("score", [-1, 11, True, 7.5, 7.0, "7"])
def test_checkin_refuses_scores_outside_the_scale_or_of_the_wrong_type(score: object) -> None:
    with pytest.raises(ValidationError):
        Checkin(day=TODAY, score=score, done=True)


def test_checkin_is_frozen() -> None:
    checkin = Checkin(day=TODAY, score=3, done=True)
    with pytest.raises(ValidationError):
        checkin.score = 4  # type: ignore[misc]


def test_rules_load_from_yaml_like_mapping_and_refuse_typos() -> None:
    rules = ProgressRules.model_validate({"improvement_points": 3, "chart_days": 14})
    assert (rules.improvement_points, rules.chart_days, rules.high_score) == (3, 14, 8)
    with pytest.raises(ValidationError):
        ProgressRules.model_validate({"improvment_points": 3})
    with pytest.raises(ValidationError):
        ProgressRules.model_validate({"high_score": 11})


# --- summarize ------------------------------------------------------------------------------

SUMMARY_CASES = [
    # (name, check-ins, count, start, current, points, percent, verdict)
    ("improving", daily([7, 7, 6, 5, 4]), 5, 7, 4, -3, -300 / 7, Verdict.IMPROVED),
    ("exactly two points", daily([9, 8, 7]), 3, 9, 7, -2, -200 / 9, Verdict.IMPROVED),
    ("30% but one point", daily([3, 2]), 2, 3, 2, -1, -100 / 3, Verdict.IMPROVED),
    ("one point of ten", daily([10, 9]), 2, 10, 9, -1, -10.0, Verdict.SLIGHTLY_BETTER),
    ("flat", daily([5, 5, 5, 5]), 4, 5, 5, 0, 0.0, Verdict.NO_CHANGE),
    ("down then back", daily([5, 2, 5]), 3, 5, 5, 0, 0.0, Verdict.NO_CHANGE),
    ("worse", daily([4, 5, 6]), 3, 4, 6, 2, 50.0, Verdict.WORSE),
    ("one point worse", daily([4, 5]), 2, 4, 5, 1, 25.0, Verdict.WORSE),
    ("gaps", daily([6, None, None, None, 5, None, 3]), 3, 6, 3, -3, -50.0, Verdict.IMPROVED),
    ("one day", daily([6]), 1, 6, 6, 0, 0.0, Verdict.NOT_ENOUGH_DATA),
    ("a score of 8", daily([8]), 1, 8, 8, 0, 0.0, Verdict.NOT_ENOUGH_DATA),
    ("start 0 stays 0", daily([0, 0]), 2, 0, 0, 0, None, Verdict.NO_CHANGE),
    ("start 0 gets worse", daily([0, 3]), 2, 0, 3, 3, None, Verdict.WORSE),
    ("to zero", daily([1, 0]), 2, 1, 0, -1, -100.0, Verdict.IMPROVED),
    (
        "duplicates: later in list wins",
        [ago(2, 6), ago(0, 2), ago(0, 5)],
        2,
        6,
        5,
        -1,
        -100 / 6,
        Verdict.SLIGHTLY_BETTER,
    ),
    (
        "unsorted input",
        [ago(0, 3), ago(9, 7), ago(4, 5)],
        3,
        7,
        3,
        -4,
        -400 / 7,
        Verdict.IMPROVED,
    ),
    (
        "future check-in ignored",
        [ago(3, 6), ago(0, 6), ago(-1, 1)],
        2,
        6,
        6,
        0,
        0.0,
        Verdict.NO_CHANGE,
    ),
]


@pytest.mark.parametrize(
    ("checkins", "count", "start", "current", "points", "percent", "verdict"),
    [case[1:] for case in SUMMARY_CASES],
    ids=[case[0] for case in SUMMARY_CASES],
)
def test_summarize(
    checkins: list[Checkin],
    count: int,
    start: int,
    current: int,
    points: int,
    percent: float | None,
    verdict: Verdict,
) -> None:
    summary = summarize(checkins, TODAY, RULES)
    assert summary.count == count
    assert summary.enough is (count >= 2)
    assert (summary.start_score, summary.current_score) == (start, current)
    assert summary.change_points == points
    if percent is None:
        assert summary.change_percent is None
    else:
        assert summary.change_percent == pytest.approx(percent)
    assert summary.verdict is verdict


def test_summarize_with_no_checkins() -> None:
    summary = summarize([], TODAY, RULES)
    assert summary.count == 0
    assert not summary.enough
    assert summary.start_score is summary.current_score is summary.change_points is None
    assert summary.change_percent is None
    assert summary.streak == 0
    assert summary.verdict is Verdict.NOT_ENOUGH_DATA


def test_summarize_reports_first_and_latest_days() -> None:
    summary = summarize([ago(0, 3), ago(9, 7), ago(4, 5)], TODAY, RULES)
    assert summary.start_day == TODAY - timedelta(days=9)
    assert summary.latest_day == TODAY


def test_percent_threshold_uses_exact_arithmetic() -> None:
    # 10 -> 7 is exactly 30%; with the points rule out of reach only the percent rule decides.
    rules = ProgressRules(improvement_points=5, improvement_percent=30)
    assert summarize(daily([10, 7]), TODAY, rules).verdict is Verdict.IMPROVED
    assert summarize(daily([10, 8]), TODAY, rules).verdict is Verdict.SLIGHTLY_BETTER


def test_summarize_judges_as_of_the_given_today() -> None:
    checkins = daily([8, 7, 6, 5, 4, 3])
    earlier = summarize(checkins, TODAY - timedelta(days=4), RULES)
    assert (earlier.count, earlier.current_score) == (2, 7)
    assert earlier.verdict is Verdict.SLIGHTLY_BETTER


# --- streak ---------------------------------------------------------------------------------

STREAK_CASES = [
    # (name, check-ins, expected streak)
    ("done every day through today", daily([5, 5, 5, 5]), 4),
    ("not checked in yet today", daily([5, 5, 5], end=TODAY - timedelta(days=1)), 3),
    ("checked in today, not done", [*daily([5, 5, 5]), Checkin(day=TODAY, score=5, done=False)], 0),
    ("gap breaks it", daily([5, 5, None, 5, 5]), 2),
    ("last done two days ago", daily([5, 5], end=TODAY - timedelta(days=2)), 0),
    ("yesterday not done", [ago(2, 5), ago(1, 5, done=False)], 0),
    ("not done in the middle", [ago(3, 5), ago(2, 5, done=False), ago(1, 5), ago(0, 5)], 2),
    ("duplicate: later says not done", [ago(1, 5), ago(0, 5), ago(0, 5, done=False)], 0),
    ("duplicate: later says done", [ago(1, 5), ago(0, 5, done=False), ago(0, 5)], 2),
    ("future check-in does not count", [ago(0, 5), ago(-1, 5)], 1),
    ("nothing", [], 0),
]


@pytest.mark.parametrize(
    ("checkins", "streak"),
    [case[1:] for case in STREAK_CASES],
    ids=[case[0] for case in STREAK_CASES],
)
def test_streak(checkins: list[Checkin], streak: int) -> None:
    assert summarize(checkins, TODAY, RULES).streak == streak


# --- nudges ---------------------------------------------------------------------------------

NUDGE_CASES = [
    # (name, check-ins, expected reason)
    ("nothing", [], None),
    ("one calm day", [ago(0, 3)], None),
    ("latest is 8", [ago(0, 8)], NudgeReason.HIGH_SCORE),
    ("latest is 7", [ago(0, 7)], None),
    ("was 9, now 6", [ago(1, 9), ago(0, 6)], None),
    ("high beats worsening", [ago(3, 4), ago(0, 9)], NudgeReason.HIGH_SCORE),
    ("rise of 2 within the week", [ago(6, 3), ago(0, 5)], NudgeReason.WORSENING),
    ("rise of 2, same weekday last week", [ago(7, 3), ago(0, 5)], NudgeReason.WORSENING),
    ("rise of 2 from before the window", [ago(8, 3), ago(0, 5)], None),
    ("rise of 1", [ago(3, 4), ago(0, 5)], None),
    ("rise from the lowest earlier", [ago(5, 5), ago(3, 2), ago(0, 4)], NudgeReason.WORSENING),
    ("dip then recovery is fine", [ago(5, 2), ago(3, 6), ago(0, 3)], None),
    ("old rise does not nudge forever", [ago(12, 2), ago(10, 5)], None),
    ("rise, not checked in today", [ago(5, 2), ago(1, 4)], NudgeReason.WORSENING),
    ("flat for 14 days", [ago(14, 5), ago(7, 5), ago(0, 5)], NudgeReason.NOT_IMPROVING),
    ("flat for 13 days", [ago(13, 5), ago(0, 5)], None),
    ("one point better over 14 days", [ago(14, 6), ago(0, 5)], NudgeReason.NOT_IMPROVING),
    ("two points better over 14 days", [ago(14, 6), ago(0, 4)], None),
    ("30% better over 14 days", [ago(14, 3), ago(0, 2)], None),
    ("pain-free after 14 days", [ago(14, 0), ago(0, 0)], None),
    ("worse over 14 days, slowly", [ago(20, 3), ago(10, 4), ago(0, 5)], NudgeReason.NOT_IMPROVING),
    ("worsening beats not improving", [ago(20, 5), ago(5, 3), ago(0, 5)], NudgeReason.WORSENING),
    (
        "gappy but long enough",
        [ago(30, 6), ago(0, 6), ago(0, 6)],
        NudgeReason.NOT_IMPROVING,
    ),
    ("duplicate: later score wins", [ago(0, 9), ago(0, 3)], None),
    ("unsorted input", [ago(0, 5), ago(14, 5)], NudgeReason.NOT_IMPROVING),
    ("future high score ignored", [ago(0, 3), ago(-1, 9)], None),
]


@pytest.mark.parametrize(
    ("checkins", "reason"),
    [case[1:] for case in NUDGE_CASES],
    ids=[case[0] for case in NUDGE_CASES],
)
def test_nudge_reason(checkins: list[Checkin], reason: NudgeReason | None) -> None:
    assert nudge_reason(checkins, TODAY, RULES) is reason


def test_nudge_thresholds_come_from_the_rules() -> None:
    checkins = [ago(3, 4), ago(0, 6)]
    assert nudge_reason(checkins, TODAY, RULES) is NudgeReason.WORSENING
    assert nudge_reason(checkins, TODAY, ProgressRules(worsening_points=3)) is None
    assert nudge_reason(checkins, TODAY, ProgressRules(high_score=6)) is NudgeReason.HIGH_SCORE
    assert nudge_reason(checkins, TODAY, ProgressRules(worsening_window_days=2)) is None


# --- helpers and properties -----------------------------------------------------------------


def test_daily_checkins_sorts_dedupes_and_drops_the_future() -> None:
    result = daily_checkins([ago(0, 3), ago(5, 7), ago(0, 4), ago(-2, 1)], TODAY)
    assert [(c.day, c.score) for c in result] == [(TODAY - timedelta(days=5), 7), (TODAY, 4)]


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[Checkin], date]:
    """Draw unsorted, gappy, duplicated check-ins and a today that may precede some of them."""
    start = date(2024, 1, 1)
    checkins = draw(
        st.lists(
            st.builds(
                Checkin,
                day=st.integers(0, 60).map(lambda n: start + timedelta(days=n)),
                score=st.integers(0, 10),
                done=st.booleans(),
            ),
            max_size=40,
        )
    )
    today = start + timedelta(days=draw(st.integers(-5, 70)))
    return checkins, today


rules_strategy = st.builds(
    ProgressRules,
    improvement_points=st.integers(1, 10),
    improvement_percent=st.integers(1, 100),
    min_days_for_review=st.integers(1, 60),
    worsening_points=st.integers(1, 10),
    worsening_window_days=st.integers(1, 30),
    high_score=st.integers(0, 10),
)


@given(histories(), rules_strategy)
def test_summarize_never_raises_and_stays_self_consistent(
    history: tuple[list[Checkin], date], rules: ProgressRules
) -> None:
    checkins, today = history
    summary = summarize(checkins, today, rules)
    nudge_reason(checkins, today, rules)

    distinct_days = {c.day for c in checkins if c.day <= today}
    assert summary.count == len(distinct_days)
    assert summary.enough is (summary.count >= 2)
    assert 0 <= summary.streak <= summary.count
    if summary.count == 0:
        assert summary.verdict is Verdict.NOT_ENOUGH_DATA
        return
    assert summary.start_score is not None and summary.current_score is not None
    assert summary.change_points == summary.current_score - summary.start_score
    if summary.start_score == 0:
        assert summary.change_percent is None
    else:
        assert summary.change_percent == pytest.approx(
            summary.change_points * 100 / summary.start_score
        )
        # Same sign: percent and points never disagree on the direction.
        assert summary.change_percent is not None
        assert (summary.change_percent > 0) == (summary.change_points > 0)
        assert (summary.change_percent < 0) == (summary.change_points < 0)
    if not summary.enough:
        assert summary.verdict is Verdict.NOT_ENOUGH_DATA
    elif is_important_improvement(summary.start_score, summary.current_score, rules):
        assert summary.verdict is Verdict.IMPROVED
    else:
        expected = {-1: Verdict.SLIGHTLY_BETTER, 0: Verdict.NO_CHANGE, 1: Verdict.WORSE}
        sign = (summary.change_points > 0) - (summary.change_points < 0)
        assert summary.verdict is expected[sign]


@given(histories())
def test_input_order_does_not_matter_without_duplicate_days(
    history: tuple[list[Checkin], date],
) -> None:
    checkins, today = history
    unique = list({c.day: c for c in checkins}.values())
    assert summarize(unique, today, RULES) == summarize(unique[::-1], today, RULES)
    assert nudge_reason(unique, today, RULES) is nudge_reason(unique[::-1], today, RULES)


@pytest.mark.parametrize(
    ("checkins", "days"),
    [
        pytest.param([], 7, id="none: a week"),
        pytest.param([ago(1, 5), ago(0, 4)], 7, id="two days: a week, not four"),
        pytest.param([ago(9, 5), ago(0, 4)], 10, id="ten days: all ten"),
        pytest.param([ago(27, 5), ago(0, 4)], 28, id="four weeks"),
        pytest.param([ago(60, 5), ago(0, 4)], 28, id="longer: the last four weeks"),
        pytest.param([ago(3, 5), ago(-5, 4)], 7, id="a future day does not count"),
    ],
)
def test_the_chart_spans_the_check_ins_from_a_week_to_its_longest(
    checkins: list[Checkin], days: int
) -> None:
    # A new person's two points filled a sliver of a 4-week chart.
    assert chart_days(checkins, TODAY, 28) == days


def test_a_chart_shorter_than_a_week_stays_as_configured() -> None:
    assert chart_days([ago(20, 5)], TODAY, 5) == 5
