"""List common English words that the reader's typo corrector would turn into another word.

Such words ("would" → "wound", "angle" → "ankle") belong in knowledge/language.yaml under
reader.keep_words, so the reader leaves them alone. A word counts when its correction adds a
concept alone or beside places, and also when it becomes another word that only a listed
phrase uses ("shade" → "shape" in "weird shape", "grass" → "glass" in "stepped on * glass",
"hearing" → "healing" in "not healing"): any correction that is not the same word inflected.
This is a maintenance tool, run by hand after growing the word lists; it needs the `wordfreq`
package, which the bot itself does not:

    pip install wordfreq && python -m bench.typo_guard [--zipf 2.5]

It prints `word -> correction (zipf frequency)` for each word at or above the frequency.
"""

from __future__ import annotations

import argparse
import importlib
from pathlib import Path

from bot.core.knowledge import load_knowledge
from bot.core.reader import _SUFFIXES, Reader
from bot.core.text import collapse_runs, key

KNOWLEDGE = Path(__file__).resolve().parent.parent / "knowledge"


# English words that are, here, most likely the listed word in another form or misspelt, so
# the corrector may change them: "tighten" is tightness, "hells" is heels, "strained" is a
# sprain, "shootin" is shooting.
# fmt: off
ALLOW = frozenset((
    "tightly", "tighten", "tightens", "tightest", "weaken", "weakly", "weaknesses", "bruise",
    "bruises", "injure", "injures", "injuries", "wounded", "wounding", "infectious", "infecting",
    "inflame", "fracturing", "severely", "unbearably", "excruciatingly", "painfully", "feverishly",
    "buckled", "wobbling", "arched", "arching", "heeled", "footing", "hells", "numbing", "pained",
    "sharpness", "sharply", "hardness", "hotness", "stung", "burned", "burnt", "strained",
    "strain", "shivered", "tickling", "sorely", "rigidly", "tenderly", "stiffen", "shootin",
    "burnin", "mornin", "hallo", "cryin", "hugely", "massively", "enormously", "blackness",
    "whiter", "whiteness", "scraping", "grazing", "blistering", "uncomfortably", "darken",
    "ballon", "ballooning", "splintered", "coldness", "paler", "grayish", "poppin", "cries",
    "heated", "stitched", "enlarge", "crushes", "smashes", "stumble", "stumbles",
    # a dropped g or a common misspelling of the listed word
    "walkin", "feelin", "runnin", "rollin", "killin", "shakin", "sittin", "gettin", "comin",
    "makin", "keepin", "givin", "breakin", "flyin", "fallin", "somethin", "loosing", "wierd",
    "comming", "becuase", "planter", "planar", "dependant", "couldnt", "aint", "cnt",
))
# fmt: on


def _ids(reader: Reader, text: str) -> set[str]:
    """Return every concept id read in `text`."""
    reading = reader.read(text)
    found = (*reading.symptoms, *reading.locations, *reading.red_flags, *reading.intents)
    return {m.id for m in (*found, *reading.conditions)} | {f"hint:{h}" for h in reading.hints}


# A word alone, and beside places (so that `near` words such as "red" show up too).
CONTEXTS = ("{}", "my calf and my foot are {}")


def _inflected(word: str, corrected: str) -> bool:
    """Say whether a correction is the word itself: an ending dropped ("aching" → "ache",
    "taken" → "take", "worsen" → "worse") or stretched letters squeezed ("sooo" → "so")."""
    endings = (*_SUFFIXES, ("en", ""), ("n", ""))
    return corrected in (key(collapse_runs(word, 1)), key(collapse_runs(word, 2))) or any(
        word.endswith(ending) and key(word[: -len(ending)] + added) == corrected
        for ending, added in endings
    )


def candidates(min_zipf: float, top: int = 60_000) -> list[tuple[str, str, float]]:
    """Return (word, correction, zipf) for frequent words whose correction adds a concept or
    makes another word of them."""
    wordfreq = importlib.import_module("wordfreq")
    reader = Reader(load_knowledge(KNOWLEDGE))
    found = []
    for word in wordfreq.top_n_list("en", top):
        if not (word.isascii() and word.isalpha()):
            continue
        zipf = wordfreq.zipf_frequency(word, "en")
        if zipf < min_zipf:
            break
        corrected, _ = reader.correct(word)
        if corrected == key(word):
            continue
        if not _inflected(word, corrected) or any(
            _ids(reader, ctx.format(word)) - _ids(reader, ctx.format("")) for ctx in CONTEXTS
        ):
            found.append((word, corrected, zipf))
    return found


def _yaml_list(words: list[str], indent: int = 14, width: int = 100) -> str:
    """Return words as a YAML flow list wrapped to the line width."""
    lines: list[str] = []
    line = ""
    for word in words:
        piece = f"{word}, "
        if line and indent + len(line) + len(piece) > width:
            lines.append(line.rstrip())
            line = ""
        line += piece
    lines.append(line.rstrip().rstrip(","))
    return "[" + ("\n" + " " * indent).join(lines) + "]"


def main() -> None:
    """Print the candidates for keep_words, or the keep_words list itself with --yaml."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--zipf", type=float, default=2.5, help="lowest word frequency (zipf)")
    parser.add_argument("--yaml", action="store_true", help="print a keep_words YAML list")
    args = parser.parse_args()
    found = candidates(args.zipf)
    if args.yaml:
        reader_keep = load_knowledge(KNOWLEDGE).tuning.keep_words
        keep = sorted({w for w, _, _ in found if w not in ALLOW} | set(reader_keep))
        print("keep_words: " + _yaml_list(keep))
        return
    for word, corrected, zipf in found:
        flag = "  (allowed)" if word in ALLOW else ""
        print(f"{word} -> {corrected} ({zipf:.1f}){flag}")


if __name__ == "__main__":
    main()
