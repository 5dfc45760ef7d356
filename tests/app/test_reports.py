"""/report and `footcoach report`: the PDF made from what the person told the bot."""

from __future__ import annotations

import asyncio
import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from bot.__main__ import main
from bot.app.coach import Person
from bot.core.events import CommandEvent, TextEvent
from bot.core.knowledge import Knowledge
from bot.core.replies import Document, Reply
from tests.conftest import KNOWLEDGE_DIR
from tests.support import Clock, make_coach, reply_key

ANN = Person(id=77, first_name="Ann")


def pdf_text(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    return "\n".join(page.extract_text() for page in reader.pages)


def documents(replies: list[Reply]) -> list[Document]:
    return [r for r in replies if isinstance(r, Document)]


async def test_report_sends_a_pdf_of_what_the_person_told(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    coach, db = await make_coach(knowledge, tmp_path, Clock())
    try:
        for text in ("my calves are tight, 6/10", "None of these"):
            await coach.handle(ANN, TextEvent(text=text))
        await coach.handle(ANN, CommandEvent(name="checkin", args="5"))
        await coach.handle(ANN, TextEvent(text="yes"))
        replies = await coach.handle(ANN, CommandEvent(name="report"))
        [pdf] = documents(replies)
        assert pdf.filename == "footcoach-report.pdf" and pdf.content.startswith(b"%PDF")
        assert "report_sent" in [reply_key(r) for r in replies]
        text = pdf_text(pdf.content)
        assert "Self-care report for Ann" in text
        assert "Tightness in the calf" in text
        assert "Not a diagnosis" in text
        assert str(ANN.id) not in text
    finally:
        await db.close()


async def test_a_newcomer_is_told_what_a_report_needs_and_gets_no_file(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    coach, db = await make_coach(knowledge, tmp_path, Clock())
    try:
        replies = await coach.handle(ANN, CommandEvent(name="report"))
        assert [reply_key(r) for r in replies] == ["report_empty"]
    finally:
        await db.close()


@pytest.fixture
def settings_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE_DIR))
    monkeypatch.setenv("DATA_DIR", str(tmp_path / "data"))
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path


def test_footcoach_report_writes_the_same_pdf(
    settings_env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from bot.bootstrap import open_components
    from bot.config import load_settings

    async def talk() -> None:
        components = await open_components(load_settings())
        try:
            for text in ("my arches ache", "None of these"):
                await components.coach.handle(ANN, TextEvent(text=text))
        finally:
            await components.close()

    asyncio.run(talk())
    out = settings_env / "ann.pdf"
    assert main(["report", "--user", str(ANN.id), "--out", str(out)]) == 0
    assert str(out) in capsys.readouterr().out
    text = pdf_text(out.read_bytes())
    assert "Self-care report for Ann" in text and "arch" in text

    assert main(["report", "--user", "999", "--out", str(settings_env / "x.pdf")]) == 1
    assert "no person with user id 999" in capsys.readouterr().err
    assert not (settings_env / "x.pdf").exists()


async def test_a_file_asked_for_mid_routine_comes_before_the_way_back(
    knowledge: Knowledge, tmp_path: Path
) -> None:
    # The card the person was at used to come between "Here is your report" and the file.
    coach, db = await make_coach(knowledge, tmp_path, Clock())
    try:
        for text in ("sore heels", "4", "None of these", "Done", "just right"):
            await coach.handle(ANN, TextEvent(text=text))
        for command, announced in (("report", "report_sent"), ("mydata", "mydata_sent")):
            replies = await coach.handle(ANN, CommandEvent(name=command))
            kinds = [reply_key(r) for r in replies]
            assert kinds[:2] == [announced, "document"], kinds
            assert len(kinds) > 2, "and then the way back to the card"
    finally:
        await db.close()
