"""The flow registry: every step has a handler and a question, names are claimed once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from pydantic import BaseModel

from bot.core.dialogue import Engine
from bot.core.effects import RecordCheckin
from bot.core.events import CommandEvent, TextEvent
from bot.core.flow import Draft, Flow, Registry, yes_no
from bot.core.flows import REGISTRY
from bot.core.knowledge import Knowledge
from bot.core.program import Move, Program
from bot.core.progress import Checkin
from bot.core.reader import Reader
from bot.core.replies import Chart, Say
from bot.core.state import HOME, ConversationState
from bot.core.turn import Context, EngineConfig, Turn

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def turn_at(knowledge: Knowledge, engine: Engine, step: str) -> Turn:
    state = ConversationState(step=step, symptoms=("tightness",), locations=("calf",))
    state.routine = ("standing_calf_stretch",)
    if step == "red_flag":
        state.safety.signs = {"numbness": NOW.date()}
    return Turn(
        knowledge,
        engine.reader,
        EngineConfig(),
        Context(now=NOW),
        state,
        prompts={s: spec.prompt for s, spec in REGISTRY.steps.items()},
        commands={n: spec.handler for n, spec in REGISTRY.commands.items()},
        listed=REGISTRY.listed(),
    )


@pytest.fixture(scope="module")
def engine(knowledge: Knowledge) -> Engine:
    return Engine(knowledge)


def test_every_step_asks_a_question(knowledge, engine):
    assert HOME in REGISTRY.steps
    for step, spec in REGISTRY.steps.items():
        turn = turn_at(knowledge, engine, step)
        spec.prompt(turn)
        assert turn.replies, f"step {step} asked nothing"
        assert all(isinstance(r, Say) and r.text for r in turn.replies if isinstance(r, Say))


def test_every_step_of_the_old_step_list_is_still_registered():
    # States saved by earlier versions name these steps; each must still have a handler.
    saved = {
        "welcome", "confirm", "ask_location", "ask_severity", "red_flag", "routine",
        "what_next", "reminder_time", "reminder_zone", "reminder_days", "reminder_manage",
        "callback_existing", "callback_consent", "callback_name", "callback_phone",
        "callback_time", "callback_note", "callback_review", "checkin_score", "checkin_done",
        "forget_confirm",
    }  # fmt: skip
    assert saved <= set(REGISTRY.steps)


def test_the_menu_and_help_come_from_the_registry(knowledge, engine):
    assert REGISTRY.menu() == (
        "start", "help", "routine", "program", "reminder", "callback", "progress", "report",
        "privacy", "forget", "cancel",
    )  # fmt: skip
    assert {"checkin", "mydata"} <= set(REGISTRY.listed())
    turn = turn_at(knowledge, engine, HOME)
    turn.run("help")
    text = turn.replies[0].text  # type: ignore[union-attr]
    for name in REGISTRY.listed():
        assert f"/{name} - {knowledge.say(f'command_{name}')}" in text


def test_a_name_claimed_twice_is_refused():
    def ask(turn: Turn) -> None: ...

    one, two = Flow("one"), Flow("two")
    one.step("same", ask)
    two.step("same", ask)
    with pytest.raises(ValueError, match="step 'same' is in flows one and two"):
        Registry([one, two], {})
    three, four = Flow("three"), Flow("four")
    three.command("go", lambda turn, args: None)
    four.command("go", lambda turn, args: None)
    with pytest.raises(ValueError, match="command /go is in flows three and four"):
        Registry([three, four], {})
    with pytest.raises(ValueError, match="registered twice"):
        one.step("same", ask)


def test_a_sentence_declared_with_other_placeholders_is_refused():
    one, two = Flow("one"), Flow("two")
    one.says(hello={"name"})
    two.says("hello")
    with pytest.raises(ValueError, match="different placeholders"):
        Registry([one, two], {})


def test_yes_no_takes_buttons_and_typed_answers(knowledge):
    answers: list[bool] = []
    on_choice, on_text = yes_no(lambda turn, said: answers.append(said), yes="agree")
    turn = Turn(knowledge, Reader(knowledge), EngineConfig(), Context(now=NOW), ConversationState())
    on_choice(turn, "agree")
    on_choice(turn, "decline")
    assert on_text(turn, "yes please") is True
    assert on_text(turn, "nope") is True
    assert on_text(turn, "what is this about") is False
    assert answers == [True, False, True, False]


class Notes(BaseModel):
    text: str = ""
    count: int = 0


def test_a_draft_is_kept_by_flow_name_and_survives_the_store():
    notes = Draft("notes", Notes)
    state = ConversationState()
    assert notes.get(state) is None
    notes.of(state).count += 2  # a change to the draft is kept
    state.settle_drafts()
    again = ConversationState.model_validate_json(state.model_dump_json())
    assert again == state
    assert notes.get(again) == Notes(count=2)
    notes.clear(again)
    assert notes.get(again) is None and again.drafts == {}


def test_a_draft_saved_by_an_older_version_is_kept():
    old = '{"step": "reminder_days", "reminder": {"at": "07:30:00", "zone": "Europe/London"}}'
    state = ConversationState.model_validate_json(old)
    from bot.core.flows import reminder

    draft = reminder.DRAFT.get(state)
    assert draft is not None and draft.zone == "Europe/London" and str(draft.at) == "07:30:00"


def test_a_draft_that_no_longer_fits_is_dropped():
    notes = Draft("notes", Notes)
    state = ConversationState(drafts={"notes": {"count": "many"}})
    assert notes.get(state) is None and "notes" not in state.drafts


def test_yes_to_the_nudge_asks_for_the_callback(knowledge, engine):
    turn = turn_at(knowledge, engine, "what_next")
    turn.say("nudge_not_improving", choices=("pro", "not_now"), yes="pro", no="not_now")
    outcome = engine.step(turn.state, TextEvent(text="yes please"), Context(now=NOW))
    assert [r.key for r in outcome.replies] == ["callback_consent"]
    outcome = engine.step(turn.state, TextEvent(text="nah"), Context(now=NOW))
    assert [r.key for r in outcome.replies] == ["nudge_later"]


def test_a_step_leaves_the_callers_state_as_it_was_unless_handed_over(engine):
    state = ConversationState()
    kept = state.model_dump_json()
    copied = engine.step(state, TextEvent(text="my calves are tight"), Context(now=NOW))
    assert state.model_dump_json() == kept
    assert copied.state is not state and copied.state.step != HOME
    handed = engine.step(
        state, TextEvent(text="my calves are tight"), Context(now=NOW), handed_over=True
    )
    assert handed.state is state
    assert handed.state.model_dump_json() == copied.state.model_dump_json()
    assert handed.replies == copied.replies


@pytest.mark.parametrize(("first", "days"), [(1, 7), (12, 13), (50, 28)])
def test_the_progress_chart_fits_the_days_checked_in(engine, first, days):
    # Two check-ins in a first week were a sliver at the right of a four-week chart.
    today = NOW.date()
    checkins = (
        Checkin(day=today - timedelta(days=first), score=6, done=False),
        Checkin(day=today, score=5, done=False),
    )
    outcome = engine.step(
        ConversationState(), CommandEvent(name="progress"), Context(now=NOW, checkins=checkins)
    )
    [chart] = outcome.replies
    assert isinstance(chart, Chart) and chart.days == days


def test_a_welcome_back_offers_no_moves_while_a_sign_stands(knowledge, engine):
    state = ConversationState(
        program=Program(moves=(Move(exercise="standing_calf_stretch", level=1, since=NOW.date()),))
    )
    checkins = (Checkin(day=NOW.date(), score=4, done=False),)
    context = Context(now=NOW, first_name="Ann", checkins=checkins)
    welcome, *_ = engine.step(state, CommandEvent(name="start"), context).replies
    assert isinstance(welcome, Say) and welcome.key == "welcome_back"
    assert "Your routine has 1 move." in welcome.text and "/routine" in welcome.text
    state.safety.signs = {"numbness": NOW.date()}
    welcome, warning = engine.step(state, CommandEvent(name="start"), context).replies
    assert isinstance(welcome, Say) and welcome.key == "welcome_back"
    assert "Your routine has 1 move." in welcome.text and "/routine" not in welcome.text
    assert isinstance(warning, Say) and warning.key == "warning_repeat"


def test_an_update_with_no_question_keeps_the_routine_done_that_day(engine):
    # The routine was done this morning; a sign told since means no "did you do it?" at an
    # update, which recorded "not done" and took the day off the streak.
    state = ConversationState(routine=("standing_calf_stretch",))
    state.safety.signs = {"numbness": NOW.date()}
    checkins = (Checkin(day=NOW.date(), score=4, done=True),)
    context = Context(now=NOW, checkins=checkins)
    asked = engine.step(state, CommandEvent(name="checkin", args="6"), context)
    assert [r.key for r in asked.replies if isinstance(r, Say)] == ["checkin_already_to"]
    updated = engine.step(asked.state, TextEvent(text="yes"), context)
    assert updated.effects == (RecordCheckin(day=NOW.date(), score=6, done=True),)
