"""Privacy: what is kept and why, a copy of it, and forgetting it all."""

from __future__ import annotations

from pydantic import BaseModel

from bot.core.effects import ExportMyData, ForgetMe
from bot.core.flow import Draft, Flow, yes_no
from bot.core.retention import period_in_words
from bot.core.state import HOME, ConversationState, StepId
from bot.core.turn import Turn

flow = Flow("privacy")


class ForgetDraft(BaseModel):
    """The question /forget was asked at, to go back to on "No, keep it"."""

    back: StepId = HOME


DRAFT = Draft("forget", ForgetDraft)


def show_privacy(turn: Turn, args: str) -> None:
    """Say what is stored, why, for how long, and who sees it."""
    policy = turn.config.retention
    turn.say(
        "privacy",
        disclaimer=turn.text("disclaimer"),
        retention=period_in_words(turn.knowledge, policy.days),
        lead_retention=period_in_words(turn.knowledge, policy.lead_days),
    )
    if turn.state.step != HOME:
        turn.reprompt()  # asked in words mid-way ("what happens to my data?"): carry on there


def send_my_data(turn: Turn, args: str) -> None:
    """Send the person everything stored about them, as a JSON document."""
    turn.do(ExportMyData(after="mydata_sent"))
    turn.say("mydata_sent")


def ask_forget(turn: Turn, args: str = "") -> None:
    """Ask for confirmation before deleting everything."""
    if turn.state.step != FORGET:  # asked again after an unclear answer: the same place
        DRAFT.start(turn.state, back=turn.state.step)
    turn.goto(FORGET)
    turn.say("forget_confirm", choices=("forget_yes", "forget_no"))


def on_forget(turn: Turn, agreed: bool) -> None:
    """Delete everything, or keep it."""
    if agreed:
        turn.do(ForgetMe())
        turn.state = ConversationState()
        turn.say("forgotten")
    else:
        draft = DRAFT.get(turn.state)
        DRAFT.clear(turn.state)
        back = draft.back if draft is not None else HOME
        # Kept means kept: a half-filled request (a name, a number) is taken up where it was.
        turn.goto(back if back in turn.prompts else HOME)
        turn.say("forget_kept")
        if turn.state.step != HOME:
            turn.reprompt()


def ask_again(turn: Turn) -> None:
    """Ask again whether to delete everything."""
    ask_forget(turn)


FORGET = flow.step("forget_confirm", ask_again, *yes_no(on_forget, yes="forget_yes"))
flow.command("privacy", show_privacy, menu=True)
flow.command("mydata", send_my_data)
flow.command("forget", ask_forget, menu=True)
# /delete is what many bots call it, and what people try first; it asks the same question.
flow.command("delete", ask_forget, listed=False)
flow.buttons("forget_yes", "forget_no")
flow.says(
    "mydata_sent",
    "forget_confirm",
    "forgotten",
    "forget_kept",
    privacy={"disclaimer", "retention", "lead_retention"},
    # Sent by the dispatcher (bot/app/retention.py) a week before the data expires.
    retention_notice={"date"},
    period_year={"count"},
    period_years={"count"},
    period_days={"count"},
)
