"""/report: a page or two for a clinician, made from what the person told the bot.

The PDF itself is gathered and drawn outside the core (bot/app/reports.py); this flow only
decides whether there is anything to report and says what the file is.
"""

from __future__ import annotations

from bot.core.effects import SendReport
from bot.core.flow import Flow
from bot.core.turn import Turn

flow = Flow("report")


def send_report(turn: Turn, args: str) -> None:
    """Send the person's report as a PDF, or say what it needs first."""
    state = turn.state
    known = state.symptoms or state.program or state.routine or state.safety.signs
    if not (known or turn.ctx.checkins):
        turn.say("report_empty")
        return
    turn.do(SendReport(caption=turn.text("report_caption"), after="report_sent"))
    turn.say("report_sent")


flow.command("report", send_report, menu=True)
flow.says(
    "report_empty",
    "report_caption",
    "report_sent",
    "report_reason_started",
    "report_reason_added",
    "report_reason_dropped",
    "report_reason_removed",
    "report_reason_easy",
    "report_reason_hard",
    "report_reason_hurt",
    "report_reason_asked_harder",
    "report_reason_asked_easier",
    report_dose_hold={"repeats", "seconds"},
    report_dose_sets={"sets", "reps"},
)
