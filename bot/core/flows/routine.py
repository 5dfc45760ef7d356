"""The routine: the moves one card at a time, listening while a card is shown, and what next.

No card is shown while a warning sign stands, before the episode's warning-sign screen is
answered, or while a hint of a sign is still to be asked about (safety.py and intake.py own
those questions). A card comes with its picture and the buttons Start (a guided session,
flows/guide.py), Done (asks how it felt), Skip and Stop here. While a card is shown, "it
hurts", "ouch", "worse", a pain score (a bare number past the buttons too) or "Stop here"
stops that move and asks what happened; a move that hurt is left out from then on, or, where
its ladder has an easier level, eased for next time and not shown again in this routine.

A routine is paused, not lost: "No time now" after Stop here, or leaving a card for another
flow (a callback, a reminder, /cancel), keeps its place; once the other flow is over the person
is offered to pick it up, and /routine picks it up at the same card that day.
"""

from __future__ import annotations

from bot.core import program as ladder
from bot.core.effects import RecordCheckin, RecordFeedback, RecordLevelChanges
from bot.core.feedback import Feeling
from bot.core.flow import Flow
from bot.core.flows import intake, safety
from bot.core.knowledge import Level
from bot.core.pain_score import bare_score
from bot.core.program import Feel, LevelChange
from bot.core.progress import checkin_on
from bot.core.replies import Card, Say
from bot.core.routine import alternative_to, card_text, routine_for
from bot.core.state import HOME, Place, StepId
from bot.core.turn import Turn, local_today

flow = Flow("routine")
WHAT_HAPPENED = ("sharp_pain", "too_hard", "no_time")
# The guided session's steps: flows/guide.py registers them; the routine asks them by id, so
# that it does not import the flow built on top of it.
GUIDING = StepId("guiding")
FEEDBACK = StepId("feedback")
# Symptoms that, said while a card is shown, mean the move itself is the trouble.
DURING_A_MOVE = frozenset({"pain", "cramping"})


def start_routine(turn: Turn, args: str = "") -> None:
    """Give the routine for what is known, once nothing must be asked first; pick up one
    paused today at its card."""
    state = turn.state
    if safety.standing(turn):
        turn.ask(safety.WARNING)
        return
    if safety.expired(turn):
        turn.ask(safety.REVIEW)
        return
    kept = state.program.active() if state.program is not None else ()
    if not state.symptoms and not kept:
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
    if state.step not in OPEN and pick_up(turn):
        return
    if state.symptoms:
        moves = routine_for(
            turn.knowledge,
            state.symptoms,
            state.locations,
            leave_out=state.safety.left_out,
            conditions=state.safety.conditions,
        )
        state.routine = shape_program(turn, moves)
        summary = intake.describe(turn, state.symptoms, state.locations)
    else:
        # A new episode (/start) with no complaint told yet: the program stands for it.
        state.routine = program_moves(turn)
        complaint = state.program.complaint if state.program is not None else ()
        summary = intake.describe(turn, complaint, complaint)
    state.card = 0
    state.skipped = 0
    state.reminded_day = None
    state.place = None
    if not state.routine:
        turn.say("routine_none_left")
        turn.ask(WHAT_NEXT)
        return
    lines = [
        turn.text(
            "routine_intro" if len(state.routine) > 1 else "routine_intro_one",
            count=len(state.routine),
            summary=summary,
        ),
        *safety.caution_lines(turn),
    ]
    if state.worsening:
        lines.append(turn.text("worsening_note"))
    turn.say_text("\n\n".join(lines), key="routine_intro")
    turn.ask(ROUTINE)


# -- the program: the routine the person keeps, each move at a level ----------------------------


def gentler(turn: Turn) -> bool:
    """Say whether moves start at the easiest level (a condition such as diabetes)."""
    return bool(turn.state.safety.conditions)


def shape_program(turn: Turn, exercises: tuple[str, ...]) -> tuple[str, ...]:
    """Make the routine the person's program the first time, or reshape it for a new
    complaint; return the program's moves for today."""
    state = turn.state
    knowledge = turn.knowledge
    day = local_today(turn)
    complaint = (*state.symptoms, *state.locations, *state.safety.conditions)
    program = state.program
    changes: tuple[LevelChange, ...] = ()
    if program is None:
        program, changes = ladder.start(knowledge, exercises, day, gentler(turn))
    elif program.complaint != complaint:
        program, changes = ladder.reshape(knowledge, program, exercises, day, gentler(turn))
    state.program = program.model_copy(update={"complaint": complaint})
    record_changes(turn, changes)
    return program_moves(turn)


def program_moves(turn: Turn) -> tuple[str, ...]:
    """Return the program's moves for today (none that hurt, none gone from the knowledge)."""
    program = turn.state.program
    left_out = set(turn.state.safety.left_out)
    known = turn.knowledge.exercises
    active = program.active() if program is not None else ()
    return tuple(m.exercise for m in active if m.exercise in known and m.exercise not in left_out)


def record_changes(turn: Turn, changes: tuple[LevelChange, ...]) -> None:
    """Keep the program's changes for the weekly review and the report."""
    if changes:
        turn.do(RecordLevelChanges(changes=changes))


def level(turn: Turn, exercise: str) -> Level:
    """Return the level the person does this move at."""
    return ladder.level_at(turn.knowledge, turn.state.program, exercise, gentler(turn))


def after_feel(turn: Turn, exercise: str, feel: Feel) -> LevelChange | None:
    """Move the exercise along its ladder by how it felt (rules.yaml `program`)."""
    program = turn.state.program
    move = program.move(exercise) if program is not None else None
    if program is None or move is None or move.dropped is not None:
        return None
    pain = [c.score for c in turn.ctx.checkins]
    moved, change = ladder.after_feel(
        turn.knowledge.exercises[exercise],
        move,
        feel,
        pain,
        turn.knowledge.program,
        local_today(turn),
    )
    turn.state.program = ladder.apply(program, moved)
    if change is not None:
        record_changes(turn, (change,))
    return change


def say_change(turn: Turn, change: LevelChange) -> None:
    """Tell a level change in one line ("Standing calf raises: one leg from today")."""
    exercise = turn.knowledge.exercises[change.exercise]
    if change.after > change.before:
        new = exercise.ladder[change.after - 1]
        turn.say("level_up", name=exercise.name, change=new.change or new.name)
    else:
        new = exercise.ladder[max(change.after, 1) - 1]
        turn.say("level_down", name=exercise.name, level=new.name)


# -- the cards -----------------------------------------------------------------------------------


def show_card(turn: Turn) -> None:
    """Show the current exercise card, at the person's level, with the way on."""
    routine = turn.state.routine
    if not routine:
        turn.state.place = None
        turn.ask(WHAT_NEXT)
        return
    keep_place(turn)
    number = turn.state.card + 1
    exercise = routine[turn.state.card]
    at = level(turn, exercise)
    text = card_text(turn.knowledge, exercise, number, len(routine), at, removed=removed(turn))
    choices = card_choices(turn)
    if turn.state.worsening and number == 1:
        choices = (*choices, "pro")
    turn.card(exercise, text, choices=choices, variant=at.variant)


def removed(turn: Turn) -> frozenset[str]:
    """Return the moves the person's program has removed: those that hurt, those dropped."""
    program = turn.state.program
    dropped = [m.exercise for m in program.moves if m.dropped is not None] if program else []
    return frozenset((*turn.state.safety.left_out, *dropped))


def card_choices(turn: Turn) -> tuple[str, ...]:
    """Return a card's buttons: Start, Done, Skip, and Stop here unless it is the last."""
    last = turn.state.card + 1 >= len(turn.state.routine)
    return ("start", "did_it", "skip") if last else ("start", "did_it", "skip", "stop_routine")


def on_card_choice(turn: Turn, choice: str) -> None:
    """Guide the move, ask how it felt, skip it, or stop and ask what happened."""
    if choice == "stop_routine":
        turn.ask(STOPPED)
    elif choice == "start":
        turn.ask(GUIDING)
    elif choice == "skip":
        # Not done, so nothing to ask about: an answer for a move not done would mislead
        # the program that moves exercises up and down their ladders.
        turn.state.skipped += 1
        next_card(turn)
    else:  # did_it (and "next"/"finish" of a card shown before there was a Done button)
        turn.ask(FEEDBACK)


def on_card_text(turn: Turn, text: str) -> bool:
    """Listen while a card is shown: pain or "worse" stops the move; a sign stands."""
    score = bare_score(text)
    if score is not None and score > len(turn.state.choices):
        # Not one of the card's buttons: a bare number past them is how bad it hurts now.
        turn.state.pain_score = score
        if not safety.raise_if_severe(turn, score):
            turn.ask(STOPPED)
        return True
    reading = turn.read(text)
    intents = set(reading.intent_ids)
    if reading.red_flags:
        safety.raise_signs(turn, reading.red_flag_ids)
        return True
    if "stop" in intents:
        pause(turn)  # "stop here" on the last card, which has no such button
        return True
    if "worse" in intents:
        turn.state.worsening = True
    if intents & {"hurt", "worse"} or (
        # "is this plantar fasciitis?" names a pain to ask what it is, not to say it hurts now
        set(reading.symptom_ids) & DURING_A_MOVE and "diagnosis" not in intents
    ):
        turn.ask(STOPPED)
        return True
    if turn.answers is not None and turn.answers.asks_next(text):
        # "what next?" at a card: how to get to the next move, not "I can't answer that"
        turn.say("card_what_next")
        turn.reprompt()
        return True
    return skip_named(turn, text)


def skip_named(turn: Turn, text: str) -> bool:
    """Leave out of today a move Skip names ("skip the plank one") other than the open card's,
    which stays open (its guide too); a move not still to come today skips nothing."""
    state = turn.state
    answers = turn.answers
    named = answers.move_named(text) if answers is not None else None
    if answers is None or named is None or named == current(turn):
        return False
    card = card_choices(turn)  # the card's, also while its guide runs
    if answers.match(text, card, [turn.label(c) for c in card]) != "skip":
        return False
    ahead = state.routine[state.card + 1 :]
    name = turn.knowledge.exercises[named].name
    if named in ahead:
        state.routine = (*state.routine[: state.card + 1], *(m for m in ahead if m != named))
        turn.say("skip_named_today", name=name)
    else:
        turn.say("skip_named_not_today", name=name)
    turn.reprompt()  # the card's buttons, or where the guide's are
    return True


def next_card(turn: Turn) -> None:
    """Show the next card, or what comes after the last one."""
    state = turn.state
    if state.card + 1 < len(state.routine):
        state.card += 1
        # Asked, not only shown: from another step (how it felt, what happened) the card's
        # buttons must be the ones its step answers.
        turn.ask(ROUTINE)
    else:
        state.place = None  # the routine is over: nothing to pick up
        reminded = state.reminded_day
        state.reminded_day = None
        if state.skipped >= len(state.routine):
            # Nothing done: no praise, and the reminder's day is not done either.
            turn.say("routine_all_skipped")
            turn.ask(WHAT_NEXT)
            return
        turn.say("routine_done")
        state.moves_done_on = local_today(turn)
        if reminded is not None:
            # Started from a reminder: the moves are done, so the day counts as done.
            turn.run("moves_done", reminded.isoformat())
        else:
            _count_today_done(turn)
            turn.ask(WHAT_NEXT)


def _count_today_done(turn: Turn) -> None:
    """Note today as done once the moves are finished, if today's check-in said it was not.

    A routine not started from a reminder asks no score at its end: a check-in earlier that
    day ("did you do your routine?" "no") keeps its score, and the day now counts as done.
    """
    today = local_today(turn)
    recorded = checkin_on(turn.ctx.checkins, today)
    if recorded is not None and not recorded.done:
        turn.do(RecordCheckin(day=today, score=recorded.score, done=True))


def current(turn: Turn) -> str | None:
    """Return the exercise on the open card, if any."""
    routine, card = turn.state.routine, turn.state.card
    return routine[card] if 0 <= card < len(routine) else None


def ask_what_happened(turn: Turn) -> None:
    """Stop the move on the card and ask what happened."""
    exercise = current(turn)
    name = turn.knowledge.exercises[exercise].name if exercise else ""
    turn.say("move_what_happened", name=name, choices=WHAT_HAPPENED)


def on_what_happened(turn: Turn, choice: str) -> None:
    """Ease a move that hurt (or leave it out), note one that was too hard, or pause."""
    exercise = current(turn)
    if choice == "sharp_pain" and exercise is not None:
        record_feeling(turn, exercise, "hurt")
        it_hurt(turn, exercise)
    elif choice == "too_hard":
        if exercise is not None:
            record_feeling(turn, exercise, "hard")
            change = after_feel(turn, exercise, Feel.hard)
            if change is not None:
                say_change(turn, change)
        turn.say("move_too_hard")
        next_card(turn)
    else:
        pause(turn)


def record_feeling(turn: Turn, exercise: str, feeling: Feeling) -> None:
    """Keep how the move felt today (the program reads these to move exercises on)."""
    turn.do(RecordFeedback(exercise=exercise, day=local_today(turn), feeling=feeling))


def it_hurt(turn: Turn, exercise: str) -> None:
    """The move hurt: an easier level of it from now on where its ladder has one (rules.yaml
    `program.on_hurt`), else leave it out; either way, ask how to go on."""
    change = after_feel(turn, exercise, Feel.hurt)
    if change is not None and change.after > 0:
        say_change(turn, change)
        turn.say("move_rest_today")
        # The easier level is for next time: a move that just hurt is not shown again in
        # this routine, so "Next" goes on to the move after it.
        state = turn.state
        if state.card + 1 >= len(state.routine):
            state.place = None
            turn.say("move_no_alternative_last")
            turn.ask(WHAT_NEXT)
            return
        state.card += 1
        turn.goto(AFTER_PAIN)
        turn.say("move_go_on", choices=("next", "pro", "stop_routine"))
        return
    leave_out_current(turn, recorded=change is not None)


def leave_out_current(turn: Turn, *, recorded: bool = False) -> None:
    """The move on the card hurt: leave it out from now on and offer a gentler one instead."""
    state = turn.state
    exercise = current(turn)
    if exercise is None:
        state.place = None
        turn.ask(WHAT_NEXT)
        return
    state.safety.left_out = (*state.safety.left_out, exercise)
    name = turn.knowledge.exercises[exercise].name
    avoid = (*state.routine, *state.safety.left_out)
    instead = alternative_to(turn.knowledge, exercise, state.symptoms, avoid)
    rest = state.routine[: state.card] + state.routine[state.card + 1 :]
    if instead is not None:
        rest = (*rest[: state.card], instead, *rest[state.card :])
    state.routine = rest
    _program_after_leaving_out(turn, exercise, instead, recorded=recorded)
    turn.say("move_left_out", name=name)
    if state.card >= len(state.routine):
        state.place = None
        turn.say("move_no_alternative_last")
        turn.ask(WHAT_NEXT)
        return
    turn.goto(AFTER_PAIN)
    if instead is not None:
        other = turn.knowledge.exercises[instead].name
        turn.say("move_alternative", name=other, choices=("next", "pro", "stop_routine"))
    else:
        turn.say("move_no_alternative", choices=("next", "pro", "stop_routine"))


def _program_after_leaving_out(
    turn: Turn, exercise: str, instead: str | None, *, recorded: bool
) -> None:
    """Drop the move that hurt from the program, and add the gentler one offered instead."""
    program = turn.state.program
    if program is None:
        return
    day = local_today(turn)
    changes: list[LevelChange] = []
    if not recorded:
        program, dropped = ladder.drop(program, exercise, day, "hurt")
        changes += [dropped] if dropped is not None else []
    if instead is not None:
        program, added = ladder.add(turn.knowledge, program, instead, day)
        changes += [added] if added is not None else []
    turn.state.program = program
    record_changes(turn, tuple(changes))


def on_after_pain(turn: Turn, choice: str) -> None:
    """Go on with the routine (the next card is now the one after, or the alternative)."""
    if choice == "next":
        turn.ask(ROUTINE)
    else:
        pause(turn)  # at the move after the one that hurt


def on_after_pain_text(turn: Turn, text: str) -> bool:
    """Listen after a move that hurt: pain told again ends today's moves (a score of 8 or
    more is the severe sign), where it restarted the routine with the move that hurt."""
    state = turn.state
    score = bare_score(text)
    if score is not None and score > len(state.choices):
        state.pain_score = score  # not one of the buttons: how bad it hurts now
        if safety.raise_if_severe(turn, score):
            return True
        still_hurts = True
    else:
        reading = turn.read(text)
        if reading.red_flags:
            return False  # the engine raises them, as at every step
        intents = set(reading.intent_ids)
        state.worsening = state.worsening or "worse" in intents
        still_hurts = bool(intents & {"hurt", "worse"} or set(reading.symptom_ids) & DURING_A_MOVE)
    if not still_hurts:
        return False
    keep_place(turn)  # /routine later picks up at the move after the one that hurt
    turn.say("move_still_hurts")
    turn.ask(WHAT_NEXT)
    return True


def ask_after_pain(turn: Turn) -> None:
    """Ask again how to go on after a move that hurt."""
    turn.say("move_go_on", choices=("next", "pro", "stop_routine"))


def ask_what_next(turn: Turn, key: str = "what_next") -> None:
    """Offer what can come after a routine (no "Do it again" when no move is left)."""
    if turn.state.routine:
        turn.say(key, choices=("again", "reminder", "pro", "done"), no="done")
    else:
        turn.say(key, choices=("pro", "done"), no="done")


def repeat_card(turn: Turn) -> None:
    """Say in one line which card is open, with its buttons (not the whole card again)."""
    routine = turn.state.routine
    exercise = current(turn)
    if exercise is None:
        turn.ask(WHAT_NEXT)
        return
    number = turn.state.card + 1
    name = turn.knowledge.exercises[exercise].name
    choices = card_choices(turn)
    turn.say("card_repeat", name=name, number=number, total=len(routine), choices=choices)


def on_what_next_text(turn: Turn, text: str) -> bool:
    """Take a reminder asked for in words with what it says ("remind me daily at 8am"), and
    offer the choices again to "what next?"."""
    if turn.answers is not None and turn.answers.asks_next(text):
        ask_what_next(turn, "what_next_again")
        return True
    reading = turn.read(text)
    if "reminder" in reading.intent_ids:
        turn.run("reminder", text)
        return True
    state = turn.state
    told_before = set(reading.location_ids) <= set(state.locations) and bool(state.symptoms)
    hurts = "hurt" in reading.intent_ids or bool(set(reading.symptom_ids) & DURING_A_MOVE)
    if hurts and told_before and not reading.red_flags:
        # "it still hurts" after the moves: the same complaint, not a new one to ask about
        turn.say("move_still_hurts")
        ask_what_next(turn)
        return True
    return False


def on_what_next_choice(turn: Turn, choice: str) -> None:
    """Act on the choice made after a routine."""
    if choice == "again":
        turn.state.place = None  # again is from the top, not from where it was paused
        start_routine(turn)
    elif choice == "reminder":
        turn.run("reminder")
    elif choice == "not_now":
        turn.goto(HOME)
        turn.say("nudge_later")
    else:
        turn.goto(HOME)
        turn.say("goodbye")


# -- pausing and picking up ---------------------------------------------------------------------


def complaint_of(turn: Turn) -> tuple[str, ...]:
    """Return what the routine is for: a new complaint makes a paused routine a stale one."""
    return (*turn.state.symptoms, *turn.state.locations)


def keep_place(turn: Turn, *, offer: bool = False) -> None:
    """Remember the open card as the routine's place (none once past the last card)."""
    exercise = current(turn)
    if exercise is None:
        turn.state.place = None
        return
    day, complaint = local_today(turn), complaint_of(turn)
    turn.state.place = Place(exercise=exercise, day=day, complaint=complaint, offer=offer)


def paused_place(turn: Turn) -> Place | None:
    """Return the place of a routine paused today that still stands as it was left, if any."""
    place = turn.state.place
    if place is None or place.day != local_today(turn) or current(turn) != place.exercise:
        return None
    return place if place.complaint == complaint_of(turn) else None


def pause(turn: Turn) -> None:
    """Stop at the open card, keep its place for /routine, and offer what can come next."""
    keep_place(turn)
    turn.say("routine_paused")
    turn.ask(WHAT_NEXT)


def pick_up(turn: Turn) -> bool:
    """Show the card a routine paused today was left at; False when there is none to pick up."""
    if paused_place(turn) is None:
        return False
    turn.say("routine_picked_up")
    turn.ask(ROUTINE)
    return True


def settle(turn: Turn, was: StepId) -> None:
    """Keep the routine's place when the person left an open card for another flow, offer to
    pick it up once that flow is over, and ask the card again after a command that said
    something else while it stays open."""
    state = turn.state
    if state.place is None:
        return
    if safety.standing(turn):
        state.place = None  # a warning sign stops the routine; it starts afresh once checked
        return
    if was in OPEN and state.step not in (*OPEN, WHAT_NEXT, PAUSED):
        # A goodbye already points at /routine: the place is kept, but not offered on top.
        keep_place(turn, offer=not _said_goodbye(turn))
    place = state.place
    if place is not None and place.offer and state.step == HOME:
        if paused_place(turn) is None:
            state.place = None  # the routine changed meanwhile (/program): nothing to offer
        else:
            turn.ask(PAUSED)
    elif was == state.step == ROUTINE and _ends_without_choices(turn):
        # /progress, /privacy, /mydata: the card's buttons must be the last ones shown, or a
        # number or a tap meant for the card would answer something else.
        turn.reprompt()


def _said_goodbye(turn: Turn) -> bool:
    return any(isinstance(r, Say) and r.key in ("goodbye", "goodbye_new") for r in turn.replies)


def _ends_without_choices(turn: Turn) -> bool:
    last = turn.replies[-1] if turn.replies else None
    return last is not None and not (isinstance(last, Say | Card) and last.choices)


def ask_pick_up(turn: Turn) -> None:
    """Say where the routine was paused and offer to pick it up there."""
    place = paused_place(turn)
    state = turn.state
    if place is None:
        state.place = None
        turn.ask(HOME)
        return
    place.offer = False
    turn.say(
        "routine_paused_at",
        name=turn.knowledge.exercises[place.exercise].name,
        number=state.card + 1,
        total=len(state.routine),
        choices=("pick_up", "not_now"),
        yes="pick_up",
        no="not_now",
    )


def on_pick_up(turn: Turn, choice: str) -> None:
    """Pick the routine up at its card, or leave it paused for /routine."""
    if choice == "pick_up":
        start_routine(turn)
    else:
        turn.goto(HOME)
        turn.say("routine_paused")


ROUTINE = flow.step("routine", show_card, on_card_choice, on_card_text, repeat=repeat_card)
STOPPED = flow.step("move_stopped", ask_what_happened, on_what_happened)
AFTER_PAIN = flow.step("after_pain", ask_after_pain, on_after_pain, on_after_pain_text)
WHAT_NEXT = flow.step("what_next", ask_what_next, on_what_next_choice, on_what_next_text)
PAUSED = flow.step("routine_paused", ask_pick_up, on_pick_up)
# The steps while a move of the routine is open: leaving them for another flow pauses it.
OPEN = (ROUTINE, GUIDING, FEEDBACK, STOPPED, AFTER_PAIN)
flow.command("routine", start_routine, menu=True)
flow.buttons(
    "start", "did_it", "skip", "next", "finish", "stop_routine", "again", "reminder", "done",
    "not_now", "pro", "pick_up", *WHAT_HAPPENED,
)  # fmt: skip
flow.says(
    "routine_needs_symptoms",
    "routine_none_left",
    "routine_done",
    "routine_all_skipped",
    "routine_paused",
    "routine_picked_up",
    "worsening_note",
    "card_what_next",
    "diagnosis_mid_routine",
    "worsening_reply",
    "move_too_hard",
    "move_no_alternative",
    "move_no_alternative_last",
    "move_go_on",
    "move_rest_today",
    "move_still_hurts",
    "what_next",
    "what_next_again",
    "goodbye",
    "goodbye_new",
    "nudge_later",
    routine_intro={"count", "summary"},
    routine_intro_one={"count", "summary"},
    move_what_happened={"name"},
    move_left_out={"name"},
    move_alternative={"name"},
    card_repeat={"name", "number", "total"},
    skip_named_today={"name"},
    skip_named_not_today={"name"},
    routine_paused_at={"name", "number", "total"},
    level_up={"name", "change"},
    level_down={"name", "level"},
    card_level_how={"how"},
)
