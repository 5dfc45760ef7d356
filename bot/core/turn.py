"""One turn of the conversation: the inputs a step may read and the outputs it builds."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, tzinfo
from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from bot.core.answers import AnswerMatcher
from bot.core.effects import Effect
from bot.core.guide import GuideRun
from bot.core.knowledge import Knowledge, Urgency
from bot.core.leads import Lead
from bot.core.progress import Checkin
from bot.core.reading import Match, Reading
from bot.core.reminders import Reminder
from bot.core.replies import AskPhone, Card, Choice, Reply, Say
from bot.core.retention import RetentionPolicy
from bot.core.state import ConversationState, StepId
from bot.core.triage import (
    combined,
    named_by_condition,
    open_hints,
    raised,
    standing_ids,
    warning_signs,
)
from bot.core.zones import person_zone


class ReaderLike(Protocol):
    """What the engine needs of a reader."""

    def read(self, text: str) -> Reading:
        """Return what the text says."""
        ...

    def is_affirmative(self, text: str) -> bool | None:
        """Return True for yes, False for no, None for neither."""
        ...


class Context(BaseModel):
    """What the outside world knows that a step may need; loaded before the step runs."""

    model_config = ConfigDict(frozen=True)

    now: datetime
    first_name: str | None = None
    reminder: Reminder | None = None
    open_lead: Lead | None = None
    checkins: tuple[Checkin, ...] = ()
    # The person's guided session, if one is stored (running, paused, or ended unanswered).
    guide: GuideRun | None = None
    new_code: str = Field(default="FC-AAAAA", pattern=r"^FC-[A-Z0-9]{5}$")


@dataclass(frozen=True)
class EngineConfig:
    """Settings of the engine that come from configuration rather than knowledge."""

    default_phone_region: str | None = None
    # How long data is kept (RETENTION_DAYS, LEAD_RETENTION_DAYS); /privacy says it.
    retention: RetentionPolicy = field(default_factory=RetentionPolicy)


def zone_of(state_zone: str | None, reminder: Reminder | None) -> tzinfo:
    """Return the person's time zone: the one they gave, else their reminder's, else UTC."""
    return person_zone(state_zone, reminder.zone if reminder else None)


def live_choices(state: ConversationState) -> tuple[Choice, ...]:
    """Return the open question's buttons as they were shown: token and label."""
    return tuple(
        Choice(token=f"{state.seq}.{cid}", label=label)
        for cid, label in zip(state.choices, state.choice_labels, strict=False)
    )


def local_today(turn: Turn) -> date:
    """Return the person's local date now."""
    return turn.ctx.now.astimezone(zone_of(turn.state.zone, turn.ctx.reminder)).date()


@dataclass
class Turn:
    """The working copy of a step: read the inputs, mutate `state`, collect replies/effects."""

    knowledge: Knowledge
    reader: ReaderLike
    config: EngineConfig
    ctx: Context
    state: ConversationState
    # Each registered step's question, so a flow can ask any step's question again.
    prompts: Mapping[StepId, Callable[[Turn], None]] = field(default_factory=dict)
    # The short way to ask some questions again (a card or a warning is not repeated whole).
    repeats: Mapping[StepId, Callable[[Turn], None]] = field(default_factory=dict)
    # Every registered command, so a flow can start another without importing it.
    commands: Mapping[str, Callable[[Turn, str], None]] = field(default_factory=dict)
    # The commands /help lists, in order.
    listed: tuple[str, ...] = ()
    # Typed answers matched to choices, pain in words, "don't know" (bot/core/answers.py).
    answers: AnswerMatcher | None = None
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)
    # Set after repeated misunderstandings: the next buttons also offer a professional.
    offer_professional: bool = False
    # What the reader made of each text this step: a message is read by the dialogue, and
    # again by the flow that takes it, and the reading is the same (the reader is pure).
    _readings: dict[str, Reading] = field(default_factory=dict, init=False, repr=False)
    # Signs read this step that only name a condition ("I have neuropathy" is numbness, from
    # the condition's own words): they stand, but do not combine with that condition.
    named: set[str] = field(default_factory=set, init=False, repr=False)
    # Signs read this step that a professional checked today, told again without a word of
    # their coming back: the sign that was seen, not a new one (see `read`).
    seen_today: set[str] = field(default_factory=set, init=False, repr=False)

    def read(self, text: str) -> Reading:
        """Read text for this person: its warning signs with triage's combinations, and the
        hints still worth a question; a condition said ("I'm diabetic") is remembered, and
        what it makes with the signs that stand is a sign of this reading."""
        reading = self._readings.get(text)
        if reading is None:
            reading = self._readings[text] = self.reader.read(text)
        self.named |= named_by_condition(reading)
        safety = self.state.safety
        for condition in reading.condition_ids:
            if condition not in safety.conditions:
                safety.conditions = (*safety.conditions, condition)
        known = frozenset(safety.conditions)
        signs = raised(
            reading, warning_signs(reading, self.knowledge.triage, known), self.knowledge.triage
        )
        stand = standing_ids(self.knowledge, self.state, local_today(self))
        later = combined(stand - self.named, known, self.knowledge.triage)
        signs = (*signs, *(s for s in later if s not in stand and s not in signs))
        hints = open_hints(reading, self.knowledge.triage, known)
        signs = self._not_seen_today(text, signs)
        if signs == reading.red_flag_ids and hints == reading.hints:
            return reading
        found = {m.id: m for m in reading.red_flags}
        flags = tuple(found.get(s) or Match(id=s, words="", start=0) for s in signs)
        return reading.model_copy(update={"red_flags": flags, "hints": hints})

    def text(self, key: str, /, **values: Any) -> str:
        """Return the sentence under `key`, filled in."""
        return self.knowledge.say(key, **values)

    def say(
        self,
        key: str,
        /,
        *,
        choices: Sequence[str] = (),
        labels: dict[str, str] | None = None,
        yes: str | None = None,
        no: str | None = None,
        **values: Any,
    ) -> None:
        """Send the sentence under `key`, with the given choice ids as buttons.

        `yes` and `no` name the choices a plain "yes" or "no" means (the choices "yes" and
        "no" mean themselves).
        """
        text = self.text(key, **values)
        self.say_text(text, choices=choices, labels=labels, key=key, yes=yes, no=no)

    def say_text(
        self,
        text: str,
        *,
        choices: Sequence[str] = (),
        labels: dict[str, str] | None = None,
        key: str = "",
        yes: str | None = None,
        no: str | None = None,
    ) -> None:
        """Send `text` with buttons; a new set of buttons makes every older one stale."""
        shown = self._offer(choices, labels, yes, no)
        self.replies.append(Say(text=text, choices=shown, key=key))

    def card(
        self, exercise: str, text: str, *, choices: Sequence[str], variant: str = "default"
    ) -> None:
        """Show an exercise card (with its picture, which the channel adds) and its buttons."""
        shown = self._offer(choices, None, None, None)
        self.replies.append(Card(exercise=exercise, variant=variant, text=text, choices=shown))

    def _offer(
        self,
        choices: Sequence[str],
        labels: dict[str, str] | None,
        yes: str | None,
        no: str | None,
    ) -> tuple[Choice, ...]:
        """Make `choices` the question's live buttons and return them as shown."""
        shown: tuple[Choice, ...] = ()
        if choices:
            if self.offer_professional and "pro" not in choices:
                choices = (*choices, "pro")
            self.offer_professional = False
            self.state.seq += 1
            self.state.choices = tuple(choices)
            self.state.choice_labels = tuple(self.label(cid, labels) for cid in choices)
            self.state.yes_choice = yes or ("yes" if "yes" in choices else None)
            self.state.no_choice = no or ("no" if "no" in choices else None)
            shown = live_choices(self.state)
        return shown

    def label(self, choice_id: str, labels: dict[str, str] | None = None) -> str:
        """Return the button label of a choice id (custom labels first, then messages)."""
        if labels and choice_id in labels:
            return labels[choice_id]
        return self.knowledge.say(f"button_{choice_id}")

    def ask_phone(self, key: str, typed_key: str, /, **values: Any) -> None:
        """Ask for a phone number with a share-my-number button (`typed_key`: the question for
        a channel without that button)."""
        self.state.seq += 1
        self.state.choices = ()
        self.replies.append(
            AskPhone(
                text=self.text(key, **values),
                share_label=self.text("button_share_phone"),
                cancel_label=self.text("button_cancel"),
                typed_text=self.text(typed_key, **values),
            )
        )

    def goto(self, step: StepId) -> None:
        """Move the conversation to `step`; the buttons of the step left behind expire."""
        if step != self.state.step:
            # A question without buttons must not leave the last one's choices live: a number
            # or a double tap would pick one of them at the wrong question.
            self.state.choices = ()
            self.state.choice_labels = ()
            self.state.yes_choice = self.state.no_choice = None
            self.state.unsure_at = None  # a hedge asked about once more was at that question
        self.state.step = step

    def _not_seen_today(self, text: str, signs: tuple[str, ...]) -> tuple[str, ...]:
        """Return the signs less those a professional checked today, unless the text says they
        came back: "the doctor said it's a sprain" right after "I've had it checked" tells
        what was seen, and asking again for a check just made would leave the person stuck."""
        today = local_today(self)
        # Never an emergency ("now I'm short of breath" after a clot was checked), and only
        # what a professional said or found, with no word of it coming back.
        seen = {
            s
            for s, day in self.state.safety.checked.items()
            if day == today
            and (flag := self.knowledge.red_flags.get(s)) is not None
            and flag.urgency is not Urgency.emergency
        }
        answers = self.answers
        if (
            not seen & set(signs)
            or answers is None
            or not answers.tells_what_was_said(text)
            or answers.says_it_came_back(text)
        ):
            return signs
        self.seen_today |= seen & set(signs)
        return tuple(s for s in signs if s not in seen)

    def ask(self, step: StepId) -> None:
        """Move the conversation to `step` and ask its question."""
        self.goto(step)
        self.prompts[step](self)

    def run(self, command: str, args: str = "") -> None:
        """Do what the command does, as if the person had sent it."""
        self.commands[command](self, args)

    def reprompt(self) -> None:
        """Ask the current step's question again (with fresh buttons), briefly if it can."""
        step = self.state.step
        self.repeats.get(step, self.prompts[step])(self)

    def do(self, effect: Effect) -> None:
        """Ask the outside world to remember something, in this step's transaction."""
        self.effects.append(effect)
