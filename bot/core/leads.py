"""A callback request (a lead): what the person asked for, and where the request stands.

The one model of a request, used by the conversation (the open request), by the effect that
saves it, and by the staff side; the store maps its rows onto it and nothing else.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict


class LeadStatus(StrEnum):
    """Where a callback request stands."""

    open = "open"
    contacted = "contacted"
    closed = "closed"
    withdrawn = "withdrawn"

    @property
    def active(self) -> bool:
        """Say whether staff still have something to do (open or contacted)."""
        return self in (LeadStatus.open, LeadStatus.contacted)


class LeadDetails(BaseModel):
    """What the person gives with a request, and what the coach knows about them then."""

    model_config = ConfigDict(frozen=True)

    name: str
    phone: str
    best_time: str
    note: str = ""
    symptoms: tuple[str, ...] = ()
    red_flags: tuple[str, ...] = ()
    pain_score: int | None = None
    # Known health conditions (diabetes, poor circulation): they change what a sign means.
    conditions: tuple[str, ...] = ()


class Lead(LeadDetails):
    """A stored request: its details, its reference code, and what staff did with it."""

    code: str
    status: LeadStatus
    created_at: datetime
    handled_by: str | None = None
    handled_at: datetime | None = None
    # The staff chat's message announcing it, once sent (later changes edit that message).
    staff_message_id: int | None = None
    # The person asked for their report to go with it; the staff chat's message carrying it.
    report_wanted: bool = False
    report_message_id: int | None = None
