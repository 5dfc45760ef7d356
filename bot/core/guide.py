"""A guided session: a move's dose as timed phases, and where the guide is at any instant.

Pure and clock-free. The plan comes from the exercise's dose (hold and switch sides, rest
between sets; reps at a pace; a duration per side); where the guide is comes from the plan,
when it started and how long it has been paused, at the instant asked about. Nothing ticks
here: the Telegram runner (bot/app/guide_runner.py) asks at each edit and the terminal every
second, and a restart loses nothing, because the elapsed time is computed from the start.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from bot.core.knowledge import Dose, Exercise

PhaseKind = Literal["ready", "hold", "reps", "move", "switch", "rest"]
Status = Literal["running", "paused", "stopped"]
Limb = Literal["leg", "foot"]

# Seconds of the phases the dose does not give. Each is at least two edits long at the
# Telegram cadence (bot/app/guide_runner.py, 5 s), so no phase passes unseen.
READY_S = 10
SWITCH_S = 10
REST_HOLD_S = 15  # between sets of holds: the switch between sides is a rest already
REST_REPS_S = 30  # between sets of reps
REP_S = 4  # a rep at the default pace: 2 s one way, 2 s back
MOVE_S = 60  # a duration the dose does not say in seconds or minutes

_DURATION = re.compile(
    r"(?P<n>\d+(?:\.\d+)?)\s*(?:(?:to|-|–)\s*\d+(?:\.\d+)?\s*)?(?P<unit>min|sec|s\b|m\b)", re.I
)
_PER_SIDE = re.compile(r"\b(?:per|each|a)\s+(?P<limb>foot|leg|side)\b", re.I)


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Phase(_Frozen):
    """One stretch of time in a guide: get ready, hold, reps, move, switch sides, or rest."""

    kind: PhaseKind
    seconds: int = Field(gt=0)
    set: int = Field(default=1, ge=1)  # which set (or repeat) this is
    sets: int = Field(default=1, ge=1)
    side: int = Field(default=0, ge=0, le=2)  # 0: no sides; 1: the first side; 2: the other
    reps: int = Field(default=0, ge=0)


class Plan(_Frozen):
    """The phases of one guided move, in order."""

    exercise: str
    phases: tuple[Phase, ...] = Field(min_length=1)
    limb: Limb = "leg"
    rep_seconds: int = Field(default=REP_S, ge=1)
    pace: str | None = None  # said during each rep ("up 2 s, down 2 s")

    @property
    def total(self) -> int:
        """Return the whole guide's length in seconds."""
        return sum(phase.seconds for phase in self.phases)

    def starts(self) -> list[int]:
        """Return the second at which each phase starts, from the guide's start."""
        out, at = [], 0
        for phase in self.phases:
            out.append(at)
            at += phase.seconds
        return out


def plan_for(exercise: Exercise, dose: Dose | None = None) -> Plan:
    """Return the guide of a dose (the exercise's own unless given, e.g. its program level's):
    get ready, then the dose phase by phase."""
    dose = dose or exercise.dose
    limb = _limb(dose)
    sides = 2 if _two_sided(dose) else 1
    phases: list[Phase] = [Phase(kind="ready", seconds=READY_S)]
    rep_seconds = dose.rep_seconds or REP_S
    if dose.hold_seconds is not None and dose.repeats is not None:
        sets = dose.repeats
        for number in range(1, sets + 1):
            phases.extend(_sides(sides, "hold", dose.hold_seconds, number, sets))
            if number < sets:
                phases.append(Phase(kind="rest", seconds=REST_HOLD_S, set=number, sets=sets))
    elif dose.sets is not None and dose.reps is not None:
        sets, reps = dose.sets, _first_number(dose.reps)
        for number in range(1, sets + 1):
            phases.extend(_sides(sides, "reps", reps * rep_seconds, number, sets, reps))
            if number < sets:
                phases.append(Phase(kind="rest", seconds=REST_REPS_S, set=number, sets=sets))
    else:
        phases.extend(_sides(sides, "move", _duration_s(dose.duration or ""), 1, 1))
    return Plan(
        exercise=exercise.id,
        phases=tuple(phases),
        limb=limb,
        rep_seconds=rep_seconds,
        pace=dose.pace,
    )


def _sides(
    sides: int, kind: PhaseKind, seconds: int, number: int, sets: int, reps: int = 0
) -> list[Phase]:
    """Return one set: the move on each side, with a switch between them."""
    if sides == 1:
        return [Phase(kind=kind, seconds=seconds, set=number, sets=sets, reps=reps)]
    return [
        Phase(kind=kind, seconds=seconds, set=number, sets=sets, side=1, reps=reps),
        Phase(kind="switch", seconds=SWITCH_S, set=number, sets=sets, side=2),
        Phase(kind=kind, seconds=seconds, set=number, sets=sets, side=2, reps=reps),
    ]


def _two_sided(dose: Dose) -> bool:
    return bool(dose.side) or bool(_PER_SIDE.search(dose.duration or ""))


def _limb(dose: Dose) -> Limb:
    said = f"{dose.side or ''} {dose.duration or ''}".lower()
    return "foot" if "foot" in said or "feet" in said else "leg"


def _first_number(reps: str) -> int:
    """Return the low end of a range of reps ("10-15" is 10): a guide starts gently."""
    return int(reps.split("-")[0])


def _duration_s(duration: str) -> int:
    """Return the low end of a duration in seconds ("1 to 2 minutes per foot" is 60)."""
    found = _DURATION.search(duration)
    if found is None:
        return MOVE_S
    amount = float(found["n"])
    minutes = found["unit"].lower().startswith("m")
    return max(1, round(amount * 60 if minutes else amount))


# -- a guide under way ----------------------------------------------------------------------


class GuideRun(_Frozen):
    """A guide as it stands: its plan, when it started, and the time it spent paused."""

    plan: Plan
    started: datetime
    paused_at: datetime | None = None
    paused_s: float = Field(default=0.0, ge=0)
    status: Status = "running"

    @property
    def stamp(self) -> str:
        """Return what names this guide in its buttons: its start, in milliseconds."""
        return str(round(self.started.timestamp() * 1000))

    def elapsed(self, now: datetime) -> float:
        """Return the seconds of guide done by `now` (time paused does not count)."""
        until = self.paused_at if self.paused_at is not None else now
        return max(0.0, (until - self.started).total_seconds() - self.paused_s)

    def ends_at(self) -> datetime | None:
        """Return when a running guide ends (None while paused or once stopped)."""
        if self.status != "running":
            return None
        return self.started + timedelta(seconds=self.paused_s + self.plan.total)


@dataclass(frozen=True)
class Moment:
    """Where a guide is: the phase under way, the seconds left in it, the rep, or the end."""

    index: int  # the phase under way; len(phases) once the guide is over
    phase: Phase | None
    left: float  # seconds left in the phase
    rep: int  # the rep under way (1-based) in a reps phase, else 0
    done: bool

    def next_phase(self, plan: Plan) -> Phase | None:
        """Return the phase after this one, if any."""
        following = self.index + 1
        return plan.phases[following] if following < len(plan.phases) else None


def at(plan: Plan, elapsed: float) -> Moment:
    """Return where a guide is after `elapsed` seconds of it."""
    start = 0.0
    for index, phase in enumerate(plan.phases):
        end = start + phase.seconds
        if elapsed < end:
            into = elapsed - start
            rep = 0
            if phase.kind == "reps" and phase.reps:
                rep = min(phase.reps, int(into // plan.rep_seconds) + 1)
            return Moment(index, phase, end - elapsed, rep, done=False)
        start = end
    return Moment(len(plan.phases), None, 0.0, 0, done=True)


def moment(run: GuideRun, now: datetime) -> Moment:
    """Return where a guide is at `now`."""
    return at(run.plan, run.elapsed(now))


def start(plan: Plan, now: datetime) -> GuideRun:
    """Return a guide of this plan starting now."""
    return GuideRun(plan=plan, started=now)


def pause(run: GuideRun, now: datetime) -> GuideRun:
    """Return the guide paused at `now` (a guide not running is returned as it is)."""
    if run.status != "running":
        return run
    return run.model_copy(update={"status": "paused", "paused_at": now})


def resume(run: GuideRun, now: datetime) -> GuideRun:
    """Return a paused guide running again; the time it was paused does not count."""
    if run.status != "paused" or run.paused_at is None:
        return run
    paused = max(0.0, (now - run.paused_at).total_seconds())
    return run.model_copy(
        update={"status": "running", "paused_at": None, "paused_s": run.paused_s + paused}
    )


def stop(run: GuideRun, now: datetime) -> GuideRun:
    """Return the guide stopped at `now` (where it got to stays as it was)."""
    if run.status == "stopped":
        return run
    return run.model_copy(update={"status": "stopped", "paused_at": run.paused_at or now})


def shown_seconds(left: float, step: int) -> int:
    """Return the seconds left as shown: whole seconds, or rounded up to `step` (> 1).

    A message edited every few seconds says "~25 s" rather than a number that is already
    wrong when it arrives; rounding up keeps the countdown from reaching 0 early.
    """
    if step <= 1:
        return max(1, math.ceil(left - 1e-9))
    return max(step, math.ceil(left / step - 1e-9) * step)


# -- when the message is edited ------------------------------------------------------------

# Telegram allows about one message a second in a chat and 30 a second in all, edits
# included, and answers bursts on one message with 429s. A guide's message is edited at most
# once every CADENCE_S seconds (12 a minute), and what it shows is rounded to that.
CADENCE_S = 5
# A change the person made (Pause, Resume, Stop) is shown at once, but never within this
# long of the message's last edit.
CHANGE_GAP_S = 1.0


def change_shown_at(last_edit: datetime | None, now: datetime) -> datetime:
    """Return when to show a change the person made to a guide on its message."""
    if last_edit is None:
        return now
    return max(now, last_edit + timedelta(seconds=CHANGE_GAP_S))


def next_edit(run: GuideRun, now: datetime, cadence: float = CADENCE_S) -> datetime | None:
    """Return when to edit a guide's message next, after an edit now (None: not again until
    the person changes it: a paused or stopped guide)."""
    if run.status != "running":
        return None
    return now + timedelta(seconds=cadence)
