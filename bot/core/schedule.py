"""Reminder scheduling (placeholder: the full module lands separately)."""

from enum import StrEnum


class Days(StrEnum):
    daily = "daily"
    weekdays = "weekdays"
