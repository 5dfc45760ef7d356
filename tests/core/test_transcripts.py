"""Whole conversations, written as stories in tests/core/transcripts/*.txt.

    > text            the person types text          > [Label]   presses that button
    > [Label] @old    presses a button from an older message (a stale press)
    > (token X)       sends raw button data X        > (sticker) sends a sticker (any media)
    > (contact N)     shares their own number N      > (contact other N) someone else's
    < key             the next reply's message key, optionally with "a substring" and/or
                      [Button | Labels] (exactly those buttons, in order); !"a substring"
                      must not be in it
    = step NAME       the conversation is now at step NAME
    @ 2026-11-25 07:30 Europe/London    sets the clock (or @ +90m / @ +1d / @ +30s to move it)
    ! reminders       runs the reminder dispatcher; its messages are checked with < lines
    ! guide ends      the latest guide's time ran out (the runner's or terminal's event)
    ! no first name   from here on the person has no first name (as in the terminal chat)

Every reply must be matched by a `<` line, in order, so a transcript fails when the bot says
more, less, or something else.
"""

from __future__ import annotations

import re
import shlex
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.app.coach import Person
from bot.app.reminder_sender import ReminderSender
from bot.core.events import (
    ButtonEvent,
    CommandEvent,
    ContactEvent,
    Event,
    GuideEndedEvent,
    MediaEvent,
    TextEvent,
)
from bot.core.replies import Card, Guide, Reply, Say
from tests.support import Clock, RecordingOutlet, labels, make_coach, reply_key, text_of

FOLDER = Path(__file__).parent / "transcripts"
PERSON = Person(id=42, first_name="Ann")
# `key "a text" !"not this" [Button | Button]`: each quoted text must be in the reply, each
# one after a ! must not.
_EXPECT = re.compile(r'^(?P<key>[\w]+)\s*(?P<texts>(?:!?"[^"]*"\s*)*)(?:\[(?P<buttons>.*)\])?$')


def _event(spec: str, history: list[Reply]) -> Event:
    if spec.startswith("/"):
        name, _, args = spec[1:].partition(" ")
        return CommandEvent(name=name, args=args)
    button = re.fullmatch(r"\[(?P<label>[^\]]+)\](?P<old>\s*@old)?", spec)
    if button:
        return ButtonEvent(token=_token(history, button["label"], old=bool(button["old"])))
    special = re.fullmatch(r"\((?P<inner>[^)]*)\)", spec)
    if special:
        words = shlex.split(special["inner"])
        if words[0] == "token":
            return ButtonEvent(token=words[1])
        if words[0] == "contact":
            own = words[1] != "other"
            return ContactEvent(phone=words[-1], own=own)
        return MediaEvent(media=words[0])
    return TextEvent(text=spec)


def _token(history: list[Reply], label: str, *, old: bool) -> str:
    with_buttons = [r for r in history if isinstance(r, Say | Card | Guide) and r.choices]
    candidates = with_buttons[:-1] if old else with_buttons[-1:]
    for reply in reversed(candidates):
        for choice in reply.choices:
            if choice.label == label:
                return choice.token
    raise AssertionError(f"no button {label!r} in {'older' if old else 'the latest'} message")


def _set_clock(clock: Clock, spec: str) -> None:
    if spec.startswith("+"):
        amount, unit = int(spec[1:-1]), spec[-1]
        units = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
        clock.advance(**{units[unit]: amount})
        return
    day, clock_time, zone = spec.split()
    local = datetime.fromisoformat(f"{day}T{clock_time}").replace(tzinfo=ZoneInfo(zone))
    clock.set(local)


def _check(reply: Reply, spec: str, where: str) -> None:
    match = _EXPECT.match(spec)
    assert match, f"{where}: cannot read expectation {spec!r}"
    key = reply_key(reply)
    text = text_of(reply)
    assert key == match["key"], f"{where}: expected {match['key']}, got {key}: {text[:120]!r}"
    for negated, wanted_text in re.findall(r'(!?)"([^"]*)"', match["texts"]):
        if negated:
            assert wanted_text not in text, f"{where}: {wanted_text!r} in {text!r}"
        else:
            assert wanted_text in text, f"{where}: {wanted_text!r} not in {text!r}"
    if match["buttons"] is not None:
        wanted = [b.strip() for b in match["buttons"].split("|") if b.strip()]
        assert labels(reply) == wanted, f"{where}: buttons {labels(reply)} != {wanted}"


@pytest.mark.parametrize("path", sorted(FOLDER.glob("*.txt")), ids=lambda p: p.stem)
async def test_transcript(path: Path, knowledge, tmp_path, db_url) -> None:
    clock = Clock()
    coach, db = await make_coach(knowledge, tmp_path, clock, url=db_url)
    outlet = RecordingOutlet()
    dispatcher = ReminderSender(db, knowledge, outlet, clock=clock)
    history: list[Reply] = []
    pending: list[Reply] = []
    last_action = "start"
    person = PERSON
    try:
        for number, raw in enumerate(path.read_text().splitlines(), start=1):
            line = raw.strip()
            where = f"{path.name}:{number}"
            if not line or line.startswith("#"):
                continue
            op, _, rest = line.partition(" ")
            rest = rest.strip()
            if op in (">", "!", "@", "="):
                if op in (">", "!"):
                    assert not pending, f"{where}: unchecked replies after {last_action!r}: " + (
                        "; ".join(f"{reply_key(r)}" for r in pending)
                    )
                    last_action = line
                if op == ">":
                    pending = await coach.handle(person, _event(rest, history))
                elif op == "!" and rest == "guide ends":
                    guides = [r for r in history if isinstance(r, Guide)]
                    assert guides, f"{where}: no guide was started"
                    ended = GuideEndedEvent(stamp=guides[-1].run.stamp)
                    pending = await coach.handle(person, ended)
                elif op == "!" and rest == "no first name":
                    person = Person(id=PERSON.id)
                elif op == "!":
                    assert rest == "reminders", f"{where}: unknown action {rest}"
                    before = len(outlet.sent)
                    await dispatcher.run_once()
                    pending = [reply for _, reply in outlet.sent[before:]]
                elif op == "@":
                    _set_clock(clock, rest)
                else:
                    kind, _, value = rest.partition(" ")
                    assert kind == "step"
                    state = await coach.state_of(PERSON.id)
                    assert state.step == value, f"{where}: step is {state.step}"
                history.extend(pending if op in (">", "!") else [])
            elif op == "<":
                assert pending, f"{where}: expected {rest!r} but nothing more was said"
                _check(pending.pop(0), rest, where)
            else:
                raise AssertionError(f"{where}: cannot read line {line!r}")
        assert not pending, f"{path.name}: unchecked replies at the end: " + "; ".join(
            reply_key(r) for r in pending
        )
    finally:
        await db.close()


def test_there_are_transcripts() -> None:
    assert len(list(FOLDER.glob("*.txt"))) >= 8
