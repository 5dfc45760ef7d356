"""Reference codes such as "FC-7KQ3X" that people and staff can read aloud and retype safely."""

from __future__ import annotations

import random
import re
import string

PREFIX = "FC-"
CODE_LENGTH = 5

# Each group below is a set of characters that are easy to mistake for one another on a screen,
# in handwriting or over the phone. The alphabet keeps exactly one member of each group and
# parse_code maps the others onto it, so a misread character still finds the right code:
#   0 O        keep 0  (drop O)
#   1 I L      keep 1  (drop I, L; lowercase l and capital I are the classic confusions)
#   5 S        keep 5  (drop S)
#   2 Z        keep 2  (drop Z)
#   8 B        keep 8  (drop B)
#   U V        keep V  (drop U; one vowel fewer means fewer accidental words in codes)
# Digits win the digit/letter pairs because keypads and speech ("oh" for zero) favour them.
# Dropping both members of every group would leave 23 characters and only 23**5 = 6.4 million
# codes; keeping one of each leaves 29 and 29**5 = 20.5 million.
_LOOKALIKES: dict[str, str] = {
    "O": "0",
    "I": "1",
    "L": "1",
    "S": "5",
    "Z": "2",
    "B": "8",
    "U": "V",
}
ALPHABET = "0123456789ACDEFGHJKMNPQRTVWXY"

# Only ASCII is uppercased: str.upper() would turn "ß" into "SS" and invent a code from noise.
_ASCII_UPPER = str.maketrans(string.ascii_lowercase, string.ascii_uppercase)
# People paste codes with spaces, dashes (including the typographic ones phones insert),
# dots and slashes between characters; none of those can be part of a code.
_NOISE = re.compile(r"[\s\-\u2010-\u2015./_:#]+")
# A code inside a sentence ("my code is fc-7kq3x, thanks") only counts with its prefix, so an
# ordinary five-letter word is never mistaken for a code.
_IN_SENTENCE = re.compile(r"(?<![A-Z0-9])FC[\s\-\u2010-\u2015:#]*([A-Z0-9]{5})(?![A-Z0-9])")


_CODES = len(ALPHABET) ** CODE_LENGTH


def new_code(rng: random.Random) -> str:
    """Draw a fresh reference code from the look-alike-free alphabet."""
    # One draw for the whole code, written in base 29: every step draws one (the coach cannot
    # know beforehand whether the step files a request), and with the system's random source
    # each draw is a system call, where `choices` made five.
    number = rng.randrange(_CODES)
    body = []
    for _ in range(CODE_LENGTH):
        number, digit = divmod(number, len(ALPHABET))
        body.append(ALPHABET[digit])
    return PREFIX + "".join(body)


def parse_code(text: str) -> str | None:
    """Return the canonical code for what someone typed, or None when it cannot be one."""
    # Being forgiving means any bare five characters from the alphabet or its look-alikes parse
    # ("hello" reads as FC-HE110); only a look-up can say whether a code was really issued.
    upper = text.translate(_ASCII_UPPER)
    whole = _canonical_body(_NOISE.sub("", upper))
    if whole is not None:
        return PREFIX + whole
    # Two different codes in one message are ambiguous; the same code pasted twice is not.
    found = {
        body
        for match in _IN_SENTENCE.findall(upper)
        if (body := _canonical_body(match)) is not None
    }
    if len(found) == 1:
        return PREFIX + found.pop()
    return None


def _canonical_body(squashed: str) -> str | None:
    """Map look-alikes in a prefix-optional code with no separators onto the alphabet."""
    # Length decides whether "FC" is the prefix: a bare code may itself start with F and C.
    if len(squashed) == len(PREFIX) - 1 + CODE_LENGTH and squashed.startswith("FC"):
        squashed = squashed[2:]
    if len(squashed) != CODE_LENGTH:
        return None
    body = "".join(_LOOKALIKES.get(ch, ch) for ch in squashed)
    if any(ch not in ALPHABET for ch in body):
        return None
    return body
