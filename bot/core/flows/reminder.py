"""Daily reminders: set the time, the place (time zone) and the days; manage; and answer one."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Any

from pydantic import BaseModel

from bot.core.day_names import long_day
from bot.core.effects import (
    PauseReminder,
    ReminderAnswered,
    ResumeReminder,
    SetReminder,
    SetSecondReminder,
    SkipReminderToday,
    SnoozeReminder,
    StopReminder,
)
from bot.core.flow import Draft, Flow, yes_no
from bot.core.flows import checkin, routine, safety
from bot.core.guide import plan_for
from bot.core.knowledge import Knowledge, Level, Urgency
from bot.core.program import level_at
from bot.core.reminders import (
    DAY_NAMES,
    SNOOZE,
    Days,
    Reminder,
    SendKind,
    first_due,
    next_weekday,
    parse_days,
    parse_start_weekday,
    second_too_close,
)
from bot.core.replies import Choice, Say
from bot.core.review import REVIEW_ACTIONS
from bot.core.schedule import (
    NIGHT_ENDS,
    TimeRefusal,
    bare_night_hour,
    local_day,
    parse_start,
    parse_time,
)
from bot.core.state import HOME, ConversationState
from bot.core.turn import Turn, local_today
from bot.core.zones import match_zone, place_said_along, zone_from_key, zone_label

QUICK_TIMES = {"t0730": time(7, 30), "t1230": time(12, 30), "t1800": time(18, 0), "t2100": time(21)}
# Times offered for the second reminder, the evening first; only those far enough from the
# first reminder are shown, at most SECOND_OFFERED of them, in the order of the day.
SECOND_TIMES = {
    "s1800": time(18, 0),
    "s1930": time(19, 30),
    "s2100": time(21, 0),
    "s1230": time(12, 30),
    "s0730": time(7, 30),
}
SECOND_OFFERED = 3
REMINDER_ACTIONS = ("start", "done", "snooze", "skip", "stop")
# While a warning sign stands, the reminder asks whether it was checked instead.
SIGN_ACTIONS = ("checked", "notyet", "stop")
REMINDER_PREFIX = "r"


class ReminderDraft(BaseModel):
    """A reminder being set up, field by field."""

    at: time | None = None
    zone: str | None = None
    days: Days | None = None
    zone_options: tuple[str, ...] = ()
    # The country typed ("USA") when its zones are offered to choose from.
    zone_country: str = ""
    # "from tomorrow": in how many local days the first one may come (the zone may be unknown).
    start_in: int | None = None
    # "from Monday": the weekday (0 is Monday) of the first one, the next such day where they are.
    start_weekday: int | None = None


class SecondDraft(BaseModel):
    """The first reminder's time, while a second one is chosen (it is saved this turn)."""

    first: time


DRAFT = Draft("reminder", ReminderDraft)
SECOND_DRAFT = Draft("reminder_second", SecondDraft)
flow = Flow("reminder")


def begin(turn: Turn, text: str = "") -> None:
    """Set up a reminder (reading a time said with the request), or manage the current one."""
    found = parse_time(text) if text else TimeRefusal.not_a_time
    at = found if isinstance(found, time) else None
    days = _days_in(turn, text)
    start_in, start_weekday = _start_in(text)
    said_start = start_in is not None or start_weekday is not None
    if turn.ctx.reminder is not None and at is None and days is None and not said_start:
        turn.ask(MANAGE)
        return
    # What was already said is used; only what is missing is asked.
    draft = DRAFT.start(
        turn.state,
        at=at,
        zone=turn.state.zone,
        days=days,
        start_in=start_in,
        start_weekday=start_weekday,
    )
    saved = turn.ctx.reminder
    if saved is not None:
        draft.zone = draft.zone or saved.zone
        draft.at = draft.at or saved.at
        draft.days = draft.days or saved.days
    _keep_place(turn, text)
    _ask_next(turn)


def _days_in(turn: Turn, text: str) -> Days | None:
    """Return the days said with a request ("every weekday at 6:45"), if any."""
    return parse_days(text) if text else None


def _start_in(text: str) -> tuple[int | None, int | None]:
    """Return the first day said ("from tomorrow": in 1 day; "from Monday": weekday 0)."""
    return (parse_start(text), parse_start_weekday(text)) if text else (None, None)


def describe_days(turn: Turn, days: Days) -> str:
    """Say which days in words: "every day", "on Monday, Wednesday and Friday"."""
    if days.named:
        return turn.text(f"days_{days.value}")
    names = [turn.text(f"weekday_{DAY_NAMES[n]}") for n in sorted(days.numbers())]
    listed = (
        names[0]
        if len(names) == 1
        else turn.text("join_and", first=", ".join(names[:-1]), last=names[-1])
    )
    return turn.text("days_custom", days=listed)


# -- prompts ------------------------------------------------------------------------------


def show_current(turn: Turn) -> None:
    """Show the current reminder and what can be changed."""
    reminder = turn.ctx.reminder
    if reminder is None:
        begin(turn)
        return
    values = dict[str, Any](
        time=reminder.at.strftime("%H:%M"),
        days=describe_days(turn, reminder.days),
        zone=_zone_label(reminder.zone, turn.ctx.now),
        status=turn.text("reminder_status_paused" if reminder.paused else "reminder_status_on"),
    )
    first = _first_day_to_come(turn, reminder)
    key = "reminder_current"
    if first is not None:
        key, values["start"] = "reminder_current_starting", long_day(turn.text, first)
    choices = ("change_time", "resume" if reminder.paused else "pause", "stop_reminders", "keep")
    turn.say(key, choices=choices, **values)


def _first_day_to_come(turn: Turn, reminder: Reminder) -> date | None:
    """Return the local day of the first reminder while the day asked for ("from Monday") is
    still to come: that day, or the first of the reminder's days after it."""
    zone = zone_from_key(reminder.zone)
    now = turn.ctx.now
    if reminder.starts_on is None or reminder.starts_on <= local_day(now, zone):
        return None
    first = first_due(reminder.at, reminder.zone, reminder.days, now, reminder.starts_on)
    return local_day(first, zone)


def ask_time(turn: Turn) -> None:
    """Ask for the time of day."""
    labels = {cid: at.strftime("%H:%M") for cid, at in QUICK_TIMES.items()}
    turn.say("reminder_ask_time", choices=tuple(QUICK_TIMES), labels=labels)


def ask_zone(turn: Turn) -> None:
    """Ask where they are, or which of the matching time zones is theirs."""
    draft = _draft(turn)
    if draft.zone_options:
        now = turn.ctx.now
        labels = {f"z{i}": _zone_label(key, now) for i, key in enumerate(draft.zone_options)}
        # a country's zones are offered with its name ("USA has several time zones")
        key, values = "reminder_zone_confirm", dict[str, Any]()
        if draft.zone_country:
            key, values = "reminder_zone_country", {"country": draft.zone_country}
        turn.say(key, choices=(*labels, "zone_other"), labels=labels, **values)
    else:
        turn.say("reminder_ask_zone")


def ask_days(turn: Turn) -> None:
    """Ask whether every day or weekdays only."""
    turn.say("reminder_ask_days", choices=("daily", "weekdays"))


# -- answers ------------------------------------------------------------------------------


def on_time_choice(turn: Turn, choice: str) -> None:
    """Take a quick-time button."""
    _draft(turn).at = QUICK_TIMES[choice]
    _ask_next(turn)


def on_time_text(turn: Turn, text: str) -> bool:
    """Take a typed time ("7:30", "before bed"), or say kindly why it is not one."""
    found = parse_time(text)
    in_words = turn.answers.time_in_words(text) if turn.answers else None
    if found is TimeRefusal.not_a_time and in_words is not None:
        # A time of day said in words: take its usual time, and say which.
        turn.say("reminder_time_from_words", time=in_words.strftime("%H:%M"))
        found = in_words
    if found is TimeRefusal.not_a_time and _keep_start(turn, text):
        # "tomorrow" alone: the first day is kept and said back; only the time is missing.
        turn.say("reminder_start_kept_need_time", start=_start_words(turn))
        ask_time(turn)
        return True
    if isinstance(found, TimeRefusal):
        turn.say(f"reminder_time_{found.value}")
        ask_time(turn)
        return True
    _take_time(turn, text, found, then=_ask_next)
    return True


def _take_time(turn: Turn, text: str, found: time, *, then: Callable[[Turn], None]) -> None:
    """Keep a typed time and what was said along with it, then ask `then`'s question; a bare
    hour in the night is asked about first ("1" or "at 5" is rarely meant at night)."""
    _draft(turn).at = found
    _keep_said_along(turn, text)
    if bare_night_hour(text, found):
        turn.ask(NIGHT)  # its answer goes on to what is still missing
    else:
        then(turn)


def ask_night(turn: Turn) -> None:
    """Ask whether a reminder in the night is really meant, or the afternoon."""
    at = _draft(turn).at or NIGHT_ENDS
    later = at.replace(hour=at.hour + 12)
    labels = {"yes": turn.text("button_night_yes"), "no": later.strftime("%H:%M")}
    turn.say(
        "reminder_confirm_night", time=at.strftime("%H:%M"), choices=("yes", "no"), labels=labels
    )


def on_night(turn: Turn, yes: bool) -> None:
    """Keep the night-time, or move it twelve hours on."""
    draft = _draft(turn)
    if not yes and draft.at is not None and draft.at < NIGHT_ENDS:
        draft.at = draft.at.replace(hour=draft.at.hour + 12)
        turn.say("reminder_time_from_words", time=draft.at.strftime("%H:%M"))
    _ask_next(turn)


def on_zone_choice(turn: Turn, choice: str) -> None:
    """Take one of the offered zones, or ask again."""
    draft = _draft(turn)
    if choice == "zone_other":
        draft.zone_options = ()
        draft.zone_country = ""
        ask_zone(turn)
        return
    number = choice[1:]
    if not number.isdecimal() or int(number) >= len(draft.zone_options):
        ask_zone(turn)  # a choice from an older list of places
        return
    draft.zone = draft.zone_options[int(number)]
    draft.zone_options = ()
    draft.zone_country = ""
    _ask_next(turn)


def on_zone_text(turn: Turn, text: str) -> bool:
    """Match a typed place against time zones and ask which one it is."""
    draft = _draft(turn)
    candidates = match_zone(text[:200], turn.knowledge.zone_aliases, turn.knowledge.zone_countries)
    if not candidates and _time_instead_of_place(turn, text):
        return True
    if not candidates and _keep_start(turn, text):
        # "from tomorrow" here is the first day, as at the time question; the place is missing.
        turn.say("reminder_start_kept_need_zone", start=_start_words(turn))
        ask_zone(turn)
        return True
    answer = turn.reader.is_affirmative(text) if draft.zone_options else None
    if answer is True and len(draft.zone_options) == 1 and not candidates:
        on_zone_choice(turn, "z0")  # "yes" to the one place offered
        return True
    if answer is False and not candidates:
        on_zone_choice(turn, "zone_other")
        return True
    if len(candidates) == 1 and candidates[0].key in draft.zone_options:
        # the place offered typed again ("London" for "London (UTC+0)"): that is the choice
        on_zone_choice(turn, f"z{draft.zone_options.index(candidates[0].key)}")
        return True
    if not candidates:
        draft.zone_options = ()
        turn.say("reminder_zone_unknown")
    else:
        draft.zone_options = tuple(c.key for c in candidates)
    draft.zone_country = candidates[0].country if candidates else ""
    ask_zone(turn)
    return True


def _time_instead_of_place(turn: Turn, text: str) -> bool:
    """Take a time typed where the place was asked ("8pm"), and ask for the place again.

    A time here is never a place. Most often it is a change of mind ("actually 8pm"), or the
    time said again by someone unsure it was taken. A real product keeps what was said last,
    tells which time it now is, and asks for the one thing still missing, rather than
    answering "I couldn't match that to a place".
    """
    found = parse_time(text)
    if not isinstance(found, time):
        return False
    kept = found == _draft(turn).at
    turn.say(
        "reminder_time_kept_need_zone" if kept else "reminder_time_changed",
        time=found.strftime("%H:%M"),
    )
    _take_time(turn, text, found, then=ask_zone)
    return True


def on_days_choice(turn: Turn, choice: str) -> None:
    """Take the days, and save the reminder when nothing else is missing."""
    if choice in ("daily", "weekdays"):
        _draft(turn).days = Days(choice)
    _ask_next(turn)


def on_days_text(turn: Turn, text: str) -> bool:
    """Take days typed in words: "weekends", "mon wed fri", "every day except fridays"; a
    first day alone ("from Monday", "from tomorrow") means every day from then."""
    days = parse_days(text)
    if days is None and _start_in(text) == (None, None):
        return False
    _keep_said_along(turn, text)
    draft = _draft(turn)
    draft.days = draft.days or Days.daily
    _ask_next(turn)
    return True


def _keep_said_along(turn: Turn, text: str) -> None:
    """Keep the days and the first day said along with an answer ("8am weekdays from
    tomorrow"), so they are not asked again or lost."""
    draft = _draft(turn)
    draft.days = _days_in(turn, text) or draft.days
    _keep_start(turn, text)
    _keep_place(turn, text)


def _keep_place(turn: Turn, text: str) -> None:
    """Offer a place said along with the time ("7:30pm Sydney time") to confirm, rather than
    asking for it again; said in words, it wins over the place kept from before."""
    draft = _draft(turn)
    knowledge = turn.knowledge
    places = place_said_along(text[:200], knowledge.zone_aliases, knowledge.zone_countries)
    if not places or draft.zone in {c.key for c in places}:
        return
    draft.zone = None
    draft.zone_options = tuple(c.key for c in places)
    draft.zone_country = places[0].country


def _keep_start(turn: Turn, text: str) -> bool:
    """Keep the first day said in `text` ("from tomorrow", "starting Monday") in place of one
    said before; say whether there was one."""
    start_in, start_weekday = _start_in(text)
    if start_in is None and start_weekday is None:
        return False
    draft = _draft(turn)
    draft.start_in, draft.start_weekday = start_in, start_weekday
    return True


def _start_words(turn: Turn) -> str:
    """Say the first day asked for in words: "tomorrow", "on Monday"."""
    draft = _draft(turn)
    if draft.start_weekday is not None:
        return turn.text("start_on_day", day=turn.text(f"weekday_{DAY_NAMES[draft.start_weekday]}"))
    return turn.text("start_tomorrow" if draft.start_in == 1 else "start_day_after")


def _starts_on(turn: Turn, zone: str) -> date | None:
    """Return the local day in `zone` the draft's first day falls on, if one was asked for."""
    draft = _draft(turn)
    today = local_day(turn.ctx.now, zone_from_key(zone))
    if draft.start_weekday is not None:
        return next_weekday(today, draft.start_weekday)
    return today + timedelta(days=draft.start_in) if draft.start_in else None


def _save(turn: Turn, at: time, zone: str, days: Days) -> None:
    """Save the reminder and say when the first one comes (not before the day asked for)."""
    starts_on = _starts_on(turn, zone)
    turn.do(SetReminder(at=at, zone=zone, days=days, starts_on=starts_on))
    turn.state.zone = zone
    DRAFT.clear(turn.state)
    turn.goto(HOME)
    saved = turn.ctx.reminder
    kept = saved.starts_on if saved else None  # a change keeps the start asked for before
    first = first_due(at, zone, days, turn.ctx.now, starts_on or kept)
    turn.say(
        "reminder_set",
        time=at.strftime("%H:%M"),
        days=describe_days(turn, days),
        zone=_zone_label(zone, turn.ctx.now),
        first=_when(turn, first, zone),
    )
    signs = safety.standing(turn)
    if signs:  # the reminder will not offer moves yet: say what it asks instead
        turn.say("reminder_set_sign", signs=safety.names(turn, signs))
    second = saved.second_at if saved else None
    if second is not None and second_too_close(turn.knowledge.reminders, at, second):
        # A new time next to the second reminder would make two rounds one: drop the second.
        turn.do(SetSecondReminder(at=None))
        turn.say("reminder_second_dropped", time=second.strftime("%H:%M"))
        second = None
    if _twice_a_day(turn) and second is None and not signs:
        SECOND_DRAFT.start(turn.state, first=at)
        turn.ask(SECOND)


def _twice_a_day(turn: Turn) -> list[str]:
    """Return the names of the moves of the routine whose dose is twice a day."""
    exercises = turn.knowledge.exercises
    return [
        exercises[e].name
        for e in turn.state.routine
        if e in exercises and exercises[e].dose.sessions_a_day >= 2
    ]


def ask_second(turn: Turn) -> None:
    """Offer a second daily reminder for the moves done twice a day."""
    names = _twice_a_day(turn)
    _offer_second(
        turn, "reminder_ask_second", moves=", ".join(names) or turn.text("describe_nothing")
    )


def _offer_second(turn: Turn, key: str, **values: str) -> None:
    """Say the message with the second reminder's times and "No, once is enough" under it."""
    offers = _second_offers(turn)
    labels = {cid: at.strftime("%H:%M") for cid, at in offers.items()}
    turn.say(key, choices=(*offers, "no_second"), labels=labels, no="no_second", **values)


def _first_at(turn: Turn) -> time | None:
    """Return the time of the first daily reminder, just set or saved before."""
    draft = SECOND_DRAFT.get(turn.state)
    if draft is not None:
        return draft.first
    return turn.ctx.reminder.at if turn.ctx.reminder else None


def _second_offers(turn: Turn) -> dict[str, time]:
    """Return the second-reminder times far enough from the first, in the order of the day."""
    first = _first_at(turn)
    rules = turn.knowledge.reminders
    fitting = [
        (cid, at)
        for cid, at in SECOND_TIMES.items()
        if first is None or not second_too_close(rules, first, at)
    ]
    return dict(sorted(fitting[:SECOND_OFFERED], key=lambda item: item[1]))


def on_second_choice(turn: Turn, choice: str) -> None:
    """Add the second reminder at the time chosen, or none."""
    if choice in SECOND_TIMES:
        _set_second(turn, SECOND_TIMES[choice])
        return
    SECOND_DRAFT.clear(turn.state)
    turn.goto(HOME)
    turn.say("reminder_second_none")


def on_second_text(turn: Turn, text: str) -> bool:
    """Take a typed time for the second reminder; "yes", "every day" with no time say yes to
    it, and its time is asked. Read before yes or no ("noon" reads as a "no"), but never
    before a warning sign."""
    if turn.read(text).red_flags:
        return False
    found = parse_time(text)
    if isinstance(found, TimeRefusal):
        if parse_days(text) is not Days.daily and turn.reader.is_affirmative(text) is not True:
            return False
        _offer_second(turn, "reminder_second_ask_time")
        return True
    _set_second(turn, found)
    return True


def _set_second(turn: Turn, at: time) -> None:
    """Add the second reminder, or say kindly why a time next to the first one is not it.

    A second reminder exists for moves done twice a day; half an hour after the first it
    would make the two rounds one. A limit (second_gap_hours in rules.yaml) with times that
    fit offered again is simpler and kinder than a question most would answer "oh, no".
    """
    first = _first_at(turn)
    rules = turn.knowledge.reminders
    if first is not None and second_too_close(rules, first, at):
        turn.say(
            "reminder_second_too_close",
            time=at.strftime("%H:%M"),
            first=first.strftime("%H:%M"),
            hours=f"{rules.second_gap_hours:g}",
        )
        turn.ask(SECOND)
        return
    SECOND_DRAFT.clear(turn.state)
    turn.goto(HOME)
    turn.do(SetSecondReminder(at=at))
    turn.say("reminder_second_set", time=at.strftime("%H:%M"))


def on_manage_choice(turn: Turn, choice: str) -> None:
    """Change, pause, resume or stop the reminder."""
    turn.goto(HOME)
    if choice == "change_time":
        saved = turn.ctx.reminder
        days = saved.days if saved else None
        DRAFT.start(turn.state, zone=turn.state.zone or _saved_zone(turn), days=days)
        _ask_next(turn)
    elif choice == "pause":
        turn.do(PauseReminder())
        turn.say("reminder_paused")
    elif choice == "resume":
        turn.do(ResumeReminder())
        turn.say("reminder_resumed")
    elif choice == "stop_reminders":
        turn.do(StopReminder())
        turn.say("reminder_stopped")
    else:
        turn.say("reminder_kept")


def on_reminder_button(turn: Turn, action: str, day_text: str) -> bool:
    """Answer a button of a reminder message; False when it is not today's reminder."""
    reminder = turn.ctx.reminder
    if reminder is None or reminder.last_day is None:
        return False
    if action not in (*REMINDER_ACTIONS, *SIGN_ACTIONS, *REVIEW_ACTIONS):
        return False
    days = {d.strftime("%Y%m%d"): d for d in (reminder.last_day, reminder.second_last_day) if d}
    day = days.get(day_text)
    if day is None:
        return False
    if action != "stop":
        turn.do(ReminderAnswered(day=day))  # answered: no follow-up for that day
    if action == "rate":
        turn.run("rate")
    elif action == "pro":
        turn.run("callback")
    elif action == "checked":
        safety.mark_checked(turn)
    elif action == "notyet":
        top = safety.urgency_of(turn, safety.standing(turn) or safety.expired(turn))
        turn.say(f"warning_{(top or Urgency.soon).value}")
        turn.ask(safety.WARNING)
    elif action == "start":
        turn.run("routine")
        if turn.state.routine and turn.state.step == routine.ROUTINE:
            turn.state.reminded_day = day  # its end asks for the day's score
    elif action == "done":
        checkin.begin(turn, day=day, from_reminder=True)
    elif action == "snooze":
        turn.do(SnoozeReminder(until=turn.ctx.now + SNOOZE))
        turn.say("reminder_snoozed")
    elif action == "skip":
        turn.do(SkipReminderToday())
        turn.say("reminder_skipped")
    else:
        turn.do(StopReminder())
        turn.goto(HOME)
        turn.say("reminder_stopped")
    return True


def stop_by_request(turn: Turn) -> None:
    """Stop the reminders when asked in words ("stop reminders"), wherever it is said."""
    DRAFT.clear(turn.state)
    turn.goto(HOME)
    if turn.ctx.reminder is None:
        turn.say("reminder_none_to_stop")
        return
    turn.do(StopReminder())
    turn.say("reminder_stopped")


def done_typed(turn: Turn, text: str) -> bool:
    """Take "done" typed after today's reminder as its Done button; False when it is not."""
    answers = turn.answers
    label = turn.text("button_r_done")
    if answers is None or answers.match(text, ("r_done",), (label,)) is None:
        return False
    return _answer_today(turn, "done")


def later_typed(turn: Turn, text: str) -> bool:
    """Take "not today" or "later" typed after today's unanswered reminder as its Skip today
    or Snooze 1 hour button; False when it is not.

    Only the button's label or its words in language.yaml, with nothing else, are taken: in a
    sentence ("remind me at 2pm from tomorrow", "skip the calf raises") they mean more. Once
    the reminder is answered, or while a warning sign stands (that reminder has no such
    buttons), "later" is what it says anywhere else: a goodbye.
    """
    reminder = turn.ctx.reminder
    answers = turn.answers
    if reminder is None or answers is None or safety.standing(turn):
        return False
    if reminder.answered_day == reminder.last_day:
        return False
    for action in ("skip", "snooze"):
        if answers.says_exactly(text, f"r_{action}", turn.text(f"button_r_{action}")):
            return _answer_today(turn, action)
    return False


def _answer_today(turn: Turn, action: str) -> bool:
    """Answer today's reminder as its `action` button; False when none came today."""
    reminder = turn.ctx.reminder
    if reminder is None or reminder.last_day is None or reminder.last_day != local_today(turn):
        return False
    return on_reminder_button(turn, action, reminder.last_day.strftime("%Y%m%d"))


def reminder_message(
    knowledge: Knowledge, state: ConversationState, day: date, kind: SendKind = SendKind.main
) -> Say | None:
    """Compose a reminder: the daily one, the second of the day, or the gentle follow-up.

    While a warning sign stands it is not a call to exercise: the daily one asks, once a day at
    most, whether a professional has checked the sign, and nothing else is sent.
    """
    stamp = day.strftime("%Y%m%d")
    signs = safety.standing_signs(knowledge, state, day) or tuple(state.safety.signs)
    actions: tuple[str, ...]
    if signs:
        if kind is not SendKind.main:
            return None
        text = knowledge.say("reminder_check_sign", signs=safety.sign_names(knowledge, signs))
        actions, key = SIGN_ACTIONS, "reminder_check_sign"
    else:
        moves = todays_moves(knowledge, state)
        names = ", ".join(knowledge.exercises[e].name for e, _ in moves)
        about = {"routine": names, "count": len(moves), "minutes": minutes(knowledge, moves)}
        if kind is SendKind.follow_up:
            text = knowledge.say("reminder_follow_up")
        elif kind is SendKind.second and moves:
            text = knowledge.say("reminder_due_second", **about)
        elif moves:
            text = knowledge.say("reminder_due" if len(moves) > 1 else "reminder_due_one", **about)
        else:
            text = knowledge.say("reminder_due_no_routine")
        actions = REMINDER_ACTIONS if moves else REMINDER_ACTIONS[1:]
        key = f"reminder_{kind.value}"
        if kind is SendKind.main:
            key = "reminder_due"
    choices = tuple(
        Choice(
            token=f"{REMINDER_PREFIX}.{action}.{stamp}", label=knowledge.say(f"button_r_{action}")
        )
        for action in actions
    )
    return Say(text=text, choices=choices, key=key)


def todays_moves(knowledge: Knowledge, state: ConversationState) -> list[tuple[str, Level]]:
    """Return the moves the reminder offers (the program's, else the routine's), each at its
    level; an exercise since gone from the knowledge, or left out because it hurt, is not."""
    ids = [m.exercise for m in state.program.active()] if state.program else list(state.routine)
    gentler = bool(state.safety.conditions)
    left_out = set(state.safety.left_out)
    return [
        (e, level_at(knowledge, state.program, e, gentler))
        for e in dict.fromkeys(ids)
        if e in knowledge.exercises and e not in left_out
    ]


def minutes(knowledge: Knowledge, moves: list[tuple[str, Level]]) -> int:
    """Return about how many minutes the moves take, guided at their doses (rounded up)."""
    seconds = sum(plan_for(knowledge.exercises[e], level.dose).total for e, level in moves)
    return max(1, -(-seconds // 60))


# -- helpers ------------------------------------------------------------------------------


def _ask_next(turn: Turn) -> None:
    draft = _draft(turn)
    if draft.at is None:
        turn.ask(TIME)
    elif draft.zone is None:
        turn.ask(ZONE)
    elif draft.days is None:
        turn.ask(DAYS)
    else:
        _save(turn, draft.at, draft.zone, draft.days)


def _draft(turn: Turn) -> ReminderDraft:
    return DRAFT.of(turn.state)


def _saved_zone(turn: Turn) -> str | None:
    return turn.ctx.reminder.zone if turn.ctx.reminder else None


def _zone_label(key: str, now: datetime) -> str:
    return zone_label(key, now)


def _when(turn: Turn, instant: datetime, zone_key: str) -> str:
    local = instant.astimezone(zone_from_key(zone_key))
    today = turn.ctx.now.astimezone(zone_from_key(zone_key)).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return turn.text("when_today", time=clock)
    if local.date() == today + timedelta(days=1):
        return turn.text("when_tomorrow", time=clock)
    # The day's name from knowledge, as the days of the reminder are: strftime's follows the
    # machine's locale. A week or more away ("from next week" on a Monday), its date too.
    if local.date() >= today + timedelta(days=7):
        day = long_day(turn.text, local.date())
    else:
        day = turn.text(f"weekday_{DAY_NAMES[local.weekday()]}")
    return turn.text("when_day", day=day, time=clock)


def reminder_command(turn: Turn, args: str) -> None:
    """Set up or manage the daily reminder (a time said with it is used)."""
    begin(turn, args)


TIME = flow.step("reminder_time", ask_time, on_time_choice, on_time_text)
ZONE = flow.step("reminder_zone", ask_zone, on_zone_choice, on_zone_text)
DAYS = flow.step("reminder_days", ask_days, on_days_choice, on_days_text)
MANAGE = flow.step("reminder_manage", show_current, on_manage_choice)
SECOND = flow.step(
    "reminder_second", ask_second, on_second_choice, on_second_text, takes_any_text=True
)
NIGHT = flow.step("reminder_night", ask_night, *yes_no(on_night))
flow.command("reminder", reminder_command, menu=True)
flow.buttons(
    "change_time",
    "pause",
    "resume",
    "stop_reminders",
    "keep",
    "zone_other",
    "no_second",
    "daily",
    "weekdays",
    *(f"r_{action}" for action in (*REMINDER_ACTIONS, *SIGN_ACTIONS)),
)
flow.says(
    "reminder_ask_time",
    "button_night_yes",
    "reminder_ask_zone",
    "reminder_zone_confirm",
    "reminder_zone_unknown",
    "reminder_ask_days",
    "reminder_time_not_a_time",
    "reminder_time_out_of_range",
    "reminder_time_ambiguous",
    "reminder_status_on",
    "reminder_status_paused",
    "reminder_paused",
    "reminder_resumed",
    "reminder_stopped",
    "reminder_none_to_stop",
    "reminder_follow_up",
    "reminder_second_none",
    "reminder_second_ask_time",
    "reminder_kept",
    "reminder_snoozed",
    "reminder_skipped",
    "reminder_due_no_routine",
    "days_daily",
    "days_weekdays",
    "days_weekends",
    *(f"weekday_{name}" for name in DAY_NAMES),
    "start_tomorrow",
    "start_day_after",
    reminder_current={"time", "days", "zone", "status"},
    reminder_current_starting={"time", "days", "zone", "status", "start"},
    reminder_start_kept_need_time={"start"},
    reminder_start_kept_need_zone={"start"},
    start_on_day={"day"},
    reminder_set={"time", "days", "zone", "first"},
    reminder_set_sign={"signs"},
    reminder_due={"routine", "count", "minutes"},
    reminder_due_one={"routine", "count", "minutes"},
    reminder_due_second={"routine", "count", "minutes"},
    reminder_ask_second={"moves"},
    reminder_second_set={"time"},
    reminder_second_too_close={"time", "first", "hours"},
    reminder_second_dropped={"time"},
    reminder_check_sign={"signs"},
    days_custom={"days"},
    reminder_time_from_words={"time"},
    reminder_time_kept_need_zone={"time"},
    reminder_time_changed={"time"},
    reminder_zone_country={"country"},
    reminder_confirm_night={"time"},
    when_today={"time"},
    when_tomorrow={"time"},
    when_day={"day", "time"},
)
