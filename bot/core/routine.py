"""The rule table applied: which moves, in which order, and how each one is shown."""

from __future__ import annotations

from collections.abc import Collection, Sequence

from bot.core.knowledge import Dose, Exercise, Knowledge, Level


def routine_for(
    knowledge: Knowledge,
    symptoms: Sequence[str],
    locations: Sequence[str],
    *,
    leave_out: Collection[str] = (),
    conditions: Collection[str] = (),
) -> tuple[str, ...]:
    """Return the exercise ids for symptoms and locations: roll, then stretch, then strengthen.

    Moves that hurt the person (`leave_out`) are never given again; a condition such as
    diabetes leaves out what it must and keeps the routine short (rules.yaml, safety).
    """
    rules = knowledge.rules
    gentler = [
        knowledge.safety.conditions[c] for c in conditions if c in knowledge.safety.conditions
    ]
    excluded = set(leave_out).union(*(g.leave_out for g in gentler))
    limit = min([rules.max_exercises, *(g.max_exercises for g in gentler if g.max_exercises)])
    picked: list[str] = []
    for symptom in symptoms:
        by_location = rules.routines.get(symptom)
        if by_location is None:
            continue
        # Each place gets its own list, or the symptom's default where it has none.
        lists = [by_location.get(loc, by_location["default"]) for loc in locations]
        lists = lists or [by_location["default"]]
        for exercise_ids in lists:
            picked.extend(e for e in exercise_ids if e not in picked and e not in excluded)
    rank = {kind: index for index, kind in enumerate(rules.kind_order)}
    # sorted() is stable, so within a kind the rule table's own order is kept.
    ordered = sorted(picked, key=lambda e: rank[knowledge.exercises[e].kind])
    return tuple(ordered[:limit])


def alternative_to(
    knowledge: Knowledge, exercise_id: str, symptoms: Sequence[str], avoid: Collection[str]
) -> str | None:
    """Return another move of the same kind that helps these symptoms, or None."""
    kind = knowledge.exercises[exercise_id].kind
    for other in knowledge.exercises.values():
        if (
            other.id != exercise_id
            and other.id not in avoid
            and other.kind == kind
            and any(s in other.helps for s in symptoms)
        ):
            return other.id
    return None


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


def card_text(
    knowledge: Knowledge,
    exercise_id: str,
    number: int,
    total: int,
    level: Level | None = None,
    *,
    removed: Collection[str] = (),
) -> str:
    """Render one exercise card: name, why, numbered steps, dose, equipment and cautions.

    At a level of the exercise's ladder, the card gives that level's dose and says what is
    different about it ("Stand on one leg ..."). A caution that suggests a move the person's
    program has removed (`removed`: it hurt, or they dropped it) is left out.
    """
    exercise = knowledge.exercises[exercise_id]
    steps = "\n".join(f"{i}. {step}" for i, step in enumerate(exercise.steps, start=1))
    if level is not None and level.how:
        steps = f"{steps}\n{knowledge.say('card_level_how', how=level.how)}"
    equipment = equipment_text(knowledge, exercise)
    return knowledge.say(
        "card",
        number=number,
        total=total,
        name=exercise.name,
        why=exercise.why,
        steps=steps,
        dose=dose_text(knowledge, level.dose if level is not None else exercise.dose),
        equipment=f"\n{equipment}" if equipment else "",
        cautions=" ".join(c.text for c in exercise.cautions if c.suggests not in removed),
    )
