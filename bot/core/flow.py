"""How a flow declares itself: its steps, its commands, the sentences and buttons it uses.

Each module in bot/core/flows builds one `Flow` and registers everything it owns there; the
registry (bot/core/flows/__init__.py) merges them, refuses a name claimed twice, and is what
the engine runs, what the knowledge validator checks messages.yaml against, and what the
Telegram menu and /help are made from. A new flow is one module, its sentences in
messages.yaml, and one line in the registry.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Generic, TypeVar

from pydantic import BaseModel

from bot.core.state import ConversationState, StepId
from bot.core.turn import Turn

Prompt = Callable[[Turn], None]
OnChoice = Callable[[Turn, str], None]
# Returns whether the text was taken; if not, the engine reads it as free text.
OnText = Callable[[Turn, str], bool]
Command = Callable[[Turn, str], None]


def ask_again(turn: Turn, choice: str) -> None:
    """Ask the current question again: the step has no buttons of its own."""
    turn.reprompt()


@dataclass(frozen=True)
class StepSpec:
    """How one step asks its question and handles a button or free text."""

    flow: str
    prompt: Prompt
    on_choice: OnChoice = ask_again
    on_text: OnText | None = None
    # How the question is asked again after a miss or a stray press (a short line and the
    # choices), when the full prompt would repeat a long card or warning.
    repeat: Prompt | None = None
    # The step reads any text first (a name, a note, a score that may also be a warning sign);
    # what it does not take goes on to the engine's own reading.
    takes_any_text: bool = False
    # A yes/no question about a warning sign: a hedged or unsure answer ("kind of", "mostly",
    # "I think so") is never the answer that lets the moves go on, but this cautious one.
    if_unsure: bool | None = None


@dataclass(frozen=True)
class CommandSpec:
    """A command: what it does, and whether it is offered in the menu and in /help."""

    flow: str
    handler: Command
    menu: bool = False
    listed: bool = True
    # Where it comes in the menu and /help: lower first, then in registration order.
    position: int = 50


@dataclass
class Flow:
    """Everything one flow owns, declared once in its own module."""

    name: str
    steps: dict[StepId, StepSpec] = field(default_factory=dict)
    commands: dict[str, CommandSpec] = field(default_factory=dict)
    messages: dict[str, frozenset[str]] = field(default_factory=dict)

    def step(
        self,
        name: str,
        prompt: Prompt,
        on_choice: OnChoice = ask_again,
        on_text: OnText | None = None,
        *,
        repeat: Prompt | None = None,
        takes_any_text: bool = False,
    ) -> StepId:
        """Register a step and return its id."""
        step = StepId(name)
        if step in self.steps:
            raise ValueError(f"flow {self.name}: step {name!r} registered twice")
        self.steps[step] = StepSpec(self.name, prompt, on_choice, on_text, repeat, takes_any_text)
        return step

    def sign_question(
        self,
        name: str,
        prompt: Prompt,
        answer: Callable[[Turn, bool], None],
        *,
        if_unsure: bool,
        repeat: Prompt | None = None,
    ) -> StepId:
        """Register a yes/no question about a warning sign, whose hedged or unsure answer is
        `if_unsure` (the cautious one), typed alone or with more."""
        step = self.step(name, prompt, *yes_no(answer, if_unsure=if_unsure), repeat=repeat)
        self.steps[step] = replace(self.steps[step], if_unsure=if_unsure)
        return step

    def command(
        self,
        name: str,
        handler: Command,
        *,
        menu: bool = False,
        listed: bool = True,
        position: int = 50,
    ) -> None:
        """Register a command (the sentence `command_<name>` describes it in the menu and /help)."""
        if name in self.commands:
            raise ValueError(f"flow {self.name}: command /{name} registered twice")
        self.commands[name] = CommandSpec(self.name, handler, menu, listed, position)
        if menu or listed:
            self.messages[f"command_{name}"] = frozenset()

    def says(self, *keys: str, **with_placeholders: Iterable[str]) -> None:
        """Declare the sentences this flow says: plain keys, or keys with their placeholders."""
        for key in keys:
            self._add_message(key, frozenset())
        for key, names in with_placeholders.items():
            self._add_message(key, frozenset(names))

    def buttons(self, *choice_ids: str) -> None:
        """Declare the buttons this flow shows; each label is the sentence `button_<id>`."""
        for choice_id in choice_ids:
            self._add_message(f"button_{choice_id}", frozenset())

    def _add_message(self, key: str, placeholders: frozenset[str]) -> None:
        known = self.messages.get(key)
        if known is not None and known != placeholders:
            raise ValueError(f"flow {self.name}: message {key!r} declared twice, differently")
        self.messages[key] = placeholders


class Registry:
    """Every flow's steps, commands and sentences, merged; a name claimed twice is refused."""

    def __init__(self, flows: Iterable[Flow], base_messages: Mapping[str, frozenset[str]]) -> None:
        self.flows = tuple(flows)
        self.steps: dict[StepId, StepSpec] = {}
        self.commands: dict[str, CommandSpec] = {}
        self.messages: dict[str, frozenset[str]] = dict(base_messages)
        for flow in self.flows:
            for step, spec in flow.steps.items():
                if step in self.steps:
                    raise ValueError(
                        f"step {step!r} is in flows {self.steps[step].flow} and {flow.name}"
                    )
                self.steps[step] = spec
            for name, command in flow.commands.items():
                if name in self.commands:
                    owner = self.commands[name].flow
                    raise ValueError(f"command /{name} is in flows {owner} and {flow.name}")
                self.commands[name] = command
            for key, placeholders in flow.messages.items():
                known = self.messages.get(key)
                if known is not None and known != placeholders:
                    raise ValueError(f"message {key!r} has different placeholders in {flow.name}")
                self.messages[key] = placeholders

    def menu(self) -> tuple[str, ...]:
        """Return the commands of the Telegram command menu, in order."""
        return tuple(name for name in self._ordered() if self.commands[name].menu)

    def listed(self) -> tuple[str, ...]:
        """Return the commands /help lists, in order."""
        return tuple(name for name in self._ordered() if self.commands[name].listed)

    def _ordered(self) -> list[str]:
        # sorted() is stable: equal positions keep the registration order.
        return sorted(self.commands, key=lambda name: self.commands[name].position)


def yes_no(
    answer: Callable[[Turn, bool], None], *, yes: str = "yes", if_unsure: bool | None = None
) -> tuple[OnChoice, OnText]:
    """Return the button and text handlers of a yes/no question that calls `answer`."""

    def on_choice(turn: Turn, choice: str) -> None:
        answer(turn, choice == yes)

    def on_text(turn: Turn, text: str) -> bool:
        said = yes_or_no(turn, text, if_unsure)
        if isinstance(said, AskedAgain):
            turn.reprompt()
        elif said is not None:
            answer(turn, said)
        return said is not None

    return on_choice, on_text


class AskedAgain:
    """A hedged answer at a sign question, asked about once more."""


ASKED_AGAIN = AskedAgain()


def yes_or_no(turn: Turn, text: str, if_unsure: bool | None) -> bool | AskedAgain | None:
    """Return the yes or no a typed answer says, or None. At a question about a warning sign
    (`if_unsure` given), a hedged answer ("probably not", "mostly", "I think so") is never the
    answer that lets the moves go on: the first is asked about once more (ASKED_AGAIN, as "no I
    don't think so" is often a plain no), a second is the cautious answer, and the person is
    told so."""
    said = turn.reader.is_affirmative(text)
    answers = turn.answers
    state = turn.state
    if if_unsure is None or said is if_unsure or answers is None or not answers.is_hedged(text):
        state.unsure_at = None
        return said
    if state.unsure_at != state.step:
        state.unsure_at = state.step
        turn.say("unsure_ask_again")
        return ASKED_AGAIN
    state.unsure_at = None
    turn.say("unsure_taken_yes" if if_unsure else "unsure_taken_no")
    return if_unsure


M = TypeVar("M", bound=BaseModel)


class Draft(Generic[M]):
    """A flow's answers so far, kept in the conversation state under the flow's name."""

    def __init__(self, name: str, model: type[M]) -> None:
        self.name = name
        self.model = model

    def get(self, state: ConversationState) -> M | None:
        """Return the draft, or None when the flow has none open."""
        raw: Any = state.drafts.get(self.name)
        if raw is None or isinstance(raw, self.model):
            return raw
        try:
            draft = self.model.model_validate(raw)
        except ValueError:
            del state.drafts[self.name]  # saved by an older version that no longer fits
            return None
        state.drafts[self.name] = draft  # so changes made to it are kept
        return draft

    def of(self, state: ConversationState, **defaults: Any) -> M:
        """Return the draft, starting one with these values if there is none."""
        draft = self.get(state)
        if draft is None:
            draft = self.start(state, **defaults)
        return draft

    def start(self, state: ConversationState, **values: Any) -> M:
        """Start a fresh draft, replacing any open one."""
        draft = self.model(**values)
        state.drafts[self.name] = draft
        return draft

    def clear(self, state: ConversationState) -> None:
        """Drop the draft: the flow is finished or abandoned."""
        state.drafts.pop(self.name, None)
