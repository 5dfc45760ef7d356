"""The weekly review: the week in a few lines, the chart, and one function question.

Once a week, with the daily reminder: sessions done against sessions planned, the pain trend
in words, the level changes of the week, and a question in the manner of the Patient-Specific
Functional Scale (an activity the person named, rated 0-10; a change of 2 points matters).
The progress nudge applies here too. Pure: the person's data in, the replies out.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, timedelta

from bot.core.knowledge import Knowledge
from bot.core.program import LevelChange
from bot.core.progress import Checkin, chart_days, nudge_reason, summarize
from bot.core.reminders import Days
from bot.core.replies import Chart, Choice, Reply, Say
from bot.core.report import FunctionMeasure

WEEK = 7
# The buttons of the review: reminder-style tokens, valid for the review's day.
REVIEW_ACTIONS = ("rate", "pro")


def week_before(today: date) -> list[date]:
    """Return the seven days before today (the review comes before the day's moves)."""
    return [today - timedelta(days=n) for n in range(WEEK, 0, -1)]


def days_done(
    days: Days,
    week: Sequence[date],
    checkins: Sequence[Checkin],
    moved_days: Collection[date] = (),
) -> tuple[int, int]:
    """Return the days the moves were done and the days they were planned, in `week`."""
    # Counted in days, not sessions: a twice-a-day move done once still counts as a day with
    # the moves done. A day counts when its check-in says so, or when a move was done and its
    # feel answered (moves started from /program or /routine have no check-in).
    done = len(({c.day for c in checkins if c.done} | set(moved_days)) & set(week))
    return done, sum(1 for day in week if days.allows(day))


def weekly_review(
    knowledge: Knowledge,
    *,
    today: date,
    days: Days,
    checkins: Sequence[Checkin],
    changes: Sequence[LevelChange],
    function: Sequence[FunctionMeasure],
    prefix: str,
    moved_days: Collection[date] = (),
) -> list[Reply]:
    """Compose the review of the week ending today."""
    say = knowledge.say
    week = week_before(today)
    week_start = week[0]
    exercises = knowledge.exercises
    done, planned = days_done(days, week, checkins, moved_days)
    lines = [say("review_sessions", done=done, planned=planned)]
    summary = summarize(checkins, today, knowledge.progress)
    if summary.enough and summary.change_points is not None:
        trend = (
            "review_pain_down"
            if summary.change_points < 0
            else "review_pain_up"
            if summary.change_points > 0
            else "review_pain_same"
        )
        lines.append(say(trend, start=summary.start_score, current=summary.current_score))
    else:
        lines.append(say("review_pain_unknown"))
    week_changes = [c for c in changes if week_start <= c.day <= today and c.after and c.before]
    for change in week_changes:
        exercise = exercises.get(change.exercise)
        if exercise is None:
            continue
        level = exercise.ladder[min(change.after, len(exercise.ladder)) - 1]
        lines.append(say("review_level", name=exercise.name, level=level.name))
    reason = nudge_reason(checkins, today, knowledge.progress)
    if reason is not None:
        lines.append(say(f"verdict_nudge_{reason.value}"))
    named = [m for m in function if m.scores]
    if named:
        last = named[-1]
        lines.append(say("review_function_again", activity=last.activity))
    else:
        lines.append(say("review_function_first"))
    actions = ("rate", "pro") if reason is not None else ("rate",)
    stamp = today.strftime("%Y%m%d")
    choices = tuple(
        Choice(token=f"{prefix}.{action}.{stamp}", label=say(f"button_review_{action}"))
        for action in actions
    )
    replies: list[Reply] = [Say(text="\n\n".join([say("review_intro"), *lines]), key="review")]
    if checkins:
        replies.append(
            Chart(
                checkins=tuple(checkins),
                today=today,
                days=chart_days(checkins, today, knowledge.progress.chart_days),
                caption=say("review_chart_caption"),
                title=say("chart_title"),
                start_label=say("chart_start"),
                done_label=say("chart_done"),
            )
        )
    replies.append(Say(text=say("review_question"), choices=choices, key="review_question"))
    return replies
