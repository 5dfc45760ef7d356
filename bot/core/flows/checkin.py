"""Check-ins (how it feels today, 0-10), the progress summary, and the nudge to a professional."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from bot.core.effects import RecordCheckin
from bot.core.flow import Draft, Flow, yes_no
from bot.core.flows import intake, safety
from bot.core.flows.routine import WHAT_NEXT
from bot.core.pain_score import PAIN_SCALE, answer_score
from bot.core.progress import (
    Checkin,
    ProgressSummary,
    Verdict,
    chart_days,
    nudge_reason,
    summarize,
)
from bot.core.replies import Chart
from bot.core.state import HOME
from bot.core.turn import Turn, local_today


class CheckinDraft(BaseModel):
    """A check-in being answered: the day it is for and the score given so far."""

    day: date
    score: int | None = Field(default=None, ge=0, le=10)
    from_reminder: bool = False


DRAFT = Draft("checkin", CheckinDraft)
flow = Flow("checkin")


def begin(
    turn: Turn, *, day: date | None = None, from_reminder: bool = False, score: int | None = None
) -> None:
    """Ask for today's score (or the score of the reminder's day), unless it was given."""
    DRAFT.start(turn.state, day=day or local_today(turn), from_reminder=from_reminder)
    if score is not None:
        _take_score(turn, score)
        return
    turn.ask(SCORE)


def ask_score(turn: Turn) -> None:
    """Ask how it feels today on the 0-10 scale."""
    turn.say("checkin_score", choices=PAIN_SCALE, labels={n: n for n in PAIN_SCALE})


def ask_done(turn: Turn) -> None:
    """Ask whether the routine was done today."""
    turn.say("checkin_done", choices=("yes", "no"))


def on_score_choice(turn: Turn, choice: str) -> None:
    """Take the score button."""
    _take_score(turn, int(choice))


def on_score_text(turn: Turn, text: str) -> bool:
    """Take a typed score ("4", "about a 4", "pretty bad"), or explain the scale."""
    reading = turn.read(text)
    score = intake.scale_answer(turn, text, reading)
    if score is not None and score != intake.EXPLAINED:
        _take_score(turn, score)
    return score is not None


def _take_score(turn: Turn, score: int) -> None:
    draft = DRAFT.get(turn.state)
    if draft is None:
        begin(turn)
        return
    draft.score = score
    if draft.from_reminder:
        _record(turn, done=True)
    elif safety.standing(turn):
        _record(turn, done=False)  # no routine while a sign stands: nothing to ask about
    elif not has_routine(turn):
        _record(turn, done=False)  # no routine given yet: "did you do it?" would puzzle
    else:
        turn.ask(DONE)


def has_routine(turn: Turn) -> bool:
    """Say whether the person has ever been given a routine (their program, or moves shown)."""
    return turn.state.program is not None or bool(turn.state.routine)


def on_done(turn: Turn, done: bool) -> None:
    """Take whether the routine was done, and record the check-in."""
    _record(turn, done=done)


def _summary_line(turn: Turn, summary: ProgressSummary, meaning: str) -> str:
    """Write the summary under the chart, counted in words ("1 point", "3 days")."""
    streak = (
        turn.text("progress_streak_none")
        if summary.streak == 0
        else turn.text("progress_streak_one")
        if summary.streak == 1
        else turn.text("progress_streak_many", count=summary.streak)
    )
    points = summary.change_points or 0
    if points == 0:
        return turn.text(
            "progress_summary_same", streak=streak, current=summary.current_score, meaning=meaning
        )
    size = abs(points)
    point_words = turn.text("points_one") if size == 1 else turn.text("points_many", count=size)
    percent = f"{abs(summary.change_percent):.0f}%" if summary.change_percent is not None else "-"
    change = turn.text(
        "progress_down" if points < 0 else "progress_up", points=point_words, percent=percent
    )
    return turn.text(
        "progress_summary",
        streak=streak,
        start=summary.start_score,
        current=summary.current_score,
        change=change,
        meaning=meaning,
    )


def _record(turn: Turn, *, done: bool) -> None:
    draft = DRAFT.get(turn.state)
    if draft is None or draft.score is None:
        begin(turn)
        return
    checkin = Checkin(day=draft.day, score=draft.score, done=done)
    turn.do(RecordCheckin(day=checkin.day, score=checkin.score, done=checkin.done))
    DRAFT.clear(turn.state)
    turn.goto(HOME)
    turn.say("checkin_saved", score=checkin.score)
    if safety.raise_if_severe(turn, checkin.score):  # as at intake: no exercises
        return
    if safety.standing(turn):
        turn.goto(safety.WARNING)  # the sign still comes first, whatever the score
        safety.repeat_warning(turn)
        return
    series = [c for c in turn.ctx.checkins if c.day != checkin.day] + [checkin]
    maybe_nudge(turn, series, checkin.day)


def maybe_nudge(turn: Turn, series: list[Checkin], today: date) -> None:
    """Suggest a professional when self-care is not working: once per episode."""
    reason = nudge_reason(series, today, turn.knowledge.progress)
    if reason is None:
        turn.state.nudged = False  # the episode is over; a new one may nudge again
        return
    if turn.state.nudged:
        return
    turn.state.nudged = True
    turn.goto(WHAT_NEXT)
    turn.say(f"nudge_{reason.value}", choices=("pro", "not_now"), yes="pro", no="not_now")


def show_progress(turn: Turn, args: str) -> None:
    """Send the progress chart with a one-line summary, or say what is still needed."""
    today = local_today(turn)
    rules = turn.knowledge.progress
    summary = summarize(turn.ctx.checkins, today, rules)
    if not summary.enough:
        turn.say("progress_need_more", count=summary.count)
        return
    assert summary.change_points is not None and summary.start_score is not None
    # The same judgement as the nudge after a check-in, so the two never disagree.
    reason = nudge_reason(turn.ctx.checkins, today, rules)
    meaning = turn.text(
        f"verdict_nudge_{reason.value}"
        if reason is not None
        else f"verdict_{Verdict(summary.verdict).value}"
    )
    caption = _summary_line(turn, summary, meaning)
    turn.replies.append(
        Chart(
            checkins=tuple(turn.ctx.checkins),
            today=today,
            days=chart_days(turn.ctx.checkins, today, rules.chart_days),
            caption=caption,
            title=turn.text("chart_title"),
            start_label=turn.text("chart_start"),
            done_label=turn.text("chart_done"),
        )
    )


def checkin_command(turn: Turn, args: str) -> None:
    """Record how it feels today (a score said with the command is used)."""
    begin(turn, score=answer_score(args) if args.strip() else None)


SCORE = flow.step("checkin_score", ask_score, on_score_choice, on_score_text)
DONE = flow.step("checkin_done", ask_done, *yes_no(on_done))


def after_moves(turn: Turn, args: str) -> None:
    """Ask the score of the day the moves were done (a routine started from a reminder)."""
    try:
        day = date.fromisoformat(args)
    except ValueError:
        day = local_today(turn)
    begin(turn, day=day, from_reminder=True)


flow.command("checkin", checkin_command)
flow.command("moves_done", after_moves, listed=False)
flow.command("progress", show_progress, menu=True)
flow.buttons("yes", "no", "pro", "not_now")
flow.says(
    "checkin_score",
    "checkin_done",
    "progress_streak_none",
    "progress_streak_one",
    "points_one",
    "verdict_nudge_high_score",
    "verdict_nudge_worsening",
    "verdict_nudge_not_improving",
    "verdict_improved",
    "verdict_slightly_better",
    "verdict_no_change",
    "verdict_worse",
    "verdict_not_enough_data",
    "nudge_high_score",
    "nudge_worsening",
    "nudge_not_improving",
    "chart_title",
    "chart_start",
    "chart_done",
    checkin_saved={"score"},
    progress_need_more={"count"},
    progress_summary={"streak", "start", "current", "change", "meaning"},
    progress_summary_same={"streak", "current", "meaning"},
    progress_streak_many={"count"},
    progress_down={"points", "percent"},
    progress_up={"points", "percent"},
    points_many={"count"},
)
