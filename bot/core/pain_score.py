"""Pain scores on the 0-10 scale: found in what people write, and given as an answer.

Every flow reads a score through this module: the reader finds the ratings stated in a
message ("9/10", "an 8 out of ten", "pain is a 7", "I told him it was a 9", "right now it's a
9") and decides which is the writer's own, now (bot/core/reader.py); `answer_score` reads the
answer to "how bad is it, 0 to 10?" ("4", "about a 4", "it's a 4 I guess"). Dates ("7/10/2024",
"on 7/10"), times ("at 7:30", "9am"), sizes and counts ("size 9 shoes", "a 9 mile run", "9 out
of 10 people", "for 9 years") are not ratings. A range ("7-8/10", "7 or 8 out of 10") reads as
its top, because the reading errs towards caution. The thresholds (what counts as severe)
live in knowledge.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from bot.core.text import normalize

_WORD_NUMBERS = {
    "zero": 0.0, "one": 1.0, "two": 2.0, "three": 3.0, "four": 4.0, "five": 5.0,
    "six": 6.0, "seven": 7.0, "eight": 8.0, "nine": 9.0, "ten": 10.0,
}  # fmt: skip
_WORDS = "|".join(_WORD_NUMBERS)
# 11/10 is what people say when 10 is not enough; 12/10 and up is more often a date.
_DIGITS = r"11|10|[0-9](?:\.[0-9])?"
_NUMBER = rf"(?:{_DIGITS}|{_WORDS})"
_RANGE = r"\s*(?:-|to|or)\s*"

# What a number counts when it is no rating: "a 9 mile run", "a 10 minute walk", "an 8 hour
# shift", "a 2 year old", "size 9".
_UNITS = (
    r"(?!\s*-?\s*(?:[:.,]\d|%|°|am\b|pm\b|hours?|hrs?|days?|weeks?|wks?|months?|years?|yrs?|"
    r"yo\b|minutes?|mins?|seconds?|secs?|times?|x\b|oclock|o clock|percent|steps|miles?|mi\b|"
    r"km|k\b|kg|kilos?|lbs?|pounds?|stone|st\b|inch|inches|cm|mm|ft\b|degrees?|toes?|"
    r"feet|foot|people|persons?|point|pack|year|nights?|th\b|mph|kph|size))"
)
# "9 out of 10 people", "8 of 10 runners": a share of people, not a rating.
_SHARE = (
    r"(?!\s+(?:people|persons|of\b|runners|patients|doctors|podiatrists|physios|cases|times|"
    r"women|men|adults|kids|children|folks|users|experts|dentists))"
)

_SLASH = re.compile(
    rf"(?<![\w/.:,])(?P<low>{_DIGITS})(?:{_RANGE}(?P<high>{_DIGITS}))?\s*/\s*10(?![\w/]|[.,]\d)"
)
_OUT_OF = re.compile(
    rf"(?<![\w/.:,])(?P<low>{_NUMBER})(?:{_RANGE}(?P<high>{_NUMBER}))?"
    rf"\s*(?:out of|outta|outa|of)\s*(?:10|ten)\b(?![/.,]\d){_SHARE}"
)
# "pain is a 9", "my pain level is about 8", "I'd rate it a 7", "rate the pain at 6".
_FILLER = (
    r"(?:\s+(?:a|an|about|around|like|maybe|probably|roughly|easily|solid|strong|good|"
    r"currently|now|today|at|as|honestly|seriously|definitely|prob|def))*"
)
_STATED = re.compile(
    r"\b(?:(?:pain|ache|soreness|discomfort)(?:\s+(?:level|score|rating))?"
    r"(?:\s+(?:is|was|s|sits|stays|of|at))?"
    r"|(?:id\s+)?(?:rate|rated|rating|score|scored)(?:\s+(?:it|my pain|the pain|mine))?"
    r"(?:\s+(?:is|was|as|at))?)"
    rf"{_FILLER}\s+(?P<low>{_NUMBER})\b{_UNITS}"
)
# "it's a 9", "I told him it was a 9", "its an 8 at night", "I'd say a 7 or 8", "I'm at a 6",
# "my dad's is a 9 but mine is a 3" (the writer's own, said apart from another's):
# a number with an article after "it is" or the like. "one" is left out ("it's a one-off").
_SAID_NUMBER = rf"(?:{_DIGITS}|{'|'.join(w for w in _WORD_NUMBERS if w != 'one')})"
_SAID = re.compile(
    r"\b(?:its|it is|it was|it s|thats|that is|that was|id say|i would say|i said|"
    r"im at|i am at|i was at|its at|sits at|its like|it was like|was like|"
    r"mine is|mine was|mines|mine s)"
    r"(?:\s+(?:like|about|around|probably|maybe|easily|definitely|honestly|currently|"
    r"now|still|already|solid|more like|at least|at|prob|def|def a))*"
    rf"\s+(?:a|an)\s+(?P<low>{_SAID_NUMBER})(?:{_RANGE}(?:a |an )?(?P<high>{_SAID_NUMBER}))?"
    rf"\b{_UNITS}(?![/-]\d)"
)
# A date is introduced by these; "on 7/10" is the seventh of October, not a rating.
_DATE_BEFORE = re.compile(r"\b(?:on|since|from|until|till|til|by|before|after|dated?)\s*$")


@dataclass(frozen=True, slots=True)
class PainScore:
    """A pain rating and where in the text it was found."""

    score: int
    start: int
    end: int
    words: str


def _value(number: str | None) -> float | None:
    """Return a matched number, written in digits or words, as a float."""
    if number is None:
        return None
    if number in _WORD_NUMBERS:
        return _WORD_NUMBERS[number]
    return float(number)


def _round_half_up(value: float) -> int:
    """Return a rating rounded half up and kept within 0-10."""
    return min(10, max(0, math.floor(value + 0.5)))


def find_pain_scores(text: str) -> list[PainScore]:
    """Return every pain rating stated in normalized `text`, in order, one per number.

    `start` is where the number itself starts, so that the reader can place it among words.
    """
    found: dict[int, PainScore] = {}
    for pattern in (_SLASH, _OUT_OF, _STATED, _SAID):
        for match in pattern.finditer(text):
            if _DATE_BEFORE.search(text, max(0, match.start() - 12), match.start()):
                continue
            low = _value(match.group("low"))
            high = _value(match.groupdict().get("high"))
            if low is None:
                continue
            score = _round_half_up(max(low, high) if high is not None else low)
            at = match.start("low")
            if at not in found or score > found[at].score:
                found[at] = PainScore(score, at, match.end(), match.group().strip())
    return [found[at] for at in sorted(found)]


def find_pain_score(text: str) -> PainScore | None:
    """Return the highest pain rating stated in normalized `text`, or None."""
    scores = find_pain_scores(text)
    return max(scores, key=lambda s: s.score) if scores else None


# The buttons of a 0-10 question: each label is its own value.
PAIN_SCALE = tuple(str(n) for n in range(11))
_BARE_SCORE = re.compile(r"^\s*(\d{1,2})\s*(?:/\s*10|out of 10)?\s*[.!]*\s*$", re.IGNORECASE)
_BARE_DECIMAL = re.compile(r"^\s*(\d{1,2}\.\d)\s*(?:/\s*10|out of 10)?\s*[.!?]*\s*$")
_ANY_NUMBER = re.compile(r"(?<![\d.:/])(\d{1,2})(?:ish)?(?![\d.:/])")
# "five", "fiveish": a number in words, with or without the hedge.
_NUMBER_WORD = re.compile(rf"\b({_WORDS})(?:ish)?\b")
# "4 or 5", "4-5", "4 to 5", "6 maybe 7", "4, maybe 5": a range reads as its top, as in a
# stated rating.
_ANSWER_RANGE = re.compile(
    r"^\D*?(\d{1,2})\s*(?:(?:-|to|or|and|/|,)\s*(?:maybe|perhaps|possibly|probably|even)?"
    r"|(?:maybe|perhaps|possibly|probably|even))\s*(?:a\s+|an\s+)?(\d{1,2})\D*$"
)
# Scores told for different times or activities ("5 when I walk, 2 sitting down"): one to a
# clause. The one said to be now counts; else the worst, as a range reads as its top.
CLAUSE_BREAK = re.compile(r"[,;]|\b(?:but|and|while|whereas|though)\b")
_CLAUSE_NUMBER = re.compile(rf"(?<![\d.:/])\b(\d{{1,2}}|{_WORDS})(?:ish)?\b{_UNITS}(?![\d.:/])")
_NOW = re.compile(r"\b(?:now|today|currently|atm|at the moment|at present|this morning|tonight)\b")


_NEGATIVE = re.compile(r"^\s*[-−]\s*\d")
# "the left one", "just one foot", "only one side", "on one leg": which one, not how bad.
_ONE_OF_SEVERAL = re.compile(
    r"\b(?:left|right|the|this|that|just|only|on|in|with|every|each|no|other)\s+one\b"
    r"|\bone\s+(?:foot|feet|side|leg|legs|ankle|calf|heel|toe|of|more|day|time|thing)\b"
)


_OFF_SCALE = re.compile(r"^\s*(?:[-−]\s*\d+|\d{2,})\s*(?:/\s*10|out of 10)?\s*[.!]*\s*$")


def off_scale(text: str) -> bool:
    """Say whether a message is only a number off the 0-10 scale ("12", "-1")."""
    return _OFF_SCALE.match(text) is not None and bare_score(text) is None


def bare_score(text: str) -> int | None:
    """Return the score of a message that is only a number from 0 to 10, else None."""
    match = _BARE_SCORE.match(text)
    if match is None:
        return None
    value = int(match.group(1))
    return value if 0 <= value <= 10 else None


def answer_score(text: str) -> int | None:
    """Return the answer to "how bad, 0 to 10?": a bare number, a stated score, or the one
    number said ("about a 4 I guess"); None when there is no single score in it."""
    bare = bare_score(text)
    if bare is not None:
        return bare
    decimal = _BARE_DECIMAL.match(text)
    if decimal is not None and float(decimal.group(1)) <= 10:
        return _round_half_up(float(decimal.group(1)))  # "4.5" is 5, as "4.5/10" is
    folded = normalize(text, 2_000)
    stated = find_pain_score(folded)
    if stated is not None:
        return stated.score
    ranged = _ANSWER_RANGE.match(folded)
    if ranged and folded.count("/10") == 0:
        low, high = int(ranged.group(1)), int(ranged.group(2))
        if 0 <= low < high <= 10:
            return high
    if _NEGATIVE.match(folded):
        return None  # "-1" is below the scale, not a 1
    numbers = {int(n) for n in _ANY_NUMBER.findall(folded)}
    numbers |= {
        int(_WORD_NUMBERS[w]) for w in _NUMBER_WORD.findall(_ONE_OF_SEVERAL.sub(" ", folded))
    }
    if len(numbers) == 1:
        (value,) = numbers
        return value if 0 <= value <= 10 else None
    return _score_by_clause(folded, len(numbers))


def _score_by_clause(folded: str, count: int) -> int | None:
    """Return the score of an answer that tells one score to each clause, or None.

    "5 when I walk, 2 sitting down" is 5 (the worst); "8 yesterday, 3 today" is 3 (now).
    Every number in the answer must be one of these scores, each alone in its clause.
    """
    told: list[tuple[int, bool]] = []
    for clause in CLAUSE_BREAK.split(folded):
        found = _CLAUSE_NUMBER.findall(clause)
        if len(found) > 1:
            return None
        if found:
            number = found[0]
            value = int(_WORD_NUMBERS[number]) if number in _WORD_NUMBERS else int(number)
            told.append((value, bool(_NOW.search(clause))))
    if len(told) < 2 or len(told) != count or not all(0 <= v <= 10 for v, _ in told):
        return None
    now = [value for value, is_now in told if is_now]
    if len(now) == 1:
        return now[0]
    return max(value for value, _ in told)
