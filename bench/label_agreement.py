"""How far a second, blind labelling of the real sentences agrees with the stored labels.

    python -m bench.label_agreement            # print the agreement
    python -m bench.label_agreement --sheet F  # write the blind sheet for a new annotator

The reader's goal on the test split (95% warning-sign recall at 5% false alarms) only means
something if people agree on the labels about that well. So a seeded sample of the tunable
sentences (never the test split, never a held-back fifth) was labelled a second time by
annotators who saw the sentence text and the labelling rules (the "Labelling rules" sections of
tests/core/data/real_sentences/README*.md) and nothing else: not the stored labels, not the
reader. Their labels live in tests/core/data/real_sentences/agreement/. This scores them
exactly as the reader is scored (bench.real_sentences.Score: the stored labels are the truth,
the second annotator stands where the reader would), and adds Cohen's kappa on "any warning
sign" and how often the two sets of signs are identical.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path
from typing import Any

import yaml

from bench.real_sentences import DATA, TUNABLE, Score, load

AGREEMENT = DATA / "agreement"
SAMPLE_SEED = 20261204
SAMPLE_SIZE = 240
LABELS = ("symptoms", "locations", "red_flags")


def sample() -> list[dict[str, Any]]:
    """Return the seeded sample of tunable sentences, in a fixed order."""
    pool = [item for split in TUNABLE for item in load(split)]
    return random.Random(SAMPLE_SEED).sample(pool, SAMPLE_SIZE)


def write_sheet(path: Path) -> None:
    """Write the sample as id and text only: what a blind annotator may see."""
    rows = [{"id": item["id"], "text": item["text"]} for item in sample()]
    path.write_text(
        yaml.safe_dump({"sentences": rows}, allow_unicode=True, sort_keys=False, width=100),
        "utf-8",
    )


def second_labels() -> dict[str, dict[str, set[str]]]:
    """Return every second label by sentence id, refusing ids outside the sample."""
    allowed = {item["id"] for item in sample()}
    labels: dict[str, dict[str, set[str]]] = {}
    for path in sorted(AGREEMENT.glob("*.yaml")):
        for row in yaml.safe_load(path.read_text("utf-8"))["sentences"]:
            if row["id"] not in allowed:
                raise ValueError(f"{path.name}: {row['id']} is not in the seeded sample")
            if row["id"] in labels:
                raise ValueError(f"{path.name}: {row['id']} is labelled twice")
            labels[row["id"]] = {name: set(row.get(name) or ()) for name in LABELS}
    return labels


def cohen_kappa(pairs: list[tuple[bool, bool]]) -> float:
    """Return Cohen's kappa of two yes/no raters (1.0 when chance agreement is already total)."""
    total = len(pairs)
    observed = sum(first == second for first, second in pairs) / total
    first_yes = sum(first for first, _ in pairs) / total
    second_yes = sum(second for _, second in pairs) / total
    chance = first_yes * second_yes + (1 - first_yes) * (1 - second_yes)
    return 1.0 if chance == 1 else (observed - chance) / (1 - chance)


def agreement() -> tuple[Score, dict[str, float]]:
    """Score the second labels against the stored ones; return the score and the extras."""
    labels = second_labels()
    result = Score()
    pairs: list[tuple[bool, bool]] = []
    same_signs = 0
    for item in sample():
        got = labels.get(item["id"])
        if got is None:
            continue
        stored = set(item.get("red_flags") or ())
        result.add(item, got, keep_misses=True)
        pairs.append((bool(stored), bool(got["red_flags"])))
        same_signs += stored == got["red_flags"]
    extras = {
        "any_sign_agreement_pct": 100 * sum(a == b for a, b in pairs) / len(pairs),
        "any_sign_kappa": cohen_kappa(pairs),
        "same_signs_pct": 100 * same_signs / len(pairs),
    }
    return result, extras


def figures() -> dict[str, float]:
    """Return the agreement as `agreement_*` figures for `make bench`, beside the reader's."""
    result, extras = agreement()
    return result.figures("agreement") | {f"agreement_{k}": v for k, v in extras.items()}


def main() -> None:
    """Print the agreement, or write the blind sheet."""
    parser = argparse.ArgumentParser(description="Second-annotator agreement on real sentences.")
    parser.add_argument("--sheet", type=Path, help="write the blind sheet (id, text) here")
    parser.add_argument("--misses", action="store_true", help="list the disagreements")
    args = parser.parse_args()
    if args.sheet:
        write_sheet(args.sheet)
        return
    result, extras = agreement()
    print(result.line("second annotator"))
    print(
        f"any sign: agree {extras['any_sign_agreement_pct']:.1f}%  "
        f"Cohen's kappa {extras['any_sign_kappa']:.2f}  "
        f"identical sets of signs {extras['same_signs_pct']:.1f}%"
    )
    if args.misses:
        print("\n".join(result.misses))


if __name__ == "__main__":
    main()
