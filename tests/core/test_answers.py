"""One way to answer any question: typed answers matched to the choices, days, times, scores."""

from __future__ import annotations

from datetime import time
from pathlib import Path

import pytest

from bench.bench_answers import score
from bot.core.answers import AnswerMatcher, is_question
from bot.core.dialogue import Engine
from bot.core.knowledge import Knowledge
from bot.core.pain_score import answer_score
from bot.core.reminders import Days, parse_days
from bot.core.turn import EngineConfig

DEV = Path(__file__).parent / "data" / "answers_dev.yaml"


@pytest.fixture(scope="module")
def matcher(knowledge: Knowledge) -> AnswerMatcher:
    return AnswerMatcher(knowledge)


def test_the_dev_answers_are_all_understood_at_first_try(knowledge: Knowledge) -> None:
    """The tuning set (never the held-back one in bench/data) stays fully understood."""
    engine = Engine(knowledge, config=EngineConfig(default_phone_region="GB"))
    misses: list[str] = []
    understood, asked, _ = score(engine, DEV, misses)
    assert sum(asked.values()) >= 150
    assert misses == []
    assert understood == asked


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("after 5pm", "evening"),
        ("evenings", "evening"),
        ("evning", "evening"),
        ("mornings are best", "morning"),
        ("doesn't matter", "anytime"),
        ("no idea what you mean", None),
    ],
)
def test_a_typed_answer_picks_the_choice_it_points_at(matcher, text, expected) -> None:
    choices = ("morning", "afternoon", "evening", "anytime")
    labels = ("Morning", "Afternoon", "Evening", "Any time")
    assert matcher.match(text, choices, labels) == expected


def test_a_long_message_is_left_to_the_reader(matcher) -> None:
    choices = ("tightness", "cramping")
    labels = ("Tightness", "Cramping")
    assert matcher.match("no cramping but my calves are tight today", choices, labels) is None
    assert matcher.match("cramping", choices, labels) == "cramping"


@pytest.mark.parametrize(
    ("text", "question"),
    [
        ("what does 0 mean?", True),
        ("is 10 the worst?", True),
        ("a 5?", False),
        ("4", False),
        ("does 10 mean the worst ever", True),
    ],
)
def test_a_question_is_told_from_an_unsure_answer(text, question) -> None:
    assert is_question(text) is question


@pytest.mark.parametrize(
    ("text", "expected"),
    [("4 or 5", 5), ("between 3 and 4", 4), ("two", 2), ("zero!", 0), ("7:30", None)],
)
def test_answer_scores_read_ranges_as_their_top_and_words_as_numbers(text, expected) -> None:
    assert answer_score(text) == expected


def test_pain_and_times_in_words(matcher) -> None:
    assert matcher.pain_in_words("not too bad") == 3
    assert matcher.pain_in_words("pretty bad") == 7
    assert matcher.time_in_words("before bed") == time(21, 30)
    assert matcher.time_in_words("banana") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("every day", "daily"),
        ("not at the weekend", "weekdays"),
        ("weekends only", "weekends"),
        ("mon wed fri", "d:1010100"),
        ("every day except fridays", "d:1111011"),
        ("monday to thursday", "d:1111000"),
        ("remind me at 7", None),
    ],
)
def test_days_in_words(text, expected) -> None:
    found = parse_days(text)
    assert (found.value if found else None) == expected


def test_days_keep_one_spelling_and_refuse_nonsense() -> None:
    assert Days.of(frozenset(range(7))) == Days.daily
    assert Days("d:1111100") == Days.weekdays
    with pytest.raises(ValueError):
        Days("sometimes")
    with pytest.raises(ValueError):
        Days.of(frozenset())
