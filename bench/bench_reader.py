"""Time Reader.read per message over the labelled phrasings, and score it on real sentences.

Speed: the baseline is what one writes first: the same vocabulary, `difflib.get_close_matches`
for every unknown word, exact phrase look-up, no negation, no cache. Both are timed in the
same run on the same messages, so the ratio holds on any machine. Wall-clock figures include
time spent waiting for a CPU, which on a shared machine inflates the p99; the `cpu` figures
count only the time the reading thread actually ran.

Quality: the hand-labelled real sentences (tests/core/data/real_sentences), dev, dev2, dev3, dev4
and test splits, scored by bench/real_sentences.py: symptom and location micro-F1, warning-sign
recall (exact and any sign), per-sign recall and false alarms, as aggregates only. Beside them,
the same figures for a blind second annotator on 240 tunable sentences (bench/label_agreement.py):
how far two people agree, the bar the reader's goal sets.

    python -m bench.bench_reader [--passes 30] [--dev-only]
"""

from __future__ import annotations

import argparse
import difflib
import gc
import re
import statistics
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from bench import label_agreement, real_sentences
from bench.cli import print_figures
from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.reader import Reader

ROOT = Path(__file__).resolve().parent.parent
CORPORA = [
    ROOT / "tests" / "core" / "data" / n
    for n in ("phrasings.yaml", "phrasings_fresh.yaml", "phrasings_context.yaml")
]
PASSES = 30
_WORD = re.compile(r"[a-z0-9]+")


def messages() -> list[str]:
    """Return the texts of every labelled phrasing."""
    texts: list[str] = []
    for path in CORPORA:
        texts += [item["text"] for item in yaml.safe_load(path.read_text("utf-8"))["phrasings"]]
    return texts


class DifflibReader:
    """The baseline: the reader's vocabulary, difflib per unknown word, no negation."""

    def __init__(self, knowledge: Knowledge) -> None:
        """Index the knowledge's words and phrases, without gaps or context rules."""
        self.phrases: dict[tuple[str, ...], set[tuple[str, str]]] = {}
        groups: dict[str, Any] = {
            "symptom": knowledge.symptoms,
            "location": knowledge.locations,
            "red_flag": knowledge.red_flags,
            "intent": knowledge.intents,
        }
        for kind, concepts in groups.items():
            for concept in concepts.values():
                listed = [*concept.words, *concept.alone, *concept.opening]
                listed += [w for near in concept.near for w in near.words]
                for text in listed:
                    words = tuple(w for w in text.replace("'", "").split() if w != "*")
                    self.phrases.setdefault(words, set()).add((kind, concept.id))
        self.vocabulary = sorted({w for phrase in self.phrases for w in phrase})
        self.known = set(self.vocabulary)
        self.longest = max(len(p) for p in self.phrases)

    def read(self, text: str) -> dict[str, list[str]]:
        """Return the concept ids found in `text`, by kind."""
        tokens = _WORD.findall(text.lower().replace("'", "").replace("’", ""))
        words = [
            t
            if t in self.known
            else next(iter(difflib.get_close_matches(t, self.vocabulary, 1)), t)
            for t in tokens
        ]
        found: dict[str, list[str]] = {}
        for start in range(len(words)):
            for size in range(min(self.longest, len(words) - start), 0, -1):
                for kind, target in self.phrases.get(tuple(words[start : start + size]), ()):
                    if target not in found.setdefault(kind, []):
                        found[kind].append(target)
        return found


def _per_message_us(
    read: Callable[[str], object],
    texts: list[str],
    passes: int,
    clock: Callable[[], int] = time.perf_counter_ns,
) -> list[float]:
    """Return the time of every read, in microseconds, over all passes."""
    timings: list[float] = []
    gc.collect()
    gc.disable()  # a collection landing in one message would be noise, not the reader
    try:
        for _ in range(passes):
            for text in texts:
                start = clock()
                read(text)
                timings.append((clock() - start) / 1000)
    finally:
        gc.enable()
    return timings


def _p99(values: list[float]) -> float:
    """Return the 99th percentile."""
    return statistics.quantiles(values, n=100, method="inclusive")[98]


def run(passes: int = PASSES, splits: tuple[str, ...] = real_sentences.SPLITS) -> dict[str, float]:
    """Time both readers over the labelled phrasings, score the splits, return the figures."""
    knowledge = load_knowledge(ROOT / "knowledge")
    texts = messages()
    reader = Reader(knowledge)  # fresh, so the first pass pays for its typo corrections
    baseline = DifflibReader(knowledge)
    ours = _per_message_us(reader.read, texts, passes)
    ours_cpu = _per_message_us(reader.read, texts, passes, time.thread_time_ns)
    # difflib is slow enough that a few passes give as steady a median.
    theirs = _per_message_us(baseline.read, texts, max(3, passes // 10))

    story = "My calves get tight after long runs and my arches ache at work all day. "
    long_text = (story * 200)[:10_000]
    long_ms = min(_per_message_us(reader.read, [long_text], 5)) / 1000

    figures = {
        "messages": float(len(texts)),
        "passes": float(passes),
        "reader_median_us": statistics.median(ours),
        "reader_p99_us": _p99(ours),
        "reader_max_us": max(ours),
        "reader_cpu_median_us": statistics.median(ours_cpu),
        "reader_cpu_p99_us": _p99(ours_cpu),
        "baseline_median_us": statistics.median(theirs),
        "baseline_p99_us": _p99(theirs),
        "long_message_10k_chars_ms": long_ms,
    }
    figures["ratio_median"] = figures["reader_median_us"] / figures["baseline_median_us"]
    figures["ratio_p99"] = figures["reader_p99_us"] / figures["baseline_p99_us"]
    for split in splits:
        figures |= real_sentences.score(split, reader, knowledge).figures(split)
    # How far two people agree on the same kind of sentences: the bar the reader's goal sets.
    figures |= label_agreement.figures()
    return figures


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description="Time Reader.read beside a difflib baseline.")
    parser.add_argument("--passes", type=int, default=PASSES, help="passes over the phrasings")
    parser.add_argument(
        "--dev-only",
        action="store_true",
        help="score the tuning splits alone (dev, dev2, dev3, dev4)",
    )
    args = parser.parse_args()
    figures = run(
        args.passes, real_sentences.TUNING_SPLITS if args.dev_only else real_sentences.SPLITS
    )
    print_figures(figures)


if __name__ == "__main__":
    main()
