"""The report's data gathered from what the bot keeps: signs, program history, adherence."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.core.knowledge import Knowledge
from bot.core.program import LevelChange, Move, Program
from bot.core.progress import Checkin
from bot.core.reminders import Days
from bot.core.report import ReportData, build_report, level_label
from bot.core.state import ConversationState, Safety

TODAY = date(2026, 12, 2)  # a Wednesday
MADE = datetime(2026, 12, 2, 9, 0, tzinfo=UTC)


def report(knowledge: Knowledge, state: ConversationState, **given: object) -> ReportData:
    values: dict[str, object] = {
        "first_name": "Ann",
        "made_at": MADE,
        "today": TODAY,
        "days": None,
        "checkins": (),
        "changes": (),
        "function": (),
    }
    values.update(given)
    return build_report(knowledge, state, **values)  # type: ignore[arg-type]


def test_the_complaint_and_conditions_are_in_the_bots_words(knowledge: Knowledge) -> None:
    state = ConversationState(
        symptoms=("tightness",), locations=("calf",), safety=Safety(conditions=("diabetes",))
    )
    data = report(knowledge, state)
    assert data.complaint == "Tightness in the calf"
    assert data.conditions == (knowledge.conditions["diabetes"].in_sentence.capitalize(),)
    assert data.first_name == "Ann"


def test_standing_and_checked_signs_keep_the_day_they_were_reported(knowledge: Knowledge) -> None:
    safety = Safety(
        signs={"numbness": date(2026, 11, 20)},
        checked={"injury": date(2026, 11, 28)},
        reported={"injury": date(2026, 11, 10), "numbness": date(2026, 11, 20)},
        screened_on=date(2026, 11, 10),
    )
    data = report(knowledge, ConversationState(safety=safety))
    by_label = {s.label: s for s in data.signs}
    numb = by_label[knowledge.red_flags["numbness"].name.capitalize()]
    hurt = by_label[knowledge.red_flags["injury"].name.capitalize()]
    assert (numb.reported_on, numb.checked_on) == (date(2026, 11, 20), None)
    assert (hurt.reported_on, hurt.checked_on) == (date(2026, 11, 10), date(2026, 11, 28))
    assert hurt.urgency == knowledge.red_flags["injury"].urgency.value
    assert data.screened_on == date(2026, 11, 10)


def test_the_program_tells_each_moves_levels_over_time(knowledge: Knowledge) -> None:
    raise_ = knowledge.exercises["standing_calf_raise"]
    stretch = knowledge.exercises["standing_calf_stretch"]
    program = Program(
        moves=(
            Move(exercise=raise_.id, level=2, since=date(2026, 11, 20)),
            Move(exercise=stretch.id, level=1, since=date(2026, 11, 1), dropped=date(2026, 11, 25)),
        )
    )
    changes = [
        LevelChange(day=date(2026, 11, 1), exercise=raise_.id, before=0, after=1, reason="started"),
        LevelChange(
            day=date(2026, 11, 1), exercise=stretch.id, before=0, after=1, reason="started"
        ),
        LevelChange(day=date(2026, 11, 20), exercise=raise_.id, before=1, after=2, reason="easy"),
        LevelChange(day=date(2026, 11, 25), exercise=stretch.id, before=1, after=0, reason="hurt"),
    ]
    data = report(knowledge, ConversationState(program=program), changes=changes)
    lines = {line.exercise: line for line in data.program}
    raised = lines[raise_.name]
    assert [s.day for s in raised.levels] == [date(2026, 11, 1), date(2026, 11, 20)]
    assert raised.levels[-1].level == level_label(knowledge, raise_, raise_.ladder[1])
    assert raised.levels[-1].reason == knowledge.say("report_reason_easy")
    assert raised.dropped_on is None
    assert lines[stretch.name].dropped_on == date(2026, 11, 25)


def test_a_routine_without_a_program_shows_each_move_at_its_start(knowledge: Knowledge) -> None:
    state = ConversationState(routine=("standing_calf_stretch",))
    [line] = report(knowledge, state).program
    exercise = knowledge.exercises["standing_calf_stretch"]
    assert line.levels[0].level == level_label(
        knowledge, exercise, exercise.ladder[exercise.start_level - 1]
    )


def test_level_labels_add_the_dose_unless_the_name_says_it(knowledge: Knowledge) -> None:
    stretch = knowledge.exercises["standing_calf_stretch"]
    label = level_label(knowledge, stretch, stretch.ladder[0])
    assert label.startswith(stretch.ladder[0].name + ", ") and " x " in label
    curls = knowledge.exercises["towel_toe_curl"]
    assert level_label(knowledge, curls, curls.ladder[0]) == curls.ladder[0].name


def test_adherence_counts_days_done_against_days_planned_week_by_week(
    knowledge: Knowledge,
) -> None:
    checkins = [
        Checkin(day=date(2026, 11, 20), score=5, done=True),  # a Friday
        Checkin(day=date(2026, 11, 21), score=5, done=False),
        Checkin(day=date(2026, 11, 24), score=4, done=True),
        Checkin(day=date(2026, 12, 1), score=3, done=True),
    ]
    weekdays = Days("d:1111100")
    data = report(knowledge, ConversationState(), checkins=checkins, days=weekdays)
    weeks = [(w.week_of, w.planned, w.done) for w in data.adherence]
    assert weeks == [
        (date(2026, 11, 16), 1, 1),  # counted from the first check-in, Friday
        (date(2026, 11, 23), 5, 1),
        (date(2026, 11, 30), 3, 1),  # up to today, Wednesday
    ]
    assert [c.day for c in data.pain] == sorted(c.day for c in checkins)


def test_adherence_counts_days_with_moves_done_from_the_program_too(knowledge: Knowledge) -> None:
    checkins = [Checkin(day=date(2026, 11, 24), score=4, done=True)]
    moved = {date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 30)}
    data = report(knowledge, ConversationState(), checkins=checkins, moved_days=moved)
    weeks = [(w.week_of, w.planned, w.done) for w in data.adherence]
    # Counted from the first day anything was done, a Monday without a check-in.
    assert weeks == [(date(2026, 11, 23), 7, 2), (date(2026, 11, 30), 3, 1)]
