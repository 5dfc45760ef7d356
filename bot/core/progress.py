"""Progress over check-ins (placeholder for the rules model; the full module lands separately)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, ConfigDict, Field


class ProgressRules(BaseModel):
    """Thresholds for the progress summary and the nudge, loaded from knowledge/rules.yaml."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    improvement_points: int = 2
    improvement_percent: int = 30
    min_days_for_review: int = 14
    worsening_points: int = 2
    worsening_window_days: int = 7
    high_score: int = 8
    chart_days: int = 28


class Checkin(BaseModel):
    """One day's check-in: the pain score (0-10) and whether the routine was done."""

    model_config = ConfigDict(frozen=True)

    day: date
    score: int = Field(ge=0, le=10)
    done: bool
