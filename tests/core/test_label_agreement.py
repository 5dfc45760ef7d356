"""The second, blind labelling of real sentences and how its agreement is scored."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bench import label_agreement
from bench.real_sentences import held_back, load
from bot.core.knowledge import Knowledge


def test_kappa_matches_a_worked_example() -> None:
    """Give 0.4 for 20 yes-yes, 5 yes-no, 10 no-yes, 15 no-no (observed 0.7, chance 0.5)."""
    pairs = [(True, True)] * 20 + [(True, False)] * 5 + [(False, True)] * 10 + [(False, False)] * 15
    assert label_agreement.cohen_kappa(pairs) == pytest.approx(0.4)


def test_kappa_is_zero_at_chance_and_one_when_identical() -> None:
    """Give 0 when the raters agree only as often as chance would, 1 when always."""
    chance = [(True, True), (True, False), (False, True), (False, False)]
    assert label_agreement.cohen_kappa(chance) == pytest.approx(0.0)
    assert label_agreement.cohen_kappa([(True, True), (False, False)]) == pytest.approx(1.0)


def test_sample_is_seeded_and_never_touches_the_test_split_or_a_held_back_fifth() -> None:
    """Draw the same 240 tunable sentences every time, none from test or a held-back fifth."""
    first = [item["id"] for item in label_agreement.sample()]
    assert first == [item["id"] for item in label_agreement.sample()]
    assert len(set(first)) == label_agreement.SAMPLE_SIZE
    test_ids = {item["id"] for item in load("test")}
    assert not test_ids & set(first)
    for item in label_agreement.sample():
        assert item["id"].startswith("rs") and ("_" not in item["id"] or not held_back(item)), item[
            "id"
        ]


def test_sheet_shows_only_id_and_text(tmp_path: Path) -> None:
    """Write a blind sheet that carries no label at all."""
    sheet = tmp_path / "sheet.yaml"
    label_agreement.write_sheet(sheet)
    rows = yaml.safe_load(sheet.read_text("utf-8"))["sentences"]
    assert len(rows) == label_agreement.SAMPLE_SIZE
    assert all(set(row) == {"id", "text"} for row in rows)


def test_committed_second_labels_cover_the_sample_with_known_ids(knowledge: Knowledge) -> None:
    """Label every sampled sentence once, with symptom, location and sign ids that exist."""
    labels = label_agreement.second_labels()
    assert set(labels) == {item["id"] for item in label_agreement.sample()}
    known = {
        "symptoms": set(knowledge.symptoms),
        "locations": set(knowledge.locations),
        "red_flags": set(knowledge.red_flags),
    }
    for sentence_id, row in labels.items():
        for name, ids in row.items():
            assert ids <= known[name], (sentence_id, name, ids - known[name])


def test_labels_outside_the_sample_are_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refuse a test-split id, so a second labelling can never leak into the test split."""
    test_id = load("test")[0]["id"]
    (tmp_path / "x.yaml").write_text(yaml.safe_dump({"sentences": [{"id": test_id}]}), "utf-8")
    monkeypatch.setattr(label_agreement, "AGREEMENT", tmp_path)
    with pytest.raises(ValueError, match="not in the seeded sample"):
        label_agreement.second_labels()


def test_a_sentence_labelled_twice_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Refuse two labels for one sentence instead of silently keeping one."""
    sample_id = label_agreement.sample()[0]["id"]
    for name in ("a.yaml", "b.yaml"):
        (tmp_path / name).write_text(yaml.safe_dump({"sentences": [{"id": sample_id}]}), "utf-8")
    monkeypatch.setattr(label_agreement, "AGREEMENT", tmp_path)
    with pytest.raises(ValueError, match="labelled twice"):
        label_agreement.second_labels()


def test_labels_identical_to_the_stored_ones_agree_fully(monkeypatch: pytest.MonkeyPatch) -> None:
    """Score a copy of the stored labels as full agreement: recall 100%, no false alarm."""
    stored = {
        item["id"]: {name: set(item.get(name) or ()) for name in label_agreement.LABELS}
        for item in label_agreement.sample()
    }
    monkeypatch.setattr(label_agreement, "second_labels", lambda: stored)
    figures = label_agreement.figures()
    assert figures["agreement_sentences"] == label_agreement.SAMPLE_SIZE
    assert figures["agreement_sign_recall_any_pct"] == 100.0
    assert figures["agreement_false_alarms_pct"] == 0.0
    assert figures["agreement_symptom_f1"] == 1.0
    assert figures["agreement_any_sign_kappa"] == pytest.approx(1.0)
    assert figures["agreement_same_signs_pct"] == 100.0


def test_one_missed_sign_lowers_recall(monkeypatch: pytest.MonkeyPatch) -> None:
    """Count a second annotator who drops one sentence's signs as one miss."""
    items = label_agreement.sample()
    stored = {
        item["id"]: {name: set(item.get(name) or ()) for name in label_agreement.LABELS}
        for item in items
    }
    signed = next(item["id"] for item in items if item.get("red_flags"))
    stored[signed]["red_flags"] = set()
    monkeypatch.setattr(label_agreement, "second_labels", lambda: stored)
    figures = label_agreement.figures()
    signed_count = sum(bool(item.get("red_flags")) for item in items)
    expected = 100 * (signed_count - 1) / signed_count
    assert figures["agreement_sign_recall_any_pct"] == pytest.approx(expected)
    assert figures["agreement_any_sign_kappa"] < 1.0
