"""How a move felt: the answers to "How did that feel?", kept per person, exercise and day.

The program (which moves each exercise up or down its ladder) reads these: easy for a few
days may mean a harder step, hard an easier one, and hurt leaves the move out.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict

Feeling = Literal["easy", "just_right", "hard", "hurt"]
FEELINGS: tuple[Feeling, ...] = ("easy", "just_right", "hard", "hurt")


class Feedback(BaseModel):
    """One answer: how an exercise felt on a local day (the latest answer of the day)."""

    model_config = ConfigDict(frozen=True)

    exercise: str
    day: date
    feeling: Feeling
