"""From "what bothers you" to the routine: read, check warning signs, ask what is missing.

What the person says is read for warning signs first (safety.py takes those), then folded
into the episode; the intake asks for what is still missing (what, where, how bad), asks a
yes/no question about any hint of a warning sign it could not resolve, and then hands over to
the routine, which asks the warning-sign screen before the first card.
"""

from __future__ import annotations

import re

from bot.core.answers import is_question
from bot.core.flow import Flow, yes_no
from bot.core.flows import safety
from bot.core.pain_score import PAIN_SCALE, answer_score, off_scale
from bot.core.reading import Reading
from bot.core.report import describe_complaint
from bot.core.state import HOME
from bot.core.text import normalize
from bot.core.turn import Turn

flow = Flow("intake")
_NOT_BEFORE = re.compile(r"\b(?:not|no|isnt|nothing wrong with)\s+(?:in\s+)?(?:my|the|our)?\s*$")
EXPLAINED = -1  # a scale answer that was a question or "don't know": explained, asked again
# "the heel of my left foot", "toes on my right foot": that foot only says whose part it is.
_FOOT_OF_A_PART = re.compile(
    r"(?:\b(?:of|on|in)\s+(?:(?:my|the|his|her|your|their|one|both|each|left|right|other|"
    r"opposite)\s+){0,3}|,\s*(?:my\s+|the\s+)?(?:left|right|other)\s+)$"
)
_PARTS_OF_THE_FOOT = frozenset({"sole", "arch", "heel", "toes"})
# Asked at a 0-10 question, these are requests the engine runs, not questions about the scale:
# "can someone call me?", "what happens to my data?".
_REQUESTS = frozenset(
    {"callback", "reminder", "help", "privacy", "mydata", "forget", "stop_reminders"}
)
# Said with "no pain" ("weak, no pain though"), these still hurt: the 0-10 question is asked.
_ACHES = frozenset({"pain", "soreness", "cramping"})
MY_MOVES = "my_moves"  # the button at "What bothers you?" that starts a returning person's moves


# -- prompts: (re)ask the question of a step ----------------------------------------------


def ask_what_bothers(turn: Turn) -> None:
    """Ask what bothers them, offering the symptoms as buttons (while a sign stands, say what
    to do about it instead: no complaint can bring moves then)."""
    state = turn.state
    if safety.standing(turn):
        # After a call request or a "thanks", "What does it feel like in the ankle?" invited
        # a complaint only the warning could answer.
        turn.goto(safety.WARNING)
        safety.repeat_warning(turn)
        return
    if state.locations and not state.symptoms:
        # Asked again, the question keeps the place already told ("...in the heel?").
        turn.say(
            "ask_symptom_for_location",
            location=describe(turn, (), state.locations),
            choices=symptom_choices(turn),
            labels=symptom_labels(turn),
        )
        return
    choices, labels = symptom_choices(turn), symptom_labels(turn)
    if state.program is not None and state.program.active():
        # A returning person's moves are one tap away (no sign stands: that returned above).
        choices = (MY_MOVES, *choices)
        labels = {MY_MOVES: turn.text(f"button_{MY_MOVES}"), **labels}
    turn.say("ask_what_bothers", choices=choices, labels=labels)


def ask_location(turn: Turn) -> None:
    """Ask where they feel it."""
    labels = {lid: loc.label for lid, loc in turn.knowledge.locations.items()}
    turn.say("ask_location", choices=tuple(labels), labels=labels)


def ask_severity(turn: Turn) -> None:
    """Ask how bad it is on the 0-10 scale."""
    turn.say("ask_severity", choices=PAIN_SCALE, labels={n: n for n in PAIN_SCALE})


def ask_confirm(turn: Turn) -> None:
    """Check an unsure reading with the person before acting on it."""
    summary = describe(turn, turn.state.pending_symptoms, turn.state.pending_locations)
    turn.say("confirm_reading", summary=summary, choices=("yes", "no"))


def ask_hint(turn: Turn) -> None:
    """Ask a yes/no question about a warning sign the reader only saw a hint of."""
    hints = [h for h in turn.state.hints if h in turn.knowledge.red_flags]
    if not hints:
        turn.state.hints = ()
        _resume(turn)
        return
    question = turn.knowledge.red_flags[hints[0]].question
    turn.say("hint_question", question=question, choices=("yes", "no"))


# -- moving on ----------------------------------------------------------------------------


def advance(turn: Turn) -> None:
    """Ask for the next missing piece, or give the routine when nothing is missing."""
    state = turn.state
    state.misses = 0
    if safety.standing(turn):
        turn.ask(safety.WARNING)
    elif state.hints:
        state.resume = None
        turn.ask(HINT)
    elif not state.symptoms:
        turn.ask(WELCOME)
    elif not state.locations:
        turn.ask(ASK_LOCATION)
    elif state.pain_score is None:
        turn.ask(ASK_SEVERITY)
    else:
        turn.run("routine")


def keep_score_first(turn: Turn, score: int) -> None:
    """Keep a bare score typed at "What bothers you?" before anything else is known ("7"):
    it is how bad it is, and the question stays; a score of 8 or more is the severe sign."""
    turn.state.pain_score = score
    if safety.raise_if_severe(turn, score):
        return
    turn.say("score_kept_first", score=score)
    turn.reprompt()


def _known_already(turn: Turn) -> None:
    """Say the answer told nothing new, and ask the open question again."""
    state = turn.state
    turn.say("already_noted", summary=describe(turn, state.symptoms, state.locations))
    advance(turn)


def side_already_told(turn: Turn, text: str) -> bool:
    """Acknowledge an answer that only names a side ("left" at "How bad is it?") while the
    place is known and its question open, and ask it again; return whether it did."""
    state = turn.state
    asking = state.step == ASK_SEVERITY or (state.step == HOME and not state.symptoms)
    answers = turn.answers
    if not (asking and state.locations and answers and answers.names_only_a_side(text)):
        return False
    if state.step == ASK_SEVERITY and "both" in answers.clean(text).split():
        # "both" at "How bad is it?" may be meant as its answer: one number is what is asked.
        turn.say("scale_both")
        turn.reprompt()
        return True
    _known_already(turn)
    return True


def asked_to_go_back(turn: Turn, text: str) -> bool:
    """Answer "back" at a question of the intake or the screen with how to change an answer,
    and ask the question again; return whether it did."""
    asking = turn.state.step in (HOME, ASK_LOCATION, ASK_SEVERITY, CONFIRM, safety.SCREEN)
    if not (asking and turn.answers is not None and turn.answers.asks_to_go_back(text)):
        return False
    turn.say("go_back_intake")
    turn.reprompt()
    return True


def unsure_what_bothers(turn: Turn, text: str) -> bool:
    """Answer "idk" or "not sure" at "What bothers you?" kindly, with how to tell it, and ask
    again; return whether it did."""
    answers = turn.answers
    if turn.state.step != HOME or answers is None or not answers.clean(text):
        return False  # "🙂🙂🙂" says nothing, not "I don't know"
    if not answers.is_unsure(text):
        return False
    turn.say("what_unsure")
    turn.reprompt()
    return True


def take_reading(turn: Turn, reading: Reading, *, fresh: bool, text: str = "") -> None:
    """Fold what was read into the episode (a fresh description starts a new one)."""
    state = turn.state
    if "worse" in reading.intent_ids:
        state.worsening = True
    state.hints = _merged(state.hints, new_hints(turn, reading))
    if reading.unsure:
        state.pending_symptoms = reading.symptom_ids
        state.pending_locations = _places(reading, text)
        if reading.pain_score is not None:
            state.pain_score = reading.pain_score
        turn.ask(CONFIRM)
        return
    if not fold(turn, reading, fresh=fresh, text=text):
        # "the heel, left one" at "How bad is it?": heard, but the question is still open.
        _known_already(turn)
        return
    if reading.pain_score is not None and reading.pain_score >= _severe(turn):
        safety.raise_signs(turn, ("severe",))
        return
    advance(turn)


def keep_with_sign(turn: Turn, reading: Reading, text: str) -> None:
    """Keep the place told with a warning sign, while the episode is being told: once the sign
    is checked, the bot asks what it feels like in the ankle, not where it is again. How it
    feels is asked afresh: after a check it may not be what it was."""
    state = turn.state
    telling = state.step in (HOME, ASK_LOCATION, ASK_SEVERITY) and not state.routine
    if telling and not reading.unsure and reading.locations:
        state.locations = _merged(state.locations, _places(reading, text))


def fold(turn: Turn, reading: Reading, *, fresh: bool, text: str = "") -> bool:
    """Keep what was read as the episode's, saying nothing; return whether it told anything
    new ("the heel, left one" when the heel is known tells nothing)."""
    state = turn.state
    places = _places(reading, text)
    score = _score_of(reading)
    correcting = "correction" in reading.intent_ids
    # A new complaint is a new episode; but a symptom that answers "what does it feel like in
    # your heel?" completes the episode begun with the heel.
    fresh = fresh and bool(reading.symptoms) and bool(reading.locations or state.symptoms)
    if correcting and not fresh:
        # "Actually it's my heel, not my calves": what is said replaces, it does not add.
        denied = _denied_places(reading, text)
        if reading.locations:
            state.locations = tuple(p for p in places if p not in denied)
        else:
            state.locations = tuple(p for p in state.locations if p not in denied)
        if reading.symptoms:
            state.symptoms = reading.symptom_ids
        note_denials(turn, reading)
    elif fresh:
        # A new complaint is a new episode: its own screen, its own denials. A score told just
        # before it, with nothing else known yet ("7", then "my heel hurts"), is its score.
        started = bool(state.symptoms or state.locations)
        state.symptoms = reading.symptom_ids
        state.locations = places
        state.pain_score = score if score is not None or started else state.pain_score
        state.screened = False
        state.denied = ()
        note_denials(turn, reading)
    else:
        told = (state.symptoms, state.locations)
        state.symptoms = _merged(state.symptoms, reading.symptom_ids)
        state.locations = _merged(state.locations, places)
        if score is not None:
            state.pain_score = score
        note_denials(turn, reading)
        return score is not None or told != (state.symptoms, state.locations)
    return True


def _score_of(reading: Reading) -> int | None:
    """Return the pain score a complaint tells: its number, or 0 for pain denied with nothing
    that aches said beside it ("my ankle feels weak, no pain though", "it doesn't hurt")."""
    if reading.pain_score is not None:
        return reading.pain_score
    denied = {m.id for m in reading.negated}
    if "pain" in denied and _ACHES.isdisjoint(reading.symptom_ids):
        return 0
    return None


def _places(reading: Reading, text: str) -> tuple[str, ...]:
    """Return the places read, less a foot named only as the one a part belongs to ("the arch
    of my left foot" is the arch)."""
    ids = reading.location_ids
    if "foot" not in ids or not _PARTS_OF_THE_FOOT & set(ids):
        return ids
    foot = next(m for m in reading.locations if m.id == "foot")
    folded = normalize(text, 2_000)
    at = folded.find(foot.words)
    if foot.words in ("foot", "feet") and at >= 0 and _FOOT_OF_A_PART.search(folded[:at]):
        return tuple(p for p in ids if p != "foot")
    return ids


def _denied_places(reading: Reading, text: str) -> set[str]:
    """Return the places said with "not" before them ("not my calves")."""
    folded = normalize(text, 2_000)
    denied: set[str] = set()
    for match in reading.locations:
        # The reader keeps a place even in a negated clause, so look just before its words.
        at = folded.find(match.words)
        if at >= 0 and _NOT_BEFORE.search(folded[:at]):
            denied.add(match.id)
    return denied


def new_hints(turn: Turn, reading: Reading) -> tuple[str, ...]:
    """Return the signs hinted at that are not already known either way."""
    state = turn.state
    known = set(state.safety.signs) | set(state.denied)
    return tuple(h for h in reading.hints if h in turn.knowledge.red_flags and h not in known)


def _severe(turn: Turn) -> int:
    return turn.knowledge.rules.severe_pain_score


def pick_symptom(turn: Turn, symptom: str) -> None:
    """Take a symptom button, or start the person's moves as /routine does."""
    if symptom == MY_MOVES:
        turn.run("routine")  # a sign told since the button was shown still stops the moves
        return
    if symptom in turn.knowledge.symptoms:
        turn.state.symptoms = _merged(turn.state.symptoms, (symptom,))
    advance(turn)


def pick_location(turn: Turn, location: str) -> None:
    """Take a location button."""
    if location in turn.knowledge.locations:
        turn.state.locations = _merged(turn.state.locations, (location,))
    advance(turn)


def pick_score(turn: Turn, score: int) -> None:
    """Take a pain score; a high one is the `severe` warning sign."""
    turn.state.pain_score = score
    if not safety.raise_if_severe(turn, score):
        advance(turn)


def confirm(turn: Turn, agreed: bool) -> None:
    """Act on the answer to "did you mean …?"."""
    state = turn.state
    pending_s, pending_l = state.pending_symptoms, state.pending_locations
    state.pending_symptoms, state.pending_locations = (), ()
    if agreed:
        state.symptoms = _merged(state.symptoms, pending_s)
        state.locations = _merged(state.locations, pending_l)
        advance(turn)
    else:
        turn.say("confirm_denied")
        turn.ask(WELCOME)


def on_hint(turn: Turn, yes: bool) -> None:
    """A yes makes the hinted sign stand; a no is noted, and the talk goes on."""
    state = turn.state
    hints = [h for h in state.hints if h in turn.knowledge.red_flags]
    if not hints:
        _resume(turn)
        return
    sign, state.hints = hints[0], tuple(hints[1:])
    if yes:
        safety.raise_signs(turn, (sign,))
    else:
        safety.deny(turn, (sign,))
        if state.hints:
            turn.reprompt()
        else:
            _resume(turn)


def _resume(turn: Turn) -> None:
    """Go back to the question the hint interrupted, or on with the intake."""
    resume, turn.state.resume = turn.state.resume, None
    if resume is not None and resume in turn.prompts:
        turn.ask(resume)
    else:
        advance(turn)


def ask_about_hints(turn: Turn, reading: Reading) -> bool:
    """Ask about hints of a sign in text read at any step; return whether a question was asked."""
    new = new_hints(turn, reading)
    if not new:
        return False
    state = turn.state
    if state.step != HINT:
        state.resume = state.step
    state.hints = _merged(state.hints, new)
    turn.ask(HINT)
    return True


# -- answers ------------------------------------------------------------------------------


def on_severity_text(turn: Turn, text: str) -> bool:
    """Take a typed score ("4", "4/10", "it's about a 4"), unless the text raises a warning."""
    reading = turn.read(text)
    if reading.red_flags:
        # The warning comes first, but the answer was still a score ("agony", "11/10"): keep it.
        told = score_told(turn, text, reading)
        if told is not None and not is_question(text):
            turn.state.pain_score = told
        safety.raise_signs(turn, reading.red_flag_ids)
        return True
    note_denials(turn, reading)
    score = scale_answer(turn, text, reading)
    if score is not None and score != EXPLAINED:
        pick_score(turn, score)
    return score is not None


def scale_answer(turn: Turn, text: str, reading: Reading) -> int | None:
    """Read the answer to a 0-10 question: a number, a score in words, or a question.

    "what does 0 mean?" and "dunno" are explained and the question asked again (EXPLAINED);
    a question about something else ("is it serious?") is no answer (None): the engine answers
    it as anywhere else;
    "pretty bad" is about 7; a number is a score only when it is the answer.
    """
    answers = turn.answers
    about_scale = answers is None or answers.about_the_scale(text)
    if is_question(text) and _REQUESTS.isdisjoint(reading.intent_ids) and about_scale:
        turn.say("scale_explained")
        turn.reprompt()
        return EXPLAINED
    if reading.pain_score is not None:
        return reading.pain_score
    score = answer_score(text)
    if score is not None:
        return score
    if off_scale(text):
        turn.say("scale_range")  # "12", "-1": a number, but not on the scale
        turn.reprompt()
        return EXPLAINED
    if "worse" in reading.intent_ids:
        return None  # "a bit worse than yesterday" is a worsening course, not "a bit" (2)
    if answers is not None:
        in_words = answers.pain_in_words(text)
        if in_words is not None:
            turn.say("scale_in_words", score=in_words)
            return in_words
        if answers.is_unsure(text):
            turn.say("scale_unsure")
            turn.reprompt()
            return EXPLAINED
    return None


def score_told(turn: Turn, text: str, reading: Reading) -> int | None:
    """Return the 0-10 score an answer tells, in numbers or words, saying nothing."""
    if reading.pain_score is not None:
        return reading.pain_score
    score = answer_score(text)
    if score is None and turn.answers is not None:
        score = turn.answers.pain_in_words(text)
    return score


def note_denials(turn: Turn, reading: Reading) -> None:
    """Remember the warning signs the person said they do not have ("no numbness")."""
    safety.deny(turn, (m.id for m in reading.negated if m.id in turn.knowledge.red_flags))


def on_severity_choice(turn: Turn, choice: str) -> None:
    """Take a score button."""
    if choice.isdecimal() and len(choice) <= 2:
        pick_score(turn, min(int(choice), 10))
    else:
        turn.reprompt()


def answer_diagnosis(turn: Turn, reading: Reading) -> None:
    """Say kindly that the bot cannot diagnose, and offer the self-care and a professional."""
    state = turn.state
    if reading.symptoms or reading.locations:
        state.symptoms = _merged(state.symptoms, reading.symptom_ids)
        state.locations = _merged(state.locations, reading.location_ids)
    turn.ask(DIAGNOSIS)


def ask_diagnosis(turn: Turn) -> None:
    """Offer the moves or a professional instead of a diagnosis."""
    turn.say("diagnosis_reply", choices=("moves", "pro"))


def on_diagnosis_choice(turn: Turn, choice: str) -> None:
    """Go on to the moves (asking what is still missing)."""
    advance(turn)


# -- helpers ------------------------------------------------------------------------------


def symptom_choices(turn: Turn) -> tuple[str, ...]:
    """Return the symptom ids offered as buttons."""
    return tuple(turn.knowledge.symptoms)


def symptom_labels(turn: Turn) -> dict[str, str]:
    """Return the button label of each symptom id."""
    return {sid: s.label for sid, s in turn.knowledge.symptoms.items()}


def describe(turn: Turn, symptoms: tuple[str, ...], locations: tuple[str, ...]) -> str:
    """Describe symptoms and locations in a few words, e.g. "tightness in the calf"."""
    return describe_complaint(turn.knowledge, symptoms, locations)


def _merged(old: tuple[str, ...], new: tuple[str, ...]) -> tuple[str, ...]:
    return old + tuple(x for x in new if x not in old)


# -- the flow -----------------------------------------------------------------------------

WELCOME = flow.step(HOME, ask_what_bothers, pick_symptom)
CONFIRM = flow.step("confirm", ask_confirm, *yes_no(confirm))
ASK_LOCATION = flow.step("ask_location", ask_location, pick_location)
# The score is read first: an answer that is also a warning sign ("agony", "11/10") keeps it.
ASK_SEVERITY = flow.step(
    "ask_severity", ask_severity, on_severity_choice, on_severity_text, takes_any_text=True
)
HINT = flow.sign_question("sign_hint", ask_hint, on_hint, if_unsure=True)
DIAGNOSIS = flow.step("diagnosis", ask_diagnosis, on_diagnosis_choice)
flow.buttons("yes", "no", "moves", MY_MOVES)
flow.says(
    "scale_range",
    "ask_what_bothers",
    "ask_location",
    "ask_severity",
    "confirm_denied",
    "diagnosis_reply",
    "what_unsure",
    "go_back_intake",
    ask_symptom_for_location={"location"},
    score_kept_first={"score"},
    already_noted={"summary"},
    confirm_reading={"summary"},
    hint_question={"question"},
)
flow.says("scale_explained", "scale_unsure", "scale_both", scale_in_words={"score"})
