"""Experiment: a light text classifier for the warning signs of a sentence, beside the rules.

Not run by `make test`, and not in the product (the classifier did not pass; see
docs/sign-model-experiment.md). Needs scikit-learn, which the project does not install:
`.venv/bin/pip install scikit-learn` (measured with 1.9.1, numpy 2.4.6).

Trains and tunes on the training pool only: dev.yaml whole and the tuning parts of dev2.yaml
and dev3.yaml (bench.real_sentences, `dev2-tune`, `dev3-tune`). The held-back parts are scored
for their aggregate figures alone, and the test split is never read here.

    python -m bench.sign_model_experiment cv        # cross-validated figures on the pool
    python -m bench.sign_model_experiment held --c 4 --add 0.85   # held-back aggregates
"""

from __future__ import annotations

import argparse
import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.sparse import hstack
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold, KFold

from bench.real_sentences import ROOT, Score, load, read
from bot.core.knowledge import load_knowledge
from bot.core.reader import Reader

POOL = ("dev", "dev2-tune", "dev3-tune")
HELD = ("dev2-held", "dev3-held")
SEED = 20261203
ANY = "any"


def pool() -> list[dict[str, Any]]:
    """Return the training pool: dev whole and the tuning parts of dev2 and dev3."""
    return [item for split in POOL for item in load(split)]


def sign_ids(items: Sequence[dict[str, Any]]) -> list[str]:
    """Return the sign ids labelled in the items, sorted."""
    return sorted({s for item in items for s in item.get("red_flags") or ()})


@dataclass
class Setup:
    """The features and the regularisation of one classifier setup."""

    word_max: int = 2
    char_min: int = 3
    char_max: int = 5
    c: float = 4.0
    min_df: int = 2
    sublinear: bool = True

    def vectorizers(self) -> tuple[TfidfVectorizer, TfidfVectorizer]:
        """Return fresh word and char vectorizers."""
        word = TfidfVectorizer(
            analyzer="word",
            ngram_range=(1, self.word_max),
            min_df=self.min_df,
            sublinear_tf=self.sublinear,
            dtype=np.float64,
        )
        char = TfidfVectorizer(
            analyzer="char_wb",
            ngram_range=(self.char_min, self.char_max),
            min_df=self.min_df,
            sublinear_tf=self.sublinear,
            dtype=np.float64,
        )
        return word, char


class Model:
    """One-vs-rest logistic heads per sign id, and one for "any sign", on shared features."""

    def __init__(self, setup: Setup, heads: Sequence[str]) -> None:
        self.setup = setup
        self.heads = list(heads)
        self.word, self.char = setup.vectorizers()
        self.models: dict[str, LogisticRegression] = {}

    def features(self, texts: Sequence[str], fit: bool = False) -> Any:
        if fit:
            return hstack([self.word.fit_transform(texts), self.char.fit_transform(texts)]).tocsr()
        return hstack([self.word.transform(texts), self.char.transform(texts)]).tocsr()

    def fit(self, items: Sequence[dict[str, Any]]) -> Model:
        texts = [item["text"] for item in items]
        x = self.features(texts, fit=True)
        for head in self.heads:
            y = np.array([target(item, head) for item in items])
            model = LogisticRegression(
                C=self.setup.c, class_weight="balanced", max_iter=5000, random_state=SEED
            )
            if y.min() == y.max():
                continue
            self.models[head] = model.fit(x, y)
        return self

    def proba(self, texts: Sequence[str]) -> dict[str, np.ndarray]:
        x = self.features(texts)
        zero = np.zeros(len(texts))
        return {
            head: (self.models[head].predict_proba(x)[:, 1] if head in self.models else zero)
            for head in self.heads
        }


def target(item: dict[str, Any], head: str) -> int:
    """Return 1 when the item has the head's sign (any sign, for the `any` head)."""
    signs = item.get("red_flags") or ()
    return int(bool(signs)) if head == ANY else int(head in signs)


def rule_signs(items: Sequence[dict[str, Any]]) -> list[dict[str, set[str]]]:
    """Return what the reader and triage give for each item alone."""
    knowledge = load_knowledge(ROOT / "knowledge")
    reader = Reader(knowledge)
    return [read(reader, knowledge, item["text"]) for item in items]


def groups_of(items: Sequence[dict[str, Any]]) -> list[str]:
    """Return each item's group for cross-validation: its source page."""
    return [str(item.get("source") or item["id"]) for item in items]


def out_of_fold(
    items: Sequence[dict[str, Any]],
    setup: Setup,
    heads: Sequence[str],
    folds: int = 5,
    grouped: bool = True,
) -> dict[str, np.ndarray]:
    """Return out-of-fold probabilities per head, folds grouped by source page or not."""
    result = {head: np.zeros(len(items)) for head in heads}
    if grouped:
        splits = GroupKFold(n_splits=folds, shuffle=True, random_state=SEED).split(
            items, groups=groups_of(items)
        )
    else:
        splits = KFold(n_splits=folds, shuffle=True, random_state=SEED).split(items)
    for train, test in splits:
        model = Model(setup, heads).fit([items[i] for i in train])
        probs = model.proba([items[i]["text"] for i in test])
        for head in heads:
            result[head][test] = probs[head]
    return result


# A combination: from the rules' signs and the classifier's probabilities of one item, the signs.
Combine = Callable[[set[str], dict[str, float]], set[str]]


@dataclass(frozen=True)
class Rule:
    """How the classifier joins the rules.

    add: when the rules raise no sign and P(any) >= add, raise the sign heads at or over
    `sign` (or the likeliest sign when none is). veto: drop the rules' signs when P(any) < veto
    (0 = never).
    """

    add: float = 1.1
    sign: float = 0.5
    veto: float = 0.0

    def __call__(self, signs: set[str], probs: dict[str, float]) -> set[str]:
        if signs:
            return set() if probs[ANY] < self.veto else signs
        if probs[ANY] < self.add:
            return set()
        heads = {h: p for h, p in probs.items() if h != ANY}
        chosen = {h for h, p in heads.items() if p >= self.sign}
        return chosen or {max(heads, key=lambda h: heads[h])}


def evaluate(
    items: Sequence[dict[str, Any]],
    rules: Sequence[dict[str, set[str]]],
    probs: dict[str, np.ndarray],
    combine: Combine,
) -> Score:
    """Score the items with the combined signs (symptoms and places as the rules read them)."""
    result = Score()
    heads = list(probs)
    for i, item in enumerate(items):
        got = dict(rules[i])
        got["red_flags"] = combine(set(rules[i]["red_flags"]), {h: probs[h][i] for h in heads})
        result.add(item, got, keep_misses=False)
    return result


def figures(score: Score) -> str:
    """Return the headline sign figures of a score as one line."""
    r = Score.ratio
    return (
        f"any {r(score.any_sign, score.signed):6.1%} exact {r(score.exact, score.signed):6.1%} "
        f"FA {r(score.false_alarms, score.clean):5.1%} "
        f"({score.any_sign}/{score.signed}, {score.false_alarms}/{score.clean})"
    )


def clf_alone(items: Sequence[dict[str, Any]], probs: dict[str, np.ndarray]) -> None:
    """Print the any-sign head's recall and false alarms at a few thresholds, alone."""
    y = np.array([target(item, ANY) for item in items])
    for t in (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9):
        hit = probs[ANY] >= t
        print(f"    alone t={t:.1f}: recall {hit[y == 1].mean():6.1%} FA {hit[y == 0].mean():5.1%}")


GRID_ADD = tuple(round(0.5 + 0.05 * i, 2) for i in range(10))
GRID_VETO = (0.1, 0.2, 0.3, 0.4, 0.5)
# The most false alarms the added signs may bring, as a share of the sentences without a sign
# that the rules leave clean (the decision allows 2 points of false alarms in all).
MAX_ADDED_FA = 0.015


def cv(args: argparse.Namespace) -> None:
    """Print cross-validated figures of several setups on the pool and choose a threshold.

    The rules were tuned on this very pool, so on it they miss few signs (30 of 438) and raise
    few false alarms: the combined figures on the pool say little. What carries over is how
    the classifier's out-of-fold probabilities split the sentences the rules leave clean
    (added false alarms) and the signed ones (recall it may add), and, for a veto, the
    sentences where the rules raise a sign.
    """
    items = pool()
    heads = [ANY, *sign_ids(items)]
    rules = rule_signs(items)
    y = np.array([target(item, ANY) for item in items])
    fired = np.array([bool(r["red_flags"]) for r in rules])
    print(f"pool n={len(items)}; rules alone: {figures(evaluate(items, rules, {}, keep))}")
    setups = [
        Setup(c=c, char_min=lo, char_max=hi, min_df=md)
        for c, (lo, hi, md) in itertools.product(args.c, ((3, 5, 2), (2, 4, 1)))
    ]
    for setup, grouped in itertools.product(setups, (True, False)):
        probs = out_of_fold(items, setup, heads, args.folds, grouped)
        print(f"{setup} folds grouped by page: {grouped}")
        clf_alone(items, probs)
        score = probs[ANY]
        chosen = None
        for t in GRID_ADD:
            added = score >= t
            fa = added[~fired & (y == 0)].mean()
            if chosen is None and fa <= MAX_ADDED_FA:
                chosen = t
            missed, signed = added[~fired & (y == 1)].mean(), added[y == 1].mean()
            print(
                f"    add at {t:.2f}: FA among rule-clean {fa:5.1%}, recall among rule-missed "
                f"{missed:5.1%}, among all signed {signed:5.1%}"
                f"; combined {figures(evaluate(items, rules, probs, Rule(add=t)))}"
            )
        for v in GRID_VETO:
            vetoed = score < v
            removed, lost = vetoed[fired & (y == 0)].mean(), vetoed[fired & (y == 1)].mean()
            print(
                f"    veto below {v:.2f}: rule false alarms removed {removed:5.1%}, "
                f"rule signs lost {lost:5.1%}"
            )
        print(f"    chosen add threshold (added FA <= {MAX_ADDED_FA:.1%}): {chosen}")


def keep(signs: set[str], probs: dict[str, float]) -> set[str]:
    """The rules alone."""
    return signs


def held(args: argparse.Namespace) -> None:
    """Print the held-back aggregates of the rules alone and of one combination."""
    items = pool()
    heads = [ANY, *sign_ids(items)]
    model = Model(Setup(c=args.c[0]), heads).fit(items)
    rule = Rule(add=args.add, veto=args.veto)
    every: list[dict[str, Any]] = []
    for split in HELD:
        part = load(split)
        every += part
        rules = rule_signs(part)
        probs = model.proba([item["text"] for item in part])
        before, after = evaluate(part, rules, probs, keep), evaluate(part, rules, probs, rule)
        print(f"{split}: rules {figures(before)}  |  combined {figures(after)}")
    rules = rule_signs(every)
    probs = model.proba([item["text"] for item in every])
    before, after = evaluate(every, rules, probs, keep), evaluate(every, rules, probs, rule)
    print(f"held both: rules {figures(before)} F1 {before.symptoms.f1:.3f}")
    print(f"           combined {figures(after)} F1 {after.symptoms.f1:.3f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("what", choices=("cv", "held"))
    parser.add_argument("--c", type=float, nargs="+", default=[1.0, 4.0, 16.0])
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--add", type=float, default=1.1)
    parser.add_argument("--veto", type=float, default=0.0)
    args = parser.parse_args()
    {"cv": cv, "held": held}[args.what](args)


if __name__ == "__main__":
    main()
