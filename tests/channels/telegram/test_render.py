"""The Renderer against the fake Bot API: long text split at paragraphs, escaped for HTML."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import pytest
from telegram import Bot

from bot.channels.telegram.render import MAX_TEXT, Renderer, keyboard, merge_replies
from bot.core.replies import AskPhone, Choice, Picture, Say
from tests.channels.telegram.people import shown
from tests.conftest import TOKEN
from tests.fakebot import FakeBotAPI

CHAT = 77
FOOT = "\N{FOOT}"  # outside the BMP: two UTF-16 units, which is how Telegram counts


@pytest.fixture
async def renderer(api: FakeBotAPI) -> AsyncIterator[Renderer]:
    """A Renderer on a real PTB Bot talking to the fake server."""
    async with Bot(TOKEN, base_url=api.base_url) as bot:
        yield Renderer(bot)


def paragraphs(count: int, size: int, filler: str) -> list[str]:
    """Return `count` distinct paragraphs of two lines, about `size` characters in all."""
    line = (filler * size)[: size // 2].strip()
    return [f"Paragraph {n}:\n{line}\n{line}" for n in range(count)]


def visible_units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


async def test_long_text_is_split_at_paragraphs_with_the_buttons_on_the_last_piece(api, renderer):
    parts = paragraphs(30, 400, "calf & <heel> ")
    text = "\n\n".join(parts)
    assert len(text) > 3 * 4096
    markup = keyboard([Choice(token="1.next", label="Next")])
    sent = await renderer.text(CHAT, text, markup)

    messages = api.messages(CHAT)
    assert len(messages) == len(sent) >= 4
    pieces = [shown(m) for m in messages]
    assert "\n\n".join(pieces) == text, "nothing lost, nothing added, order kept"
    for piece in pieces:
        assert visible_units(piece) <= 4096
        # Each piece is whole paragraphs: it starts where one starts and ends where one ends.
        assert piece.startswith("Paragraph ") and piece.split("\n\n")[-1] in parts
    assert [m.button_texts for m in messages] == [[]] * (len(messages) - 1) + [["Next"]]
    assert all(m.parse_mode == "HTML" for m in messages)


async def test_a_list_longer_than_a_message_keeps_its_lines(api, renderer):
    # Like the staff's list of callback requests: one line each, no blank lines between.
    lines = [f"FC-{n:05d}  2026-11-25 09:00  open  Ann & Bob  +447400123456" for n in range(200)]
    text = "\n".join(lines)
    await renderer.text(CHAT, text)
    pieces = [shown(m) for m in api.messages(CHAT)]
    assert len(pieces) >= 3
    assert "\n".join(pieces) == text, "split between lines, and only there"


async def test_a_paragraph_longer_than_a_message_is_split_at_lines_and_words(api, renderer):
    words = " ".join(f"word{n}" for n in range(1500))  # one line of ~13,000 characters
    text = f"Intro\n\n{words}\nlast line"
    await renderer.text(CHAT, text)
    pieces = [shown(m) for m in api.messages(CHAT)]
    assert len(pieces) >= 4
    assert all(visible_units(p) <= 4096 for p in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split()), "every word, in order"
    assert all(not p.startswith(" ") and not p.endswith(" ") for p in pieces)


async def test_escaping_is_counted_but_telegram_counts_what_is_shown(api, renderer):
    # Escaped, each & grows to five characters; Telegram counts the shown text. The split
    # may be cautious, but every piece must be accepted and read back exactly.
    text = "\n\n".join(["&" * 1000, "<" * 1000, "a > b & c < d " * 100])
    await renderer.text(CHAT, text)
    pieces = [shown(m) for m in api.messages(CHAT)]
    assert len(pieces) > 1
    assert re.sub(r"\s", "", "".join(pieces)) == re.sub(r"\s", "", text), "all of it, in order"
    assert [r.status for r in api.requests("sendMessage")] == [200] * len(pieces)


async def test_characters_outside_the_bmp_count_twice(api, renderer):
    # Telegram's 4096 is in UTF-16 units: a foot emoji is two of them.
    text = "\n\n".join([FOOT * 1500] * 3)
    await renderer.text(CHAT, text)
    pieces = [shown(m) for m in api.messages(CHAT)]
    assert "\n\n".join(pieces) == text
    assert all(visible_units(p) <= 4096 for p in pieces)
    refused = [r.description for r in api.requests("sendMessage") if not r.ok]
    assert refused == []


YES = (Choice(token="1.yes", label="Yes"),)
# The Telegram question speaks of its share button; `typed_text` is for channels without one.
ASK_PHONE = AskPhone(
    text="Your number?", share_label="Share", cancel_label="Cancel", typed_text="Type it?"
)


@pytest.mark.parametrize(
    ("replies", "texts"),
    [
        # A plain message joins the question after it, which keeps its buttons.
        ([Say(text="Hi!"), Say(text="Which?", choices=YES)], ["Hi!\n\nWhich?"]),
        ([Say(text="a"), Say(text="b"), Say(text="c")], ["a\n\nb\n\nc"]),
        ([Say(text="Too short."), ASK_PHONE], ["Too short.\n\nYour number?"]),
        # A message with buttons, or one that removes the phone keyboard, stays on its own.
        ([Say(text="Which?", choices=YES), Say(text="x")], ["Which?", "x"]),
        ([Say(text="Saved.", clear_keyboard=True), Say(text="When?")], ["Saved.", "When?"]),
        ([Say(text="Here:"), Picture(png=b"png", caption="c")], ["Here:", None]),
        # Two that together would not fit one message are sent as two.
        ([Say(text="x" * (MAX_TEXT - 5)), Say(text="tail")], ["x" * (MAX_TEXT - 5), "tail"]),
    ],
)
def test_plain_replies_join_the_next_one(replies, texts):
    merged = merge_replies(replies)
    assert [getattr(r, "text", None) for r in merged] == texts
    assert merged[-1].model_dump(exclude={"text", "key"}) == replies[-1].model_dump(
        exclude={"text", "key"}
    )


async def test_a_step_of_two_replies_is_one_message(api: FakeBotAPI, renderer: Renderer):
    await renderer.send(CHAT, [Say(text="Hi <you>!"), Say(text="Which?", choices=YES)])
    [message] = api.messages(CHAT)
    assert shown(message) == "Hi <you>!\n\nWhich?"
    assert message.button_texts == ["Yes"]
