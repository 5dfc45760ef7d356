"""Warning signs: asked about before advising, remembered for the episode, told with one urgency.

A sign the person reports (in words, on the screen, as a pain score of 8+, at a check-in or
during a move) stands: it is stored with the person and blocks exercise advice across /start,
/routine, check-ins and new complaints, until they say a professional has checked it, or
until rules.yaml's days pass (then the bot asks about it again before any routine). Every
message about a sign speaks with that sign's urgency (emergency now, urgent today, soon).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, timedelta

from bot.core.answers import is_question, is_request
from bot.core.day_names import day_and_month
from bot.core.effects import SaveLead
from bot.core.flow import Flow
from bot.core.knowledge import Knowledge, Urgency
from bot.core.leads import LeadDetails, LeadStatus
from bot.core.state import HOME, ConversationState
from bot.core.triage import combined, standing_ids
from bot.core.turn import Turn, local_today

flow = Flow("safety")
URGENCY_ORDER = {Urgency.emergency: 0, Urgency.urgent: 1, Urgency.soon: 2}
NONE = "none"


# -- what stands --------------------------------------------------------------------------


def standing(turn: Turn) -> tuple[str, ...]:
    """Return the warning signs that stand today, most urgent first."""
    return standing_signs(turn.knowledge, turn.state, local_today(turn))


def standing_signs(knowledge: Knowledge, state: ConversationState, today: date) -> tuple[str, ...]:
    """Return the warning signs that stand on `today`, most urgent first (no turn needed)."""
    return _ordered(knowledge, standing_ids(knowledge, state, today))


def expired(turn: Turn) -> tuple[str, ...]:
    """Return the signs reported long enough ago to ask about again (or on an unknown day)."""
    still = set(standing(turn))
    return most_urgent_first(turn, (s for s in turn.state.safety.signs if s not in still))


def most_urgent_first(turn: Turn, signs: Iterable[str]) -> tuple[str, ...]:
    """Return the known signs among these, the most urgent first (ties in knowledge order)."""
    return _ordered(turn.knowledge, signs)


def _ordered(knowledge: Knowledge, signs: Iterable[str]) -> tuple[str, ...]:
    known = knowledge.red_flags
    order = {sign: index for index, sign in enumerate(known)}
    found = [s for s in dict.fromkeys(signs) if s in known]
    return tuple(sorted(found, key=lambda s: (URGENCY_ORDER[known[s].urgency], order[s])))


def urgency_of(turn: Turn, signs: Iterable[str]) -> Urgency | None:
    """Return the highest urgency among these signs, or None when there are none."""
    ordered = most_urgent_first(turn, signs)
    return turn.knowledge.red_flags[ordered[0]].urgency if ordered else None


def names(turn: Turn, signs: Iterable[str]) -> str:
    """Name signs in a sentence: "numbness or tingling and a recent injury"."""
    return sign_names(turn.knowledge, signs)


def sign_names(knowledge: Knowledge, signs: Iterable[str]) -> str:
    """Name signs in a sentence, without a turn."""
    words = [knowledge.red_flags[s].name for s in signs if s in knowledge.red_flags]
    if len(words) <= 1:
        return "".join(words)
    return knowledge.say("join_and", first=", ".join(words[:-1]), last=words[-1])


def note(turn: Turn, signs: Iterable[str]) -> tuple[str, ...]:
    """Record signs as standing from today, without saying anything; return the new ones.

    The new signs with the person's conditions make triage's combinations (rules.yaml), which
    stand too, however the sign came: a tap on the screen, words, a check-in. An open callback
    request (not yet handled by staff) takes them too, so the staff see them.
    """
    stand = standing(turn)
    new = tuple(s for s in dict.fromkeys(signs) if s in turn.knowledge.red_flags and s not in stand)
    rules = turn.knowledge.triage
    made = combined({*stand, *new} - turn.named, turn.state.safety.conditions, rules)
    new = (*new, *(s for s in made if s not in new and s not in stand))
    if not new:
        return ()
    safety = turn.state.safety
    today = local_today(turn)
    safety.signs = {**safety.signs, **{s: today for s in new}}
    safety.reported = {**safety.reported, **{s: today for s in new}}
    safety.checked = {s: day for s, day in safety.checked.items() if s not in new}
    safety.denied_at = {s: at for s, at in safety.denied_at.items() if s not in new}
    turn.state.hints = tuple(h for h in turn.state.hints if h not in new)
    _onto_request(turn)
    return new


def _request(turn: Turn) -> tuple[str, LeadDetails] | None:
    """Return the open request's code and details as this step leaves them (a change this
    step already made included), or None when there is no request staff have yet to handle."""
    lead = turn.ctx.open_lead
    if lead is None or lead.status is not LeadStatus.open:
        return None
    changed = [e for e in turn.effects if isinstance(e, SaveLead) and e.code == lead.code]
    return lead.code, changed[-1].details if changed else lead


def _onto_request(turn: Turn) -> None:
    """Put the person's warning signs on their open request (through the same effect that
    saves it, which also updates the staff message), keeping the signs it already carries."""
    request = _request(turn)
    if request is None:
        return
    code, details = request
    flags = most_urgent_first(turn, (*details.red_flags, *turn.state.safety.signs))
    if set(flags) == set(details.red_flags):
        return
    # What makes the signs mean more (diabetes) goes with them.
    conditions = tuple(dict.fromkeys((*details.conditions, *turn.state.safety.conditions)))
    # One change of the request per step: a later sign in the same step replaces the earlier.
    turn.effects[:] = [e for e in turn.effects if not (isinstance(e, SaveLead) and e.code == code)]
    kept = LeadDetails.model_validate(details.model_dump(include=set(LeadDetails.model_fields)))
    changed = kept.model_copy(update={"red_flags": flags, "conditions": conditions})
    turn.do(SaveLead(code=code, details=changed, signs_added=True))


def _on_request(turn: Turn) -> frozenset[str]:
    request = _request(turn)
    return frozenset(request[1].red_flags) if request else frozenset()


def raise_signs(turn: Turn, signs: Iterable[str]) -> None:
    """Record warning signs and stop the exercise advice: say what to do, with its urgency.

    When the signs went on the person's open callback request, say so first, in the signs'
    urgency (an emergency does not wait for our call).
    """
    before = _on_request(turn)
    note(turn, signs)
    request = _request(turn)
    if request is not None and _on_request(turn) - before:
        turn.say("callback_sign_added", code=request[0])
        top = urgency_of(turn, standing(turn))
        if top is not None:
            turn.say(f"callback_sign_{top.value}")
    turn.state.screen_shown = ()
    turn.state.misses = 0
    turn.state.screened = True  # what matters now is the sign, not the screen
    turn.ask(WARNING)


def raise_if_severe(turn: Turn, score: int) -> bool:
    """Raise the `severe` sign for a pain score at rules.yaml's threshold; say whether it did
    (at intake, at a check-in and during a move alike)."""
    if score < turn.knowledge.rules.severe_pain_score:
        return False
    raise_signs(turn, ("severe",))
    return True


def add_condition(turn: Turn, condition: str) -> tuple[str, ...]:
    """Remember a condition such as diabetes (a caution and a gentler routine); return the
    signs it makes with the signs that stand (rules.yaml's combinations), now standing too."""
    safety = turn.state.safety
    if condition not in safety.conditions:
        safety.conditions = (*safety.conditions, condition)
    return note(turn, ())


# -- the warning ----------------------------------------------------------------------------


def show_warning(turn: Turn) -> None:
    """Say what to do about the standing signs: the most urgent first, and no exercises."""
    signs = standing(turn) or expired(turn)
    if not signs:
        turn.goto(HOME)
        turn.reprompt()
        return
    flags = [turn.knowledge.red_flags[s] for s in signs]
    top = flags[0].urgency
    first = [f for f in flags if f.urgency == top]
    rest = [f for f in flags if f.urgency != top]
    parts = [turn.text(f"warning_{top.value}"), *(f.advice for f in first)]
    if rest:
        parts.append(turn.text("warning_also", signs=names(turn, (f.id for f in rest))))
    parts.append(turn.text("warning_outro"))
    turn.say_text("\n\n".join(parts), choices=_warning_choices(top), key="warning")


def repeat_warning(turn: Turn) -> None:
    """Say in one line that the sign still stands, with the same choices."""
    signs = standing(turn) or expired(turn)
    turn.state.screen_shown = ()
    top = urgency_of(turn, signs) or Urgency.soon
    line = turn.text("warning_repeat", signs=names(turn, signs))
    if top is not Urgency.soon:  # an emergency or a same-day sign keeps its instruction
        line = f"{turn.text(f'warning_repeat_{top.value}')} {line}"
    turn.say_text(line, choices=_warning_choices(top), key="warning_repeat")


def all_standing(turn: Turn, signs: Iterable[str]) -> bool:
    """Say whether every one of the signs already stands."""
    return set(signs) <= set(standing(turn))


def say_goodbye(turn: Turn) -> None:
    """Say goodbye while signs stand: their urgency once more, and the way back."""
    top = urgency_of(turn, standing(turn) or expired(turn)) or Urgency.soon
    if top is not Urgency.soon:
        turn.say(f"warning_repeat_{top.value}")
    turn.say("goodbye_sign", choices=_warning_choices(top))


def thank_the_plan(turn: Turn) -> None:
    """Thank a plan to get the signs seen, with their urgency and the same choices."""
    top = urgency_of(turn, standing(turn) or expired(turn)) or Urgency.soon
    turn.state.screen_shown = ()
    turn.say(f"warning_plan_{top.value}", choices=_warning_choices(top))


def _warning_choices(top: Urgency) -> tuple[str, ...]:
    # In an emergency the call back comes after getting help, so it is offered second.
    return ("checked", "pro") if top is Urgency.emergency else ("pro", "checked")


def on_warning_choice(turn: Turn, choice: str) -> None:
    """Take "I've had it checked" (the professional button is shared)."""
    if choice == "checked":
        take_checked(turn)
    else:
        repeat_warning(turn)


def take_checked(turn: Turn) -> None:
    """Resume self-care on the person's word, asking once more first when an emergency was
    told today: the button sits right under "call 999", one tap from a slip."""
    if emergencies_told_today(turn):
        turn.ask(CONFIRM_CHECKED)
    else:
        mark_checked(turn)


def emergencies_told_today(turn: Turn) -> tuple[str, ...]:
    """Return the standing emergency signs the person told about today."""
    today = local_today(turn)
    told = turn.state.safety.signs
    return tuple(
        s
        for s in standing(turn)
        if told.get(s) == today and turn.knowledge.red_flags[s].urgency is Urgency.emergency
    )


def ask_confirm_checked(turn: Turn) -> None:
    """Ask whether someone has really seen the emergency since it was told."""
    signs = names(turn, emergencies_told_today(turn) or standing(turn))
    turn.say("confirm_checked", signs=signs, choices=("yes", "no"))


def on_confirm_checked(turn: Turn, yes: bool) -> None:
    """A yes resumes self-care; a no says the emergency again, whole."""
    if yes:
        mark_checked(turn)
    else:
        turn.ask(WARNING)


def on_warning_text(turn: Turn, text: str) -> bool:
    """Read what is typed at the warning: a new sign, "it's been checked", or a short repeat."""
    reading = turn.read(text)
    intents = set(reading.intent_ids)
    new = [s for s in reading.red_flag_ids if s not in standing(turn)]
    if new:
        raise_signs(turn, new)
        return True
    shown = turn.state.screen_shown
    picked = [c for c in screen_choices_in(turn, text, shown) if c != NONE]
    if picked:  # right after a tap on the screen, another of its choices adds that sign
        take_screen_choices(turn, picked)
        return True
    if "checked" in intents:
        take_checked(turn)
        return True
    if turn.answers is not None and turn.answers.plans_to_be_seen(text):
        thank_the_plan(turn)  # "ok I'll go to the walk in centre": heard, not lectured again
        return True
    if turn.answers is not None and turn.answers.says_gone(text):
        turn.say("warning_gone")  # "it's gone now": glad, and it still wants checking
    if intents & {"callback", "reminder", "help", "stop", "greeting", "thanks", "about_me", "bye"}:
        return False  # the engine answers those the same way at every step
    asked = turn.answers.about_the_call(text) if turn.answers is not None else None
    if asked is not None and (turn.ctx.open_lead is not None or asked == "status"):
        return False  # "any news?": the engine tells how the request stands
    if "diagnosis" in intents or is_question(text) or text.rstrip().endswith("?"):
        # "can I still walk my dog?", "is it broken?": for the professional who checks it (the
        # diagnosis reply would offer moves while the sign stands)
        turn.say("warning_question")
    repeat_warning(turn)
    return True


def mark_checked(turn: Turn) -> None:
    """Take the person's word that a professional checked the signs; resume self-care gently."""
    safety = turn.state.safety
    today = local_today(turn)
    signs = tuple(safety.signs)
    safety.checked = {**safety.checked, **{s: today for s in signs}}
    safety.signs = {}
    turn.say("sign_checked", signs=names(turn, most_urgent_first(turn, signs)))
    if turn.state.symptoms:
        turn.run("routine")
    else:
        turn.ask(HOME)


def caution_lines(turn: Turn) -> list[str]:
    """Return the caution lines a routine carries: recently checked signs, conditions."""
    lines: list[str] = []
    days = timedelta(days=turn.knowledge.safety.checked_caution_days)
    today = local_today(turn)
    checked = [s for s, day in turn.state.safety.checked.items() if today - day <= days]
    if checked:
        lines.append(turn.text("caution_checked", signs=names(turn, checked)))
    known = turn.knowledge.conditions
    lines += [known[c].caution for c in turn.state.safety.conditions if c in known]
    return lines


# -- asking again about an old sign --------------------------------------------------------


def ask_review(turn: Turn) -> None:
    """Ask about signs reported long ago: checked, gone, or still there?"""
    signs = expired(turn)
    if not signs:
        turn.run("routine")
        return
    days = {turn.state.safety.signs.get(s) for s in signs}
    day = max((d for d in days if d is not None), default=None)
    key = "review_sign" if day is not None else "review_sign_undated"
    when = _day_text(turn, day) if day is not None else ""
    turn.say(key, signs=names(turn, signs), day=when, choices=("checked", "gone", "still"))


def on_review_choice(turn: Turn, choice: str) -> None:
    """Clear, or stand again, the old signs."""
    signs = expired(turn)
    if choice == "still":
        safety = turn.state.safety
        safety.signs = {**safety.signs, **{s: local_today(turn) for s in signs}}
        turn.ask(WARNING)
    elif choice == "checked":
        mark_checked(turn)
    else:
        safety = turn.state.safety
        safety.signs = {s: d for s, d in safety.signs.items() if s not in signs}
        turn.say("review_gone")
        turn.run("routine")


def _day_text(turn: Turn, day: date) -> str:
    return day_and_month(turn.text, day)  # the month's name from knowledge, not the locale


# -- the screen before the first routine of an episode --------------------------------------


def to_screen(turn: Turn) -> tuple[str, ...]:
    """Return the screen's choices still worth asking: not reported, not denied (in this
    episode, or recently in another), not checked by a professional today (its caution line
    goes with the routine; a tap on it would raise the warning it was just checked for)."""
    state = turn.state
    known = set(state.safety.signs) | set(state.denied) | set(state.safety.conditions)
    today = local_today(turn)
    known |= recently_denied(turn) | {s for s, day in state.safety.checked.items() if day == today}
    return tuple(item.id for item in turn.knowledge.screen if item.id not in known)


def deny(turn: Turn, signs: Iterable[str]) -> None:
    """Note signs (or screened conditions) the person said they do not have: for this
    episode, and for rules.yaml's hours in the next ones too."""
    denied = tuple(dict.fromkeys(signs))
    state = turn.state
    state.denied = tuple(dict.fromkeys((*state.denied, *denied)))
    now = turn.ctx.now
    state.safety.denied_at = {**state.safety.denied_at, **{s: now for s in denied}}


def recently_denied(turn: Turn) -> set[str]:
    """Return the signs denied within rules.yaml's hours (a new complaint the same morning
    is not screened for them again)."""
    hours = timedelta(hours=turn.knowledge.safety.denied_sign_hours)
    now = turn.ctx.now
    return {s for s, at in turn.state.safety.denied_at.items() if timedelta(0) <= now - at < hours}


def ask_screen(turn: Turn) -> None:
    """Ask whether any warning sign applies, before any exercise card."""
    asked = set(to_screen(turn))
    lines = "\n".join(f"- {item.line}" for item in turn.knowledge.screen if item.id in asked)
    labels = _screen_labels(turn, asked)
    turn.say("screen_question", lines=lines, choices=(*labels,), labels=labels)


def repeat_screen(turn: Turn) -> None:
    """Ask the screen again in one line, with its buttons."""
    labels = _screen_labels(turn, set(to_screen(turn)))
    turn.say("screen_repeat", choices=(*labels,), labels=labels)


def on_screen_choice(turn: Turn, choice: str) -> None:
    """Report the sign tapped, ask about the condition tapped, or go on with none."""
    take_screen_choices(turn, (choice,))


def take_screen_choices(turn: Turn, choices: Iterable[str]) -> None:
    """Report the signs chosen (one or several), ask about a condition, or go on with none."""
    shown = turn.state.choices if turn.state.step == SCREEN else turn.state.screen_shown
    items = {i.id: i for i in turn.knowledge.screen}
    chosen = [c for c in dict.fromkeys(choices) if c == NONE or c in items]
    if not chosen:
        turn.reprompt()
        return
    if chosen == [NONE]:
        screen_passed(turn)
        return
    signs = [s for c in chosen if c != NONE and (s := items[c].sign) is not None]
    conditions = [c for c in chosen if c != NONE and items[c].sign is None]
    made = [s for c in conditions for s in add_condition(turn, c)]
    if signs or made:
        raise_signs(turn, signs)  # the combinations with a condition are noted with them
        turn.state.screen_shown = shown  # another of the screen's choices adds its sign
    else:
        turn.ask(FOLLOW_UP)


def screen_choices_in(turn: Turn, text: str, shown: tuple[str, ...]) -> tuple[str, ...]:
    """Return the screen's choices a typed answer names: "2 and 6", "2, 6", "fever"."""
    if not shown:
        return ()
    labels = {c: turn.label(c, _screen_labels(turn)) for c in shown}
    names = {_plain(label): c for c, label in labels.items()}
    if _plain(text) in names:
        return (names[_plain(text)],)
    found: list[str] = []
    for part in (_plain(p) for p in _SPLIT.split(f" {text.casefold()} ")):
        if not part:
            continue
        if all(n.isdecimal() for n in part.split()):
            numbers = [int(n) - 1 for n in part.split()]
            if not all(0 <= n < len(shown) for n in numbers):
                return ()
            found += [shown[n] for n in numbers]
            continue
        if part not in names:
            return ()
        found.append(names[part])
    if NONE in found and len(found) > 1:
        return ()  # "2 and none" says two things; ask again
    return tuple(dict.fromkeys(found))


def _screen_labels(turn: Turn, asked: set[str] | None = None) -> dict[str, str]:
    """Return the screen's button labels (of the choices asked, when given), None last."""
    screen = turn.knowledge.screen
    labels = {item.id: item.button for item in screen if asked is None or item.id in asked}
    labels[NONE] = turn.text("button_none_of_these")
    return labels


def on_screen_text(turn: Turn, text: str) -> bool:
    """Read a typed answer: signs, choices by number or name, a condition, or a plain no.

    A "no" wins only when it is all the answer says: a sign said after it is a sign ("nah,
    just a bit of pins n needles"), and an answer that goes on ("no. well I did...") or is
    unclear is asked again, the second time with a professional offered.
    """
    state = turn.state
    reading = turn.read(text)
    if reading.red_flags:
        raise_signs(turn, reading.red_flag_ids)
        return True
    picked = screen_choices_in(turn, text, state.choices)
    if picked:
        take_screen_choices(turn, picked)
        return True
    if turn.answers is not None and turn.answers.asks_to_go_back(text):
        return False  # "back": the engine says how to change an answer, as at the intake
    signs = turn.knowledge.red_flags
    denied = [m.id for m in reading.negated if m.id in signs]
    not_now = [m.id for m in (*reading.past, *reading.others, *reading.hypothetical)]
    if denied:
        deny(turn, denied)
    if reading.conditions:  # turn.read has remembered them
        turn.ask(FOLLOW_UP)
        return True
    said = set(reading.symptom_ids) | set(reading.location_ids)
    # "no, just tight calves": the complaint said again beside a no is no new answer.
    restated = bool(said) and said <= {*state.symptoms, *state.locations}
    context = bool(denied or not_now)
    if reading.intents or (said and not restated and not context):
        return False  # the engine reads these the same way at every step
    answer = turn.reader.is_affirmative(text)
    if (restated and answer is False) or _plain_no(turn, text, answer):
        screen_passed(turn)
        return True
    if context and _says_no(turn, text, answer):
        screen_passed(turn)  # "I broke my ankle years ago, nothing now"
        return True
    if denied:  # "no numbness": the others are still worth asking
        if to_screen(turn):
            turn.reprompt()
        else:
            screen_passed(turn)
        return True
    if answer is True:
        turn.say("screen_which")
        turn.reprompt()
        return True
    if is_question(text) and not is_request(text):
        turn.say("screen_asked")  # "what does poor circulation mean?": when unsure, tap it
        turn.reprompt()
        return True
    if not_now:
        turn.say("screen_yourself")  # "my dad has diabetes": and you?
        turn.reprompt()
        return True
    # "none", "nothing like that", a button's name a little misspelt: the answer matcher. A
    # "none" that lets the moves start must be said, not guessed from a position or a slip.
    answers = turn.answers
    matched = answers.match(text, state.choices, state.choice_labels) if answers else None
    if matched == NONE and answers is not None:
        if answers.says_exactly(text, NONE, turn.text("button_none_of_these")):
            screen_passed(turn)
            return True
    elif matched is not None and matched in to_screen(turn):
        take_screen_choices(turn, (matched,))
        return True
    state.misses += 1
    if state.misses >= 2:
        turn.say("screen_unclear_again")
        turn.offer_professional = True
    else:
        turn.say("screen_unclear")
    turn.reprompt()
    return True


_SPLIT = re.compile(r"\s(?:and|or|plus|n)\s|[,;/&+]")
_WORDS = re.compile(r"[^\w\s]")


def _plain(text: str) -> str:
    return " ".join(_WORDS.sub(" ", text.casefold()).split())


def _plain_no(turn: Turn, text: str, answer: bool | None) -> bool:
    """Say whether the text is a no and nothing more (no "but", "well", second sentence)."""
    if answer is not False:
        return False
    folded = _WORDS.sub(" ", text.casefold().replace("'", ""))
    words = f" {folded} "
    if any(f" {w} " in words for w in turn.knowledge.answers.goes_on):
        return False
    # The no comes first: in "%s %n %x" a lone "n" in the middle is no answer at all.
    first = folded.split()[:1]
    if not first or turn.reader.is_affirmative(first[0]) is not False:
        return False
    sentences = [s for s in re.split(r"[.!?;\n]+", text) if s.strip()]
    return len(sentences) <= 1


def _says_no(turn: Turn, text: str, answer: bool | None) -> bool:
    """Say whether any part of the text says no ("my husband is diabetic, not me")."""
    if answer is False:
        return True
    parts = re.split(r"[,.;!?\n]+|\bbut\b", text)
    return any(turn.reader.is_affirmative(p) is False for p in parts if p.strip())


def screen_passed(turn: Turn) -> None:
    """None of the signs: note the denials and give the routine."""
    state = turn.state
    deny(turn, to_screen(turn))
    state.screened = True
    state.safety.screened_on = local_today(turn)
    turn.run("routine")


def ask_follow_up(turn: Turn) -> None:
    """Ask the follow-up of a condition (with diabetes: any skin or colour change?)."""
    turn.say("screen_diabetes", choices=("yes", "no"))


def on_follow_up(turn: Turn, yes: bool) -> None:
    """A yes is the condition's warning sign; a no keeps the condition as a caution."""
    item = next(
        (i for i in turn.knowledge.screen if i.condition in turn.state.safety.conditions), None
    )
    if yes and item is not None and item.follow_up_sign is not None:
        raise_signs(turn, (item.follow_up_sign,))
    elif to_screen(turn):
        turn.ask(SCREEN)  # the other signs of the screen are still worth asking
    else:
        screen_passed(turn)


WARNING = flow.step(
    "red_flag", show_warning, on_warning_choice, on_warning_text, repeat=repeat_warning
)
CONFIRM_CHECKED = flow.sign_question(
    "confirm_checked",
    ask_confirm_checked,
    on_confirm_checked,
    if_unsure=False,
    repeat=ask_confirm_checked,
)
REVIEW = flow.step("sign_review", ask_review, on_review_choice)
SCREEN = flow.step("screen", ask_screen, on_screen_choice, on_screen_text, repeat=repeat_screen)
FOLLOW_UP = flow.sign_question("screen_follow_up", ask_follow_up, on_follow_up, if_unsure=True)
flow.buttons("checked", "gone", "still", "none_of_these", "yes", "no", "pro")
flow.says(
    "warning_emergency",
    "warning_urgent",
    "warning_soon",
    "warning_outro",
    "warning_repeat_emergency",
    "warning_repeat_urgent",
    "warning_question",
    "warning_plan_emergency",
    "warning_plan_urgent",
    "warning_plan_soon",
    "warning_gone",
    "goodbye_sign",
    "screen_which",
    "screen_repeat",
    "screen_yourself",
    "screen_asked",
    "screen_unclear",
    "screen_unclear_again",
    "screen_diabetes",
    "review_gone",
    warning_also={"signs"},
    warning_repeat={"signs"},
    confirm_checked={"signs"},
    sign_checked={"signs"},
    caution_checked={"signs"},
    review_sign={"signs", "day"},
    review_sign_undated={"signs", "day"},
    screen_question={"lines"},
    callback_sign_added={"code"},
)
