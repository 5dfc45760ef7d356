"""The clock the application reads: real time in production, a controllable one in tests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    """Return the current instant in UTC."""
    return datetime.now(UTC)
