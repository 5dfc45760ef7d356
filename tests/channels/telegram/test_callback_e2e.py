"""Callback requests end to end: the person's flow, the staff chat, staff commands, privacy."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from datetime import UTC, datetime

import pytest

from bot.__main__ import main
from bot.core.staff import CSV_COLUMNS
from bot.store import leads
from tests.channels.telegram.conftest import ADMIN, STAFF_CHAT, RunningBot, running_bot
from tests.channels.telegram.people import TelegramUser, callback_answer
from tests.channels.telegram.probes import code_in, every_row, texts
from tests.fakebot import FakeBotAPI, SentMessage
from tests.support import Clock

NOW = datetime(2026, 11, 25, 9, 0, tzinfo=UTC)


async def request_by_typed_phone(ann: TelegramUser) -> str:
    """Ask for a call, type the number (a wrong one first), confirm; return the code."""
    await ann.send("/start", 1)
    await ann.send("my heel hurts, 6/10", 1)
    [consent] = await ann.send("can someone call me?", 1)
    assert "pain in the heel" in (consent.text or "")
    assert consent.button_texts == ["Yes, that's OK", "No thanks"]
    [name] = await ann.press("Yes, that's OK", 1)
    assert name.button_texts == ["Use Ann"]
    [phone] = await ann.press("Use Ann", 1)
    [share] = phone.reply_keyboard[0]
    assert share.get("request_contact") is True
    [again] = await ann.send("12345", 1)
    assert (again.text or "").startswith("That number looks too short")
    assert again.reply_keyboard[0][0].get("request_contact") is True
    saved, when = await ann.send("07400 123456", 2)
    assert saved.text == "Thanks, I've got +447400123456."
    assert saved.removes_keyboard
    assert when.button_texts == ["Morning", "Afternoon", "Evening", "Any time"]
    await ann.press("Evening", 1)
    [review] = await ann.send("I work nights, please call after 6pm", 1)
    assert "Name: Ann\nPhone: +447400123456\nBest time: Evening" in (review.text or "")
    [confirmed] = await ann.press("Confirm", 1)
    assert (confirmed.text or "").startswith("Thank you! Your request is in, reference FC-")
    return code_in(confirmed)


async def request_by_shared_contact(bob: TelegramUser) -> str:
    """Ask through the deep link, share someone else's contact (refused), then their own."""
    [consent] = await bob.send("/start callback", 1)
    assert "nothing yet" in (consent.text or "")
    await bob.press("Yes, that's OK", 1)
    await bob.send("Bob Stone", 1)
    [refused] = await bob.send_contact("447400123456", 1, someone_else=True)
    assert (refused.text or "").startswith(
        "Please share your own number (that contact isn't you), or type it.\n\n"
    )
    assert refused.reply_keyboard[0][0].get("request_contact") is True
    saved, _ = await bob.send_contact("447400654321", 2)
    assert saved.text == "Thanks, I've got +447400654321."
    await bob.press("Any time", 1)
    await bob.press("Skip", 1)
    [confirmed] = await bob.press("Confirm", 1)
    return code_in(confirmed)


def staff_messages(api: FakeBotAPI, code: str) -> list[SentMessage]:
    """Return the messages in the staff chat that announce this request."""
    return [m for m in api.messages(STAFF_CHAT) if code in (m.text or "")]


async def staff_message_once(bot: RunningBot, code: str) -> SentMessage:
    """Wait for the request's staff message, then check the outbox's next run sends no other."""
    api = bot.api
    await api.wait_for(lambda: staff_messages(api, code), description=f"staff message of {code}")
    await bot.outbox_run()
    [message] = staff_messages(api, code)
    return message


async def test_a_request_by_typed_phone_reaches_staff_once_with_buttons(bot):
    api = bot.api
    code = await request_by_typed_phone(TelegramUser(api, 42))
    message = await staff_message_once(bot, code)
    assert "Name: Ann\nPhone: +447400123456\nBest time: Evening" in (message.text or "")
    assert "Pain score: 6" in (message.text or "")
    assert "Note: I work nights, please call after 6pm" in (message.text or "")
    assert message.button_texts == ["Contacted", "Closed"]
    assert message.callback_data("Contacted") == f"s.contacted.{code}"
    async with bot.components.db.transaction() as session:
        lead = await leads.open_for(session, 42)
    assert lead is not None and lead.code == code and lead.phone == "+447400123456"
    assert lead.staff_message_id == message.message_id


async def test_a_request_by_shared_contact_refuses_someone_elses(bot):
    api = bot.api
    code = await request_by_shared_contact(TelegramUser(api, 43, first_name="Bob"))
    message = await staff_message_once(bot, code)
    assert "Name: Bob Stone\nPhone: +447400654321\nBest time: Any time" in (message.text or "")
    assert "+447400123456" not in (message.text or "")


async def test_contacted_by_an_admin_records_who_and_edits_the_message(bot):
    api = bot.api
    api.register_user(ADMIN, first_name="Nora", username="nurse_nora")
    code = await request_by_typed_phone(TelegramUser(api, 42))
    message = await staff_message_once(bot, code)
    pressed = api.press_button(ADMIN, message.message_id, f"s.contacted.{code}", chat_id=STAFF_CHAT)
    answer = await callback_answer(api, pressed["callback_query"]["id"])
    assert answer.get("text") == f"{code} marked as contacted."
    edited = await api.wait_for(
        lambda: (m := api.message(STAFF_CHAT, message.message_id)).edit_count and m
    )
    assert "Status: contacted by @nurse_nora (900) at 2026-11-25 09:00 UTC" in (edited.text or "")
    assert edited.button_texts == ["Contacted", "Closed"]
    async with bot.components.db.transaction() as session:
        lead = await leads.by_code(session, code)
    assert lead is not None and lead.status == "contacted"
    assert lead.handled_by == "@nurse_nora (900)" and lead.handled_at == NOW
    assert len(staff_messages(api, code)) == 1


async def test_someone_else_pressing_a_staff_button_changes_nothing(bot):
    api = bot.api
    code = await request_by_typed_phone(TelegramUser(api, 42))
    message = await staff_message_once(bot, code)
    # A member of the staff group who is not an admin.
    pressed = api.press_button(777, message.message_id, f"s.contacted.{code}", chat_id=STAFF_CHAT)
    answer = await callback_answer(api, pressed["callback_query"]["id"])
    # The answer anyone gets in a group: a passing notice, nothing about the request.
    assert (answer.get("text") or "").startswith("Hi! I only talk one to one")
    # The same button forwarded into a private chat, pressed by a stranger.
    eve = TelegramUser(api, 778, first_name="Eve")
    [question] = await eve.send("/start", 1)
    [expired] = await eve.press_data(question, f"s.closed.{code}", 1)
    await eve.quiet(bot.updates_handled())
    assert "button" in (expired.text or "").lower()
    assert code not in " ".join(texts(api.messages(778)))
    assert api.message(STAFF_CHAT, message.message_id).edit_count == 0
    assert len(api.messages(STAFF_CHAT)) == 1
    async with bot.components.db.transaction() as session:
        lead = await leads.by_code(session, code)
    assert lead is not None and lead.status == "open" and lead.handled_by is None


async def test_staff_commands_answer_admins_only(bot):
    api = bot.api
    ann = TelegramUser(api, 42)
    code = await request_by_typed_phone(ann)
    await staff_message_once(bot, code)

    # Anyone else gets the normal answer to an unknown command: nothing about requests.
    for command in ("/leads", f"/lead {code}", "/export_leads"):
        answer = await ann.send(command, 1)
        assert command.split()[0][1:] in (answer[0].text or "")
        assert code not in " ".join(texts(answer)) and "+447400123456" not in " ".join(
            texts(answer)
        )
    assert not [m for m in api.messages(42) if m.document is not None]

    admin = TelegramUser(api, ADMIN, first_name="Nora")
    [listing] = await admin.send("/leads", 1)
    assert code in (listing.text or "") and "+447400123456" in (listing.text or "")
    [one] = await admin.send(f"/lead {code.lower()}", 1)
    assert (one.text or "").startswith(f"Callback request {code}")
    [export] = await admin.send("/export_leads", 1)
    assert export.method == "sendDocument" and export.file is not None
    assert export.file.filename == "footcoach-leads.csv"
    rows = list(csv.DictReader(io.StringIO(export.file.data.decode())))
    assert [row["code"] for row in rows] == [code]
    assert rows[0]["phone"] == "+447400123456" and rows[0]["status"] == "open"


async def test_footcoach_leads_csv_prints_the_documented_columns(
    api: FakeBotAPI, tmp_path, monkeypatch, capsys
):
    clock = Clock(NOW)
    api.register_user(ADMIN, first_name="Nora", username="nurse_nora")
    async with running_bot(api, tmp_path, clock=clock) as bot:
        code = await request_by_typed_phone(TelegramUser(api, 42))
        message = await staff_message_once(bot, code)
        clock.set(datetime(2026, 11, 25, 10, 15, tzinfo=UTC))
        api.press_button(ADMIN, message.message_id, f"s.contacted.{code}", chat_id=STAFF_CHAT)
        await api.wait_for(lambda: api.message(STAFF_CHAT, message.message_id).edit_count)

        settings = bot.components.settings
        monkeypatch.chdir(tmp_path)  # no .env from the working tree
        monkeypatch.setenv("DATABASE_URL", settings.database_url)
        monkeypatch.setenv("KNOWLEDGE_DIR", str(settings.knowledge_dir))
        capsys.readouterr()
        # In a thread: the command runs its own event loop, as from a shell.
        assert await asyncio.to_thread(main, ["leads", "--csv"]) == 0
    out = capsys.readouterr().out
    header, *rows = list(csv.reader(io.StringIO(out)))
    assert tuple(header) == CSV_COLUMNS
    assert header == [
        "code",
        "created_at",
        "status",
        "name",
        "phone",
        "best_time",
        "symptoms",
        "red_flags",
        "pain_score",
        "note",
        "handled_by",
        "handled_at",
        "conditions",
    ]
    assert rows == [
        [
            code,
            "2026-11-25T09:00:00+00:00",
            "contacted",
            "Ann",
            "+447400123456",
            "evening",
            "pain",
            "",
            "6",
            "I work nights, please call after 6pm",
            # Defused like every typed cell: a spreadsheet would run a leading @ as a formula.
            "'@nurse_nora (900)",
            "2026-11-25T10:15:00+00:00",
            "",
        ]
    ]


PERSON = 5550123
NAME = "Zelda Quux"
PHONE = "+447400987654"


def names_the_person(value: object) -> bool:
    """Say whether a stored value identifies the person (their id, name or number)."""
    if value == PERSON:
        return True
    text = str(value)
    return any(part in text for part in (str(PERSON), "Zelda", "Quux", "7400987654"))


@pytest.mark.parametrize("answer", ["button", "typed"])
async def test_forget_leaves_no_row_that_names_the_person(api, tmp_path, answer):
    clock = Clock(NOW)
    async with running_bot(api, tmp_path, clock=clock) as bot:
        zelda = TelegramUser(api, PERSON, first_name="Zelda")
        # A reminder, a check-in and a confirmed request delivered to staff.
        await zelda.send("remind me at 7:30 every day", 1)
        await zelda.send("London", 1)
        await zelda.press("London (UTC+0)", 1)
        await zelda.send("/checkin 4", 1)  # no routine yet: the score is all it asks
        await zelda.send("/callback", 1)
        await zelda.press("Yes, that's OK", 1)
        await zelda.send(NAME, 1)
        await zelda.send(PHONE, 2)
        await zelda.press("Morning", 1)
        await zelda.press("Skip", 1)
        code = code_in((await zelda.press("Confirm", 1))[0])
        staff = await staff_message_once(bot, code)
        assert NAME in (staff.text or "")

        before = await every_row(bot.components.db)
        assert any(
            names_the_person(v) for rows in before.values() for r in rows for v in r.values()
        )

        mydata, document = await zelda.send("/mydata", 2)
        assert mydata.text == "Here is everything I keep about you."
        assert document.file is not None and document.file.filename == "footcoach-my-data.json"
        data = json.loads(document.file.data)
        assert data["user_id"] == PERSON
        assert data["reminder"]["time"] == "07:30"
        assert [c["pain_score"] for c in data["checkins"]] == [4]
        [request] = data["callback_requests"]
        assert (request["code"], request["name"], request["phone"]) == (code, NAME, PHONE)

        [ask] = await zelda.send("/forget", 1)
        assert ask.button_texts == ["Yes, delete everything", "No, keep it"]
        if answer == "button":
            [done] = await zelda.press("Yes, delete everything", 1)
        else:
            [done] = await zelda.send("yes", 1)
        assert (done.text or "").startswith("Done. Everything about you is deleted.")

        # Staff see the request withdrawn, without the person's details.
        edited = await api.wait_for(
            lambda: (m := api.message(STAFF_CHAT, staff.message_id)).edit_count and m
        )
        assert code in (edited.text or "") and "withdrawn" in (edited.text or "")
        assert not names_the_person(edited.text) and not edited.button_texts

        after = await every_row(bot.components.db)
        assert set(after) >= {"users", "reminders", "checkins", "leads", "outbox"}
        naming = {
            table: row
            for table, rows in after.items()
            for row in rows
            if any(names_the_person(v) for v in row.values())
        }
        assert naming == {}
        # The anonymous code stays, so staff can still tell what became of it.
        [lead] = after["leads"]
        assert lead["code"] == code and lead["status"] == "withdrawn"

        [nothing] = await zelda.send("/progress", 1)
        assert "(I have 0)" in (nothing.text or "")
