"""Decide the warning signs of a reading: its own, plus the combinations the rules name.

Some warning signs are combinations rather than words: in a person with diabetes (or
neuropathy, or poor circulation) a wound, numbness, a colour change or swelling is a
diabetic foot, a same-day matter. The combinations live in knowledge/rules.yaml (`triage`),
where a clinician can change them. A condition counts when the person says it in the message
or said it earlier in the conversation (`known_conditions`, kept by the dialogue). A hint of
a sign ("a cut", "a blister", "a bit red") is enough beside a condition where the rule says
so: with diabetes, that is no longer a question to ask but a sign.

Everything here is pure: a reading and the rules in, sign ids out.
"""

from __future__ import annotations

from bot.core.knowledge import Triage
from bot.core.reading import Reading


def conditions(reading: Reading, known_conditions: frozenset[str] = frozenset()) -> frozenset[str]:
    """Return the person's conditions: those said now and those known from earlier."""
    return known_conditions | frozenset(reading.condition_ids)


def warning_signs(
    reading: Reading, rules: Triage, known_conditions: frozenset[str] = frozenset()
) -> tuple[str, ...]:
    """Return the reading's warning signs and, after them, those its combinations add."""
    signs = list(reading.red_flag_ids)
    have = conditions(reading, known_conditions)
    if not have:
        return tuple(signs)
    # A sign that only names the condition ("I have neuropathy" is numbness and the
    # condition, from one word) does not combine with it.
    said = {m.start for m in reading.conditions}
    own = {m.id for m in reading.red_flags if m.start not in said}
    hints = set(reading.hints)
    for rule in rules.combinations:
        if rule.id in signs or not have & set(rule.conditions):
            continue
        if own & set(rule.signs) or hints & set(rule.hints):
            signs.append(rule.id)
    return tuple(signs)


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
