"""Check-ins (how it feels today, 0-10), the progress summary, and the nudge to a professional."""

from __future__ import annotations

from datetime import date

from bot.core.effects import RecordCheckin
from bot.core.flows.intake import PAIN_SCALE, bare_score
from bot.core.progress import Checkin, Verdict, nudge_reason, summarize
from bot.core.replies import Chart
from bot.core.state import CheckinDraft, Step
from bot.core.turn import Turn, local_today


def begin(turn: Turn, *, day: date | None = None, from_reminder: bool = False) -> None:
    """Ask for today's score (or the score of the reminder's day)."""
    turn.state.checkin = CheckinDraft(day=day or local_today(turn), from_reminder=from_reminder)
    turn.goto(Step.checkin_score)
    ask_score(turn)


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
    """Take a typed score."""
    score = bare_score(text)
    if score is not None:
        _take_score(turn, score)
    return score is not None


def _take_score(turn: Turn, score: int) -> None:
    draft = turn.state.checkin
    if draft is None:
        begin(turn)
        return
    draft.score = score
    if draft.from_reminder:
        _record(turn, done=True)
    else:
        turn.goto(Step.checkin_done)
        ask_done(turn)


def on_done_choice(turn: Turn, choice: str) -> None:
    """Take whether the routine was done, and record the check-in."""
    _record(turn, done=choice == "yes")


def on_done_text(turn: Turn, text: str) -> bool:
    """Take a typed yes or no."""
    answer = turn.reader.is_affirmative(text)
    if answer is not None:
        _record(turn, done=answer)
    return answer is not None


def _record(turn: Turn, *, done: bool) -> None:
    draft = turn.state.checkin
    if draft is None or draft.score is None:
        begin(turn)
        return
    checkin = Checkin(day=draft.day, score=draft.score, done=done)
    turn.do(RecordCheckin(day=checkin.day, score=checkin.score, done=checkin.done))
    turn.state.checkin = None
    turn.goto(Step.welcome)
    turn.say("checkin_saved", score=checkin.score)
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
    turn.goto(Step.what_next)
    turn.say(f"nudge_{reason.value}", choices=("pro", "not_now"))


def show_progress(turn: Turn, args: str) -> None:
    """Send the progress chart with a one-line summary, or say what is still needed."""
    today = local_today(turn)
    rules = turn.knowledge.progress
    summary = summarize(turn.ctx.checkins, today, rules)
    if not summary.enough:
        turn.say("progress_need_more", count=summary.count)
        return
    assert summary.change_points is not None and summary.start_score is not None
    percent = f"{abs(summary.change_percent):.0f}%" if summary.change_percent is not None else "-"
    caption = turn.text(
        "progress_summary",
        streak=summary.streak,
        start=summary.start_score,
        current=summary.current_score,
        points=abs(summary.change_points),
        percent=percent,
        direction=turn.text(
            "progress_down"
            if summary.change_points < 0
            else "progress_up"
            if summary.change_points > 0
            else "progress_same"
        ),
        meaning=turn.text(f"verdict_{Verdict(summary.verdict).value}"),
    )
    turn.replies.append(
        Chart(
            checkins=tuple(turn.ctx.checkins),
            today=today,
            days=rules.chart_days,
            caption=caption,
            title=turn.text("chart_title"),
            start_label=turn.text("chart_start"),
            done_label=turn.text("chart_done"),
        )
    )
