"""The rule table applied: which moves, in which order, and how each one is shown."""

from __future__ import annotations

from collections.abc import Sequence

from bot.core.knowledge import Dose, Exercise, Knowledge


def routine_for(
    knowledge: Knowledge, symptoms: Sequence[str], locations: Sequence[str]
) -> tuple[str, ...]:
    """Return the exercise ids for symptoms and locations: roll, then stretch, then strengthen."""
    rules = knowledge.rules
    picked: list[str] = []
    for symptom in symptoms:
        by_location = rules.routines.get(symptom)
        if by_location is None:
            continue
        # Each place gets its own list, or the symptom's default where it has none.
        lists = [by_location.get(loc, by_location["default"]) for loc in locations]
        lists = lists or [by_location["default"]]
        for exercise_ids in lists:
            picked.extend(e for e in exercise_ids if e not in picked)
    rank = {kind: index for index, kind in enumerate(rules.kind_order)}
    # sorted() is stable, so within a kind the rule table's own order is kept.
    ordered = sorted(picked, key=lambda e: rank[knowledge.exercises[e].kind])
    return tuple(ordered[: rules.max_exercises])


def dose_text(knowledge: Knowledge, dose: Dose) -> str:
    """Describe a dose in one sentence: how much, on which side, how often."""
    side = f" {dose.side}" if dose.side else ""
    if dose.hold_seconds is not None and dose.repeats is not None:
        text = knowledge.say(
            "dose_hold",
            seconds=dose.hold_seconds,
            repeats=dose.repeats,
            side=side,
            frequency=dose.frequency,
        )
    elif dose.sets is not None and dose.reps is not None:
        text = knowledge.say(
            "dose_sets", sets=dose.sets, reps=dose.reps, side=side, frequency=dose.frequency
        )
    else:
        text = knowledge.say(
            "dose_duration", duration=dose.duration or "", side=side, frequency=dose.frequency
        )
    if dose.progression:
        text = f"{text} {dose.progression}"
    return text


def equipment_text(knowledge: Knowledge, exercise: Exercise) -> str:
    """Describe what the move needs and what can stand in for it, or nothing."""
    alternatives = ", ".join(exercise.alternatives)
    if exercise.equipment and alternatives:
        return knowledge.say(
            "card_equipment", equipment=exercise.equipment, alternatives=alternatives
        )
    if exercise.equipment:
        return knowledge.say("card_equipment_only", equipment=exercise.equipment)
    if alternatives:
        return knowledge.say("card_alternatives_only", alternatives=alternatives)
    return ""


def card_text(knowledge: Knowledge, exercise_id: str, number: int, total: int) -> str:
    """Render one exercise card: name, why, numbered steps, dose, equipment and cautions."""
    exercise = knowledge.exercises[exercise_id]
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(exercise.steps, start=1))
    equipment = equipment_text(knowledge, exercise)
    return knowledge.say(
        "card",
        number=number,
        total=total,
        name=exercise.name,
        why=exercise.why,
        steps=steps,
        dose=dose_text(knowledge, exercise.dose),
        equipment=f"\n{equipment}" if equipment else "",
        cautions=" ".join(exercise.cautions),
    )
