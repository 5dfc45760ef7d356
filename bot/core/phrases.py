"""Find listed phrases in a token sequence: an index keyed by first word, `*` gaps allowed.

A phrase is a sequence of word keys (see `text.key`) with optional `*` gaps that stand for up
to `max_gap` tokens of any kind. A phrase never spans two clauses, and a gap never swallows a
barrier token (a negation terminator such as "but"). `#` stands for any number written in
digits ("when i was #" matches "when I was 15"); a listed number is one too ("type 2"); `#year`
stands for a year ("in #year" matches "in 2009"), which `#` does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import NamedTuple

from bot.core.text import key

GAP = "*"
NUMBER = "#"
# A year written in digits ("in 2009"): a time of its own, not just any number.
YEAR = "#year"
_YEARS = range(1900, 2100)


def number_key(word: str) -> str:
    """Return the matching key of a word of digits: a year (1900-2099) or any number."""
    return YEAR if len(word) == 4 and word.isascii() and int(word) in _YEARS else NUMBER


@dataclass(frozen=True, slots=True)
class Phrase:
    """One listed phrase and what it stands for."""

    parts: tuple[str, ...]
    kind: str
    target: str
    locations: frozenset[str] = frozenset()
    alone: bool = False
    opening: bool = False

    @property
    def size(self) -> int:
        """Return the number of words in the phrase, gaps not counted."""
        return sum(part != GAP for part in self.parts)


class Hit(NamedTuple):
    """One phrase found at tokens [start, end)."""

    phrase: Phrase
    start: int
    end: int
    word_positions: tuple[int, ...]


def split_phrase(text: str) -> tuple[str, ...]:
    """Return the matching keys of a listed phrase ("cant feel * toes")."""
    parts: list[str] = []
    for raw in text.replace("'", "").split():
        part = GAP if raw == GAP else NUMBER if raw.isdigit() else key(raw)
        if part == GAP and (not parts or parts[-1] == GAP):
            continue
        parts.append(part)
    while parts and parts[-1] == GAP:
        parts.pop()
    return tuple(parts)


class PhraseIndex:
    """All listed phrases, keyed by their first word, longest first."""

    def __init__(self, phrases: Iterable[Phrase], max_gap: int) -> None:
        """Group the phrases by first word, longest first."""
        by_first: dict[str, list[Phrase]] = {}
        for phrase in phrases:
            if phrase.parts:
                by_first.setdefault(phrase.parts[0], []).append(phrase)
        self._by_first = {
            first: tuple(sorted(group, key=lambda p: -len(p.parts)))
            for first, group in by_first.items()
        }
        self.max_gap = max_gap

    def words(self) -> set[str]:
        """Return every word key used in any phrase."""
        return {
            part
            for group in self._by_first.values()
            for phrase in group
            for part in phrase.parts
            if part != GAP
        }

    def find(
        self,
        keys: Sequence[str],
        clauses: Sequence[int],
        barriers: Sequence[bool],
        limit: int = 1_000_000,
        limited: frozenset[str] = frozenset(),
    ) -> list[Hit]:
        """Return the occurrences of every phrase, at most `limit` each for `limited` kinds."""
        hits: list[Hit] = []
        found: dict[int, int] = {}
        by_first = self._by_first
        count = len(keys)
        reach = self.max_gap + 2
        for start, first in enumerate(keys):
            group = by_first.get(first)
            if group is None:
                continue
            following = keys[start + 1] if start + 1 < count else None
            nearby: set[str] | None = None
            for phrase in group:
                parts = phrase.parts
                # Most phrases fail on their second word: rule them out before the full walk.
                if len(parts) > 1:
                    if parts[1] != GAP:
                        if parts[1] != following:
                            continue
                    else:
                        if nearby is None:
                            nearby = set(keys[start + 1 : start + reach])
                        if parts[2] not in nearby:
                            continue
                positions = self._match(parts, keys, clauses, barriers, start)
                if positions is None:
                    continue
                if phrase.kind in limited:
                    times = found.get(id(phrase), 0)
                    if times >= limit:
                        continue
                    found[id(phrase)] = times + 1
                hits.append(Hit(phrase, start, positions[-1] + 1, positions))
        return hits

    def _match(
        self,
        parts: tuple[str, ...],
        keys: Sequence[str],
        clauses: Sequence[int],
        barriers: Sequence[bool],
        start: int,
    ) -> tuple[int, ...] | None:
        """Return the token positions of the phrase's words from `start`, or None."""
        # Walk the parts left to right; at a gap, try the shortest filler first.
        clause = clauses[start]
        positions = [start]
        index = start + 1
        part_no = 1
        count = len(keys)
        while part_no < len(parts):
            part = parts[part_no]
            if part == GAP:
                wanted = parts[part_no + 1]
                found = -1
                for skip in range(self.max_gap + 1):
                    at = index + skip
                    if at >= count or clauses[at] != clause:
                        break
                    if keys[at] == wanted:
                        found = at
                        break
                    if barriers[at]:
                        break
                if found < 0:
                    return None
                positions.append(found)
                index = found + 1
                part_no += 2
                continue
            if index >= count or clauses[index] != clause or keys[index] != part:
                return None
            positions.append(index)
            index += 1
            part_no += 1
        return tuple(positions)
