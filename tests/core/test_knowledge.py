"""The knowledge validator: every kind of broken file gives one line naming file and id."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.__main__ import main
from bot.core.dialogue import Engine
from bot.core.events import CommandEvent
from bot.core.flows import REGISTRY
from bot.core.knowledge import ExerciseKind, KnowledgeError, load_knowledge
from bot.core.progress import Checkin
from bot.core.replies import Say
from bot.core.state import ConversationState
from bot.core.turn import Context
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture
def kdir(tmp_path: Path) -> Path:
    target = tmp_path / "knowledge"
    shutil.copytree(KNOWLEDGE_DIR, target)
    return target


def edit(kdir: Path, name: str, change: Callable[[dict[str, Any]], None]) -> None:
    path = kdir / name
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def error_of(kdir: Path) -> str:
    with pytest.raises(KnowledgeError) as info:
        Engine(load_knowledge(kdir))  # the engine checks the sentences against the flows
    message = str(info.value)
    assert "\n" not in message, "the error must be one line"
    return message


def test_real_knowledge_is_valid(knowledge):
    assert set(knowledge.exercises) == {
        "ball_roll",
        "plank_calf_stretch",
        "standing_calf_stretch",
        "banded_toe_pull",
        "towel_toe_curl",
        "standing_calf_raise",
    }
    kinds = {e.kind for e in knowledge.exercises.values()}
    assert kinds == set(ExerciseKind)
    for exercise in knowledge.exercises.values():
        assert 3 <= len(exercise.steps) <= 6
        assert exercise.cautions
    assert set(knowledge.messages) == set(REGISTRY.messages)


def test_ball_roll_lists_the_articles_alternatives(knowledge):
    ball = knowledge.exercises["ball_roll"]
    assert "lacrosse" in (ball.equipment or "")
    joined = " ".join(ball.alternatives)
    for other in ("baseball", "softball", "golf ball"):
        assert other in joined


def test_missing_file(kdir):
    (kdir / "rules.yaml").unlink()
    assert error_of(kdir).startswith("knowledge/rules.yaml: file not found")


def test_invalid_yaml_names_the_line(kdir):
    (kdir / "exercises.yaml").write_text("exercises:\n  - id: a\n   name: [broken\n")
    message = error_of(kdir)
    assert message.startswith("knowledge/exercises.yaml: line ")
    assert "not valid YAML" in message


def test_exercise_with_too_few_steps(kdir):
    edit(kdir, "exercises.yaml", lambda d: d["exercises"][1].update(steps=["one", "two"]))
    message = error_of(kdir)
    assert message.startswith("knowledge/exercises.yaml: exercises 'plank_calf_stretch'.steps")


def test_dose_with_two_shapes(kdir):
    def both(d: dict[str, Any]) -> None:
        d["exercises"][1]["dose"]["sets"] = 2
        d["exercises"][1]["dose"]["reps"] = "10"

    edit(kdir, "exercises.yaml", both)
    message = error_of(kdir)
    assert "exercises 'plank_calf_stretch'.dose" in message
    assert "exactly one of" in message


def test_exercise_helping_unknown_symptom(kdir):
    edit(kdir, "exercises.yaml", lambda d: d["exercises"][0]["helps"].append("itching"))
    assert error_of(kdir) == (
        "knowledge/exercises.yaml: exercises 'ball_roll': unknown symptom 'itching'"
    )


def _plank(data: dict[str, Any]) -> dict[str, Any]:
    return next(e for e in data["exercises"] if e["id"] == "plank_calf_stretch")


def test_a_caution_suggesting_an_unknown_exercise(kdir):
    edit(kdir, "exercises.yaml", lambda d: _plank(d)["cautions"][1].update(suggests="wall_sit"))
    assert error_of(kdir) == (
        "knowledge/exercises.yaml: exercises 'plank_calf_stretch': "
        "a caution suggests unknown exercise 'wall_sit'"
    )


def test_a_card_text_naming_another_move_must_say_it_suggests_it(kdir):
    """Else a card could suggest a move the person's program has removed."""

    def plain(data: dict[str, Any]) -> None:
        cautions = _plank(data)["cautions"]
        cautions[1] = cautions[1]["text"]

    edit(kdir, "exercises.yaml", plain)
    assert "names standing_calf_stretch: only a caution with `suggests" in error_of(kdir)


def test_duplicate_exercise_id(kdir):
    edit(kdir, "exercises.yaml", lambda d: d["exercises"][1].update(id="ball_roll"))
    assert "duplicate id 'ball_roll'" in error_of(kdir)


def test_rule_naming_a_missing_exercise(kdir):
    edit(kdir, "rules.yaml", lambda d: d["routines"]["tightness"]["calf"].append("plank_stretch"))
    assert error_of(kdir) == (
        "knowledge/rules.yaml: routines.tightness.calf: unknown exercise 'plank_stretch'"
    )


def test_rule_for_unknown_location(kdir):
    edit(kdir, "rules.yaml", lambda d: d["routines"]["pain"].update(knee=["ball_roll"]))
    assert error_of(kdir) == "knowledge/rules.yaml: routines.pain.knee: unknown location 'knee'"


def test_symptom_without_routine(kdir):
    edit(kdir, "rules.yaml", lambda d: d["routines"].pop("weakness"))
    assert error_of(kdir) == "knowledge/rules.yaml: routines: no routine for symptom 'weakness'"


def test_missing_required_symptom(kdir):
    edit(kdir, "symptoms.yaml", lambda d: d["symptoms"].pop(1))
    assert error_of(kdir) == "knowledge/symptoms.yaml: symptom: missing the required id 'cramping'"


def test_unknown_location_id(kdir):
    edit(kdir, "symptoms.yaml", lambda d: d["locations"].append({"id": "knee", "words": ["knee"]}))
    assert error_of(kdir) == "knowledge/symptoms.yaml: location 'knee': unknown location id 'knee'"


def test_red_flag_with_unknown_urgency(kdir):
    edit(kdir, "red_flags.yaml", lambda d: d["red_flags"][0].update(urgency="whenever"))
    assert error_of(kdir).startswith("knowledge/red_flags.yaml: red flag 'numbness'.urgency")


def test_missing_message(kdir):
    edit(kdir, "messages.yaml", lambda d: d["messages"].pop("ask_location"))
    assert error_of(kdir) == (
        "knowledge/messages.yaml: ask_location: missing the required message 'ask_location'"
    )


def test_unknown_message_key(kdir):
    edit(kdir, "messages.yaml", lambda d: d["messages"].update(ask_locaton="Where?"))
    assert (
        error_of(kdir) == "knowledge/messages.yaml: ask_locaton: unknown message key 'ask_locaton'"
    )


def test_message_with_unknown_placeholder(kdir):
    edit(kdir, "messages.yaml", lambda d: d["messages"].update(greeting="Hi {nmae}!"))
    message = error_of(kdir)
    assert message.startswith("knowledge/messages.yaml: greeting: unknown placeholder {nmae}")


def test_days_and_months_are_named_in_the_knowledge_files_words(kdir):
    # They were abbreviations in Python ("Fri 20 Nov") and strftime's month, in whatever
    # language the machine's locale had: a translator could not change them.
    def translate(data: dict[str, Any]) -> None:
        data["messages"].update(
            date_short="{weekday} {day} {month}",
            weekday_short_fri="ven.",
            month_short_nov="nov.",
            date_day_month="le {day} {month}",
            month_oct="octobre",
        )

    edit(kdir, "messages.yaml", translate)
    engine = Engine(load_knowledge(kdir))
    now = datetime(2026, 11, 21, 9, 0, tzinfo=UTC)
    checkins = (Checkin(day=date(2026, 11, 20), score=3, done=True),)
    context = Context(now=now, first_name="Ann", checkins=checkins)
    welcome, *_ = engine.step(ConversationState(), CommandEvent(name="start"), context).replies
    assert isinstance(welcome, Say) and "(ven. 20 nov.)" in welcome.text
    state = ConversationState(symptoms=("tightness",), locations=("calf",))
    state.safety.signs = {"numbness": date(2026, 10, 1)}
    [review] = engine.step(state, CommandEvent(name="routine"), Context(now=now)).replies
    assert isinstance(review, Say) and review.key == "review_sign"
    assert review.text.startswith("On le 1 octobre you told me about")


def test_a_date_sentence_is_checked_as_any_other(kdir):
    edit(kdir, "messages.yaml", lambda d: d["messages"].update(date_short="{day} {month} {year}"))
    assert error_of(kdir).startswith(
        "knowledge/messages.yaml: date_short: unknown placeholder {year}"
    )
    edit(kdir, "messages.yaml", lambda d: d["messages"].update(date_short="{day} {month}"))
    edit(kdir, "messages.yaml", lambda d: d["messages"].pop("month_short_nov"))
    assert error_of(kdir) == (
        "knowledge/messages.yaml: month_short_nov: missing the required message 'month_short_nov'"
    )


def test_unknown_time_zone(kdir):
    edit(kdir, "timezones.yaml", lambda d: d["aliases"].update(atlantis="Atlantis/Capital"))
    assert error_of(kdir) == (
        "knowledge/timezones.yaml: aliases.atlantis: unknown time zone 'Atlantis/Capital'"
    )


def test_yes_and_no_stay_words(knowledge):
    assert "no" in knowledge.negation.before
    assert "yes" in knowledge.tuning.affirm


def test_check_knowledge_command(kdir, monkeypatch, capsys):
    monkeypatch.setenv("KNOWLEDGE_DIR", str(kdir))
    assert main(["check-knowledge"]) == 0
    assert capsys.readouterr().out.startswith("knowledge OK: 6 exercises")
    edit(kdir, "rules.yaml", lambda d: d["routines"]["tightness"]["calf"].append("nope"))
    assert main(["check-knowledge"]) == 1
    err = capsys.readouterr().err.strip()
    assert (
        err == "footcoach: knowledge/rules.yaml: routines.tightness.calf: unknown exercise 'nope'"
    )


def test_combination_naming_an_unknown_sign(kdir):
    edit(kdir, "rules.yaml", lambda d: d["triage"]["combinations"][0].update(signs=["bruise"]))
    assert error_of(kdir) == ("knowledge/rules.yaml: triage.combinations[0]: unknown sign 'bruise'")


def test_combination_naming_an_unknown_condition(kdir):
    edit(kdir, "rules.yaml", lambda d: d["triage"]["combinations"][0].update(conditions=["gout"]))
    assert error_of(kdir) == (
        "knowledge/rules.yaml: triage.combinations[0]: unknown condition 'gout'"
    )


def test_a_sign_needs_words_or_a_combination(kdir):
    edit(kdir, "rules.yaml", lambda d: d.pop("triage"))
    edit(kdir, "red_flags.yaml", lambda d: d["red_flags"][-1].update(words=[]))
    assert error_of(kdir) == (
        "knowledge/red_flags.yaml: red flag 'diabetic_foot'.words: needs words, or a triage"
        " combination"
    )


def test_missing_condition(kdir):
    edit(kdir, "red_flags.yaml", lambda d: d["conditions"][0].update(id="gout"))
    assert error_of(kdir).startswith("knowledge/red_flags.yaml: condition")


def test_a_level_whose_picture_is_not_drawn_is_refused(kdir):
    def unknown_variant(d: dict[str, Any]) -> None:
        d["exercises"][5]["levels"][2]["variant"] = "on_a_trampoline"

    edit(kdir, "exercises.yaml", unknown_variant)
    message = error_of(kdir)
    assert "exercises 'standing_calf_raise'.levels[3]" in message
    assert "on_a_trampoline" in message


def test_a_ladder_level_with_a_broken_dose_is_refused(kdir):
    def broken(d: dict[str, Any]) -> None:
        d["exercises"][5]["levels"][1]["dose"]["duration"] = "a while"

    edit(kdir, "exercises.yaml", broken)
    assert "exactly one of" in error_of(kdir)


def test_every_exercise_has_a_ladder_that_starts_on_it(knowledge):
    for exercise in knowledge.exercises.values():
        assert 1 <= exercise.start_level <= len(exercise.ladder)
        assert exercise.dose == exercise.ladder[exercise.start_level - 1].dose
    assert len(knowledge.exercises["standing_calf_raise"].ladder) == 4


def edit_text(kdir: Path, name: str, old: str, new: str) -> None:
    """Change a knowledge file as text: language.yaml's bare "no" and "n" would not survive
    the YAML round trip of `edit`."""
    path = kdir / name
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new, 1))


def test_an_everyday_question_without_an_answer_is_refused(kdir: Path) -> None:
    edit_text(kdir, "language.yaml", "  questions:\n", "  questions:\n    shoes: [what shoes]\n")
    assert "unknown question 'shoes'" in error_of(kdir)


def test_two_moves_called_the_same_are_refused(kdir: Path) -> None:
    called = "    called: [towel one,"
    edit_text(kdir, "exercises.yaml", called, called + " the ball,")
    assert "'the ball' also calls 'ball_roll'" in error_of(kdir)


def test_two_moves_called_the_same_once_punctuation_is_folded_are_refused(kdir: Path) -> None:
    # Messages are matched with punctuation folded away, so "the ball!" names the ball roll.
    called = "    called: [towel one,"
    edit_text(kdir, "exercises.yaml", called, called + ' "The Ball!",')
    assert "'The Ball!' also calls 'ball_roll'" in error_of(kdir)
