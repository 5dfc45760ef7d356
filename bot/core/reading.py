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
    """Symptoms, locations, red flags and intents of one message, in order of first mention.

    Negated mentions ("no cramping", "I don't have any numbness") are kept apart in `negated`
    so that the dialogue can ignore them and `explain` can show them. Warning signs told as
    long past ("I broke my ankle years ago") are kept apart in `past` for the same reason.
    """

    model_config = ConfigDict(frozen=True)

    symptoms: tuple[Match, ...] = ()
    locations: tuple[Match, ...] = ()
    red_flags: tuple[Match, ...] = ()
    intents: tuple[Match, ...] = ()
    negated: tuple[Match, ...] = ()
    past: tuple[Match, ...] = ()
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
            or self.pain_score is not None
        )
