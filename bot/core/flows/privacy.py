"""Privacy: what is kept and why, a copy of it, and forgetting it all."""

from __future__ import annotations

from bot.core.effects import ExportMyData, ForgetMe
from bot.core.state import ConversationState, Step
from bot.core.turn import Turn


def show_privacy(turn: Turn, args: str) -> None:
    """Say what is stored, why, for how long, and who sees it."""
    turn.say("privacy", disclaimer=turn.text("disclaimer"))


def send_my_data(turn: Turn, args: str) -> None:
    """Send the person everything stored about them, as a JSON document."""
    turn.do(ExportMyData())
    turn.say("mydata_sent")


def ask_forget(turn: Turn, args: str = "") -> None:
    """Ask for confirmation before deleting everything."""
    turn.goto(Step.forget_confirm)
    turn.say("forget_confirm", choices=("forget_yes", "forget_no"))


def on_forget_choice(turn: Turn, choice: str) -> None:
    """Delete everything, or keep it."""
    if choice == "forget_yes":
        turn.do(ForgetMe())
        turn.state = ConversationState()
        turn.say("forgotten")
    else:
        turn.goto(Step.welcome)
        turn.say("forget_kept")


def on_forget_text(turn: Turn, text: str) -> bool:
    """Take a typed yes or no."""
    answer = turn.reader.is_affirmative(text)
    if answer is not None:
        on_forget_choice(turn, "forget_yes" if answer else "forget_no")
    return answer is not None
