"""The conversation state kept per person: small, serializable, validated on every load."""

from __future__ import annotations

from typing import Any, NewType

from pydantic import BaseModel, ConfigDict, Field, model_validator

# A step name as a flow registered it (bot/core/flow.py); `Turn.goto` takes only these.
StepId = NewType("StepId", str)
# Where every conversation starts and comes back to; the intake flow asks its question.
HOME = StepId("welcome")
# Drafts saved before flows kept them under `drafts`, by the flow that owns each.
_OLD_DRAFTS = ("reminder", "callback", "checkin")


class ConversationState(BaseModel):
    """Everything the coach remembers about one conversation between steps."""

    model_config = ConfigDict(extra="ignore", validate_assignment=True)

    step: StepId = HOME
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
    def _drafts_of_older_versions(cls, data: Any) -> Any:
        """Keep a half-filled form saved before drafts were kept by flow name."""
        if isinstance(data, dict) and any(data.get(name) for name in _OLD_DRAFTS):
            data = dict(data)
            drafts = dict(data.get("drafts") or {})
            for name in _OLD_DRAFTS:
                old = data.pop(name, None)
                if old:
                    drafts.setdefault(name, old)
            data["drafts"] = drafts
        return data
