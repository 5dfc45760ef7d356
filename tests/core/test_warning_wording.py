"""What a warning says: one instruction per urgency, and no sign the person did not tell."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from bot.core.dialogue import Engine
from bot.core.events import CommandEvent, Event, TextEvent
from bot.core.knowledge import Knowledge, Urgency
from bot.core.replies import Say
from bot.core.state import ConversationState
from bot.core.turn import Context

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


@pytest.fixture(scope="module")
def engine(knowledge: Knowledge) -> Engine:
    return Engine(knowledge)


def said(engine: Engine, *lines: str) -> list[str]:
    """Return the texts of the replies to the last line, after all the lines before it."""
    state = ConversationState()
    texts: list[str] = []
    for line in lines:
        event: Event = CommandEvent(name=line[1:]) if line.startswith("/") else TextEvent(text=line)
        outcome = engine.step(state, event, Context(now=NOW))
        state = outcome.state
        texts = [r.text for r in outcome.replies if isinstance(r, Say)]
    return texts


def test_a_possible_clot_is_one_instruction_and_no_second_sign(engine: Engine) -> None:
    texts = said(
        engine, "/start", "my calf is swollen and sore, I just flew back from Tokyo yesterday"
    )
    warning = "\n".join(texts)
    # A possible clot alone is urgent (NHS: GP or 111 today), with 999 only if breathless.
    assert "seen today" in warning
    assert warning.count("111") == 1  # the one instruction, not "call 111" twice over
    assert "999" in warning and "short of breath" in warning
    assert "go to A&E" not in warning
    assert "You also told me" not in warning  # the swollen calf is the clot sign alone


def test_a_possible_clot_with_breathlessness_is_the_emergency_alone(engine: Engine) -> None:
    texts = said(engine, "/start", "my calf is swollen since the flight and I'm short of breath")
    warning = "\n".join(texts)
    assert "go to A&E" in warning
    assert "111" not in warning  # not "call 999" and then "call 111"
    assert "seen today" not in warning


def test_no_sign_advice_names_another_urgency_s_helpline(knowledge: Knowledge) -> None:
    # The urgency's opening sentence gives the instruction; an emergency's advice must not
    # send people to a non-emergency line, nor a lower urgency's to "now".
    for flag in knowledge.red_flags.values():
        if flag.urgency is Urgency.emergency:
            assert "111" not in flag.advice, flag.id
