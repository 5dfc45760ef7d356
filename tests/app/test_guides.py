"""The guide runner and the feedback store, driven by a controllable clock and a recording
outlet: the budget, a change made while an edit was on its way, the end, a blocked person,
answers per move and day, and what /mydata and /forget do with them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, timedelta

from bot.app.coach import Coach, Person
from bot.app.guide_runner import Budget, GuideRunner
from bot.app.outlet import Blocked
from bot.core.events import ButtonEvent, CommandEvent, TextEvent
from bot.core.flows import guide as guide_flow
from bot.core.flows import routine
from bot.core.replies import Document, Guide, Say
from bot.core.state import ConversationState
from bot.store import feedback, guides, users
from bot.store.db import Database
from tests.support import Clock, RecordingOutlet, make_coach, reply_key

ANN = Person(id=42, first_name="Ann")


@dataclass
class Outlet(RecordingOutlet):
    """A recording outlet that can do something while an edit is on its way."""

    during_edit: Callable[[], Awaitable[object]] | None = None

    async def edit(self, chat_id: int, message_id: int, reply: Say) -> None:
        if self.during_edit is not None:
            during, self.during_edit = self.during_edit, None
            await during()
        await super().edit(chat_id, message_id, reply)


async def at_a_card(coach: Coach, db: Database, clock: Clock) -> None:
    """Put Ann at the first card of a two-card routine."""
    state = ConversationState(
        step=routine.ROUTINE,
        symptoms=("tightness",),
        locations=("calf",),
        screened=True,
        routine=("standing_calf_raise", "plank_calf_stretch"),
        seq=1,
        choices=("start", "did_it", "skip", "stop_routine"),
        choice_labels=("Start", "Done", "Skip", "Stop here"),
    )
    async with db.transaction() as session:
        user = await users.load_user(session, ANN.id)
        await users.save_state(session, user, ANN.id, state.model_dump_json(), clock())


async def started(coach: Coach, runner: GuideRunner) -> Guide:
    """Press Start, and attach the guide's message as the Telegram channel does."""
    [reply] = await coach.handle(ANN, ButtonEvent(token="1.start"))
    assert isinstance(reply, Guide) and reply.new
    assert await runner.attach(ANN.id, reply.run.stamp, 500)
    return reply


def test_the_budget_refills_in_real_time_up_to_half_a_seconds_worth():
    now = [0.0]
    budget = Budget(10, monotonic=lambda: now[0])
    assert budget.take(100) == 5
    assert budget.take(1) == 0 and budget.wait() == 0.1
    now[0] = 0.35
    assert budget.take(100) == 3
    budget.give_back(2)
    budget.spend(4)
    assert budget.take(1) == 0 and round(budget.wait(), 3) == 0.25
    now[0] = 10.0
    assert budget.take(100) == 5


async def test_a_change_shown_while_an_older_view_was_on_its_way_is_shown_again(
    knowledge, tmp_path, db_url
):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet, other_outlet = Outlet(), Outlet()
    runner = GuideRunner(db, knowledge, outlet, coach, clock=clock, max_rate=1000)
    other = GuideRunner(db, knowledge, other_outlet, coach, clock=clock, max_rate=1000)
    try:
        await at_a_card(coach, db, clock)
        reply = await started(coach, runner)
        clock.advance(seconds=6)

        async def pause_shown_by_another_worker() -> None:
            # While this runner's view is on its way, Ann presses Pause, and another worker
            # shows it (a second later) before this older view lands.
            [changed] = await coach.handle(ANN, ButtonEvent(token=f"g.pause.{reply.run.stamp}"))
            assert isinstance(changed, Guide) and changed.run.status == "paused"
            clock.advance(seconds=1)
            assert (await other.run_once()).edited == 1

        outlet.during_edit = pause_shown_by_another_worker
        await runner.run_once()
        [(_, _, paused)] = other_outlet.edits
        assert paused.text.endswith(knowledge.say("guide_paused"))
        [(_, _, running)] = outlet.edits
        assert "Pause" in [c.label for c in running.choices]  # the older view landed last
        clock.advance(seconds=1)
        await runner.run_once()
        assert outlet.edits[-1][2].text.endswith(knowledge.say("guide_paused"))
        clock.advance(minutes=5)
        await runner.run_once()
        await other.run_once()
        assert len(outlet.edits) + len(other_outlet.edits) == 3  # paused: nothing more
    finally:
        await db.close()


async def test_a_guide_that_ends_asks_once_and_is_gone(knowledge, tmp_path, db_url):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = Outlet()
    runner = GuideRunner(db, knowledge, outlet, coach, clock=clock, max_rate=1000)
    try:
        await at_a_card(coach, db, clock)
        reply = await started(coach, runner)
        clock.advance(seconds=reply.run.plan.total)
        stats = await runner.run_once()
        assert (stats.edited, stats.ended) == (1, 1)
        assert outlet.edits[-1][2].text == "Standing calf raises: done. Well done!"
        assert outlet.edits[-1][2].choices == ()
        [(chat, question)] = outlet.sent
        assert chat == ANN.id and isinstance(question, Say)
        assert question.key == "feedback_question"
        async with db.transaction() as session:
            assert await guides.get(session, ANN.id) is None
        clock.advance(minutes=1)
        assert (await runner.run_once()).ended == 0 and len(outlet.sent) == 1
        state = await coach.state_of(ANN.id)
        assert state.step == guide_flow.FEEDBACK
        assert state.drafts["feedback"] == {"guided": True}
    finally:
        await db.close()


async def test_a_person_who_blocked_the_bot_has_their_guide_dropped(knowledge, tmp_path):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock)
    outlet = Outlet(failures=[Blocked("bot was blocked by the user")])
    runner = GuideRunner(db, knowledge, outlet, coach, clock=clock, max_rate=1000)
    try:
        await at_a_card(coach, db, clock)
        await started(coach, runner)
        clock.advance(seconds=6)
        await runner.run_once()
        async with db.transaction() as session:
            assert await guides.get(session, ANN.id) is None
    finally:
        await db.close()


async def test_answers_are_kept_per_move_and_day_the_latest_winning(knowledge, tmp_path, db_url):
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    try:
        for day, answer in ((0, "Hard"), (0, "Easy"), (1, "Just right")):
            clock.set(Clock().now + timedelta(days=day))
            await at_a_card(coach, db, clock)
            await coach.handle(ANN, ButtonEvent(token="1.did_it"))
            await coach.handle(ANN, TextEvent(text=answer))
        async with db.transaction() as session:
            answers = await feedback.history(session, ANN.id)
            only = await feedback.history(session, ANN.id, since=date(2026, 11, 26))
        assert [(a.exercise, a.day.isoformat(), a.feeling) for a in answers] == [
            ("standing_calf_raise", "2026-11-25", "easy"),
            ("standing_calf_raise", "2026-11-26", "just_right"),
        ]
        assert [a.feeling for a in only] == ["just_right"]

        # Sent at a card, so the card is asked again too (its buttons are the live ones), after
        # the file.
        [_, exported, again] = await coach.handle(ANN, CommandEvent(name="mydata"))
        assert reply_key(again) == "card_repeat"
        assert isinstance(exported, Document)
        kept = json.loads(exported.content)["how_moves_felt"]
        assert kept[0] == {
            "day": "2026-11-25",
            "exercise": "standing_calf_raise",
            "feeling": "easy",
        }

        await at_a_card(coach, db, clock)
        await coach.handle(ANN, ButtonEvent(token="1.start"))
        await coach.handle(ANN, CommandEvent(name="forget"))
        await coach.handle(ANN, TextEvent(text="Yes, delete everything"))
        async with db.transaction() as session:
            assert await feedback.history(session, ANN.id) == ()
            assert await guides.get(session, ANN.id) is None
    finally:
        await db.close()
