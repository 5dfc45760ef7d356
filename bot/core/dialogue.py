"""The dialogue engine: `(state, event) -> (state, replies, effects)`, pure and transport-free.

The conversation reads as two tables: FLOW says, for each step, how it asks its question and
what it does with a button or with free text; COMMANDS says what each command does at any
step. Free text is understood at every step, warning signs first.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from bot.core.effects import Effect
from bot.core.events import (
    MAX_TEXT,
    ButtonEvent,
    CommandEvent,
    ContactEvent,
    Event,
    MediaEvent,
    TextEvent,
)
from bot.core.flows import callback, checkin, intake, privacy, reminder
from bot.core.knowledge import Knowledge
from bot.core.replies import Reply, Say
from bot.core.state import ConversationState, Step
from bot.core.turn import Context, EngineConfig, ReaderLike, Turn

Prompt = Callable[[Turn], None]
OnChoice = Callable[[Turn, str], None]
# Returns whether the text was taken; if not, it is read as free text (understand).
OnText = Callable[[Turn, str], bool]


@dataclass(frozen=True)
class StepSpec:
    """How one step asks its question and handles a button or free text."""

    prompt: Prompt
    on_choice: OnChoice
    on_text: OnText | None = None


@dataclass(frozen=True)
class Outcome:
    """The result of one step: the new state, what to say, and what to remember."""

    state: ConversationState
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]


# -- free text, understood the same way at every step -------------------------------------


def understand(turn: Turn, text: str) -> None:
    """Read free text: warning signs first, then requests, then symptoms, else a kind miss."""
    reading = turn.reader.read(text)
    intents = set(reading.intent_ids)
    if reading.red_flags:
        intake.raise_red_flags(turn, reading.red_flag_ids)
    elif "callback" in intents:
        start_callback(turn)
    elif "reminder" in intents:
        start_reminder(turn, text)
    elif reading.symptoms or reading.locations or reading.pain_score is not None:
        if turn.state.step is Step.red_flag:
            turn.say("routine_blocked")
            intake.show_red_flags(turn)
        else:
            fresh = turn.state.step in (Step.welcome, Step.what_next, Step.routine)
            intake.take_reading(turn, reading, fresh=fresh)
    elif "stop" in intents:
        cancel(turn, "")
    elif "help" in intents:
        show_help(turn, "")
    elif "routine" in intents:
        routine(turn, "")
    elif "greeting" in intents:
        turn.say("greeting_reply")
        reprompt(turn)
    elif "thanks" in intents:
        turn.say("thanks_reply")
        reprompt(turn)
    else:
        miss(turn)


def miss(turn: Turn) -> None:
    """Answer text that was not understood, and offer a professional after two misses."""
    turn.state.misses += 1
    if turn.state.misses >= 2:
        turn.say("still_not_understood")
        turn.offer_professional = True
    else:
        turn.say("not_understood")
    reprompt(turn)


def reprompt(turn: Turn) -> None:
    """Ask the current step's question again (with fresh buttons)."""
    FLOW[turn.state.step].prompt(turn)


# -- steps of the intake ------------------------------------------------------------------


def on_welcome_choice(turn: Turn, choice: str) -> None:
    """Take a symptom button."""
    intake.pick_symptom(turn, choice)


def on_confirm_choice(turn: Turn, choice: str) -> None:
    """Take yes or no to the confirm question."""
    intake.confirm(turn, choice == "yes")


def on_confirm_text(turn: Turn, text: str) -> bool:
    """Take a typed yes or no."""
    answer = turn.reader.is_affirmative(text)
    if answer is not None:
        intake.confirm(turn, answer)
    return answer is not None


def on_severity_text(turn: Turn, text: str) -> bool:
    """Take a typed score ("4", "4/10", "it's about a 4"), unless the text raises a warning."""
    reading = turn.reader.read(text)
    if reading.red_flags:
        intake.raise_red_flags(turn, reading.red_flag_ids)
        return True
    score = reading.pain_score if reading.pain_score is not None else intake.score_in(text)
    if score is not None:
        intake.pick_score(turn, score)
    return score is not None


def on_severity_choice(turn: Turn, choice: str) -> None:
    """Take a score button."""
    intake.pick_score(turn, int(choice))


def on_red_flag_choice(turn: Turn, choice: str) -> None:
    """Nothing but the shared choices is offered after a warning sign."""
    reprompt(turn)


def on_routine_choice(turn: Turn, choice: str) -> None:
    """Go to the next card, or stop the routine."""
    if choice == "stop_routine":
        intake.finish_routine(turn)
    else:
        intake.next_card(turn)


def on_what_next_choice(turn: Turn, choice: str) -> None:
    """Act on the choice made after a routine."""
    if choice == "again":
        intake.start_routine(turn)
    elif choice == "reminder":
        start_reminder(turn, "")
    elif choice == "not_now":
        turn.goto(Step.welcome)
        turn.say("nudge_later")
    else:
        turn.goto(Step.welcome)
        turn.say("goodbye")


def no_choices(turn: Turn, choice: str) -> None:
    """Ask again: this step shows no buttons of its own."""
    reprompt(turn)


# -- the other flows ----------------------------------------------------------------------


def start_reminder(turn: Turn, text: str) -> None:
    """Begin setting a daily reminder (or manage the one there is)."""
    reminder.begin(turn, text)


def start_callback(turn: Turn) -> None:
    """Begin a request for a professional to call back."""
    callback.begin(turn)


# -- commands -----------------------------------------------------------------------------


def start(turn: Turn, args: str) -> None:
    """Greet and begin a new episode; deep links open a flow straight away."""
    payload = args.strip().lower()
    if payload == "callback":
        start_callback(turn)
        return
    if payload in ("remind", "reminder"):
        start_reminder(turn, "")
        return
    state = turn.state
    # A new episode; the time zone, the last routine (for reminders) and the nudge stay.
    turn.state = ConversationState(
        zone=state.zone, seq=state.seq, routine=state.routine, nudged=state.nudged
    )
    name = f" {turn.ctx.first_name}" if turn.ctx.first_name else ""
    turn.say("greeting", name=name, disclaimer=turn.text("disclaimer"))
    intake.ask_what_bothers(turn)


def show_help(turn: Turn, args: str) -> None:
    """Say what the bot can do and which commands there are."""
    turn.say("help", disclaimer=turn.text("disclaimer"))
    reprompt(turn)


def routine(turn: Turn, args: str) -> None:
    """Give the routine for what is known, or ask what bothers them."""
    intake.start_routine(turn)


def cancel(turn: Turn, args: str) -> None:
    """Leave whatever flow is open, keeping nothing half-done."""
    state = turn.state
    busy = state.step not in (Step.welcome, Step.what_next) or bool(
        state.reminder or state.callback or state.checkin
    )
    state.reminder = state.callback = state.checkin = None
    state.pending_symptoms = state.pending_locations = ()
    state.misses = 0
    turn.goto(Step.welcome)
    turn.say("cancelled" if busy else "nothing_to_cancel")


def reminder_command(turn: Turn, args: str) -> None:
    """Set up or manage the daily reminder."""
    reminder.begin(turn, args)


def callback_command(turn: Turn, args: str) -> None:
    """Ask for a professional to call back."""
    callback.begin(turn)


def checkin_command(turn: Turn, args: str) -> None:
    """Record how it feels today."""
    checkin.begin(turn, score=intake.bare_score(args) if args else None)


# -- the tables ---------------------------------------------------------------------------

FLOW: dict[Step, StepSpec] = {
    Step.welcome: StepSpec(intake.ask_what_bothers, on_welcome_choice),
    Step.confirm: StepSpec(intake.ask_confirm, on_confirm_choice, on_confirm_text),
    Step.ask_location: StepSpec(intake.ask_location, intake.pick_location),
    Step.ask_severity: StepSpec(intake.ask_severity, on_severity_choice, on_severity_text),
    Step.red_flag: StepSpec(intake.show_red_flags, on_red_flag_choice),
    Step.routine: StepSpec(intake.show_card, on_routine_choice),
    Step.what_next: StepSpec(intake.ask_what_next, on_what_next_choice),
    Step.reminder_time: StepSpec(reminder.ask_time, reminder.on_time_choice, reminder.on_time_text),
    Step.reminder_zone: StepSpec(reminder.ask_zone, reminder.on_zone_choice, reminder.on_zone_text),
    Step.reminder_days: StepSpec(reminder.ask_days, reminder.on_days_choice),
    Step.reminder_manage: StepSpec(reminder.show_current, reminder.on_manage_choice),
    Step.callback_existing: StepSpec(callback.show_existing, callback.on_existing_choice),
    Step.callback_consent: StepSpec(
        callback.ask_consent, callback.on_consent_choice, callback.on_consent_text
    ),
    Step.callback_name: StepSpec(callback.ask_name, callback.on_name_choice, callback.on_name_text),
    Step.callback_phone: StepSpec(callback.ask_phone, no_choices, callback.on_phone_text),
    Step.callback_time: StepSpec(callback.ask_time, callback.on_time_choice),
    Step.callback_note: StepSpec(callback.ask_note, callback.on_note_choice, callback.on_note_text),
    Step.callback_review: StepSpec(callback.show_review, callback.on_review_choice),
    Step.checkin_score: StepSpec(checkin.ask_score, checkin.on_score_choice, checkin.on_score_text),
    Step.checkin_done: StepSpec(checkin.ask_done, checkin.on_done_choice, checkin.on_done_text),
    Step.forget_confirm: StepSpec(
        privacy.ask_forget, privacy.on_forget_choice, privacy.on_forget_text
    ),
}

COMMANDS: dict[str, Callable[[Turn, str], None]] = {
    "start": start,
    "help": show_help,
    "routine": routine,
    "cancel": cancel,
    "reminder": reminder_command,
    "callback": callback_command,
    "checkin": checkin_command,
    "progress": checkin.show_progress,
    "privacy": privacy.show_privacy,
    "mydata": privacy.send_my_data,
    "forget": privacy.ask_forget,
}

# Buttons that mean the same thing wherever they are shown.
SHARED_CHOICES: dict[str, Callable[[Turn], None]] = {
    "pro": start_callback,
    "start": lambda turn: start(turn, ""),
}


# -- the engine ---------------------------------------------------------------------------


class Engine:
    """Run conversation steps against the knowledge; holds no per-user data."""

    def __init__(
        self,
        knowledge: Knowledge,
        reader: ReaderLike | None = None,
        config: EngineConfig | None = None,
    ) -> None:
        if reader is None:
            from bot.core.reader import Reader

            reader = Reader(knowledge)
        self.knowledge = knowledge
        self.reader: ReaderLike = reader
        self.config = config or EngineConfig()

    def step(self, state: ConversationState, event: Event, ctx: Context) -> Outcome:
        """Apply one event to a copy of `state` and return what follows from it."""
        turn = Turn(self.knowledge, self.reader, self.config, ctx, state.model_copy(deep=True))
        was_asking_phone = state.step is Step.callback_phone
        match event:
            case CommandEvent(name=name, args=args):
                self._command(turn, name, args)
            case ButtonEvent(token=token):
                self._button(turn, token)
            case TextEvent(text=text):
                self._text(turn, text)
            case ContactEvent():
                self._contact(turn, event)
            case MediaEvent(media=media):
                turn.say("media_edited" if media == "edited" else "media_other")
                reprompt(turn)
        replies = turn.replies
        if was_asking_phone and turn.state.step is not Step.callback_phone:
            replies = _clear_phone_keyboard(replies)
        return Outcome(turn.state, tuple(replies), tuple(turn.effects))

    def _command(self, turn: Turn, name: str, args: str) -> None:
        handler = COMMANDS.get(name.lower())
        if handler is None:
            turn.say("unknown_command", command=name[:32])
            reprompt(turn)
        else:
            handler(turn, args)

    def _button(self, turn: Turn, token: str) -> None:
        seq_text, _, choice = token.partition(".")
        if seq_text == reminder.REMINDER_PREFIX:
            action, _, day = choice.partition(".")
            if not reminder.on_reminder_button(turn, action, day):
                turn.say("button_expired")
                reprompt(turn)
            return
        state = turn.state
        # isdecimal, not isdigit: "²" is a digit that int() refuses (a forged token crashed).
        if not seq_text.isdecimal() or int(seq_text) != state.seq or choice not in state.choices:
            # Stale or forged: say so kindly and ask the current question again.
            turn.say("button_expired")
            reprompt(turn)
            return
        shared = SHARED_CHOICES.get(choice)
        if shared is not None:
            shared(turn)
        else:
            FLOW[state.step].on_choice(turn, choice)

    def _text(self, turn: Turn, text: str) -> None:
        text = text[:MAX_TEXT].strip()
        if not text:
            turn.say("empty_text")
            reprompt(turn)
            return
        folded = text.casefold()
        for choice, label in zip(turn.state.choices, turn.state.choice_labels, strict=False):
            if folded == label.casefold():
                self._button(turn, f"{turn.state.seq}.{choice}")
                return
        on_text = FLOW[turn.state.step].on_text
        if on_text is None or not on_text(turn, text):
            understand(turn, text)

    def _contact(self, turn: Turn, event: ContactEvent) -> None:
        if turn.state.step is Step.callback_phone:
            callback.on_contact(turn, event.phone, event.own)
        else:
            turn.say("contact_unexpected")
            reprompt(turn)


def _clear_phone_keyboard(replies: list[Reply]) -> list[Reply]:
    """Mark the first message after the phone question to remove the phone button."""
    for index, reply in enumerate(replies):
        if isinstance(reply, Say):
            return [
                *replies[:index],
                reply.model_copy(update={"clear_keyboard": True}),
                *replies[index + 1 :],
            ]
    return replies
