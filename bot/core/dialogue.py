"""The dialogue engine: `(state, event) -> (state, replies, effects)`, pure and transport-free.

The flows (bot/core/flows) declare the steps, each with how it asks its question and what it
does with a button or with free text, and the commands; the engine runs them. Free text is
understood at every step, warning signs first; a request ("call me", "remind me") runs the
command of the same name.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.core.answers import AnswerMatcher, asks_meaning, is_question, is_request
from bot.core.effects import Effect
from bot.core.events import (
    MAX_TEXT,
    ButtonEvent,
    CommandEvent,
    ContactEvent,
    Event,
    GuideEndedEvent,
    MediaEvent,
    TextEvent,
)
from bot.core.flow import AskedAgain, Registry, yes_or_no
from bot.core.flows import (
    REGISTRY,
    callback,
    checkin,
    guide,
    intake,
    program,
    reminder,
    routine,
    safety,
)
from bot.core.knowledge import Knowledge, check_messages
from bot.core.pain_score import bare_score
from bot.core.reading import Reading
from bot.core.replies import Reply, Say
from bot.core.state import HOME, ConversationState
from bot.core.text import in_other_language
from bot.core.turn import Context, EngineConfig, ReaderLike, Turn

# Requests that mean the same as a command, in the order they are checked.
_INTENT_COMMANDS = (
    ("forget", "forget"),  # "never mind, delete everything": deleting asks "Are you sure?" first
    ("mydata", "mydata"),  # "send me my data": before "my data" asks what is kept
    ("privacy", "privacy"),
    ("stop", "cancel"),
    ("help", "help"),
    ("program", "program"),  # "my program" is the program, before any "program" is a routine
    ("routine", "routine"),
)
# Where a complaint told is a new one, not more of the one being told.
_FRESH = (HOME, routine.WHAT_NEXT, routine.ROUTINE, routine.PAUSED)
# Buttons that mean the same thing wherever they are shown: the command they run.
_SHARED_CHOICES = {"pro": "callback"}


@dataclass(frozen=True)
class Outcome:
    """The result of one step: the new state, what to say, and what to remember."""

    state: ConversationState
    replies: tuple[Reply, ...]
    effects: tuple[Effect, ...]


# -- free text, understood the same way at every step -------------------------------------


def understand(turn: Turn, text: str) -> None:
    """Read free text: warning signs first, then requests, then symptoms, else a kind miss."""
    reading = turn.read(text)
    intents = set(reading.intent_ids)
    state = turn.state
    skin_or_nail = turn.answers is not None and turn.answers.names_skin_or_nail(text)
    # A standing sign told again at the warning ("it's gone, it was just pins and needles") is
    # answered as anything typed there; what the warning leaves ("9/10, call me") goes on below.
    told_again = (
        bool(reading.red_flags)
        and state.step == safety.WARNING
        and safety.all_standing(turn, reading.red_flag_ids)
    )
    if told_again and safety.on_warning_text(turn, text):
        pass
    elif reading.red_flags and not told_again:
        if state.step in callback.flow.steps and callback.DRAFT.get(state) is not None:
            callback.note_signs(turn, reading.red_flag_ids)  # noted on the request, which goes on
        else:
            intake.keep_with_sign(turn, reading, text)
            safety.raise_signs(turn, reading.red_flag_ids)
    elif "stop_reminders" in intents:
        reminder.stop_by_request(turn)
    elif "about_me" in intents and not (reading.symptoms or reading.locations):
        turn.say("about_me")  # "are you a real person?" is no request for a call, yet
        turn.reprompt()
    elif "callback" in intents:
        if (reading.symptoms or reading.locations) and not reading.unsure:
            # "call me, my heels have hurt for months": the team hears the heels too.
            intake.fold(turn, reading, fresh=state.step in _FRESH, text=text)
        turn.run("callback", text)
    elif not (reading.symptoms or reading.locations) and reminder.later_typed(turn, text):
        pass  # "not today", "remind me later" after today's reminder: its Skip or Snooze
    elif "reminder" in intents:
        turn.run("reminder", text)
    elif "diagnosis" in intents and state.step in routine.OPEN:
        # mid-move, the moves are already on offer: no diagnosis, and the open question again
        turn.say("diagnosis_mid_routine")
        turn.reprompt()
    elif "diagnosis" in intents:
        intake.answer_diagnosis(turn, reading)
    elif (
        is_question(text)
        and not reading.symptoms
        and turn.answers is not None
        and turn.answers.everyday_question(text) is None  # "what ball for the rolling?"
        and (move := turn.answers.move_named(text))
    ):
        # "what do calf raises do?": a question about a move, not a calf told of
        exercise = turn.knowledge.exercises[move]
        turn.say("move_about", name=exercise.name, why=exercise.why)
        turn.reprompt()
    elif (
        state.program is not None
        and state.step not in routine.OPEN
        and turn.answers is not None
        and (direction := turn.answers.level_asked(text))
        and (move := turn.answers.move_named(text))
    ):
        # "the calf raises are too easy": a level asked for, as at /program (not a calf told of)
        program.change_level(turn, move, harder=direction == "harder")
    elif (
        not reading.locations
        and state.step not in routine.OPEN
        and turn.answers is not None
        and turn.answers.names_another_place(text)
    ):
        turn.say("other_place")  # "knee pain": not for these moves, and who can help
        turn.reprompt()
    elif reading.others and not (reading.symptoms or reading.locations or reading.intents):
        about_someone_else(turn, reading, text)
    elif (
        skin_or_nail
        and not reading.symptoms
        and reading.pain_score is None
        and not intake.new_hints(turn, reading)  # "a blister": is it healing? comes first
    ):
        turn.say("skin_and_nails")  # "I have a verruca": not for these moves, and who can help
        turn.reprompt()
    elif reading.symptoms or reading.locations or reading.pain_score is not None:
        if state.step == safety.WARNING:
            safety.repeat_warning(turn)
        else:
            if "about_me" in intents:
                turn.say("about_me")  # "are you a doctor? my heel hurts"
            if skin_or_nail:
                turn.say("skin_and_nails")  # "my corn hurts": the moves may not help it
            intake.take_reading(turn, reading, fresh=state.step in _FRESH, text=text)
    elif intake.ask_about_hints(turn, reading):
        pass
    elif "worse" in intents and (state.symptoms or state.step in checkin.flow.steps):
        state.worsening = True
        turn.say("worsening_reply")
        turn.offer_professional = True
        turn.reprompt()
    elif callback.asks_about_the_call(turn, text):
        pass
    elif turn.answers is not None and (asked := turn.answers.everyday_question(text)):
        turn.say(f"faq_{asked}")  # "how long until I see results?": knowledge has the answer
        turn.reprompt()
    elif requested := [command for intent, command in _INTENT_COMMANDS if intent in intents]:
        turn.run(requested[0])
    elif "bye" in intents and safety.standing(turn):
        state.drafts = {}
        # No "I'll suggest some moves" while a sign stands; the warning's buttons stay live.
        turn.goto(safety.WARNING)
        safety.say_goodbye(turn)
    elif "bye" in intents:
        state.drafts = {}
        turn.goto(HOME)
        # No moves yet: "send /routine for your moves again" would point at nothing.
        turn.say("goodbye" if state.program is not None or state.routine else "goodbye_new")
    elif reminder.done_typed(turn, text):
        pass
    elif "checked" in intents and safety.standing(turn):
        safety.take_checked(turn)  # typed after the warning's step was left (a call request)
    elif turn.seen_today or "checked" in intents:
        # What the professional said, or that one looked: heard, with the way back if it changes.
        turn.say("checked_noted")
        turn.reprompt()
    elif state.step == HOME and not state.symptoms and (score := bare_score(text)) is not None:
        intake.keep_score_first(turn, score)  # "7" before saying what: how bad it is
    elif "greeting" in intents:
        turn.say("greeting_reply")
        turn.reprompt()
    elif "thanks" in intents and "done" in state.choices:
        turn.goto(HOME)
        turn.say("goodbye")  # "thanks!" after the routine is a goodbye
    elif "thanks" in intents:
        turn.say("thanks_reply")
        turn.reprompt()
    elif intake.side_already_told(turn, text):
        pass  # "left" at "How bad is it?", the ankle known: nothing new
    elif intake.unsure_what_bothers(turn, text):
        pass  # "idk" at "What bothers you?": how to tell it
    elif intake.asked_to_go_back(turn, text):
        pass  # "back" at an intake question: how to change an answer
    elif state.step == HOME and state.yes_choice is None and turn.reader.is_affirmative(text):
        # "ok", "👍" at "What bothers you?": a nod, not an answer missed; the question again
        turn.say("nod_reply")
        turn.reprompt()
    else:
        miss(turn, text)


def about_someone_else(turn: Turn, reading: Reading, text: str) -> None:
    """Say kindly that the moves are for the person chatting (a child's feet for the GP), with
    a nudge to get a warning sign told of them checked."""
    child = turn.answers is not None and turn.answers.names_a_child(text)
    turn.say("someone_else_child" if child else "someone_else")
    if any(m.id in turn.knowledge.red_flags for m in reading.others):
        turn.say("someone_else_sign")  # "my mum's ankles are swollen": worth a professional
    turn.reprompt()


def miss(turn: Turn, text: str = "") -> None:
    """Answer text that was not understood, and offer a professional after two misses."""
    turn.state.misses += 1
    # While a callback is being arranged, the professional is already on the way.
    again = turn.state.misses >= 2 and turn.state.step not in callback.flow.steps
    # Saying why it was not understood helps more than "didn't catch that" twice.
    if in_other_language(text, turn.knowledge.answers.other_languages):
        turn.say("english_only")
    elif is_question(text) and not is_request(text):
        turn.say("question_unanswered")
        again = True  # the reply itself points at a professional
    else:
        turn.say("still_not_understood" if again else "not_understood")
    turn.offer_professional = turn.offer_professional or again
    turn.reprompt()


# -- the engine ---------------------------------------------------------------------------


class Engine:
    """Run conversation steps against the knowledge; holds no per-user data."""

    def __init__(
        self,
        knowledge: Knowledge,
        reader: ReaderLike | None = None,
        config: EngineConfig | None = None,
        registry: Registry = REGISTRY,
    ) -> None:
        if reader is None:
            from bot.core.reader import Reader

            reader = Reader(knowledge)
        if HOME not in registry.steps:
            raise ValueError(f"no flow registers the home step {HOME!r}")
        check_messages(knowledge.messages, registry.messages)
        self.knowledge = knowledge
        self.reader: ReaderLike = reader
        self.config = config or EngineConfig()
        self.registry = registry
        self._prompts = {step: spec.prompt for step, spec in registry.steps.items()}
        self._repeats = {s: spec.repeat for s, spec in registry.steps.items() if spec.repeat}
        self._commands = {name: spec.handler for name, spec in registry.commands.items()}
        self._listed = registry.listed()
        self.answers = AnswerMatcher(knowledge)

    def step(
        self, state: ConversationState, event: Event, ctx: Context, *, handed_over: bool = False
    ) -> Outcome:
        """Apply one event to a copy of `state` and return what follows from it.

        `handed_over`: the caller will not use `state` again (it was just read from the
        store), so it is changed in place: its deep copy was a tenth of a step's CPU.
        """
        before = state.step
        turn = Turn(
            self.knowledge,
            self.reader,
            self.config,
            ctx,
            state if handed_over else state.model_copy(deep=True),
            prompts=self._prompts,
            repeats=self._repeats,
            commands=self._commands,
            listed=self._listed,
            answers=self.answers,
        )
        if turn.state.step not in self.registry.steps:
            # A step saved by an older version that no flow has now: start from the top.
            turn.state.step = HOME
        was_asking_phone = before == callback.PHONE
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
                turn.reprompt()
            case GuideEndedEvent(stamp=stamp):
                guide.on_ended(turn, stamp)
        guide.settle(turn, before)
        routine.settle(turn, before)
        turn.state.settle_drafts()
        replies = turn.replies
        if was_asking_phone and turn.state.step != callback.PHONE:
            replies = _clear_phone_keyboard(replies)
        return Outcome(turn.state, tuple(replies), tuple(turn.effects))

    def _command(self, turn: Turn, name: str, args: str) -> None:
        handler = self._commands.get(name.lower())
        if handler is None:
            turn.say("unknown_command", command=name[:32])
            turn.reprompt()
        else:
            handler(turn, args)

    def _button(self, turn: Turn, token: str) -> None:
        seq_text, _, choice = token.partition(".")
        if seq_text in (reminder.REMINDER_PREFIX, guide.GUIDE_PREFIX):
            # Buttons that name their message (a day's reminder, a guide), not the question.
            action, _, name = choice.partition(".")
            if seq_text == reminder.REMINDER_PREFIX:
                taken = reminder.on_reminder_button(turn, action, name)
            else:
                taken = guide.on_guide_button(turn, action, name)
            if not taken:
                turn.say("button_expired")
                turn.reprompt()
            return
        state = turn.state
        # isdecimal, not isdigit: "²" is a digit that int() refuses (a forged token crashed);
        # and a forged number of thousands of digits is past what int() will read.
        if (
            not seq_text.isdecimal()
            or len(seq_text) > 12
            or int(seq_text) != state.seq
            or choice not in state.choices
        ):
            # Stale or forged: say so kindly and ask the current question again.
            turn.say("button_expired")
            turn.reprompt()
            return
        shared = _SHARED_CHOICES.get(choice)
        if shared is not None:
            turn.run(shared)
        else:
            self.registry.steps[state.step].on_choice(turn, choice)

    def _text(self, turn: Turn, text: str) -> None:
        text = text[:MAX_TEXT].strip()
        if not text:
            turn.say("empty_text")
            turn.reprompt()
            return
        state = turn.state
        spec = self.registry.steps[state.step]
        folded = text.casefold()
        for choice, label in zip(state.choices, state.choice_labels, strict=False):
            if folded == label.casefold():
                self._choose(turn, choice)
                return
        if spec.takes_any_text and spec.on_text is not None and spec.on_text(turn, text):
            return
        reading = turn.read(text)
        if reading.red_flags:
            understand(turn, text)  # a warning sign comes first, whatever was asked
            return
        said_nothing_else = not (reading.symptoms or reading.locations or reading.intents)
        if said_nothing_else and (state.yes_choice or state.no_choice):
            answer = yes_or_no(turn, text, spec.if_unsure)  # a hedge at a sign's: the safe one
            if isinstance(answer, AskedAgain):
                turn.reprompt()
                return
            chosen = state.yes_choice if answer else state.no_choice if answer is False else None
            if chosen is not None:
                self._choose(turn, chosen)
                return
        if not spec.takes_any_text and spec.on_text is not None and spec.on_text(turn, text):
            return
        if state.choices and asks_meaning(text):
            turn.say("asked_meaning")  # "what do you mean by tightness?" answers nothing
            turn.reprompt()
            return
        # What the reader understands (a symptom, a place) is read as such, negation and all.
        matched = (
            self.answers.match(text, state.choices, state.choice_labels)
            if not (reading.symptoms or reading.locations)
            else None
        )
        if matched is not None:
            self._choose(turn, matched)
            return
        understand(turn, text)

    def _choose(self, turn: Turn, choice: str) -> None:
        """Take a choice of the current question as if its button were pressed."""
        self._button(turn, f"{turn.state.seq}.{choice}")

    def _contact(self, turn: Turn, event: ContactEvent) -> None:
        if turn.state.step == callback.PHONE:
            callback.on_contact(turn, event.phone, event.own)
        else:
            turn.say("contact_unexpected")
            turn.reprompt()


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
