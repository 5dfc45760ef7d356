"""Compare the reader's hand-written context rules with medspaCy's ConText and negspacy.

A maintenance tool, run by hand when the context rules are in question; it needs packages the
bot itself does not (`pip install medspacy negspacy`) and nothing downloaded at run time:
spaCy runs as `spacy.blank("en")` with its rule-based sentencizer.

Every variant reads the same concepts (the reader's own phrase matching, typo tolerance and
word lists); only the decision "negated, long past, hypothetical, someone else's" differs:

- ours: the reader as it is (bot/core/reader.py, cues in knowledge/language.yaml);
- medspacy: medspaCy's ConText with its default English rules (NegEx/ConText lexicon,
  NEGATED_EXISTENCE, POSSIBLE_EXISTENCE, HISTORICAL, HYPOTHETICAL, FAMILY);
- medspacy+ours: medspaCy's ConText with our cue lists as its rules (same window);
- negspacy: negspacy's NegEx (en_clinical termset), negation only.

It prints, for the dev split only, the figures of bench/real_sentences.py and the time per
message, and for each variant the time per message over the labelled phrasings.

    pip install medspacy negspacy && python -m bench.context_compare
"""

from __future__ import annotations

import importlib
import statistics
import time
from collections.abc import Callable, Iterable
from functools import partial
from pathlib import Path
from typing import Any

from bench import real_sentences
from bench.bench_reader import messages
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.reader import (
    _CONTEXTS,
    CONDITION,
    HINT,
    INTENT,
    LOCATION,
    RED_FLAG,
    SYMPTOM,
    Reader,
    _cue_list,
)
from bot.core.reading import Match, Reading
from bot.core.text import normalize
from bot.core.triage import warning_signs

ROOT = Path(__file__).resolve().parent.parent
Decide = Callable[[str, list[tuple[int, int, Any]]], list[str | None]]


def concept_hits(reader: Reader, text: str) -> tuple[str, Any, list[Any]]:
    """Return the normalized text, its tokens, and the reader's concept hits before context.

    This reaches into the reader's private steps on purpose: the comparison must give every
    variant the very same concepts.
    """
    norm = normalize(text, reader._max_chars)
    tokens = reader._tokenizer.tokens(norm, reader._max_tokens)
    if not tokens.words:
        return norm, tokens, []
    budget = [reader._fuzzy_budget]
    keys = ["#" if w.isdigit() else reader._canon(w, budget)[0] for w in tokens.words]
    barriers = [False] * len(keys)
    for hit in reader._terminators.find(keys, tokens.clauses, barriers):
        for position in hit.word_positions:
            barriers[position] = True
    hits = reader._index.find(keys, tokens.clauses, barriers)
    return norm, tokens, reader._concept_hits(hits, tokens)


def reading_from(reader: Reader, text: str, decide: Decide) -> Reading:
    """Return a Reading whose contexts come from `decide` (one context name or None a hit)."""
    norm, tokens, hits = concept_hits(reader, text)
    spans = []
    for hit in hits:
        last = hit.word_positions[-1]
        spans.append((tokens.starts[hit.start], tokens.starts[last] + len(tokens.words[last]), hit))
    contexts = decide(norm, spans) if spans else []
    own: dict[str, dict[str, Match]] = {
        k: {} for k in (SYMPTOM, LOCATION, RED_FLAG, INTENT, CONDITION)
    }
    hints: list[str] = []
    for (_, _, hit), context in zip(spans, contexts, strict=True):
        kind, target = hit.phrase.kind, hit.phrase.target
        if kind == HINT or (kind == RED_FLAG and context == "hypothetical"):
            if context in (None, "hypothetical") and target not in hints:
                hints.append(target)
            continue
        if context is None:
            own[kind].setdefault(target, Match(id=target, words=target, start=hit.start))
    plain = reader.read(text)  # the pain score and its severe sign, as the reader reads them
    if plain.pain_score is not None and "severe" in plain.red_flag_ids:
        own[RED_FLAG].setdefault("severe", Match(id="severe", words="score", start=0))
    return Reading(
        symptoms=tuple(own[SYMPTOM].values()),
        locations=tuple(own[LOCATION].values()),
        red_flags=tuple(own[RED_FLAG].values()),
        intents=tuple(own[INTENT].values()),
        conditions=tuple(own[CONDITION].values()),
        hints=tuple(h for h in hints if h not in own[RED_FLAG]),
        pain_score=plain.pain_score,
    )


# Which concept kinds each context sets apart, as the reader does.
_KINDS = {c.name: c.kinds for c in _CONTEXTS}


def _applies(context: str | None, kind: str) -> str | None:
    """Return the context if it sets this kind of concept apart, else None."""
    if context is None:
        return None
    name = "other" if context == "others" else context
    return context if kind in _KINDS.get(name, frozenset()) else None


def medspacy_decider(knowledge: Knowledge, our_rules: bool) -> tuple[Decide, Any]:
    """Return a decider backed by medspaCy's ConText, with its rules or ours, and the nlp."""
    spacy = importlib.import_module("spacy")
    context_module = importlib.import_module("medspacy.context")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    config: dict[str, Any] = {"input_span_type": "group", "span_group_name": "concepts"}
    if our_rules:
        config["rules"] = None
    context = nlp.add_pipe("medspacy_context", config=config)
    if our_rules:
        rule_type = context_module.ConTextRule
        rules = []
        negation = knowledge.negation
        categories = {
            "negated": "NEGATED_EXISTENCE",
            "other": "FAMILY",
            "past": "HISTORICAL",
            "hypothetical": "POSSIBLE_EXISTENCE",
            "conditional": "HYPOTHETICAL",
        }
        for ours in _CONTEXTS:
            for kind, direction in ((ours.before, "FORWARD"), (ours.after, "BACKWARD")):
                for cue in _cue_list(negation, kind):
                    if "*" in cue or "#" in cue:
                        continue  # a gap or a number has no literal form
                    rules.append(
                        rule_type(
                            cue,
                            categories[ours.name],
                            direction=direction,
                            max_scope=negation.window,
                        )
                    )
        for cue in negation.pseudo:
            if "*" not in cue:
                rules.append(rule_type(cue, "PSEUDO", direction="PSEUDO"))
        for cue in negation.terminators:
            rules.append(rule_type(cue, "TERMINATE", direction="TERMINATE"))
        context.add(rules)

    def decide(norm: str, spans: list[tuple[int, int, Any]]) -> list[str | None]:
        doc = nlp.make_doc(norm)
        groups = []
        for start, end, hit in spans:
            span = doc.char_span(start, end, label=hit.phrase.kind, alignment_mode="expand")
            groups.append(span)
        doc.spans["concepts"] = [s for s in groups if s is not None]
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        found = {(s.start_char, s.end_char, s.label_): s for s in doc.spans["concepts"]}
        out: list[str | None] = []
        for start, end, hit in spans:
            span = next(
                (
                    s
                    for (a, b, label), s in found.items()
                    if a <= start and end <= b and label == hit.phrase.kind
                ),
                None,
            )
            out.append(
                _applies(_medspacy_context(span), hit.phrase.kind) if span is not None else None
            )
        return out

    return decide, nlp


def _medspacy_context(span: Any) -> str | None:
    """Return our context name for a medspaCy span's ConText attributes."""
    if span._.is_negated:
        return "negated"
    if span._.is_family:
        return "others"
    if span._.is_historical:
        return "past"
    if span._.is_uncertain:
        return "hypothetical"
    if span._.is_hypothetical:
        return "conditional"
    return None


def negspacy_decider() -> tuple[Decide, Any]:
    """Return a decider backed by negspacy's NegEx: negation, and no other context."""
    spacy = importlib.import_module("spacy")
    importlib.import_module("negspacy.negation")
    util = importlib.import_module("spacy.util")
    nlp = spacy.blank("en")
    nlp.add_pipe("sentencizer")
    nlp.add_pipe("negex", config={"neg_termset": _termset()})

    def decide(norm: str, spans: list[tuple[int, int, Any]]) -> list[str | None]:
        doc = nlp.make_doc(norm)
        ents = []
        for start, end, hit in spans:
            span = doc.char_span(start, end, label=hit.phrase.kind, alignment_mode="expand")
            if span is not None:
                ents.append(span)
        doc.ents = util.filter_spans(ents)
        for _, proc in nlp.pipeline:
            doc = proc(doc)
        out: list[str | None] = []
        for start, end, hit in spans:
            ent = next((e for e in doc.ents if e.start_char <= start and end <= e.end_char), None)
            negated = ent is not None and ent._.negex
            out.append(_applies("negated" if negated else None, hit.phrase.kind))
        return out

    return decide, nlp


def _termset() -> dict[str, list[str]]:
    """Return negspacy's clinical English termset."""
    termsets = importlib.import_module("negspacy.termsets")
    patterns: dict[str, list[str]] = termsets.termset("en_clinical").get_patterns()
    return patterns


def _decide_only(reader: Reader, text: str, decide: Decide) -> object:
    """Run our matching and a library's context decision, as a variant would per message."""
    norm, tokens, hits = concept_hits(reader, text)
    spans = [
        (
            tokens.starts[h.start],
            tokens.starts[h.word_positions[-1]] + len(tokens.words[h.word_positions[-1]]),
            h,
        )
        for h in hits
    ]
    return decide(norm, spans) if spans else []


def time_per_message(
    read: Callable[[str], object], texts: Iterable[str], passes: int
) -> tuple[float, float]:
    """Return the median and p99 time per message, in microseconds."""
    timings = []
    for _ in range(passes):
        for text in texts:
            start = time.perf_counter_ns()
            read(text)
            timings.append((time.perf_counter_ns() - start) / 1000)
    return statistics.median(timings), statistics.quantiles(timings, n=100)[98]


def main() -> None:
    """Print each variant's dev figures and speed."""
    knowledge = load_knowledge(ROOT / "knowledge")
    reader = Reader(knowledge)
    texts = messages()
    variants: dict[str, Callable[[str], Reading]] = {"ours": reader.read}
    # What is timed: the whole read for ours; our matching and the library's context step
    # for the others (the pain score they borrow from the reader is left out of the time).
    timed: dict[str, Callable[[str], object]] = {"ours": reader.read}
    for name, (decide, _nlp) in (
        ("medspacy", medspacy_decider(knowledge, our_rules=False)),
        ("medspacy+ours", medspacy_decider(knowledge, our_rules=True)),
        ("negspacy", negspacy_decider()),
    ):
        variants[name] = partial(reading_from, reader, decide=decide)
        timed[name] = partial(_decide_only, reader, decide=decide)
    items = real_sentences.load("dev")
    for name, read in variants.items():
        score = real_sentences.Score()
        for item in items:
            reading = read(item["text"])
            got = {
                "symptoms": set(reading.symptom_ids),
                "locations": set(reading.location_ids),
                "red_flags": set(warning_signs(reading, knowledge.triage)),
            }
            score.add(item, got, keep_misses=False)
        median, p99 = time_per_message(timed[name], texts, 5)
        print(score.line(name) + f"  time/msg median {median:.0f} µs p99 {p99:.0f} µs")


if __name__ == "__main__":
    main()
