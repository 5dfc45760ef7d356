"""A guided session of the move on the card, and "How did that feel?" after every move.

Start on a card runs the move's dose as a guide (bot/core/guide.py): one message that counts
down the holds, says when to switch sides and rest, and counts the reps at their pace, with
Pause and Stop under it. Its buttons name the guide ("g.pause.<stamp>"), not the question, so
the message can be edited as time goes without the conversation moving on. Stop, or "it
hurts" said meanwhile, stops the guide and asks what happened (the routine's pain path);
leaving the guide any other way (a command, a warning sign) stops it too.

When the guide is over, or the person says they did the move (Done), the bot asks how it
felt: Easy, Just right, Hard or It hurt, also in words. The answer is kept per person, move
and day, for the program to move each exercise up or down its ladder; "It hurt" leaves the
move out and offers a gentler one, as when it hurt during the move.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from pydantic import BaseModel

from bot.core import guide
from bot.core.effects import EndGuide, SaveGuide
from bot.core.feedback import Feeling
from bot.core.flow import Draft, Flow
from bot.core.flows import intake, routine
from bot.core.guide import GuideRun, Moment, Phase, Plan
from bot.core.knowledge import Knowledge
from bot.core.pain_score import CLAUSE_BREAK
from bot.core.program import Feel
from bot.core.reading import Reading
from bot.core.replies import Choice, Guide
from bot.core.state import StepId
from bot.core.turn import Turn

flow = Flow("guide")
GUIDE_PREFIX = "g"
GUIDE_ACTIONS = ("pause", "resume", "stop")
FEELINGS = ("easy", "just_right", "hard", "sharp_pain")
_STORED: dict[str, Feeling] = {
    "easy": "easy",
    "just_right": "just_right",
    "hard": "hard",
    "sharp_pain": "hurt",
}
_FEEL = {"easy": Feel.easy, "just_right": Feel.right, "hard": Feel.hard, "sharp_pain": Feel.hurt}
# A guide that ended longer ago than this (the bot was offline) says so when it is closed.
LATE = timedelta(minutes=1)


class FeedbackDraft(BaseModel):
    """Whether the move asked about was guided (kept for the question's wording)."""

    guided: bool = False


DRAFT = Draft("feedback", FeedbackDraft)


# -- what a guide shows -----------------------------------------------------------------------


@dataclass(frozen=True)
class Shown:
    """A guide's message as it should read now: its text, its buttons, and whether it is over."""

    text: str
    choices: tuple[Choice, ...]
    over: bool


def show(knowledge: Knowledge, run: GuideRun, now: datetime, *, step: int = 1) -> Shown:
    """Return the guide's message at `now`, the seconds left shown to `step` (see shown_seconds)."""
    name = _name(knowledge, run.plan)
    if run.status == "stopped":
        return Shown(knowledge.say("guide_stopped", name=name), (), over=True)
    at = guide.moment(run, now)
    if at.done or at.phase is None:
        ended = run.ends_at()
        late = ended is not None and now - ended > LATE
        key = "guide_ended_late" if late else "guide_done"
        return Shown(knowledge.say(key, name=name), (), over=True)
    heading = _heading(knowledge, run.plan, at.phase, name)
    if run.status == "paused":
        text = f"{heading}\n{knowledge.say('guide_paused')}"
        return Shown(text, choices(knowledge, run, ("resume", "stop")), over=False)
    text = f"{heading}\n{_doing(knowledge, run.plan, at, step)}"
    return Shown(text, choices(knowledge, run, ("pause", "stop")), over=False)


def phase_texts(knowledge: Knowledge, plan: Plan) -> list[str]:
    """Return what the guide says as each phase begins, then at the end (the terminal's lines)."""
    name = _name(knowledge, plan)
    texts = []
    for start, phase in zip(plan.starts(), plan.phases, strict=True):
        at = guide.at(plan, start)
        texts.append(f"{_heading(knowledge, plan, phase, name)}\n{_doing(knowledge, plan, at, 1)}")
    texts.append(knowledge.say("guide_done", name=name))
    return texts


def choices(knowledge: Knowledge, run: GuideRun, actions: tuple[str, ...]) -> tuple[Choice, ...]:
    """Return a guide's buttons: they name the guide, so they work on its message whatever
    question the conversation is at (callback data: "g.pause.1795000000000", 22 bytes)."""
    return tuple(
        Choice(
            token=f"{GUIDE_PREFIX}.{action}.{run.stamp}",
            label=knowledge.say(f"button_guide_{action}"),
        )
        for action in actions
    )


def _name(knowledge: Knowledge, plan: Plan) -> str:
    exercise = knowledge.exercises.get(plan.exercise)
    return exercise.name if exercise is not None else plan.exercise


def _heading(knowledge: Knowledge, plan: Plan, phase: Phase, name: str) -> str:
    """Return the first line: the move, the set, the side ("Standing calf stretch · set 1
    of 3, first leg")."""
    parts = []
    if phase.sets > 1 and phase.kind not in ("ready", "rest"):
        parts.append(knowledge.say("guide_set", set=phase.set, sets=phase.sets))
    if phase.side and phase.kind != "switch":
        limb = knowledge.say(f"guide_limb_{plan.limb}")
        parts.append(knowledge.say("guide_first" if phase.side == 1 else "guide_other", limb=limb))
    return f"{name} · {', '.join(parts)}" if parts else name


def _doing(knowledge: Knowledge, plan: Plan, at: Moment, step: int) -> str:
    """Return the second line: what to do now and for how long ("Hold… 25 s")."""
    phase = at.phase
    assert phase is not None
    seconds = guide.shown_seconds(at.left, step)
    left = knowledge.say("guide_left" if step <= 1 else "guide_left_about", seconds=seconds)
    if phase.kind == "reps":
        exercise = knowledge.exercises.get(plan.exercise)
        pace = plan.pace or (exercise.dose.pace if exercise is not None else None)
        pace = pace or knowledge.say("guide_pace")
        return knowledge.say("guide_reps", rep=max(1, at.rep), reps=phase.reps, pace=pace)
    if phase.kind == "switch":
        return knowledge.say(f"guide_switch_{plan.limb}", left=left)
    if phase.kind == "rest":
        return knowledge.say("guide_rest", left=left, set=phase.set + 1, sets=phase.sets)
    return knowledge.say(f"guide_{phase.kind}", left=left)


# -- the guide in the conversation ------------------------------------------------------------


def begin(turn: Turn) -> None:
    """Start a guide of the move on the card (the prompt of the guiding step)."""
    exercise = routine.current(turn)
    if exercise is None or exercise not in turn.knowledge.exercises:
        turn.ask(routine.WHAT_NEXT)
        return
    now = turn.ctx.now
    dose = routine.level(turn, exercise).dose
    run = guide.start(guide.plan_for(turn.knowledge.exercises[exercise], dose), now)
    turn.do(SaveGuide(run=run))
    _show(turn, run, new=True)


def _show(turn: Turn, run: GuideRun, *, new: bool, first: bool = False) -> None:
    shown = show(turn.knowledge, run, turn.ctx.now)
    reply = Guide(run=run, text=shown.text, choices=shown.choices, new=new)
    if first:
        turn.replies.insert(0, reply)
    else:
        turn.replies.append(reply)


def on_guide_button(turn: Turn, action: str, stamp: str) -> bool:
    """Pause, resume or stop the guide these buttons belong to; False for another guide's."""
    run = turn.ctx.guide
    if (
        run is None
        or run.stamp != stamp
        or action not in GUIDE_ACTIONS
        or turn.state.step != GUIDING
        or run.status == "stopped"
    ):
        return False
    now = turn.ctx.now
    if action == "stop":
        turn.ask(routine.STOPPED)  # settle() stops the guide: the step was left
        return True
    if guide.moment(run, now).done:
        ended(turn, run)  # pressed as the time ran out: it is over, not paused
        return True
    changed = guide.pause(run, now) if action == "pause" else guide.resume(run, now)
    turn.do(SaveGuide(run=changed))
    _show(turn, changed, new=False)
    return True


def on_ended(turn: Turn, stamp: str) -> None:
    """The guide's time ran out: ask how the move felt (once; a late or repeated event of
    another guide, or of one already answered, changes nothing)."""
    run = turn.ctx.guide
    if run is None or run.stamp != stamp:
        return
    ended(turn, run)


def ended(turn: Turn, run: GuideRun) -> None:
    """Drop the finished guide and, if the conversation is still with it, ask how it felt."""
    turn.do(EndGuide(stamp=run.stamp))
    if turn.state.step != GUIDING:
        return
    DRAFT.start(turn.state, guided=True)
    turn.ask(FEEDBACK)


def settle(turn: Turn, was: StepId) -> None:
    """Stop the guide when the conversation left it by another way than its end (Stop, "it
    hurts", a command, a warning sign): its message then says it stopped."""
    if was != GUIDING or turn.state.step == GUIDING:
        return
    run = turn.ctx.guide
    if run is None or run.status == "stopped":
        return
    if any(isinstance(effect, SaveGuide | EndGuide) for effect in turn.effects):
        return
    stopped = guide.stop(run, turn.ctx.now)
    turn.do(SaveGuide(run=stopped))
    _show(turn, stopped, new=False, first=True)


def repeat_guiding(turn: Turn) -> None:
    """Say briefly that the guide is under way and where its buttons are."""
    run = turn.ctx.guide
    name = _name(turn.knowledge, run.plan) if run is not None else ""
    turn.say("guide_repeat", name=name)


def on_guiding_text(turn: Turn, text: str) -> bool:
    """Listen during the guide as during a card ("ouch" stops it); "pause", "stop" work too."""
    if routine.on_card_text(turn, text):
        return True
    run = turn.ctx.guide
    if run is None or turn.answers is None:
        return False
    actions = ("resume", "stop") if run.status == "paused" else ("pause", "stop")
    labels = [turn.knowledge.say(f"button_guide_{a}") for a in actions]
    picked = turn.answers.match(text, [f"guide_{a}" for a in actions], labels)
    if picked is not None:
        return on_guide_button(turn, picked.removeprefix("guide_"), run.stamp)
    return _done_or_skip(turn, text)


def _done_or_skip(turn: Turn, text: str) -> bool:
    """Take "done" or "skip" typed during the guide as the card's button: the guide stops
    (settle) and how it felt is asked, or the next card comes; a bare "ok" is no "done"."""
    card = ("did_it", "skip")
    said = turn.answers.match(text, card, [turn.label(c) for c in card]) if turn.answers else None
    if said is None or (said == "did_it" and turn.reader.is_affirmative(text)):
        return False
    if said == "did_it":
        DRAFT.start(turn.state, guided=True)
    routine.on_card_choice(turn, said)
    return True


# -- how did that feel --------------------------------------------------------------------------


def ask_feeling(turn: Turn) -> None:
    """Ask how the move on the card felt."""
    exercise = routine.current(turn)
    if exercise is None:
        turn.ask(routine.WHAT_NEXT)
        return
    name = turn.knowledge.exercises[exercise].name
    turn.say("feedback_question", name=name, choices=FEELINGS)


def on_feeling(turn: Turn, choice: str) -> None:
    """Keep the answer; "It hurt" leaves the move out, anything else goes on to the next."""
    DRAFT.clear(turn.state)
    exercise = routine.current(turn)
    if exercise is None:
        turn.ask(routine.WHAT_NEXT)
        return
    routine.record_feeling(turn, exercise, _STORED[choice])
    if choice == "sharp_pain":
        routine.it_hurt(turn, exercise)
        return
    change = routine.after_feel(turn, exercise, _FEEL[choice])
    if change is not None:
        routine.say_change(turn, change)
    else:
        turn.say("move_too_hard" if choice == "hard" else "feedback_noted")
    routine.next_card(turn)


# What stops a move while it is shown, and soreness: felt during the move, it hurt.
_HURT_WORDS = routine.DURING_A_MOVE | {"soreness"}


def on_feeling_text(turn: Turn, text: str) -> bool:
    """Read pain in the answer as "It hurt" ("my heel hurt a bit"); synonyms do the rest."""
    if turn.answers is not None and turn.answers.asks_next(text):
        # "what next?": the answer sets the next moves' level, so it is asked for first
        turn.say("feedback_first")
        turn.reprompt()
        return True
    if turn.answers is not None and turn.answers.moves_on(text):
        # "done", "next": on to the next card, with no feeling made up for the move
        DRAFT.clear(turn.state)
        routine.next_card(turn)
        return True
    reading = turn.reader.read(text)
    # Sore or cramping during the move counts as hurt: easing the move is the safe reading. So
    # does "my calf feels worse": the move made it worse (it started the routine again).
    if "worse" in reading.intent_ids:
        turn.state.worsening = True
    if {"hurt", "worse"} & set(reading.intent_ids) or set(reading.symptom_ids) & _HURT_WORDS:
        on_feeling(turn, "sharp_pain")
        return True
    if keep_new_place(turn, reading, text):
        return True
    if (reading.symptoms or reading.locations) and turn.answers is not None:
        # "wobbly but ok", "tight but fine": how the move felt, not a new complaint
        state = turn.state
        chosen = turn.answers.match(text, state.choices, state.choice_labels)
        if chosen in FEELINGS:
            on_feeling(turn, chosen)
            return True
        if not reading.intents and reading.pain_score is None:
            # "I felt it in my calf", "wobbly": about the move, so no new complaint that
            # would start the routine again from its first card; the question stands.
            turn.say("feedback_which")
            turn.reprompt()
            return True
    return False


def keep_new_place(turn: Turn, reading: Reading, text: str) -> bool:
    """Keep a symptom told of a new place ("fine, but my heel is tight too") with the
    complaint, say so, and take the feeling said beside it, or ask for it again."""
    state = turn.state
    new = tuple(p for p in reading.location_ids if p not in state.locations)
    if not (reading.symptoms and new) or reading.unsure:
        return False
    intake.fold(turn, reading, fresh=False, text=text)
    turn.say("feedback_complaint_kept", summary=intake.describe(turn, reading.symptom_ids, new))
    chosen = _feeling_in_parts(turn, text)
    if chosen is None:
        turn.reprompt()
    else:
        on_feeling(turn, chosen)
    return True


def _feeling_in_parts(turn: Turn, text: str) -> str | None:
    """Return the one feeling said in a part of the answer that tells no complaint ("fine" in
    "fine, but my heel is tight too"), or None."""
    state, answers = turn.state, turn.answers
    if answers is None:
        return None
    found = {
        answers.match(part, state.choices, state.choice_labels)
        for part in CLAUSE_BREAK.split(text.lower())
        if part.strip() and not _tells_complaint(turn.reader.read(part))
    }
    said = found & set(FEELINGS)
    return said.pop() if len(said) == 1 else None


def _tells_complaint(reading: Reading) -> bool:
    """Say whether a reading names a symptom or a place."""
    return bool(reading.symptoms or reading.locations)


GUIDING = flow.step(routine.GUIDING, begin, on_text=on_guiding_text, repeat=repeat_guiding)
FEEDBACK = flow.step(routine.FEEDBACK, ask_feeling, on_feeling, on_feeling_text)
flow.buttons(*FEELINGS, *(f"guide_{action}" for action in GUIDE_ACTIONS))
flow.says(
    "guide_limb_leg",
    "guide_limb_foot",
    "guide_paused",
    "guide_pace",
    "feedback_noted",
    "feedback_first",
    "feedback_which",
    "move_too_hard",
    feedback_complaint_kept={"summary"},
    guide_left={"seconds"},
    guide_left_about={"seconds"},
    guide_set={"set", "sets"},
    guide_first={"limb"},
    guide_other={"limb"},
    guide_ready={"left"},
    guide_hold={"left"},
    guide_move={"left"},
    guide_switch_leg={"left"},
    guide_switch_foot={"left"},
    guide_rest={"left", "set", "sets"},
    guide_reps={"rep", "reps", "pace"},
    guide_done={"name"},
    guide_ended_late={"name"},
    guide_stopped={"name"},
    guide_repeat={"name"},
    feedback_question={"name"},
)
