"""Score the reader on the real sentences (tests/core/data/real_sentences): dev, dev2, dev3,
dev4, test.

The sentences were written by people about their own feet on public pages and labelled by
hand (see the READMEs beside them). Each split is scored on its own, with the warning signs
that triage draws from each sentence alone:

- symptom and location micro-F1 (true, false and missed ids summed over the sentences);
- warning-sign recall, exact: the share of sentences with a labelled sign where every
  labelled sign is among those raised (extra signs on such a sentence are no false alarm);
- warning-sign recall, any sign: the share where at least one sign is raised;
- recall per sign id, and false alarms: the share of sentences without a labelled sign
  where any sign is raised.

Only dev, dev2 and dev3 may be tuned on, and of dev2 and dev3 only their tuning parts: every
fifth item (`rs2_005`, `rs2_010`, ...; `rs3_005`, ...) is held back, fixed before the work that
tunes on the rest (dev2's before the second round of reader work, dev3's before the fourth),
and scored for its aggregate figures alone (`dev2-held`, `dev3-held`), to see whether what was
tuned on the rest (`dev2-tune`, `dev3-tune`) carries over. dev3 came after the third round and
was first scored, once, as it came (the honest estimate of that round on unseen sentences).
dev4 came after the fourth round (2026-12-03) and was scored once as it came, with its
held-back fifth (`dev4-held`, `rs4_005`, ...) fixed at the same time, before any tuning on it.
The test split is read for its aggregate figures alone: nothing here prints or returns a test
or held-back item, and `--misses` refuses them.

    python -m bench.real_sentences [--split dev|dev2|dev3|dev4|dev2-tune|...|dev4-held] [--misses]
"""

from __future__ import annotations

import argparse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.core.knowledge import Knowledge, load_knowledge
from bot.core.reader import Reader
from bot.core.triage import warning_signs

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "core" / "data" / "real_sentences"
SPLITS = ("dev", "dev2", "dev3", "dev4", "test")
# The splits whose parts (or whole, for dev) may be tuned on: every split but test.
TUNING_SPLITS = tuple(split for split in SPLITS if split != "test")
# The two parts of dev2, dev3 and dev4: the held-back fifth and the rest, which may be tuned on.
PARTS = {
    "dev2-tune": ("dev2", False),
    "dev2-held": ("dev2", True),
    "dev3-tune": ("dev3", False),
    "dev3-held": ("dev3", True),
    "dev4-tune": ("dev4", False),
    "dev4-held": ("dev4", True),
}
HELD_EVERY = 5
# The splits whose sentences read wrong may be listed.
TUNABLE = ("dev", "dev2-tune", "dev3-tune", "dev4-tune")


def held_back(item: dict[str, Any]) -> bool:
    """Say whether a dev2, dev3 or dev4 item is in the held-back slice: every fifth by its
    number."""
    return int(str(item["id"]).rsplit("_", 1)[1]) % HELD_EVERY == 0


def load(split: str) -> list[dict[str, Any]]:
    """Return the labelled sentences of one split, or of one part of dev2, dev3 or dev4."""
    if split in PARTS:
        whole, held = PARTS[split]
        return [item for item in load(whole) if held_back(item) == held]
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}")
    items: list[dict[str, Any]] = yaml.safe_load((DATA / f"{split}.yaml").read_text("utf-8"))[
        "sentences"
    ]
    return items


@dataclass
class Counts:
    """True positives, false positives and misses of one id kind, summed."""

    true: int = 0
    false: int = 0
    missed: int = 0

    def add(self, got: set[str], want: set[str]) -> None:
        """Count one sentence."""
        self.true += len(got & want)
        self.false += len(got - want)
        self.missed += len(want - got)

    @property
    def f1(self) -> float:
        """Return the micro-F1 (1.0 when there was nothing to find and nothing found)."""
        denominator = 2 * self.true + self.false + self.missed
        return 2 * self.true / denominator if denominator else 1.0


@dataclass
class Score:
    """The figures of one split, and (for the tunable ones only) the sentences read wrong."""

    sentences: int = 0
    symptoms: Counts = field(default_factory=Counts)
    locations: Counts = field(default_factory=Counts)
    signed: int = 0  # sentences with a labelled warning sign
    exact: int = 0
    any_sign: int = 0
    clean: int = 0  # sentences without one
    false_alarms: int = 0
    per_sign: Counter[str] = field(default_factory=Counter)
    per_sign_caught: Counter[str] = field(default_factory=Counter)
    misses: list[str] = field(default_factory=list)

    def add(self, item: dict[str, Any], got: dict[str, set[str]], keep_misses: bool) -> None:
        """Count one sentence: what the reader and triage gave beside the labels."""
        want = {name: set(item.get(name) or ()) for name in ("symptoms", "locations", "red_flags")}
        self.sentences += 1
        self.symptoms.add(got["symptoms"], want["symptoms"])
        self.locations.add(got["locations"], want["locations"])
        signs, wanted = got["red_flags"], want["red_flags"]
        if wanted:
            self.signed += 1
            self.exact += wanted <= signs
            self.any_sign += bool(signs)
            for sign in wanted:
                self.per_sign[sign] += 1
                self.per_sign_caught[sign] += sign in signs
        else:
            self.clean += 1
            self.false_alarms += bool(signs)
        if not keep_misses:
            return
        wrong = [
            f"{name} want {sorted(want[name])} got {sorted(got[name])}"
            for name in want
            if got[name] != want[name] and not (name == "red_flags" and wanted and wanted <= signs)
        ]
        if wrong:
            self.misses.append(f"{item['id']} {item['text']!r}: " + "; ".join(wrong))

    @staticmethod
    def ratio(part: int, whole: int) -> float:
        """Return part/whole, or 1.0 when there is nothing to count."""
        return part / whole if whole else 1.0

    def figures(self, prefix: str) -> dict[str, float]:
        """Return the aggregate figures, each name starting with `prefix`; shares in percent."""
        figures = {
            f"{prefix}_sentences": float(self.sentences),
            f"{prefix}_symptom_f1": self.symptoms.f1,
            f"{prefix}_location_f1": self.locations.f1,
            f"{prefix}_sign_recall_exact_pct": 100 * self.ratio(self.exact, self.signed),
            f"{prefix}_sign_recall_any_pct": 100 * self.ratio(self.any_sign, self.signed),
            f"{prefix}_false_alarms_pct": 100 * self.ratio(self.false_alarms, self.clean),
        }
        for sign in sorted(self.per_sign):
            caught = self.per_sign_caught[sign]
            figures[f"{prefix}_recall_{sign}_pct"] = 100 * self.ratio(caught, self.per_sign[sign])
        return figures

    def line(self, name: str) -> str:
        """Return the headline figures as one report line."""
        return (
            f"{name:<22} n={self.sentences:<4} symptom F1 {self.symptoms.f1:5.3f}  "
            f"location F1 {self.locations.f1:5.3f}  "
            f"sign recall exact {self.ratio(self.exact, self.signed):6.1%} "
            f"({self.exact}/{self.signed})  any {self.ratio(self.any_sign, self.signed):6.1%}  "
            f"false alarms {self.ratio(self.false_alarms, self.clean):5.1%} "
            f"({self.false_alarms}/{self.clean})"
        )


def read(reader: Reader, knowledge: Knowledge, text: str) -> dict[str, set[str]]:
    """Return the symptom, location and warning-sign ids drawn from one sentence alone."""
    reading = reader.read(text)
    return {
        "symptoms": set(reading.symptom_ids),
        "locations": set(reading.location_ids),
        "red_flags": set(warning_signs(reading, knowledge.triage)),
    }


def score(split: str, reader: Reader, knowledge: Knowledge) -> Score:
    """Score one split; only the tunable ones keep the sentences read wrong."""
    result = Score()
    keep = split in TUNABLE
    for item in load(split):
        result.add(item, read(reader, knowledge, item["text"]), keep)
    return result


def run() -> dict[str, float]:
    """Return the figures of every split."""
    knowledge = load_knowledge(ROOT / "knowledge")
    reader = Reader(knowledge)
    figures: dict[str, float] = {}
    for split in SPLITS:
        figures |= score(split, reader, knowledge).figures(split)
    return figures


def main() -> None:
    """Print one tuning split's figures, and with --misses its sentences read wrong."""
    parser = argparse.ArgumentParser(description="Score the reader on the real sentences.")
    choices = (*TUNING_SPLITS, *PARTS)
    parser.add_argument("--split", choices=choices, default="dev", help="which sentences")
    parser.add_argument("--misses", action="store_true", help="list the sentences read wrong")
    args = parser.parse_args()
    if args.misses and args.split not in TUNABLE:
        parser.error(f"--misses lists only the tunable splits: {', '.join(TUNABLE)}")
    knowledge = load_knowledge(ROOT / "knowledge")
    result = score(args.split, Reader(knowledge), knowledge)
    prefix = args.split.replace("-", "_")
    print(result.line(args.split))
    for name, value in result.figures(prefix).items():
        if name.startswith(f"{prefix}_recall_"):
            print(f"  {name.removesuffix('_pct'):<28} {value:5.1f}%")
    if args.misses:
        for miss in result.misses:
            print(f"  miss: {miss}")


if __name__ == "__main__":
    main()
