"""The rule table: which moves for which symptom and place, in the article's order."""

from __future__ import annotations

import itertools

import pytest

from bot.core.knowledge import LOCATION_IDS, SYMPTOM_IDS
from bot.core.routine import card_text, dose_text, routine_for

KIND_RANK = {"roll": 0, "stretch": 1, "strengthen": 2}


@pytest.mark.parametrize(
    ("symptoms", "locations", "expected"),
    [
        (["tightness"], ["calf"], ["standing_calf_stretch", "plank_calf_stretch"]),
        (["cramping"], ["arch"], ["ball_roll", "towel_toe_curl", "banded_toe_pull"]),
        (["weakness"], ["ankle"], ["banded_toe_pull", "standing_calf_raise"]),
        (["soreness"], [], ["ball_roll", "standing_calf_stretch"]),
        (["pain"], ["heel"], ["ball_roll", "standing_calf_stretch", "standing_calf_raise"]),
        # A place without its own list uses the symptom's default, next to one that has.
        (
            ["soreness"],
            ["heel", "calf"],
            ["ball_roll", "standing_calf_stretch", "plank_calf_stretch"],
        ),
        # Several symptoms: the union, still rolled, then stretched, then strengthened.
        (
            ["weakness", "tightness"],
            ["calf"],
            ["standing_calf_stretch", "plank_calf_stretch", "standing_calf_raise"],
        ),
    ],
)
def test_rule_table(knowledge, symptoms, locations, expected):
    assert list(routine_for(knowledge, symptoms, locations)) == expected


def test_every_combination_gives_an_ordered_capped_routine(knowledge):
    for size in (1, 2):
        for symptoms in itertools.combinations(SYMPTOM_IDS, size):
            for locations in [(), *itertools.combinations(LOCATION_IDS, size)]:
                routine = routine_for(knowledge, symptoms, locations)
                assert routine, (symptoms, locations)
                assert len(routine) == len(set(routine))
                assert len(routine) <= knowledge.rules.max_exercises
                ranks = [KIND_RANK[knowledge.exercises[e].kind] for e in routine]
                assert ranks == sorted(ranks), (symptoms, locations, routine)


def test_all_symptoms_everywhere_is_capped(knowledge):
    routine = routine_for(knowledge, SYMPTOM_IDS, LOCATION_IDS)
    assert len(routine) == knowledge.rules.max_exercises == 6
    assert routine[0] == "ball_roll"


def test_unknown_symptom_is_ignored(knowledge):
    assert routine_for(knowledge, ["itching"], ["heel"]) == ()


def test_dose_text_in_each_shape(knowledge):
    ex = knowledge.exercises
    assert dose_text(knowledge, ex["standing_calf_stretch"].dose) == (
        "hold for 30 seconds, 3 times each side, twice a day."
    )
    assert dose_text(knowledge, ex["towel_toe_curl"].dose).startswith(
        "1 x 10-20 each foot, twice a day."
    )
    assert dose_text(knowledge, ex["ball_roll"].dose).startswith(
        "1 to 2 minutes per foot, once or twice a day."
    )


def test_card_has_numbered_steps_dose_equipment_and_cautions(knowledge):
    text = card_text(knowledge, "ball_roll", 1, 3)
    assert text.startswith("1/3 Ball roll under the foot\n")
    for number in range(1, 6):
        assert f"\n{number}. " in text
    assert "How much: 1 to 2 minutes per foot" in text
    assert "You need a lacrosse ball. Instead, you can use a baseball, a softball" in text
    assert "Careful: Firm pressure, never sharp pain." in text
