"""Score the held-back answers: how many of people's answers the bot understands at first try.

bench/data/answers.yaml holds answers people give to the bot's questions, written by someone
who never read the code and never used to tune it (bench/data/answers-README.md). For each
answer the engine is put at the question it answers, given the text once, and judged on what
it did: stored the value the answer means (a number told in words within one), or, for a
question about the scale or "don't know", explained and asked again without storing anything.
Only the share per question and overall is printed, never the items: the set stays held back.

    python -m bench.bench_answers
"""

from __future__ import annotations

import argparse
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

import yaml

from bench.cli import print_figures
from bot.core.dialogue import Engine, Outcome
from bot.core.events import TextEvent
from bot.core.flows import callback, checkin, guide, intake, reminder, routine
from bot.core.knowledge import load_knowledge
from bot.core.state import HOME, ConversationState
from bot.core.turn import Context, EngineConfig, Turn

ROOT = Path(__file__).resolve().parent.parent
ANSWERS = ROOT / "bench" / "data" / "answers.yaml"
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)
CONTEXT = Context(now=NOW, first_name="Ann")
GOAL = 0.95


@dataclass
class Setup:
    """A question asked, and how to judge the outcome of one answer to it."""

    state: ConversationState
    judge: Callable[[Outcome, dict[str, Any]], bool]


def _asked(engine: Engine, state: ConversationState, prompt: Callable[[Turn], None]) -> None:
    """Ask the question in `state` (so its buttons, and the yes/no they mean, are set)."""
    turn = Turn(
        engine.knowledge,
        engine.reader,
        engine.config,
        CONTEXT,
        state,
        answers=engine.answers,
    )
    prompt(turn)


def _keys(outcome: Outcome) -> list[str]:
    return [getattr(reply, "key", "") for reply in outcome.replies]


def _asked_again(outcome: Outcome, before: ConversationState) -> bool:
    """The same question is still open and was asked again."""
    return outcome.state.step == before.step and bool(outcome.replies)


def _score_ok(got: int | None, item: dict[str, Any]) -> bool:
    expect = item["expect"]
    if got is None:
        return False
    slack = 1 if item.get("approx") else 0
    return abs(got - int(expect)) <= slack


def _places(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = item["expect"]
    got = set(outcome.state.locations)
    if expect == "everywhere":
        return got == {"foot"}
    if expect in ("unknown", "reask"):
        return not got and outcome.state.step == intake.ASK_LOCATION
    return got == set(expect)


def _symptoms(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = item["expect"]
    if expect in ("unknown", "reask"):
        return not outcome.state.symptoms
    return set(outcome.state.symptoms) == set(expect)


def _scale(step: str) -> Callable[[Outcome, dict[str, Any]], bool]:
    def judge(outcome: Outcome, item: dict[str, Any]) -> bool:
        expect = item["expect"]
        if step == "severity":
            got = outcome.state.pain_score
        else:
            recorded = [e for e in outcome.effects if e.kind == "record_checkin"]
            draft = checkin.DRAFT.get(outcome.state.model_copy(deep=True))
            got = recorded[0].score if recorded else draft.score if draft else None
        if expect in ("question", "unknown", "reask"):
            return got is None and bool(outcome.replies)
        return _score_ok(got, item)

    return judge


def _yes_no(outcome: Outcome, item: dict[str, Any]) -> bool:
    keys = _keys(outcome)
    expect = str(item["expect"])
    if expect == "yes":
        return "confirm_denied" not in keys and bool(outcome.state.symptoms)
    if expect == "no":
        return "confirm_denied" in keys
    return outcome.state.step == intake.CONFIRM  # unsure or reask: asked again


def _reminder_time(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = str(item["expect"])
    draft = reminder.DRAFT.get(outcome.state.model_copy(deep=True))
    at = draft.at if draft else None
    if expect == "reask":
        return at is None and bool(outcome.replies)
    if ":" in expect:
        return at == time.fromisoformat(expect)
    parts = {"morning": (5, 12), "afternoon": (12, 17), "evening": (17, 22), "night": (19, 24)}
    low, high = parts.get(expect, (0, 0))
    return at is not None and low <= at.hour < high


def _days(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = str(item["expect"])
    keys = _keys(outcome)
    if expect == "reask":
        return outcome.state.step == reminder.DAYS
    saved = [e for e in outcome.effects if e.kind == "set_reminder"]
    if expect in ("daily", "weekdays"):
        return bool(saved) and saved[0].days.value == expect
    return "not_understood" not in keys and bool(saved)


def _zone(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = str(item["expect"])
    draft = reminder.DRAFT.get(outcome.state.model_copy(deep=True))
    if expect == "reask":
        return draft is not None and draft.zone is None
    saved = [e for e in outcome.effects if e.kind == "set_reminder"]
    if saved:
        return saved[0].zone == expect
    if draft is None:
        return False
    if expect == "yes":
        return draft.zone == "Europe/Paris"
    if expect == "no":
        return draft.zone is None and not draft.zone_options
    return draft.zone == expect or expect in draft.zone_options


def _best_time(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = str(item["expect"])
    draft = callback.DRAFT.get(outcome.state.model_copy(deep=True))
    if expect == "reask":
        return draft is not None and draft.best_time is None
    return draft is not None and draft.best_time == expect


def _what_next(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = str(item["expect"])
    keys = _keys(outcome)
    wanted = {
        "again": "routine_intro",
        "reminder": "reminder_ask_time",
        "pro": "callback_consent",
        "done": "goodbye",
    }
    if expect == "reask":
        return outcome.state.step == routine.WHAT_NEXT
    if expect == "reminder" and outcome.state.step in (reminder.TIME, reminder.ZONE, reminder.DAYS):
        return True  # "remind me at 8": the time is taken, and the next question asked
    return wanted.get(expect, "?") in keys


_FEELINGS = {"easy": "easy", "right": "just_right", "hard": "hard", "hurt": "hurt"}


def _feel(outcome: Outcome, item: dict[str, Any]) -> bool:
    expect = str(item["expect"])
    kept = [e.feeling for e in outcome.effects if e.kind == "record_feedback"]
    if expect == "reask":
        return not kept and outcome.state.step == routine.FEEDBACK
    return kept == [_FEELINGS.get(expect, "?")]


def setups(engine: Engine) -> dict[str, Callable[[], Setup]]:
    """Return, for each question of the set, how to ask it and judge an answer."""

    def location() -> Setup:
        state = ConversationState(step=intake.ASK_LOCATION, symptoms=("soreness",))
        _asked(engine, state, intake.ask_location)
        return Setup(state, _places)

    def severity() -> Setup:
        state = ConversationState(step=intake.ASK_SEVERITY, symptoms=("soreness",))
        state.locations = ("heel",)
        _asked(engine, state, intake.ask_severity)
        return Setup(state, _scale("severity"))

    def symptom() -> Setup:
        state = ConversationState(step=HOME)
        _asked(engine, state, intake.ask_what_bothers)
        return Setup(state, _symptoms)

    def yes_no() -> Setup:
        state = ConversationState(step=intake.CONFIRM, pending_symptoms=("tightness",))
        state.pending_locations = ("calf",)
        _asked(engine, state, intake.ask_confirm)
        return Setup(state, _yes_no)

    def reminder_time() -> Setup:
        state = ConversationState(step=reminder.TIME)
        reminder.DRAFT.start(state)
        _asked(engine, state, reminder.ask_time)
        return Setup(state, _reminder_time)

    def reminder_days() -> Setup:
        state = ConversationState(step=reminder.DAYS)
        reminder.DRAFT.start(state, at=time(7, 30), zone="Europe/London")
        _asked(engine, state, reminder.ask_days)
        return Setup(state, _days)

    def time_zone() -> Setup:
        state = ConversationState(step=reminder.ZONE)
        reminder.DRAFT.start(state, at=time(7, 30))
        _asked(engine, state, reminder.ask_zone)
        return Setup(state, _zone)

    def zone_confirm() -> Setup:
        state = ConversationState(step=reminder.ZONE)
        reminder.DRAFT.start(state, at=time(7, 30), zone_options=("Europe/Paris",))
        _asked(engine, state, reminder.ask_zone)
        return Setup(state, _zone)

    def callback_time() -> Setup:
        state = ConversationState(step=callback.TIME)
        callback.DRAFT.start(state, name="Ann", phone="+447400123456")
        _asked(engine, state, callback.ask_time)
        return Setup(state, _best_time)

    def what_next() -> Setup:
        state = ConversationState(step=routine.WHAT_NEXT, symptoms=("tightness",))
        state.locations = ("calf",)
        state.pain_score = 3
        state.screened = True
        state.routine = ("standing_calf_stretch", "plank_calf_stretch")  # just done
        _asked(engine, state, routine.ask_what_next)
        return Setup(state, _what_next)

    def checkin_score() -> Setup:
        state = ConversationState(step=checkin.SCORE)
        checkin.DRAFT.start(state, day=date(2026, 11, 25))
        _asked(engine, state, checkin.ask_score)
        return Setup(state, _scale("checkin"))

    def feel() -> Setup:
        state = ConversationState(step=routine.FEEDBACK, routine=("ball_roll", "towel_toe_curl"))
        _asked(engine, state, guide.ask_feeling)
        return Setup(state, _feel)

    return {
        "location": location,
        "severity": severity,
        "symptom": symptom,
        "yes_no": yes_no,
        "reminder_time": reminder_time,
        "reminder_days": reminder_days,
        "time_zone": time_zone,
        "zone_confirm": zone_confirm,
        "callback_time": callback_time,
        "what_next": what_next,
        "checkin": checkin_score,
        "feel": feel,
    }


def score(
    engine: Engine, path: Path = ANSWERS, misses: list[str] | None = None
) -> tuple[Counter[str], Counter[str], int]:
    """Answer every item once; return (understood, asked, skipped) per question.

    `misses` collects the items not understood: only for the dev set, never the held-back one.
    """
    items = yaml.safe_load(path.read_text("utf-8"))["answers"]
    ways = setups(engine)
    understood: Counter[str] = Counter()
    asked: Counter[str] = Counter()
    skipped = 0
    for item in items:
        make = ways.get(item["question"])
        if make is None:
            skipped += 1  # a question the bot does not ask yet
            continue
        setup = make()
        outcome = engine.step(setup.state, TextEvent(text=str(item["text"])), CONTEXT)
        asked[item["question"]] += 1
        if setup.judge(outcome, item):
            understood[item["question"]] += 1
        elif misses is not None:
            keys = ", ".join(_keys(outcome))
            misses.append(f"{item['question']}: {item['text']!r} -> {keys} ({outcome.state.step})")
    return understood, asked, skipped


def run() -> dict[str, float]:
    """Score the set and return the figures: overall share, and per question."""
    knowledge = load_knowledge(ROOT / "knowledge")
    engine = Engine(knowledge, config=EngineConfig(default_phone_region="GB"))
    understood, asked, skipped = score(engine)
    total = sum(asked.values())
    figures: dict[str, float] = {
        "answers": float(total),
        "answers_skipped": float(skipped),
        "first_try_share": sum(understood.values()) / total if total else float("nan"),
    }
    for question in sorted(asked):
        figures[f"share_{question}"] = understood[question] / asked[question]
    return figures


def main() -> None:
    """Print the figures."""
    argparse.ArgumentParser(description=__doc__).parse_args()
    print_figures(run())


if __name__ == "__main__":
    main()
