"""The conversation's flows, each declared in its own module, merged into one registry.

To add a flow: write its module (a `Flow` with its steps, commands, buttons and sentences),
put its sentences in knowledge/messages.yaml, and add it to FLOWS below.
"""

from bot.core.flow import Registry
from bot.core.flows import (
    callback,
    checkin,
    conversation,
    function,
    guide,
    intake,
    privacy,
    program,
    reminder,
    report,
    routine,
    safety,
)
from bot.core.messages import BASE_MESSAGES

# In this order the commands appear in the Telegram menu and in /help.
FLOWS = (
    conversation.flow,
    intake.flow,
    routine.flow,
    program.flow,
    guide.flow,
    safety.flow,
    reminder.flow,
    callback.flow,
    checkin.flow,
    function.flow,
    report.flow,
    privacy.flow,
)
REGISTRY = Registry(FLOWS, BASE_MESSAGES)
