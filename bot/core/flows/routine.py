"""The routine: the moves one card at a time, listening while a card is shown, and what next.

No card is shown while a warning sign stands, before the episode's warning-sign screen is
answered, or while a hint of a sign is still to be asked about (safety.py and intake.py own
those questions). While a card is shown, "it hurts", "ouch", "worse", a pain score or "Stop
here" stops that move and asks what happened; a move that hurt is left out from then on.
"""

from __future__ import annotations

from bot.core.flow import Flow
from bot.core.flows import intake, safety
from bot.core.routine import alternative_to, card_text, routine_for
from bot.core.state import HOME
from bot.core.turn import Turn

flow = Flow("routine")
WHAT_HAPPENED = ("sharp_pain", "too_hard", "no_time")
# Symptoms that, said while a card is shown, mean the move itself is the trouble.
_DURING_A_MOVE = frozenset({"pain", "cramping"})


def start_routine(turn: Turn, args: str = "") -> None:
    """Give the routine for what is known, once nothing must be asked first."""
    state = turn.state
    if safety.standing(turn):
        turn.ask(safety.WARNING)
        return
    if safety.expired(turn):
        turn.ask(safety.REVIEW)
        return
    if not state.symptoms:
        turn.say("routine_needs_symptoms")
        turn.ask(HOME)
        return
    if state.hints:
        state.resume = None
        turn.ask(intake.HINT)
        return
    if not state.screened:
        if safety.to_screen(turn):
            turn.ask(safety.SCREEN)
            return
        state.screened = True
    state.routine = routine_for(
        turn.knowledge,
        state.symptoms,
        state.locations,
        leave_out=state.safety.left_out,
        conditions=state.safety.conditions,
    )
    state.card = 0
    if not state.routine:
        turn.say("routine_none_left")
        turn.ask(WHAT_NEXT)
        return
    lines = [
        turn.text(
            "routine_intro",
            count=len(state.routine),
            summary=intake.describe(turn, state.symptoms, state.locations),
        ),
        *safety.caution_lines(turn),
    ]
    if state.worsening:
        lines.append(turn.text("worsening_note"))
    turn.say_text("\n\n".join(lines), key="routine_intro")
    turn.ask(ROUTINE)


def show_card(turn: Turn) -> None:
    """Show the current exercise card with the way on."""
    routine = turn.state.routine
    if not routine:
        turn.ask(WHAT_NEXT)
        return
    number = turn.state.card + 1
    last = number >= len(routine)
    text = card_text(turn.knowledge, routine[turn.state.card], number, len(routine))
    choices: tuple[str, ...] = ("finish",) if last else ("next", "stop_routine")
    if turn.state.worsening and number == 1:
        choices = (*choices, "pro")
    turn.say_text(text, choices=choices, key="card")


def on_card_choice(turn: Turn, choice: str) -> None:
    """Go to the next card, or stop and ask what happened."""
    if choice == "stop_routine":
        turn.ask(STOPPED)
    else:
        next_card(turn)


def on_card_text(turn: Turn, text: str) -> bool:
    """Listen while a card is shown: pain or "worse" stops the move; a sign stands."""
    reading = turn.read(text)
    intents = set(reading.intent_ids)
    if reading.red_flags:
        safety.raise_signs(turn, reading.red_flag_ids)
        return True
    if "worse" in intents:
        turn.state.worsening = True
    if intents & {"hurt", "worse"} or set(reading.symptom_ids) & _DURING_A_MOVE:
        turn.ask(STOPPED)
        return True
    return False


def next_card(turn: Turn) -> None:
    """Show the next card, or what comes after the last one."""
    state = turn.state
    if state.card + 1 < len(state.routine):
        state.card += 1
        show_card(turn)
    else:
        turn.say("routine_done")
        turn.ask(WHAT_NEXT)


def _current(turn: Turn) -> str | None:
    routine, card = turn.state.routine, turn.state.card
    return routine[card] if 0 <= card < len(routine) else None


def ask_what_happened(turn: Turn) -> None:
    """Stop the move on the card and ask what happened."""
    current = _current(turn)
    name = turn.knowledge.exercises[current].name if current else ""
    turn.say("move_what_happened", name=name, choices=WHAT_HAPPENED)


def on_what_happened(turn: Turn, choice: str) -> None:
    """Leave out a move that hurt, ease one that was too hard, or pause the routine."""
    state = turn.state
    current = _current(turn)
    if choice == "sharp_pain" and current is not None:
        state.safety.left_out = (*state.safety.left_out, current)
        name = turn.knowledge.exercises[current].name
        avoid = (*state.routine, *state.safety.left_out)
        instead = alternative_to(turn.knowledge, current, state.symptoms, avoid)
        rest = state.routine[: state.card] + state.routine[state.card + 1 :]
        if instead is not None:
            rest = (*rest[: state.card], instead, *rest[state.card :])
        state.routine = rest
        turn.say("move_left_out", name=name)
        if state.card >= len(state.routine):
            turn.say("move_no_alternative_last")
            turn.ask(WHAT_NEXT)
            return
        turn.goto(AFTER_PAIN)
        if instead is not None:
            other = turn.knowledge.exercises[instead].name
            turn.say("move_alternative", name=other, choices=("next", "pro", "stop_routine"))
        else:
            turn.say("move_no_alternative", choices=("next", "pro", "stop_routine"))
    elif choice == "too_hard":
        turn.say("move_too_hard")
        next_card(turn)
    else:
        turn.say("routine_paused")
        turn.ask(WHAT_NEXT)


def on_after_pain(turn: Turn, choice: str) -> None:
    """Go on with the routine (the next card is now the one after, or the alternative)."""
    if choice == "next":
        turn.ask(ROUTINE)
    else:
        turn.say("routine_paused")
        turn.ask(WHAT_NEXT)


def ask_after_pain(turn: Turn) -> None:
    """Ask again how to go on after a move that hurt."""
    turn.say("move_go_on", choices=("next", "pro", "stop_routine"))


def ask_what_next(turn: Turn) -> None:
    """Offer what can come after a routine."""
    turn.say("what_next", choices=("again", "reminder", "pro", "done"), no="done")


def repeat_card(turn: Turn) -> None:
    """Say in one line which card is open, with its buttons (not the whole card again)."""
    routine = turn.state.routine
    current = _current(turn)
    if current is None:
        turn.ask(WHAT_NEXT)
        return
    number = turn.state.card + 1
    last = number >= len(routine)
    name = turn.knowledge.exercises[current].name
    choices: tuple[str, ...] = ("finish",) if last else ("next", "stop_routine")
    turn.say("card_repeat", name=name, number=number, total=len(routine), choices=choices)


def on_what_next_choice(turn: Turn, choice: str) -> None:
    """Act on the choice made after a routine."""
    if choice == "again":
        start_routine(turn)
    elif choice == "reminder":
        turn.run("reminder")
    elif choice == "not_now":
        turn.goto(HOME)
        turn.say("nudge_later")
    else:
        turn.goto(HOME)
        turn.say("goodbye")


ROUTINE = flow.step("routine", show_card, on_card_choice, on_card_text, repeat=repeat_card)
STOPPED = flow.step("move_stopped", ask_what_happened, on_what_happened)
AFTER_PAIN = flow.step("after_pain", ask_after_pain, on_after_pain)
WHAT_NEXT = flow.step("what_next", ask_what_next, on_what_next_choice)
flow.command("routine", start_routine, menu=True)
flow.buttons(
    "next", "finish", "stop_routine", "again", "reminder", "done", "not_now", "pro",
    *WHAT_HAPPENED,
)  # fmt: skip
flow.says(
    "routine_needs_symptoms",
    "routine_none_left",
    "routine_done",
    "routine_paused",
    "worsening_note",
    "worsening_reply",
    "move_too_hard",
    "move_no_alternative",
    "move_no_alternative_last",
    "move_go_on",
    "what_next",
    "goodbye",
    "nudge_later",
    routine_intro={"count", "summary"},
    move_what_happened={"name"},
    move_left_out={"name"},
    move_alternative={"name"},
    card_repeat={"name", "number", "total"},
)
