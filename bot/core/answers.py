"""One way to answer any question: a typed answer matched to the choices the question offers.

Every question with buttons also takes text. The engine asks this module before anything
else reads the text: the button's own label, any synonym knowledge/language.yaml lists for
that choice ("after 5pm" for Evening, "weekdays" for Weekdays only, "all over" for The whole
foot), or a near miss of either ("evning"). A question that offers a yes and a no also takes
"yes please" and "nope". Only an answer that points at one choice is taken; anything else is
left to the question's own reading and then to the engine's.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from datetime import time

from rapidfuzz import fuzz
from rapidfuzz.distance import OSA

from bot.core.knowledge import Knowledge
from bot.core.text import fold_phrase, normalize

# Below this similarity (0-100) a typed answer is not a near miss of a label or synonym.
_FUZZY_CUTOFF = 86.0
# Or one slip in a word of 5+ letters ("agian"), two in one of 8+, as the reader allows.
_SLIPS = ((8, 2), (5, 1))
# Near misses are only looked for in short answers: in a sentence they find chance words.
_FUZZY_MAX_WORDS = 4
# Nor is a choice's name looked for inside a long message: that is the reader's work.
_INSIDE_MAX_WORDS = 6
_QUESTION_WORDS = (
    r"(?:what|whats|why|how|hows|is|are|does|do|can|could|should|would|which|when|where|who|"
    r"mean|means|meaning)"
)
_QUESTION_START = re.compile(rf"^{_QUESTION_WORDS}\b")
# "could I do that again?", "can someone call me": a request, which answers the question.
_REQUEST_START = re.compile(
    r"^(?:can|could|would|will|may)\s+(?:i|we|you|u|ya|someone|somebody|a\s+\w+)\b"
)
_QUESTION_WORD = re.compile(rf"\b{_QUESTION_WORDS}\b")
# A modal asks only with someone after it ("can it be a 0?"); "could barely do it", "can do",
# "would be nice" are statements with the "I" or "it" left out, and "do it all again" an
# imperative.
_MODAL_STATEMENT = re.compile(
    r"^(?:(?:can|could|should|would)\s+(?!(?:i|you|u|it|this|that|the|a|an|my|we|they|he|she|"
    r"there|someone|somebody|anyone|anybody|\d+|zero|one|two|three|four|five|six|seven|eight|"
    r"nine|ten)\b)\w|do\s+(?:it|that|them|this|all|another|one|some|more|again)\b)"
)
# Up to this many words, a question about the call's timing needs no word of the call.
_SHORT_QUESTION = 5
# "4ish", "noonish", "sevenish": the hedge is dropped, the time kept.
_ISH = re.compile(
    r"\b(\d{1,2}(?:[:.]\d{2})?|noon|midday|lunch|lunchtime|teatime|one|two|three|four|five|six|"
    r"seven|eight|nine|ten|eleven|twelve)\s*-?ish\b"
)
# A choice said with "not" before it is the one not wanted: "not mornings".
_NOT_BEFORE = ("not", "never", "except", "dont", "avoid", "apart from", "anything but", "but not")
# "the first one", "option 2": a button named by its place.
_ORDINALS = {"first": 0, "1st": 0, "second": 1, "2nd": 1, "third": 2, "3rd": 2, "fourth": 3,
             "4th": 3}  # fmt: skip
_BY_PLACE = re.compile(
    r"^(?:the\s+)?(?:(?P<word>first|1st|second|2nd|third|3rd|fourth|4th|last)"
    r"(?:\s+(?:one|option|button|choice))?|(?:option|number|no|choice|button)\s*(?P<n>[1-9]))$"
)
_SPACES = re.compile(r"\s+")


# "what do you mean (by tightness)?": a question about the bot's own question.
_ASKS_MEANING = re.compile(
    r"^(?:wdym\b|(?:what|wat|wot)\s+(?:do|d)\s+(?:you|u|ya)\s+mean\b|"
    r"what\s+(?:does|did)\s+(?:that|this|it)\s+mean\b|what\s+is\s+meant\b)"
)


def asks_meaning(text: str) -> bool:
    """Say whether the text asks what the question means ("what do you mean by tightness?")."""
    return bool(_ASKS_MEANING.match(normalize(text, 300).strip()))


def is_request(text: str) -> bool:
    """Say whether the text asks for something ("could I do that again?"), not about it."""
    return bool(_REQUEST_START.match(normalize(text, 300).strip()))


def is_question(text: str) -> bool:
    """Say whether the text asks something ("what does 0 mean?") rather than answers.

    A question mark alone does not make one: "a 5?" is an unsure answer, not a question.
    """
    folded = normalize(text, 300).strip()
    if _MODAL_STATEMENT.match(folded):
        return False
    if _QUESTION_START.match(folded):
        return True
    return folded.endswith("?") and bool(_QUESTION_WORD.search(folded))


def _fold(text: str) -> str:
    """Return the text lower-cased, without punctuation, a time's "-ish" dropped."""
    return _SPACES.sub(" ", _ISH.sub(r"\1", fold_phrase(text))).strip()


def _longest_first(pairs: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """Return (phrase, id) pairs folded, longest phrase first: "how long should i hold" is the
    hold, not any "how long"."""
    return sorted(((_fold(w), i) for w, i in pairs), key=lambda pair: len(pair[0]), reverse=True)


def _word_runs(phrases: Iterable[str]) -> list[tuple[str, ...]]:
    """Return the phrases folded into runs of words, the longest run first."""
    runs = (tuple(_fold(w).split()) for w in phrases)
    return sorted((run for run in runs if run), key=len, reverse=True)


def _named_in(text: str, pairs: Sequence[tuple[str, str]]) -> list[str]:
    """Return the ids whose phrase is in the text, as whole words, longest phrase first."""
    padded = f" {_fold(text)} "
    return [i for words, i in pairs if f" {words} " in padded]


def _says_any(text: str, phrases: Iterable[str]) -> bool:
    """Say whether any of the (folded) phrases is in the text, as whole words."""
    padded = f" {_fold(text)} "
    return any(f" {words} " in padded for words in phrases)


def _said_at(word: str, padded: str) -> list[tuple[int, int]]:
    """Return where `word` is in the padded answer, unless said as unwanted ("not mornings")."""
    needle = f" {word} "
    spans = []
    at = padded.find(needle)
    while at >= 0:
        before = padded[:at].split()
        if not any(before[-len(cue.split()) :] == cue.split() for cue in _NOT_BEFORE if before):
            spans.append((at, at + len(needle)))
        at = padded.find(needle, at + 1)
    return spans


def _outermost(found: list[tuple[int, int, str]]) -> set[str]:
    """Return the choices of the words found, less those inside a longer word found ("lunch"
    inside "before lunch")."""
    return {
        choice
        for start, end, choice in found
        if not any(s <= start and end <= e and e - s > end - start for s, e, _ in found)
    }


def _slip(said: str, word: str) -> bool:
    """Say whether `said` is `word` with a slip of typing in a word or two ("agian", "afternon",
    "one more tme"): word for word, each the same or a slip of a long enough word."""
    pairs = list(zip(said.split(), word.split(), strict=False))
    if len(said.split()) != len(word.split()) or said == word:
        return False
    return all(a == b or _word_slip(a, b) for a, b in pairs)


def _word_slip(typed: str, word: str) -> bool:
    if not (typed.isalpha() and word.isalpha()):
        return False  # "after 10" is no slip of "after 12"
    allowed = next((slips for length, slips in _SLIPS if len(word) >= length), 0)
    return allowed > 0 and OSA.distance(typed, word, score_cutoff=allowed) <= allowed


def _is_symbol(word: str) -> bool:
    return not any(ch.isalnum() for ch in word)


def _by_place(choices: Sequence[str], found: re.Match[str]) -> str | None:
    """Return the choice a place names ("the first one", "option 2"), or None."""
    word, number = found.group("word"), found.group("n")
    if word == "last":
        return choices[-1]
    index = _ORDINALS[word] if word else int(number) - 1
    return choices[index] if index < len(choices) else None


class AnswerMatcher:
    """Match typed answers to the choices of a question, with knowledge's synonyms."""

    def __init__(self, knowledge: Knowledge) -> None:
        """Prepare the synonyms and the words that change nothing."""
        answers = knowledge.answers
        self._filler = sorted(answers.filler, key=len, reverse=True)
        self._synonyms = {
            choice: tuple(self.clean(word) for word in words)
            for choice, words in answers.choices.items()
        }
        self._pain_words = {self.clean(w): score for w, score in answers.pain_words.items()}
        self._unsure = frozenset(self.clean(w) for w in answers.unsure)
        self._clear_yes = frozenset(self.clean(w) for w in answers.clear_yes) - {""}
        self._hedges = tuple(_fold(w) for w in answers.hedges)
        self._move_on = frozenset(self.clean(w) for w in answers.move_on) - {""}
        self._asks_next = frozenset(self.clean(w) for w in answers.asks_next) - {""}
        self._sides = frozenset(self.clean(w) for w in answers.sides) - {""}
        self._came_back = tuple(_fold(w) for w in answers.came_back)
        self._same_as_before = tuple(_fold(w) for w in answers.same_as_before)
        self._better = tuple(_fold(w) for w in answers.better)
        self._yesterday = _longest_first((w, w) for w in answers.yesterday)
        # What each move is called ("the towel one").
        self._moves = _longest_first(
            (said, exercise.id)
            for exercise in knowledge.exercises.values()
            for said in (exercise.name, *exercise.called)
        )
        self._professional_said = tuple(_fold(w) for w in answers.professional_said)
        self._plans = tuple(_fold(w) for w in answers.plans)
        self._care = tuple(_fold(w) for w in answers.care)
        self._denials = tuple(_fold(w) for w in answers.denials)
        self._sign_gone = tuple(_fold(w) for w in answers.sign_gone)
        self._skin_and_nails = tuple(_fold(w) for w in answers.skin_and_nails)
        self._children = tuple(_fold(w) for w in answers.children)
        self._other_places = tuple(_fold(w) for w in answers.other_places)
        self._levels = _longest_first(
            [(w, "harder") for w in answers.harder] + [(w, "easier") for w in answers.easier]
        )
        self._scale_words = tuple(_fold(w) for w in answers.scale_words)
        # Longest first: "my name is" before "name is".
        self._name_lead_ins = _word_runs(answers.name_lead_ins)
        self._name_tails = _word_runs(answers.name_tails)
        self._not_names = frozenset(_fold(w) for w in answers.not_names)
        self._call_words = tuple(_fold(w) for w in answers.call_words)
        self._questions = _longest_first(
            (w, q) for q, words in answers.questions.items() for w in words
        )
        self._callback_questions = _longest_first(
            (w, q) for q, words in answers.callback_questions.items() for w in words
        )
        self._times = {self.clean(w): at for w, at in answers.times_of_day.items()}
        # Emoji answers ("👋", "😅"): matched in the raw text, as cleaning drops them.
        self._symbols = {
            choice: tuple(w for w in words if _is_symbol(w))
            for choice, words in answers.choices.items()
        }

    def clean(self, text: str) -> str:
        """Return the text lower-cased, without punctuation or filler words."""
        folded = f" {_fold(text)} "
        for word in self._filler:
            folded = folded.replace(f" {word} ", " ")
        return _SPACES.sub(" ", folded).strip()

    def match(self, text: str, choices: Sequence[str], labels: Sequence[str]) -> str | None:
        """Return the one choice the text points at, or None."""
        said = self.clean(text)
        if not choices:
            return None
        if not said:
            return self._by_symbol(text, choices)
        names = {
            choice: {self.clean(label), *self._synonyms.get(choice, ())} - {""}
            for choice, label in zip(choices, labels, strict=False)
        }
        exact = [c for c, words in names.items() if said in words]
        if len(exact) == 1:
            return exact[0]  # "could do more" is an answer, though it starts like a question
        if is_question(text) and not is_request(text):
            return None
        by_place = _BY_PLACE.match(said)
        if by_place and len(choices) > 1:
            return _by_place(choices, by_place)
        padded = f" {said} "
        if len(said.split()) <= _INSIDE_MAX_WORDS:
            found = [
                (start, end, choice)
                for choice, words in names.items()
                for word in words
                for start, end in _said_at(word, padded)
            ]
            inside = _outermost(found)
            if len(inside) == 1:
                return inside.pop()
        if len(said.split()) > _FUZZY_MAX_WORDS:
            return None
        slipped = {c for c, words in names.items() if any(_slip(said, w) for w in words)}
        if len(slipped) == 1:
            return slipped.pop()
        scored = [
            (max(fuzz.ratio(said, word) for word in words), choice)
            for choice, words in names.items()
            if words
        ]
        scored.sort(reverse=True)
        unique = len(scored) == 1 or (len(scored) > 1 and scored[1][0] < scored[0][0])
        if scored and scored[0][0] >= _FUZZY_CUTOFF and unique:
            return scored[0][1]
        return None

    def says_exactly(self, text: str, choice: str, label: str) -> bool:
        """Say whether the text is the choice's label or one of its words, with nothing else
        (no position such as "the last one", no near miss)."""
        said = self.clean(text)
        return bool(said) and said in {self.clean(label), *self._synonyms.get(choice, ())}

    def moves_on(self, text: str) -> bool:
        """Say whether the text only asks to go on ("done", "next one"), saying nothing else."""
        return self.clean(text) in self._move_on

    def asks_next(self, text: str) -> bool:
        """Say whether the text only asks what comes next ("what now?"), saying nothing else."""
        return self.clean(text) in self._asks_next

    def names_only_a_side(self, text: str) -> bool:
        """Say whether the text only names a side ("left", "the right one"), saying nothing else."""
        return self.clean(text) in self._sides

    def asks_to_go_back(self, text: str) -> bool:
        """Say whether the text only asks to go back ("back", "go back please"): the words of
        the callback's go_back choice, at every question."""
        return self.clean(text) in self._synonyms.get("go_back", ())

    def everyday_question(self, text: str) -> str | None:
        """Return the everyday question the text asks ("how long until it works?"), or None."""
        return next(iter(_named_in(text, self._questions)), None)

    def plans_to_be_seen(self, text: str) -> bool:
        """Say whether the text tells a plan to get it seen ("I'll call 111 now"), not denied."""
        return (
            _says_any(text, self._plans)
            and _says_any(text, self._care)
            and not _says_any(text, self._denials)
        )

    def says_gone(self, text: str) -> bool:
        """Say whether the text tells that it went away ("it's gone now", "all fine now"), not
        denied ("it hasn't gone away") nor asked ("is it ok now?")."""
        return (
            _says_any(text, self._sign_gone)
            and not _says_any(text, self._denials)
            and not is_question(text)
        )

    def names_skin_or_nail(self, text: str) -> bool:
        """Say whether the text names a skin or nail problem ("a verruca", "smelly feet")."""
        return _says_any(text, self._skin_and_nails)

    def names_another_place(self, text: str) -> bool:
        """Say whether the text names a part of the body the moves are not for ("my knee")."""
        return _says_any(text, self._other_places)

    def names_a_child(self, text: str) -> bool:
        """Say whether the text names a child ("my son", "our toddler")."""
        return _says_any(text, self._children)

    def level_asked(self, text: str) -> str | None:
        """Return "harder" or "easier" when the text asks for one ("make it harder"), or None;
        the longest phrase wins ("not hard enough" is harder)."""
        return next(iter(_named_in(text, self._levels)), None)

    def about_the_scale(self, text: str) -> bool:
        """Say whether a question asks about the 0-10 scale ("is 10 the worst?")."""
        return any(c.isdigit() for c in text) or _says_any(text, self._scale_words)

    def move_named(self, text: str) -> str | None:
        """Return the one move the text names ("what's the towel one for?"), or None."""
        named = set(_named_in(text, self._moves))
        return named.pop() if len(named) == 1 else None

    def callback_question(self, text: str) -> str | None:
        """Return the question about the callback the text asks ("who will call me?"), or None."""
        return next(iter(_named_in(text, self._callback_questions)), None)

    def about_the_call(self, text: str) -> str | None:
        """Return the question about the call the text asks where it may be about something
        else, or None.

        A short "how long will it take?" is about the call; a longer question is only when it
        names the call ("how long will it take them to call me?"): "how long will it take to
        see results?" is about the moves, and "is it safe to walk on it?" typed as the note, a
        note.
        """
        asked = self.callback_question(text)
        if asked is None or (len(text.split()) > _SHORT_QUESTION and not self.names_the_call(text)):
            return None
        return asked

    def names_the_call(self, text: str) -> bool:
        """Say whether the text names the call ("to call me", "my number")."""
        return _says_any(text, self._call_words)

    def says_it_came_back(self, text: str) -> bool:
        """Say whether the text tells of a sign come back or new ("swollen again")."""
        return _says_any(text, self._came_back)

    def says_same_as_before(self, text: str) -> bool:
        """Say whether a score is told as the last one again ("about the same")."""
        return _says_any(text, self._same_as_before)

    def says_yesterday(self, text: str) -> bool:
        """Say whether the text names the day before ("yesterday", "last night")."""
        return bool(_named_in(text, self._yesterday))

    def without_yesterday(self, text: str) -> str:
        """Return the text folded, with the words for the day before taken out."""
        padded = f" {_fold(text)} "
        for words, _ in self._yesterday:
            padded = padded.replace(f" {words} ", " ")
        return padded.strip()

    def says_better(self, text: str) -> bool:
        """Say whether a score is told as better than the last one ("much better")."""
        return _says_any(text, self._better)

    def tells_what_was_said(self, text: str) -> bool:
        """Say whether the text tells what a professional said or found ("the doctor said")."""
        return _says_any(text, self._professional_said)

    def name_said(self, text: str) -> str:
        """Return the name in the text, without the words said before it ("my name's Jo
        Smith" is "Jo Smith"); the name keeps its own spelling and capitals."""
        words = text.split()
        folded = [_fold(word).strip(":+-") for word in words]
        if tuple(folded) in self._name_lead_ins:
            return ""  # "my name is" and nothing after it: no name yet
        tail = next(
            (t for t in self._name_tails if len(t) < len(words) and tuple(folded[-len(t) :]) == t),
            (),
        )
        if tail:
            words, folded = words[: -len(tail)], folded[: -len(tail)]
        lead = next(
            (
                w
                for w in self._name_lead_ins
                if len(w) < len(words) and tuple(folded[: len(w)]) == w
            ),
            (),
        )
        return " ".join(words[len(lead) :]).strip(" ,.:;-!")

    def is_no_name(self, name: str) -> bool:
        """Say whether a name typed is an answer that is never a name ("yes", "ok", "no idea")."""
        return _fold(name) in self._not_names

    def is_clear_yes(self, text: str, label: str) -> bool:
        """Say whether the text is a clear yes: the yes button's label or one of knowledge's
        clear yeses, with nothing else and no hedge ("ok I guess", "maybe yes")."""
        if self.is_hedged(text):
            return False
        said = self.clean(text)
        return bool(said) and said in {self.clean(label), *self._clear_yes}

    def is_hedged(self, text: str) -> bool:
        """Say whether a hedge softens the answer ("kind of", "mostly", "I think so")."""
        return _says_any(text, self._hedges)

    def _by_symbol(self, text: str, choices: Sequence[str]) -> str | None:
        """Return the one choice an emoji answer points at ("👋" for I'm done), or None."""
        raw = normalize(text, 300)
        found = {c for c in choices if any(sym in raw for sym in self._symbols.get(c, ()))}
        return found.pop() if len(found) == 1 else None

    def pain_in_words(self, text: str) -> int | None:
        """Return a pain score told in words ("pretty bad" is about 7), or None."""
        said = self.clean(text)
        if said in self._pain_words:
            return self._pain_words[said]
        padded = f" {said} "
        found = [(len(w), s) for w, s in self._pain_words.items() if f" {w} " in padded]
        # The longest phrase wins: "not too bad" over "bad".
        return max(found)[1] if found else None

    def time_in_words(self, text: str) -> time | None:
        """Return the time a time of day said in words stands for ("before bed"), or None."""
        said = self.clean(text)
        if said in self._times:
            return self._times[said]
        padded = f" {said} "
        found = [(len(w), at) for w, at in self._times.items() if f" {w} " in padded]
        return max(found)[1] if found else None

    def is_unsure(self, text: str) -> bool:
        """Say whether the text says "I don't know"."""
        said = self.clean(text)
        return said in self._unsure or any(f" {w} " in f" {said} " for w in self._unsure)
