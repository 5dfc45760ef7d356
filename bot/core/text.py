"""Turn a raw chat message into lower-case word tokens grouped in clauses.

Pure string work shared by the reader and the pain-score finder: no knowledge, no I/O.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

# Apostrophe look-alikes people type or phones substitute; all fold to "'" and then vanish
# inside a word, so "can't", "can’t" and "cant" are one token.
_APOSTROPHES = str.maketrans({c: "'" for c in "’‘`´ʼ′ʹꞌ＇"})
_INNER_APOSTROPHE = re.compile(r"(?<=\w)'(?=\w)")
# Sentence and clause punctuation ends a negation scope and a `*` gap; a run counts once.
# Quotes do not: in chat they mark a word ("I felt a "pop""), not a clause.
_BOUNDARY_CHARS = ".!?;:,\n…()[]{}|"
_IN_NUMBERS = frozenset({".", ":", ","})
_SENTENCE_ENDS = frozenset(".!?…\n")
_RUN = re.compile(r"(.)\1{2,}")
# Irregular plurals and the usual misspelling of them, so that "feet" matches "foot".
_IRREGULAR = {"feet": "foot", "calves": "calf", "calfs": "calf", "calve": "calf"}


@dataclass(frozen=True, slots=True)
class Tokens:
    """Word tokens of one message, with where each starts and which clause it is in.

    `after_comma` marks a token that opens a clause after a comma alone (not a full stop):
    a list may go on there ("no numbness, tingling or swelling"). `sentences` numbers the
    sentences (ended by a full stop, a question or exclamation mark, an ellipsis or a line).
    """

    words: tuple[str, ...]
    starts: tuple[int, ...]
    clauses: tuple[int, ...]
    after_comma: tuple[bool, ...] = ()
    sentences: tuple[int, ...] = ()


def normalize(text: object, max_chars: int) -> str:
    """Return `text` NFKC-folded, lower-cased, apostrophes dropped, cut to `max_chars`."""
    if not isinstance(text, str) or not text:
        return ""
    # Cut before folding too: NFKC can grow a string, and a huge message must stay cheap.
    text = unicodedata.normalize("NFKC", text[: max_chars * 2]).lower()
    text = _INNER_APOSTROPHE.sub("", text.translate(_APOSTROPHES)).replace("&", " and ")
    return text[:max_chars]


def cut_at_word(text: str, limit: int) -> str:
    """Return `text` if it fits in `limit` characters, else its start cut at a word's end and
    marked with "…" (the mark counts), so a note is never cut mid-word nor cut unmarked."""
    if len(text) <= limit:
        return text
    head = text[: limit - 1]
    if not text[limit - 1].isspace():  # the cut falls inside a word: leave that word out
        before, space, _ = head.rpartition(" ")
        head = before if space and before.strip() else head  # one long word is cut anyway
    return head.rstrip(" ,;:-–") + "…"


_PUNCTUATION = re.compile(r"[^\w\s:+-]")
_SPACES = re.compile(r"\s+")


def fold_phrase(text: object, max_chars: int = 300) -> str:
    """Return `text` normalized, its punctuation (but ":", "+", "-") turned into spaces and
    its spaces collapsed: how a listed phrase and a message are compared."""
    return _SPACES.sub(" ", _PUNCTUATION.sub(" ", normalize(text, max_chars))).strip()


def _token_pattern(symbols: frozenset[str]) -> re.Pattern[str]:
    """Return the tokenizing regex: words, listed symbols, clause punctuation."""
    # Symbols (emoji such as the foot) are tokens only when the vocabulary names them.
    alternatives = "|".join(re.escape(s) for s in sorted(symbols, key=len, reverse=True))
    boundary = "[" + re.escape(_BOUNDARY_CHARS) + "]+"
    extra = f"|{alternatives}" if alternatives else ""
    return re.compile(rf"[^\W_]+{extra}|(?P<b>{boundary})")


class Tokenizer:
    """Split normalized text into word tokens, counting clauses at punctuation."""

    def __init__(self, symbols: frozenset[str] = frozenset()) -> None:
        """Prepare the pattern, with the symbols the vocabulary names."""
        self._pattern = _token_pattern(symbols)

    def tokens(self, text: str, max_tokens: int = 4000) -> Tokens:
        """Return the word tokens of normalized `text`, at most `max_tokens` of them."""
        words: list[str] = []
        starts: list[int] = []
        clauses: list[int] = []
        after_comma: list[bool] = []
        sentences: list[int] = []
        clause = sentence = 0
        comma = False
        for match in self._pattern.finditer(text):
            boundary = match.group("b")
            if boundary in _IN_NUMBERS and _between_digits(text, match.start(), match.end()):
                continue  # "10:00", "1.5", "1,000": one number, no clause ends
            if boundary is not None:
                clause += 1
                comma = set(boundary) == {","}
                # "1.5 miles" and "e.g." end no sentence: a stop must be followed by a space
                glued = match.end() < len(text) and text[match.end()].isalnum()
                ends = _SENTENCE_ENDS & set(boundary) and not glued
                if ends and sentences and sentences[-1] == sentence:
                    sentence += 1
                continue
            words.append(match.group())
            starts.append(match.start())
            clauses.append(clause)
            after_comma.append(comma)
            sentences.append(sentence)
            comma = False
            if len(words) >= max_tokens:
                break
        return Tokens(
            tuple(words), tuple(starts), tuple(clauses), tuple(after_comma), tuple(sentences)
        )


def _between_digits(text: str, start: int, end: int) -> bool:
    """Say whether text[start:end] has a digit on either side."""
    return start > 0 and end < len(text) and text[start - 1].isdigit() and text[end].isdigit()


def collapse_runs(word: str, keep: int) -> str:
    """Return `word` with every run of 3+ equal letters cut to `keep` letters ("tiiight")."""
    return _RUN.sub(lambda m: m.group(1) * keep, word)


def key(word: str) -> str:
    """Return the matching key of a word: irregular plurals folded, a plural "s" dropped."""
    irregular = _IRREGULAR.get(word)
    if irregular is not None:
        return irregular
    if len(word) > 3 and word[-1] == "s" and word[-2] not in "siu":
        return word[:-1]
    return word


# Letters of a script other than Latin ("мне больно", "足が痛い") are another language whatever
# the words; Latin ones are told apart by their words.
_WORD = re.compile(r"[^\W\d_]+")


def in_other_language(text: object, foreign_words: frozenset[str]) -> bool:
    """Say whether a message is mostly in a language other than English.

    Most of its letters are of another script, or at least two of its words, and at least half,
    are words common in other languages and rare in English (`foreign_words`).
    """
    folded = normalize(text, 400)
    letters = [c for c in folded if c.isalpha()]
    if not letters:
        return False
    other_script = sum(1 for c in letters if "LATIN" not in unicodedata.name(c, "LATIN"))
    if other_script * 2 > len(letters):
        return True
    words = _WORD.findall(folded)
    foreign = sum(1 for w in words if w in foreign_words)
    return foreign >= 2 and foreign * 2 >= len(words)
