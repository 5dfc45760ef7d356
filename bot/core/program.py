"""A person's own program: the moves they do, each at a level of its ladder, and how it adapts.

The first routine becomes the program. How each move felt ("How did that feel?": easy, just
right, hard, hurt) moves it along its ladder by the rules in knowledge/rules.yaml (`program`): a few
"Easy" in a row go up a level, "Hard" holds, "It hurt" goes down, and out from the bottom;
nothing goes up while the pain is rising. Everything here is pure: the program and the answers
in, the program and the changes out; the store keeps the program with the person.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from bot.core.knowledge import Exercise, Knowledge, Level, ProgramRules


class Feel(StrEnum):
    """How a move felt."""

    easy = "easy"
    right = "just_right"
    hard = "hard"
    hurt = "hurt"


class Move(BaseModel):
    """One move of the program, at a level (1 is the easiest)."""

    model_config = ConfigDict(validate_assignment=True)

    exercise: str
    level: int = Field(ge=1)
    since: date
    # Answers since the level last changed, oldest first (only the last few matter): one a
    # day, the latest of the day counting, so "Do it again" twice in a minute is one session.
    feels: tuple[Feel, ...] = ()
    felt_on: date | None = None
    dropped: date | None = None  # left out of the program: it hurt, or the person dropped it


class LevelChange(BaseModel):
    """A move changed level (or left the program) on a day, and why."""

    model_config = ConfigDict(frozen=True)

    day: date
    exercise: str
    before: int  # 0: the move joined the program
    after: int  # 0: the move left the program
    # easy | hard | hurt | pain_rising | added | dropped | started | asked_harder | asked_easier
    reason: str


class Program(BaseModel):
    """The person's moves, each at its level (the history of levels is kept by the store)."""

    model_config = ConfigDict(validate_assignment=True)

    moves: tuple[Move, ...] = ()
    # The symptoms and places the program was made for: a new complaint or a correction
    # reshapes it, the same complaint keeps it (and the moves the person added or dropped).
    complaint: tuple[str, ...] = ()

    def active(self) -> tuple[Move, ...]:
        """Return the moves still in the program, in order."""
        return tuple(m for m in self.moves if m.dropped is None)

    def move(self, exercise: str) -> Move | None:
        """Return the program's move of this exercise, dropped or not."""
        return next((m for m in self.moves if m.exercise == exercise), None)


def level_of(knowledge: Knowledge, move: Move) -> Level:
    """Return the level a move is at (the top one if the ladder has since grown shorter)."""
    ladder = knowledge.exercises[move.exercise].ladder
    return ladder[min(move.level, len(ladder)) - 1]


def start(
    knowledge: Knowledge, exercises: Sequence[str], day: date, gentler: bool
) -> tuple[Program, tuple[LevelChange, ...]]:
    """Return a new program of these moves, each at its starting level (or the easiest)."""
    moves = []
    changes = []
    for exercise_id in exercises:
        exercise = knowledge.exercises[exercise_id]
        level = 1 if gentler else exercise.start_level
        moves.append(Move(exercise=exercise_id, level=level, since=day))
        changes.append(
            LevelChange(day=day, exercise=exercise_id, before=0, after=level, reason="started")
        )
    return Program(moves=tuple(moves)), tuple(changes)


def reshape(
    knowledge: Knowledge, program: Program, exercises: Sequence[str], day: date, gentler: bool
) -> tuple[Program, tuple[LevelChange, ...]]:
    """Update the program to a new routine: keep the levels of moves that stay, add new ones
    at their start, drop the ones no longer in it (a new complaint, a correction)."""
    changes: list[LevelChange] = []
    moves: list[Move] = []
    wanted = list(dict.fromkeys(exercises))
    for exercise_id in wanted:
        kept = program.move(exercise_id)
        if kept is not None and kept.dropped is None:
            moves.append(kept)
            continue
        level = 1 if gentler else knowledge.exercises[exercise_id].start_level
        moves.append(Move(exercise=exercise_id, level=level, since=day))
        changes.append(
            LevelChange(day=day, exercise=exercise_id, before=0, after=level, reason="added")
        )
    for old in program.moves:
        if old.exercise in wanted:
            continue
        if old.dropped is None:
            changes.append(
                LevelChange(
                    day=day, exercise=old.exercise, before=old.level, after=0, reason="dropped"
                )
            )
            moves.append(old.model_copy(update={"dropped": day}))
        else:
            moves.append(old)
    return Program(moves=tuple(moves)), tuple(changes)


def drop(
    program: Program, exercise: str, day: date, reason: str
) -> tuple[Program, LevelChange | None]:
    """Leave a move out of the program from today."""
    move = program.move(exercise)
    if move is None or move.dropped is not None:
        return program, None
    change = LevelChange(day=day, exercise=exercise, before=move.level, after=0, reason=reason)
    moves = tuple(m.model_copy(update={"dropped": day}) if m is move else m for m in program.moves)
    return program.model_copy(update={"moves": moves}), change


def add(
    knowledge: Knowledge, program: Program, exercise: str, day: date
) -> tuple[Program, LevelChange | None]:
    """Add a move (or take a dropped one back) at its starting level."""
    move = program.move(exercise)
    if move is not None and move.dropped is None:
        return program, None
    level = knowledge.exercises[exercise].start_level
    fresh = Move(exercise=exercise, level=level, since=day)
    others = tuple(m for m in program.moves if m.exercise != exercise)
    change = LevelChange(day=day, exercise=exercise, before=0, after=level, reason="added")
    return program.model_copy(update={"moves": (*others, fresh)}), change


def level_at(knowledge: Knowledge, program: Program | None, exercise: str, gentler: bool) -> Level:
    """Return the level a move is done at: the program's, or where a newcomer starts."""
    move = program.move(exercise) if program is not None else None
    if move is not None and move.dropped is None:
        return level_of(knowledge, move)
    known = knowledge.exercises[exercise]
    return known.ladder[0 if gentler else known.start_level - 1]


def rising(pain: Sequence[int]) -> bool:
    """Say whether the latest pain score is higher than the one before."""
    return len(pain) >= 2 and pain[-1] > pain[-2]


def after_feel(
    exercise: Exercise,
    move: Move,
    feel: Feel,
    pain: Sequence[int],
    rules: ProgramRules,
    day: date,
) -> tuple[Move, LevelChange | None]:
    """Return the move after how it felt today, and its level change if there is one.

    `pain` holds the person's recent pain scores, oldest first.
    """
    top = len(exercise.ladder)
    kept = move.feels[:-1] if move.felt_on == day and move.feels else move.feels
    feels = (*kept, feel)[-10:]
    if feel is Feel.hurt:
        if rules.on_hurt == "out" or move.level == 1:
            change = LevelChange(
                day=day, exercise=move.exercise, before=move.level, after=0, reason="hurt"
            )
            return move.model_copy(update={"dropped": day, "feels": (), "felt_on": None}), change
        return _to(move, move.level - 1, day, "hurt")
    if feel is Feel.hard:
        if rules.on_hard == "down" and move.level > 1:
            return _to(move, move.level - 1, day, "hard")
        return move.model_copy(update={"feels": feels, "felt_on": day}), None
    if feel is Feel.easy:
        easy_run = 0
        for earlier in reversed(feels):
            if earlier is not Feel.easy:
                break
            easy_run += 1
        if easy_run >= rules.up_after_easy and move.level < top:
            if rules.hold_while_pain_rises and rising(pain):
                return move.model_copy(update={"feels": feels, "felt_on": day}), None
            return _to(move, move.level + 1, day, "easy")
    return move.model_copy(update={"feels": feels, "felt_on": day}), None


def asked(
    exercise: Exercise, move: Move, harder: bool, day: date
) -> tuple[Move, LevelChange] | None:
    """Return the move one level up or down, as the person asked, and its level change; None
    at the ladder's end."""
    level = move.level + (1 if harder else -1)
    if not 1 <= level <= len(exercise.ladder):
        return None
    return _to(move, level, day, "asked_harder" if harder else "asked_easier")


def apply(program: Program, move: Move) -> Program:
    """Return the program with this move replaced."""
    moves = tuple(move if m.exercise == move.exercise else m for m in program.moves)
    return program.model_copy(update={"moves": moves})


def _to(move: Move, level: int, day: date, reason: str) -> tuple[Move, LevelChange]:
    change = LevelChange(
        day=day, exercise=move.exercise, before=move.level, after=level, reason=reason
    )
    return move.model_copy(update={"level": level, "since": day, "feels": ()}), change
