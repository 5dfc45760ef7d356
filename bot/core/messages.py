"""The keys of every sentence the bot says, and the placeholders each one may use.

The sentences themselves live in knowledge/messages.yaml; the validator checks that every key
here has a sentence there, that no unknown key is there, and that each sentence only uses the
placeholders listed for it, so a clinician's edit can never break a reply at run time.
"""

from __future__ import annotations


def _keys(*names: str) -> dict[str, frozenset[str]]:
    return {name: frozenset() for name in names}


MESSAGE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    # intake
    "disclaimer": frozenset(),
    "greeting": frozenset({"name", "disclaimer"}),
    "help": frozenset({"disclaimer"}),
    "ask_symptom_for_location": frozenset({"location"}),
    "confirm_reading": frozenset({"summary"}),
    "describe_both": frozenset({"what", "where"}),
    "join_and": frozenset({"first", "last"}),
    "routine_intro": frozenset({"count", "summary"}),
    "card": frozenset({"number", "total", "name", "why", "steps", "dose", "equipment", "cautions"}),
    "card_equipment": frozenset({"equipment", "alternatives"}),
    "card_equipment_only": frozenset({"equipment"}),
    "card_alternatives_only": frozenset({"alternatives"}),
    "dose_hold": frozenset({"seconds", "repeats", "side", "frequency"}),
    "dose_sets": frozenset({"sets", "reps", "side", "frequency"}),
    "dose_duration": frozenset({"duration", "side", "frequency"}),
    "unknown_command": frozenset({"command"}),
    "coming_soon": frozenset({"feature"}),
    **_keys(
        "ask_what_bothers",
        "ask_location",
        "ask_severity",
        "confirm_denied",
        "describe_nothing",
        "red_flag_intro",
        "red_flag_outro",
        "routine_blocked",
        "routine_needs_symptoms",
        "routine_done",
        "what_next",
        "goodbye",
        "not_understood",
        "still_not_understood",
        "button_expired",
        "media_other",
        "media_edited",
        "contact_unexpected",
        "empty_text",
        "cancelled",
        "nothing_to_cancel",
        "greeting_reply",
        "thanks_reply",
        "something_went_wrong",
        "feature_reminders",
        "feature_callback",
        "feature_progress",
        "feature_privacy",
    ),
    # Telegram: the command menu and the answer in group chats
    **_keys(
        "private_only",
        "command_start",
        "command_help",
        "command_routine",
        "command_reminder",
        "command_callback",
        "command_progress",
        "command_privacy",
        "command_forget",
        "command_cancel",
    ),
    # button labels
    **_keys(
        "button_yes",
        "button_no",
        "button_next",
        "button_finish",
        "button_stop_routine",
        "button_again",
        "button_reminder",
        "button_pro",
        "button_done",
        "button_start",
        "button_share_phone",
        "button_cancel",
    ),
}
