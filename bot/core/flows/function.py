"""How well the person can do one activity they named, 0-10, asked weekly (in the manner of PSFS).

The Patient-Specific Functional Scale asks people to name activities that are hard because of
their problem and rate each from 0 (unable to do it) to 10 (able to do it as before); a change
of about 2 points matters. The weekly review asks for one: named the first time, rated again
every week after.
"""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.effects import RecordFunction
from bot.core.flow import Draft, Flow
from bot.core.flows import intake
from bot.core.pain_score import PAIN_SCALE
from bot.core.state import HOME
from bot.core.turn import Turn, local_today

MAX_ACTIVITY = 120
flow = Flow("function")


class FunctionDraft(BaseModel):
    """The activity being rated."""

    activity: str | None = None


DRAFT = Draft("function", FunctionDraft)


def begin(turn: Turn, args: str = "") -> None:
    """Rate the activity named before, or name one first."""
    known = turn.state.activity
    DRAFT.start(turn.state, activity=known)
    turn.ask(SCORE if known else ACTIVITY)


def ask_activity(turn: Turn) -> None:
    """Ask for one activity that is hard because of the feet, ankles or calves."""
    turn.say("function_ask_activity")


def on_activity_text(turn: Turn, text: str) -> bool:
    """Take the activity as the person names it."""
    activity = " ".join(text.split())[:MAX_ACTIVITY].strip(" .!")
    if not any(ch.isalpha() for ch in activity):
        return False
    DRAFT.of(turn.state).activity = activity
    turn.ask(SCORE)
    return True


def ask_score(turn: Turn) -> None:
    """Ask how well the activity goes now, 0 to 10."""
    draft = DRAFT.of(turn.state)
    labels = {n: n for n in PAIN_SCALE}
    labels["other_activity"] = turn.text("button_other_activity")
    turn.say(
        "function_ask_score",
        activity=draft.activity or "",
        choices=(*PAIN_SCALE, "other_activity"),
        labels=labels,
    )


def on_score_choice(turn: Turn, choice: str) -> None:
    """Take the rating, or name another activity."""
    if choice == "other_activity":
        DRAFT.of(turn.state).activity = None
        turn.ask(ACTIVITY)
    elif choice.isdecimal() and int(choice) <= 10:
        _record(turn, int(choice))
    else:
        turn.reprompt()


def on_score_text(turn: Turn, text: str) -> bool:
    """Take a typed rating ("7", "about a 6")."""
    score = intake.scale_answer(turn, text, turn.read(text))
    if score is not None and score != intake.EXPLAINED:
        _record(turn, score)
    return score is not None


def _record(turn: Turn, score: int) -> None:
    draft = DRAFT.of(turn.state)
    if not draft.activity:
        turn.ask(ACTIVITY)
        return
    turn.do(RecordFunction(day=local_today(turn), activity=draft.activity, score=score))
    turn.state.activity = draft.activity
    DRAFT.clear(turn.state)
    turn.goto(HOME)
    turn.say("function_saved", score=score, activity=draft.activity)


ACTIVITY = flow.step("function_activity", ask_activity, on_text=on_activity_text)
SCORE = flow.step("function_score", ask_score, on_score_choice, on_score_text)
flow.command("rate", begin, listed=False)
flow.buttons("other_activity", "review_rate", "review_pro")
flow.says(
    "function_ask_activity",
    "review_intro",
    "review_pain_unknown",
    "review_function_first",
    "review_chart_caption",
    "review_question",
    function_ask_score={"activity"},
    function_saved={"score", "activity"},
    review_sessions={"done", "planned"},
    review_pain_down={"start", "current"},
    review_pain_up={"start", "current"},
    review_pain_same={"start", "current"},
    review_level={"name", "level"},
    review_function_again={"activity"},
)
