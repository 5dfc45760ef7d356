"""The commands that hold the conversation together: /start, /help and /cancel."""

from __future__ import annotations

from bot.core.flow import Flow
from bot.core.flows import checkin, intake, routine, safety
from bot.core.flows.routine import WHAT_NEXT
from bot.core.state import HOME, ConversationState
from bot.core.turn import Turn

flow = Flow("conversation")


def start(turn: Turn, args: str) -> None:
    """Greet and begin a new episode; deep links open a flow straight away."""
    payload = args.strip().lower()
    if payload == "callback":
        turn.run("callback")
        return
    if payload in ("remind", "reminder"):
        turn.run("reminder")
        return
    state = turn.state
    # A new episode. What stays: the time zone, the last routine (for reminders), the nudge,
    # and safety: warning signs stand until checked, whatever /start is pressed.
    turn.state = ConversationState(
        zone=state.zone,
        seq=state.seq,
        routine=state.routine,
        nudged=state.nudged,
        safety=state.safety,
        activity=state.activity,
        program=state.program,
    )
    name = f" {turn.ctx.first_name}" if turn.ctx.first_name else ""
    standing = bool(safety.standing(turn))
    if state.program is not None or turn.ctx.checkins:
        welcome_back(turn, offer=not standing)
    else:
        turn.say("greeting", name=name, disclaimer=turn.text("disclaimer"))
    if standing:
        turn.goto(safety.WARNING)
        safety.repeat_warning(turn)  # a warning sign outlives /start
    else:
        turn.ask(HOME)


def welcome_back(turn: Turn, *, offer: bool) -> None:
    """Greet a returning person with their progress: the routine's size, the last check-in."""
    name = f", {turn.ctx.first_name}" if turn.ctx.first_name else ""
    lines = [turn.text("welcome_back", name=name)]
    moves = len(routine.program_moves(turn)) if turn.state.program is not None else 0
    if moves:
        lines.append(
            turn.text("welcome_back_moves_one")
            if moves == 1
            else turn.text("welcome_back_moves_many", count=moves)
        )
    if turn.ctx.checkins:
        last = max(turn.ctx.checkins, key=lambda c: c.day)
        lines.append(
            turn.text(
                "welcome_back_checkin", score=last.score, day=checkin.day_words(turn, last.day)
            )
        )
    # No invitation to the moves while a warning sign stands: the warning that follows says why.
    if offer:
        lines.append(turn.text("welcome_back_offer" if moves else "welcome_back_offer_new"))
    lines.append(turn.text("disclaimer"))
    turn.say_text("\n".join(lines), key="welcome_back")


def show_help(turn: Turn, args: str) -> None:
    """Say what the bot can do and which commands there are, then ask the question again."""
    lines = "\n".join(f"/{name} - {turn.text(f'command_{name}')}" for name in turn.listed)
    turn.say("help", commands=lines, disclaimer=turn.text("disclaimer"))
    turn.reprompt()


def cancel(turn: Turn, args: str) -> None:
    """Leave whatever flow is open, keeping nothing half-done."""
    state = turn.state
    if state.step == WHAT_NEXT and not state.drafts:
        turn.goto(HOME)
        turn.say("goodbye")  # "stop" after a routine: nothing was open, so it is a goodbye
        return
    if state.step == routine.PAUSED:
        routine.on_pick_up(turn, "not_now")  # the routine stays paused for /routine
        return
    at_a_card = state.step in routine.OPEN
    # A place or a score told at "What bothers you?" ("my ankle", then "cancel") is the intake
    # under way: it is stopped and dropped, not kept for the next answer.
    telling = state.step == HOME and not state.symptoms
    telling = telling and (bool(state.locations) or state.pain_score is not None)
    if telling:
        state.locations, state.pain_score = (), None
    # A complaint half-told at "Where do you feel it?" or "How bad is it?" is dropped, as the
    # reply says; a person with a program keeps the complaint it was made for.
    if state.step in (intake.ASK_LOCATION, intake.ASK_SEVERITY) and state.program is None:
        state.symptoms, state.locations, state.pain_score = (), (), None
    busy = state.step not in (HOME, WHAT_NEXT) or bool(state.drafts) or telling
    state.drafts = {}
    state.pending_symptoms = state.pending_locations = ()
    state.hints, state.resume = (), None
    state.misses = 0
    turn.goto(HOME)
    if at_a_card:
        # Nothing half-done is dropped at a card: the routine is paused, and how to pick it up
        # is said and offered.
        routine.keep_place(turn)
        turn.ask(routine.PAUSED)
        return
    turn.say("cancelled" if busy else "nothing_to_cancel")


flow.command("start", start, menu=True, position=0)
flow.command("help", show_help, menu=True, position=1)
flow.command("cancel", cancel, menu=True, position=99)
flow.buttons("pro")
flow.says(
    "disclaimer",
    "cancelled",
    "nothing_to_cancel",
    "welcome_back_moves_one",
    "welcome_back_offer",
    "welcome_back_offer_new",
    greeting={"name", "disclaimer"},
    welcome_back={"name"},
    welcome_back_moves_many={"count"},
    welcome_back_checkin={"score", "day"},
    help={"commands", "disclaimer"},
)
