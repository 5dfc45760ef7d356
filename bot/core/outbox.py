"""The staff outbox's decisions, as pure functions on plain values.

A staff message is sent AT LEAST ONCE: a row is leased before its send, settled after
Telegram took it, and put back with a backoff when the send failed. A row leased again while
an earlier lease never settled (the sender died after the send), or after a send that may
have arrived, is sent marked as a repeat, so staff can tell a copy from a new request.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

LEASE = timedelta(minutes=2)
_MAYBE = "MaybeDelivered"


class StaffSendFailure(StrEnum):
    """How a staff message's send failed."""

    refused = "Rejected"  # Telegram refused it (e.g. the bot may no longer post in the group)
    not_sent = "NotDelivered"
    maybe_sent = _MAYBE
    blocked = "Blocked"


class Topic(StrEnum):
    """What a staff message row delivers."""

    staff = "staff"  # the request as it now stands: announced once, then edited
    signs_added = "staff_signs"  # that, and a new message saying new warning signs came


class OutboxEntry(BaseModel):
    """One message to staff about one callback request, and where its delivery stands."""

    model_config = ConfigDict(frozen=True)

    id: int
    lead_code: str
    topic: Topic = Topic.staff
    attempts: int = 0
    next_attempt_at: datetime
    sending_since: datetime | None = None
    sent_at: datetime | None = None
    sent_message_id: int | None = None
    last_error: str | None = None

    @property
    def maybe_arrived(self) -> bool:
        """Say whether an earlier send of this row may have reached the staff chat."""
        return self.last_error is not None and _MAYBE in self.last_error


def lease(entry: OutboxEntry, now: datetime) -> tuple[OutboxEntry, bool]:
    """Take the row for one send; return it and whether the send must be marked as a repeat."""
    repeated = entry.sending_since is not None or entry.maybe_arrived
    leased = entry.model_copy(
        update={
            "attempts": entry.attempts + 1,
            "sending_since": now,
            "next_attempt_at": now + LEASE,
        }
    )
    return leased, repeated


def backoff(attempts: int) -> timedelta:
    """Return how long to wait before the next attempt: 5 s doubling, at most 10 minutes."""
    return timedelta(seconds=min(5 * 2 ** max(attempts - 1, 0), 600))


def retry_later(entry: OutboxEntry, failure: StaffSendFailure, now: datetime) -> OutboxEntry:
    """Put the row back for a later attempt, remembering if any copy may have arrived."""
    error = failure.value
    if failure is not StaffSendFailure.maybe_sent and entry.maybe_arrived:
        # Keep knowing that an earlier copy may have arrived, so the one that gets through
        # is still marked as a possible repeat.
        error = f"{error} after {_MAYBE}"
    return entry.model_copy(
        update={
            "sending_since": None,
            "next_attempt_at": now + backoff(entry.attempts),
            "last_error": error,
        }
    )


def settle(entry: OutboxEntry, message_id: int | None, now: datetime) -> OutboxEntry:
    """Record that the message was delivered (or is no longer needed)."""
    return entry.model_copy(
        update={"sent_at": now, "sending_since": None, "sent_message_id": message_id}
    )
