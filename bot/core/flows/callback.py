"""The callback request: consent, name, phone, best time, note, review, confirm.

Nothing is stored until the person confirms; /cancel at any step leaves nothing behind.
Someone with an open request sees it and can change or withdraw it instead of a second one.
"""

from __future__ import annotations

import re
from datetime import datetime

from pydantic import BaseModel

from bot.core.answers import asks_meaning, is_question, is_request
from bot.core.day_names import short_day
from bot.core.effects import AttachReport, SaveLead, WithdrawLead
from bot.core.flow import Draft, Flow
from bot.core.flows import safety
from bot.core.flows.intake import describe
from bot.core.knowledge import CALLBACK_FAQ_IDS
from bot.core.leads import LeadDetails
from bot.core.phone import PhoneRefusal, normalize_phone
from bot.core.state import HOME, StepId
from bot.core.text import cut_at_word
from bot.core.turn import Turn, local_today, zone_of
from bot.core.zones import country_of

BEST_TIMES = ("morning", "afternoon", "evening", "anytime")
MAX_NAME = 100
# Said at "What name should they ask for?", these are requests, not a name ("cancel"); at the
# phone question too when there are no digits, and at the note when it is short.
_NOT_A_NAME = frozenset({"stop", "stop_reminders", "help", "privacy", "mydata", "forget"})
_SHORT_REQUEST = 2  # "never mind", "cancel that", "delete everything"; "no longer hurts" is a note
MAX_NOTE = 500


class CallbackDraft(BaseModel):
    """A callback request being filled in; nothing of it is stored until it is confirmed."""

    code: str | None = None  # set when editing an open request
    name: str | None = None
    phone: str | None = None
    best_time: str | None = None
    note: str | None = None
    editing: bool = False


DRAFT = Draft("callback", CallbackDraft)
flow = Flow("callback")


def begin(turn: Turn) -> None:
    """Start a request, or show the open one."""
    DRAFT.clear(turn.state)
    turn.ask(EXISTING if turn.ctx.open_lead is not None else CONSENT)


# -- prompts ------------------------------------------------------------------------------


def show_existing(turn: Turn) -> None:
    """Show the open request and offer to change or withdraw it."""
    lead = turn.ctx.open_lead
    if lead is None:  # withdrawn or closed meanwhile
        begin(turn)
        return
    turn.say(
        "callback_existing",
        code=lead.code,
        status=turn.text(f"status_{lead.status}"),
        name=lead.name,
        phone=lead.phone,
        best_time=turn.label(lead.best_time),
        choices=("change", "withdraw", "keep"),
    )


def ask_consent(turn: Turn) -> None:
    """Say what will be shared with the team, and ask whether that is all right."""
    turn.say("callback_consent", about=_about(turn), choices=("agree", "decline"))


def ask_name(turn: Turn, key: str = "callback_name") -> None:
    """Ask what name the professional should use, offering the Telegram first name."""
    first = turn.ctx.first_name
    if first:
        label = turn.text("button_use_name", name=first)
        turn.say(key, choices=("use_name",), labels={"use_name": label}, yes="use_name")
    else:
        turn.say(key)


def ask_phone(turn: Turn) -> None:
    """Ask for the phone number, with the share-my-number button."""
    turn.ask_phone("callback_phone", "callback_phone_typed")


def ask_time(turn: Turn) -> None:
    """Ask for the best time to call."""
    turn.say("callback_time", choices=BEST_TIMES)


def ask_note(turn: Turn) -> None:
    """Ask for an optional note."""
    turn.say("callback_note", choices=("skip_note",))


def show_review(turn: Turn) -> None:
    """Show everything that will be sent, to confirm or edit."""
    draft = _draft(turn)
    turn.say(
        "callback_review",
        name=draft.name or "",
        phone=draft.phone or "",
        best_time=turn.label(draft.best_time or "anytime"),
        note=draft.note or turn.text("callback_no_note"),
        about=_about(turn),
        choices=("confirm", "edit_name", "edit_phone", "edit_time", "edit_note", "cancel_request"),
    )


# -- answers ------------------------------------------------------------------------------


def on_existing_choice(turn: Turn, choice: str) -> None:
    """Change, withdraw or keep the open request."""
    lead = turn.ctx.open_lead
    if lead is None:
        begin(turn)
    elif choice == "change":
        DRAFT.start(
            turn.state,
            code=lead.code,
            name=lead.name,
            phone=lead.phone,
            best_time=lead.best_time,
            note=lead.note,
            editing=True,
        )
        turn.ask(REVIEW)
    elif choice == "withdraw":
        turn.do(WithdrawLead(code=lead.code))
        turn.goto(HOME)
        turn.say("callback_withdrawn", code=lead.code)
    else:
        turn.goto(HOME)
        turn.say("callback_kept", code=lead.code)


def asks_about_the_call(turn: Turn, text: str) -> bool:
    """Answer a question about the call asked with a request open ("when will they call?"), or
    "any news?" with none open (withdrawn, handled, or never made)."""
    asked = _about_the_call(turn, text)
    if asked is None or (turn.ctx.open_lead is None and asked != "status"):
        return False
    if turn.ctx.open_lead is None:
        turn.say("callback_none_open")
    else:
        _answer(turn, asked)
    turn.reprompt()
    return True


def _call_question(turn: Turn, text: str) -> str | None:
    """Return the question about the call the text asks ("who will call me?"), or None."""
    return turn.answers.callback_question(text) if turn.answers is not None else None


def _about_the_call(turn: Turn, text: str) -> str | None:
    """Return the question about the call the text asks where it may be about something else
    (AnswerMatcher.about_the_call)."""
    return turn.answers.about_the_call(text) if turn.answers is not None else None


def _answer(turn: Turn, asked: str) -> None:
    """Answer a question about the call; when it comes, with a standing sign's urgency.

    With a request in, "when will they call?" and "any news?" are told how it stands.
    """
    lead = turn.ctx.open_lead
    timing = asked in ("when", "status")
    if timing and lead is not None:
        turn.say(
            "callback_status",
            code=lead.code,
            status=turn.text(f"status_{lead.status}"),
            made=_made(turn, lead.created_at),
            best_time=turn.label(lead.best_time).lower(),  # mid-sentence: "(evening)"
        )
    else:
        turn.say(f"callback_faq_{asked}")
    # A sign that can't wait is not told "within one working day" alone; at home or at the
    # warning the question after this answer is the warning's own line, with its urgency.
    if timing and turn.state.step not in (HOME, safety.WARNING):
        _say_urgency(turn)


def _made(turn: Turn, instant: datetime) -> str:
    """Say when a request went in: "today at 14:02", "on Tue 3 Nov at 09:15"."""
    local = instant.astimezone(zone_of(turn.state.zone, turn.ctx.reminder))
    clock = local.strftime("%H:%M")
    if local.date() == local_today(turn):
        return turn.text("when_today", time=clock)
    return turn.text("when_day", day=short_day(turn.text, local.date()), time=clock)


def on_existing_text(turn: Turn, text: str) -> bool:
    """Answer a question about the call at the open request, and show it again."""
    asked = _call_question(turn, text)
    if asked is None:
        return False
    _answer(turn, asked)
    show_existing(turn)
    return True


def on_consent_choice(turn: Turn, choice: str) -> None:
    """Take the consent button."""
    on_consent(turn, choice == "agree")


def _clear_yes_or_any_no(turn: Turn, text: str, yes: str) -> bool | None:
    """Return True for a clear yes (nothing else, no hedge), False for any no, else None.

    What is shared with the team (a name and number, the report) is shared on a clear yes only;
    declining shares nothing, so any no will do.
    """
    answers = turn.answers
    if answers is not None and answers.is_clear_yes(text, turn.text(f"button_{yes}")):
        return True
    return False if turn.reader.is_affirmative(text) is False else None


def on_consent_text(turn: Turn, text: str) -> bool:
    """Take only a clear yes as consent and any no as a no; ask again kindly when unclear."""
    agreed = _clear_yes_or_any_no(turn, text, "agree")
    if agreed is None and turn.answers is not None and turn.answers.asks_to_go_back(text):
        agreed = False  # "back" before anything is given leaves the request, sharing nothing
    if agreed is not None:
        on_consent(turn, agreed)
        return True
    reading = turn.read(text)
    asked = _call_question(turn, text)
    if asked is not None and not (reading.red_flags or reading.symptoms or reading.locations):
        # "who will call me?", "what happens to my data?": answered, then asked again; a
        # question is no yes. A sign or a complaint said with it is read first.
        _answer(turn, asked)
        turn.say("callback_consent_again", choices=("agree", "decline"))
        return True
    if reading.intents or reading.symptoms or reading.locations or asks_meaning(text):
        return False  # something else was said ("remind me at 8"): the engine reads it
    # "just right", "ok I guess": a name and number are shared on a clear yes only.
    turn.say("callback_consent_unclear", choices=("agree", "decline"))
    return True


def on_consent(turn: Turn, agreed: bool) -> None:
    """Go on with consent, or stop without keeping anything."""
    if agreed:
        DRAFT.start(turn.state)
        turn.ask(NAME)
    else:
        DRAFT.clear(turn.state)
        turn.goto(HOME)
        turn.say("callback_declined")


def on_name_choice(turn: Turn, choice: str) -> None:
    """Use the Telegram first name."""
    _take_name(turn, turn.ctx.first_name or "")


def on_name_text(turn: Turn, text: str) -> bool:
    """Take a typed name; a question is no name ("who will call me?" is answered)."""
    if _went_back(turn, text):
        return True
    asked = _call_question(turn, text)
    if asked is not None:
        _answer(turn, asked)
        ask_name(turn)
        return True
    reading = turn.read(text)
    if is_question(text) and not is_request(text):
        everyday = turn.answers is not None and turn.answers.everyday_question(text) is not None
        if reading.intents or reading.symptoms or reading.locations or everyday:
            return False  # "what's my program?": the engine reads it, then asks again
        ask_name(turn, "callback_name_again")  # "why?", "do you need my real name?"
        return True
    if not _NOT_A_NAME.isdisjoint(reading.intent_ids):
        return False  # "cancel", "never mind", "delete everything": no name, a request
    _take_name(turn, text, typed=True)
    return True


def _take_name(turn: Turn, raw: str, *, typed: bool = False) -> None:
    name = " ".join(raw.split())
    answers = turn.answers
    if answers is not None:
        name = answers.name_said(name)  # "my name's Jo Smith" is Jo Smith, "yes, Sam" Sam
    if typed and raw.strip() and not name:
        ask_name(turn, "callback_name_again")  # "yes", "my name is": words before a name only
        return
    if not name or len(name) > MAX_NAME:
        turn.say("callback_name_invalid", limit=MAX_NAME)
        ask_name(turn)
        return
    # "yes", "ok", "no", "7", "👍": an answer to some other question, not a name ("Will" is).
    if not any(ch.isalpha() for ch in name) or (typed and answers and answers.is_no_name(name)):
        ask_name(turn, "callback_name_again")
        return
    reading = turn.read(name)
    # "my heel hurts" is what bothers them, not a name ("Mr Tighe" and "Dr Sole" are names).
    if reading.symptoms and (reading.locations or len(name.split()) >= 3):
        turn.say("callback_name_is_a_complaint")
        ask_name(turn)
        return
    _draft(turn).name = name
    _next(turn, PHONE)


def on_phone_text(turn: Turn, text: str) -> bool:
    """Take a typed phone number (or the Cancel button's text)."""
    if _went_back(turn, text):
        return True
    if text.strip().casefold() == turn.text("button_cancel").casefold():
        DRAFT.clear(turn.state)
        turn.goto(HOME)
        turn.say("cancelled")
        return True
    asked = _call_question(turn, text)
    no_digits = not any(ch.isdecimal() for ch in text)
    if asked is not None and no_digits:
        _answer(turn, asked)  # "who sees my number?"
        ask_phone(turn)
        return True
    if no_digits and not _NOT_A_NAME.isdisjoint(turn.read(text).intent_ids):
        return False  # "never mind", "delete everything": a request, not a wrong number
    result = _typed_phone(turn, text)
    said = _numbers_said(text) if result is PhoneRefusal.NOT_A_NUMBER else []
    if len(said) > 1:
        # "07400 123456 or 07400 654321": which one to call is theirs to say, not "the digits".
        turn.say("phone_just_one")
        ask_phone(turn)
        return True
    if said:
        result = _typed_phone(turn, said[0])  # "my number is 07400 123456", "... thanks"
    if isinstance(result, PhoneRefusal):
        # "I don't have a phone", "can you email me?": no digits is no typo; say what is needed.
        turn.say("phone_no_digits" if no_digits else f"phone_refused_{result.value}")
        ask_phone(turn)
        return True
    _take_phone(turn, result)
    return True


# A number said in a sentence: digits and the separators people type between them, not glued
# to a word ("1-800-FLOWERS" stays refused); it has this many digits, unlike "after 6pm".
_NUMBER_RUN = re.compile(r"(?<![\w+])\+?\d[\d\s().\-/]*\d(?!\w)")
_MIN_NUMBER_DIGITS = 7


def _numbers_said(text: str) -> list[str]:
    """Return the numbers said in a sentence ("it's +44 7400 123456 thanks")."""
    return [
        run.group()
        for run in _NUMBER_RUN.finditer(text)
        if sum(ch.isdecimal() for ch in run.group()) >= _MIN_NUMBER_DIGITS
    ]


def _typed_phone(turn: Turn, text: str) -> str | PhoneRefusal:
    """Read a typed number; one without a country code is read as dialled in the country of
    the person's time zone ("07400 123456" in London), then in DEFAULT_PHONE_REGION's."""
    reminder = turn.ctx.reminder
    here = country_of(turn.state.zone or (reminder.zone if reminder else None))
    regions: list[str | None] = [r for r in (here, turn.config.default_phone_region) if r]
    results = [normalize_phone(text, region) for region in regions or [None]]
    return next((r for r in results if not isinstance(r, PhoneRefusal)), results[0])


def on_contact(turn: Turn, phone: str, own: bool) -> None:
    """Take a shared contact, if it is the person's own."""
    if not own:
        turn.say("phone_not_own")
        ask_phone(turn)
        return
    digits = phone.strip()
    # Telegram sends the contact's number without the leading + in most clients.
    result = normalize_phone(digits if digits.startswith("+") else f"+{digits}", None)
    if isinstance(result, PhoneRefusal):
        turn.say("phone_refused_invalid")
        ask_phone(turn)
        return
    _take_phone(turn, result)


def _take_phone(turn: Turn, e164: str) -> None:
    _draft(turn).phone = e164
    turn.say("phone_saved", phone=e164)
    _next(turn, TIME)


# "3", "10am", "7.30 pm", "4ish": an hour, its minutes, and the part of day it is in.
_HOUR = re.compile(r"\b(\d{1,2})(?:[:.](\d{2}))?\s*(am|pm)?(?:ish)?\b")


# "between 2 and 4", "9 to 5", "10-12": a stretch of the day.
_SPAN = re.compile(
    r"\b(\d{1,2})(?:[:.]\d{2})?\s*(am|pm)?\s*(?:-|to|till|til|until|and)\s*"
    r"(\d{1,2})(?:[:.]\d{2})?\s*(am|pm)?\b"
)
# A stretch this long (a working day, "9 to 5") is any time; a shorter one is its middle's part.
_ANY_TIME_HOURS = 6


def _hour(number: str, meridiem: str | None) -> int:
    hour = int(number)
    if meridiem == "pm" and hour < 12:
        return hour + 12
    if meridiem is None and 1 <= hour <= 7:
        return hour + 12  # nobody asks for a call at 3 in the night
    return hour


def _part(hour: float) -> str:
    return "morning" if hour < 12 else "afternoon" if hour < 17 else "evening"


def on_time_text(turn: Turn, text: str) -> bool:
    """Take a time said with numbers ("between 2 and 4", "before 10am") as its part of day.

    A part of day said in words wins: "I work 9-5 so evenings" is the evening.
    """
    if _went_back(turn, text):
        return True
    said = text.lower()
    state = turn.state
    words = _HOUR.sub(" ", _SPAN.sub(" ", said))
    named = turn.answers.match(words, state.choices, state.choice_labels) if turn.answers else None
    if named in ("morning", "afternoon", "evening") and words.strip() != said.strip():
        on_time_choice(turn, named)
        return True
    span = _SPAN.search(said)
    if span is not None:
        start, end = _hour(span.group(1), span.group(2)), _hour(span.group(3), span.group(4))
        if 0 <= start < end <= 24:
            long = end - start >= _ANY_TIME_HOURS
            on_time_choice(turn, "anytime" if long else _part((start + end) / 2))
            return True
    hours = [_hour(h.group(1), h.group(3)) for h in _HOUR.finditer(said)]
    parts = {_part(hour) for hour in hours if 0 <= hour <= 23}
    if len(parts) > 1:
        turn.say("not_understood")  # "before 9am or after 5pm": two parts of the day
        turn.reprompt()
        return True
    if len(parts) != 1 or not all(0 <= hour <= 23 for hour in hours):
        return False
    on_time_choice(turn, parts.pop())
    return True


def on_time_choice(turn: Turn, choice: str) -> None:
    """Take the best time to call."""
    _draft(turn).best_time = choice
    _next(turn, NOTE)


def on_note_choice(turn: Turn, choice: str) -> None:
    """Skip the note."""
    _draft(turn).note = ""
    _next(turn, REVIEW)


def on_note_text(turn: Turn, text: str) -> bool:
    """Take the note; warning signs in it travel with the request."""
    if _went_back(turn, text):
        return True
    note = " ".join(text.split())
    answers = turn.answers
    skipped = answers is not None and answers.says_exactly(
        note, "skip_note", turn.label("skip_note")
    )
    if skipped or not any(ch.isalnum() for ch in note):
        on_note_choice(turn, "skip_note")  # "no", "nothing", "👍": no note, as Skip
        return True
    reading = turn.read(note)
    told = reading.symptoms or reading.locations or reading.red_flags
    if (
        len(note.split()) <= _SHORT_REQUEST
        and not told
        and not _NOT_A_NAME.isdisjoint(reading.intent_ids)
    ):
        return False  # "cancel", "never mind": a request, not the note
    asked = _about_the_call(turn, note)
    if asked is not None and not told and _only_a_question(note):
        _answer(turn, asked)  # "how long will it take them to call me?" is no note
        ask_note(turn)
        return True
    if len(note) > MAX_NOTE:
        # The start is kept (retyping a long note on a phone is a chore) and shown at the
        # review, where Edit note can change it; the person is told, nothing goes silently.
        note = cut_at_word(note, MAX_NOTE)
        turn.say("callback_note_trimmed", limit=MAX_NOTE)
    _draft(turn).note = note
    # Signs are read in the whole note: one told after the cut still goes with the request.
    if safety.note(turn, reading.red_flag_ids):
        _say_urgency(turn)
    _next(turn, REVIEW)
    return True


# A sentence's end inside the text: "Is it a physio? I'd prefer a podiatrist" says more.
_SENTENCE_END = re.compile(r"[.!?]\s")


def _only_a_question(text: str) -> bool:
    """Say whether the text is one question and nothing else ("any news?", "who calls me")."""
    if _SENTENCE_END.search(text.rstrip("?!. ")):
        return False
    return text.endswith("?") or is_question(text)


def note_signs(turn: Turn, signs: tuple[str, ...]) -> None:
    """Note warning signs said during the request on it, say their urgency, and go on."""
    safety.note(turn, signs)
    turn.say("callback_noted_flag")
    _say_urgency(turn)
    turn.reprompt()


def _say_urgency(turn: Turn) -> None:
    top = safety.urgency_of(turn, safety.standing(turn))
    if top is not None:
        turn.say(f"callback_sign_{top.value}")


def on_review_choice(turn: Turn, choice: str) -> None:
    """Confirm, edit one field, or drop the request."""
    draft = _draft(turn)
    if choice in EDITS:
        draft.editing = True
        turn.ask(EDITS[choice])
        return
    if choice == "cancel_request":
        DRAFT.clear(turn.state)
        turn.goto(HOME)
        turn.say("cancelled")
        return
    if not (draft.name and draft.phone and draft.best_time):
        _next(turn, NAME)  # should not happen: finish what is missing
        return
    code = draft.code or turn.ctx.new_code
    state = turn.state
    latest = turn.ctx.checkins[-1].score if turn.ctx.checkins else None
    details = LeadDetails(
        name=draft.name,
        phone=draft.phone,
        best_time=draft.best_time,
        note=draft.note or "",
        symptoms=state.symptoms,
        red_flags=safety.most_urgent_first(turn, state.safety.signs),
        pain_score=state.pain_score if state.pain_score is not None else latest,
        conditions=state.safety.conditions,
    )
    turn.do(SaveLead(code=code, details=details))
    DRAFT.clear(state)
    turn.goto(HOME)
    if draft.code:
        turn.say("callback_updated", code=code)
        return
    top = safety.urgency_of(turn, safety.standing(turn))
    turn.say(f"callback_confirmed_{top.value}" if top else "callback_confirmed", code=code)
    if something_to_report(turn):
        ATTACH.start(state, code=code)
        turn.ask(REPORT)


# -- the report, for the staff --------------------------------------------------------------


class AttachDraft(BaseModel):
    """The request the person may attach their report to."""

    code: str


ATTACH = Draft("attach_report", AttachDraft)


def something_to_report(turn: Turn) -> bool:
    """Say whether the person has told enough for a report (a complaint, moves, a sign, scores)."""
    state = turn.state
    return bool(
        state.symptoms or state.program or state.routine or state.safety.signs or turn.ctx.checkins
    )


def ask_attach(turn: Turn) -> None:
    """Ask whether the staff may see the person's report with the request."""
    turn.say("callback_ask_report", choices=("attach_report", "no_report"))


def on_attach_text(turn: Turn, text: str) -> bool:
    """Send the report on a clear yes only: "confirm" typed again after the review's Confirm,
    or "go on", is asked about again; any no sends the request alone."""
    attach = _clear_yes_or_any_no(turn, text, "attach_report")
    if attach is not None:
        on_attach(turn, attach)
        return True
    if turn.reader.is_affirmative(text) is None:
        return False  # "what's in it?": the engine reads it, then asks again
    turn.say("callback_report_unclear", choices=("attach_report", "no_report"))
    return True


def on_attach_choice(turn: Turn, choice: str) -> None:
    """Take the report's buttons."""
    on_attach(turn, choice == "attach_report")


def on_attach(turn: Turn, attach: bool) -> None:
    """Send the report with the request, or not."""
    draft = ATTACH.get(turn.state)
    ATTACH.clear(turn.state)
    turn.goto(HOME)
    if attach and draft is not None:
        turn.do(AttachReport(code=draft.code))
        turn.say("callback_report_attached")
    else:
        turn.say("callback_report_not_attached")


# -- helpers ------------------------------------------------------------------------------


def _went_back(turn: Turn, text: str) -> bool:
    """Go back to the question before this one on "back" or "go back" alone; when one field
    is being edited, back to the review. "back" was taken as the name, or as the note."""
    answers = turn.answers
    if answers is None or not answers.asks_to_go_back(text):
        return False
    step = turn.state.step
    draft = DRAFT.get(turn.state)
    editing = draft is not None and draft.editing and step != REVIEW
    turn.say("callback_back")
    turn.ask(REVIEW if editing else _PREVIOUS[step])
    return True


def _draft(turn: Turn) -> CallbackDraft:
    return DRAFT.of(turn.state)


def _next(turn: Turn, step: StepId) -> None:
    """Go to the next question, or back to the review when one field was being edited."""
    draft = _draft(turn)
    if draft.editing and draft.name and draft.phone and draft.best_time:
        step = REVIEW
    turn.ask(step)


def _about(turn: Turn) -> str:
    state = turn.state
    parts = []
    if state.symptoms or state.locations:
        parts.append(describe(turn, state.symptoms, state.locations))
    parts.extend(turn.knowledge.red_flags[f].in_sentence for f in safety.standing(turn))
    known = turn.knowledge.conditions
    parts.extend(known[c].in_sentence for c in state.safety.conditions if c in known)
    if state.pain_score is not None:
        parts.append(turn.text("pain_score_phrase", score=state.pain_score))
    return "; ".join(parts) if parts else turn.text("callback_nothing_known")


def callback_command(turn: Turn, args: str) -> None:
    """Ask for a professional to call back; in the middle of a request, carry on with it."""
    step = turn.state.step
    if step in _FILLING and DRAFT.get(turn.state) is not None:
        # Starting again from the consent question would throw away the name and number given.
        turn.say("callback_resumed")
        turn.reprompt()
    elif step == REPORT and turn.ctx.open_lead is not None:
        # Just sent: how it stands, and the report question still open (no second request).
        _answer(turn, "status")
        turn.reprompt()
    else:
        begin(turn)


EXISTING = flow.step("callback_existing", show_existing, on_existing_choice, on_existing_text)
CONSENT = flow.step("callback_consent", ask_consent, on_consent_choice, on_consent_text)
NAME = flow.step("callback_name", ask_name, on_name_choice, on_name_text)
PHONE = flow.step("callback_phone", ask_phone, on_text=on_phone_text)
TIME = flow.step("callback_time", ask_time, on_time_choice, on_time_text)
NOTE = flow.step("callback_note", ask_note, on_note_choice, on_note_text, takes_any_text=True)
REVIEW = flow.step("callback_review", show_review, on_review_choice, _went_back)
REPORT = flow.step("callback_report", ask_attach, on_attach_choice, on_attach_text)
# The questions of a request being filled in (or changed), where /callback carries on.
_FILLING = (NAME, PHONE, TIME, NOTE, REVIEW)
# The question before each, for "back" (consent's yes starts a fresh draft, so none is lost).
_PREVIOUS = {NAME: CONSENT, PHONE: NAME, TIME: PHONE, NOTE: TIME, REVIEW: NOTE}
EDITS = {"edit_name": NAME, "edit_phone": PHONE, "edit_time": TIME, "edit_note": NOTE}
flow.command("callback", callback_command, menu=True)
flow.buttons(
    "agree",
    "decline",
    "share_phone",
    "cancel",
    *BEST_TIMES,
    "skip_note",
    "confirm",
    *EDITS,
    "cancel_request",
    "change",
    "withdraw",
    "keep",
    "attach_report",
    "no_report",
)
flow.says(
    "callback_consent_unclear",
    "callback_consent_again",
    *(f"callback_faq_{question}" for question in CALLBACK_FAQ_IDS),
    "callback_name_is_a_complaint",
    "callback_declined",
    "callback_ask_report",
    "callback_report_unclear",
    "callback_report_attached",
    "callback_report_not_attached",
    "callback_name",
    "callback_name_again",
    "callback_phone",
    "callback_phone_typed",
    "callback_time",
    "callback_note",
    "callback_no_note",
    "callback_nothing_known",
    "callback_noted_flag",
    "callback_sign_soon",
    "callback_sign_urgent",
    "callback_sign_emergency",
    "phone_refused_no_country_code",
    "phone_refused_not_a_number",
    "phone_refused_too_short",
    "phone_refused_too_long",
    "phone_refused_invalid",
    "phone_not_own",
    "phone_just_one",
    "phone_no_digits",
    "callback_none_open",
    "callback_resumed",
    "callback_back",
    "status_open",
    "status_contacted",
    "status_closed",
    "status_withdrawn",
    callback_existing={"code", "status", "name", "phone", "best_time"},
    callback_status={"code", "status", "made", "best_time"},
    when_today={"time"},
    when_day={"day", "time"},
    callback_consent={"about"},
    callback_review={"name", "phone", "best_time", "note", "about"},
    callback_confirmed={"code"},
    callback_confirmed_soon={"code"},
    callback_confirmed_urgent={"code"},
    callback_confirmed_emergency={"code"},
    callback_updated={"code"},
    callback_withdrawn={"code"},
    callback_kept={"code"},
    callback_name_invalid={"limit"},
    callback_note_trimmed={"limit"},
    phone_saved={"phone"},
    pain_score_phrase={"score"},
    button_use_name={"name"},
)
