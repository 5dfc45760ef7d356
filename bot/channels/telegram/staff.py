"""The staff side in Telegram: /leads, /lead CODE, /export_leads, /stats, Contacted and Closed."""

from __future__ import annotations

from contextlib import suppress

from telegram import Bot, CallbackQuery, User
from telegram.error import TelegramError

from bot.app.clock import Clock
from bot.app.staff_desk import StaffDesk
from bot.channels.telegram.render import Renderer
from bot.core.codes import parse_code
from bot.core.knowledge import Knowledge
from bot.core.replies import Document
from bot.core.staff import lead_line, leads_csv, parse_staff_token, staff_message
from bot.core.stats import stats_message


def staff_name(user: User) -> str:
    """Return how staff are named on a request they handled (their handle and id)."""
    name = f"@{user.username}" if user.username else user.full_name
    return f"{name} ({user.id})"[:200]


class StaffCommands:
    """Answer admins' staff commands and buttons."""

    def __init__(self, desk: StaffDesk, knowledge: Knowledge, clock: Clock) -> None:
        self.desk = desk
        self.knowledge = knowledge
        self.clock = clock

    async def press(self, query: CallbackQuery, user: User) -> bool:
        """Mark a request as the pressed button says; return whether anything was marked."""
        parsed = parse_staff_token(query.data or "")
        if parsed is None:
            return False
        status, code = parsed
        lead = await self.desk.mark(code, status, staff_name(user), self.clock())
        note = self.knowledge.say("staff_marked", code=code, status=status.value) if lead else ""
        with suppress(TelegramError):
            await query.answer(note)
        return lead is not None

    async def command(self, bot: Bot, chat_id: int, name: str, args: str) -> None:
        """Answer /leads, /lead CODE, /export_leads or /stats in the chat it came from."""
        say = self.knowledge.say
        renderer = Renderer(bot)
        if name == "leads":
            found = await self.desk.listing(active_only=True)
            lines = [lead_line(self.knowledge, lead) for lead in found]
            await renderer.text(chat_id, "\n".join(lines) or say("staff_no_leads"))
        elif name == "lead":
            wanted = parse_code(args)
            lead = await self.desk.find(wanted) if wanted else None
            if not args.strip():
                await renderer.text(chat_id, say("staff_lead_usage"))
            elif lead is None:
                await renderer.text(chat_id, say("staff_lead_not_found", code=args.strip()[:20]))
            else:
                await renderer.send(chat_id, [staff_message(self.knowledge, lead)])
        elif name == "stats":
            now = self.clock()
            stats = await self.desk.stats(now)
            await renderer.text(chat_id, stats_message(self.knowledge, stats, now))
        else:
            everything = await self.desk.listing(active_only=False)
            document = Document(
                filename="footcoach-leads.csv",
                content=leads_csv(everything).encode(),
                caption=say("staff_export_caption"),
            )
            await renderer.send(chat_id, [document])
