"""Decide the warning signs of a reading: its own, plus the combinations the rules name.

Some warning signs are combinations rather than words: in a person with diabetes (or
neuropathy, or poor circulation) a wound, numbness, a colour change or swelling is a
diabetic foot, a same-day matter; pain in the calf after a long flight or surgery is a
possible clot. The combinations live in knowledge/rules.yaml (`triage`), where a clinician can
change them. A condition counts when the person says it in the message or said it earlier in
the conversation (`known_conditions`, kept by the dialogue). A hint of a sign ("a cut", "a
blister", "a bit red", "after a long flight") is enough where the rule says so: with
diabetes, a blister is no longer a question to ask but a sign.

Everything here is pure: a reading and the rules in, sign ids out.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, timedelta

from bot.core.knowledge import Knowledge, Triage
from bot.core.reading import Match, Reading
from bot.core.state import ConversationState


def conditions(reading: Reading, known_conditions: frozenset[str] = frozenset()) -> frozenset[str]:
    """Return the person's conditions: those said now and those known from earlier."""
    return known_conditions | frozenset(reading.condition_ids)


def standing_ids(knowledge: Knowledge, state: ConversationState, today: date) -> frozenset[str]:
    """Return the ids of the person's signs that stand on `today` (told within the days)."""
    days = timedelta(days=knowledge.safety.warning_sign_days)
    signs = state.safety.signs
    return frozenset(s for s, day in signs.items() if day is not None and today - day <= days)


def combined(
    signs: Iterable[str], known_conditions: Iterable[str], rules: Triage
) -> tuple[str, ...]:
    """Return the combinations that signs the person has and their conditions make.

    Without a reading there is no place, symptom or hint to match: only a combination made of
    conditions and signs alone applies ("diabetes" and a tapped "numb or tingling" is a
    diabetic foot, whichever was told first). The signs given are not returned again.
    """
    have, conditions = set(signs), set(known_conditions)
    found: list[str] = []
    for rule in rules.combinations:
        if rule.id in have or not rule.signs or rule.locations or rule.symptoms:
            continue
        if rule.conditions and not conditions & set(rule.conditions):
            continue
        if have & set(rule.signs):
            found.append(rule.id)
    return tuple(found)


def named_by_condition(reading: Reading) -> frozenset[str]:
    """Return the reading's signs that only name a condition ("I have neuropathy")."""
    said = _conditions_said(reading)
    named = frozenset(m.id for m in reading.red_flags if m.words and _words_at(m) <= said)
    return named - _own(reading, said)


def _words_at(match: Match) -> set[int]:
    """Return the word positions a match covers."""
    return {match.start + i for i in range(len(match.words.split()))}


def _conditions_said(reading: Reading) -> set[int]:
    """Return the word positions that name the reading's conditions."""
    return {at for m in reading.conditions for at in _words_at(m)}


def _own(reading: Reading, said: set[int]) -> frozenset[str]:
    """Return the reading's signs said in more than a condition's own words."""
    return frozenset(m.id for m in reading.red_flags if not _words_at(m) <= said)


def warning_signs(
    reading: Reading, rules: Triage, known_conditions: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Return the reading's warning signs and, after them, those its combinations add."""
    signs = list(reading.red_flag_ids)
    have = conditions(reading, known_conditions)
    # A sign that only names the condition ("I have neuropathy" is numbness and the
    # condition, from the same words) does not combine with it; one that says more than the
    # condition's words ("my neuropathy spread into my feet") does.
    own = _own(reading, _conditions_said(reading))
    # A sign only worried about or asked after is asked about, not combined into a sign: "I'm
    # diabetic, could this turn into an ulcer?" is a question, not a diabetic foot.
    hints = set(reading.hints) - set(reading.worries)
    places, symptoms = set(reading.location_ids), set(reading.symptom_ids)
    for rule in rules.combinations:
        if rule.id in signs:
            continue
        if rule.conditions and not have & set(rule.conditions):
            continue
        if (rule.signs or rule.hints) and not (own & set(rule.signs) or hints & set(rule.hints)):
            continue
        if rule.locations and not places & set(rule.locations):
            continue
        if rule.symptoms and not symptoms & set(rule.symptoms):
            continue
        signs.append(rule.id)
    return tuple(signs)


def raised(reading: Reading, signs: Iterable[str], rules: Triage) -> tuple[str, ...]:
    """Return the signs to raise with the person: less those read from the same words as
    one that takes them over (rules.yaml `takes_over`: a swollen calf is the clot sign, not
    also a swollen foot). The reading's labels keep both; the warning names one."""
    spans = {m.id: (m.start, m.words) for m in reading.red_flags if m.words}
    taken = {
        other
        for sign, others in rules.takes_over.items()
        if sign in spans
        for other in others
        if spans.get(other) == spans[sign]
    }
    return tuple(s for s in signs if s not in taken)


def open_hints(
    reading: Reading, rules: Triage, known_conditions: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Return the hints still worth a question: those no raised sign already settles."""
    signs = warning_signs(reading, rules, known_conditions)
    settled = {
        hint
        for rule in rules.combinations
        if rule.id in signs and rule.id not in reading.red_flag_ids
        for hint in rule.hints
    }
    return tuple(h for h in reading.hints if h not in signs and h not in settled)
