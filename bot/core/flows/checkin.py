"""Check-ins (how it feels today, 0-10), the progress summary, and the nudge to a professional."""

from __future__ import annotations

import re
from datetime import date, timedelta
from typing import Any

from pydantic import BaseModel, Field

from bot.core.day_names import short_day
from bot.core.effects import RecordCheckin
from bot.core.flow import Draft, Flow, yes_no
from bot.core.flows import intake, safety
from bot.core.flows.routine import WHAT_NEXT
from bot.core.pain_score import PAIN_SCALE, answer_score, bare_score, off_scale
from bot.core.progress import (
    Checkin,
    ProgressSummary,
    Verdict,
    chart_days,
    checkin_on,
    nudge_reason,
    summarize,
)
from bot.core.reading import Reading
from bot.core.replies import Chart
from bot.core.state import HOME
from bot.core.turn import Turn, local_today


class CheckinDraft(BaseModel):
    """A check-in being answered: the day it is for and the score given so far."""

    day: date
    score: int | None = Field(default=None, ge=0, le=10)
    from_reminder: bool = False
    # The day's recorded score the person chose to update (None: the day's first check-in).
    replaces: int | None = Field(default=None, ge=0, le=10)


SAME_DAY_CHOICES = ("checkin_update", "checkin_keep")


DRAFT = Draft("checkin", CheckinDraft)
flow = Flow("checkin")


def begin(
    turn: Turn, *, day: date | None = None, from_reminder: bool = False, score: int | None = None
) -> None:
    """Ask for today's score (or the score of the reminder's day), unless it was given; a day
    already checked in asks first whether to update it or keep it (the same score again is
    already noted: nothing to ask)."""
    draft = DRAFT.start(turn.state, day=day or local_today(turn), from_reminder=from_reminder)
    recorded = recorded_on(turn, draft.day)
    if recorded is not None:
        if score == recorded.score:  # the same score again: nothing to change, nothing to ask
            _keep(turn, recorded, same=True)
            return
        draft.score = score  # used if the person chooses to update
        turn.ask(SAME_DAY)
        return
    if score is not None:
        _take_score(turn, score)
        return
    turn.ask(SCORE)


def recorded_on(turn: Turn, day: date) -> Checkin | None:
    """Return the check-in already recorded for that day, if any."""
    return checkin_on(turn.ctx.checkins, day)


def day_words(turn: Turn, day: date) -> str:
    """Name a day as people say it: "today", or "Tue 3 Nov" (the words from knowledge)."""
    if day == local_today(turn):
        return turn.text("checkin_today")
    return short_day(turn.text, day)


def ask_same_day(turn: Turn) -> None:
    """Say the day is already checked in, with its score, and ask to update or keep it."""
    draft = DRAFT.get(turn.state)
    recorded = recorded_on(turn, draft.day) if draft is not None else None
    if draft is None or recorded is None:
        turn.ask(SCORE)  # nothing recorded (any more): a plain check-in
        return
    update, keep = SAME_DAY_CHOICES
    key = "checkin_already"
    values: dict[str, Any] = {"day": day_words(turn, draft.day), "score": recorded.score}
    if draft.score is not None:  # the score came with the command: say what it would become
        key, values["new"] = "checkin_already_to", draft.score
    turn.say(key, choices=SAME_DAY_CHOICES, yes=update, no=keep, **values)


def on_same_day_choice(turn: Turn, choice: str) -> None:
    """Take Update (ask the new score, unless given) or Keep (change nothing)."""
    draft = DRAFT.get(turn.state)
    recorded = recorded_on(turn, draft.day) if draft is not None else None
    if draft is None or recorded is None:
        begin(turn)
        return
    if choice != SAME_DAY_CHOICES[0]:
        _keep(turn, recorded, same=False)
        return
    draft.replaces = recorded.score
    if draft.score is not None:
        _take_score(turn, draft.score)
    else:
        turn.ask(SCORE)


def _keep(turn: Turn, recorded: Checkin, *, same: bool) -> None:
    """Keep the day's recorded score and say so: kept when asked, or the same score given.

    Keeping the score is not saying the routine was not done: a check-in that comes from the
    moves (the reminder's Done, or its routine finished) notes the day as done all the same.
    """
    draft = DRAFT.get(turn.state)
    DRAFT.clear(turn.state)
    turn.goto(HOME)
    key = "checkin_same" if same else "checkin_kept"
    if draft is not None and draft.from_reminder and not recorded.done:
        turn.do(RecordCheckin(day=recorded.day, score=recorded.score, done=True))
        key += "_done"
    turn.say(key, score=recorded.score, day=day_words(turn, recorded.day))


def on_same_day_text(turn: Turn, text: str) -> bool:
    """Take a typed yes (update) or no (keep), or a bare new score ("6") as an update."""
    said = turn.reader.is_affirmative(text)
    score = bare_score(text)
    draft = DRAFT.get(turn.state)
    if said is None and score is not None and draft is not None:
        draft.score = score  # the new score itself answers "update it?"
        said = True
    if said is None and draft is not None and _tells_a_score(turn, text):
        # "better than yesterday", "about a 4", "pretty bad": the new score answers "update
        # it?", read as at the score question (which asks the number if none was said).
        recorded = recorded_on(turn, draft.day)
        draft.replaces = recorded.score if recorded is not None else None
        turn.goto(SCORE)
        return on_score_text(turn, text)
    if said is not None:
        on_same_day_choice(turn, SAME_DAY_CHOICES[0 if said else 1])
    return said is not None


def _tells_a_score(turn: Turn, text: str) -> bool:
    """Say whether the text tells a score in words or against the last one, with no yes or no."""
    answers = turn.answers
    if answers is None:
        return False
    told = answer_score(text) is not None or answers.pain_in_words(text) is not None
    return told or answers.says_better(text) or answers.says_same_as_before(text)


def ask_score(turn: Turn) -> None:
    """Ask how it feels today on the 0-10 scale."""
    turn.say("checkin_score", choices=PAIN_SCALE, labels={n: n for n in PAIN_SCALE})


def ask_done(turn: Turn) -> None:
    """Ask whether the routine was done today (or on the earlier day being checked in)."""
    draft = DRAFT.get(turn.state)
    if draft is not None and draft.day != local_today(turn):
        day = day_words(turn, draft.day)
        turn.say("checkin_done_day", day=day, choices=("yes", "no"))
        return
    turn.say("checkin_done", choices=("yes", "no"))


def on_score_choice(turn: Turn, choice: str) -> None:
    """Take the score button."""
    _take_score(turn, int(choice))


def on_score_text(turn: Turn, text: str) -> bool:
    """Take a typed score ("4", "about a 4", "pretty bad", "about the same"), or explain the
    scale; "worse" is left to the engine, which answers a worsening course."""
    reading = turn.read(text)
    if _compared(turn, text, reading):
        return True
    score = intake.scale_answer(turn, text, reading)
    if score is not None and score != intake.EXPLAINED:
        _take_score(turn, score)
    return score is not None


def _compared(turn: Turn, text: str, reading: Reading) -> bool:
    """Answer a score told against the last one, with no number: "about the same" takes the
    last score again (said back), "better" asks for today's number. Return whether it did."""
    answers = turn.answers
    numbered = reading.pain_score is not None or answer_score(text) is not None
    if answers is None or numbered or "worse" in reading.intent_ids:
        return False  # "better, about a 2" is 2; "a bit better" is no "a bit" (2)
    same, better = answers.says_same_as_before(text), answers.says_better(text)
    if not (same or better):
        return False
    last = _last_score(turn)
    if last is None:
        turn.say("checkin_better_no_earlier" if better else "checkin_no_earlier")
        turn.reprompt()
    elif better:
        turn.say("checkin_better", score=last[0], day=last[1])
        turn.reprompt()
    else:
        turn.say("checkin_same_again", score=last[0], day=last[1])
        _take_score(turn, last[0])
    return True


def _last_score(turn: Turn) -> tuple[int, str] | None:
    """Return the last score before the day being checked in, and when it was told in words:
    the latest earlier check-in, else the score told with the complaint."""
    draft = DRAFT.get(turn.state)
    day = draft.day if draft is not None else local_today(turn)
    earlier = [c for c in turn.ctx.checkins if c.day < day]
    if earlier:
        last = max(earlier, key=lambda c: c.day)
        return last.score, turn.text("checkin_on_day", day=day_words(turn, last.day))
    if turn.state.pain_score is not None:
        return turn.state.pain_score, turn.text("checkin_when_told")
    return None


def _take_score(turn: Turn, score: int) -> None:
    draft = DRAFT.get(turn.state)
    if draft is None:
        begin(turn)
        return
    recorded = recorded_on(turn, draft.day)
    if draft.replaces is not None and recorded is not None and score == recorded.score:
        _keep(turn, recorded, same=True)  # "update" to the score already there: nothing changes
        return
    draft.score = score
    done_already = turn.state.moves_done_on == draft.day or (recorded is not None and recorded.done)
    if draft.from_reminder or done_already:
        # The moves were done (finished here, or said at an earlier check-in that day): asking
        # "did you do your routine?" again would only make the person repeat themselves.
        _record(turn, done=True)
    elif safety.standing(turn) or not had_routine_on(turn, draft.day):
        # Nothing to ask about (no routine while a sign stands; none given yet, or not by that
        # day, where "did you do it?" would puzzle); a day noted as done was taken above.
        _record(turn, done=False)
    else:
        turn.ask(DONE)


def has_routine(turn: Turn) -> bool:
    """Say whether the person has ever been given a routine (their program, or moves shown)."""
    return turn.state.program is not None or bool(turn.state.routine)


def had_routine_on(turn: Turn, day: date) -> bool:
    """Say whether the person had a routine on that day: their program's first move had
    started by then (moves shown with no program have no day, so they count)."""
    program = turn.state.program
    if program is None or not program.moves:
        return has_routine(turn)
    return min(move.since for move in program.moves) <= day


def on_done(turn: Turn, done: bool) -> None:
    """Take whether the routine was done, and record the check-in."""
    _record(turn, done=done)


def _streak_line(turn: Turn, streak: int) -> str:
    """Count the routine's streak in words, or nothing when there is no routine to count.

    The streak counts days the routine was done: without a routine it means nothing, and while
    a sign stands "a routine today starts one" would invite the moves the warning holds back.
    """
    if not has_routine(turn) or (streak == 0 and safety.standing(turn)):
        return ""
    if streak == 0:
        return turn.text("progress_streak_none")
    if streak == 1:
        return turn.text("progress_streak_one")
    return turn.text("progress_streak_many", count=streak)


def _summary_line(turn: Turn, summary: ProgressSummary, meaning: str) -> str:
    """Write the summary under the chart, counted in words ("1 point", "3 days")."""
    # A streak left out leaves no stray space, wherever the sentence puts it.
    return re.sub(" {2,}", " ", _summary_words(turn, summary, meaning)).strip()


def _summary_words(turn: Turn, summary: ProgressSummary, meaning: str) -> str:
    streak = _streak_line(turn, summary.streak)
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
    if draft.replaces is None and checkin.day != local_today(turn):
        turn.say("checkin_saved_day", score=checkin.score, day=day_words(turn, checkin.day))
    elif draft.replaces is None:
        turn.say("checkin_saved", score=checkin.score)
    else:  # say what was replaced: a day's score never changes unseen
        day = day_words(turn, checkin.day)
        turn.say("checkin_updated", score=checkin.score, old=draft.replaces, day=day)
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
    """Record how it feels today, or yesterday when the person says so ("/checkin yesterday
    4": a day forgotten); a score said with the command is used."""
    day = None
    answers = turn.answers
    if answers is not None and answers.says_yesterday(args):
        day = local_today(turn) - timedelta(days=1)
        args = answers.without_yesterday(args)
    if off_scale(args.strip()):
        turn.say("scale_range")  # "/checkin 11": say the scale before asking on it
    begin(turn, day=day, score=answer_score(args) if args.strip() else None)


SCORE = flow.step("checkin_score", ask_score, on_score_choice, on_score_text)
DONE = flow.step("checkin_done", ask_done, *yes_no(on_done))
SAME_DAY = flow.step("checkin_same_day", ask_same_day, on_same_day_choice, on_same_day_text)


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
flow.buttons("yes", "no", "pro", "not_now", *SAME_DAY_CHOICES)
flow.says(
    "checkin_score",
    "checkin_done",
    "checkin_today",
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
    "checkin_no_earlier",
    "checkin_better_no_earlier",
    "checkin_when_told",
    checkin_on_day={"day"},
    checkin_better={"score", "day"},
    checkin_same_again={"score", "day"},
    checkin_saved={"score"},
    checkin_saved_day={"score", "day"},
    checkin_done_day={"day"},
    checkin_already={"day", "score"},
    checkin_already_to={"day", "score", "new"},
    checkin_kept={"day", "score"},
    checkin_same={"day", "score"},
    checkin_kept_done={"day", "score"},
    checkin_same_done={"day", "score"},
    checkin_updated={"day", "score", "old"},
    progress_need_more={"count"},
    progress_summary={"streak", "start", "current", "change", "meaning"},
    progress_summary_same={"streak", "current", "meaning"},
    progress_streak_many={"count"},
    progress_down={"points", "percent"},
    progress_up={"points", "percent"},
    points_many={"count"},
)
