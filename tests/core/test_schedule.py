"""Tests for reminder scheduling: reading times, matching zones, and next due instants."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone, tzinfo
from importlib.resources import files
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.core.reminders import Days
from bot.core.schedule import (
    TimeRefusal,
    ZoneCandidate,
    ZoneMatcher,
    catch_up,
    load_zone_aliases,
    local_day,
    match_zone,
    next_due,
    offset_key,
    parse_start,
    parse_time,
    zone_from_key,
)
from bot.core.zones import _matcher_for
from tests.conftest import KNOWLEDGE_DIR

ALIASES_FILE = Path(__file__).resolve().parents[2] / "knowledge" / "timezones.yaml"
OUT = TimeRefusal.out_of_range
NOT = TimeRefusal.not_a_time
AMBIGUOUS = TimeRefusal.ambiguous


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """Build an aware UTC datetime."""
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- parse_time ---------------------------------------------------------------------------------

PARSE_CASES = [
    # plain hours: 1-11 are the morning, 12 is noon, 0 is midnight
    ("7", time(7)),
    ("07", time(7)),
    ("11", time(11)),
    ("12", time(12)),
    ("0", time(0)),
    ("19", time(19)),
    ("19h", time(19)),
    # am / pm
    ("7am", time(7)),
    ("7 am", time(7)),
    ("7a.m.", time(7)),
    ("7 A.M.", time(7)),
    ("7 p.m.", time(19)),
    ("7pm", time(19)),
    ("12am", time(0)),
    ("12pm", time(12)),
    ("12:30am", time(0, 30)),
    ("11:59 pm", time(23, 59)),
    # separators and compact forms
    ("07:30", time(7, 30)),
    ("7:30", time(7, 30)),
    ("7.30", time(7, 30)),
    ("7.30pm", time(19, 30)),
    ("7h30", time(7, 30)),
    ("19:00", time(19)),
    ("00:00", time(0)),
    ("23:59", time(23, 59)),
    ("1900", time(19)),
    ("0730", time(7, 30)),
    ("730pm", time(19, 30)),
    ("1900 hours", time(19)),
    ("7:30:00", time(7, 30)),
    # words
    ("half past 7", time(7, 30)),
    ("quarter past 7", time(7, 15)),
    ("a quarter past 7", time(7, 15)),
    ("quarter to 8", time(7, 45)),
    ("quarter to 8 pm", time(19, 45)),
    ("20 past 7", time(7, 20)),
    ("10 to 8", time(7, 50)),
    ("5 minutes past 7", time(7, 5)),
    ("40 minutes to 8", time(7, 20)),
    ("half 7", time(7, 30)),
    ("quarter to 1", time(0, 45)),
    ("quarter to noon", time(11, 45)),
    ("quarter to midnight", time(23, 45)),
    ("half past midnight", time(0, 30)),
    ("half past seven in the evening", time(19, 30)),
    ("seven thirty pm", time(19, 30)),
    ("one pm", time(13)),
    ("7 o'clock", time(7)),
    ("7 in the morning", time(7)),
    ("7 in the evening", time(19)),
    ("3 in the afternoon", time(15)),
    ("11 at night", time(23)),
    ("2 at night", time(2)),
    ("12 at night", time(0)),
    ("19 in the evening", time(19)),
    ("noon", time(12)),
    ("midday", time(12)),
    ("midnight", time(0)),
    ("twelve noon", time(12)),
    ("12 midnight", time(0)),
    # inside a sentence
    ("at 7:30 please", time(7, 30)),
    ("remind me every day at 7.30pm", time(19, 30)),
    ("every evening at 7", time(19)),
    ("at 10 tonight", time(22)),
    ("good evening, 7 please", time(7)),
    ("remind me 3 times a day at 8", time(8)),
    ("one reminder at 8", time(8)),
    ("on the 5th at 9", time(9)),
    ("I'm 45, remind me at 7:30", time(7, 30)),
    ("@ 6", time(6)),
    ("7ish", time(7)),
    ("UTC+2, 7am", time(7)),
    ("at 7 for 2.5 hours", time(7)),
    # refusals: no clock shows it
    ("25:00", OUT),
    ("24:00", OUT),
    ("24:30", OUT),
    ("7:75", OUT),
    ("13pm", OUT),
    ("0pm", OUT),
    ("0am", OUT),
    ("99", OUT),
    ("1960", OUT),
    ("7pm in the morning", OUT),
    ("19 in the morning", OUT),
    # refusals: not a time at all
    ("", NOT),
    ("   ", NOT),
    ("banana", NOT),
    ("-1", NOT),
    ("in 10 minutes", NOT),
    ("7:5", NOT),
    ("12345", NOT),
    ("every day please", NOT),
    # refusals: two different times
    ("7 or 8", AMBIGUOUS),
    ("at 7 or 8", AMBIGUOUS),
    ("7-8", AMBIGUOUS),
    ("6 to 7", AMBIGUOUS),
    ("7:30 or 8:15", AMBIGUOUS),
]


@pytest.mark.parametrize(("text", "expected"), PARSE_CASES)
def test_parse_time(text: str, expected: time | TimeRefusal) -> None:
    result = parse_time(text)
    assert result == expected
    assert type(result) is type(expected)


def test_parse_time_table_is_big_enough() -> None:
    assert len(PARSE_CASES) >= 30
    assert {type(expected) for _, expected in PARSE_CASES} == {time, TimeRefusal}


def test_same_time_written_twice_is_not_ambiguous() -> None:
    assert parse_time("7:30 (07:30)") == time(7, 30)


def test_refusal_reasons_are_strings_the_bot_can_key_on() -> None:
    assert {r.value for r in TimeRefusal} == {"not_a_time", "out_of_range", "ambiguous"}
    assert TimeRefusal("out_of_range") is OUT


# --- zone matching ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def aliases() -> dict[str, str]:
    """Load the real alias table once."""
    return load_zone_aliases(ALIASES_FILE)


@pytest.fixture(scope="module")
def matcher(aliases: dict[str, str]) -> ZoneMatcher:
    """Build one matcher over the real alias table."""
    return ZoneMatcher(aliases)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        # IANA names, their city part, spelled loosely
        ("London", "Europe/London"),
        ("new york", "America/New_York"),
        ("sao paulo", "America/Sao_Paulo"),
        ("São Paulo", "America/Sao_Paulo"),
        ("Zürich", "Europe/Zurich"),
        ("America/New_York", "America/New_York"),
        ("europe/london", "Europe/London"),
        ("buenos aires", "America/Argentina/Buenos_Aires"),
        ("st. john's", "America/St_Johns"),
        ("chicago", "America/Chicago"),
        # the alias table
        ("uk", "Europe/London"),
        ("England", "Europe/London"),
        ("britain", "Europe/London"),
        ("germany", "Europe/Berlin"),
        ("india", "Asia/Kolkata"),
        ("mumbai", "Asia/Kolkata"),
        ("delhi", "Asia/Kolkata"),
        ("sydney", "Australia/Sydney"),
        ("beijing", "Asia/Shanghai"),
        ("china", "Asia/Shanghai"),
        ("japan", "Asia/Tokyo"),
        ("NYC", "America/New_York"),
        ("LA", "America/Los_Angeles"),
        ("san francisco", "America/Los_Angeles"),
        ("boston", "America/New_York"),
        ("texas", "America/Chicago"),
        ("kiev", "Europe/Kyiv"),
        ("la paz", "America/La_Paz"),
        ("pacific time", "America/Los_Angeles"),
        # typos
        ("londn", "Europe/London"),
        ("berln", "Europe/Berlin"),
        ("new yrok", "America/New_York"),
        ("amsterdm", "Europe/Amsterdam"),
        ("tokio", "Asia/Tokyo"),
        ("bejing", "Asia/Shanghai"),
        ("kolkatta", "Asia/Kolkata"),
        # filler around the place
        ("I'm in London", "Europe/London"),
        ("i live in berlin", "Europe/Berlin"),
        ("my time zone is Europe/Paris", "Europe/Paris"),
        ("I live in Paris, France", "Europe/Paris"),
        ("portland oregon", "America/Los_Angeles"),
        ("port of spain", "America/Port_of_Spain"),
        # offsets
        ("UTC+2", "UTC+02:00"),
        ("utc +2", "UTC+02:00"),
        ("GMT-5", "UTC-05:00"),
        ("+05:30", "UTC+05:30"),
        ("UTC+5:45", "UTC+05:45"),
        ("utc-3:30", "UTC-03:30"),
        ("UTC−3", "UTC-03:00"),
        ("UTC+14", "UTC+14:00"),
        ("UTC-12", "UTC-12:00"),
        ("time zone is UTC+2", "UTC+02:00"),
        ("utc", "UTC"),
        ("GMT", "UTC"),
        ("UTC+0", "UTC"),
    ],
)
def test_match_zone_best_candidate(matcher: ZoneMatcher, text: str, key: str) -> None:
    candidates = matcher.match(text)
    assert candidates, text
    assert candidates[0].key == key


@pytest.mark.parametrize(
    "text",
    ["", "   ", "banana", "hello", "ok", "yes", "morning", "asdf", "UTC+15", "UTC-13", "UTC+5:20"],
)
def test_match_zone_finds_nothing_plausible(matcher: ZoneMatcher, text: str) -> None:
    assert matcher.match(text) == []


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("7:30pm sydney time", "Australia/Sydney"),
        ("every weekday at 6am, I live in Toronto", "America/Toronto"),
        ("remind me every day at 8 in new york", "America/New_York"),
        ("9pm UK time", "Europe/London"),
        ("at 7 in São Paulo please", "America/Sao_Paulo"),
    ],
)
def test_a_place_said_along_with_a_time(matcher: ZoneMatcher, text: str, key: str) -> None:
    assert [c.key for c in matcher.said_along(text)] == [key]


@pytest.mark.parametrize(
    "text",
    [
        "at 7 when I wake up",  # not Pacific/Wake
        "8am in the morning",
        "7pm, in the evening",
        "7 before bed, at home",
        "7:30 in sydnee",  # a typo is asked about at the place question, not guessed here
        "lunch time",
    ],
)
def test_no_place_said_along(matcher: ZoneMatcher, text: str) -> None:
    assert matcher.said_along(text) == []


def test_candidates_are_ranked_and_capped(matcher: ZoneMatcher) -> None:
    for text in ["berln", "san", "new", "santa", "port", "saint"]:
        candidates = matcher.match(text)
        assert len(candidates) <= 3
        scores = [c.score for c in candidates]
        assert scores == sorted(scores, reverse=True)
        assert len({c.key for c in candidates}) == len(candidates)
    assert len(matcher.match("santa")) == 3


def test_typo_scores_below_exact_and_both_berlin_and_bern_offered(matcher: ZoneMatcher) -> None:
    exact = matcher.match("berlin")
    typo = matcher.match("berln")
    assert exact[0].score == 100.0
    assert typo[0].key == "Europe/Berlin" and typo[0].score < 100.0
    assert "Europe/Zurich" in [c.key for c in typo]  # Bern


def test_candidate_labels(matcher: ZoneMatcher) -> None:
    assert matcher.match("london")[0].label == "London (Europe/London)"
    assert matcher.match("nyc")[0].label == "NYC (America/New_York)"
    assert matcher.match("san francisco")[0].label == "San Francisco (America/Los_Angeles)"
    assert matcher.match("washington dc")[0].label == "Washington DC (America/New_York)"
    assert matcher.match("utc+2")[0].label.startswith("UTC+02:00")


def test_candidate_is_frozen() -> None:
    candidate = ZoneCandidate(key="UTC", label="UTC", score=100.0)
    with pytest.raises(AttributeError):
        candidate.key = "Europe/London"  # type: ignore[misc]


def test_every_candidate_key_turns_back_into_a_zone(matcher: ZoneMatcher) -> None:
    for text in ["london", "new yrok", "utc+5:45", "gmt-5", "utc", "us/eastern", "texas", "santa"]:
        for candidate in matcher.match(text):
            assert isinstance(zone_from_key(candidate.key), tzinfo)


def test_custom_aliases_win_over_city_names() -> None:
    matcher = ZoneMatcher({"paris": "America/Chicago", "home": "Asia/Tokyo"})
    assert matcher.match("paris")[0].key == "America/Chicago"
    assert matcher.match("home")[0].key == "Asia/Tokyo"
    assert ZoneMatcher({}).match("home") == []


def test_matcher_rejects_an_alias_to_an_unknown_zone() -> None:
    with pytest.raises(ValueError, match="atlantis"):
        ZoneMatcher({"atlantis": "Ocean/Atlantis"})


def test_match_zone_function_follows_the_aliases_it_is_given() -> None:
    aliases = {"home": "Asia/Tokyo"}
    assert match_zone("home", aliases)[0].key == "Asia/Tokyo"
    aliases["home"] = "Europe/Oslo"  # a changed mapping must not hit a stale cached matcher
    assert match_zone("home", aliases)[0].key == "Europe/Oslo"
    assert match_zone("londn", {})[0].key == "Europe/London"


def test_the_matcher_is_built_once_and_reused(aliases: dict[str, str]) -> None:
    # How fast a match is, is a benchmark's to say; what makes it fast is that the index is
    # built once per table and then reused.
    _matcher_for.cache_clear()
    for query in ["londn", "I'm in new yrok", "UTC+5:45", "banana", "portland oregon"]:
        match_zone(query, aliases)
    info = _matcher_for.cache_info()
    assert (info.misses, info.hits) == (1, 4)


def test_alias_file_is_complete_and_valid(aliases: dict[str, str]) -> None:
    assert len(aliases) >= 150
    assert all(name == name.strip().lower() for name in aliases)
    for name in ["uk", "england", "britain", "germany", "india", "mumbai", "delhi", "bombay"]:
        assert name in aliases
    for name in ["beijing", "china", "japan", "nyc", "la", "san francisco", "boston", "texas"]:
        assert name in aliases
    assert all(isinstance(zone_from_key(zone), ZoneInfo) for zone in aliases.values())


def test_alias_loader_names_a_bad_entry(tmp_path: Path) -> None:
    bad = tmp_path / "timezones.yaml"
    bad.write_text("aliases:\n  uk: Europe/London\n  narnia: Europe/Narnia\n", encoding="utf-8")
    with pytest.raises(ValueError, match="narnia"):
        load_zone_aliases(bad)


@pytest.mark.parametrize(
    "content", ["[]\n", "aliases: [uk]\n", "other: {}\n", "aliases:\n  uk: 3\n", ""]
)
def test_alias_loader_refuses_malformed_files(tmp_path: Path, content: str) -> None:
    bad = tmp_path / "timezones.yaml"
    bad.write_text(content, encoding="utf-8")
    with pytest.raises(ValueError):
        load_zone_aliases(bad)


def test_alias_loader_lowercases_names(tmp_path: Path) -> None:
    good = tmp_path / "timezones.yaml"
    good.write_text("aliases:\n  ' Home ': Asia/Tokyo\n", encoding="utf-8")
    assert load_zone_aliases(good) == {"home": "Asia/Tokyo"}


@pytest.mark.parametrize(
    ("key", "offset"),
    [
        ("UTC", timedelta(0)),
        ("UTC+02:00", timedelta(hours=2)),
        ("UTC-05:30", timedelta(hours=-5, minutes=-30)),
        ("UTC+05:45", timedelta(hours=5, minutes=45)),
        ("UTC+14:00", timedelta(hours=14)),
        ("UTC-12:00", timedelta(hours=-12)),
    ],
)
def test_zone_from_fixed_offset_key(key: str, offset: timedelta) -> None:
    zone = zone_from_key(key)
    assert isinstance(zone, timezone)
    assert zone.utcoffset(None) == offset
    assert offset_key(offset) == key


def test_zone_from_iana_key() -> None:
    zone = zone_from_key("Europe/London")
    assert zone == ZoneInfo("Europe/London")
    assert zone.utcoffset(datetime(2024, 7, 1)) == timedelta(hours=1)


@pytest.mark.parametrize(
    "key",
    [
        "",
        "garbage",
        "Mars/Olympus_Mons",
        "europe/london",
        "UTC+2",
        "UTC+15:00",
        "UTC-13:00",
        "UTC+02:75",
        "utc+02:00",
        "../../etc/passwd",
        "localtime",
    ],
)
def test_zone_from_key_refuses_garbage(key: str) -> None:
    with pytest.raises(ValueError):
        zone_from_key(key)


# --- next_due -----------------------------------------------------------------------------------

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
SYDNEY = ZoneInfo("Australia/Sydney")


def daily(at: time, zone: tzinfo, after: datetime) -> datetime:
    """Return the next daily due instant."""
    return next_due(at, zone, Days.daily, after)


def test_next_due_later_today_and_tomorrow() -> None:
    assert daily(time(7, 30), LONDON, utc(2024, 1, 10, 6)) == utc(2024, 1, 10, 7, 30)
    assert daily(time(7, 30), LONDON, utc(2024, 1, 10, 8)) == utc(2024, 1, 11, 7, 30)
    # In summer 07:30 in London is 06:30 UTC.
    assert daily(time(7, 30), LONDON, utc(2024, 7, 10, 6)) == utc(2024, 7, 10, 6, 30)
    assert daily(time(7, 30), LONDON, utc(2024, 7, 10, 7)) == utc(2024, 7, 11, 6, 30)


def test_next_due_is_strictly_after() -> None:
    due = daily(time(7, 30), BERLIN, utc(2024, 1, 10))
    assert due == utc(2024, 1, 10, 6, 30)
    assert daily(time(7, 30), BERLIN, due) == utc(2024, 1, 11, 6, 30)
    assert daily(time(7, 30), BERLIN, due - timedelta(microseconds=1)) == due


def test_next_due_returns_utc_and_accepts_any_aware_after() -> None:
    after = datetime(2024, 1, 10, 8, tzinfo=ZoneInfo("Asia/Tokyo"))  # 2024-01-09 23:00 UTC
    due = daily(time(7, 30), LONDON, after)
    assert due == utc(2024, 1, 10, 7, 30)
    assert due.tzinfo is UTC


def test_next_due_refuses_naive_after() -> None:
    with pytest.raises(ValueError):
        daily(time(7, 30), LONDON, datetime(2024, 1, 10))


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        # 07:30 local on the day before, the day of, and the day after each change
        (LONDON, utc(2024, 3, 30), [utc(2024, 3, 30, 7, 30), utc(2024, 3, 31, 6, 30)]),
        (LONDON, utc(2024, 10, 26), [utc(2024, 10, 26, 6, 30), utc(2024, 10, 27, 7, 30)]),
        (BERLIN, utc(2024, 3, 30), [utc(2024, 3, 30, 6, 30), utc(2024, 3, 31, 5, 30)]),
        (BERLIN, utc(2024, 10, 26), [utc(2024, 10, 26, 5, 30), utc(2024, 10, 27, 6, 30)]),
        (NEW_YORK, utc(2024, 3, 9), [utc(2024, 3, 9, 12, 30), utc(2024, 3, 10, 11, 30)]),
        (NEW_YORK, utc(2024, 11, 2), [utc(2024, 11, 2, 11, 30), utc(2024, 11, 3, 12, 30)]),
        # Sydney springs forward in October and falls back in April
        (SYDNEY, utc(2024, 10, 4), [utc(2024, 10, 4, 21, 30), utc(2024, 10, 5, 20, 30)]),
        (SYDNEY, utc(2024, 4, 5), [utc(2024, 4, 5, 20, 30), utc(2024, 4, 6, 21, 30)]),
    ],
)
def test_wall_time_is_kept_across_daylight_saving(
    zone: ZoneInfo, after: datetime, expected: list[datetime]
) -> None:
    first = daily(time(7, 30), zone, after)
    second = daily(time(7, 30), zone, first)
    assert [first, second] == expected
    for due in (first, second):
        assert due.astimezone(zone).time() == time(7, 30)


@pytest.mark.parametrize(
    ("zone", "at", "after", "expected", "local"),
    [
        (LONDON, time(1, 30), utc(2024, 3, 30, 12), utc(2024, 3, 31, 1), time(2)),
        (BERLIN, time(2, 30), utc(2024, 3, 30, 12), utc(2024, 3, 31, 1), time(3)),
        (BERLIN, time(2), utc(2024, 3, 30, 12), utc(2024, 3, 31, 1), time(3)),
        (BERLIN, time(2, 59), utc(2024, 3, 30, 12), utc(2024, 3, 31, 1), time(3)),
        (NEW_YORK, time(2, 30), utc(2024, 3, 9, 12), utc(2024, 3, 10, 7), time(3)),
        (SYDNEY, time(2, 30), utc(2024, 10, 5), utc(2024, 10, 5, 16), time(3)),
        # Lord Howe moves by half an hour; Havana's gap is at midnight
        (ZoneInfo("Australia/Lord_Howe"), time(2, 15), utc(2024, 10, 5), utc(2024, 10, 5, 15, 30),
         time(2, 30)),
        (ZoneInfo("America/Havana"), time(0, 30), utc(2024, 3, 9, 12), utc(2024, 3, 10, 5),
         time(1)),
    ],
)  # fmt: skip
def test_time_skipped_by_spring_forward_is_due_when_the_gap_ends(
    zone: ZoneInfo, at: time, after: datetime, expected: datetime, local: time
) -> None:
    due = daily(at, zone, after)
    assert due == expected
    assert due.astimezone(zone).time() == local
    # and the day after, the ordinary wall time again
    assert daily(at, zone, due).astimezone(zone).time() == at


def test_gap_just_before_midnight_is_due_on_the_next_local_day() -> None:
    # Nuuk jumps from 23:00 Saturday to 00:00 Sunday.
    nuuk = ZoneInfo("America/Nuuk")
    due = daily(time(23, 30), nuuk, utc(2024, 3, 30, 12))
    assert due == utc(2024, 3, 31, 1)
    assert due.astimezone(nuuk).replace(tzinfo=None) == datetime(2024, 3, 31, 0, 0)


@pytest.mark.parametrize(
    ("zone", "at", "after", "first", "next_day"),
    [
        (LONDON, time(1, 30), utc(2024, 10, 26, 12), utc(2024, 10, 27, 0, 30),
         utc(2024, 10, 28, 1, 30)),
        (BERLIN, time(2, 30), utc(2024, 10, 26, 12), utc(2024, 10, 27, 0, 30),
         utc(2024, 10, 28, 1, 30)),
        (NEW_YORK, time(1, 30), utc(2024, 11, 2, 12), utc(2024, 11, 3, 5, 30),
         utc(2024, 11, 4, 6, 30)),
        (SYDNEY, time(2, 30), utc(2024, 4, 6), utc(2024, 4, 6, 15, 30),
         utc(2024, 4, 7, 16, 30)),
    ],
)  # fmt: skip
def test_time_repeated_by_fall_back_is_due_once_at_the_first(
    zone: ZoneInfo, at: time, after: datetime, first: datetime, next_day: datetime
) -> None:
    due = daily(at, zone, after)
    assert due == first
    assert due.astimezone(zone).fold == 0
    # Not the second 01:30 an hour later, even when asked from between the two.
    assert daily(at, zone, due) == next_day
    assert daily(at, zone, due + timedelta(minutes=30)) == next_day
    second_occurrence = due + timedelta(hours=1)
    assert second_occurrence.astimezone(zone).time() == at
    assert daily(at, zone, second_occurrence) == next_day


@pytest.mark.parametrize(
    ("after", "expected"),
    [
        (utc(2024, 3, 8, 6), utc(2024, 3, 8, 6, 30)),  # Friday before the time: Friday
        (utc(2024, 3, 8, 7), utc(2024, 3, 11, 6, 30)),  # Friday after the time: Monday
        (utc(2024, 3, 9, 5), utc(2024, 3, 11, 6, 30)),  # Saturday: Monday
        (utc(2024, 3, 10, 23), utc(2024, 3, 11, 6, 30)),  # Sunday night: Monday
        (utc(2024, 3, 11, 7), utc(2024, 3, 12, 6, 30)),  # Monday after: Tuesday
    ],
)
def test_weekdays_skip_the_weekend(after: datetime, expected: datetime) -> None:
    assert next_due(time(7, 30), BERLIN, Days.weekdays, after) == expected
    assert next_due(time(7, 30), BERLIN, Days.daily, utc(2024, 3, 9, 5)) == utc(2024, 3, 9, 6, 30)


def test_weekdays_are_judged_on_the_local_calendar() -> None:
    # Monday 07:30 in Sydney is still Sunday in UTC.
    due = next_due(time(7, 30), SYDNEY, Days.weekdays, utc(2024, 7, 5, 22))
    assert due == utc(2024, 7, 7, 21, 30)
    assert due.weekday() == 6
    assert local_day(due, SYDNEY) == date(2024, 7, 8)


@pytest.mark.parametrize(
    ("zone", "after", "expected"),
    [
        (timezone(timedelta(hours=5, minutes=30)), utc(2024, 3, 31), utc(2024, 3, 31, 2)),
        (zone_from_key("UTC-05:00"), utc(2024, 3, 10, 13), utc(2024, 3, 11, 12, 30)),
        (zone_from_key("UTC"), utc(2024, 3, 31, 7), utc(2024, 3, 31, 7, 30)),
        (zone_from_key("UTC+14:00"), utc(2024, 3, 31), utc(2024, 3, 31, 17, 30)),
    ],
)
def test_fixed_offset_zones(zone: tzinfo, after: datetime, expected: datetime) -> None:
    assert daily(time(7, 30), zone, after) == expected


def test_local_day() -> None:
    instant = utc(2024, 1, 1, 23, 30)
    assert local_day(instant, SYDNEY) == date(2024, 1, 2)
    assert local_day(instant, NEW_YORK) == date(2024, 1, 1)
    assert local_day(instant, UTC) == date(2024, 1, 1)
    with pytest.raises(ValueError):
        local_day(datetime(2024, 1, 1), UTC)


@pytest.mark.parametrize(
    ("late_by", "grace", "expected"),
    [
        (timedelta(0), timedelta(hours=2), True),
        (timedelta(hours=1, minutes=59), timedelta(hours=2), True),
        (timedelta(hours=2), timedelta(hours=2), False),
        (timedelta(hours=5), timedelta(hours=2), False),
        (timedelta(minutes=-1), timedelta(hours=2), False),
        (timedelta(minutes=20), timedelta(minutes=15), False),
        (timedelta(minutes=10), timedelta(minutes=15), True),
    ],
)
def test_catch_up(late_by: timedelta, grace: timedelta, expected: bool) -> None:
    due = utc(2024, 3, 31, 6, 30)
    assert catch_up(due, due + late_by, grace) is expected


def test_catch_up_default_grace_is_two_hours() -> None:
    due = utc(2024, 3, 31, 6, 30)
    assert catch_up(due, due + timedelta(minutes=119))
    assert not catch_up(due, due + timedelta(minutes=120))


# --- next_due, property-based ---------------------------------------------------------------------

PROPERTY_ZONES: list[tzinfo] = [
    *(
        ZoneInfo(name)
        for name in [
            "Europe/London",
            "Europe/Berlin",
            "Europe/Dublin",  # negative daylight saving in the tz data
            "America/New_York",
            "America/Havana",  # gap at midnight
            "America/Nuuk",  # gap that crosses midnight
            "America/Santiago",
            "America/St_Johns",
            "Australia/Sydney",
            "Australia/Lord_Howe",  # half-hour change
            "Pacific/Chatham",
            "Pacific/Apia",
            "Africa/Casablanca",  # changes twice around Ramadan
            "Asia/Tehran",
            "Asia/Kolkata",
        ]
    ),
    timezone(timedelta(hours=5, minutes=45)),
    timezone(timedelta(hours=-3, minutes=-30)),
    UTC,
]
YEARS = (2016, 2036)


def _offset_changes(zone: tzinfo) -> list[datetime]:
    """Find the instants (to the second) at which `zone` changed offset in 2023-2025."""
    changes = []
    day = utc(2023, 1, 1)
    while day.year < 2026:
        following = day + timedelta(days=1)
        if day.astimezone(zone).utcoffset() != following.astimezone(zone).utcoffset():
            low, high = day, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == low.astimezone(zone).utcoffset():
                    low = middle
                else:
                    high = middle
            changes.append(high.replace(microsecond=0))
        day = following
    return changes


OFFSET_CHANGES = {id(zone): _offset_changes(zone) for zone in PROPERTY_ZONES}


@st.composite
def schedules(draw: st.DrawFn) -> tuple[tzinfo, time, Days, datetime]:
    """Draw a zone, a reminder time, its days and an `after` instant."""
    zone = draw(st.sampled_from(PROPERTY_ZONES))
    changes = OFFSET_CHANGES[id(zone)]
    # sampled_from, unlike integers, does not crowd its draws at 0 and the ends of the range.
    aim = draw(st.sampled_from(["inside", "near", "anywhere"])) if changes else "anywhere"
    if aim == "anywhere":
        days = draw(st.sampled_from([Days.daily, Days.weekdays, Days.weekends, Days("d:1010100")]))
        at = draw(st.builds(time, st.integers(0, 23), st.integers(0, 59)))
        after = draw(
            st.datetimes(
                datetime(YEARS[0], 1, 1), datetime(YEARS[1], 12, 31), timezones=st.just(UTC)
            )
        )
        return zone, at, days, after
    # Aim at a daylight saving change: a wall time inside its gap or fold, or near it, and an
    # `after` from the day before up to an hour past it. Most changes fall on a Sunday, which
    # weekday reminders skip, so lean towards daily ones.
    change = draw(st.sampled_from(changes))
    before, since = (_wall(moment, zone) for moment in (change - timedelta(seconds=1), change))
    start = min(before + timedelta(seconds=1), since)
    if aim == "inside":
        span = abs(since - before - timedelta(seconds=1)) // timedelta(minutes=1)
        wall = start + timedelta(minutes=draw(st.sampled_from(range(span))))
    else:
        wall = start + timedelta(minutes=draw(st.sampled_from(range(-120, 121))))
    after = change + timedelta(minutes=draw(st.sampled_from(range(-20 * 60, 61))))
    days = draw(st.sampled_from([Days.daily, Days.daily, Days.daily, Days.weekdays]))
    return zone, time(wall.hour, wall.minute), days, after


def _allowed(days: Days, day: date) -> bool:
    """Say whether `day` is a reminder day, without asking the code under test."""
    named = {"daily": range(1, 8), "weekdays": range(1, 6), "weekends": range(6, 8)}
    if days.value in named:
        return day.isoweekday() in named[days.value]
    return days.value[1 + day.isoweekday()] == "1"  # "d:" and a digit per day from Monday


def _wall(instant: datetime, zone: tzinfo) -> datetime:
    """Return the naive wall-clock reading in `zone` at `instant`."""
    return instant.astimezone(zone).replace(tzinfo=None)


def _due_on(day: date, at: time, zone: tzinfo) -> datetime:
    """Work out the due instant for local `day` by brute force, independently of next_due."""
    target = datetime.combine(day, at)
    around = [utc(day.year, day.month, day.day) + timedelta(hours=h) for h in range(-48, 49, 3)]
    offsets = {instant.astimezone(zone).utcoffset() for instant in around}
    guesses = sorted(
        (target - offset).replace(tzinfo=UTC) for offset in offsets if offset is not None
    )
    shown = [guess for guess in guesses if _wall(guess, zone) == target]
    if shown:
        return shown[0]
    # In a gap: walk minute by minute to the first instant whose wall clock has passed target.
    instant = guesses[0]
    while _wall(instant, zone) < target:
        instant += timedelta(minutes=1)
    return instant


def _expected_next(at: time, zone: tzinfo, days: Days, after: datetime) -> datetime:
    """Find the earliest brute-force due instant after `after`, day by day."""
    first_day = local_day(after, zone) - timedelta(days=1)
    return min(
        candidate
        for offset in range(12)
        if _allowed(days, first_day + timedelta(days=offset))
        for candidate in [_due_on(first_day + timedelta(days=offset), at, zone)]
        if candidate > after
    )


@settings(max_examples=500, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(schedules())
def test_next_due_properties(schedule: tuple[tzinfo, time, Days, datetime]) -> None:
    zone, at, days, after = schedule
    due = next_due(at, zone, days, after)

    assert due > after
    assert due.tzinfo is UTC
    wall = _wall(due, zone)
    if wall.time() != at:
        # Only a gap excuses another wall time: the clock jumped over `at` at this very instant.
        before = _wall(due - timedelta(seconds=1), zone)
        days_shown = (wall.date(), wall.date() - timedelta(days=1))
        assert any(before < datetime.combine(day, at) < wall for day in days_shown)
    else:
        assert _allowed(days, wall.date())
    # No due instant is skipped: the brute-force earliest one after `after` is this one.
    assert due == _expected_next(at, zone, days, after)
    # Asking again from the due instant itself moves on to the next one (strictly after).
    assert next_due(at, zone, days, due) == _expected_next(at, zone, days, due)


def test_property_zones_do_change_offset() -> None:
    # The property test aims at these changes; make sure there are some to aim at.
    assert len(OFFSET_CHANGES[id(PROPERTY_ZONES[0])]) == 6  # London, three years
    assert sum(len(changes) for changes in OFFSET_CHANGES.values()) > 40


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("tomorrow at 8", 1),
        ("from tomorrow, 7:30", 1),
        ("starting tmrw 8am", 1),
        ("the day after tomorrow at 9", 2),
        ("day-after-tomorrow", 2),
        ("7:30 on weekdays", None),
        ("today at 8", None),
    ],
)
def test_a_first_day_is_read_from_tomorrow(text: str, days: int | None) -> None:
    assert parse_start(text) == days


US_ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Denver",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]


@pytest.mark.parametrize("text", ["USA", "united states", "I live in the US", "america", "usa."])
def test_a_country_with_several_zones_offers_its_main_ones(knowledge, text: str) -> None:
    found = match_zone(text, knowledge.zone_aliases, knowledge.zone_countries)
    assert [c.key for c in found] == US_ZONES
    assert {c.country for c in found} == {"USA"}  # shown by its first name, however typed


def test_a_city_or_a_near_miss_is_not_taken_for_a_country(knowledge) -> None:
    def keys(text: str) -> list[str]:
        found = match_zone(text, knowledge.zone_aliases, knowledge.zone_countries)
        return [c.key for c in found]

    assert keys("Austin, USA") == ["America/Chicago"]  # the city said with its country
    assert keys("austria")[0] == "Europe/Vienna"
    assert "Australia/Perth" in keys("austrailia")
    assert "America/Vancouver" in keys("Canada")
    assert keys("Toronto") == ["America/Toronto"]


def test_each_countrys_zones_are_its_own_and_keep_different_times(knowledge) -> None:
    table = (files("tzdata.zoneinfo") / "zone1970.tab").read_text(encoding="utf-8")
    codes_of: dict[str, set[str]] = {}
    for line in table.splitlines():
        if line and not line.startswith("#"):
            codes, _, zone = line.split("\t")[:3]
            codes_of[zone] = set(codes.split(","))
    countries = yaml.safe_load((KNOWLEDGE_DIR / "timezones.yaml").read_text())["countries"]
    for code, entry in countries.items():
        for zone in entry["zones"]:
            assert code in codes_of.get(zone, set()), f"{zone} is not in {code}"
        seasons = [datetime(2026, 1, 15, tzinfo=UTC), datetime(2026, 7, 15, tzinfo=UTC)]
        times = {
            tuple(when.astimezone(ZoneInfo(z)).utcoffset() for when in seasons)
            for z in entry["zones"]
        }
        assert len(times) == len(entry["zones"]), f"{code}: two zones keep the same time"
        for name in entry["names"]:
            assert knowledge.zone_countries[name] == tuple(entry["zones"])
