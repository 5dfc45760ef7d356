"""The conversation state kept per person: small, serializable, validated on every load."""

from __future__ import annotations

from datetime import date, time
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field


class Step(StrEnum):
    """Where the conversation is: what the coach is waiting for."""

    welcome = "welcome"
    confirm = "confirm"
    ask_location = "ask_location"
    ask_severity = "ask_severity"
    red_flag = "red_flag"
    routine = "routine"
    what_next = "what_next"
    reminder_time = "reminder_time"
    reminder_zone = "reminder_zone"
    reminder_days = "reminder_days"
    reminder_manage = "reminder_manage"
    callback_existing = "callback_existing"
    callback_consent = "callback_consent"
    callback_name = "callback_name"
    callback_phone = "callback_phone"
    callback_time = "callback_time"
    callback_note = "callback_note"
    callback_review = "callback_review"
    checkin_score = "checkin_score"
    checkin_done = "checkin_done"
    forget_confirm = "forget_confirm"


class ReminderDraft(BaseModel):
    """A reminder being set up, field by field."""

    at: time | None = None
    zone: str | None = None
    zone_options: tuple[str, ...] = ()


class CallbackDraft(BaseModel):
    """A callback request being filled in; nothing of it is stored until it is confirmed."""

    code: str | None = None  # set when editing an open request
    name: str | None = None
    phone: str | None = None
    best_time: str | None = None
    note: str | None = None
    editing: bool = False


class CheckinDraft(BaseModel):
    """A check-in being answered: the day it is for and the score given so far."""

    day: date
    score: int | None = Field(default=None, ge=0, le=10)
    from_reminder: bool = False


class ConversationState(BaseModel):
    """Everything the coach remembers about one conversation between steps."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    step: Step = Step.welcome
    # Every message with choices gets a new sequence number; a button carries the number it
    # was shown with, so a button from an older message is recognised as stale.
    seq: int = Field(default=0, ge=0)
    choices: tuple[str, ...] = ()
    choice_labels: tuple[str, ...] = ()
    symptoms: tuple[str, ...] = ()
    locations: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    pain_score: int | None = Field(default=None, ge=0, le=10)
    pending_symptoms: tuple[str, ...] = ()
    pending_locations: tuple[str, ...] = ()
    routine: tuple[str, ...] = ()
    card: int = Field(default=0, ge=0)
    misses: int = Field(default=0, ge=0)
    zone: str | None = None
    reminder: ReminderDraft | None = None
    callback: CallbackDraft | None = None
    checkin: CheckinDraft | None = None
    nudged: bool = False
