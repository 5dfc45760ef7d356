"""What goes into the report a person takes to a clinician: plain values, no drawing.

The app layer gathers these from the store (bot/app/reports.py); bot/render/report.py draws
them as a PDF of a page or two. Everything in it is what the person told the bot: the report
says so, and that it is not a diagnosis.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import date, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from bot.core.knowledge import Exercise, Knowledge, Level
from bot.core.program import LevelChange, Move, level_of
from bot.core.progress import Checkin
from bot.core.reminders import Days
from bot.core.state import ConversationState


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReportedSign(_Frozen):
    """A warning sign the person reported, and what became of it."""

    label: str  # "A recent injury"
    urgency: str  # emergency | urgent | soon
    reported_on: date | None  # None: reported before days were kept
    checked_on: date | None = None  # the day the person said a professional had checked it


class LevelStep(_Frozen):
    """From `day`, the exercise was done at this level."""

    day: date
    level: str  # the level's short name, e.g. "Both legs, 2 x 10"
    reason: str = ""  # why it changed, in a few words ("two easy sessions")


class ProgramLine(_Frozen):
    """One move of the program and its levels over time (oldest first)."""

    exercise: str  # the exercise's name
    levels: tuple[LevelStep, ...] = Field(min_length=1)
    dropped_on: date | None = None  # left out (it hurt, or the person dropped it)


class WeekAdherence(_Frozen):
    """Sessions done against sessions planned in one week (Monday to Sunday)."""

    week_of: date  # the Monday
    planned: int = Field(ge=0)
    done: int = Field(ge=0)


class FunctionScore(_Frozen):
    """One rating, 0-10, of how hard an activity the person named is (in the manner of PSFS).

    0 is "unable to do it" and 10 "able to do it as before the problem"; a change of 2 points
    is meaningful.
    """

    day: date
    score: int = Field(ge=0, le=10)


class FunctionMeasure(_Frozen):
    """An activity the person named as hard, and its ratings over time."""

    activity: str
    scores: tuple[FunctionScore, ...] = ()


class ReportData(_Frozen):
    """Everything the report shows, for one person."""

    first_name: str | None  # first name only, as Telegram gave it; None: "you"
    made_at: datetime
    complaint: str  # "tightness in the calf", in the bot's words
    signs: tuple[ReportedSign, ...] = ()
    screened_on: date | None = None  # the last day the warning-sign questions were answered
    conditions: tuple[str, ...] = ()  # e.g. "Diabetes, neuropathy or poor circulation"
    program: tuple[ProgramLine, ...] = ()
    adherence: tuple[WeekAdherence, ...] = ()
    pain: tuple[Checkin, ...] = ()  # daily 0-10 check-ins, oldest first
    function: tuple[FunctionMeasure, ...] = ()


def describe_complaint(
    knowledge: Knowledge, symptoms: Sequence[str], locations: Sequence[str]
) -> str:
    """Describe symptoms and places in a few words, e.g. "tightness in the calf"."""
    what = _joined(
        knowledge, [knowledge.symptoms[s].in_sentence for s in symptoms if s in knowledge.symptoms]
    )
    where = _joined(
        knowledge,
        [knowledge.locations[x].in_sentence for x in locations if x in knowledge.locations],
    )
    if what and where:
        return knowledge.say("describe_both", what=what, where=where)
    return what or where or knowledge.say("describe_nothing")


def _joined(knowledge: Knowledge, words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return knowledge.say("join_and", first=", ".join(words[:-1]), last=words[-1])


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def build_report(
    knowledge: Knowledge,
    state: ConversationState,
    *,
    first_name: str | None,
    made_at: datetime,
    today: date,
    days: Days | None,
    checkins: Sequence[Checkin],
    changes: Sequence[LevelChange],
    function: Sequence[FunctionMeasure],
    moved_days: Collection[date] = (),
) -> ReportData:
    """Gather one person's report from what the bot keeps about them (the local `today`)."""
    pain = tuple(sorted(checkins, key=lambda c: c.day))
    return ReportData(
        first_name=first_name,
        made_at=made_at,
        complaint=_capital(describe_complaint(knowledge, state.symptoms, state.locations)),
        signs=_signs(knowledge, state),
        screened_on=state.safety.screened_on,
        conditions=tuple(
            _capital(knowledge.conditions[c].in_sentence)
            for c in state.safety.conditions
            if c in knowledge.conditions
        ),
        program=_program(knowledge, state, changes, today),
        adherence=_adherence(days or Days.daily, pain, changes, today, moved_days),
        pain=pain,
        function=tuple(function),
    )


def _signs(knowledge: Knowledge, state: ConversationState) -> tuple[ReportedSign, ...]:
    safety = state.safety
    ids = [s for s in dict.fromkeys((*safety.signs, *safety.checked)) if s in knowledge.red_flags]
    return tuple(
        ReportedSign(
            label=_capital(knowledge.red_flags[s].name),
            urgency=knowledge.red_flags[s].urgency.value,
            reported_on=safety.signs.get(s) or safety.reported.get(s),
            checked_on=None if s in safety.signs else safety.checked.get(s),
        )
        for s in ids
    )


def _program(
    knowledge: Knowledge, state: ConversationState, changes: Sequence[LevelChange], today: date
) -> tuple[ProgramLine, ...]:
    """Each move with its levels over time, from the stored changes (or as it stands)."""
    if state.program is not None:
        moves = [m for m in state.program.moves if m.exercise in knowledge.exercises]
    else:
        moves = [
            Move(exercise=e, level=knowledge.exercises[e].start_level, since=today)
            for e in state.routine
            if e in knowledge.exercises
        ]
    lines = []
    for move in moves:
        exercise = knowledge.exercises[move.exercise]
        ladder = exercise.ladder
        steps: list[LevelStep] = []
        dropped: date | None = None
        for change in sorted(
            (c for c in changes if c.exercise == move.exercise), key=lambda c: c.day
        ):
            if change.after == 0:
                dropped = change.day
                continue
            level = ladder[min(change.after, len(ladder)) - 1]
            steps.append(
                LevelStep(
                    day=change.day,
                    level=level_label(knowledge, exercise, level),
                    reason=_reason(knowledge, change.reason),
                )
            )
            dropped = None
        if not steps:
            steps.append(
                LevelStep(
                    day=move.since,
                    level=level_label(knowledge, exercise, level_of(knowledge, move)),
                    reason=_reason(knowledge, "started"),
                )
            )
        lines.append(
            ProgramLine(
                exercise=exercise.name, levels=tuple(steps), dropped_on=move.dropped or dropped
            )
        )
    return tuple(lines)


def level_label(knowledge: Knowledge, exercise: Exercise, level: Level) -> str:
    """Name a level with its dose in a few words: "Back knee bent, 3 x 30 s each side"."""
    dose = level.dose
    if dose.hold_seconds is not None and dose.repeats is not None:
        amount = knowledge.say("report_dose_hold", seconds=dose.hold_seconds, repeats=dose.repeats)
    elif dose.sets is not None and dose.reps is not None:
        amount = knowledge.say("report_dose_sets", sets=dose.sets, reps=dose.reps)
    else:
        amount = dose.duration or ""
    if amount and (amount in level.name or (dose.reps and dose.reps in level.name)):
        return level.name  # the level's name says its dose already ("Both legs, 2 x 10")
    if dose.side and amount:
        amount = f"{amount} {dose.side}"
    if level.name == exercise.name or not amount:
        return amount or level.name
    return f"{level.name}, {amount}"


def _reason(knowledge: Knowledge, reason: str) -> str:
    key = f"report_reason_{reason}"
    return knowledge.say(key) if key in knowledge.messages else reason


def _adherence(
    days: Days,
    pain: Sequence[Checkin],
    changes: Sequence[LevelChange],
    today: date,
    moved_days: Collection[date] = (),
) -> tuple[WeekAdherence, ...]:
    """Days with the moves done against days planned, week by week (Monday to Sunday)."""
    known = [c.day for c in pain] + [c.day for c in changes] + list(moved_days)
    if not known:
        return ()
    first = min(known)
    # As in the weekly review: a check-in saying so, or a move done and its feel answered.
    done_days = {c.day for c in pain if c.done} | set(moved_days)
    weeks = []
    monday = first - timedelta(days=first.weekday())
    while monday <= today:
        week = [monday + timedelta(days=n) for n in range(7)]
        counted = [d for d in week if first <= d <= today]
        weeks.append(
            WeekAdherence(
                week_of=monday,
                planned=sum(1 for d in counted if days.allows(d)),
                done=sum(1 for d in counted if d in done_days),
            )
        )
        monday += timedelta(days=7)
    return tuple(weeks)
