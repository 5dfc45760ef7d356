"""Data that expires, end to end in Telegram: the notice in the person's chat a week before, the
erasure by the dispatcher (the staff chat sees the request withdrawn), and a person who says
hi in the last week keeps everything."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from bot.store import privacy
from tests.channels.telegram.conftest import STAFF_CHAT, running_bot
from tests.channels.telegram.people import TelegramUser
from tests.channels.telegram.probes import code_in
from tests.support import Clock

LONDON = ZoneInfo("Europe/London")
START = datetime(2026, 12, 9, 11, 0, tzinfo=LONDON)
ANN, BOB = 4242, 4343


async def test_a_quiet_person_is_told_then_erased_one_who_says_hi_is_kept(
    api, tmp_path, db_url, caplog
):
    clock = Clock(START)
    caplog.set_level(logging.INFO)
    async with running_bot(api, tmp_path, clock=clock, database_url=db_url) as bot:
        ann = TelegramUser(api, ANN, first_name="Zelda")
        bob = TelegramUser(api, BOB, first_name="Bob")
        [shown] = await ann.send("/privacy", 1)
        said = " ".join((shown.text or "").split())
        assert "If you don't write to me for a year, I delete it all myself" in said
        assert "deleted 2 years after it is closed" in said
        # A confirmed request, announced in the staff chat.
        await ann.send("/callback", 1)
        await ann.press("Yes, that's OK", 1)
        await ann.press("Use Zelda", 1)
        await ann.send("07400 987654", 2)
        await ann.press("Morning", 1)
        await ann.press("Skip", 1)
        code = code_in((await ann.press("Confirm", 1))[0])
        staff = await api.wait_for(
            lambda: next((m for m in api.messages(STAFF_CHAT) if code in (m.text or "")), None),
            description="the staff message",
        )
        await bob.send("/checkin 3", 1)  # no routine yet: the score is all it asks

        # A week before a year is up, each is told once, in their own chat.
        clock.set(START + timedelta(days=358))
        [notice] = await ann.expect(1)
        said = " ".join((notice.text or "").split())
        assert "I'll delete what I keep about you on 9 December 2027 unless you say hi" in said
        await bob.expect(1)
        await ann.quiet(bot.runtime.retention.runs.next())
        await bob.quiet(bot.runtime.retention.runs.next())

        # Bob says hi in the last week; Ann says nothing.
        clock.set(START + timedelta(days=364))
        await bob.send("hi", 1)
        clock.set(START + timedelta(days=365))
        edited = await api.wait_for(
            lambda: (m := api.message(STAFF_CHAT, staff.message_id)).edit_count and m,
            description="the staff message edited",
        )
        assert code in (edited.text or "") and "withdrawn" in (edited.text or "")
        assert "Zelda" not in (edited.text or "") and "7400" not in (edited.text or "")
        await bot.runtime.retention.runs.next()
        async with bot.components.db.transaction() as session:
            gone = await privacy.export(session, ANN)
            kept = await privacy.export(session, BOB)
        assert gone["conversation"] is None and gone["callback_requests"] == []
        assert [c["pain_score"] for c in kept["checkins"]] == [3]
        await ann.quiet(bot.runtime.retention.runs.next())
        await bob.quiet(bot.runtime.retention.runs.next())
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert f"erased user {ANN}" in logged and f"erased user {BOB}" not in logged
    for personal in ("Zelda", "7400", "987654"):
        assert personal not in logged
