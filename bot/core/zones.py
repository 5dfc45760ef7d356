"""Turn what a person types about where they are into a time zone key, and a key into a tzinfo.

A key is what the store keeps: an IANA name such as "Europe/London", or a fixed offset written
"UTC+02:00" / "UTC-05:30" ("UTC" for zero). The bot always shows the candidates and lets the
person confirm, so matching prefers offering a plausible guess over refusing.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from functools import cache, lru_cache
from importlib import resources
from pathlib import Path
from zoneinfo import ZoneInfo, available_timezones

import yaml
from rapidfuzz import fuzz, process

MAX_CANDIDATES = 3
EXACT_SCORE = 100.0
# Below this edit-distance ratio a name stops looking like a typo: one wrong letter in four
# ("home"/"lome", 75) is a different word, one in five ("tokio"/"tokyo", 80) a slip.
FUZZY_CUTOFF = 76.0
# Three letters or fewer are too short to guess a typo from; they must match exactly.
FUZZY_MIN_LENGTH = 4
# Zones whose last component is a real place; "Etc/GMT+5" has its sign inverted and "US/..."
# and friends are legacy spellings, so those are only reachable by their full name.
_CITY_REGIONS = frozenset(
    {
        "Africa",
        "America",
        "Antarctica",
        "Arctic",
        "Asia",
        "Atlantic",
        "Australia",
        "Europe",
        "Indian",
        "Pacific",
    }
)
_MIN_OFFSET = timedelta(hours=-12)
_MAX_OFFSET = timedelta(hours=14)

_FILLER = re.compile(
    r"\b(?:i ?m|i am|we ?re|we are|i live|we live|live|living|based|located|staying|"
    r"currently|right now|now|at the moment|my|our|time ?zones?|tz|zone|local|time|is|it ?s|"
    r"in|at|from|near|around|please|thanks|thank you|set|use|to|city of)\b"
)
_OFFSET = re.compile(r"^(?:(?:utc|gmt)\s*)?(?P<sign>[+-])\s*(?P<h>\d{1,2})(?:[:.h]?(?P<m>\d{2}))?$")
_UTC_WORDS = frozenset({"utc", "gmt", "utc+0", "gmt+0", "utc 0", "z", "zulu", "universal"})
_LOWER_WORDS = frozenset({"de", "da", "do", "del", "of", "es", "la"})
_KEY_OFFSET = re.compile(r"^UTC(?P<sign>[+-])(?P<h>\d{2}):(?P<m>\d{2})$")


@dataclass(frozen=True, slots=True)
class ZoneCandidate:
    """One possible time zone for what the person typed."""

    key: str
    label: str
    score: float
    # The country typed, as a person writes it ("USA"), when it has several zones to choose from.
    country: str = ""


@cache
def _zone_names() -> frozenset[str]:
    """Return the IANA zone names a key may use, read from the tz database once."""
    # "localtime" mirrors the host, "Factory" is a placeholder; neither is a place anyone lives.
    return frozenset(available_timezones() - {"localtime", "Factory"})


def is_zone_name(name: str) -> bool:
    """Tell whether `name` is an IANA zone this machine's tz database knows."""
    return name in _zone_names()


def load_zone_aliases(path: Path) -> dict[str, str]:
    """Read `aliases:` from a YAML file, checking every value is a real IANA zone."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("aliases"), dict):
        raise ValueError(f"{path}: expected a top-level 'aliases:' mapping of place: IANA zone")
    aliases: dict[str, str] = {}
    for place, zone in data["aliases"].items():
        if not isinstance(place, str) or not place.strip():
            raise ValueError(f"{path}: alias {place!r} must be a non-empty string")
        if not isinstance(zone, str) or not is_zone_name(zone):
            raise ValueError(f"{path}: alias {place!r} maps to unknown time zone {zone!r}")
        aliases[place.strip().lower()] = zone
    return aliases


def offset_key(offset: timedelta) -> str:
    """Write a fixed UTC offset as a storable key such as "UTC+05:30"."""
    if offset == timedelta(0):
        return "UTC"
    sign = "+" if offset > timedelta(0) else "-"
    minutes = abs(offset) // timedelta(minutes=1)
    return f"UTC{sign}{minutes // 60:02d}:{minutes % 60:02d}"


def zone_from_key(key: str) -> tzinfo:
    """Turn a stored zone key back into a tzinfo; raise ValueError for anything else."""
    if key == "UTC":
        return UTC
    found = _KEY_OFFSET.match(key)
    if found:
        offset = timedelta(hours=int(found["h"]), minutes=int(found["m"]))
        if found["sign"] == "-":
            offset = -offset
        if int(found["m"]) >= 60 or not _MIN_OFFSET <= offset <= _MAX_OFFSET:
            raise ValueError(f"time zone offset out of range: {key!r}")
        return timezone(offset) if offset else UTC
    if is_zone_name(key):
        return ZoneInfo(key)
    raise ValueError(f"not a time zone key: {key!r}")


def zone_label(key: str, when: datetime) -> str:
    """Name a zone the way people read it: "Los Angeles (UTC−8)", "UTC+5:30"."""
    try:
        zone = zone_from_key(key)
    except ValueError:
        return key
    offset = when.astimezone(zone).utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "−"  # a real minus sign, as in print
    hours, rest = divmod(abs(minutes), 60)
    written = f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")
    if key == "UTC" or _KEY_OFFSET.match(key):
        return written
    return f"{_city(key)} ({written})"


def _fold(text: str) -> str:
    """Lowercase `text` and drop its accents."""
    # Accents are dropped so "São Paulo" and "Zürich" meet the ASCII IANA spellings.
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def _normalise_name(text: str) -> str:
    """Reduce a place name to lowercase words separated by single spaces."""
    text = re.sub(r"['’`]", "", _fold(text))
    text = re.sub(r"[^a-z0-9/]+", " ", text)
    return " ".join(text.split())


def _strip_filler(text: str) -> str:
    """Drop the words around the place name ("I'm in", "my time zone is")."""
    return " ".join(_FILLER.sub(" ", text).split())


def _show(name: str) -> str:
    """Write an alias the way a person would ("NYC", "Washington DC", "Rio de Janeiro")."""
    if len(name) <= 3 and " " not in name:
        return name.upper()
    words = []
    for index, word in enumerate(name.split()):
        if index and word in _LOWER_WORDS:
            words.append(word)
        elif word != "st" and not set(word) & set("aeiouy"):
            words.append(word.upper())
        else:
            words.append(word.capitalize())
    return " ".join(words)


def _city(zone: str) -> str:
    """Return the place part of an IANA name, spaced ("America/New_York" -> "New York")."""
    return zone.rsplit("/", 1)[-1].replace("_", " ")


def _match_offset(text: str) -> list[ZoneCandidate] | None:
    """Read "UTC+2" / "gmt-5" / "+05:30"; None when it is no offset, [] when an invalid one."""
    compact = re.sub(r"['’`]", "", _fold(text)).replace("−", "-").replace("–", "-")
    compact = " ".join(_FILLER.sub(" ", compact).split()).strip(" .!?,")
    if compact in _UTC_WORDS:
        return [ZoneCandidate(key="UTC", label="UTC (no daylight saving)", score=EXACT_SCORE)]
    found = _OFFSET.match(compact)
    if not found:
        return None
    hours, minutes = int(found["h"]), int(found["m"] or 0)
    offset = timedelta(hours=hours, minutes=minutes)
    if found["sign"] == "-":
        offset = -offset
    # Real offsets are whole, half or quarter hours; "+5:20" is more likely a slip than a place.
    if minutes % 15 or not _MIN_OFFSET <= offset <= _MAX_OFFSET:
        return []
    key = offset_key(offset)
    label = "UTC (no daylight saving)" if key == "UTC" else f"{key} (fixed, no daylight saving)"
    return [ZoneCandidate(key=key, label=label, score=EXACT_SCORE)]


class ZoneMatcher:
    """Match free text against IANA zones, an alias table and UTC offsets; build once, reuse."""

    def __init__(
        self, aliases: Mapping[str, str], countries: Mapping[str, Sequence[str]] | None = None
    ) -> None:
        """Index every zone, alias and country name once, so each match is a dictionary and
        fuzzy lookup."""
        # name -> (key, label); aliases win a clash so "kiev" means Europe/Kyiv, not the old link.
        entries: dict[str, tuple[str, str]] = {}
        cities: dict[str, str] = {}
        for zone in sorted(_zone_names()):
            if "/" not in zone or zone.startswith("Etc/"):
                continue
            entries[_normalise_name(zone)] = (zone, f"{_city(zone)} ({zone})")
            if zone.split("/", 1)[0] in _CITY_REGIONS:
                city = _normalise_name(_city(zone))
                # The longer path is the canonical one ("America/Argentina/Buenos_Aires" over
                # the backward link "America/Buenos_Aires").
                if city not in cities or len(zone) > len(cities[city]):
                    cities[city] = zone
        for city, zone in cities.items():
            entries[city] = (zone, f"{_city(zone)} ({zone})")
        for name, zone in aliases.items():
            if not is_zone_name(zone):
                raise ValueError(f"alias {name!r} maps to unknown time zone {zone!r}")
            normal = _normalise_name(name)
            if normal:
                entries[normal] = (zone, f"{_show(name.strip().lower())} ({zone})")
        self._entries = entries
        self._names = list(entries)
        # A country over several zones ("USA") offers its main zones rather than one guess.
        self._countries: dict[str, tuple[str, tuple[str, ...]]] = {}
        # A country is shown by its first name, whichever is typed ("america" -> "USA").
        shown: dict[tuple[str, ...], str] = {}
        for name, zones in (countries or {}).items():
            for zone in zones:
                if not is_zone_name(zone):
                    raise ValueError(f"country {name!r} lists unknown time zone {zone!r}")
            normal = _normalise_name(name)
            if normal:
                display = shown.setdefault(tuple(zones), _show(name.strip().lower()))
                self._countries[normal] = (display, tuple(zones))

    def _country(self, name: str) -> list[ZoneCandidate]:
        """Return every main zone of a country, in the order the knowledge lists them."""
        shown, zones = self._countries[name]
        return [
            ZoneCandidate(key=z, label=f"{_city(z)} ({z})", score=EXACT_SCORE, country=shown)
            for z in zones
        ]

    def said_along(self, text: str) -> list[ZoneCandidate]:
        """Return the zones of a place said along with something else, named exactly after
        "in" or before "time" ("7:30pm Sydney time", "6am, I live in Toronto"); empty when
        none is. No guessing here: "when I wake up" must not be Wake Island."""
        folded = _normalise_name(text)
        for found in _PLACE_SAID.finditer(folded):
            words = (found.group("after_in") or found.group("before_time")).split()
            # The longest run of words that names a place, from the side next to the cue.
            runs = (
                [words[:size] for size in range(len(words), 0, -1)]
                if found.group("after_in")
                else [words[-size:] for size in range(len(words), 0, -1)]
            )
            for run in runs:
                name = " ".join(run)
                if name in self._countries:
                    return self._country(name)
                hit = self._entries.get(name)
                if hit:
                    return [ZoneCandidate(key=hit[0], label=hit[1], score=EXACT_SCORE)]
        return []

    def match(self, text: str) -> list[ZoneCandidate]:
        """Return up to three zones for `text`, best first; empty when nothing is plausible."""
        offsets = _match_offset(text)
        if offsets is not None:
            return offsets
        whole = _normalise_name(text)
        query = _strip_filler(whole)
        if not query:
            return []
        for name in (whole, query):
            if name in self._countries:
                return self._country(name)
        # The unstripped text first, in case a place name itself contains a filler word.
        exact = self._entries.get(whole) or self._entries.get(query)
        if exact:
            return [ZoneCandidate(key=exact[0], label=exact[1], score=EXACT_SCORE)]
        best: dict[str, ZoneCandidate] = {}
        country = None
        for phrase in _phrases(query):
            hit = self._entries.get(phrase)
            if country is None and phrase in self._countries:
                country = phrase
            if hit:
                # A phrase inside a longer message ("paris france") is good evidence, but less
                # than the whole message, and longer phrases say more than short ones ("la").
                score = 90.0 + 9.0 * len(phrase) / len(query)
                _keep_best(best, ZoneCandidate(key=hit[0], label=hit[1], score=score))
        if country is not None and not best:
            # A city said with its country ("Austin, USA") is the city; the country alone
            # ("I live in the US") offers its zones.
            return self._country(country)
        if len(query) >= FUZZY_MIN_LENGTH:
            found = process.extract(
                query,
                self._names,
                scorer=fuzz.ratio,
                limit=MAX_CANDIDATES * 3,
                score_cutoff=FUZZY_CUTOFF,
            )
            for name, score, _ in found:
                key, label = self._entries[name]
                _keep_best(best, ZoneCandidate(key=key, label=label, score=float(score)))
            guess = process.extractOne(
                query, list(self._countries), scorer=fuzz.ratio, score_cutoff=FUZZY_CUTOFF
            )
            if guess is not None and guess[1] > max((c.score for c in best.values()), default=0):
                return self._country(guess[0])  # "austrailia": closer than any place
        ranked = sorted(best.values(), key=lambda c: (-c.score, c.label))
        return ranked[:MAX_CANDIDATES]


# A place named with something else: up to three words after "in", or before "time".
_PLACE_SAID = re.compile(
    r"\bin (?:the )?(?P<after_in>[a-z]+(?: [a-z]+){0,2})"
    r"|(?P<before_time>(?:[a-z]+ ){0,2}[a-z]+) time\b"
)


def place_said_along(
    text: str, aliases: Mapping[str, str], countries: Mapping[str, Sequence[str]] | None = None
) -> list[ZoneCandidate]:
    """Return the zones of a place said exactly along with something else (see
    ZoneMatcher.said_along), reusing the matcher `match_zone` builds."""
    return _matcher(aliases, countries).said_along(text)


def _phrases(query: str) -> list[str]:
    """List the runs of up to four consecutive words in `query`, shorter than the whole."""
    words = query.split()
    return [
        " ".join(words[start : start + size])
        for size in range(min(4, len(words) - 1), 0, -1)
        for start in range(len(words) - size + 1)
    ]


def _keep_best(best: dict[str, ZoneCandidate], candidate: ZoneCandidate) -> None:
    """Record `candidate` unless its zone already has a better-scoring one."""
    current = best.get(candidate.key)
    if current is None or candidate.score > current.score:
        best[candidate.key] = candidate


@lru_cache(maxsize=8)
def _matcher_for(
    aliases: frozenset[tuple[str, str]], countries: tuple[tuple[str, tuple[str, ...]], ...]
) -> ZoneMatcher:
    """Build, or reuse, the matcher for one alias table and one list of countries."""
    return ZoneMatcher(dict(aliases), dict(countries))


def match_zone(
    text: str, aliases: Mapping[str, str], countries: Mapping[str, Sequence[str]] | None = None
) -> list[ZoneCandidate]:
    """Return up to three zones for `text`, best first, or every main zone of a country named
    that has several, reusing a matcher built for `aliases` and `countries`."""
    return _matcher(aliases, countries).match(text)


def _matcher(
    aliases: Mapping[str, str], countries: Mapping[str, Sequence[str]] | None
) -> ZoneMatcher:
    """Return the matcher for these tables, built once."""
    # Keyed by content, not identity, so a mutated or rebuilt alias dict never hits a stale index.
    # The countries in their order, which decides the name a country is shown by.
    listed = tuple((name, tuple(zones)) for name, zones in (countries or {}).items())
    return _matcher_for(frozenset(aliases.items()), listed)


def person_zone(*keys: str | None) -> tzinfo:
    """Return the first usable time zone of the keys (the one the person gave, their
    reminder's), else UTC."""
    for key in keys:
        if key:
            try:
                return zone_from_key(key)
            except ValueError:
                continue
    return UTC


@cache
def _zone_countries() -> dict[str, str]:
    """Return each IANA zone's country, from the zone.tab that the tzdata package ships."""
    try:
        table = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text("utf-8")
    except (ModuleNotFoundError, OSError):
        return {}
    rows = (line.split("\t") for line in table.splitlines() if not line.startswith("#"))
    return {row[2]: row[0] for row in rows if len(row) >= 3}


def country_of(key: str | None) -> str | None:
    """Return the ISO 3166 country a zone key is in ("Europe/London" is GB), else None (a
    fixed offset such as "UTC+02:00", or a zone tzdata lists under no country)."""
    return _zone_countries().get(key) if key else None
