"""A callback request that carries the person's report: the PDF follows the staff message,
once; /forget deletes it from the staff chat; a refused file leaves the request standing."""

from __future__ import annotations

import io

from pypdf import PdfReader

from bot.app.outlet import NotDelivered, Rejected
from bot.app.staff_outbox import StaffOutbox
from bot.core.events import CommandEvent, TextEvent
from bot.core.knowledge import Knowledge
from bot.core.replies import Document, Say
from bot.store import leads
from tests.app.test_senders import ANN, STAFF, Outlet, press, save_lead, store

__all__ = ["store"]  # the fixture, shared with the senders' tests
CODE = "FC-7K3QX"


async def attach(coach, db, clock) -> None:
    """Tell the coach a complaint, store a request, and ask for the report to go with it."""
    await save_lead(db, clock)  # (stores an empty conversation: the complaint comes after)
    await coach.handle(ANN, TextEvent(text="my calves are tight, 5/10"))
    async with db.transaction() as session:
        await leads.want_report(session, ANN.id, CODE, clock())


def documents(outlet: Outlet) -> list[Document]:
    return [r for r in outlet.to(STAFF) if isinstance(r, Document)]


async def test_the_report_follows_the_staff_message_once(store, knowledge: Knowledge) -> None:
    coach, db, clock = store
    await attach(coach, db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    assert await outbox.run_once() >= 1  # the request's row, and the row asking for the report
    clock.advance(minutes=5)
    assert await outbox.run_once() == 0
    announcement, pdf = outlet.to(STAFF)
    assert isinstance(announcement, Say) and CODE in announcement.text
    assert knowledge.say("staff_report_line") in announcement.text
    assert isinstance(pdf, Document) and pdf.filename == f"footcoach-report-{CODE}.pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "Self-care report for Ann" in text and "Tightness in the calf" in text
    async with db.transaction() as session:
        lead = await leads.by_code(session, CODE)
    assert lead is not None and lead.report_message_id == outlet.next_id


async def test_a_failed_report_is_retried_without_announcing_twice(
    store, knowledge: Knowledge
) -> None:
    coach, db, clock = store
    await attach(coach, db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)

    real_deliver = outlet.deliver
    calls = 0

    async def second_send_fails(chat_id, replies):
        nonlocal calls
        calls += 1
        if calls == 2:
            raise NotDelivered("network down")
        return await real_deliver(chat_id, replies)

    outlet.deliver = second_send_fails  # type: ignore[method-assign]
    await outbox.run_once()  # announced; the report failed, so its rows wait
    assert [type(r).__name__ for r in outlet.to(STAFF)] == ["Say"]
    clock.advance(minutes=10)
    await outbox.run_once()
    clock.advance(minutes=10)
    await outbox.run_once()
    # The retry edited the announcement instead of sending it again, and the report went once.
    assert [type(r).__name__ for r in outlet.to(STAFF)] == ["Say", "Document"]


async def test_a_refused_report_leaves_the_request_announced(store, knowledge: Knowledge) -> None:
    coach, db, clock = store
    await attach(coach, db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    real_deliver = outlet.deliver

    async def refuse_files(chat_id, replies):
        if any(isinstance(r, Document) for r in replies):
            raise Rejected("file too big")
        return await real_deliver(chat_id, replies)

    outlet.deliver = refuse_files  # type: ignore[method-assign]
    await outbox.run_once()
    clock.advance(minutes=10)
    assert await outbox.run_once() == 0  # nothing left to retry
    async with db.transaction() as session:
        lead = await leads.by_code(session, CODE)
    assert lead is not None and lead.staff_message_id is not None
    assert not lead.report_wanted and lead.report_message_id is None


async def test_forget_deletes_the_report_from_the_staff_chat(store, knowledge: Knowledge) -> None:
    coach, db, clock = store
    await attach(coach, db, clock)
    outlet = Outlet()
    outbox = StaffOutbox(db, knowledge, outlet, STAFF, clock=clock)
    await outbox.run_once()
    [pdf_id] = [outlet.next_id]
    [ask] = await coach.handle(ANN, CommandEvent(name="forget", args=""))
    assert isinstance(ask, Say)
    await press(coach, ANN, ask.choices[0].token)
    assert await outbox.run_once() == 1
    assert outlet.deleted == [(STAFF, pdf_id)]
    edit = outlet.edits[-1][2]
    assert "Ann" not in edit.text and knowledge.say("staff_report_line") not in edit.text
    async with db.transaction() as session:
        lead = await leads.by_code(session, CODE)
    assert lead is not None and lead.report_message_id is None
