"""The conversation state kept per person: small, serializable, validated on every load."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, NewType

from pydantic import BaseModel, ConfigDict, Field, model_validator

from bot.core.program import Program

# A step name as a flow registered it (bot/core/flow.py); `Turn.goto` takes only these.
StepId = NewType("StepId", str)
# Where every conversation starts and comes back to; the intake flow asks its question.
HOME = StepId("welcome")
# Drafts saved before flows kept them under `drafts`, by the flow that owns each.
_OLD_DRAFTS = ("reminder", "callback", "checkin")


class Safety(BaseModel):
    """What the person told about warning signs and conditions; it outlives /start.

    A warning sign stands for the whole episode and beyond: across /start, /routine, check-ins
    and new complaints, until the person says a professional has checked it, or the days in
    rules.yaml pass (then the bot asks again before any routine). Only /forget erases it.
    """

    model_config = ConfigDict(validate_assignment=True)

    # Standing warning signs, with the local day each was reported (None: before days were kept).
    signs: dict[str, date | None] = Field(default_factory=dict)
    # Signs a professional has checked, with the day the person said so (a caution line).
    checked: dict[str, date] = Field(default_factory=dict)
    conditions: tuple[str, ...] = ()  # e.g. diabetes: a caution and a gentler routine
    left_out: tuple[str, ...] = ()  # moves that hurt: left out of the routine from now on
    asked_on: date | None = None  # the last day a reminder asked whether a sign was checked
    # The day each sign was last reported, kept after it is checked (for the clinician's report).
    reported: dict[str, date] = Field(default_factory=dict)
    # The last day the person answered the warning-sign questions (the report tells "none
    # reported" from "never asked").
    screened_on: date | None = None
    # When each sign (or screened condition) was last denied: for rules.yaml's hours it is not
    # asked again, even in a new episode.
    denied_at: dict[str, datetime] = Field(default_factory=dict)


class Place(BaseModel):
    """Where a routine was left: the move on its open card, on which day, for which complaint."""

    exercise: str
    day: date
    complaint: tuple[str, ...] = ()
    # Left for another flow (a callback, a reminder, /cancel): once that is over, the person is
    # offered to pick the routine up here.
    offer: bool = False


class ConversationState(BaseModel):
    """Everything the coach remembers about one conversation between steps."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    step: StepId = HOME
    # Every message with choices gets a new sequence number; a button carries the number it
    # was shown with, so a button from an older message is recognised as stale.
    seq: int = Field(default=0, ge=0)
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    # Which of the shown choices a plain "yes" or "no" means, if any.
    yes_choice: str | None = None
    no_choice: str | None = None
    symptoms: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    pain_score: int | None = Field(default=None, ge=0, le=10)
    safety: Safety = Field(default_factory=Safety)
    # The activity the person named for the weekly function question, rated again each week.
    activity: str | None = None
    # The person's own program: the moves, each at a level (bot/core/program.py).
    program: Program | None = None
    # This episode: the warning-sign screen answered, signs the person denied, a pain that is
    # getting worse, hints of a sign still to ask about, and the step to go back to after.
    screened: bool = False
    denied: tuple[str, ...] = ()
    # The screen's choices, as shown, while the warning from a tap on it is up: another of
    # them, typed or by its number, adds that sign.
    screen_shown: tuple[str, ...] = ()
    worsening: bool = False
    hints: tuple[str, ...] = ()
    resume: StepId | None = None
    pending_symptoms: tuple[str, ...] = ()
    pending_locations: tuple[str, ...] = ()
    routine: tuple[str, ...] = ()
    card: int = Field(default=0, ge=0)
    # Cards skipped in the routine under way: a routine all skipped is not "well done", and
    # does not count as the reminder's day done.
    skipped: int = Field(default=0, ge=0)
    # The last day a routine was finished with a move done: that day's check-in knows the
    # answer to "did you do your routine?" and does not ask it.
    moves_done_on: date | None = None
    # The open card's place while a routine is under way or paused: /routine picks it up there
    # the same day. None once the routine is over.
    place: Place | None = None
    # The day of the reminder whose Start began this routine: its end asks for the day's score.
    reminded_day: date | None = None
    misses: int = Field(default=0, ge=0)
    # The sign question at which a hedged answer ("probably not") was asked once more: a second
    # hedge there is taken as the cautious answer.
    unsure_at: StepId | None = None
    zone: str | None = None
    # Each open flow's answers so far, by flow name (see flow.Draft).
    drafts: dict[str, Any] = Field(default_factory=dict)
    nudged: bool = False

    def settle_drafts(self) -> None:
        """Keep every draft as plain JSON data, as it is stored (flows work on models)."""
        self.drafts = {
            name: draft.model_dump(mode="json") if isinstance(draft, BaseModel) else draft
            for name, draft in self.drafts.items()
        }

    @model_validator(mode="before")
    @classmethod
    def _older_versions(cls, data: Any) -> Any:
        """Keep what older versions saved elsewhere: drafts, and warning signs of the episode."""
        if not isinstance(data, dict):
            return data
        old_flags = data.get("red_flags")
        if old_flags and isinstance(old_flags, list | tuple):
            # Their day was not kept: they stand, and are asked about again before a routine.
            data = dict(data)
            safety = dict(data.get("safety") or {})
            signs = dict(safety.get("signs") or {})
            for flag in old_flags:
                signs.setdefault(str(flag), None)
            safety["signs"] = signs
            data["safety"] = safety
        if any(data.get(name) for name in _OLD_DRAFTS):
            data = dict(data)
            drafts = dict(data.get("drafts") or {})
            for name in _OLD_DRAFTS:
                old = data.pop(name, None)
                if old:
                    drafts.setdefault(name, old)
            data["drafts"] = drafts
        return data
