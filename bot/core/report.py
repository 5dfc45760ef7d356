"""What goes into the report a person takes to a clinician: plain values, no drawing.

The app layer gathers these from the store (bot/app/reports.py); bot/render/report.py draws
them as a PDF of a page or two. Everything in it is what the person told the bot: the report
says so, and that it is not a diagnosis.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field

from bot.core.progress import Checkin


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class ReportedSign(_Frozen):
    """A warning sign the person reported, and what became of it."""

    label: str  # "A recent injury"
    urgency: str  # emergency | urgent | soon
    reported_on: date | None  # None: reported before days were kept
    checked_on: date | None = None  # the day the person said a professional had checked it


class LevelStep(_Frozen):
    """From `day`, the exercise was done at this level."""

    day: date
    level: str  # the level's short name, e.g. "Both legs, 2 x 10"
    reason: str = ""  # why it changed, in a few words ("two easy sessions")


class ProgramLine(_Frozen):
    """One move of the program and its levels over time (oldest first)."""

    exercise: str  # the exercise's name
    levels: tuple[LevelStep, ...] = Field(min_length=1)
    dropped_on: date | None = None  # left out (it hurt, or the person dropped it)


class WeekAdherence(_Frozen):
    """Sessions done against sessions planned in one week (Monday to Sunday)."""

    week_of: date  # the Monday
    planned: int = Field(ge=0)
    done: int = Field(ge=0)


class FunctionScore(_Frozen):
    """One rating, 0-10, of how hard an activity the person named is (in the manner of PSFS).

    0 is "unable to do it" and 10 "able to do it as before the problem"; a change of 2 points
    is meaningful.
    """

    day: date
    score: int = Field(ge=0, le=10)


class FunctionMeasure(_Frozen):
    """An activity the person named as hard, and its ratings over time."""

    activity: str
    scores: tuple[FunctionScore, ...] = ()


class ReportData(_Frozen):
    """Everything the report shows, for one person."""

    first_name: str | None  # first name only, as Telegram gave it; None: "you"
    made_at: datetime
    complaint: str  # "tightness in the calf", in the bot's words
    signs: tuple[ReportedSign, ...] = ()
    conditions: tuple[str, ...] = ()  # e.g. "Diabetes, neuropathy or poor circulation"
    program: tuple[ProgramLine, ...] = ()
    adherence: tuple[WeekAdherence, ...] = ()
    pain: tuple[Checkin, ...] = ()  # daily 0-10 check-ins, oldest first
    function: tuple[FunctionMeasure, ...] = ()
