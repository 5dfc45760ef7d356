"""The Telegram channel: updates in, coach events; replies out, Bot API calls. Nothing else.

app        build the Application, serve by polling or webhook, stop on a signal
router     where each update goes (coach, staff commands, group answer) and the error handler
processor  concurrent across people, in order for each person
translate  an update read as an event, a staff request, or whose it is
render     replies as Bot API calls, and the outlet the senders deliver through
staff      the staff commands and buttons
webhook    the webhook endpoint that records each update before answering Telegram
"""

from bot.channels.telegram.app import build_application, run_bot, serve

__all__ = ["build_application", "run_bot", "serve"]
