"""Unit tests of the reader: typos, context, conditions, hints, pain scores, triage, order,
and hostile input."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.knowledge import (
    CONDITION_IDS,
    INTENT_IDS,
    LOCATION_IDS,
    RED_FLAG_IDS,
    SYMPTOM_IDS,
    Knowledge,
)
from bot.core.phrases import NUMBER, YEAR, number_key, split_phrase
from bot.core.reader import Reader
from bot.core.reading import Reading
from bot.core.text import Tokenizer
from bot.core.triage import open_hints, warning_signs


@pytest.fixture(scope="module")
def reader(knowledge: Knowledge) -> Reader:
    """Build one reader for the whole module, as the bot does once at start-up."""
    return Reader(knowledge)


def ids(reading: Reading) -> tuple[set[str], set[str], set[str], set[str]]:
    """Return the symptom, location, red flag and intent id sets of a reading."""
    return (
        set(reading.symptom_ids),
        set(reading.location_ids),
        set(reading.red_flag_ids),
        set(reading.intent_ids),
    )


def test_from_knowledge_builds_a_reader_of_that_knowledge(knowledge: Knowledge) -> None:
    reading = Reader.from_knowledge(knowledge).read("my calves are super tight")
    assert (reading.symptom_ids, reading.location_ids) == (("tightness",), ("calf",))


def test_reads_a_plain_complaint(reader: Reader) -> None:
    reading = reader.read("my calves are super tight")
    assert reading.symptom_ids == ("tightness",)
    assert reading.location_ids == ("calf",)
    assert not reading.red_flags and not reading.negated
    assert reading.symptoms[0].confidence == 1.0


# -- typos -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "symptoms", "locations"),
    [
        ("weeak ankels", {"weakness"}, {"ankle"}),
        ("tite calfs", {"tightness"}, {"calf"}),
        ("crampimg in my arch", {"cramping"}, {"arch"}),
        ("achilies is stiff", {"tightness"}, {"calf"}),
        ("sweling ankle", set(), {"ankle"}),
        ("my calves are tiiiight", {"tightness"}, {"calf"}),
        ("planter fasciitis", {"pain"}, {"heel"}),
        ("my heal hurts", {"pain"}, {"heel"}),
    ],
)
def test_tolerates_typos(
    reader: Reader, text: str, symptoms: set[str], locations: set[str]
) -> None:
    reading = reader.read(text)
    assert set(reading.symptom_ids) == symptoms
    assert set(reading.location_ids) == locations


def test_one_typo_in_a_long_word_stays_sure(reader: Reader) -> None:
    reading = reader.read("crampimg in my calf")
    assert reading.symptoms[0].words == "crampimg"
    assert reading.symptoms[0].confidence >= 0.8
    assert not reading.unsure


def test_a_shaky_guess_asks_to_confirm(reader: Reader) -> None:
    reading = reader.read("tiightnes in my calf")  # two edits away from "tightness"
    assert reading.symptom_ids == ("tightness",)
    assert reading.symptoms[0].confidence < 0.8
    assert reading.unsure


def test_typos_in_warning_signs_still_fire(reader: Reader) -> None:
    assert reader.read("numbbness in my toes").red_flag_ids == ("numbness",)
    assert "swelling" in reader.read("swolen ankle").red_flag_ids
    assert reader.read("excrutiating pain").red_flag_ids == ("severe",)


@pytest.mark.parametrize(
    "text",
    [
        "I would like to know more",
        "what is the right angle for the stretch",
        "I'm starting to feel better",
        "I was sweating at the gym",
        "I want to heal properly",
        "the light was right in my eyes all night",
    ],
)
def test_leaves_real_words_alone(reader: Reader, text: str) -> None:
    reading = reader.read(text)
    assert not (reading.symptoms or reading.locations or reading.red_flags), reading


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        # common words one letter from a word that only a listed phrase uses ("weird shape",
        # "stepped on * glass", "not healing") are left as written
        ("my toes turned a weird shade of blue", {"circulation"}),
        ("I stepped on the grass barefoot and my heel aches", set()),
        ("my hearing is not great and my heel hurts", set()),
    ],
)
def test_common_words_are_not_made_into_a_phrase(
    reader: Reader, text: str, signs: set[str]
) -> None:
    assert set(reader.read(text).red_flag_ids) == signs
    assert reader.correct("shade") == ("shade", 1.0)


def test_correct_reports_key_and_confidence(reader: Reader) -> None:
    word, confidence = reader.correct("ankels")
    assert word == "ankle" and confidence == pytest.approx(0.833, abs=0.01)
    assert reader.correct("would") == ("would", 1.0)
    assert reader.correct("qwertyuiop") == ("qwertyuiop", 1.0)


# -- negation ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "symptoms", "negated"),
    [
        ("no cramping but my calves are tight", {"tightness"}, {"cramping"}),
        ("my calves are tight, not sore", {"tightness"}, {"soreness"}),
        ("I don't have cramps, my heels just ache", {"soreness"}, {"cramping"}),
        ("the cramps went away, now my arch is sore", {"soreness"}, {"cramping"}),
        ("my calf isn't tight anymore", set(), {"tightness"}),
        ("doesn't hurt, just feels tight", {"tightness"}, {"pain"}),
    ],
)
def test_negation(reader: Reader, text: str, symptoms: set[str], negated: set[str]) -> None:
    reading = reader.read(text)
    assert set(reading.symptom_ids) == symptoms
    assert {m.id for m in reading.negated} == negated


@pytest.mark.parametrize(
    ("text", "flags", "negated"),
    [
        ("I don't have numbness, tingling or swelling", set(), {"numbness", "swelling"}),
        ("no cramps, swelling and redness in my ankle", set(), {"cramping", "swelling"}),
        ("no pain, my ankle is swollen and red", {"swelling"}, {"pain"}),
        ("no cramps, swelling in my ankle though", {"swelling"}, {"cramping"}),
    ],
)
def test_a_cue_reaches_through_a_list_not_a_new_clause(
    reader: Reader, text: str, flags: set[str], negated: set[str]
) -> None:
    reading = reader.read(text)
    assert set(reading.red_flag_ids) == flags
    assert {m.id for m in reading.negated} == negated


def test_negated_calf_cramps_keep_the_place(reader: Reader) -> None:
    reading = reader.read("no cramping but my calves are tight")
    assert reading.location_ids == ("calf",)


@pytest.mark.parametrize(
    "text",
    [
        "I don't have any numbness",
        "no numbness or tingling",
        "no swelling",
        "my ankle isn't swollen",
        "the swelling went down",
        "I never heard a pop",
        "no fever",
        "no cuts or open wounds",
        "it's never been broken",
        "the pain isn't unbearable",
    ],
)
def test_negated_warning_signs_do_not_fire(reader: Reader, text: str) -> None:
    reading = reader.read(text)
    assert reading.red_flag_ids == (), reading
    assert reading.negated


@pytest.mark.parametrize(
    ("text", "symptom"),
    [
        ("heel pain isn't getting better", "pain"),
        ("pain no better after stretching", "pain"),
        ("not sure if it's tight", "tightness"),
        ("I don't know why my calves are so tight", "tightness"),
        ("it's not only my calves, my feet are tight too", "tightness"),
        ("nothing seems to help my tight calves", "tightness"),
        ("I can't stretch without pain", "pain"),
        ("I have not been able to walk without pain", "pain"),
    ],
)
def test_pseudo_negation_does_not_negate(reader: Reader, text: str, symptom: str) -> None:
    assert symptom in reader.read(text).symptom_ids


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("I can't put weight on it", "injury"),
        ("I can't feel my toes", "numbness"),
        ("there's no feeling in my toes", "numbness"),
        ("a cut on my heel that won't heal", "wound"),
        ("blister on my foot that's not healing", "wound"),
    ],
)
def test_a_cue_inside_a_phrase_is_no_negation(reader: Reader, text: str, flag: str) -> None:
    assert flag in reader.read(text).red_flag_ids


def test_not_sure_if_swollen_still_warns(reader: Reader) -> None:
    assert "swelling" in reader.read("not sure if my ankle is swollen").red_flag_ids


def test_a_hedge_is_no_denial(reader: Reader) -> None:
    assert reader.read("I don't think it's broken").red_flag_ids == ("injury",)


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("I cannot put weight on my foot", "injury"),
        ("couldn't walk for a day", "injury"),
        ("I cannot feel my toes", "numbness"),
    ],
)
def test_aliases_read_as_the_listed_word(reader: Reader, text: str, flag: str) -> None:
    assert reader.read(text).red_flag_ids == (flag,)


# -- warning signs -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("swollen calf", {"dvt"}),
        ("I twisted my ankle and heard a pop", {"injury"}),
        ("cut on my heel that won't heal", {"wound"}),
        ("feels hot and I have a fever", {"fever", "swelling"}),
        ("pins and needles in my toes", {"numbness"}),
        ("pins & needles in my toes", {"numbness"}),
        ("I can't walk on it", {"injury"}),
        ("the pain is unbearable", {"severe"}),
        ("I fell down the stairs", {"injury"}),
        ("my calf is swollen and warm after a long flight", {"dvt"}),
    ],
)
def test_warning_signs(reader: Reader, text: str, flags: set[str]) -> None:
    assert flags <= set(reader.read(text).red_flag_ids)


@pytest.mark.parametrize(
    "text",
    [
        "my shoes feel tight",
        "burning calories on my walk",
        "it felt better after stretching",
        "I fell asleep and woke with a calf cramp",
        "I warm up my calves before running",
        "I soak my feet in hot water",
    ],
)
def test_no_false_alarm(reader: Reader, text: str) -> None:
    assert reader.read(text).red_flag_ids == (), text


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("I broke my ankle 5 years ago and it still feels weak", "injury"),
        ("I used to have a fever last year", "fever"),
        ("I used to get numbness in my toes", "numbness"),
    ],
)
def test_a_warning_sign_long_past_is_set_apart(reader: Reader, text: str, past: str) -> None:
    reading = reader.read(text)
    assert reading.red_flag_ids == ()
    assert [m.id for m in reading.past] == [past]


@pytest.mark.parametrize(
    "text",
    [
        "I sprained my ankle years ago and now I heard a pop",
        "I fell last week and my foot hurts",
        "I twisted it a year ago, it's swollen again today",
        # one of months may still be going on
        "About four months ago, a small cut on my foot turned into a skin ulcer; it is still open.",
        "I've never felt pain like this before",
        "My ankle was swollen before the race",
        "I twisted my ankle once I got off the bus",
        "I get numb toes once a week",
    ],
)
def test_a_new_warning_sign_beside_an_old_one_still_fires(reader: Reader, text: str) -> None:
    assert reader.read(text).red_flag_ids


def test_red_near_a_foot_is_a_warning_but_red_wine_is_not(reader: Reader) -> None:
    assert reader.read("my foot is red").red_flag_ids == ("swelling",)
    assert reader.read("I had red wine with dinner").red_flag_ids == ()


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("My big toe. It's black at the tip.", "circulation"),
        ("Toes on my left foot. They've gone a purple colour.", "circulation"),
        ("My calf has been hurting for days. Now it's swollen and warm.", "dvt"),
        ("I've had pain in my right calf since Tuesday. It is red and hot to touch.", "dvt"),
    ],
)
def test_it_points_back_at_the_place_just_named(reader: Reader, text: str, sign: str) -> None:
    assert sign in reader.read(text).red_flag_ids


@pytest.mark.parametrize(
    "text",
    ["The pain is not severe.", "There is a cut on his foot.", "my leg is not swollen"],
)
def test_a_cue_inside_a_phrase_gap_still_counts(reader: Reader, text: str) -> None:
    reading = reader.read(text)
    assert not reading.red_flag_ids
    assert reading.negated or reading.others


@pytest.mark.parametrize(
    "text",
    [
        # "it" far from the start of its clause is not what the clause is about
        "My toe hurts. So I laid the red towel over it.",
        # a place two sentences back is too far
        "My toe hurts. I went out. It was black outside.",
        # the weather or the hour is no foot
        "My toes hurt. It was cold and wet.",
        "My feet ached. It was hot out there.",
        "My heel hurts. It was dark when I ran.",
    ],
)
def test_a_pointing_word_reaches_only_so_far(reader: Reader, text: str) -> None:
    assert not reader.read(text).red_flag_ids


# -- context: long past, conditional, hypothetical, someone else's --------------------------


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("I broke my ankle 17 years ago", "injury"),
        ("when I sprained my ankle in college", "injury"),
        ("I have a history of blood clots", "dvt"),
        ("I broke my foot when I was 12 and now my heel hurts", "injury"),
        ("as a teenager I tore my achilles", "injury"),
        # a frame reaches over a clause that names nothing to the one it frames
        ("Two years ago, when the big storm came, I got frostbite.", "circulation"),
        # a frame of years or of an age reaches to the end of its sentence
        (
            "When I was 19, I had pain in my leg for weeks, which felt like a torn muscle.",
            "injury",
        ),
        # "I've had ... before" (the labelling rules' own example of a long-past marker)
        ("I've had ankle sprains before but this feels different.", "injury"),
        ("I had a DVT once.", "dvt"),
    ],
)
def test_the_past_is_no_warning_now(reader: Reader, text: str, past: str) -> None:
    reading = reader.read(text)
    assert past not in reading.red_flag_ids
    assert past in {m.id for m in reading.past}


def test_a_past_injury_keeps_its_place(reader: Reader) -> None:
    reading = reader.read("I broke my ankle 17 years ago")
    assert reading.location_ids == ("ankle",)
    assert [m.id for m in reading.past] == ["injury"]


@pytest.mark.parametrize(
    "text",
    [
        "if my ankle swells should I stop?",
        "what should I do in case I get numbness",
        "how do I avoid blisters and infection",
        "unless it's broken I'll keep running",
        "the doctor asked me if the ankle was swollen, I said no",
    ],
)
def test_a_condition_is_no_sign_and_no_question(reader: Reader, text: str) -> None:
    reading = reader.read(text)
    assert reading.red_flag_ids == ()
    assert reading.hypothetical
    assert reading.hints == ()


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("is this a blood clot?", "dvt"),
        ("it might be swollen", "swelling"),
        ("I'm worried it's broken", "injury"),
        ("could it be an infection?", "wound"),
        ("what if it's a fracture", "injury"),
    ],
)
def test_a_worry_is_a_hint(reader: Reader, text: str, hint: str) -> None:
    reading = reader.read(text)
    assert hint not in reading.red_flag_ids
    assert hint in {m.id for m in reading.hypothetical}
    assert hint in reading.hints


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("should I be worried about the numbness in my toes?", "numbness"),
        ("is this swelling normal?", "swelling"),
        ("I'm worried about the swelling in my ankle", "swelling"),
    ],
)
def test_a_worry_about_what_i_have_is_the_sign(reader: Reader, text: str, flag: str) -> None:
    reading = reader.read(text)
    assert flag in reading.red_flag_ids
    assert reading.hints == ()


@pytest.mark.parametrize(
    ("text", "theirs"),
    [
        ("my dad's foot is swollen", {"swelling", "foot"}),
        ("my husband twisted his ankle", {"injury", "ankle"}),
        ("she broke her foot", {"injury", "foot"}),
        ("my mum is diabetic", {"diabetes"}),
        ("my 5 year old has a blister on her heel", {"heel"}),
        ("my friend's calves are tight", {"tightness", "calf"}),
        ("my dad has diabetes, swollen feet and ulcers", {"diabetes", "swelling", "wound"}),
    ],
)
def test_someone_elses_foot_is_theirs(reader: Reader, text: str, theirs: set[str]) -> None:
    reading = reader.read(text)
    assert not (reading.red_flags or reading.symptoms or reading.locations or reading.conditions)
    assert theirs <= {m.id for m in reading.others}


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("my wife says my ankle is swollen", "swelling"),
        ("my dad has diabetes and my toe is black", "circulation"),
        ("I told her that it was swollen and hot", "swelling"),
        ("she said I had broken my ankle", "injury"),
        ("my husband thinks the swelling is nothing", "swelling"),
    ],
)
def test_my_own_sign_beside_someone_else_still_fires(reader: Reader, text: str, flag: str) -> None:
    assert flag in reader.read(text).red_flag_ids


def test_felt_like_someone_kicked_me_is_my_injury(reader: Reader) -> None:
    assert reader.read("felt like someone kicked me in the back of the calf").red_flag_ids == (
        "injury",
    )


def test_someone_elses_symptoms_are_not_mine(reader: Reader) -> None:
    reading = reader.read("my son has tight calves but my heels hurt")
    assert reading.symptom_ids == ("pain",)
    assert reading.location_ids == ("heel",)
    assert {m.id for m in reading.others} == {"tightness", "calf"}


def test_each_id_in_one_group(reader: Reader) -> None:
    reading = reader.read("my dad's ankle is swollen and my ankle is swollen too")
    assert "swelling" in reading.red_flag_ids
    assert "swelling" not in {m.id for m in reading.others}


# -- conditions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "I'm diabetic",
        "I have type 2 diabetes",
        "T2D here",
        "I have peripheral neuropathy",
        "poor circulation in my legs",
        "I have peripheral arterial disease",
    ],
)
def test_conditions_are_read(reader: Reader, text: str) -> None:
    assert reader.read(text).condition_ids == ("diabetes",)


@pytest.mark.parametrize(
    ("text", "group"),
    [
        ("I'm not diabetic", "negated"),
        ("my mum is diabetic", "others"),
        ("what if I'm diabetic?", "hypothetical"),
    ],
)
def test_conditions_in_context(reader: Reader, text: str, group: str) -> None:
    reading = reader.read(text)
    assert reading.conditions == ()
    assert "diabetes" in {m.id for m in getattr(reading, group)}


def test_a_condition_alone_is_no_warning(reader: Reader, knowledge: Knowledge) -> None:
    reading = reader.read("I'm diabetic and my calves are tight")
    assert reading.symptom_ids == ("tightness",)
    assert warning_signs(reading, knowledge.triage) == ()
    assert not reading.empty


def test_a_condition_has_a_caution(knowledge: Knowledge) -> None:
    assert "every day" in knowledge.conditions["diabetes"].caution


# -- hints -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("my foot looks a bit red", "swelling"),
        ("bit purple?", "circulation"),
        ("my ankle pops when I walk", "injury"),
        ("got a blister on my heel", "wound"),
        ("my toes look a bit pale", "circulation"),
        ("my toe feels funny", "numbness"),
        ("I can't sleep", "severe"),
    ],
)
def test_hints(reader: Reader, text: str, hint: str) -> None:
    reading = reader.read(text)
    assert reading.hints == (hint,)
    assert reading.red_flag_ids == ()


@pytest.mark.parametrize(
    "text",
    [
        "I heard a pop and can't walk",  # the sign explains the pop
        "my foot is red and hot",  # the sign itself, no question
        "my calves are tight",
        "my feet get cold at night",
        "my toenail went black after the marathon",
        "I rolled the blue ball under my foot",
        "no blister, just sore",
        "my dad has a blister",
    ],
)
def test_no_needless_hint(reader: Reader, text: str) -> None:
    assert reader.read(text).hints == ()


def test_a_hint_never_repeats_a_sign(reader: Reader) -> None:
    reading = reader.read("is it a blood clot? my calf is swollen after a long flight")
    assert "dvt" in reading.red_flag_ids
    assert "dvt" not in reading.hints


# -- pain scores in context ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("I told him it was a 9", 9),
        ("right now it's a 9", 9),
        ("a 9 out of 10 today", 9),
        ("its an 8 at night", 8),
        ("I'd say a 7 or 8", 8),
        ("it was 9/10 yesterday but now it's a 3", 3),
        ("my mum's pain is a 9 but my pain is a 4", 4),
        ("my dad's is a 9 but mine is a 3", 3),
        ("mine's an 8 today", 8),
        ("it's not a 9, more like a 6 out of 10", 6),
        ("didn't sleep, pain 9/10", 9),
    ],
)
def test_pain_score_in_context(reader: Reader, text: str, score: int) -> None:
    assert reader.read(text).pain_score == score


@pytest.mark.parametrize(
    "text",
    [
        "I wear size 9 shoes",
        "my heel has hurt for 9 days",
        "I run at 9",
        "the run starts at 9am",
        "I've had heel pain for 9 years",
        "9 out of 10 people get cramps",
        "it was a 9 mile run",
        "my son is a 9 year old",
        "if it gets to an 8 I'll call",
        "17 years ago it was a 10",
    ],
)
def test_numbers_that_are_no_score_of_mine(reader: Reader, text: str) -> None:
    assert reader.read(text).pain_score is None


def test_a_score_in_context_is_severe(reader: Reader) -> None:
    assert reader.read("I told him it was a 9").red_flag_ids == ("severe",)
    assert reader.read("if it gets to a 9 I'll call").red_flag_ids == ()


# -- triage: combinations of a condition and a sign ------------------------------------------


@pytest.mark.parametrize(
    ("text", "signs"),
    [
        ("I'm diabetic and one of my toes has turned black", ("circulation", "diabetic_foot")),
        ("i'm diabetic and have a cut on my foot that's sore", ("wound", "diabetic_foot")),
        ("type 1 diabetic, my foot is swollen", ("swelling", "diabetic_foot")),
        ("diabetic and my toes are numb", ("numbness", "diabetic_foot")),
        ("poor circulation and a blister on my heel", ("diabetic_foot",)),
    ],
)
def test_a_condition_and_a_sign_is_a_diabetic_foot(
    reader: Reader, knowledge: Knowledge, text: str, signs: tuple[str, ...]
) -> None:
    assert warning_signs(reader.read(text), knowledge.triage) == signs


def test_a_condition_told_earlier_counts(reader: Reader, knowledge: Knowledge) -> None:
    reading = reader.read("there's a blister on my heel")
    assert warning_signs(reading, knowledge.triage) == ()
    assert open_hints(reading, knowledge.triage) == ("wound",)
    known = frozenset({"diabetes"})
    assert warning_signs(reading, knowledge.triage, known) == ("diabetic_foot",)
    assert open_hints(reading, knowledge.triage, known) == ()


def test_a_clot_risk_is_a_question_until_the_calf_hurts(
    reader: Reader, knowledge: Knowledge
) -> None:
    alone = reader.read("I'm off on a long flight tomorrow")
    assert alone.hints == ("dvt",)
    assert warning_signs(alone, knowledge.triage) == ()
    with_pain = reader.read("after a long flight home, now my calf is sore")
    assert warning_signs(with_pain, knowledge.triage) == ("dvt",)


def test_a_clot_risk_with_a_cramping_or_tight_calf_is_the_sign(
    reader: Reader, knowledge: Knowledge
) -> None:
    # the risk told apart from the calf, so only the combination can raise the sign
    for text in (
        "I was stuck on a long flight yesterday. Since then my calf has been cramping.",
        "Three weeks after surgery. My calf feels really tight today.",
    ):
        assert "dvt" in warning_signs(reader.read(text), knowledge.triage), text
    tight = reader.read("My calves feel tight after my run.")
    assert warning_signs(tight, knowledge.triage) == ()


def test_someone_elses_condition_does_not_combine(reader: Reader, knowledge: Knowledge) -> None:
    reading = reader.read("my mum is diabetic and I have a cut on my foot")
    assert warning_signs(reading, knowledge.triage) == ("wound",)


def test_a_sign_that_names_the_condition_does_not_combine_with_it(
    reader: Reader, knowledge: Knowledge
) -> None:
    reading = reader.read("I have neuropathy")
    assert reading.red_flag_ids == ("numbness",)
    assert warning_signs(reading, knowledge.triage) == ("numbness",)


def test_the_new_signs_urgencies(knowledge: Knowledge) -> None:
    urgency = {flag.id: flag.urgency.value for flag in knowledge.red_flags.values()}
    assert urgency == {
        "numbness": "soon",
        "swelling": "soon",
        "severe": "soon",
        "injury": "urgent",
        "wound": "urgent",
        "fever": "urgent",
        "diabetic_foot": "urgent",
        "dvt": "urgent",
        "breathless": "emergency",
        "circulation": "emergency",
    }
    assert "emergency number" in knowledge.red_flags["circulation"].advice
    assert "do not wait" in knowledge.red_flags["circulation"].advice


# -- context, second round (the real sentences of dev2) --------------------------------------


@pytest.mark.parametrize(
    ("text", "past"),
    [
        # a time that opens the sentence frames the clause after its comma
        ("A couple years ago, I broke a tiny bone in my foot", "injury"),
        # a time goes on through the sentences told after it in the past
        (
            "The last time I twisted my ankle was at a marathon. Around 28k I landed badly.",
            "injury",
        ),
        ("I was about 41 when I developed a bad wound on my big toe", "wound"),
        ("This happened once before when I had athlete's foot and it broke the skin", "wound"),
    ],
)
def test_a_time_told_reaches_its_whole_episode(reader: Reader, text: str, past: str) -> None:
    reading = reader.read(text)
    assert past not in reading.red_flag_ids
    assert past in {m.id for m in reading.past}


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("I broke my ankle years ago. Now it is swollen.", "swelling"),
        ("Years ago I had gout, now my ankle is swollen", "swelling"),
        ("i was about 1.5 miles from home and i rolled my right ankle", "injury"),
    ],
)
def test_a_time_told_ends_where_now_comes_back(reader: Reader, text: str, flag: str) -> None:
    assert flag in reader.read(text).red_flag_ids


def test_someone_after_a_preposition_is_not_the_one_in_pain(reader: Reader) -> None:
    reading = reader.read("I was walking with a friend and out of nowhere started having pain")
    assert reading.symptom_ids == ("pain",)
    assert "injury" in reader.read("I was walking with her and twisted my ankle").red_flag_ids


def test_his_or_her_before_a_body_part_is_theirs_after_a_preposition(reader: Reader) -> None:
    reading = reader.read("She spent weeks resting, much of that with her ankle in a cast.")
    assert not reading.red_flag_ids and "injury" in {m.id for m in reading.others}


@pytest.mark.parametrize(
    "text",
    [
        "she still tires easily and has a swollen leg",
        "he woke up with it all red, swollen and tender",
        "sorry to hear that your husband has developed neuropathy",
    ],
)
def test_someone_elses_scope_goes_on(reader: Reader, text: str) -> None:
    assert reader.read(text).red_flag_ids == (), text


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("the swelling hasn't gone down", "swelling"),
        ("the numbness never went away", "numbness"),
        ("the blood from the broken blister stopped the sock rubbing", "wound"),
    ],
)
def test_a_resolution_denied_is_no_denial(reader: Reader, text: str, flag: str) -> None:
    assert flag in reader.read(text).red_flag_ids


@pytest.mark.parametrize(
    "text",
    [
        "I began having symptoms of neuropathy after chemo. Now my feet feel like they burn.",
        "My neuropathy spread into my legs. There is numbness in my toes now.",
        "My neuropathy has spread into my feet.",
        "With the onset of neuropathy in my feet, I have to be careful.",
    ],
)
def test_a_new_sign_beside_the_condition_that_names_it_combines(
    reader: Reader, knowledge: Knowledge, text: str
) -> None:
    assert "diabetic_foot" in warning_signs(reader.read(text), knowledge.triage)


def test_the_condition_alone_is_no_combination(reader: Reader, knowledge: Knowledge) -> None:
    signs = warning_signs(reader.read("I have neuropathy in my feet"), knowledge.triage)
    assert "numbness" in signs and "diabetic_foot" not in signs


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        ("I'm worried the swelling in my ankle is a sign of something worse.", "swelling"),
        ("I'm scared the numbness in my toes means something.", "numbness"),
        ("Another worry is that the injury may be more serious than I think.", "injury"),
    ],
)
def test_a_sign_named_as_there_is_no_worry(reader: Reader, sign: str, text: str) -> None:
    assert sign in reader.read(text).red_flag_ids


@pytest.mark.parametrize(
    ("text", "sign"),
    [
        # a mention read or heard of, even inside a pseudo phrase's gap ("never * before")
        ("I've never heard of this injury before.", "injury"),
        ("I read about a runner who tore his achilles.", "injury"),
        ("I'm worried it might be a fracture.", "injury"),
        ("Could this be a blood clot?", "dvt"),
        ("Is it possible that my ankle is broken?", "injury"),
    ],
)
def test_a_sign_only_wondered_about_is_still_a_worry(reader: Reader, sign: str, text: str) -> None:
    reading = reader.read(text)
    assert sign not in reading.red_flag_ids and sign in reading.hints


def test_a_condition_may_name_what_is_not_there(reader: Reader) -> None:
    reading = reader.read("If the numbness comes back I will see my GP.")
    assert not reading.red_flag_ids and "numbness" in {m.id for m in reading.hypothetical}


def test_a_compound_sign_keeps_the_sign_inside(reader: Reader, knowledge: Knowledge) -> None:
    reading = reader.read("Then I began to develop diabetic foot ulcers")
    assert {"wound", "diabetic_foot"} <= set(warning_signs(reading, knowledge.triage))


def test_a_gap_takes_an_adverb(reader: Reader) -> None:
    assert "numbness" in reader.read("I have lost just enough sensitivity in my feet").red_flag_ids


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("my feet are cold", ("circulation",)),
        # cold told of the feet themselves is the sign (the real sentences' labels), getting
        # cold at night or in the cold is not
        ("my toes are freezing", ("circulation",)),
        ("Frozen toes.", ("circulation",)),
        ("I roll my foot on a frozen water bottle", ()),
        ("my feet get cold at night", ()),
        ("my old running shoes are broken down", ()),
        ("I've wound up with shin splints", ()),
        ("I took my temperature and it was normal", ()),
        ("What should I look for as far as infection?", ()),
        ("the lanced blister on my big toe is sore", ("wound",)),
        ("the pain was indescribable", ("severe",)),
        ("I felt something give in my ankle", ("injury",)),
    ],
)
def test_second_round_words(reader: Reader, text: str, flags: tuple[str, ...]) -> None:
    assert reader.read(text).red_flag_ids == flags, text


# -- fifth round: structural context rules ------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        # a year said after what it dates reaches back over its clause
        ("I drained a badly infected blister on my heel on a long hike in 2011.", ()),
        ("I tore the muscle in my calf in both 2015 and 2018.", ()),
        ("In 2012, I broke my ankle skiing.", ()),
        ("From 2015 to 2018 I had an ulcer on my heel that would not heal.", ()),
        # ... but not when the sentence comes back to now
        ("The swelling in my ankle began in 2021 and it is still swollen.", ("swelling",)),
        # a year is no pain score and no age
        ("I sprained my ankle yesterday.", ("injury",)),
    ],
)
def test_a_year_dates_a_sign_as_past(reader: Reader, text: str, flags: tuple[str, ...]) -> None:
    assert reader.read(text).red_flag_ids == flags, text


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        # a time that closes a clause after what it dates dates that clause only
        (
            "Diagnosed with type 2 diabetes as a teen, I woke last night in agony with my heel.",
            ("severe",),
        ),
        ("When I was a kid, I broke my ankle playing rugby.", ()),
        # a resolution denied with an adverb between is still denied
        ("I broke my ankle as a kid, and the swelling never really went away.", ("swelling",)),
    ],
)
def test_a_time_closing_a_clause_dates_that_clause(
    reader: Reader, text: str, flags: tuple[str, ...]
) -> None:
    assert reader.read(text).red_flag_ids == flags, text


def test_a_year_is_its_own_key_and_other_numbers_are_not() -> None:
    assert number_key("2009") == YEAR and number_key("1950") == YEAR
    assert number_key("30") == NUMBER and number_key("3000") == NUMBER
    assert split_phrase("in #year") == ("in", YEAR)


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        # "without" after an act denied names what comes with the act: it is there
        ("I can't take a step without agonizing pain in my heel.", ("severe",)),
        ("I never ride more than an hour without my toes going numb.", ("numbness",)),
        # ... and after an act done, what did not come
        ("I walked the whole route without any numbness.", ()),
        # the act denied may stand far back in the clause
        (
            "I can't walk more than about two or three hundred yards in these old shoes "
            "without agonizing pain.",
            ("severe",),
        ),
    ],
)
def test_without_after_a_denied_act_is_no_denial(
    reader: Reader, text: str, flags: tuple[str, ...]
) -> None:
    assert set(flags) <= set(reader.read(text).red_flag_ids), text
    if not flags:
        assert not reader.read(text).red_flag_ids, text


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        ("The worst of the swelling has subsided.", ()),
        ("The agony eased off after an hour.", ()),
        # a resolution said in part leaves the sign there
        ("The swelling eased a little overnight.", ("swelling",)),
        ("My ankle swelling has subsided slightly.", ("swelling",)),
    ],
)
def test_a_sign_easing_off_and_only_in_part(
    reader: Reader, text: str, flags: tuple[str, ...]
) -> None:
    assert reader.read(text).red_flag_ids == flags, text


def test_each_item_of_a_list_gets_the_window_afresh(reader: Reader) -> None:
    reading = reader.read(
        "There was no sign of any deep puncture wound, scratch, or sprain on my foot."
    )
    assert not reading.red_flag_ids
    assert "injury" in {m.id for m in reading.negated}
    # a new clause after the comma is no list item
    assert reader.read("No pain at all, but my ankle is swollen.").red_flag_ids == ("swelling",)


def test_a_list_goes_on_through_an_item_that_names_nothing(reader: Reader) -> None:
    reading = reader.read("I have no swelling, bruising, or fever at all.")
    assert not reading.red_flag_ids
    assert {"swelling", "fever"} <= {m.id for m in reading.negated}


@pytest.mark.parametrize(
    "text",
    [
        "Dad's big toe has gone black.",
        "Grandma has a nasty ulcer on her heel.",
        "Hubby was limping and his ankle is swollen.",
        "Daughter's toe is red and swollen after the party.",
    ],
)
def test_a_relative_named_without_my_is_someone_else(reader: Reader, text: str) -> None:
    reading = reader.read(text)
    assert not reading.red_flag_ids and reading.others, text


@pytest.mark.parametrize(
    "text",
    [
        "I told mum my ankle is swollen.",
        "Mum drove me to hospital because my ankle was swollen.",
    ],
)
def test_the_writer_after_a_relative_is_the_writer(reader: Reader, text: str) -> None:
    assert "swelling" in reader.read(text).red_flag_ids, text


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        # a habit denied says this time is the exception
        ("My feet don't usually swell like this.", ("swelling",)),
        # an expectation or a near miss is no sign had
        ("I took my boots off expecting a blister that had burst.", ()),
        ("I came close to developing an infection in that toe.", ()),
        # an event told as a likeness did not happen; one told plainly did
        ("It felt like I had sprained my ankle, but the X-ray was clear.", ()),
        ("I sprained my ankle and it felt like a knife.", ("injury",)),
    ],
)
def test_habits_expectations_and_near_misses(
    reader: Reader, text: str, flags: tuple[str, ...]
) -> None:
    assert reader.read(text).red_flag_ids == flags, text


@pytest.mark.parametrize(
    ("text", "fever"),
    [
        # a temperature written as measured, at or above 38 C (100.4 F), is a fever
        ("My toe is red and by the evening it was 39.1° under my tongue.", True),
        ("Thermometer said 38.4 C this morning and my foot is hot.", True),
        ("I took it twice: 101.6 F.", True),
        ("It was 37.2 degrees, so normal.", False),
        # weather in whole degrees, distances and paces are no temperature
        ("It was 40 degrees outside and my feet swelled.", False),
        ("I ran 38.5 k and my heel hurts.", False),
        # read in context, as a pain score is
        ("My son had 39.4 C last week.", False),
        ("When I had cellulitis in 2019 it reached 40.1°.", False),
    ],
)
def test_a_measured_temperature_is_a_fever(reader: Reader, text: str, fever: bool) -> None:
    assert ("fever" in reader.read(text).red_flag_ids) is fever, text


@pytest.mark.parametrize(
    "text", ["I kept noting how painful each step was.", "I noted a painful heel."]
)
def test_an_ending_never_makes_a_denial(reader: Reader, text: str) -> None:
    assert reader.read(text).symptom_ids == ("pain",), text


def test_sentences_and_numbers_in_tokens() -> None:
    tokens = Tokenizer().tokens("at 10:00 pm, 1.5 miles. then? ok")
    assert tokens.words == ("at", "10", "00", "pm", "1", "5", "miles", "then", "ok")
    assert tokens.clauses[:3] == (0, 0, 0)  # "10:00" is one time, not a clause end
    assert tokens.sentences == (0, 0, 0, 0, 0, 0, 0, 1, 2)


# -- pain scores -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "score"),
    [
        ("pain is 9/10", 9),
        ("9 / 10", 9),
        ("9 out of 10", 9),
        ("pain is a 9", 9),
        ("about an 8 out of ten", 8),
        ("10/10", 10),
        ("2/10 today", 2),
        ("my pain level is about 3", 3),
        ("I'd rate it a 7", 7),
        ("7-8/10", 8),
        ("7 or 8 out of 10", 8),
        ("7.5/10", 8),
        ("eleven out of ten", None),
        ("11/10 pain", 10),
    ],
)
def test_pain_score(reader: Reader, text: str, score: int | None) -> None:
    assert reader.read(text).pain_score == score


@pytest.mark.parametrize(
    "text",
    [
        "since 7/10/2024 my heel has been sore",
        "at 7:30 every morning my calves cramp",
        "on 7/10 I went for a run",
        "pain for 3 days",
        "pain is 2 weeks old",
        "I walked 10000 steps",
    ],
)
def test_dates_and_times_are_not_scores(reader: Reader, text: str) -> None:
    assert reader.read(text).pain_score is None


def test_a_high_score_is_severe_a_low_one_is_not(reader: Reader) -> None:
    high = reader.read("heel pain 9/10")
    assert "severe" in high.red_flag_ids
    severe = next(m for m in high.red_flags if m.id == "severe")
    assert severe.words == "9/10"
    low = reader.read("heel pain 2/10")
    assert low.pain_score == 2
    assert low.red_flag_ids == ()


def test_a_zero_score_denies_pain(reader: Reader) -> None:
    reading = reader.read("pain is 0/10 now!")
    assert reading.pain_score == 0
    assert reading.symptom_ids == ()
    assert [m.id for m in reading.negated] == ["pain"]


def test_a_score_implies_pain(reader: Reader) -> None:
    reading = reader.read("maybe 6/10 in my arch")
    assert reading.symptom_ids == ("pain",)
    assert reading.location_ids == ("arch",)


# -- order and repetition ----------------------------------------------------------------


def test_order_of_first_mention_and_each_id_once(reader: Reader) -> None:
    reading = reader.read("my heel hurts, my calves are tight, tight tight, and my toes cramp")
    assert reading.symptom_ids == ("pain", "tightness", "cramping")
    assert reading.location_ids == ("heel", "calf", "toes")
    starts = [m.start for m in reading.symptoms]
    assert starts == sorted(starts)


def test_several_symptoms_in_one_message(reader: Reader) -> None:
    reading = reader.read("cramps, tightness and a bit of soreness in my calves")
    assert reading.symptom_ids == ("cramping", "tightness", "soreness")


def test_match_words_are_what_the_person_wrote(reader: Reader) -> None:
    reading = reader.read("a cut on my heel that won't heal")
    assert reading.red_flags[0].words == "cut on my heel that wont heal"


# -- intents -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("hi", {"greeting"}),
        ("Morning! my heel hurts", {"greeting"}),
        ("heel pain in the morning", set()),
        ("thanks!", {"thanks"}),
        ("stop", {"stop"}),
        ("my cramps won't stop", set()),
        ("don't remind me anymore", {"stop_reminders"}),
        ("remind me every day at 8", {"reminder"}),
        ("can someone call me back", {"callback"}),
        ("show me the exercises", {"routine"}),
    ],
)
def test_intents(reader: Reader, text: str, intents: set[str]) -> None:
    assert set(reader.read(text).intent_ids) == intents


# -- hostile and odd input ---------------------------------------------------------------


@pytest.mark.parametrize("text", ["", "   ", "\n\t", "😂😂😂", "!!!", "...", "12345"])
def test_nothing_to_read(reader: Reader, text: str) -> None:
    assert reader.read(text).empty


def test_non_text_is_read_as_nothing(reader: Reader) -> None:
    assert reader.read(None).empty
    assert reader.is_affirmative(None) is None


def test_shouting(reader: Reader) -> None:
    reading = reader.read("MY HEEL HURTS!!!")
    assert ids(reading) == ({"pain"}, {"heel"}, set(), set())


def test_emoji_between_words(reader: Reader) -> None:
    reading = reader.read("my heel 😭😭 hurts so much 🙏")
    assert ids(reading) == ({"pain"}, {"heel"}, set(), set())


def test_foot_emoji_is_a_foot(reader: Reader) -> None:
    assert reader.read("🦶 hurts").location_ids == ("foot",)


def test_curly_apostrophes(reader: Reader) -> None:
    assert reader.read("I can’t walk on it").red_flag_ids == ("injury",)
    assert reader.read("I don’t have any numbness").red_flag_ids == ()


def test_mixed_languages_and_scripts(reader: Reader) -> None:
    reading = reader.read("hola, me duele el talón, my heel hurts 脚が痛い")
    assert ids(reading) == ({"pain"}, {"heel"}, set(), set())


def test_unicode_garbage(reader: Reader) -> None:
    garbage = "\x00\ufeff\u202e\U0001f9b6\u0301\ud7ff" + "".join(
        chr(c) for c in range(0x300, 0x370)
    )
    assert ids(reader.read(garbage)) == (set(), {"foot"}, set(), set())  # the foot emoji
    reading = reader.read("tight\u0000calf\u200bheel")
    assert ids(reading) == ({"tightness"}, {"calf", "heel"}, set(), set())


def _long_message() -> str:
    """Return a 10,000-character story with a warning sign at its very end."""
    story = (
        "I have been running for years and lately my calves get tight after long runs, "
        "and sometimes my arches ache when I stand at work all day. "
    )
    tail = " then I heard a pop"
    return (story * 80)[: 10_000 - len(tail)] + tail


def test_a_long_message_is_read_sensibly(reader: Reader) -> None:
    text = _long_message()
    assert len(text) >= 10_000
    reading = reader.read(text)
    assert reading.symptom_ids == ("tightness", "soreness")
    assert set(reading.location_ids) == {"calf", "arch"}
    assert reading.red_flag_ids == ("injury",)  # even at the very end


def test_a_late_denial_in_a_long_message_still_negates(reader: Reader) -> None:
    chatter = "no idea why, not sure, my calves get tight and I don't stretch enough. " * 120
    reading = reader.read(chatter[:9_980] + ". no numbness")
    assert reading.red_flag_ids == ()
    assert "numbness" in {m.id for m in reading.negated}


def test_fresh_unknown_words_are_bounded(knowledge: Knowledge, monkeypatch) -> None:
    fresh = Reader(knowledge)  # cold cache: every word below is new
    text = " ".join(f"bluxx{chr(97 + i % 26)}{chr(97 + i // 26 % 26)}qw" for i in range(3_000))
    calls: list[str] = []
    nearest = fresh._nearest

    def counted(word: str) -> tuple[str, float] | None:
        calls.append(word)
        return nearest(word)

    monkeypatch.setattr(fresh, "_nearest", counted)
    fresh.read(text)
    # The work is bounded by the budget of new fuzzy look-ups, not by the message length
    # (the speed itself is measured by `make bench`, not by a timed test).
    assert 0 < len(calls) <= knowledge.tuning.fuzzy_budget


# -- yes and no --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "answer"),
    [
        ("yes", True),
        ("Yes please", True),
        ("yeah that's right", True),
        ("yesss", True),
        ("sure", True),
        ("ok", True),
        ("👍", True),
        ("that's right", True),
        ("no", False),
        ("nope", False),
        ("Nooo", False),
        ("no thanks", False),
        ("not really", False),
        ("that's not right", False),
        ("definitely not", False),
        ("of course not", False),
        ("👎", False),
        ("none of the others", False),
        ("nothing like that", False),
        ("not sure", None),
        ("maybe", None),
        ("I don't know", None),
        ("my heel hurts", None),
        ("", None),
        ("yes but my heel still hurts", True),
    ],
)
def test_is_affirmative(reader: Reader, text: str, answer: bool | None) -> None:
    assert reader.is_affirmative(text) is answer


# -- properties --------------------------------------------------------------------------

KNOWN = {
    "symptoms": set(SYMPTOM_IDS),
    "locations": set(LOCATION_IDS),
    "red_flags": set(RED_FLAG_IDS),
    "intents": set(INTENT_IDS),
    "conditions": set(CONDITION_IDS),
}
# Listed words, cues and punctuation, so random mixes reach the matching and negation paths.
PIECES = (
    "no not dont but my calf calves heel tite swolen numb pop heard a fell 9/10 out of 10 "
    "pain cant walk on it 🦶 , . ! stop hi yes swollen red hot warm * & 7:30 won't heal "
    "if might is this my dad his her years ago used to diabetic blister purple cold bit "
    "it was a 9 now # 12 when i was"
)
WORDS = st.sampled_from(PIECES.split())


def _check(reading: Reading) -> None:
    """Assert a reading has only known ids, each once, in order of mention."""
    assert set(reading.symptom_ids) <= KNOWN["symptoms"]
    assert set(reading.location_ids) <= KNOWN["locations"]
    assert set(reading.red_flag_ids) <= KNOWN["red_flags"]
    assert set(reading.intent_ids) <= KNOWN["intents"]
    assert set(reading.condition_ids) <= KNOWN["conditions"]
    assert set(reading.hints) <= KNOWN["red_flags"] - set(reading.red_flag_ids)
    assert len(set(reading.hints)) == len(reading.hints)
    groups = (reading.symptoms, reading.locations, reading.red_flags, reading.intents)
    for group in (*groups, reading.conditions):
        assert len({m.id for m in group}) == len(group)
        assert [m.start for m in group] == sorted(m.start for m in group)
    positive = {m.id for m in (*reading.symptoms, *reading.red_flags, *reading.intents)}
    positive |= {m.id for m in (*reading.locations, *reading.conditions)}
    for apart in (reading.negated, reading.past, reading.hypothetical, reading.others):
        assert not positive & {m.id for m in apart}


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(max_size=400))
def test_any_text_reads_without_error(reader: Reader, text: str) -> None:
    _check(reader.read(text))


# Punctuation, spaces, controls and combining marks: no letter, digit or emoji among them.
NO_WORDS = st.text(st.characters(categories=["P", "Z", "C", "M"]), max_size=200)


@settings(max_examples=300, deadline=None)
@given(NO_WORDS)
def test_text_without_words_or_emoji_is_no_answer(reader: Reader, text: str) -> None:
    assert reader.is_affirmative(text) is None


@settings(max_examples=300, deadline=None)
@given(st.lists(st.one_of(WORDS, st.text(max_size=8)), max_size=40))
def test_any_mix_of_listed_words_reads_to_known_ids(reader: Reader, words: list[str]) -> None:
    _check(reader.read(" ".join(words)))


@pytest.mark.parametrize(
    ("text", "flags"),
    [
        # a clause that is only "it" and its resolution speaks of the clause before its comma
        ("a fever last week, it's gone now", ()),
        ("my calf was swollen, it went down after a day", ()),
        # ... but a resolution denied, or a clause that goes on about something else, does not
        ("a fever last week, it's still there", ("fever",)),
        ("I stood on a nail, it went in deep", ("wound",)),
        # "and it" joins a resolution to the clause before as "but it" does; "clear for" denies
        ("the doctor checked my calf for a clot and it was fine, now it's just tight", ()),
        ("my ankle swelled up and it went down after a day", ()),
        ("scan was clear for dvt, calves still tight", ()),
        ("my calf is swollen and it is getting worse", ("swelling", "dvt")),
        ("clear for a clot but my calf is still swollen", ("swelling", "dvt")),
    ],
)
def test_a_resolution_after_a_comma_reaches_back(
    reader: Reader, text: str, flags: tuple[str, ...]
) -> None:
    assert reader.read(text).red_flag_ids == flags, text
