"""Load and validate the clinician-owned knowledge files (knowledge/*.yaml).

Everything the bot knows and says lives in YAML so that a clinician can change a dose or a
sentence without touching Python. This module turns those files into frozen pydantic models
and checks every cross-reference once, at start-up; any problem becomes one `KnowledgeError`
line that names the file and the offending id.
"""

from __future__ import annotations

import re
import string
from collections.abc import Mapping
from datetime import time
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal, Self, TypeVar

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from bot.core.poses import Pictures, PoseError, SuppliedPicture, load_pictures
from bot.core.progress import ProgressRules
from bot.core.reminders import ReminderRules
from bot.core.text import fold_phrase, normalize

SYMPTOM_IDS = ("tightness", "cramping", "soreness", "weakness", "pain")
LOCATION_IDS = ("foot", "sole", "arch", "heel", "toes", "ankle", "calf")
RED_FLAG_IDS = (
    "numbness",
    "swelling",
    "injury",
    "wound",
    "dvt",
    "breathless",
    "fever",
    "severe",
    "circulation",
    "diabetic_foot",
)
# Conditions the reader recognises (a person's health background), for triage's combinations.
CONDITION_IDS = ("diabetes",)
INTENT_IDS = (
    "greeting",
    "thanks",
    "help",
    "about_me",
    "routine",
    "program",
    "reminder",
    "callback",
    "stop",
    "hurt",
    "worse",
    "checked",
    "diagnosis",
    "privacy",
    "mydata",
    "forget",
    "stop_reminders",
    "bye",
    "correction",
)
# Everyday questions about the moves that the bot answers from knowledge (answers.questions in
# language.yaml, each answered by messages.yaml's `faq_<id>`).
FAQ_IDS = ("results", "hold", "how_often", "ball", "dorsiflexion")
# Questions about the callback itself (answers.callback_questions in language.yaml, each
# answered by messages.yaml's `callback_faq_<id>`; "when" and "status", with a request in, by
# how that request stands: `callback_status`).
CALLBACK_FAQ_IDS = ("who", "when", "data", "status")

KNOWLEDGE_FILES = (
    "exercises.yaml",
    "symptoms.yaml",
    "red_flags.yaml",
    "language.yaml",
    "rules.yaml",
    "messages.yaml",
    "timezones.yaml",
)


class KnowledgeError(Exception):
    """A knowledge file is missing, malformed, or refers to an id that does not exist."""

    def __init__(self, file: str, where: str, problem: str) -> None:
        self.file = file
        self.where = where
        self.problem = problem
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f" {self.where}:" if self.where else ""
        return f"knowledge/{self.file}:{where} {self.problem}"


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class ExerciseKind(StrEnum):
    roll = "roll"
    stretch = "stretch"
    strengthen = "strengthen"


class Urgency(StrEnum):
    soon = "soon"
    urgent = "urgent"
    emergency = "emergency"


NonEmpty = Field(min_length=1)


class Dose(_Frozen):
    """How much and how often: holds and repeats, sets and reps, or a duration."""

    hold_seconds: int | None = Field(default=None, gt=0, le=600)
    repeats: int | None = Field(default=None, gt=0, le=50)
    sets: int | None = Field(default=None, gt=0, le=10)
    reps: str | None = Field(default=None, pattern=r"^\d{1,3}(-\d{1,3})?$")
    duration: str | None = None
    side: str | None = None
    frequency: str = Field(min_length=1)
    progression: str | None = None
    # How many sessions a day the dose asks for (a second daily reminder is offered at 2);
    # when not given, "twice a day" in the frequency means 2.
    times_a_day: int | None = Field(default=None, ge=1, le=4)

    @property
    def sessions_a_day(self) -> int:
        """Return how many sessions a day the dose asks for."""
        if self.times_a_day is not None:
            return self.times_a_day
        text = self.frequency.lower()
        return 2 if "twice" in text and "or twice" not in text else 1

    # How a rep is paced in a guided session ("up 2 s, down 2 s") and how long one takes.
    pace: str | None = Field(default=None, min_length=1, max_length=60)
    rep_seconds: int | None = Field(default=None, ge=1, le=30)

    @model_validator(mode="after")
    def _one_shape(self) -> Self:
        shapes = [
            self.hold_seconds is not None and self.repeats is not None,
            self.sets is not None and self.reps is not None,
            self.duration is not None,
        ]
        if sum(shapes) != 1:
            raise ValueError(
                "a dose needs exactly one of: hold_seconds + repeats, sets + reps, or duration"
            )
        return self


class Level(_Frozen):
    """One rung of an exercise's ladder: its dose and, where it changes, the move itself."""

    name: str = Field(min_length=1, max_length=60)  # "One leg at a time"
    dose: Dose
    variant: str = "default"  # the picture (knowledge/poses/<exercise>.yaml variants)
    how: str | None = None  # what is different at this level, shown on the card
    # Said the day a person moves to this level ("Calf raises: one leg from today").
    change: str | None = None


class Caution(_Frozen):
    """One caution on a card; one that suggests another move names it, so that a card never
    suggests a move the person's program has removed (it hurt, or they dropped it)."""

    text: str = Field(min_length=1)
    suggests: str | None = None  # the exercise id the text points to ("do the standing ...")

    @model_validator(mode="before")
    @classmethod
    def _plain_text(cls, data: Any) -> Any:
        """Take a plain sentence as a caution that suggests nothing."""
        return {"text": data} if isinstance(data, str) else data


class Exercise(_Frozen):
    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: str = Field(min_length=1)
    kind: ExerciseKind
    helps: tuple[str, ...] = Field(min_length=1)
    why: str = Field(min_length=1)
    # What people call it when they ask about it ("the towel one"), besides its name.
    called: tuple[str, ...] = ()
    steps: tuple[str, ...] = Field(min_length=3, max_length=6)
    # The dose of the level people start at; with a ladder, it is that level's.
    dose: Dose
    equipment: str | None = None
    alternatives: tuple[str, ...] = ()
    cautions: tuple[Caution, ...] = Field(min_length=1)
    # A clinic's own picture, used instead of the one drawn from poses/<id>.yaml.
    picture: SuppliedPicture | None = None
    # The ladder, easiest first; an exercise without one has a single level, its dose.
    levels: tuple[Level, ...] = ()
    start_level: int = Field(default=1, ge=1)  # 1 is the first (easiest) level

    @model_validator(mode="before")
    @classmethod
    def _dose_of_the_starting_level(cls, data: Any) -> Any:
        """With a ladder, the dose is the starting level's (it need not be written twice)."""
        if isinstance(data, dict) and "dose" not in data and data.get("levels"):
            start = int(data.get("start_level", 1))
            levels = data["levels"]
            if 1 <= start <= len(levels) and isinstance(levels[start - 1], dict):
                data = {**data, "dose": levels[start - 1].get("dose")}
        return data

    @model_validator(mode="after")
    def _start_on_the_ladder(self) -> Self:
        if self.start_level > max(1, len(self.levels)):
            raise ValueError(f"start_level {self.start_level} is past the ladder's top")
        return self

    @property
    def ladder(self) -> tuple[Level, ...]:
        """Return the levels, easiest first (one level made of the dose if none are listed)."""
        if self.levels:
            return self.levels
        return (Level(name=self.name, dose=self.dose),)


def _clean_words(words: tuple[str, ...]) -> tuple[str, ...]:
    """Return the words stripped and lower-cased, blanks dropped."""
    return tuple(w.strip().lower() for w in words if w.strip())


class Near(_Frozen):
    """Words that mean a concept only beside one of some locations ("red" near a calf)."""

    words: tuple[str, ...] = Field(min_length=1)
    locations: tuple[str, ...] = Field(min_length=1)

    @field_validator("words")
    @classmethod
    def _lowercase_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        """Return the listed words stripped and lower-cased."""
        return _clean_words(words)


class Concept(_Frozen):
    """A symptom, location, red flag or intent and the words people use for it.

    `words` count anywhere. `alone` count only in a message of a few words (a bare "stop",
    not "my cramps won't stop"). `opening` count only as a message's first words ("Morning!",
    not "pain in the morning"). `near` count only in the same clause as a location.
    In every list, `*` stands for a few words of any kind ("cut * wont heal").
    """

    id: str
    label: str = ""
    # How the bot names it inside a sentence ("the calf"); the label lower-cased if empty.
    phrase: str = ""
    words: tuple[str, ...] = Field(min_length=1)
    alone: tuple[str, ...] = ()
    opening: tuple[str, ...] = ()
    near: tuple[Near, ...] = ()

    @field_validator("words", "alone", "opening")
    @classmethod
    def _lowercase_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        """Return the listed words stripped and lower-cased."""
        return _clean_words(words)

    @property
    def in_sentence(self) -> str:
        """Return how to name this inside a sentence."""
        return self.phrase or self.label.lower()


class Hints(_Frozen):
    """Words that only hint at a warning sign ("a bit red", a lone "pop"): the bot asks.

    Same shapes as a concept's lists. A hint phrase that holds a word of the sign itself
    explains that word away: "a bit red" is a hint, though "red" by a foot is the sign.
    """

    words: tuple[str, ...] = ()
    alone: tuple[str, ...] = ()
    near: tuple[Near, ...] = ()

    @field_validator("words", "alone")
    @classmethod
    def _lowercase_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        """Return the listed words stripped and lower-cased."""
        return _clean_words(words)


class RedFlag(Concept):
    """A warning sign: its words, how urgent it is, what the bot advises, and its hints.

    A sign that only comes from a combination (triage) may list no words of its own.
    """

    words: tuple[str, ...] = ()
    urgency: Urgency
    advice: str = Field(min_length=1)
    hints: Hints = Hints()
    # A yes/no question the bot asks when it only sees a hint of this sign.
    question: str = Field(min_length=1)

    @property
    def name(self) -> str:
        """Return how the sign is named in a sentence ("numbness or tingling")."""
        return self.in_sentence


class Condition(Concept):
    """A health condition (diabetes, poor circulation) and the caution the bot adds for it."""

    caution: str = Field(min_length=1)


class Combination(_Frozen):
    """A warning sign raised when a message (and what the person said before) has it all.

    Each list that is given must find one of its ids: a condition the person has, one of
    `signs` raised or one of `hints` suspected, a place, a symptom. "Diabetes plus a wound,
    numbness, a colour change or swelling is a diabetic foot"; "a long flight or surgery
    plus pain in the calf is a possible clot".
    """

    id: str
    conditions: tuple[str, ...] = ()
    signs: tuple[str, ...] = ()
    # Signs whose mere hint is enough here ("a cut", "a blister", "after a long flight").
    hints: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _asks_for_something(self) -> Self:
        if not (self.conditions or self.signs or self.hints):
            raise ValueError("a combination needs conditions, signs or hints")
        return self


class Triage(_Frozen):
    """The clinician-owned triage rules in rules.yaml: combinations of conditions and signs."""

    combinations: tuple[Combination, ...] = ()
    # A sign read from the very same words as these others is theirs, not a sign of its
    # own: "my calf is swollen" is the clot sign, not also a hot, red or swollen foot.
    takes_over: dict[str, tuple[str, ...]] = Field(default_factory=dict)


class ScreenItem(_Frozen):
    """One choice of the warning-sign screen asked before the first routine of an episode."""

    # Tapping it reports this sign; or, for a condition, asks `follow_up` (a yes reports
    # `follow_up_sign`, a no keeps the condition as a caution).
    sign: str | None = None
    condition: str | None = None
    follow_up_sign: str | None = None
    button: str = Field(min_length=1, max_length=30)
    line: str = Field(min_length=1)

    @model_validator(mode="after")
    def _one_kind(self) -> Self:
        if (self.sign is None) == (self.condition is None):
            raise ValueError("a screen item needs exactly one of: sign, condition")
        if self.condition is not None and self.follow_up_sign is None:
            raise ValueError("a condition needs the follow_up_sign a yes reports")
        return self

    @property
    def id(self) -> str:
        """Return the choice id: the sign's or the condition's."""
        return self.sign or self.condition or ""


class ConditionRules(_Frozen):
    """What a condition changes in the routine (its caution line is the condition's own)."""

    leave_out: tuple[str, ...] = ()
    max_exercises: int | None = Field(default=None, ge=1, le=12)


class ProgramRules(_Frozen):
    """When a move of the program goes up or down its ladder (rules.yaml `program`)."""

    up_after_easy: int = Field(default=2, ge=1, le=10)
    on_hard: Literal["hold", "down"] = "hold"
    on_hurt: Literal["down", "out"] = "down"
    hold_while_pain_rises: bool = True
    minutes_per_move: int = Field(default=3, ge=1, le=30)


class SafetyRules(_Frozen):
    """How long a warning sign stands, and what conditions change."""

    # A warning sign stands this many days; after that the bot asks again before a routine.
    warning_sign_days: int = Field(default=14, ge=1, le=365)
    # After "it's been checked", the routine carries a caution line this many days.
    checked_caution_days: int = Field(default=28, ge=0, le=365)
    # A sign the person said they do not have is not asked again for this many hours, even in
    # a new episode (/start, a new complaint); 0 asks the screen in every episode.
    denied_sign_hours: int = Field(default=12, ge=0, le=72)
    conditions: dict[str, ConditionRules] = {}


class Negation(_Frozen):
    """Context cues in the manner of NegEx and ConText, all sharing one window and terminators.

    `before` and `after` negate ("no swelling", "the swelling went down"); `pseudo` phrases
    only look like cues ("not sure", "as if"). In the manner of ConText, `past_*` mark a
    warning sign as long past ("broke my ankle years ago"), `conditional_*` as said only as
    a condition ("if it swells"), `hypothetical_*` as a worry or a question ("it might be
    broken", "is this a clot"; the bot asks about it), and `other_*` as someone else's ("my
    dad's foot"), whose scope also ends at the words in `other_stop` ("my", "I"). `present`
    words date a pain score to now.
    """

    before: tuple[str, ...] = Field(min_length=1)
    after: tuple[str, ...] = ()
    pseudo: tuple[str, ...] = ()
    terminators: tuple[str, ...] = ()
    past_before: tuple[str, ...] = ()
    past_after: tuple[str, ...] = ()
    conditional_before: tuple[str, ...] = ()
    conditional_after: tuple[str, ...] = ()
    hypothetical_before: tuple[str, ...] = ()
    hypothetical_after: tuple[str, ...] = ()
    other_before: tuple[str, ...] = ()
    other_after: tuple[str, ...] = ()
    other_stop: tuple[str, ...] = ()
    # Words that date a pain score to now ("right now it's a 9" beside "it was a 3 before").
    present: tuple[str, ...] = ()
    window: int = Field(default=5, ge=1, le=12)
    # Someone else's scope reaches further, as in ConText, since "my"/"I" ends it anyway.
    other_window: int = Field(default=8, ge=1, le=20)

    @field_validator(
        "before",
        "after",
        "pseudo",
        "terminators",
        "past_before",
        "past_after",
        "conditional_before",
        "conditional_after",
        "hypothetical_before",
        "hypothetical_after",
        "other_before",
        "other_after",
        "other_stop",
        "present",
    )
    @classmethod
    def _lowercase_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        """Return the listed words stripped and lower-cased."""
        return _clean_words(words)


def _answered_questions(
    questions: dict[str, tuple[str, ...]], known: tuple[str, ...], kind: str
) -> dict[str, tuple[str, ...]]:
    """Return the questions folded as answers are, refusing one without an answer (`known`)."""
    for question in questions:
        if question not in known:
            raise ValueError(f"unknown {kind} '{question}' (known: {', '.join(known)})")
    return {q: tuple(w.strip().lower().replace("'", "") for w in ws) for q, ws in questions.items()}


class Answers(_Frozen):
    """How people answer the bot's questions: synonyms of each choice, and pain in words."""

    # Choice id -> what people type for it ("every day" for daily, "after 5pm" for evening).
    choices: dict[str, tuple[str, ...]] = {}
    # Pain told in words, on the 0-10 scale ("pretty bad" is about 7).
    pain_words: dict[str, int] = {}
    # A time of day said in words, for a reminder ("in the morning" is 08:00, "before bed" 21:30).
    times_of_day: dict[str, time] = {}
    # "Don't know" at a question that wants a value: the bot explains and asks again.
    unsure: tuple[str, ...] = ()
    # Words around an answer that change nothing ("please", "I guess").
    filler: tuple[str, ...] = ()
    # A clear yes, where only one will do (consent to share a name and number).
    clear_yes: tuple[str, ...] = ()
    # Words that soften an answer ("maybe", "I guess"): an answer with one is no clear yes.
    hedges: tuple[str, ...] = ()
    # A check-in score told against the last one: "about the same" takes it again, "better"
    # asks for today's number (how much better is the person's to say).
    same_as_before: tuple[str, ...] = ()
    better: tuple[str, ...] = ()
    # The day before, said with /checkin ("/checkin yesterday 4"): that day is checked in.
    yesterday: tuple[str, ...] = ()
    # Words that name only a side ("left", "the right one", "both"): at a question of the
    # intake, with the place already told, such an answer tells nothing new.
    sides: tuple[str, ...] = ()
    # "done", "next" typed at how a move felt: the person moves on without saying.
    move_on: tuple[str, ...] = ()
    # "what next?" with nothing else: how a move felt is asked first; after one, the choices.
    asks_next: tuple[str, ...] = ()
    # Words after a "no" that say it goes on ("no. well I did go over on it"): such an answer
    # at the warning-sign screen is no plain "none of these", and is asked again.
    goes_on: tuple[str, ...] = ()
    # Words that say a sign checked today is back or new ("swollen again", "it came back"): a
    # sign said with one stands again; without, it is the one the professional saw.
    came_back: tuple[str, ...] = ()
    # Words that tell what a professional said or found ("the doctor said", "was told"): only
    # a sign told with one of these, the day it was checked, is taken for the sign seen.
    professional_said: tuple[str, ...] = ()
    # A plan to get a sign seen ("I'll go to the walk-in centre"), told at the warning: a plan
    # word and a place of care, and no denial ("I won't go to A&E"), is thanked, not lectured.
    # The denials deny a sign said gone too ("it hasn't gone away").
    plans: tuple[str, ...] = ()
    care: tuple[str, ...] = ()
    denials: tuple[str, ...] = ()
    # Words that say a standing sign went away ("it's gone now"), told at the warning: heard,
    # though it still needs checking (the sign was there today).
    sign_gone: tuple[str, ...] = ()
    # Skin and nail problems ("a verruca", "athlete's foot", "corns"), which the moves do not
    # help: said so, with who can (a pharmacist or a podiatrist).
    skin_and_nails: tuple[str, ...] = ()
    # A level asked for at /program ("make the calf raises harder", "the towel one is too easy").
    harder: tuple[str, ...] = ()
    easier: tuple[str, ...] = ()
    # Words for a child, when a complaint is told of someone else ("my son's calves ache"): a
    # child's feet are for the GP, not for these moves.
    children: tuple[str, ...] = ()
    # Places the moves are not for ("knee pain", "my lower back"): told so, and who can help.
    other_places: tuple[str, ...] = ()
    # Words that make a question asked at a 0-10 question one about the scale ("what does 0
    # mean?"): explained there. Any other ("is it serious?") is answered as anywhere else.
    scale_words: tuple[str, ...] = ()
    # Words said before a name at "What name should they ask for?" ("my name's", "I'm", "it's"):
    # taken off, so the professional asks for "Jo Smith", not "my name's Jo Smith".
    name_lead_ins: tuple[str, ...] = ()
    # Words said after it ("Jo please", "Jo Smith thanks"): taken off too.
    name_tails: tuple[str, ...] = ()
    # Answers that are never a name ("yes", "ok", "no idea"): typed at the name question, the
    # question is asked again. Names that are also words ("Will", "Hope") are not listed.
    not_names: tuple[str, ...] = ()
    # Everyday questions about the moves ("how long until I see results?"): question id ->
    # what people ask; each is answered by the message `faq_<id>`, from CLINICAL-NOTES.md.
    questions: dict[str, tuple[str, ...]] = {}
    # Questions about the callback asked at its consent ("who will call me?", "how long will it
    # take?", "what happens to my data?"): question id -> what people ask; each is answered by
    # the message `callback_faq_<id>` and the consent is asked again.
    callback_questions: dict[str, tuple[str, ...]] = {}
    # Words that name the call ("call", "ring", "my number"): a question about the call longer
    # than a few words is one only with one of these ("how long will it take them to call
    # me?"); "how long will it take to see results?" is about the moves, "is it safe to walk on
    # it?" a note for the professional.
    call_words: tuple[str, ...] = ()
    # Words common in other languages and rare in English ("duele", "pied", "schmerzen"): a
    # message not understood and made mostly of them is told that the bot reads English only.
    other_languages: frozenset[str] = frozenset()

    @field_validator("other_languages")
    @classmethod
    def _fold_words(cls, words: frozenset[str]) -> frozenset[str]:
        """Return the words folded as messages are (NFKC, lower case, no apostrophes)."""
        return frozenset(normalize(w, 100).strip() for w in words if w.strip())

    @field_validator("questions")
    @classmethod
    def _known_questions(cls, questions: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """Check each question is one the bot has an answer for; fold what people ask."""
        return _answered_questions(questions, FAQ_IDS, "question")

    @field_validator("callback_questions")
    @classmethod
    def _known_callback_questions(
        cls, questions: dict[str, tuple[str, ...]]
    ) -> dict[str, tuple[str, ...]]:
        """Check each question about the call is one the bot has an answer for; fold them."""
        return _answered_questions(questions, CALLBACK_FAQ_IDS, "callback question")

    @field_validator("choices")
    @classmethod
    def _lowercase_choices(cls, choices: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
        """Return the synonyms stripped and lower-cased, apostrophes dropped."""
        return {
            key: tuple(w.strip().lower().replace("'", "") for w in words if w.strip())
            for key, words in choices.items()
        }

    @field_validator("pain_words")
    @classmethod
    def _scores(cls, words: dict[str, int]) -> dict[str, int]:
        """Check each score is on the 0-10 scale."""
        for word, score in words.items():
            if not 0 <= score <= 10:
                raise ValueError(f"'{word}' must be a score from 0 to 10")
        return {w.strip().lower().replace("'", ""): score for w, score in words.items()}

    @field_validator("times_of_day")
    @classmethod
    def _lowercase_times(cls, times: dict[str, time]) -> dict[str, time]:
        """Return the phrases stripped and lower-cased."""
        return {w.strip().lower().replace("'", ""): at for w, at in times.items()}

    @field_validator(
        "unsure",
        "filler",
        "clear_yes",
        "hedges",
        "sides",
        "move_on",
        "asks_next",
        "came_back",
        "professional_said",
        "plans",
        "care",
        "denials",
        "sign_gone",
        "skin_and_nails",
        "harder",
        "easier",
        "children",
        "other_places",
        "name_lead_ins",
        "name_tails",
        "same_as_before",
        "better",
        "yesterday",
        "not_names",
        "call_words",
    )
    @classmethod
    def _lowercase_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        """Return the listed words stripped and lower-cased."""
        return tuple(w.replace("'", "") for w in _clean_words(words))


class ReaderTuning(_Frozen):
    """Knobs for typo tolerance, kept in data so they are tuned with the vocabulary."""

    min_fuzzy_length: int = Field(default=5, ge=3)
    keep_words: tuple[str, ...] = ()
    affirm: tuple[str, ...] = ()
    deny: tuple[str, ...] = ()
    unsure: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    # Phrases that are no warning sign (nor hint) though a sign's word is in them ("black
    # toenail"); unlike `ignore`, a place in them still counts.
    ignore_signs: tuple[str, ...] = ()
    aliases: dict[str, str] = {}
    alone_max_words: int = Field(default=3, ge=1, le=10)
    max_gap: int = Field(default=4, ge=1, le=8)
    max_chars: int = Field(default=12_000, ge=100, le=100_000)
    max_tokens: int = Field(default=2_500, ge=10, le=20_000)
    fuzzy_budget: int = Field(default=64, ge=0, le=10_000)

    @field_validator("keep_words", "affirm", "deny", "unsure", "ignore", "ignore_signs")
    @classmethod
    def _lowercase_words(cls, words: tuple[str, ...]) -> tuple[str, ...]:
        """Return the listed words stripped and lower-cased."""
        return _clean_words(words)

    @field_validator("aliases")
    @classmethod
    def _lowercase_aliases(cls, aliases: dict[str, str]) -> dict[str, str]:
        """Return the aliases with both sides stripped, lower-cased and apostrophes dropped."""
        return {
            k.strip().lower().replace("'", ""): v.strip().lower().replace("'", "")
            for k, v in aliases.items()
        }


class RoutineRules(_Frozen):
    kind_order: tuple[ExerciseKind, ...]
    max_exercises: int = Field(default=6, ge=1, le=12)
    # A pain score at or above this is the `severe` warning sign.
    severe_pain_score: int = Field(default=8, ge=1, le=10)
    # A body temperature (degrees Celsius) at or above this, written as measured ("40.3°",
    # "38.6 C"), is the `fever` warning sign.
    fever_temperature: float = Field(default=38.0, ge=37.0, le=40.0)
    routines: dict[str, dict[str, tuple[str, ...]]]


class Knowledge(_Frozen):
    """Everything in knowledge/, validated and indexed by id."""

    exercises: dict[str, Exercise]
    symptoms: dict[str, Concept]
    locations: dict[str, Concept]
    red_flags: dict[str, RedFlag]
    # Health conditions that change what a sign means (diabetes, poor circulation).
    conditions: dict[str, Condition]
    intents: dict[str, Concept]
    negation: Negation
    tuning: ReaderTuning
    answers: Answers
    rules: RoutineRules
    triage: Triage
    program: ProgramRules
    reminders: ReminderRules
    safety: SafetyRules
    screen: tuple[ScreenItem, ...]
    progress: ProgressRules
    messages: dict[str, str]
    zone_aliases: dict[str, str]
    # Countries over several zones, by every name people use: their main zones, east to west.
    zone_countries: dict[str, tuple[str, ...]] = {}
    # What each exercise's picture is drawn from (poses/<id>.yaml) or the file supplied instead.
    pictures: Pictures = Pictures()

    def say(self, key: str, /, **values: Any) -> str:
        """Return the sentence under `key` with its placeholders filled in."""
        return self.messages[key].format(**values) if values else self.messages[key]


# -- loading ------------------------------------------------------------------------------

_M = TypeVar("_M", bound=BaseModel)
_Identified = TypeVar("_Identified", Concept, RedFlag, Condition, Exercise)


class _WordsLoader(yaml.SafeLoader):
    """YAML 1.1 reads bare yes/no/on/off as booleans; in word lists they are words."""


_WordsLoader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_WordsLoader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _read_yaml(directory: Path, name: str) -> dict[str, Any]:
    path = directory / name
    try:
        raw = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise KnowledgeError(name, "", f"file not found in {directory}") from None
    except OSError as exc:
        raise KnowledgeError(name, "", f"cannot be read ({exc.strerror})") from None
    try:
        data = yaml.load(raw, Loader=_WordsLoader)  # a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or "is not valid YAML"
        raise KnowledgeError(name, where, f"not valid YAML: {problem}") from None
    if not isinstance(data, dict):
        raise KnowledgeError(name, "", "must be a mapping at the top level")
    return data


def _parse(model: type[_M], data: Any, file: str, where: str) -> _M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        loc = ".".join(str(part) for part in first["loc"])
        where = ".".join(p for p in (where, loc) if p)
        raise KnowledgeError(file, where, first["msg"]) from None


def _items(data: Mapping[str, Any], key: str, file: str) -> list[Any]:
    value = data.get(key)
    if not isinstance(value, list) or not value:
        raise KnowledgeError(file, key, "must be a non-empty list")
    return value


def _by_id(
    model: type[_Identified], items: list[Any], file: str, section: str
) -> dict[str, _Identified]:
    result: dict[str, _Identified] = {}
    for index, item in enumerate(items):
        item_id = item.get("id") if isinstance(item, dict) else None
        where = f"{section} '{item_id}'" if item_id else f"{section}[{index}]"
        parsed = _parse(model, item, file, where)
        if parsed.id in result:
            raise KnowledgeError(file, where, f"duplicate id '{parsed.id}'")
        result[parsed.id] = parsed
    return result


def _require_ids(found: Mapping[str, Any], expected: tuple[str, ...], file: str, kind: str) -> None:
    for wanted in expected:
        if wanted not in found:
            raise KnowledgeError(file, kind, f"missing the required id '{wanted}'")
    for extra in found:
        if extra not in expected:
            raise KnowledgeError(file, f"{kind} '{extra}'", f"unknown {kind} id '{extra}'")


def _check_near(concepts: Mapping[str, Concept], file: str, kind: str) -> None:
    """Check that every `near` list names known locations."""
    for concept in concepts.values():
        nears = [("near", near) for near in concept.near]
        if isinstance(concept, RedFlag):
            nears += [("hints.near", near) for near in concept.hints.near]
        for field, near in nears:
            for location in near.locations:
                if location not in LOCATION_IDS:
                    where = f"{kind} '{concept.id}'.{field}"
                    raise KnowledgeError(file, where, f"unknown location '{location}'")


def _check_triage(triage: Triage, knowledge: dict[str, Any]) -> None:
    """Check that the combinations name known ids, and that every sign has words."""
    file = "rules.yaml"
    combined = set()
    for index, rule in enumerate(triage.combinations):
        where = f"triage.combinations[{index}]"
        named = [("sign", rule.id), *(("sign", s) for s in (*rule.signs, *rule.hints))]
        named += [("condition", c) for c in rule.conditions]
        named += [("location", c) for c in rule.locations]
        named += [("symptom", c) for c in rule.symptoms]
        for kind, name in named:
            known = knowledge["red_flags" if kind == "sign" else f"{kind}s"]
            if name not in known:
                raise KnowledgeError(file, where, f"unknown {kind} '{name}'")
        combined.add(rule.id)
    for sign, others in triage.takes_over.items():
        for name in (sign, *others):
            if name not in knowledge["red_flags"]:
                raise KnowledgeError(file, f"triage.takes_over.{sign}", f"unknown sign '{name}'")
    for flag in knowledge["red_flags"].values():
        if not flag.words and flag.id not in combined:
            where = f"red flag '{flag.id}'.words"
            raise KnowledgeError("red_flags.yaml", where, "needs words, or a triage combination")


def _read_messages(messages: Any) -> dict[str, str]:
    file = "messages.yaml"
    if not isinstance(messages, dict):
        raise KnowledgeError(file, "messages", "must be a mapping of key: sentence")
    result: dict[str, str] = {}
    for key, text in messages.items():
        if not isinstance(text, str) or not text.strip():
            raise KnowledgeError(file, str(key), "must be a non-empty sentence")
        result[str(key)] = text.strip()
    return result


def check_messages(messages: Mapping[str, str], catalogue: Mapping[str, frozenset[str]]) -> None:
    """Check the sentences against the keys the code uses and the placeholders each may use.

    The flows declare the catalogue (bot/core/flows), so the engine runs this when it is built:
    every key needs a sentence, no unknown key may be there, and a sentence may only use the
    placeholders declared for it, so a clinician's edit never breaks a reply at run time.
    """
    file = "messages.yaml"
    for key, text in messages.items():
        if key not in catalogue:
            raise KnowledgeError(file, key, f"unknown message key '{key}'")
        allowed = catalogue[key]
        try:
            used = {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}
        except ValueError as exc:
            raise KnowledgeError(file, key, f"bad placeholder ({exc})") from None
        for name in sorted(used):
            if name not in allowed:
                hint = ", ".join("{" + a + "}" for a in sorted(allowed)) or "none"
                raise KnowledgeError(file, key, f"unknown placeholder {{{name}}} (allowed: {hint})")
    for key in catalogue:
        if key not in messages:
            raise KnowledgeError(file, key, f"missing the required message '{key}'")


def _check_routines(rules: RoutineRules, knowledge: dict[str, Any]) -> None:
    file = "rules.yaml"
    if set(rules.kind_order) != set(ExerciseKind) or len(rules.kind_order) != len(ExerciseKind):
        raise KnowledgeError(file, "kind_order", "must list roll, stretch and strengthen once")
    for symptom, by_location in rules.routines.items():
        if symptom not in knowledge["symptoms"]:
            raise KnowledgeError(file, f"routines.{symptom}", f"unknown symptom '{symptom}'")
        if "default" not in by_location:
            raise KnowledgeError(file, f"routines.{symptom}", "needs a 'default' routine")
        for location, exercise_ids in by_location.items():
            where = f"routines.{symptom}.{location}"
            if location != "default" and location not in knowledge["locations"]:
                raise KnowledgeError(file, where, f"unknown location '{location}'")
            if not exercise_ids:
                raise KnowledgeError(file, where, "needs at least one exercise")
            for exercise_id in exercise_ids:
                if exercise_id not in knowledge["exercises"]:
                    raise KnowledgeError(file, where, f"unknown exercise '{exercise_id}'")
    for symptom in knowledge["symptoms"]:
        if symptom not in rules.routines:
            raise KnowledgeError(file, "routines", f"no routine for symptom '{symptom}'")


def _check_safety(safety: SafetyRules, knowledge: dict[str, Any]) -> None:
    for condition, rules in safety.conditions.items():
        where = f"safety.conditions.{condition}"
        if condition not in CONDITION_IDS:
            raise KnowledgeError("rules.yaml", where, f"unknown condition '{condition}'")
        for exercise_id in rules.leave_out:
            if exercise_id not in knowledge["exercises"]:
                raise KnowledgeError("rules.yaml", where, f"unknown exercise '{exercise_id}'")


def _check_screen(screen: tuple[ScreenItem, ...], knowledge: dict[str, Any]) -> None:
    seen: set[str] = set()
    for index, item in enumerate(screen):
        where = f"screen[{index}]"
        for sign in (item.sign, item.follow_up_sign):
            if sign is not None and sign not in knowledge["red_flags"]:
                raise KnowledgeError("red_flags.yaml", where, f"unknown red flag '{sign}'")
        if item.condition is not None and item.condition not in CONDITION_IDS:
            raise KnowledgeError("red_flags.yaml", where, f"unknown condition '{item.condition}'")
        if item.id in seen:
            raise KnowledgeError("red_flags.yaml", where, f"'{item.id}' is listed twice")
        seen.add(item.id)


def _check_exercises(exercises: dict[str, Exercise], symptoms: dict[str, Concept]) -> None:
    for exercise in exercises.values():
        where = f"exercises '{exercise.id}'"
        for symptom in exercise.helps:
            if symptom not in symptoms:
                raise KnowledgeError("exercises.yaml", where, f"unknown symptom '{symptom}'")
        for caution in exercise.cautions:
            if caution.suggests is not None and caution.suggests not in exercises:
                raise KnowledgeError(
                    "exercises.yaml",
                    where,
                    f"a caution suggests unknown exercise '{caution.suggests}'",
                )
        _check_suggestions(exercise, exercises)
    _check_called(exercises)


def _check_called(exercises: dict[str, Exercise]) -> None:
    """Check that no two moves are called the same ("the ball one" asks about one move)."""
    owner: dict[str, str] = {}
    for exercise in exercises.values():
        for said in (exercise.name, *exercise.called):
            folded = fold_phrase(said)  # as the messages that name a move are folded
            other = owner.setdefault(folded, exercise.id)
            if other != exercise.id:
                raise KnowledgeError(
                    "exercises.yaml",
                    f"exercises '{exercise.id}'",
                    f"'{said}' also calls '{other}': a move's names must be its own",
                )


def _check_suggestions(exercise: Exercise, exercises: dict[str, Exercise]) -> None:
    """Refuse a card text that names another move unless it is a caution that says so: a card
    must be able to leave out a suggestion of a move the person's program has removed."""
    texts = [
        exercise.why,
        *exercise.steps,
        *exercise.alternatives,
        *(level.how or "" for level in exercise.levels),
    ]
    named = [(c.text, c.suggests) for c in exercise.cautions]
    for other in exercises.values():
        if other.id == exercise.id:
            continue
        name = other.name.casefold()
        said = [t for t in texts if name in t.casefold()]
        said += [t for t, suggests in named if name in t.casefold() and suggests != other.id]
        if said:
            raise KnowledgeError(
                "exercises.yaml",
                f"exercises '{exercise.id}'",
                f"'{said[0]}' names {other.id}: only a caution with `suggests: {other.id}` may",
            )


def _check_zone_aliases(aliases: Any) -> dict[str, str]:
    from zoneinfo import available_timezones

    file = "timezones.yaml"
    if not isinstance(aliases, dict):
        raise KnowledgeError(file, "aliases", "must be a mapping of place: IANA zone")
    zones = available_timezones()
    result: dict[str, str] = {}
    for place, zone in aliases.items():
        if not isinstance(zone, str) or zone not in zones:
            raise KnowledgeError(file, f"aliases.{place}", f"unknown time zone '{zone}'")
        result[str(place).strip().lower()] = zone
    return result


def _check_zone_countries(countries: Any, aliases: dict[str, str]) -> dict[str, tuple[str, ...]]:
    from zoneinfo import available_timezones

    file = "timezones.yaml"
    if countries is None:
        return {}
    if not isinstance(countries, dict):
        raise KnowledgeError(file, "countries", "must map a country code to names: and zones:")
    zones = available_timezones()
    result: dict[str, tuple[str, ...]] = {}
    for code, entry in countries.items():
        where = f"countries.{code}"
        if not isinstance(entry, dict) or set(entry) != {"names", "zones"}:
            raise KnowledgeError(file, where, "needs exactly names: and zones:")
        listed = entry["zones"]
        if not isinstance(listed, list) or len(listed) < 2:
            raise KnowledgeError(file, where, "a country here has two zones or more")
        for zone in listed:
            if zone not in zones:
                raise KnowledgeError(file, where, f"unknown time zone '{zone}'")
        for name in entry["names"] or ():
            place = str(name).strip().lower()
            if place in aliases or place in result:
                raise KnowledgeError(file, where, f"'{place}' is named twice")
            result[place] = tuple(listed)
    return result


def load_knowledge(directory: Path | str) -> Knowledge:
    """Load every knowledge file from `directory`, validate it, and return the whole."""
    directory = Path(directory)
    if not directory.is_dir():
        raise KnowledgeError("", "", f"the knowledge folder {directory} does not exist")
    exercises_file = _read_yaml(directory, "exercises.yaml")
    symptoms_file = _read_yaml(directory, "symptoms.yaml")
    flags_file = _read_yaml(directory, "red_flags.yaml")
    language_file = _read_yaml(directory, "language.yaml")
    rules_file = _read_yaml(directory, "rules.yaml")
    messages_file = _read_yaml(directory, "messages.yaml")
    zones_file = _read_yaml(directory, "timezones.yaml")

    parts: dict[str, Any] = {
        "exercises": _by_id(
            Exercise,
            _items(exercises_file, "exercises", "exercises.yaml"),
            "exercises.yaml",
            "exercises",
        ),
        "symptoms": _by_id(
            Concept, _items(symptoms_file, "symptoms", "symptoms.yaml"), "symptoms.yaml", "symptom"
        ),
        "locations": _by_id(
            Concept,
            _items(symptoms_file, "locations", "symptoms.yaml"),
            "symptoms.yaml",
            "location",
        ),
        "red_flags": _by_id(
            RedFlag,
            _items(flags_file, "red_flags", "red_flags.yaml"),
            "red_flags.yaml",
            "red flag",
        ),
        "conditions": _by_id(
            Condition,
            _items(flags_file, "conditions", "red_flags.yaml"),
            "red_flags.yaml",
            "condition",
        ),
        "intents": _by_id(
            Concept, _items(language_file, "intents", "language.yaml"), "language.yaml", "intent"
        ),
    }
    _require_ids(parts["symptoms"], SYMPTOM_IDS, "symptoms.yaml", "symptom")
    _require_ids(parts["locations"], LOCATION_IDS, "symptoms.yaml", "location")
    _require_ids(parts["red_flags"], RED_FLAG_IDS, "red_flags.yaml", "red flag")
    _require_ids(parts["conditions"], CONDITION_IDS, "red_flags.yaml", "condition")
    _require_ids(parts["intents"], INTENT_IDS, "language.yaml", "intent")
    _check_exercises(parts["exercises"], parts["symptoms"])
    _check_near(parts["symptoms"], "symptoms.yaml", "symptom")
    _check_near(parts["locations"], "symptoms.yaml", "location")
    _check_near(parts["red_flags"], "red_flags.yaml", "red flag")
    _check_near(parts["conditions"], "red_flags.yaml", "condition")
    _check_near(parts["intents"], "language.yaml", "intent")

    parts["negation"] = _parse(Negation, language_file.get("negation"), "language.yaml", "negation")
    parts["tuning"] = _parse(
        ReaderTuning, language_file.get("reader", {}), "language.yaml", "reader"
    )
    parts["answers"] = _parse(Answers, language_file.get("answers", {}), "language.yaml", "answers")
    sections = ("progress", "triage", "safety", "program", "reminders")
    rules_data = {k: v for k, v in rules_file.items() if k not in sections}
    parts["rules"] = _parse(RoutineRules, rules_data, "rules.yaml", "")
    _check_routines(parts["rules"], parts)
    parts["triage"] = _parse(Triage, rules_file.get("triage", {}), "rules.yaml", "triage")
    _check_triage(parts["triage"], parts)
    parts["progress"] = _parse(
        ProgressRules, rules_file.get("progress", {}), "rules.yaml", "progress"
    )
    parts["program"] = _parse(ProgramRules, rules_file.get("program", {}), "rules.yaml", "program")
    parts["reminders"] = _parse(
        ReminderRules, rules_file.get("reminders", {}), "rules.yaml", "reminders"
    )
    parts["safety"] = _parse(SafetyRules, rules_file.get("safety", {}), "rules.yaml", "safety")
    _check_safety(parts["safety"], parts)
    parts["screen"] = tuple(
        _parse(ScreenItem, item, "red_flags.yaml", f"screen[{index}]")
        for index, item in enumerate(_items(flags_file, "screen", "red_flags.yaml"))
    )
    _check_screen(parts["screen"], parts)
    parts["messages"] = _read_messages(messages_file.get("messages"))
    parts["zone_aliases"] = _check_zone_aliases(zones_file.get("aliases"))
    parts["zone_countries"] = _check_zone_countries(
        zones_file.get("countries"), parts["zone_aliases"]
    )
    parts["pictures"] = _load_pictures(directory, parts["exercises"])
    _check_level_pictures(parts["exercises"], parts["pictures"])
    return Knowledge.model_validate(parts)


def _check_level_pictures(exercises: dict[str, Exercise], pictures: Pictures) -> None:
    """Check that every level's picture variant is drawn (a supplied file stands for all)."""
    for exercise in exercises.values():
        poses = pictures.poses.get(exercise.id)
        if poses is None:
            continue
        for index, level in enumerate(exercise.ladder, start=1):
            if level.variant not in poses.variants:
                where = f"exercises '{exercise.id}'.levels[{index}]"
                problem = f"no picture variant '{level.variant}' in poses/{exercise.id}.yaml"
                raise KnowledgeError("exercises.yaml", where, problem)


def _load_pictures(directory: Path, exercises: dict[str, Exercise]) -> Pictures:
    """Load the pose files, checking that every exercise has a picture, drawn or supplied."""
    try:
        return load_pictures(directory, {e.id: e.picture for e in exercises.values()})
    except PoseError as exc:
        raise KnowledgeError(exc.file, exc.where, exc.problem) from None
