"""Thousands of random events against the engine: it always answers and never breaks state."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.dialogue import COMMANDS, Engine
from bot.core.events import (
    ButtonEvent,
    CommandEvent,
    ContactEvent,
    Event,
    MediaEvent,
    TextEvent,
)
from bot.core.progress import Checkin
from bot.core.reminders import Days, Reminder
from bot.core.replies import Say
from bot.core.state import ConversationState
from bot.core.turn import Context

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=UTC)
WORDS = [
    "my",
    "calves",
    "are",
    "tight",
    "no",
    "cramping",
    "heel",
    "hurts",
    "9/10",
    "numb",
    "yes",
    "remind",
    "me",
    "at",
    "7am",
    "London",
    "call",
    "me",
    "stop",
    "help",
    "+447400123456",
    "Ann",
    "0",
    "5",
    "10",
    "banana",
    "25:00",
    "🦶",
    "WEEAK ANKELS",
    "pop",
    "swollen",
]
texts = st.one_of(
    st.text(max_size=60),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
    st.just(""),
    st.just("x" * 10_000),
    st.just("my calf " * 1_300),
)


def events(seq_hint: st.SearchStrategy[int]) -> st.SearchStrategy[Event]:
    tokens = st.one_of(
        st.builds(
            lambda s, c: f"{s}.{c}",
            seq_hint,
            st.sampled_from(
                [
                    "next",
                    "finish",
                    "yes",
                    "no",
                    "pro",
                    "start",
                    "agree",
                    "confirm",
                    "calf",
                    "5",
                    "daily",
                    "z0",
                    "forget_yes",
                    "use_name",
                    "morning",
                    "skip_note",
                    "edit_phone",
                ]
            ),
        ),
        st.text(max_size=70),
        st.sampled_from(["r.done.20261125", "r.snooze.20261125", "s.closed.FC-AAAAA"]),
    )
    return st.one_of(
        texts.map(lambda t: TextEvent(text=t)),
        tokens.map(lambda t: ButtonEvent(token=t)),
        st.builds(
            CommandEvent,
            name=st.one_of(st.sampled_from(sorted(COMMANDS)), st.text(max_size=10)),
            args=st.one_of(st.just(""), st.sampled_from(["callback", "remind", "5"]), texts),
        ),
        st.builds(
            ContactEvent, phone=st.sampled_from(["447400123456", "+1", "abc"]), own=st.booleans()
        ),
        st.builds(MediaEvent, media=st.sampled_from(["sticker", "photo", "edited", "other"])),
    )


CONTEXT = Context(
    now=NOW,
    first_name="Ann",
    reminder=Reminder(
        at=time(7, 30), zone="Europe/London", days=Days.daily, last_day=date(2026, 11, 25)
    ),
    checkins=(Checkin(day=date(2026, 11, 20), score=5, done=True),),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(events(st.integers(min_value=0, max_value=40)), min_size=1, max_size=15))
def test_random_events_always_answer_and_keep_state_valid(knowledge, script):
    engine = Engine(knowledge)
    state = ConversationState()
    for event in script:
        outcome = engine.step(state, event, CONTEXT)
        assert outcome.replies, f"no reply to {event!r} at {state.step}"
        # The state always survives a round trip through the store's JSON.
        state = ConversationState.model_validate_json(outcome.state.model_dump_json())
        assert state == outcome.state
        for reply in outcome.replies:
            assert getattr(reply, "text", "") or reply.kind in ("document", "chart")


def test_state_keeps_choices_for_the_shown_buttons(knowledge):
    engine = Engine(knowledge)
    outcome = engine.step(ConversationState(), CommandEvent(name="start"), CONTEXT)
    last = outcome.replies[-1]
    assert isinstance(last, Say)
    assert outcome.state.choices == ("tightness", "cramping", "soreness", "weakness", "pain")
    assert last.choices[0].token == f"{outcome.state.seq}.tightness"
