"""The program's ladder rules as tables: (answers so far, pain scores) -> level."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from bot.core.knowledge import Knowledge, ProgramRules
from bot.core.program import Feel, Move, Program, add, after_feel, asked, drop, reshape, start

DAY = date(2026, 11, 25)
E, R, H, X = Feel.easy, Feel.right, Feel.hard, Feel.hurt
RULES = ProgramRules()


def walk(
    knowledge: Knowledge, exercise: str, level: int, feels: list[Feel], pain: list[int]
) -> tuple[int, list[str]]:
    """Answer `feels` on successive days; return the final level (0: out) and the reasons."""
    move = Move(exercise=exercise, level=level, since=DAY)
    reasons: list[str] = []
    for offset, feel in enumerate(feels):
        move, change = after_feel(
            knowledge.exercises[exercise], move, feel, pain, RULES, DAY + timedelta(days=offset)
        )
        if change is not None:
            reasons.append(change.reason)
        if move.dropped is not None:
            return 0, reasons
    return move.level, reasons


@pytest.mark.parametrize(
    ("feels", "pain", "level", "reasons"),
    [
        ([E], [3, 3], 1, []),  # one easy session is not enough
        ([E, E], [3, 3], 2, ["easy"]),  # two in a row move up
        ([E, R, E], [3, 3], 1, []),  # not in a row
        ([E, E, E, E], [3, 3], 3, ["easy", "easy"]),  # and up again after two more
        ([E] * 12, [3, 3], 4, ["easy", "easy", "easy"]),  # the top is the top
        ([H, H, H], [3, 3], 1, []),  # hard holds
        ([E, E], [3, 5], 1, []),  # never up while the pain rises
        ([E, E], [5, 3], 2, ["easy"]),  # falling pain is fine
        ([X], [3, 3], 0, ["hurt"]),  # it hurt at the bottom: out
        ([E, E, X], [3, 3], 1, ["easy", "hurt"]),  # it hurt above the bottom: down one
        ([E, E, E, E, X, X], [3, 3], 1, ["easy", "easy", "hurt", "hurt"]),
        ([E, E, X, X], [3, 3], 0, ["easy", "hurt", "hurt"]),
    ],
)
def test_calf_raises_climb_and_fall_by_the_rules(knowledge, feels, pain, level, reasons) -> None:
    assert walk(knowledge, "standing_calf_raise", 1, feels, pain) == (level, reasons)


def test_a_single_level_move_never_moves_up(knowledge) -> None:
    assert walk(knowledge, "plank_calf_stretch", 1, [E] * 6, [2, 2]) == (1, [])


def test_the_rules_come_from_knowledge(knowledge) -> None:
    strict = ProgramRules(up_after_easy=3, on_hard="down", on_hurt="out")
    exercise = knowledge.exercises["standing_calf_raise"]
    move = Move(exercise="standing_calf_raise", level=3, since=DAY)
    move, change = after_feel(exercise, move, H, [3, 3], strict, DAY)
    assert (move.level, change and change.reason) == (2, "hard")
    move, change = after_feel(exercise, move, X, [3, 3], strict, DAY)
    assert move.dropped == DAY and change is not None and change.after == 0


def test_a_program_starts_at_each_moves_start_level_or_gentler(knowledge) -> None:
    program, changes = start(knowledge, ["ball_roll", "standing_calf_raise"], DAY, gentler=False)
    assert [(m.exercise, m.level) for m in program.moves] == [
        ("ball_roll", 2),
        ("standing_calf_raise", 1),
    ]
    gentle, _ = start(knowledge, ["ball_roll"], DAY, gentler=True)
    assert gentle.moves[0].level == 1
    assert [c.reason for c in changes] == ["started", "started"]


def test_a_new_routine_keeps_levels_adds_and_drops(knowledge) -> None:
    program, _ = start(knowledge, ["ball_roll", "standing_calf_raise"], DAY, gentler=False)
    program = program.model_copy(
        update={"moves": (program.moves[0], program.moves[1].model_copy(update={"level": 3}))}
    )
    later = DAY + timedelta(days=10)
    reshaped, changes = reshape(
        knowledge, program, ["standing_calf_raise", "towel_toe_curl"], later, gentler=False
    )
    assert [(m.exercise, m.level, m.dropped) for m in reshaped.moves] == [
        ("standing_calf_raise", 3, None),
        ("towel_toe_curl", 1, None),
        ("ball_roll", 2, later),
    ]
    assert sorted(c.reason for c in changes) == ["added", "dropped"]


def test_drop_and_add_a_move(knowledge) -> None:
    program, _ = start(knowledge, ["ball_roll"], DAY, gentler=False)
    dropped, change = drop(program, "ball_roll", DAY, "dropped")
    assert change is not None and dropped.active() == ()
    again, change = add(knowledge, dropped, "ball_roll", DAY)
    assert change is not None and [m.exercise for m in again.active()] == ["ball_roll"]
    same, none = add(knowledge, again, "ball_roll", DAY)
    assert none is None and same == again
    assert isinstance(again, Program)


def test_answers_of_one_day_count_once_the_latest_winning(knowledge) -> None:
    exercise = knowledge.exercises["standing_calf_raise"]
    move = Move(exercise="standing_calf_raise", level=1, since=DAY)
    for _ in range(3):  # "Do it again", Easy, three times in a morning
        move, change = after_feel(exercise, move, E, [3, 3], RULES, DAY)
        assert change is None
    move, change = after_feel(exercise, move, E, [3, 3], RULES, DAY + timedelta(days=1))
    assert change is not None and (change.before, change.after) == (1, 2)
    # The day's Hard, answered again as Easy, is Easy: two days in a row.
    move = Move(exercise="standing_calf_raise", level=1, since=DAY)
    move, _ = after_feel(exercise, move, E, [3, 3], RULES, DAY)
    move, _ = after_feel(exercise, move, H, [3, 3], RULES, DAY + timedelta(days=1))
    assert move.feels == (E, H)
    move, change = after_feel(exercise, move, E, [3, 3], RULES, DAY + timedelta(days=1))
    assert change is not None and move.level == 2


def test_a_level_asked_for_is_one_step_within_the_ladder(knowledge: Knowledge) -> None:
    raises = knowledge.exercises["standing_calf_raise"]
    day = date(2026, 12, 7)
    bottom = Move(exercise=raises.id, level=1, since=day)
    top = Move(exercise=raises.id, level=len(raises.ladder), since=day)
    up = asked(raises, bottom, True, day)
    assert up is not None and (up[1].before, up[1].after, up[1].reason) == (1, 2, "asked_harder")
    assert up[0].level == 2
    down = asked(raises, top, False, day)
    assert down is not None and down[1].after == len(raises.ladder) - 1
    assert down[1].reason == "asked_easier"
    assert asked(raises, bottom, False, day) is None
    assert asked(raises, top, True, day) is None
