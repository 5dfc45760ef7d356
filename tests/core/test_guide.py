"""The guide state machine: phases from each dose shape, where a guide is, pauses, the end,
and what its message says."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.core import guide
from bot.core.flows.guide import phase_texts, show
from bot.core.guide import Phase, Plan
from bot.core.knowledge import Dose, Exercise, Knowledge

T0 = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


def at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def exercise_with(knowledge: Knowledge, **dose: object) -> Exercise:
    base = knowledge.exercises["standing_calf_stretch"]
    return base.model_copy(update={"dose": Dose(frequency="daily", **dose)})


def kinds(plan: Plan) -> list[tuple[str, int]]:
    return [(p.kind, p.seconds) for p in plan.phases]


def test_holds_on_each_side_switch_between_and_rest_between_sets(knowledge):
    plan = guide.plan_for(knowledge.exercises["standing_calf_stretch"])  # 30 s, 3 times, each side
    assert kinds(plan) == [
        ("ready", 10),
        *[("hold", 30), ("switch", 10), ("hold", 30), ("rest", 15)] * 2,
        ("hold", 30),
        ("switch", 10),
        ("hold", 30),
    ]
    assert [p.side for p in plan.phases[1:4]] == [1, 2, 2]
    assert [p.set for p in plan.phases if p.kind == "hold"] == [1, 1, 2, 2, 3, 3]
    assert plan.total == 250 and plan.limb == "leg"


def test_reps_take_the_low_end_of_the_range_at_the_doses_pace(knowledge):
    plan = guide.plan_for(knowledge.exercises["banded_toe_pull"])  # 2 x 10-15 each foot
    reps = [p for p in plan.phases if p.kind == "reps"]
    assert [(p.reps, p.seconds, p.set, p.side) for p in reps] == [
        (10, 40, 1, 1),
        (10, 40, 1, 2),
        (10, 40, 2, 1),
        (10, 40, 2, 2),
    ]
    assert plan.limb == "foot" and ("rest", 30) in kinds(plan)
    one_side = guide.plan_for(knowledge.exercises["standing_calf_raise"])  # 2 x 10, both feet
    assert kinds(one_side) == [("ready", 10), ("reps", 40), ("rest", 30), ("reps", 40)]
    slow = guide.plan_for(exercise_with(knowledge, sets=1, reps="8", rep_seconds=6))
    assert kinds(slow) == [("ready", 10), ("reps", 48)]


@pytest.mark.parametrize(
    ("duration", "side", "seconds", "sides"),
    [
        ("1 to 2 minutes per foot", None, 60, 2),
        ("45 seconds", None, 45, 1),
        ("2 min", "each leg", 120, 2),
        ("90 s each side", None, 90, 2),
        ("as long as it feels good", None, guide.MOVE_S, 1),
    ],
)
def test_a_duration_is_read_in_seconds_per_side(knowledge, duration, side, seconds, sides):
    plan = guide.plan_for(exercise_with(knowledge, duration=duration, side=side))
    moves = [p for p in plan.phases if p.kind == "move"]
    assert [p.seconds for p in moves] == [seconds] * sides
    assert ("switch", guide.SWITCH_S) in kinds(plan) if sides == 2 else len(plan.phases) == 2


def test_where_a_guide_is_follows_from_the_elapsed_time_alone(knowledge):
    plan = guide.plan_for(knowledge.exercises["standing_calf_raise"])
    start = guide.at(plan, 0)
    assert (start.index, start.left, start.done) == (0, 10, False)
    rep = guide.at(plan, 10 + 4 * 2 + 1)  # 9 s into the reps: the third rep
    assert rep.phase is not None and rep.phase.kind == "reps"
    assert (rep.rep, rep.left) == (3, 31)
    assert guide.at(plan, 10 + 39.9).rep == 10  # never past the last rep
    rest = guide.at(plan, 55)
    assert rest.phase is not None and rest.phase.kind == "rest"
    assert rest.next_phase(plan) == plan.phases[3]
    end = guide.at(plan, plan.total)
    assert end.done and end.phase is None and end.index == len(plan.phases)


def test_pauses_do_not_count_and_the_end_moves_with_them(knowledge):
    plan = guide.plan_for(knowledge.exercises["standing_calf_raise"])  # 120 s
    run = guide.start(plan, T0)
    assert run.ends_at() == at(120)
    paused = guide.pause(run, at(30))
    assert paused.status == "paused" and paused.ends_at() is None
    assert paused.elapsed(at(500)) == 30  # the clock runs on, the guide does not
    assert guide.pause(paused, at(40)) == paused  # a second Pause changes nothing
    resumed = guide.resume(paused, at(100))
    assert resumed.status == "running" and resumed.paused_s == 70
    assert resumed.elapsed(at(110)) == 40
    assert resumed.ends_at() == at(190)
    again = guide.resume(guide.pause(resumed, at(150)), at(160))
    assert again.paused_s == 80 and again.ends_at() == at(200)
    assert guide.moment(again, at(199)).done is False
    assert guide.moment(again, at(200)).done is True
    stopped = guide.stop(again, at(170))
    assert stopped.status == "stopped" and stopped.elapsed(at(999)) == 90
    assert guide.resume(stopped, at(180)) == stopped  # a stopped guide stays stopped


def test_a_guide_is_named_by_its_start_to_the_millisecond(knowledge):
    plan = guide.plan_for(knowledge.exercises["ball_roll"])
    run = guide.start(plan, datetime(2026, 11, 25, 9, 0, 0, 123456, tzinfo=UTC))
    assert run.stamp == "1795597200123"
    assert len(f"g.resume.{run.stamp}".encode()) <= 64


@pytest.mark.parametrize(
    ("left", "step", "shown"),
    [
        (24.2, 1, 25),
        (24.0, 1, 24),
        (0.3, 1, 1),
        (24.2, 5, 25),
        (25.0, 5, 25),
        (25.1, 5, 30),
        (2, 5, 5),
    ],
)
def test_seconds_left_are_rounded_up_to_the_step(left, step, shown):
    assert guide.shown_seconds(left, step) == shown


def test_edits_come_every_cadence_while_running_and_a_change_within_a_second(knowledge):
    run = guide.start(guide.plan_for(knowledge.exercises["ball_roll"]), T0)
    assert guide.next_edit(run, at(3)) == at(3 + guide.CADENCE_S)
    assert guide.next_edit(guide.pause(run, at(3)), at(4)) is None
    assert guide.next_edit(guide.stop(run, at(3)), at(4)) is None
    assert guide.change_shown_at(None, at(7)) == at(7)
    assert guide.change_shown_at(at(6.5), at(7)) == at(7.5)
    assert guide.change_shown_at(at(2), at(7)) == at(7)


def test_the_message_says_what_to_do_with_the_set_the_side_and_the_buttons(knowledge):
    run = guide.start(guide.plan_for(knowledge.exercises["standing_calf_stretch"]), T0)
    ready = show(knowledge, run, at(1))
    assert ready.text == "Standing calf stretch\nGet ready… 9 s"
    assert [c.label for c in ready.choices] == ["Pause", "Stop"]
    assert [c.token for c in ready.choices] == [f"g.pause.{run.stamp}", f"g.stop.{run.stamp}"]
    hold = show(knowledge, run, at(16), step=5)
    assert hold.text == "Standing calf stretch · set 1 of 3, first leg\nHold… ~25 s"
    assert show(knowledge, run, at(45), step=5).text == (
        "Standing calf stretch · set 1 of 3\nSwitch legs… ~5 s"
    )
    assert show(knowledge, run, at(60)).text.endswith("other leg\nHold… 20 s")
    assert show(knowledge, run, at(85)).text == (
        "Standing calf stretch\nRest… 10 s. Next: set 2 of 3."
    )
    paused = show(knowledge, guide.pause(run, at(16)), at(900))
    assert paused.text.endswith(knowledge.say("guide_paused")) and not paused.over
    assert [c.label for c in paused.choices] == ["Resume", "Stop"]
    done = show(knowledge, run, at(250))
    assert (done.text, done.choices, done.over) == (
        "Standing calf stretch: done. Well done!",
        (),
        True,
    )
    late = show(knowledge, run, at(250 + 3600))
    assert late.text == knowledge.say("guide_ended_late", name="Standing calf stretch")
    stopped = show(knowledge, guide.stop(run, at(20)), at(21))
    assert stopped.text == "Standing calf stretch: stopped." and stopped.over


def test_reps_count_at_the_exercises_pace(knowledge):
    run = guide.start(guide.plan_for(knowledge.exercises["standing_calf_raise"]), T0)
    assert show(knowledge, run, at(19)).text == (
        "Standing calf raises · set 1 of 2\nRep 3 of 10 · up 2 s, down 2 s"
    )
    texts = phase_texts(knowledge, run.plan)
    assert texts == [
        "Standing calf raises\nGet ready… 10 s",
        "Standing calf raises · set 1 of 2\nRep 1 of 10 · up 2 s, down 2 s",
        "Standing calf raises\nRest… 30 s. Next: set 2 of 2.",
        "Standing calf raises · set 2 of 2\nRep 1 of 10 · up 2 s, down 2 s",
        "Standing calf raises: done. Well done!",
    ]


def test_a_phase_is_never_empty():
    with pytest.raises(ValueError):
        Phase(kind="hold", seconds=0)
    with pytest.raises(ValueError):
        Plan(exercise="x", phases=())
