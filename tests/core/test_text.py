"""Which messages are in another language (bot/core/text.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.core.knowledge import Knowledge
from bot.core.text import cut_at_word, in_other_language

REAL_SENTENCES = Path(__file__).parent / "data" / "real_sentences"


@pytest.mark.parametrize(
    "text",
    [
        "mi pie me duele mucho",
        "j'ai mal au pied depuis une semaine",
        "Ich habe Schmerzen in der Ferse",
        "mijn voet doet pijn",
        "мне больно ходить",
        "足が痛いです",
    ],
)
def test_another_language_is_told(knowledge: Knowledge, text: str) -> None:
    assert in_other_language(text, knowledge.answers.other_languages), text


@pytest.mark.parametrize(
    "text",
    [
        "my calves are super tight",
        "weeak ankels",
        "y does my foot hurt",
        "the pie fell on my foot",
        "😭😭",
        "",
        "12345",
        # one foreign word in an English sentence is no other language
        "my heel is sore, muy mal",
    ],
)
def test_english_is_not_taken_for_another_language(knowledge: Knowledge, text: str) -> None:
    assert not in_other_language(text, knowledge.answers.other_languages), text


def test_no_real_english_sentence_is_taken_for_another_language(knowledge: Knowledge) -> None:
    # The tunable splits only: the test split is never read outside the reader's report.
    texts = [
        item["text"]
        for name in ("dev", "dev2", "dev3", "dev4")
        for item in yaml.safe_load((REAL_SENTENCES / f"{name}.yaml").read_text())["sentences"]
    ]
    assert len(texts) > 1000
    flagged = [t for t in texts if in_other_language(t, knowledge.answers.other_languages)]
    assert flagged == []


@pytest.mark.parametrize(
    ("text", "limit", "cut"),
    [
        ("short enough", 20, "short enough"),
        ("heel hurts in the morning", 12, "heel hurts…"),  # not "heel hurts i…"
        ("heel hurts, mornings", 13, "heel hurts…"),  # no dangling comma before the mark
        ("a" * 30, 10, "a" * 9 + "…"),  # one long word is cut anyway
    ],
)
def test_a_long_text_is_cut_at_a_word_and_marked(text: str, limit: int, cut: str) -> None:
    assert cut_at_word(text, limit) == cut
    assert len(cut_at_word(text, limit)) <= limit
