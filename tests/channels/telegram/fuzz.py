"""People doing anything at all to the real bot through the fake Bot API, and what failed.

Each round every person does one thing: types words from a mix of what people say, a number,
or garbage; presses a button of the latest message, or of an older one (stale), or forged data
(thousands of digits, another person's reminder, a staff button); sends a command, a sticker, a
contact or an edit. The round ends when the bot has handled every update. A failed update is
one the bot answered with "something went wrong" (its error handler).
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, field

from tests.channels.telegram.conftest import RunningBot
from tests.fakebot import MEDIA_KINDS, SentMessage

WORDS = [
    "my calves are tight",
    "my heel hurts, 5/10",
    "arches cramp at night",
    "weeak ankels",
    "I heard a pop in my calf",
    "my feet are tingling",
    "I'm diabetic and my toe went black",
    "my calf is swollen after a long flight",
    "ouch",
    "that made it worse",
    "I've had it checked",
    "none of these",
    "yes",
    "no",
    "no thanks",
    "again please",
    "all over",
    "pretty bad",
    "what does 0 mean?",
    "dunno",
    "remind me every weekday at 6:45",
    "London",
    "weekdays",
    "after 5pm",
    "call me",
    "Ann",
    "07400 123456",
    "stop reminders",
    "never mind",
    "bye",
    "do I have plantar fasciitis?",
    "done",
    "🦶🦶🦶",
    "",
    " ",
    "x" * 5_000,
    "<b>bold</b> & <i>",
]
FORGED = [
    "9" * 5_003,
    "²².next",
    "1.",
    ".",
    "r.done.20260101",
    "r.checked.x",
    "s.closed.FC-AAAAA",
    "s.contacted.",
    "999999999999.yes",
    "-1.none",
    "1.decline",
    "0.agree",
    "é" * 20,
]
ACTIONS = (
    ("text", 30),
    ("number", 10),
    ("press", 30),
    ("stale", 8),
    ("forged", 5),
    ("command", 8),
    ("media", 3),
    ("contact", 3),
    ("edit", 3),
)


@dataclass
class FuzzResult:
    """What a fuzz run did, and what failed."""

    actions: Counter[str] = field(default_factory=Counter)
    failed_updates: int = 0
    people: int = 0

    @property
    def total(self) -> int:
        """Return how many actions were taken."""
        return sum(self.actions.values())


def _with_buttons(messages: list[SentMessage]) -> list[SentMessage]:
    return [m for m in messages if m.inline_keyboard]


def _act(bot: RunningBot, person: int, kind: str, rng: random.Random, texts: dict[int, int]) -> str:
    """Do one thing as `person`; return the kind of action actually done.

    `texts` keeps the id of each person's last text message, for an edit.
    """
    api = bot.api
    keyed = _with_buttons(api.messages(person))
    if kind in ("press", "stale", "forged") and not keyed:
        kind = "text"
    if kind == "edit" and person not in texts:
        kind = "text"
    if kind == "text":
        update = api.send_text(person, rng.choice(WORDS))
        texts[person] = update["message"]["message_id"]
    elif kind == "number":
        api.send_text(person, str(rng.randint(0, 12)))
    elif kind in ("press", "stale"):
        message = keyed[-1] if kind == "press" else rng.choice(keyed)
        data = [b["callback_data"] for row in message.inline_keyboard for b in row]
        api.press_button(person, message.message_id, rng.choice(data))
    elif kind == "forged":
        api.press_button(person, keyed[-1].message_id, rng.choice(FORGED)[:64], check=False)
    elif kind == "command":
        name = rng.choice(
            ["start", "help", "routine", "reminder", "callback", "checkin", "progress",
             "privacy", "mydata", "report", "forget", "cancel", "start callback", "start remind",
             "checkin 4", "reminder 7:30", "dance", "leads", "lead FC-AAAAA"]
        )  # fmt: skip
        api.send_text(person, f"/{name}")
    elif kind == "media":
        api.send_media(person, rng.choice(MEDIA_KINDS))
    elif kind == "contact":
        if rng.random() < 0.7:
            api.send_contact(person, "447400123456")
        else:
            api.send_contact(person, "447400654321", contact_user_id=person + 1)
    else:
        api.edit_text(person, texts[person], rng.choice(WORDS) or "edited")
    return kind


async def fuzz(bot: RunningBot, *, people: int, rounds: int, seed: int = 7) -> FuzzResult:
    """Let `people` people each do `rounds` random things; return what failed."""
    rng = random.Random(seed)
    kinds = [kind for kind, weight in ACTIONS for _ in range(weight)]
    result = FuzzResult(people=people)
    first = 500_000
    went_wrong = bot.components.knowledge.say("something_went_wrong")
    texts: dict[int, int] = {}
    for _ in range(rounds):
        for person in range(first, first + people):
            result.actions[_act(bot, person, rng.choice(kinds), rng, texts)] += 1
        await bot.updates_handled()
    for person in range(first, first + people):
        result.failed_updates += sum(
            1 for m in bot.api.messages(person) if (m.text or "").strip() == went_wrong
        )
    return result
