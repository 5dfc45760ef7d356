"""Read a chat message into symptoms, locations, warning signs, conditions, intents, a score.

The pipeline, all pure and bounded in work:

1. normalize: NFKC, lower case, apostrophes dropped ("can't" is "cant"), length capped;
2. tokenize into words grouped by clause (sentence and comma punctuation);
3. correct each unknown word: an alias ("cannot" → "cant"), stretched letters ("tiiight"),
   a suffix ("cramped" → "cramp"), then one typo (two in words of 9+ letters) towards the
   vocabulary, first letter kept, common English words left alone (tuning.keep_words);
   corrections are cached, and a message gets a budget of new ones;
4. match listed phrases (an index keyed by first word, `*` gaps) over the corrected words,
   each phrase counted at most a few times;
5. drop what an ignore phrase explains ("fell asleep"), `alone` words in long messages,
   `near` words without their location, phrases inside a longer one of the same kind, and a
   warning sign's word inside one of its hints ("a bit red" is a hint, not the sign);
6. read the context in the manner of NegEx and its successor ConText: cues before or after a
   concept, within a window, stopped by terminators and clause ends (pseudo cues and cues
   inside a matched phrase do not count) set a concept apart as negated ("no swelling"),
   someone else's ("my dad's foot"; that scope also stops at "my" or "I"), long past ("17
   years ago", warning signs only), a condition ("if it swells") or a worry or question
   ("it might be broken", "is this a clot?"); a warning sign said as a worry, and the words
   listed as a sign's hints, become hints: the dialogue asks about them. A time that opens a
   sentence ("Two years ago, ...") frames the clause after its comma, and a long-past time
   carries on through the sentences told after it in the past until one speaks of now;
   someone else's scope goes on past commas until the writer comes back ("my", "I") or the
   sentence turns ("but"), and someone named after a preposition ("with a friend") is no
   one whose body is talked about. Third round: a cue inside an intent's words still counts
   ("is it broken?"), and one that is a pseudo phrase's own words does ("see if"); a time
   recalled ("I remember", "like when I") reaches to the end of its sentence; a resolution
   after "but it" reaches back over the turn ("numb toes, but it went away"); a question
   that opens with an asking word and does not speak of the writer ("can you run with a
   stress fracture?") only asks; what someone says hands the sentence back to the writer
   only when the writer or "the" thing is named after it; a place named before a comma
   list reaches the listed words ("my feet are achy, hot, and ..."); hints said only as a
   worried sign are kept apart (`worries`), so that triage combines no sign from them.
   Fourth round: a clause that opens with "it" or "they" and names no place takes the place
   just named ("My big toe. It's black"); a cue inside a phrase's `*` gap reaches the words
   after it ("the pain is not severe"); a frame reaches over a clause that names nothing
   ("Two years ago, when ..., I ..."); a sign named as there ("the swelling") is no worry;
   a sign said apart from a condition's words is kept over one that only names it.
   Fifth round: a year ("in 2009") is a time of its own and, said after what it dates,
   reaches back over its clause; "without" after an act denied ("can't walk without pain")
   denies nothing; a resolution said in part ("eased a bit") resolves nothing; a list goes
   on through an item of a word or two that names nothing ("no pain, touch, or ...");
7. add the writer's own pain score now ("9/10", "I told him it was a 9"), read in the same
   context; at knowledge's severe_pain_score or more it is the `severe` red flag; and a body
   temperature written as measured ("it reached 40.3°") at knowledge's fever_temperature or
   more, read in context too, is the `fever` red flag.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from rapidfuzz.distance import OSA

from bot.core.knowledge import Concept, Knowledge, Negation, RedFlag
from bot.core.pain_score import PainScore, find_pain_scores
from bot.core.phrases import GAP, YEAR, Hit, Phrase, PhraseIndex, number_key, split_phrase
from bot.core.reading import Match, Reading
from bot.core.text import Tokenizer, Tokens, collapse_runs, key, normalize

SYMPTOM, LOCATION, RED_FLAG, INTENT = "symptom", "location", "red_flag", "intent"
CONDITION, HINT = "condition", "hint"
CONCEPT_KINDS = (SYMPTOM, LOCATION, RED_FLAG, INTENT, CONDITION, HINT)
_CAPPED = frozenset(CONCEPT_KINDS)
_PSEUDO, _IGNORE, _IGNORE_SIGN, _PRESENT = "pseudo", "ignore", "ignore_sign", "present"
_YES, _NO, _UNSURE = "yes", "no", "unsure"
_NEGATED, _OTHERS, _PAST = "negated", "others", "past"
_HYPOTHETICAL, _CONDITIONAL = "hypothetical", "conditional"
_SCORE_SPAN = 3  # a present cue ("now", "today") this close dates a pain score
_SCORE_DENIED = "score_denied"
# What a list of concepts is made of: a cue's scope may go on through one past a comma.
_LISTED = frozenset({SYMPTOM, RED_FLAG, HINT, CONDITION})
_LIST_WORDS = frozenset({"or", "and", "nor", "no", "any", "also", "some"})
_CLOSERS = frozenset({"or", "and", "nor"})
_LIST_ITEM_WORDS = 2  # the words of an item that a list may go on through unnamed
_LIST_REACH = 4  # windows' worth of words a cue may reach along a list
_NOT_CUES = frozenset({_PSEUDO, _IGNORE, _IGNORE_SIGN})
# Terminators that end a negation or a time but not someone else's scope: "she still tires
# easily and has a swollen leg" is still hers. Only a turn ("but", "however") or the writer
# ("my", "I") ends that.
_SAME_PERSON = frozenset(
    tuple(words.split())
    for words in (
        "still", "now", "just", "only", "instead", "because", "cause", "since", "which",
        "while", "and then", "and now", "and it", "and its", "and the", "and they", "and theyre",
    )
)  # fmt: skip
# ... nor a time: "once before when I had athlete's foot and it broke the skin".
_SAME_TIME = frozenset(
    tuple(words.split())
    for words in ("which", "and it", "and its", "and the", "and they", "and theyre", "and then")
)
# Terminators that are adverbs inside a phrase rather than a turn: a `*` gap takes them
# ("lost just enough sensitivity", "the redness had now spread").
_ADVERBS = frozenset({("still",), ("now",), ("just",), ("only",)})
# Words of a time near enough that what began then may still be going on.
_RECENT_PARTS = frozenset({"month", "last", "recently", "previously"})
# Words of now, as written: a sentence with one is no longer told in the past.
_NOW = frozenset({
    "is", "are", "am", "im", "its", "isnt", "arent", "has", "hasnt", "have", "havent", "ive",
    "now", "today", "tonight", "currently", "still", "lately", "recently", "yesterday", "again",
    "moment", "atm", "cant", "can", "dont", "doesnt", "do", "does", "wont", "hurts", "aches",
    "feels", "feel", "keeps", "keep", "gets", "get", "seems", "seem", "looks", "look", "think",
    "know", "want", "need", "going", "gonna", "this",
})  # fmt: skip
# Words that name a thing as already there ("the swelling", "my numbness").
_DEFINITE = frozenset({"the", "my"})
# Words after which a person is an object, not the one whose body is talked about.
_OBJECT = frozenset({"with", "to", "for", "from", "at", "by", "about", "like", "than", "beside"})
# A score is someone else's, long past or only a condition ("if it gets to an 8"); a hedge
# ("maybe a 6/10") still rates the pain.
_SCORE_CONTEXTS = ("other", _PAST, _CONDITIONAL, _SCORE_DENIED)
# A temperature as measured: a decimal and a degree or a scale ("40.3°", "38.6 c", "101.2 f",
# "38,5 degrees"); weather is told in whole degrees.
_TEMPERATURE = re.compile(
    r"(?<![\d.,])(?P<value>\d{2,3}[.,]\d)(?!\d)\s*"
    r"(?:(?:°|º|degrees?\b|deg\b)\s*(?P<unit>[cf]\b)?|(?P<scale>[cf])\b)"
)
_HIGHEST_TEMPERATURE = 43.0  # beyond it a number is no body temperature
_FEVER_CONTEXTS = (_NEGATED, "other", _PAST, _HYPOTHETICAL, _CONDITIONAL)


@dataclass(frozen=True, slots=True)
class _Context:
    """One kind of context: its cue lists (in knowledge's negation section) and its reach."""

    name: str
    kinds: frozenset[str]  # the concept kinds it sets apart
    own_stop: bool = False  # whether its scope also stops at negation.other_stop words
    # Whether a cue that opens a sentence as a frame ("Two years ago, I broke my ankle") reaches
    # on past the comma into the clause it frames.
    frame: bool = False
    # Words beyond knowledge's window that its cues reach: a time said is a strong cue ("I was
    # about 41 when I developed a bad wound").
    reach: int = 0

    @property
    def before(self) -> str:
        """Return the cue kind (and knowledge list name) of cues before a concept."""
        return "before" if self.name == _NEGATED else f"{self.name}_before"

    @property
    def after(self) -> str:
        """Return the cue kind (and knowledge list name) of cues after a concept."""
        return "after" if self.name == _NEGATED else f"{self.name}_after"


# In order of precedence. A place is never denied ("no cramps in my calf" still talks about
# the calf) but is someone else's in "my dad's foot". Only warning signs are set apart as
# long past ("I used to get cramps" is still about cramps; "a history of diabetes" is
# diabetes now), and only warning signs and conditions as said "if" or as a worry.
_CONTEXTS = (
    _Context(_NEGATED, frozenset({SYMPTOM, RED_FLAG, INTENT, CONDITION, HINT})),
    _Context(
        "other", frozenset({SYMPTOM, LOCATION, RED_FLAG, CONDITION, HINT}), own_stop=True, reach=4
    ),
    _Context(_PAST, frozenset({RED_FLAG, HINT}), frame=True, reach=3),
    _Context(_HYPOTHETICAL, frozenset({RED_FLAG, CONDITION, HINT}), reach=2),
    _Context(_CONDITIONAL, frozenset({RED_FLAG, CONDITION, HINT})),
)

# Light inflection: an unknown word that is a listed word plus one of these endings is that
# word ("cramped" → "cramp", "aching" → "ache", "crampy" → "cramp"). Tried in order.
_SUFFIXES = (
    ("ing", ""), ("ing", "e"), ("ed", ""), ("ed", "e"), ("d", ""), ("es", ""), ("s", ""),
    ("y", ""), ("ly", ""), ("ness", ""),
)  # fmt: skip
_CACHE_LIMIT = 20_000
_MAX_MENTIONS = 16  # occurrences of one listed phrase that a message can count
_ANSWER_SPAN = 3  # an answer word must come among the first few words
_REPEATS = re.compile(r"(.)\1+")


def _is_symbol(word: str) -> bool:
    """Say whether a listed word is a symbol (an emoji) rather than letters."""
    return any(not ch.isalnum() and not ch.isspace() and ch not in "'*#" for ch in word)


def _concept_phrases(kind: str, concepts: Iterable[Concept]) -> Iterable[Phrase]:
    """Yield a phrase for every listed word of every concept of one kind."""
    for concept in concepts:
        for word in concept.words:
            yield Phrase(split_phrase(word), kind, concept.id)
        for word in concept.alone:
            yield Phrase(split_phrase(word), kind, concept.id, alone=True)
        for word in concept.opening:
            yield Phrase(split_phrase(word), kind, concept.id, opening=True)
        for near in concept.near:
            places = frozenset(near.locations)
            for word in near.words:
                yield Phrase(split_phrase(word), kind, concept.id, locations=places)


def _hint_phrases(flags: Iterable[RedFlag]) -> Iterable[Phrase]:
    """Yield a phrase for every hint word of every warning sign, aimed at the sign's id."""
    for flag in flags:
        hints = flag.hints
        for word in hints.words:
            yield Phrase(split_phrase(word), HINT, flag.id)
        for word in hints.alone:
            yield Phrase(split_phrase(word), HINT, flag.id, alone=True)
        for near in hints.near:
            places = frozenset(near.locations)
            for word in near.words:
                yield Phrase(split_phrase(word), HINT, flag.id, locations=places)


def _listed(concept: Concept) -> Iterable[str]:
    """Yield every word listed for a concept, in any of its lists, hints included."""
    yield from concept.words
    yield from concept.alone
    yield from concept.opening
    for near in concept.near:
        yield from near.words
    if isinstance(concept, RedFlag):
        yield from concept.hints.words
        yield from concept.hints.alone
        for near in concept.hints.near:
            yield from near.words


def _plain_phrases(kind: str, words: Iterable[str]) -> Iterable[Phrase]:
    """Yield a phrase for every word of a cue or answer list."""
    for word in words:
        if not _is_symbol(word):
            yield Phrase(split_phrase(word), kind, kind)


class Reader:
    """Read messages against one Knowledge; build once, then call `read` for each message."""

    def __init__(self, knowledge: Knowledge) -> None:
        """Index every listed phrase and prepare the typo corrector."""
        tuning, negation = knowledge.tuning, knowledge.negation
        self._window = negation.window
        self._other_window = negation.other_window
        self._severe_score = knowledge.rules.severe_pain_score
        self._fever = knowledge.rules.fever_temperature
        self._alone_max = tuning.alone_max_words
        self._max_chars = tuning.max_chars
        self._max_tokens = tuning.max_tokens
        self._min_fuzzy = tuning.min_fuzzy_length
        self._fuzzy_budget = tuning.fuzzy_budget
        self._aliases = dict(tuning.aliases)
        concepts = (
            *_concept_phrases(SYMPTOM, knowledge.symptoms.values()),
            *_concept_phrases(LOCATION, knowledge.locations.values()),
            *_concept_phrases(RED_FLAG, knowledge.red_flags.values()),
            *_concept_phrases(INTENT, knowledge.intents.values()),
            *_concept_phrases(CONDITION, knowledge.conditions.values()),
            *_hint_phrases(knowledge.red_flags.values()),
        )
        cues = tuple(
            phrase
            for context in _CONTEXTS
            for kind in (context.before, context.after)
            for phrase in _plain_phrases(kind, _cue_list(negation, kind))
        )
        cues += (
            *_plain_phrases(_PSEUDO, negation.pseudo),
            *_plain_phrases(_IGNORE, tuning.ignore),
            *_plain_phrases(_IGNORE_SIGN, tuning.ignore_signs),
            *_plain_phrases(_PRESENT, negation.present),
        )
        self._index = PhraseIndex((*concepts, *cues), tuning.max_gap)
        self._terminators = PhraseIndex(_plain_phrases("stop", negation.terminators), 0)
        self._other_stop = frozenset(key(w) for w in negation.other_stop)
        answers = (
            *_plain_phrases(_YES, tuning.affirm),
            *_plain_phrases(_NO, tuning.deny),
            *_plain_phrases(_UNSURE, tuning.unsure),
        )
        self._answers = PhraseIndex(answers, 0)
        self._answer_symbols = [
            (word, kind == "yes")
            for kind, words in (("yes", tuning.affirm), ("no", tuning.deny))
            for word in words
            if _is_symbol(word)
        ]
        self._negators = {key(w) for w in negation.before if " " not in w}
        # Signs that name a condition and a sign at once ("diabetic foot ulcer", "Charcot
        # foot"): the sign inside their words stands beside them.
        self._compound = frozenset(
            rule.id for rule in knowledge.triage.combinations if rule.conditions
        )

        every_word = [w for p in concepts for w in p.parts if w != GAP]
        symbols = frozenset(w for w in every_word if _is_symbol(w))
        self._tokenizer = Tokenizer(symbols)
        keep = {key(w) for w in tuning.keep_words}
        self._known = frozenset(
            self._index.words() | self._terminators.words() | self._answers.words() | keep
        )
        # Typo targets: content words long enough to be worth correcting towards, by first
        # letter, because people rarely get the first letter wrong and it keeps lookups small.
        self._targets: dict[str, list[str]] = {}
        every_concept = (
            *knowledge.symptoms.values(),
            *knowledge.locations.values(),
            *knowledge.red_flags.values(),
            *knowledge.intents.values(),
            *knowledge.conditions.values(),
        )
        surface = {part for c in every_concept for text in _listed(c) for part in text.split()}
        self._surface = frozenset(surface)
        for word in sorted(surface):
            if len(word) >= self._min_fuzzy - 1 and word.isalpha() and key(word) not in keep:
                self._targets.setdefault(word[0], []).append(word)
        self._cache: dict[str, tuple[str, float]] = {}

    @classmethod
    def from_knowledge(cls, knowledge: Knowledge) -> Reader:
        """Return a reader for `knowledge`."""
        return cls(knowledge)

    # -- words ------------------------------------------------------------------------------

    def correct(self, word: str) -> tuple[str, float]:
        """Return the matching key for one normalized word and how sure the correction is."""
        return self._canon(word, [self._fuzzy_budget])

    def _canon(self, word: str, budget: list[int]) -> tuple[str, float]:
        """Return the key and confidence for a word, spending the fuzzy budget if new."""
        word = self._aliases.get(word, word)
        word_key = key(word)
        if word_key in self._known:
            return word_key, 1.0
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        if budget[0] <= 0:
            return word_key, 1.0
        budget[0] -= 1
        result = self._correct(word)
        if len(self._cache) >= _CACHE_LIMIT:
            self._cache.clear()
        self._cache[word] = result
        return result

    def _correct(self, word: str) -> tuple[str, float]:
        """Return the nearest listed key for an unknown word and how sure that is."""
        if _REPEATS.search(word):
            for keep in (1, 2):
                squeezed = key(collapse_runs(word, keep))
                if squeezed in self._known:
                    return squeezed, 1.0
            word = collapse_runs(word, 2)
        for ending, added in _SUFFIXES:
            if word.endswith(ending) and len(word) - len(ending) >= 3:
                base = word[: -len(ending)] + added
                # an ending never makes a denial: "noting" and "noted" are not "not"
                if base in self._surface and key(base) not in self._negators:
                    return key(base), 1.0
        if len(word) < self._min_fuzzy or not (word.isascii() and word.isalpha()):
            return key(word), 1.0
        return self._nearest(word) or (key(word), 1.0)

    def _nearest(self, word: str) -> tuple[str, float] | None:
        """Return the closest typo target within the edit limit, or None."""
        # Two typos from nine letters: at eight, two edits already reach real words
        # ("starting" → "stabbing", "sweating" → "swelling").
        limit = 1 if len(word) <= 8 else 2
        candidates = list(self._targets.get(word[0], ()))
        # A swap of the first two letters is the one first-letter slip worth allowing.
        swapped = word[1] + word[0]
        candidates += [c for c in self._targets.get(word[1], ()) if c.startswith(swapped)]
        best: list[str] = []
        best_distance = limit + 1
        for candidate in candidates:
            if abs(len(candidate) - len(word)) > limit or len(candidate) < 4 * limit:
                continue  # two typos only between long words: "settlings" is not "stings"
            distance = OSA.distance(word, candidate, score_cutoff=limit)
            if distance > limit:
                continue
            if distance < best_distance:
                best, best_distance = [candidate], distance
            elif distance == best_distance:
                best.append(candidate)
        if not best:
            return None
        chosen = best[0]
        confidence = 1.0 - best_distance / max(len(word), len(chosen))
        if best_distance >= 2:
            confidence = min(confidence, 0.75)  # two edits is a guess: let the dialogue ask
        if len({key(c) for c in best}) > 1:
            confidence *= 0.9  # a tie between different words is a guess too
        return key(chosen), round(confidence, 3)

    # -- reading ----------------------------------------------------------------------------

    def read(self, text: object) -> Reading:
        """Return what `text` says: symptoms, locations, warning signs, conditions, intents,
        hints and the pain score, with what is said in another context set apart."""
        norm = normalize(text, self._max_chars)
        tokens = self._tokenizer.tokens(norm, self._max_tokens)
        if not tokens.words:
            return Reading()
        budget = [self._fuzzy_budget]
        canon = [
            (number_key(word), 1.0) if word.isdigit() else self._canon(word, budget)
            for word in tokens.words
        ]
        keys = [k for k, _ in canon]
        confidences = [c for _, c in canon]
        count = len(keys)
        barriers = [False] * count
        turns = [False] * count  # the barriers that also end someone else's scope
        shifts = [False] * count  # ... a time said ("years ago")
        gaps = [False] * count  # ... a listed phrase's `*` gap
        for hit in self._terminators.find(keys, tokens.clauses, barriers):
            parts = hit.phrase.parts
            for position in hit.word_positions:
                barriers[position] = True
                turns[position] = turns[position] or parts not in _SAME_PERSON
                shifts[position] = shifts[position] or parts not in _SAME_TIME
                gaps[position] = gaps[position] or parts not in _ADVERBS
        # Nobody names the same thing more than a few times; text that does is noise, and
        # capping it keeps the work per message bounded. Cues are not capped: a late "not"
        # must still negate.
        hits = self._index.find(keys, tokens.clauses, gaps, _MAX_MENTIONS, _CAPPED)
        concepts = self._concept_hits(hits, tokens)
        scopes = self._scopes(hits, concepts, tokens, barriers, (turns, shifts), keys)
        asked = _impersonal_questions(norm, tokens)
        if asked is not None:
            ahead, behind = scopes[_HYPOTHETICAL]
            scopes[_HYPOTHETICAL] = ([a or q for a, q in zip(ahead, asked, strict=True)], behind)

        own: dict[str, dict[str, Match]] = {kind: {} for kind in CONCEPT_KINDS}
        apart: dict[str, dict[str, Match]] = {c.name: {} for c in _CONTEXTS}
        hinted: dict[str, int] = {}  # hint id → where first mentioned
        named = {p for h in concepts if h.phrase.kind == CONDITION for p in h.word_positions}
        plain: set[str] = set()  # hint ids said in a hint's words, not only as a worried sign
        for hit in sorted(concepts, key=lambda h: (h.start, -len(h.word_positions))):
            kind, target = hit.phrase.kind, hit.phrase.target
            # a sign named as "the swelling", "my numbness" is taken as there: a worry about it
            # is about what it means ("I'm worried the swelling is a sign of something worse");
            # a condition may still name what is not there now ("if the numbness comes back")
            presupposed = kind == RED_FLAG and hit.start > 0 and keys[hit.start - 1] in _DEFINITE
            context = next(
                (
                    c.name
                    for c in _CONTEXTS
                    if kind in c.kinds
                    and _covered(scopes[c.name], hit)
                    and not (presupposed and c.name == _HYPOTHETICAL)
                ),
                None,
            )
            # A hint said plainly or as a worry, and a warning sign said as a worry, are
            # hints; the dialogue asks about each.
            if kind == HINT or (kind == RED_FLAG and context == _HYPOTHETICAL):
                if context in (None, _HYPOTHETICAL):
                    hinted.setdefault(target, hit.start)
                # a hint's own words are told as a fact even inside a worry ("it might be a
                # cramp from sitting so long"); a sign's words inside one are only the worry
                if kind == HINT:
                    plain.add(target)
                if kind == HINT:
                    continue
            bucket = own[kind] if context is None else apart[context]
            # the first mention is the one kept, but a sign said apart from a condition's words
            # beats one that only names the condition ("symptoms of neuropathy ... my feet felt
            # like they were on fire"): triage combines only the former with the condition
            kept = bucket.get(target)
            if kept is None or (
                kind == RED_FLAG and kept.start in named and hit.start not in named
            ):
                bucket[target] = self._match(hit, norm, tokens, confidences)

        pain_score = None
        score = self._own_score(norm, tokens, scopes)
        found = own
        denied = apart[_NEGATED]
        if score is not None:
            pain_score = score.score
            at = max(0, bisect_right(tokens.starts, score.start) - 1)
            from_score = Match(id="pain", words=score.words, start=at)
            if score.score == 0 and "pain" in found[SYMPTOM]:
                denied["pain"] = found[SYMPTOM].pop("pain")  # "pain is 0/10 now"
            elif score.score >= 1 and not found[SYMPTOM]:
                # A bare "heel, 6/10" is pain; in "calves are tight, 3/10" the score rates
                # the tightness and adds no second symptom (nor extra moves).
                found[SYMPTOM]["pain"] = from_score
            if score.score >= self._severe_score and "severe" not in found[RED_FLAG]:
                found[RED_FLAG]["severe"] = from_score.model_copy(update={"id": "severe"})

        if "fever" not in found[RED_FLAG]:
            fever = self._own_fever(norm, tokens, scopes)
            if fever is not None:
                found[RED_FLAG]["fever"] = fever

        places = found[LOCATION]
        in_words = {i: m for i, m in places.items() if any(ch.isalnum() for ch in m.words)}
        if in_words:
            found[LOCATION] = in_words  # "the heel 🦶": the emoji only decorates the place named
        positive = {target for kind, by_id in found.items() if kind != HINT for target in by_id}
        hypothetical = {**apart[_CONDITIONAL], **apart[_HYPOTHETICAL]}
        return Reading(
            symptoms=_ordered(found[SYMPTOM].values()),
            locations=_ordered(found[LOCATION].values()),
            red_flags=_ordered(found[RED_FLAG].values()),
            intents=_ordered(found[INTENT].values()),
            conditions=_ordered(found[CONDITION].values()),
            negated=_ordered(m for m in denied.values() if m.id not in positive),
            past=_ordered(m for m in apart[_PAST].values() if m.id not in positive),
            hypothetical=_ordered(m for m in hypothetical.values() if m.id not in positive),
            others=_ordered(m for m in apart["other"].values() if m.id not in positive),
            hints=tuple(
                sorted((h for h in hinted if h not in found[RED_FLAG]), key=hinted.__getitem__)
            ),
            worries=tuple(
                sorted(
                    (h for h in hinted if h not in found[RED_FLAG] and h not in plain),
                    key=hinted.__getitem__,
                )
            ),
            pain_score=pain_score,
        )

    def _own_score(self, norm: str, tokens: Tokens, scopes: dict[str, _Scope]) -> PainScore | None:
        """Return the writer's own pain score now: the highest said in no other context, of
        those dated to now ("right now it's a 9") when some are."""
        mine: list[tuple[bool, PainScore]] = []
        present = scopes[_PRESENT]
        for score in find_pain_scores(norm):
            at = max(0, bisect_right(tokens.starts, score.start) - 1)
            if any(_covered_at(scopes[name], at, at) for name in _SCORE_CONTEXTS):
                continue
            mine.append((present[0][at] or present[1][at], score))
        if not mine:
            return None
        dated = [score for now, score in mine if now] or [score for _, score in mine]
        return max(dated, key=lambda s: s.score)

    def _own_fever(self, norm: str, tokens: Tokens, scopes: dict[str, _Scope]) -> Match | None:
        """Return the writer's own measured fever now: a temperature written with a decimal
        and a degree ("it reached 40.3°", "38.6 C", "101.2 F") at or above the threshold, said
        in no other context."""
        if "." not in norm and "," not in norm:
            return None
        for found in _TEMPERATURE.finditer(norm):
            value = float(found.group("value").replace(",", "."))
            unit = found.group("unit") or found.group("scale")
            celsius = (value - 32) * 5 / 9 if unit == "f" or value > 50 else value
            if not self._fever <= celsius <= _HIGHEST_TEMPERATURE:
                continue
            at = max(0, bisect_right(tokens.starts, found.start()) - 1)
            if any(_covered_at(scopes[name], at, at) for name in _FEVER_CONTEXTS):
                continue
            return Match(id="fever", words=found.group().strip(), start=at)
        return None

    def _concept_hits(self, hits: Sequence[Hit], tokens: Tokens) -> list[Hit]:
        """Return the concept hits that survive ignore, alone, containment, near and hints."""
        ignored = _by_span(h for h in hits if h.phrase.kind == _IGNORE)
        no_sign = _by_span(h for h in hits if h.phrase.kind == _IGNORE_SIGN)
        many_words = len(tokens.words) > self._alone_max
        kept: list[Hit] = []
        for hit in hits:
            phrase = hit.phrase
            if phrase.kind not in CONCEPT_KINDS or (phrase.alone and many_words):
                continue
            if phrase.opening and hit.start != 0:
                continue
            if _inside_longer(hit, ignored.get(hit.start, ())):
                continue
            if phrase.kind in (RED_FLAG, HINT) and _inside_longer(hit, no_sign.get(hit.start, ())):
                continue
            kept.append(hit)
        kept = _drop_contained(kept, self._compound)
        places = {
            (tokens.clauses[h.start], h.phrase.target) for h in kept if h.phrase.kind == LOCATION
        }
        places |= _referred_places(places, tokens)
        kept = [
            h
            for h in kept
            if not h.phrase.locations
            or any((c, p) in places for c in _listed_clauses(h, tokens) for p in h.phrase.locations)
        ]
        # A sign's word inside one of its hints is only the hint ("a bit red"), and a hint
        # inside a warning sign's phrase is the sign ("pop" in "heard a pop").
        hints = _by_span(h for h in kept if h.phrase.kind == HINT)
        signs = _by_span(h for h in kept if h.phrase.kind == RED_FLAG)
        return [
            h
            for h in kept
            if not (
                h.phrase.kind == RED_FLAG
                and _inside_longer(h, hints.get(h.start, ()), h.phrase.target)
            )
            and not (h.phrase.kind == HINT and _inside_longer(h, signs.get(h.start, ())))
        ]

    def _scopes(
        self,
        hits: Sequence[Hit],
        concepts: Sequence[Hit],
        tokens: Tokens,
        barriers: Sequence[bool],
        kinds: tuple[Sequence[bool], Sequence[bool]],
        keys: Sequence[str],
    ) -> dict[str, _Scope]:
        """Return, for each context, which tokens a live cue covers (ahead of it, behind it)."""
        # A cue inside a concept's words is part of it ("cant feel my toes"), but not one inside
        # an intent's: "is it broken?" asks for a diagnosis and is still a question, "the doctor
        # checked for a clot" still a check, "no longer numb" still over.
        taken = {p for h in concepts if h.phrase.kind != INTENT for p in h.word_positions}
        # A cue inside a longer pseudo phrase counts for nothing ("not" in "not sure if"), but
        # a cue that is the pseudo phrase's own words or reaches past them does: "not sure if"
        # is a doubt, "see if" a check even where "if anything" is a pseudo phrase.
        pseudo_hits = [h for h in hits if h.phrase.kind == _PSEUDO]
        pseudo_at = _by_span(pseudo_hits)  # only one that spans a cue's first word holds it
        places = {h.start for h in concepts if h.phrase.kind == LOCATION}
        live: dict[str, list[Hit]] = {}
        for cue in hits:
            kind = cue.phrase.kind
            # "his", "her" right before a body part name whose it is, even after a preposition
            # or inside a pseudo phrase ("with her ankle in a cast", "on his foot")
            owner = kind == "other_before" and cue.end in places
            if (
                kind not in CONCEPT_KINDS
                and kind not in _NOT_CUES
                and not any(p in taken for p in cue.word_positions)
                and (
                    owner
                    or not any(
                        set(cue.word_positions) <= set(h.word_positions)
                        and (h.end - h.start, h.phrase.parts)
                        != (cue.end - cue.start, cue.phrase.parts)
                        for h in pseudo_at.get(cue.start, ())
                    )
                )
                # someone named after a preposition is no one whose body is talked about:
                # "I was walking with a friend and started having pain"
                and not (
                    kind == "other_before"
                    and cue.start
                    and keys[cue.start - 1] in _OBJECT
                    and not owner
                )
                # "I can't walk without pain": what comes with an act denied is there
                and not (kind == "before" and _without_denied_act(cue, keys, tokens.clauses))
                # "the swelling has eased a bit": a resolution in part leaves the sign there
                and not (kind == "after" and _partly(cue, keys))
            ):
                live.setdefault(cue.phrase.kind, []).append(cue)
        if not live:  # most messages: no cue at all, nothing set apart
            nowhere = [False] * len(keys)
            return dict.fromkeys(
                (*(c.name for c in _CONTEXTS), _PRESENT, _SCORE_DENIED), (nowhere, nowhere)
            )
        # A terminator inside a pseudo phrase ends no scope ("the swelling wasn't only around
        # his ankle"), and "my" or "I" ends the scope of someone else.
        pseudo = {p for h in hits if h.phrase.kind == _PSEUDO for p in h.word_positions}
        barriers = [b and i not in pseudo for i, b in enumerate(barriers)]
        turns, shifts = kinds
        past_barriers = [b and shifts[i] for i, b in enumerate(barriers)]
        # What someone says or thinks hands the sentence back to the writer only when the writer
        # is named after it ("my wife says my foot is swollen") or the thing talked about is
        # ("my husband thinks the swelling is nothing"); "they think it's a fracture" is still
        # about them.
        sentences = tokens.sentences or (0,) * len(keys)
        other_barriers = [
            (b and turns[i])
            or (
                k in self._other_stop
                and (
                    k in _FIRST_PERSON
                    or (i + 1 < len(keys) and tokens.words[i + 1] in _HANDED_BACK)
                    or any(
                        tokens.words[j] in _FIRST_PERSON and sentences[j] == sentences[i]
                        for j in range(i + 1, min(len(keys), i + 1 + _SPEECH_REACH))
                    )
                )
            )
            for i, (b, k) in enumerate(zip(barriers, keys, strict=True))
        ]
        go_on = _lists(concepts, tokens, keys)
        after_comma = tokens.after_comma or (False,) * len(keys)
        # A cue that frames a sentence ("Two years ago, I broke my ankle") has no concept
        # between it and the comma that ends its clause.
        starts = {h.start for h in concepts}
        frames = _frames(starts, tokens)
        scopes = {
            context.name: self._scope(
                live.get(context.before, ()),
                live.get(context.after, ()),
                tokens.clauses,
                other_barriers
                if context.own_stop
                else past_barriers
                if context.name == _PAST
                else barriers,
                (self._other_window if context.own_stop else self._window) + context.reach,
                # someone else's scope goes on past a comma: "he woke up with it all red,
                # swollen and tender" (the writer coming back ends it)
                after_comma if context.own_stop else go_on,
                frames if context.frame else (),
            )
            for context in _CONTEXTS
        }
        past = [*live.get("past_before", ()), *live.get("past_after", ())]
        if past and tokens.sentences:
            scopes[_PAST] = _told_on(scopes[_PAST], past, tokens)
            # A frame already reaches its clause; one of years or of someone's age ("When I
            # was 19 years old, I ...") goes on to the sentence's end like a recalled time,
            # one of months ("About four months ago, a small cut ...") may still be going on.
            # A time that closes a clause after what it dates ("Having been diagnosed with
            # diabetes as a teenager, I ...") dates that clause only.
            unframed = [
                c
                for c in live.get("past_before", ())
                if (frames[c.end - 1] < 0 or not _RECENT_PARTS & set(c.phrase.parts))
                and not _closes_dated_clause(c, starts, tokens.clauses)
            ]
            scopes[_PAST] = _to_sentence_end(scopes[_PAST], unframed, tokens, past_barriers)
        # A year said after what it dates reaches back over its whole clause: "an infected
        # blister on my left heel on the trail in 2009".
        years = [c for c in live.get("past_after", ()) if YEAR in c.phrase.parts]
        if years and tokens.sentences:
            scopes[_PAST] = _dated_clause(scopes[_PAST], years, tokens, past_barriers)
        if tokens.sentences and live.get("after"):
            scopes[_NEGATED] = _resolved_before_turn(
                scopes[_NEGATED], live["after"], tokens, keys, barriers, self._window + 3
            )
        near = (tokens.clauses, barriers, _SCORE_SPAN)
        scopes[_PRESENT] = self._scope(live.get(_PRESENT, ()), live.get(_PRESENT, ()), *near)
        # A score is denied only by a cue right before it ("not a 9"), not by any "didn't"
        # earlier in the clause ("didn't sleep, pain 9/10").
        scopes[_SCORE_DENIED] = self._scope(live.get("before", ()), (), tokens.clauses, barriers, 2)
        return scopes

    @staticmethod
    def _scope(
        before: Iterable[Hit],
        after: Iterable[Hit],
        clauses: Sequence[int],
        barriers: Sequence[bool],
        window: int,
        go_on: Sequence[bool] = (),
        frames: Sequence[int] = (),
    ) -> _Scope:
        """Return which tokens the cues reach: ahead of a `before` cue, behind an `after` one.

        Ahead, a scope goes on into the next clause where `go_on` says a list goes on there;
        with `frames`, a cue whose clause holds no concept after it reaches on, with a fresh
        window, into the clause after its comma (`frames[i]`: where that clause starts, or -1).
        """
        count = len(clauses)
        ahead = [False] * count
        behind = [False] * count
        for cue in before:
            start, clause = cue.end, clauses[cue.end - 1]
            # a frame reaches the clause it frames with a fresh window; the clauses between
            # name nothing ("Two years ago, when the vortex came, I got frostbite")
            if frames and frames[cue.end - 1] >= 0:
                start = frames[cue.end - 1]
                clause = clauses[start]
            end = min(count, start + window)
            # however long a list, a cue reaches a bounded stretch: the work stays linear
            last = min(count, start + window * _LIST_REACH)
            j = start
            while j < last:
                if clauses[j] == clause and j >= end:
                    break
                if clauses[j] != clause:
                    if not (go_on and go_on[j]):
                        break
                    clause = clauses[j]
                    # each item of a list gets the window afresh: "no visible signs of a cut,
                    # bite, or injury"
                    end = min(count, j + window)
                if barriers[j]:
                    break
                ahead[j] = True
                j += 1
        for cue in after:
            clause = clauses[cue.start]
            for j in range(cue.start - 1, max(-1, cue.start - 1 - window), -1):
                if clauses[j] != clause or barriers[j]:
                    break
                behind[j] = True
        return ahead, behind

    @staticmethod
    def _match(hit: Hit, norm: str, tokens: Tokens, confidences: Sequence[float]) -> Match:
        """Return the Match for a hit: the words as written, where, and how sure."""
        last = hit.word_positions[-1]
        start = tokens.starts[hit.start]
        words = norm[start : tokens.starts[last] + len(tokens.words[last])]
        confidence = min(confidences[p] for p in hit.word_positions)
        return Match(id=hit.phrase.target, words=words, start=hit.start, confidence=confidence)

    # -- answers ----------------------------------------------------------------------------

    def is_affirmative(self, text: object) -> bool | None:
        """Return True for a yes, False for a no, None when the answer is neither or unclear."""
        norm = normalize(text, 400)
        tokens = self._tokenizer.tokens(norm, 12)
        known = self._answers.words()
        keys = []
        for word in tokens.words:
            squeezed = key(_REPEATS.sub(r"\1", word))  # "yesss", "noooo", "yeahh"
            keys.append(squeezed if key(word) not in known and squeezed in known else key(word))
        hits = [
            h
            for h in self._answers.find(keys, tokens.clauses, [False] * len(keys))
            if h.start < _ANSWER_SPAN
        ]
        if hits:
            hit = min(hits, key=lambda h: (h.start, -len(h.word_positions)))
            # A hedge that goes on to a yes or a no ("sort of yeah", "not sure, no") is that.
            hedges = [(h.start, h.end) for h in hits if h.phrase.kind == _UNSURE]
            decided = [
                h
                for h in hits
                if h.phrase.kind != _UNSURE
                and h.start >= hit.end
                and not any(s <= h.start and h.end <= e for s, e in hedges)  # "not sure"
            ]
            if hit.phrase.kind == _UNSURE and decided:
                hit = min(decided, key=lambda h: (h.start, -len(h.word_positions)))
            kind = hit.phrase.kind
            if kind == _UNSURE:
                return None
            before = keys[hit.start - 1] if hit.start > 0 else ""
            after = keys[hit.end] if hit.end < len(keys) else ""
            if kind == _YES and (before in self._negators or after == "not"):
                return False  # "not right", "definitely not", "of course not"
            return kind == _YES
        raw = unicodedata.normalize("NFKC", text[:400]) if isinstance(text, str) else ""
        found = [(raw.find(s), yes) for s, yes in self._answer_symbols if s in raw]
        return min(found)[1] if found else None


_Scope = tuple[list[bool], list[bool]]


def _lists(concepts: Sequence[Hit], tokens: Tokens, keys: Sequence[str]) -> list[bool]:
    """Return where a cue's scope may go on past a comma: into a list of concepts that an
    "or" or "and" closes ("no numbness, tingling or swelling"), not into a new clause ("no
    pain, my ankle is swollen") nor a bare "no cramps, swelling in my ankle"."""
    count = len(keys)
    after_comma = tokens.after_comma or (False,) * count
    clauses = tokens.clauses
    closed: dict[int, bool] = {}
    sizes: dict[int, int] = {}
    goes_on: dict[int, bool] = {}  # whether a comma list goes on after the clause
    for i in range(count - 1, -1, -1):
        clause = clauses[i]
        joined = i + 1 < count and clauses[i + 1] != clause and after_comma[i + 1]
        sizes[clause] = sizes.get(clause, 0) + 1
        goes_on[clause] = goes_on.get(clause, False) or joined
        closed[clause] = (
            closed.get(clause, False)
            or keys[i] in _CLOSERS
            or (joined and closed.get(clauses[i + 1], False))
        )
    starts = {h.start for h in concepts if h.phrase.kind in _LISTED}
    # An item of a word or two that names nothing listed still goes on with the list when more
    # items follow it: "no pain, touch, or temperature sensations".
    return [
        after_comma[i]
        and closed[clauses[i]]
        and (
            i in starts
            or (keys[i] in _LIST_WORDS and i + 1 in starts)
            or (sizes[clauses[i]] <= _LIST_ITEM_WORDS and goes_on[clauses[i]])
        )
        for i in range(count)
    ]


def _told_on(scope: _Scope, cues: Sequence[Hit], tokens: Tokens) -> _Scope:
    """Return a time's scope carried on through the sentences told after it in the past: "The
    last time I twisted my ankle was at a marathon. Around 28k I landed badly ..." The telling
    ends at the first sentence with a word of now ("is", "now", "can't", "hurts") and does not
    start from a sentence that comes back to now after its cue."""
    words, sentences = tokens.words, tokens.sentences
    now = {sentences[i] for i, word in enumerate(words) if word in _NOW}
    cue = min(cues, key=lambda c: c.start)
    told = sentences[cue.start]
    if any(words[i] in _NOW for i in range(cue.end, len(words)) if sentences[i] == told):
        return scope
    ahead = list(scope[0])
    for i in range(cue.end, len(words)):
        if sentences[i] != told:
            if sentences[i] in now:
                break
            ahead[i] = True
    return ahead, scope[1]


# Words that may open a listed item before its word: "achy, hot, and swollen".
_LIST_OPENERS = frozenset({"and", "or", "very", "really", "so", "quite", "all", "also"})


def _listed_clauses(hit: Hit, tokens: Tokens) -> Iterable[int]:
    """Yield the clause of a hit and, when the hit opens a clause that goes on a list after a
    comma ("my feet are achy, hot, and difficult to stand on"), the clauses of that list
    before it, back to the one that names the place."""
    clauses, after_comma = tokens.clauses, tokens.after_comma or (False,) * len(tokens.words)
    clause = clauses[hit.start]
    yield clause
    at = hit.start
    for _ in range(3):
        first = at
        while first > 0 and clauses[first - 1] == clauses[at]:
            first -= 1
        opens = at == first or (at - first == 1 and tokens.words[first] in _LIST_OPENERS)
        if not opens or not after_comma[first] or first == 0:
            return
        at = first - 1
        yield clauses[at]


# Words that point back at a place just named: "My calf has hurt for days. Now it's swollen."
_BACK_REFERENCES = frozenset({"it", "its", "they", "theyre", "theyve", "them", "both"})
# How many sentences back such a word reaches for the place, and how near the start of its
# clause it stands (as the one talked about, not "a hot poker on it").
_REFERENCE_REACH = 1
_SUBJECT_SPAN = 3


def _referred_places(places: set[tuple[int, str]], tokens: Tokens) -> set[tuple[int, str]]:
    """Return (clause, place) for each clause that names no place but opens by pointing back at
    one with "it" or "they": the places of the last clause before it that named any, within the same
    or the previous sentence ("My big toe. It's black at the tip": black beside the toe)."""
    by_clause: dict[int, set[str]] = {}
    for clause, place in places:
        by_clause.setdefault(clause, set()).add(place)
    if not by_clause:
        return set()
    sentences = tokens.sentences or (0,) * len(tokens.words)
    referred: set[tuple[int, str]] = set()
    last: set[str] = set()
    last_sentence = -1
    opened = 0  # where the current clause starts
    for i, word in enumerate(tokens.words):
        clause = tokens.clauses[i]
        if i and tokens.clauses[i - 1] != clause:
            opened = i
        if clause in by_clause:
            last, last_sentence = by_clause[clause], sentences[i]
        elif (
            word in _BACK_REFERENCES
            and last
            and i - opened < _SUBJECT_SPAN
            and sentences[i] - last_sentence <= _REFERENCE_REACH
        ):
            referred |= {(clause, place) for place in last}
    return referred


# How far after what someone says the writer must be named for the rest to be theirs.
_SPEECH_REACH = 6
# ... or points at the thing talked about, right after it.
_HANDED_BACK = frozenset({"the", "that", "this", "these", "those"})
# Words by which the writer is in a sentence, or points at what they have ("is this swelling
# normal?").
_FIRST_PERSON = frozenset({
    "i", "im", "ive", "id", "ill", "my", "me", "mine", "myself", "this", "these",
})  # fmt: skip
# Words that open a question ("what are the signs of a clot?"), not a remark with a "?" in it.
_ASKING = frozenset({
    "how", "what", "whats", "why", "when", "where", "which", "who", "can", "could", "do",
    "does", "did", "is", "are", "was", "should", "would", "will", "has", "have", "any",
    "anyone", "anybody", "hows", "isnt", "arent", "doesnt", "cant", "shouldnt",
})  # fmt: skip


def _impersonal_questions(norm: str, tokens: Tokens) -> list[bool] | None:
    """Return the tokens of questions that do not speak of the writer ("can you run with a
    stress fracture?", "what are the signs of a clot?"): what they name is asked about, not
    had; None when there is none."""
    if "?" not in norm or not tokens.sentences:
        return None
    sentences, words, starts = tokens.sentences, tokens.words, tokens.starts
    count = len(words)
    asked = [False] * count
    first = 0
    found = False
    for i in range(count):
        if i + 1 < count and sentences[i + 1] == sentences[i]:
            continue
        end = starts[i] + len(words[i])
        following = starts[i + 1] if i + 1 < count else len(norm)
        if (
            "?" in norm[end:following]
            and words[first] in _ASKING
            and not any(words[j] in _FIRST_PERSON for j in range(first, i + 1))
        ):
            asked[first : i + 1] = [True] * (i + 1 - first)
            found = True
        first = i + 1
    return asked if found else None


def _closes_dated_clause(cue: Hit, starts: set[int], clauses: Sequence[int]) -> bool:
    """Say whether a time cue ends its clause after a concept it dates ("diagnosed with
    diabetes as a teenager,"), rather than opening what it frames."""
    clause = clauses[cue.start]
    closes = cue.end >= len(clauses) or clauses[cue.end] != clause
    return closes and any(s < cue.start and clauses[s] == clause for s in starts)


def _dated_clause(
    scope: _Scope, cues: Sequence[Hit], tokens: Tokens, barriers: Sequence[bool]
) -> _Scope:
    """Return a time's scope reaching back from a year said after what it dates to the start
    of its clause ("the blister I drained on the trail in 2009"), unless the sentence comes
    back to now after it ("the swelling started in 2019 and is still there")."""
    words, clauses, sentences = tokens.words, tokens.clauses, tokens.sentences
    behind = list(scope[1])
    last_now: dict[int, int] = {}  # each sentence's last word of now
    for i, word in enumerate(words):
        if word in _NOW:
            last_now[sentences[i]] = i
    reached = [False] * len(words)  # walked back over already, by a later year
    for cue in sorted(cues, key=lambda c: -c.start):
        if last_now.get(sentences[cue.start], -1) >= cue.end:
            continue
        for j in range(cue.start - 1, -1, -1):
            if reached[j] or clauses[j] != clauses[cue.start] or barriers[j] or words[j] in _NOW:
                break
            behind[j] = reached[j] = True
    return scope[0], behind


# Words that deny an act or an ability: "without" after one names what comes with the act
# ("I can't put weight on it without excruciating pain", "I never ride without numb toes").
_DENIED_ACT = frozenset({
    "cant", "unable", "not", "never", "dont", "doesnt", "didnt", "wont", "hardly", "barely",
    "impossible", "havent", "hasnt",
})  # fmt: skip
_DENIED_ACT_REACH = 15


def _without_denied_act(cue: Hit, keys: Sequence[str], clauses: Sequence[int]) -> bool:
    """Say whether a cue is a "without" after an act denied in its clause: no negation then."""
    if cue.phrase.parts != ("without",):
        return False
    at = cue.start
    return any(
        keys[j] in _DENIED_ACT
        for j in range(max(0, at - _DENIED_ACT_REACH), at)
        if clauses[j] == clauses[at]
    )


# Words of degree that make a resolution partial: "eased a bit", "went down slightly".
_PARTLY = frozenset({
    ("a", "bit"), ("a", "little"), ("slightly",), ("somewhat",), ("a", "tad"), ("partly",),
    ("partially",), ("a", "touch"), ("marginally",),
})  # fmt: skip


def _partly(cue: Hit, keys: Sequence[str]) -> bool:
    """Say whether a resolution cue ("eased", "went down") is said only in part."""
    after = tuple(keys[cue.end : cue.end + 2])
    return after[:1] in _PARTLY or after in _PARTLY


def _to_sentence_end(
    scope: _Scope, cues: Sequence[Hit], tokens: Tokens, barriers: Sequence[bool]
) -> _Scope:
    """Return a time's scope carried on to the end of its own sentence, past commas, until a
    turn or a word of now: "I remember the last hit we had - it was so hard I could hardly
    walk", "like when I dropped a board on my foot, the nail came off"."""
    words, sentences = tokens.words, tokens.sentences
    ahead = list(scope[0])
    # a walk that meets one already made stops where that one stopped: the work stays linear
    reached = [False] * len(words)
    for cue in sorted(cues, key=lambda c: c.end):
        told = sentences[cue.end - 1]
        for i in range(cue.end, len(words)):
            if reached[i] or sentences[i] != told or barriers[i] or words[i] in _NOW:
                break
            ahead[i] = reached[i] = True
    return ahead, scope[1]


# A resolution said after a turn, of what came before it: "numb toes after the race, but it
# went away", "my ankle swelled up though they settled down".
_TURNS = frozenset({"but", "though", "although", "and"})
_BACK = frozenset({"it", "its", "they", "theyre", "that", "thats", "this", "both", "all"})


def _resolved_before_turn(
    scope: _Scope,
    cues: Sequence[Hit],
    tokens: Tokens,
    keys: Sequence[str],
    barriers: Sequence[bool],
    window: int,
) -> _Scope:
    """Return the negation scope reaching back over "but it" (or ", it") from a resolution cue
    behind it ("went away", "settled down") into the clause before, within its sentence."""
    sentences = tokens.sentences
    after_comma = tokens.after_comma or (False,) * len(keys)
    behind = list(scope[1])
    for cue in cues:
        at = cue.start
        if at < 2 or keys[at - 1] not in _BACK:
            continue
        if at >= 3 and keys[at - 2] in _TURNS:
            back = at - 3
        elif after_comma[at - 1]:
            # "a fever last week, it's gone now": the clause is only what it says of the one
            # before
            back = at - 2
        else:
            continue
        told = sentences[at]
        for j in range(back, max(-1, back - window), -1):
            if sentences[j] != told or barriers[j]:
                break
            behind[j] = True
    return scope[0], behind


def _frames(starts: set[int], tokens: Tokens) -> list[int]:
    """Return, for each token, where the clause it frames starts, or -1: a clause that holds no
    concept frames the clause after its comma ("Two years ago, ..."), or the one after that
    when the one between holds none either ("Two years ago, when the vortex came, I ...")."""
    count = len(tokens.words)
    after_comma = tokens.after_comma or (False,) * count
    clauses = tokens.clauses
    busy = {clauses[i] for i in starts}
    frames = [-1] * count
    # the start of the first clause after the current one that names a concept, reached over
    # commas and clauses that name none
    following = -1
    for i in range(count - 1, -1, -1):
        if i + 1 < count and clauses[i + 1] != clauses[i]:
            following = -1
            if after_comma[i + 1]:
                following = i + 1 if clauses[i + 1] in busy else frames[i + 1]
        frames[i] = -1 if clauses[i] in busy else following
    return frames


def _cue_list(negation: Negation, kind: str) -> tuple[str, ...]:
    """Return the cue words of one kind ("before", "past_after", ...) from knowledge."""
    words: tuple[str, ...] = getattr(negation, kind)
    return words


def _covered_at(scope: _Scope, first: int, last: int) -> bool:
    """Say whether a concept from token `first` to `last` lies in a cue's reach."""
    return scope[0][first] or scope[1][last]


def _covered(scope: _Scope, hit: Hit) -> bool:
    """Say whether a cue reaches a concept hit: from before it, from behind it, or from inside
    a `*` gap of its phrase ("a hole on the bottom of his foot", "pain is not severe")."""
    ahead = scope[0]
    return _covered_at(scope, hit.start, hit.word_positions[-1]) or (
        len(hit.word_positions) < hit.end - hit.start
        and any(ahead[p] for p in hit.word_positions[1:])
    )


def _inside_longer(hit: Hit, others: Iterable[Hit], target: str | None = None) -> bool:
    """Say whether a hit lies inside a longer one of `others` (of `target`, when given)."""
    size = hit.end - hit.start
    return any(
        o.start <= hit.start
        and hit.end <= o.end
        and o.end - o.start > size
        and (target is None or o.phrase.target == target)
        for o in others
    )


def _by_span(hits: Iterable[Hit]) -> dict[int, list[Hit]]:
    """Return the hits whose span (gaps included) covers each token position."""
    cover: dict[int, list[Hit]] = {}
    for hit in hits:
        for position in range(hit.start, hit.end):
            cover.setdefault(position, []).append(hit)
    return cover


def _drop_contained(hits: list[Hit], compound: frozenset[str] = frozenset()) -> list[Hit]:
    """Drop a hit whose words all lie inside a longer hit of the same kind, another target
    (not one of the `compound` signs, whose words name other signs too)."""
    longer: dict[tuple[str, int], list[Hit]] = {}
    for hit in hits:
        if len(hit.word_positions) > 1:
            for position in hit.word_positions:
                longer.setdefault((hit.phrase.kind, position), []).append(hit)
    kept: list[Hit] = []
    for hit in hits:
        phrase = hit.phrase
        # A `near` hit already proved its location, so a longer phrase does not explain it away.
        if phrase.locations:
            kept.append(hit)
            continue
        size = len(hit.word_positions)
        if not any(
            other.phrase.target != phrase.target
            and other.phrase.target not in compound
            and len(other.word_positions) > size
            and set(hit.word_positions).issubset(other.word_positions)
            for other in longer.get((phrase.kind, hit.word_positions[0]), ())
        ):
            kept.append(hit)
    return kept


def _ordered(matches: Iterable[Match]) -> tuple[Match, ...]:
    """Return the matches sorted by where they were first mentioned."""
    return tuple(sorted(matches, key=lambda m: m.start))
