"""Thousands of random events against the engine: it always answers and never breaks state."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.dialogue import Engine
from bot.core.events import (
    ButtonEvent,
    CommandEvent,
    ContactEvent,
    Event,
    MediaEvent,
    TextEvent,
)
from bot.core.flows import REGISTRY
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
            name=st.one_of(st.sampled_from(sorted(REGISTRY.commands)), st.text(max_size=10)),
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


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
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


# -- a person clicking around: real buttons, stale ones, numbers, words, commands -----------

ACTION_TEXTS = [
    "my calves are tight",
    "my heel hurts, 5/10",
    "I heard a pop in my calf",
    "my feet are tingling",
    "ouch",
    "that made it worse",
    "it's getting worse",
    "I've had it checked",
    "yes",
    "no",
    "none of these",
    "I'm diabetic",
    "call me",
    "remind me at 7:30",
    "London",
    "every day",
    "07400 123456",
    "Ann",
    "stop",
    "9",
    "1",
    "11",
    "what does 0 mean?",
    "do I have plantar fasciitis?",
    "🦶",
    "",
]
actions = st.lists(
    st.one_of(
        st.tuples(st.just("press"), st.integers(min_value=0, max_value=20)),
        st.tuples(st.just("stale"), st.integers(min_value=0, max_value=200)),
        st.tuples(st.just("text"), st.sampled_from(ACTION_TEXTS)),
        st.tuples(st.just("text"), st.text(max_size=30)),
        st.tuples(
            st.just("command"),
            st.sampled_from([*sorted(REGISTRY.commands), "nope"]),
        ),
    ),
    min_size=20,
    max_size=40,
)


def _has_card(replies) -> bool:
    return any(getattr(reply, "key", "") in ("card", "routine_intro") for reply in replies)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(actions)
def test_clicking_around_never_breaks_and_never_advises_past_a_warning_sign(knowledge, script):
    """About 10,000 steps per run: no exception, and no card while a warning sign stands."""
    from bot.core.flows import safety
    from bot.core.turn import Turn, local_today

    engine = Engine(knowledge)
    state = ConversationState()
    shown: list[str] = []  # every token ever shown, for stale presses
    for kind, value in script:
        if kind == "press":
            if state.choices:
                choice = state.choices[value % len(state.choices)]
                event: Event = ButtonEvent(token=f"{state.seq}.{choice}")
            else:
                event = TextEvent(text=str(value))
        elif kind == "stale":
            event = ButtonEvent(token=shown[value % len(shown)] if shown else "1.next")
        elif kind == "text":
            event = TextEvent(text=value)
        else:
            event = CommandEvent(name=value)
        turn = Turn(knowledge, engine.reader, engine.config, CONTEXT, state)
        before = set(safety.standing(turn))
        outcome = engine.step(state, event, CONTEXT)
        assert outcome.replies, f"no reply to {event!r} at {state.step}"
        after_turn = Turn(knowledge, engine.reader, engine.config, CONTEXT, outcome.state)
        after = set(safety.standing(after_turn))
        if _has_card(outcome.replies):
            assert not after, f"a card while {after} stands, after {event!r}"
            # Only "a professional checked it", said in this very step, lets a card through.
            today = local_today(after_turn)
            checked = outcome.state.safety.checked
            assert all(checked.get(sign) == today for sign in before), (
                f"a card after {event!r} although {before} was never checked"
            )
        state = ConversationState.model_validate_json(outcome.state.model_dump_json())
        for reply in outcome.replies:
            shown.extend(c.token for c in getattr(reply, "choices", ()))
