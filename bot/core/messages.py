"""The keys of every sentence the bot says, and the placeholders each one may use.

The sentences themselves live in knowledge/messages.yaml; the validator checks that every key
here has a sentence there, that no unknown key is there, and that each sentence only uses the
placeholders listed for it, so a clinician's edit can never break a reply at run time.
"""

from __future__ import annotations

MESSAGE_PLACEHOLDERS: dict[str, frozenset[str]] = {
    "disclaimer": frozenset(),
}
