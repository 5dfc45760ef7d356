"""The sentences every part of the bot shares, and the placeholders each one may use.

Each flow declares its own sentences (bot/core/flows); these are the ones no single flow owns:
the engine's answers to what it did not understand, how an exercise card and a dose read,
and the staff side. The sentences themselves live in knowledge/messages.yaml; the validator
checks that every declared key has a sentence there, that no unknown key is there, and that
each sentence only uses the placeholders declared for it, so a clinician's edit can never
break a reply at run time.
"""

from __future__ import annotations

from bot.core.day_names import DAY_MESSAGES
from bot.core.knowledge import FAQ_IDS


def _keys(*names: str) -> dict[str, frozenset[str]]:
    return {name: frozenset() for name in names}


BASE_MESSAGES: dict[str, frozenset[str]] = {
    # days and months in words (bot/core/day_names.py)
    **DAY_MESSAGES,
    # what the engine says at any step
    "unknown_command": frozenset({"command"}),
    "move_about": frozenset({"name", "why"}),
    **_keys(
        "not_understood",
        "still_not_understood",
        "english_only",
        "question_unanswered",
        "asked_meaning",
        "unsure_ask_again",
        "unsure_taken_yes",
        "unsure_taken_no",
        "button_expired",
        "media_other",
        "media_edited",
        "contact_unexpected",
        "empty_text",
        "greeting_reply",
        "checked_noted",
        *(f"faq_{question}" for question in FAQ_IDS),
        "thanks_reply",
        "about_me",
        "nod_reply",
        "other_place",
        "skin_and_nails",
        "someone_else",
        "someone_else_child",
        "someone_else_sign",
        "something_went_wrong",
        "private_only",
    ),
    # describing what was read, and the exercise cards
    "describe_both": frozenset({"what", "where"}),
    "join_and": frozenset({"first", "last"}),
    "describe_nothing": frozenset(),
    "card": frozenset({"number", "total", "name", "why", "steps", "dose", "equipment", "cautions"}),
    "card_equipment": frozenset({"equipment", "alternatives"}),
    "card_equipment_only": frozenset({"equipment"}),
    "card_alternatives_only": frozenset({"alternatives"}),
    "dose_hold": frozenset({"seconds", "repeats", "side", "frequency"}),
    "dose_sets": frozenset({"sets", "reps", "side", "frequency"}),
    "dose_duration": frozenset({"duration", "side", "frequency"}),
    # the staff side
    "staff_request": frozenset(
        {"code", "name", "phone", "best_time", "about", "pain", "note", "created", "status"}
    ),
    "staff_handled": frozenset({"status", "by", "at"}),
    "staff_warning": frozenset({"flags", "urgency"}),
    "staff_withdrawn": frozenset({"code"}),
    "staff_forgotten": frozenset({"code"}),
    "staff_repeated": frozenset({"code"}),
    "staff_report_caption": frozenset({"code"}),
    "staff_conditions": frozenset({"conditions"}),
    "staff_signs_added": frozenset({"code", "warning"}),
    "staff_line": frozenset(
        {"code", "created", "status", "name", "phone", "best_time", "flags", "conditions"}
    ),
    "staff_lead_not_found": frozenset({"code"}),
    "staff_marked": frozenset({"code", "status"}),
    "staff_stats": frozenset({"people", "reminders", "checkins", "requests", "outbox"}),
    "staff_stats_outbox": frozenset({"count", "age"}),
    **_keys(
        "staff_urgency_emergency",
        "staff_urgency_urgent",
        "staff_urgency_soon",
        "staff_status_open",
        "staff_status_contacted",
        "staff_status_closed",
        "staff_status_withdrawn",
        "staff_contacted",
        "staff_closed",
        "staff_no_leads",
        "staff_lead_usage",
        "staff_export_caption",
        "staff_report_line",
        "staff_stats_outbox_empty",
    ),
}
