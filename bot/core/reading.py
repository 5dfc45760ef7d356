"""What the reader understood from one message: the contract between reader and dialogue."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Match(BaseModel):
    """One concept found in the text, with the words that matched it."""

    model_config = ConfigDict(frozen=True)

    id: str
    words: str
    start: int = Field(description="index of the first matching token, for ordering")
    confidence: float = Field(ge=0.0, le=1.0, default=1.0)


class Reading(BaseModel):
    """What one message says about the writer, now, in order of first mention.

    Only what the writer says they have now, themselves, counts in `symptoms`, `locations`,
    `red_flags` and `conditions`. What is said in another context is kept apart, so that the
    dialogue can leave it out and `explain` can show it (in the manner of ConText):

    - `negated`: denied ("no cramping", "I don't have any numbness", "I'm not diabetic");
    - `past`: warning signs told as long past ("I broke my ankle 17 years ago", "in college");
      symptoms stay symptoms ("I used to get cramps" is still about cramps);
    - `hypothetical`: warning signs and conditions said as a condition, a worry or a question
      ("if it swells", "it might be broken", "is this a blood clot?");
    - `others`: anything said of someone else ("my dad's foot is swollen", "my mum is
      diabetic"), places too.

    Each id appears in at most one of these groups and never beside the same id in the
    writer's own groups.
    """

    model_config = ConfigDict(frozen=True)

    symptoms: tuple[Match, ...] = ()
    locations: tuple[Match, ...] = ()
    red_flags: tuple[Match, ...] = ()
    intents: tuple[Match, ...] = ()
    # The writer's own health conditions ("I'm diabetic", "type 2", "poor circulation"), which
    # triage combines with the signs (bot/core/triage.py).
    conditions: tuple[Match, ...] = ()
    negated: tuple[Match, ...] = ()
    past: tuple[Match, ...] = ()
    hypothetical: tuple[Match, ...] = ()
    others: tuple[Match, ...] = ()
    # Warning-sign ids the reader suspects but cannot settle ("my foot looks a bit red", a lone
    # "pop", "is this a blood clot?"), never one already in `red_flags`; the dialogue asks a
    # yes/no question about each, instead of guessing either way.
    hints: tuple[str, ...] = ()
    # Those of `hints` said only as a worry or a question ("could this be an ulcer?", "does
    # diabetes make your toes go purple?"): still asked about, but no ground for a combination.
    worries: tuple[str, ...] = ()
    # The pain rating (0-10) the writer gives for now, themselves ("right now it's a 9").
    pain_score: int | None = Field(default=None, ge=0, le=10)

    @property
    def symptom_ids(self) -> tuple[str, ...]:
        """Return the symptom ids in order of first mention."""
        return tuple(m.id for m in self.symptoms)

    @property
    def location_ids(self) -> tuple[str, ...]:
        """Return the location ids in order of first mention."""
        return tuple(m.id for m in self.locations)

    @property
    def red_flag_ids(self) -> tuple[str, ...]:
        """Return the red flag ids in order of first mention."""
        return tuple(m.id for m in self.red_flags)

    @property
    def intent_ids(self) -> tuple[str, ...]:
        """Return the intent ids in order of first mention."""
        return tuple(m.id for m in self.intents)

    @property
    def condition_ids(self) -> tuple[str, ...]:
        """Return the condition ids in order of first mention."""
        return tuple(m.id for m in self.conditions)

    @property
    def unsure(self) -> bool:
        """Say whether any symptom or location was only a guess (a weak fuzzy match)."""
        return any(m.confidence < 0.8 for m in (*self.symptoms, *self.locations))

    @property
    def empty(self) -> bool:
        """Say whether nothing at all was understood."""
        return not (
            self.symptoms
            or self.locations
            or self.red_flags
            or self.intents
            or self.conditions
            or self.hints
            or self.pain_score is not None
        )
