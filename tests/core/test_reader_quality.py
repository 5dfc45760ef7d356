"""Run the reader over the labelled phrasings and hold it to the quality bar.

The bar: the symptom set exactly right on at least 90% of phrasings, every expected red flag
caught (100% recall), and a red flag fired on at most 5% of phrasings that have none; where a
phrasing lists its hints, exactly those. Red flags are the warning signs triage draws from
the message alone (the reader's own and the combinations, such as a diabetic foot). The
figures are printed in the test summary ("reader quality") on every run.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from bench.real_sentences import score
from bot.core.knowledge import INTENT_IDS, LOCATION_IDS, RED_FLAG_IDS, SYMPTOM_IDS, Knowledge
from bot.core.reader import Reader
from bot.core.triage import warning_signs

DATA = Path(__file__).resolve().parent / "data"
CORPORA = ("phrasings.yaml", "phrasings_fresh.yaml", "phrasings_context.yaml")
FIELDS = {
    "symptoms": set(SYMPTOM_IDS),
    "locations": set(LOCATION_IDS),
    "red_flags": set(RED_FLAG_IDS),
    "intents": set(INTENT_IDS),
}
MIN_SYMPTOM_ACCURACY = 0.90
MIN_RED_FLAG_RECALL = 1.0
MAX_FALSE_ALARMS = 0.05


def load(name: str) -> list[dict[str, Any]]:
    """Return the labelled items of one corpus file."""
    items: list[dict[str, Any]] = yaml.safe_load((DATA / name).read_text("utf-8"))["phrasings"]
    return items


@dataclass
class Score:
    """Counts over one corpus, and the items the reader got wrong."""

    items: int = 0
    symptoms: int = 0
    locations: int = 0
    intents: int = 0
    scores: int = 0
    scored: int = 0
    flags_expected: int = 0
    flags_caught: int = 0
    clean: int = 0
    false_alarms: int = 0
    hints_checked: int = 0
    hints_right: int = 0
    misses: list[str] = field(default_factory=list)

    def add(self, reader: Reader, knowledge: Knowledge, item: dict[str, Any]) -> None:
        """Read one item and count what was right."""
        reading = reader.read(item["text"])
        got = {
            "symptoms": set(reading.symptom_ids),
            "locations": set(reading.location_ids),
            "red_flags": set(warning_signs(reading, knowledge.triage)),
            "intents": set(reading.intent_ids),
        }
        want = {name: set(item[name]) for name in FIELDS}
        if "hints" in item:
            got["hints"], want["hints"] = set(reading.hints), set(item["hints"])
        self.items += 1
        self.symptoms += got["symptoms"] == want["symptoms"]
        self.locations += got["locations"] == want["locations"]
        self.intents += got["intents"] == want["intents"]
        if "pain_score" in item:
            self.scored += 1
            self.scores += reading.pain_score == item["pain_score"]
        if want["red_flags"]:
            self.flags_expected += len(want["red_flags"])
            self.flags_caught += len(want["red_flags"] & got["red_flags"])
        else:
            self.clean += 1
            self.false_alarms += bool(got["red_flags"])
        self.hints_checked += "hints" in item
        self.hints_right += "hints" in item and got["hints"] == want["hints"]
        wrong = [
            f"{name} want {sorted(want[name])} got {sorted(got[name])}"
            for name in want
            if got[name] != want[name]
            and not (name == "red_flags" and want[name] and want[name] <= got[name])
        ]
        if wrong:
            self.misses.append(f"{item['text']!r}: " + "; ".join(wrong))

    def ratio(self, part: int, whole: int) -> float:
        """Return part/whole, or 1.0 when there is nothing to count."""
        return part / whole if whole else 1.0

    @property
    def symptom_accuracy(self) -> float:
        """Return the share of items whose symptom set is exactly right."""
        return self.ratio(self.symptoms, self.items)

    @property
    def recall(self) -> float:
        """Return the share of expected red flags that were caught."""
        return self.ratio(self.flags_caught, self.flags_expected)

    @property
    def false_alarm_rate(self) -> float:
        """Return the share of items without a red flag where one fired."""
        return self.ratio(self.false_alarms, self.clean)

    def line(self, name: str) -> str:
        """Return the figures as one report line."""
        return (
            f"{name:<22} n={self.items:<4} symptoms {self.symptom_accuracy:6.1%}  "
            f"locations {self.ratio(self.locations, self.items):6.1%}  "
            f"intents {self.ratio(self.intents, self.items):6.1%}  "
            f"red-flag recall {self.recall:6.1%} ({self.flags_caught}/{self.flags_expected})  "
            f"false alarms {self.false_alarm_rate:5.1%} ({self.false_alarms}/{self.clean})  "
            f"scores {self.scores}/{self.scored}  hints {self.hints_right}/{self.hints_checked}"
        )


@pytest.mark.parametrize("name", CORPORA)
def test_corpus_is_well_formed(name: str) -> None:
    items = load(name)
    texts = [item["text"] for item in items]
    assert len(texts) == len(set(texts)), "a phrasing is listed twice"
    for item in items:
        assert set(item) <= {*FIELDS, "text", "pain_score", "hints"}, item
        for field_name, known in {**FIELDS, "hints": set(RED_FLAG_IDS)}.items():
            assert set(item.get(field_name, ())) <= known, (item["text"], field_name)


def test_main_corpus_covers_every_warning_sign() -> None:
    items = load("phrasings.yaml")
    assert len(items) >= 120
    fired = Counter(flag for item in items for flag in item["red_flags"])
    for flag in RED_FLAG_IDS:
        assert fired[flag] >= 5, f"{flag} needs at least 5 phrasings, has {fired[flag]}"


def test_reader_quality(knowledge: Knowledge, summary: dict[str, list[str]]) -> None:
    reader = Reader(knowledge)
    total = Score()
    lines: list[str] = []
    failures: list[str] = []
    for name in CORPORA:
        score = Score()
        for item in load(name):
            score.add(reader, knowledge, item)
            total.add(reader, knowledge, item)
        lines.append(score.line(name))
        failures += score.misses
    lines.append(total.line("all"))
    lines += [f"  miss: {miss}" for miss in failures]
    summary["reader quality"] = lines
    print("\n".join(lines))

    report = "\n".join(lines)
    assert total.symptom_accuracy >= MIN_SYMPTOM_ACCURACY, report
    assert total.recall >= MIN_RED_FLAG_RECALL, report
    assert total.false_alarm_rate <= MAX_FALSE_ALARMS, report
    assert total.hints_right == total.hints_checked, report


# The real sentences' tuning splits (tests/core/data/real_sentences/dev.yaml, dev2.yaml and
# dev3.yaml): a regression guard set a little under the figures the reader reached (2 points of
# slack). The test split is never scored here: `make bench` reports it.
# dev reached: symptom F1 0.902, location F1 0.963, recall exact 96.5% and any sign 98.8%,
# false alarms 5.2% (third round 0.902, 0.963, 95.3%, 98.8%, 4.2%; first round 0.897, 0.963,
# 94.2%, 98.8%, 4.2%; before any context work 0.874, 0.933, 53.5%, 68.6%, 10.4%).
# dev2 reached: symptom F1 0.865, location F1 0.948, recall exact 85.6%, any 91.0%, false
# alarms 11.6% (third round 0.865, 0.948, 81.1%, 88.6%, 12.0%; second round 0.863, 0.948,
# 79.1%, 86.6%, 14.5%; before it 0.843, 0.944, 63.7%, 77.6%, 24.1%). Its held-back fifth
# (bench/real_sentences.py, `dev2-held`, never tuned on) moved far less: second round 0.841 ->
# 0.829, recall exact 57.5% -> 57.5%, any 75.0% -> 72.5%, false alarms 22.0% -> 18.0%; third
# round 0.829 -> 0.841, 57.5% -> 60.0%, 72.5% -> 75.0%, 18.0% -> 16.0%; fourth round 0.841 ->
# 0.841, 60.0% -> 67.5%, 75.0% -> 75.0%, 16.0% -> 16.0%.
# dev3 (fourth round) was scored once as it came, unseen: symptom F1 0.822, location F1 0.951,
# recall exact 52.8%, any 63.4%, false alarms 13.5%. Tuned on its four fifths it reached 0.822,
# 0.958, 77.9%, 82.6%, 8.8%; its held-back fifth (`dev3-held`) 0.852 -> 0.852, recall exact
# 40.9% -> 50.0%, any 47.7% -> 54.5%, false alarms 17.1% -> 19.5%.
# dev4 (fifth round) was scored once as it came, unseen: symptom F1 0.768, recall exact 62.1%,
# any 68.6%, false alarms 15.6%. Only its tuning part is guarded here (`dev4-tune`, the items
# whose number is not a multiple of five; the held-back fifth is never scored in a test): it
# came at 0.779, 0.953, 64.4%, 72.0%, 15.7% and the fifth round took it to 0.795, 0.962,
# 77.1%, 82.2%, 9.7% (dev to 97.7% recall exact; dev3-tune 84.3% -> 85.3% exact, false alarms
# 5.9% -> 5.3%; dev2-tune unchanged at 90.1%, 95.0%, 10.6%).
# Since the fifth round every guard scores a tuning part only (dev2-tune, dev3-tune; they stand
# at symptom F1 0.871 and 0.814, location F1 0.939 and 0.967, recall exact 90.1% and 85.3%,
# any 95.0% and 89.0%, false alarms 10.6% and 5.3%): a guard on the whole of dev2 or dev3
# printed, on every run, figures that take in the held-back fifth, which a tuner then sees.
FLOORS = {
    "dev": {
        "dev_symptom_f1": 0.882,
        "dev_location_f1": 0.943,
        "dev_sign_recall_exact_pct": 94.5,
        "dev_sign_recall_any_pct": 96.8,
    },
    "dev2-tune": {
        "dev2-tune_symptom_f1": 0.851,
        "dev2-tune_location_f1": 0.919,
        "dev2-tune_sign_recall_exact_pct": 88.1,
        "dev2-tune_sign_recall_any_pct": 93.0,
    },
    "dev3-tune": {
        "dev3-tune_symptom_f1": 0.794,
        "dev3-tune_location_f1": 0.947,
        "dev3-tune_sign_recall_exact_pct": 83.3,
        "dev3-tune_sign_recall_any_pct": 87.0,
    },
    "dev4-tune": {
        "dev4-tune_symptom_f1": 0.775,
        "dev4-tune_location_f1": 0.942,
        "dev4-tune_sign_recall_exact_pct": 75.1,
        "dev4-tune_sign_recall_any_pct": 80.2,
    },
}
MAX_FALSE_ALARMS_PCT = {"dev": 7.2, "dev2-tune": 12.6, "dev3-tune": 7.3, "dev4-tune": 11.7}


@pytest.mark.parametrize("split", ["dev", "dev2-tune", "dev3-tune", "dev4-tune"])
def test_real_sentences_tuning_splits(
    knowledge: Knowledge, summary: dict[str, list[str]], split: str
) -> None:
    result = score(split, Reader(knowledge), knowledge)
    figures = result.figures(split)
    per_sign = ", ".join(
        f"{name.removeprefix(f'{split}_recall_').removesuffix('_pct')} {value:.0f}%"
        for name, value in figures.items()
        if name.startswith(f"{split}_recall_")
    )
    lines = [result.line(f"real sentences, {split}"), f"  per-sign recall: {per_sign}"]
    summary[f"real sentences ({split} split)"] = lines
    report = "\n".join(lines)
    for name, floor in FLOORS[split].items():
        assert figures[name] >= floor, f"{name} fell below {floor}\n{report}"
    assert figures[f"{split}_false_alarms_pct"] <= MAX_FALSE_ALARMS_PCT[split], report
