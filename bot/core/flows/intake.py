"""From "what bothers you" to the routine: read, check warning signs, ask what is missing."""

from __future__ import annotations

from bot.core.flow import Flow, yes_no
from bot.core.pain_score import PAIN_SCALE, answer_score
from bot.core.reading import Reading
from bot.core.routine import card_text, routine_for
from bot.core.state import HOME
from bot.core.turn import Turn

URGENCY_ORDER = {"emergency": 0, "urgent": 1, "soon": 2}
flow = Flow("intake")


# -- prompts: (re)ask the question of a step ----------------------------------------------


def ask_what_bothers(turn: Turn) -> None:
    """Ask what bothers them, offering the symptoms as buttons."""
    turn.say("ask_what_bothers", choices=symptom_choices(turn), labels=symptom_labels(turn))


def ask_location(turn: Turn) -> None:
    """Ask where they feel it."""
    labels = {lid: loc.label for lid, loc in turn.knowledge.locations.items()}
    turn.say("ask_location", choices=tuple(labels), labels=labels)


def ask_severity(turn: Turn) -> None:
    """Ask how bad it is on the 0-10 scale."""
    turn.say("ask_severity", choices=PAIN_SCALE, labels={n: n for n in PAIN_SCALE})


def ask_confirm(turn: Turn) -> None:
    """Check an unsure reading with the person before acting on it."""
    summary = describe(turn, turn.state.pending_symptoms, turn.state.pending_locations)
    turn.say("confirm_reading", summary=summary, choices=("yes", "no"))


def show_red_flags(turn: Turn) -> None:
    """Give the advice of every warning sign found, most urgent first; no exercises."""
    flags = sorted(
        (turn.knowledge.red_flags[f] for f in turn.state.red_flags),
        key=lambda flag: URGENCY_ORDER[flag.urgency],
    )
    advice = "\n\n".join(flag.advice for flag in flags)
    text = "\n\n".join((turn.text("red_flag_intro"), advice, turn.text("red_flag_outro")))
    turn.say_text(text, choices=("pro", "start"), key="red_flag")


def show_card(turn: Turn) -> None:
    """Show the current exercise card with the way on."""
    routine = turn.state.routine
    number = turn.state.card + 1
    last = number >= len(routine)
    text = card_text(turn.knowledge, routine[turn.state.card], number, len(routine))
    turn.say_text(text, choices=("finish",) if last else ("next", "stop_routine"), key="card")


def ask_what_next(turn: Turn) -> None:
    """Offer what can come after a routine."""
    turn.say("what_next", choices=("again", "reminder", "pro", "done"))


# -- moving on ----------------------------------------------------------------------------


def advance(turn: Turn) -> None:
    """Ask for the next missing piece, or give the routine when nothing is missing."""
    state = turn.state
    state.misses = 0
    if state.red_flags:
        turn.goto(RED_FLAG)
        show_red_flags(turn)
    elif not state.symptoms:
        turn.goto(WELCOME)
        where = describe(turn, (), state.locations)
        turn.say(
            "ask_symptom_for_location",
            location=where,
            choices=symptom_choices(turn),
            labels=symptom_labels(turn),
        )
    elif not state.locations:
        turn.goto(ASK_LOCATION)
        ask_location(turn)
    elif state.pain_score is None:
        turn.goto(ASK_SEVERITY)
        ask_severity(turn)
    else:
        start_routine(turn)


def start_routine(turn: Turn) -> None:
    """Give the routine for what is known, one card at a time."""
    state = turn.state
    if state.red_flags:
        turn.say("routine_blocked")
        turn.goto(RED_FLAG)
        show_red_flags(turn)
        return
    if not state.symptoms:
        turn.goto(WELCOME)
        turn.say("routine_needs_symptoms")
        ask_what_bothers(turn)
        return
    state.routine = routine_for(turn.knowledge, state.symptoms, state.locations)
    state.card = 0
    turn.goto(ROUTINE)
    turn.say(
        "routine_intro",
        count=len(state.routine),
        summary=describe(turn, state.symptoms, state.locations),
    )
    show_card(turn)


def raise_red_flags(turn: Turn, flags: tuple[str, ...]) -> None:
    """Stop the exercise advice: record the warning signs and give their advice."""
    merged = turn.state.red_flags + tuple(f for f in flags if f not in turn.state.red_flags)
    turn.state.red_flags = merged
    turn.state.misses = 0
    turn.goto(RED_FLAG)
    show_red_flags(turn)


def take_reading(turn: Turn, reading: Reading, *, fresh: bool) -> None:
    """Fold what was read into the episode (a fresh description replaces the old one)."""
    state = turn.state
    if reading.unsure:
        state.pending_symptoms = reading.symptom_ids
        state.pending_locations = reading.location_ids
        if reading.pain_score is not None:
            state.pain_score = reading.pain_score
        turn.goto(CONFIRM)
        ask_confirm(turn)
        return
    if fresh and reading.symptoms:
        state.symptoms = reading.symptom_ids
        state.locations = reading.location_ids
        state.pain_score = reading.pain_score
    else:
        state.symptoms = _merged(state.symptoms, reading.symptom_ids)
        state.locations = _merged(state.locations, reading.location_ids)
        if reading.pain_score is not None:
            state.pain_score = reading.pain_score
    advance(turn)


def pick_symptom(turn: Turn, symptom: str) -> None:
    """Take a symptom button."""
    turn.state.symptoms = _merged(turn.state.symptoms, (symptom,))
    advance(turn)


def pick_location(turn: Turn, location: str) -> None:
    """Take a location button."""
    turn.state.locations = _merged(turn.state.locations, (location,))
    advance(turn)


def pick_score(turn: Turn, score: int) -> None:
    """Take a pain score; a high one is the `severe` warning sign."""
    turn.state.pain_score = score
    if score >= turn.knowledge.rules.severe_pain_score:
        raise_red_flags(turn, ("severe",))
    else:
        advance(turn)


def confirm(turn: Turn, agreed: bool) -> None:
    """Act on the answer to "did you mean …?"."""
    state = turn.state
    pending_s, pending_l = state.pending_symptoms, state.pending_locations
    state.pending_symptoms, state.pending_locations = (), ()
    if agreed:
        state.symptoms = _merged(state.symptoms, pending_s)
        state.locations = _merged(state.locations, pending_l)
        advance(turn)
    else:
        turn.goto(WELCOME)
        turn.say("confirm_denied")
        ask_what_bothers(turn)


def next_card(turn: Turn) -> None:
    """Show the next card, or what comes after the last one."""
    state = turn.state
    if state.card + 1 < len(state.routine):
        state.card += 1
        show_card(turn)
    else:
        finish_routine(turn)


def finish_routine(turn: Turn) -> None:
    """Close the routine and offer what comes next."""
    turn.goto(WHAT_NEXT)
    turn.say("routine_done")
    ask_what_next(turn)


# -- helpers ------------------------------------------------------------------------------


def symptom_choices(turn: Turn) -> tuple[str, ...]:
    """Return the symptom ids offered as buttons."""
    return tuple(turn.knowledge.symptoms)


def symptom_labels(turn: Turn) -> dict[str, str]:
    """Return the button label of each symptom id."""
    return {sid: s.label for sid, s in turn.knowledge.symptoms.items()}


def describe(turn: Turn, symptoms: tuple[str, ...], locations: tuple[str, ...]) -> str:
    """Describe symptoms and locations in a few words, e.g. "tightness in the calf"."""
    k = turn.knowledge
    what = _join(turn, [k.symptoms[s].in_sentence for s in symptoms])
    where = _join(turn, [k.locations[loc].in_sentence for loc in locations])
    if what and where:
        return turn.text("describe_both", what=what, where=where)
    return what or where or turn.text("describe_nothing")


def _join(turn: Turn, words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return turn.text("join_and", first=", ".join(words[:-1]), last=words[-1])


def _merged(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    return old + tuple(x for x in new if x not in old)


# -- answers ------------------------------------------------------------------------------


def on_severity_text(turn: Turn, text: str) -> bool:
    """Take a typed score ("4", "4/10", "it's about a 4"), unless the text raises a warning."""
    reading = turn.reader.read(text)
    if reading.red_flags:
        raise_red_flags(turn, reading.red_flag_ids)
        return True
    score = reading.pain_score if reading.pain_score is not None else answer_score(text)
    if score is not None:
        pick_score(turn, score)
    return score is not None


def on_severity_choice(turn: Turn, choice: str) -> None:
    """Take a score button."""
    pick_score(turn, int(choice))


def on_red_flag_choice(turn: Turn, choice: str) -> None:
    """Nothing but the shared choices is offered after a warning sign."""
    turn.reprompt()


def on_routine_choice(turn: Turn, choice: str) -> None:
    """Go to the next card, or stop the routine."""
    if choice == "stop_routine":
        finish_routine(turn)
    else:
        next_card(turn)


def on_what_next_choice(turn: Turn, choice: str) -> None:
    """Act on the choice made after a routine."""
    if choice == "again":
        start_routine(turn)
    elif choice == "reminder":
        turn.run("reminder")
    elif choice == "not_now":
        turn.goto(WELCOME)
        turn.say("nudge_later")
    else:
        turn.goto(WELCOME)
        turn.say("goodbye")


def routine_command(turn: Turn, args: str) -> None:
    """Give the routine for what is known, or ask what bothers them."""
    start_routine(turn)


# -- the flow -----------------------------------------------------------------------------

WELCOME = flow.step(HOME, ask_what_bothers, pick_symptom)
CONFIRM = flow.step("confirm", ask_confirm, *yes_no(confirm))
ASK_LOCATION = flow.step("ask_location", ask_location, pick_location)
ASK_SEVERITY = flow.step("ask_severity", ask_severity, on_severity_choice, on_severity_text)
RED_FLAG = flow.step("red_flag", show_red_flags, on_red_flag_choice)
ROUTINE = flow.step("routine", show_card, on_routine_choice)
WHAT_NEXT = flow.step("what_next", ask_what_next, on_what_next_choice)
flow.command("routine", routine_command, menu=True)
flow.buttons("yes", "no", "next", "finish", "stop_routine", "again", "reminder", "done", "not_now")
flow.says(
    "ask_what_bothers",
    "ask_location",
    "ask_severity",
    "confirm_denied",
    "red_flag_intro",
    "red_flag_outro",
    "routine_blocked",
    "routine_needs_symptoms",
    "routine_done",
    "what_next",
    "goodbye",
    "nudge_later",
    ask_symptom_for_location={"location"},
    confirm_reading={"summary"},
    routine_intro={"count", "summary"},
)
