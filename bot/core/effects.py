"""What a step asks the outside world to remember; applied in the same transaction as the step."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.feedback import Feeling
from bot.core.guide import GuideRun
from bot.core.leads import LeadDetails
from bot.core.program import LevelChange
from bot.core.reminders import Days


class _Effect(BaseModel):
    model_config = ConfigDict(frozen=True)


class SetReminder(_Effect):
    """Create or replace the person's daily reminder."""

    kind: Literal["set_reminder"] = "set_reminder"
    at: time
    zone: str
    days: Days
    starts_on: date | None = None  # the first local day it may come ("from tomorrow")


class PauseReminder(_Effect):
    """Keep the reminder's settings but stop sending it."""

    kind: Literal["pause_reminder"] = "pause_reminder"


class ResumeReminder(_Effect):
    """Start sending a paused reminder again."""

    kind: Literal["resume_reminder"] = "resume_reminder"


class StopReminder(_Effect):
    """Delete the reminder."""

    kind: Literal["stop_reminder"] = "stop_reminder"


class SnoozeReminder(_Effect):
    """Send today's reminder again at `until`."""

    kind: Literal["snooze_reminder"] = "snooze_reminder"
    until: datetime


class SkipReminderToday(_Effect):
    """Drop a pending snooze so nothing more is sent today."""

    kind: Literal["skip_reminder_today"] = "skip_reminder_today"


class ReminderAnswered(_Effect):
    """The person answered the day's reminder: no follow-up for that day."""

    kind: Literal["reminder_answered"] = "reminder_answered"
    day: date


class SetSecondReminder(_Effect):
    """Add (or, with None, remove) a second daily reminder at this time."""

    kind: Literal["set_second_reminder"] = "set_second_reminder"
    at: time | None


class RecordCheckin(_Effect):
    """Store the day's check-in, replacing any earlier one of the same local day."""

    kind: Literal["record_checkin"] = "record_checkin"
    day: date
    score: int = Field(ge=0, le=10)
    done: bool


class RecordFunction(_Effect):
    """Store how well the person can do an activity they named, 0-10, on a day."""

    kind: Literal["record_function"] = "record_function"
    day: date
    activity: str = Field(min_length=1, max_length=120)
    score: int = Field(ge=0, le=10)


class RecordFeedback(_Effect):
    """Store how a move felt today, replacing an earlier answer for the same move and day."""

    kind: Literal["record_feedback"] = "record_feedback"
    exercise: str
    day: date
    feeling: Feeling


class SaveGuide(_Effect):
    """Create or replace the person's guided session (one at a time), as it now stands."""

    kind: Literal["save_guide"] = "save_guide"
    run: GuideRun


class EndGuide(_Effect):
    """Drop the person's guided session named by `stamp` (it is over and was answered)."""

    kind: Literal["end_guide"] = "end_guide"
    stamp: str


class RecordLevelChanges(_Effect):
    """Add changes of the program's levels (a move joined, went up or down, or left) to its
    history, for the weekly review and the report."""

    kind: Literal["record_level_changes"] = "record_level_changes"
    changes: tuple[LevelChange, ...] = Field(min_length=1)


class SaveLead(_Effect):
    """Create the callback request (or update the open one with this code).

    `signs_added`: the update adds warning signs, which staff are told in a message of its
    own (an edit of the request's message makes no sound).
    """

    kind: Literal["save_lead"] = "save_lead"
    code: str
    details: LeadDetails
    signs_added: bool = False


class WithdrawLead(_Effect):
    """Withdraw the person's open callback request."""

    kind: Literal["withdraw_lead"] = "withdraw_lead"
    code: str


class AttachReport(_Effect):
    """Send the person's report to the staff chat with their request."""

    kind: Literal["attach_report"] = "attach_report"
    code: str


class ExportMyData(_Effect):
    """Send the person everything stored about them."""

    kind: Literal["export_my_data"] = "export_my_data"
    # The key of the message the file follows; a reply after that one (the question the
    # person was at) then comes after the file. Empty: the file comes last.
    after: str = ""


class SendReport(_Effect):
    """Send the person their report for a clinician, as a PDF."""

    kind: Literal["send_report"] = "send_report"
    caption: str
    after: str = ""  # as ExportMyData's


class ForgetMe(_Effect):
    """Delete everything stored about the person."""

    kind: Literal["forget_me"] = "forget_me"


Effect = (
    SetReminder
    | PauseReminder
    | ResumeReminder
    | StopReminder
    | SnoozeReminder
    | SkipReminderToday
    | ReminderAnswered
    | SetSecondReminder
    | RecordCheckin
    | RecordFunction
    | RecordLevelChanges
    | RecordFeedback
    | SaveGuide
    | EndGuide
    | SaveLead
    | WithdrawLead
    | AttachReport
    | ExportMyData
    | SendReport
    | ForgetMe
)
