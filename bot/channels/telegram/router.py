"""Where each update goes: the coach (private chats), the staff commands, or a group answer."""

from __future__ import annotations

import asyncio
import logging
import time
import traceback
from collections.abc import Sequence
from contextlib import suppress
from pathlib import Path
from typing import Any

from telegram import Bot, Update
from telegram.constants import ChatType
from telegram.error import Forbidden, TelegramError
from telegram.ext import Application, ContextTypes, TypeHandler

from bot.app.coach import Coach, Person
from bot.app.guide_runner import GuideRunner
from bot.app.metrics import Metrics
from bot.app.pictures import Pictures
from bot.app.staff_outbox import StaffOutbox
from bot.channels.telegram.render import Renderer
from bot.channels.telegram.staff import StaffCommands
from bot.channels.telegram.translate import event_of, staff_request, update_kind
from bot.core.knowledge import Knowledge
from bot.core.updates import UpdateKey
from bot.store import is_unavailable

log = logging.getLogger(__name__)

_LEFT_PRESSES_AT_ONCE = 16


class TelegramChannel:
    """The handlers of the bot, bound to the coach and the staff commands."""

    def __init__(
        self,
        coach: Coach,
        knowledge: Knowledge,
        staff: StaffCommands,
        staff_chat_id: int | None,
        outbox: StaffOutbox | None = None,
        *,
        pictures: Pictures | None = None,
        guides: GuideRunner | None = None,
        bot_id: int,
        metrics: Metrics | None = None,
    ) -> None:
        self.coach = coach
        self.bot_id = bot_id  # whose update numbers these are (bot/core/updates.py)
        self.knowledge = knowledge
        self.staff = staff
        self.staff_chat_id = staff_chat_id
        self.outbox = outbox
        self.pictures = pictures
        self.guides = guides
        self.metrics = metrics or Metrics()
        self._kicks: set[asyncio.Task[int]] = set()

    async def on_private(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Hand a private-chat update to the coach and send its replies; return whether the
        coach's step marked the update applied."""
        chat = update.effective_chat
        user = update.effective_user
        if chat is None or user is None:
            return False
        query = update.callback_query
        # The press's answer (its button stops spinning) goes out beside the first reply,
        # not before the step: neither its round trip nor the work of making the request comes
        # before the reply. A worker killed after the step's commit and before the answer left
        # it in the claimed inbox row for the next start to answer (`answer_presses`).
        answering: asyncio.Future[bool] | None = None
        try:
            event = event_of(update)
            if event is None:
                return False
            person = Person(id=user.id, first_name=user.first_name)
            key = UpdateKey(self.bot_id, update.update_id)
            started = time.perf_counter()
            press = None if query is None else query.id
            replies = await self.coach.handle(person, event, update=key, press=press)
            self.metrics.step_seconds.observe(time.perf_counter() - started)
            renderer = Renderer(context.bot, pictures=self.pictures, guides=self.guides)
            if query is not None:
                # Started now, it runs once the first reply's request is on its way.
                answering = asyncio.ensure_future(_answer(context.bot, query.id))
            await renderer.send(chat.id, replies)
            return True
        finally:
            if answering is not None:
                await answering
            elif query is not None:
                await _answer(context.bot, query.id)  # no step, or it failed: answer anyway

    async def answer_presses(self, bot: Bot, query_ids: Sequence[str]) -> int:
        """Answer presses a killed worker may have left spinning; return how many Telegram
        took (it refuses those answered already)."""
        # A few at a time: after a busy minute these are hundreds of calls, most refused.
        slots = asyncio.Semaphore(_LEFT_PRESSES_AT_ONCE)

        async def answer(query_id: str) -> bool:
            async with slots:
                return await _answer(bot, query_id)

        return sum(await asyncio.gather(*(answer(query_id) for query_id in query_ids)))

    async def on_group(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Say the bot only talks in private chats."""
        chat = update.effective_chat
        if chat is None:
            return
        if update.callback_query is not None:
            await _answer(context.bot, update.callback_query.id)
        elif update.message is None:
            return  # joins, leaves and edits in groups need no answer
        await Renderer(context.bot).text(chat.id, self.knowledge.say("private_only"))

    async def route(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Handle one update, counting it by kind and outcome; return whether its step marked
        it applied in the inbox."""
        kind = update_kind(update)
        try:
            marked = await self._route(update, context)
        except Exception as exc:
            self.metrics.updates.labels(kind=kind, outcome="error").inc()
            if is_unavailable(exc):
                self.metrics.store_error("update")
            raise
        self.metrics.updates.labels(kind=kind, outcome="ok").inc()
        return marked

    async def _route(self, update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
        """Send each update to staff handling, the private conversation, or the group answer;
        return whether the coach's step marked it applied."""
        chat = update.effective_chat
        if chat is None:
            return False
        user = update.effective_user
        staff = staff_request(update)
        if staff is not None and user is not None and self.staff.desk.is_admin(user.id):
            kind, args = staff
            if update.callback_query is not None:
                await self.staff.press(update.callback_query, user)
                self.kick_outbox()
            else:
                await self.staff.command(context.bot, chat.id, kind, args)
        elif chat.type == ChatType.PRIVATE:
            # Everyone else gets the normal answer: a staff command or button means nothing.
            return await self.on_private(update, context)
        elif chat.id == self.staff_chat_id:
            # Staff talk among themselves there; a press by someone who is not an admin gets
            # the normal group answer as a passing notice, not a message in the staff chat.
            if update.callback_query is not None:
                with suppress(TelegramError):
                    await update.callback_query.answer(self.knowledge.say("private_only"))
        else:
            await self.on_group(update, context)
        return False

    def kick_outbox(self) -> None:
        """Deliver staff-message updates now rather than at the next tick."""
        if self.outbox is None:
            return
        task = asyncio.create_task(self.outbox.run_once())
        self._kicks.add(task)
        task.add_done_callback(self._kicks.discard)

    async def on_error(self, update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Log the failure without personal data, and tell the person to try again."""
        update_id = update.update_id if isinstance(update, Update) else None
        error = context.error
        if isinstance(error, Forbidden):
            # The person blocked the bot (or it was removed from the chat): nothing can reach
            # them, and telling them so would only be refused again.
            log.info("update %s: the chat no longer takes the bot's messages", update_id)
            return
        # The update id, the error type and where it happened (file, line, function): never
        # the exception's message, which can quote what the person typed.
        where = ""
        if error is not None and error.__traceback__ is not None:
            frames = traceback.extract_tb(error.__traceback__)[-3:]
            where = " <- ".join(f"{Path(f.filename).name}:{f.lineno} {f.name}" for f in frames)
        log.error("update %s failed: %s at %s", update_id, type(error).__name__, where)
        if isinstance(update, Update) and update.effective_chat is not None:
            with suppress(TelegramError):
                await context.bot.send_message(
                    update.effective_chat.id, self.knowledge.say("something_went_wrong")
                )

    def install(self, application: Application[Any, Any, Any, Any, Any, Any]) -> None:
        """Register one router for every update, and the error handler."""
        application.add_handler(TypeHandler(Update, self.route))
        application.add_error_handler(self.on_error)


async def _answer(bot: Bot, query_id: str) -> bool:
    """Answer a press; return whether Telegram took the answer (it refuses a second one)."""
    with suppress(TelegramError):
        return await bot.answer_callback_query(query_id)
    return False
