"""/program: the person's own moves, each at its level; start them, drop one, or add one.

The program itself is made and reshaped by the routine (flows/routine.py) and moved along
its ladders by how each move felt; here the person sees it and changes it by hand. A move
that hurt stays out (it is not offered to add), and so do moves a condition rules out.
"""

from __future__ import annotations

from collections.abc import Callable

from bot.core import program as ladder
from bot.core.flow import Flow
from bot.core.flows import routine, safety
from bot.core.report import level_label
from bot.core.state import HOME
from bot.core.turn import Turn, local_today

flow = Flow("program")
ACTIONS = ("program_start", "program_drop", "program_add", "program_done")
KEEP = "program_keep"


def show_program(turn: Turn, args: str = "") -> None:
    """Show the program: each move at its level and dose, and what can be done with it."""
    program = turn.state.program
    if program is None or not program.moves:
        signs = safety.standing(turn)
        if signs:  # "tell me and I'll suggest moves" would go against the warning
            turn.say("program_none_sign", signs=safety.names(turn, signs))
        else:
            turn.say("program_none")
        turn.goto(HOME)
        return
    turn.ask(MENU)


def ask_menu(turn: Turn) -> None:
    """List the moves and offer Start, Drop a move, Add a move."""
    knowledge = turn.knowledge
    program = turn.state.program
    moves = routine.program_moves(turn)
    lines = []
    for number, exercise in enumerate(moves, start=1):
        known = knowledge.exercises[exercise]
        at = routine.level(turn, exercise)
        lines.append(f"{number}. {known.name}: {level_label(knowledge, known, at)}")
    out = [m for m in (program.moves if program else ()) if m.exercise not in moves]
    names = ", ".join(
        knowledge.exercises[m.exercise].name for m in out if m.exercise in knowledge.exercises
    )
    text = (
        turn.text("program_list", moves="\n".join(lines)) if lines else turn.text("program_empty")
    )
    if names:
        text = f"{text}\n\n{turn.text('program_out', moves=names)}"
    text = f"{text}\n\n{turn.text('program_how')}"
    choices: tuple[str, ...] = ACTIONS if lines else ("program_add", "program_done")
    if not addable(turn):
        choices = tuple(c for c in choices if c != "program_add")
    signs = safety.standing(turn)
    if signs:
        # Kept to look at, not to do: no moves start while a warning sign stands.
        text = f"{text}\n\n{turn.text('program_paused', signs=safety.names(turn, signs))}"
        choices = tuple(c for c in choices if c not in ("program_start", "program_add"))
    turn.say_text(text, choices=choices, key="program", no="program_done")


def on_menu(turn: Turn, choice: str) -> None:
    """Start the moves, pick one to drop or to add, or leave the program as it is."""
    if choice == "program_start":
        turn.run("routine")
    elif choice == "program_drop":
        turn.ask(DROP)
    elif choice == "program_add":
        turn.ask(ADD)
    else:
        turn.goto(HOME)
        turn.say("program_kept")


def addable(turn: Turn) -> tuple[str, ...]:
    """Return the moves that may be added: not in the program, never one that hurt, none a
    condition rules out."""
    knowledge = turn.knowledge
    current = set(routine.program_moves(turn))
    ruled_out = set(turn.state.safety.left_out)
    for condition in turn.state.safety.conditions:
        rules = knowledge.safety.conditions.get(condition)
        if rules is not None:
            ruled_out |= set(rules.leave_out)
    return tuple(e for e in knowledge.exercises if e not in current and e not in ruled_out)


def on_menu_text(turn: Turn, text: str) -> bool:
    """Change the level of, drop or add the move named with it ("make the calf raises
    harder", "drop the plank one", "add calf raises")."""
    answers = turn.answers
    if answers is None:
        return False
    direction = answers.level_asked(text)
    if direction is not None:
        change_level(turn, answers.move_named(text), harder=direction == "harder")
        return True
    if answers.move_named(text) is None:
        return False
    picked = _drop_or_add(turn, text)
    if picked == "program_drop":
        turn.goto(DROP)
        return on_drop_text(turn, text)
    if picked == "program_add":
        turn.goto(ADD)
        return on_add_text(turn, text)
    return False


def change_level(turn: Turn, exercise: str | None, *, harder: bool) -> None:
    """Move the named move one level up or down, as asked, and show the program again."""
    knowledge = turn.knowledge
    program = turn.state.program
    moves = routine.program_moves(turn)
    if exercise is None or program is None:
        example = knowledge.exercises[(moves or tuple(knowledge.exercises))[0]].name.lower()
        turn.say("program_level_which", name=example)
        turn.reprompt()
        return
    known = knowledge.exercises[exercise]
    move = program.move(exercise)
    if move is None or exercise not in moves:
        turn.say("program_level_not_in", name=known.name)
        turn.reprompt()
        return
    today = local_today(turn)
    if harder and move.since == today and move.level > known.start_level:
        # One step up a day, as the ladder climbs: the new level is tried before the next.
        turn.say("program_level_today", name=known.name)
        turn.reprompt()
        return
    stepped = ladder.asked(known, move, harder, today)
    if stepped is None:
        key = "program_level_top" if harder else "program_level_bottom"
        at = level_label(knowledge, known, routine.level(turn, exercise))
        turn.say(key, name=known.name, level=at)
        turn.reprompt()
        return
    moved, change = stepped
    turn.state.program = ladder.apply(program, moved)
    routine.record_changes(turn, (change,))
    routine.say_change(turn, change)
    turn.ask(MENU)  # the program again, with the new level


def _drop_or_add(turn: Turn, text: str) -> str | None:
    """Return "program_drop" or "program_add" when the text says which ("add calf raises")."""
    if turn.answers is None:
        return None
    actions = ("program_drop", "program_add")
    labels = tuple(turn.text(f"button_{action}") for action in actions)
    picked = turn.answers.match(text, actions, labels)
    return picked if picked in actions else None


def _take_typed(
    turn: Turn, text: str, moves: tuple[str, ...], take: Callable[[Turn, str], None]
) -> bool:
    """Take the move named in words ("the towel one") if it is one of `moves`, else say why
    not and ask again; False when the text names no move."""
    named = turn.answers.move_named(text) if turn.answers is not None else None
    if named is None:
        return False
    if named in moves:
        take(turn, named)
        return True
    # "add the towel one" at "Which move shall I leave out?": the other question's move.
    wanted = _drop_or_add(turn, text)
    if turn.state.step == DROP and wanted == "program_add":
        turn.goto(ADD)
        return on_add_text(turn, text)
    if turn.state.step == ADD and wanted == "program_drop":
        turn.goto(DROP)
        return on_drop_text(turn, text)
    name = turn.knowledge.exercises[named].name
    if turn.state.step == DROP:
        turn.say("program_drop_not_in", name=name)
    elif named in routine.program_moves(turn):
        turn.say("program_add_already", name=name)
    elif named in turn.state.safety.left_out:
        turn.say("program_add_hurt", name=name)
    else:
        turn.say("program_add_not_suited", name=name)
    turn.reprompt()
    return True


def on_drop_text(turn: Turn, text: str) -> bool:
    """Take a move named in words ("drop the towel one") as the move to leave out."""
    return _take_typed(turn, text, routine.program_moves(turn), on_drop)


def on_add_text(turn: Turn, text: str) -> bool:
    """Take a move named in words ("add calf raises") as the move to add."""
    return _take_typed(turn, text, addable(turn), on_add)


def ask_drop(turn: Turn) -> None:
    """Ask which move to leave out."""
    moves = routine.program_moves(turn)
    labels = {e: turn.knowledge.exercises[e].name for e in moves}
    turn.say("program_ask_drop", choices=(*moves, KEEP), labels=labels)


def on_drop(turn: Turn, choice: str) -> None:
    """Leave the chosen move out of the program from today."""
    program = turn.state.program
    if choice == KEEP or program is None or choice not in routine.program_moves(turn):
        turn.goto(HOME)
        turn.say("program_kept")
        return
    program, change = ladder.drop(program, choice, local_today(turn), "removed")
    turn.state.program = program
    routine.record_changes(turn, (change,) if change is not None else ())
    turn.state.routine = routine.program_moves(turn)
    turn.state.card = 0
    turn.goto(HOME)
    turn.say("program_dropped", name=turn.knowledge.exercises[choice].name)


def ask_add(turn: Turn) -> None:
    """Ask which move to add."""
    moves = addable(turn)
    if not moves:
        turn.goto(HOME)
        turn.say("program_nothing_to_add")
        return
    labels = {e: turn.knowledge.exercises[e].name for e in moves}
    turn.say("program_ask_add", choices=(*moves, KEEP), labels=labels)


def on_add(turn: Turn, choice: str) -> None:
    """Add the chosen move at its starting level (the easiest with a condition)."""
    program = turn.state.program
    if choice == KEEP or program is None or choice not in addable(turn):
        turn.goto(HOME)
        turn.say("program_kept")
        return
    program, change = ladder.add(turn.knowledge, program, choice, local_today(turn))
    if routine.gentler(turn) and change is not None and change.after > 1:
        moved = program.move(choice)
        assert moved is not None
        program = ladder.apply(program, moved.model_copy(update={"level": 1}))
        change = change.model_copy(update={"after": 1})
    turn.state.program = program
    routine.record_changes(turn, (change,) if change is not None else ())
    turn.state.routine = routine.program_moves(turn)
    turn.state.card = 0
    known = turn.knowledge.exercises[choice]
    turn.goto(HOME)
    turn.say(
        "program_added",
        name=known.name,
        level=level_label(turn.knowledge, known, routine.level(turn, choice)),
    )


MENU = flow.step("program_menu", ask_menu, on_menu, on_menu_text)
DROP = flow.step("program_drop", ask_drop, on_drop, on_drop_text)
ADD = flow.step("program_add", ask_add, on_add, on_add_text)
flow.command("program", show_program, menu=True)
flow.buttons(*ACTIONS, KEEP)
flow.says(
    "program_none",
    "program_empty",
    "program_how",
    "program_kept",
    "program_ask_drop",
    "program_ask_add",
    "program_nothing_to_add",
    program_none_sign={"signs"},
    program_level_which={"name"},
    program_level_top={"name", "level"},
    program_level_bottom={"name", "level"},
    program_level_not_in={"name"},
    program_level_today={"name"},
    program_list={"moves"},
    program_out={"moves"},
    program_dropped={"name"},
    program_drop_not_in={"name"},
    program_add_already={"name"},
    program_add_hurt={"name"},
    program_add_not_suited={"name"},
    program_added={"name", "level"},
    program_paused={"signs"},
)
