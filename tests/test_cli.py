"""The footcoach command line: explain, and how start-up problems are reported."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.__main__ import main
from bot.config import ConfigError, load_settings
from tests.conftest import KNOWLEDGE_DIR


@pytest.fixture(autouse=True)
def clean_env(monkeypatch, tmp_path):
    monkeypatch.chdir(tmp_path)  # no .env from the developer's checkout
    monkeypatch.setenv("KNOWLEDGE_DIR", str(KNOWLEDGE_DIR))
    for name in ("DATABASE_URL", "TELEGRAM_BOT_TOKEN", "WEBHOOK_URL", "WEBHOOK_SECRET"):
        monkeypatch.delenv(name, raising=False)


def explain(capsys, *words: str) -> dict[str, Any]:
    assert main(["explain", "--json", *words]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1, "exactly one JSON object"
    reading: dict[str, Any] = json.loads(out[0])
    return reading


def test_explain_json_keeps_the_contract_keys_first(capsys):
    reading = explain(capsys, "no cramping but my calves are tight")
    contract = ["symptoms", "locations", "red_flags", "intents", "exercises"]
    assert list(reading)[:5] == contract  # new keys may only follow
    assert set(reading) - set(contract) <= {
        "conditions",
        "negated",
        "past",
        "hypothetical",
        "others",
        "hints",
        "warning_signs",
        "pain_score",
    }
    assert reading["symptoms"] == ["tightness"]
    assert reading["locations"] == ["calf"]
    assert reading["red_flags"] == []
    assert reading["exercises"] == ["standing_calf_stretch", "plank_calf_stretch"]


def test_explain_red_flag_gives_no_exercises(capsys):
    reading = explain(capsys, "my", "calf", "is", "swollen", "and", "warm", "after", "a", "flight")
    assert "dvt" in reading["red_flags"]
    assert reading["exercises"] == []


def test_explain_orders_by_first_mention(capsys):
    reading = explain(capsys, "my heel is sore and my calves cramp")
    assert reading["symptoms"] == ["soreness", "cramping"]
    assert reading["locations"] == ["heel", "calf"]
    kinds = reading["exercises"]
    assert kinds.index("ball_roll") < kinds.index("standing_calf_stretch")


def test_explain_json_shows_context_hints_and_triage(capsys):
    reading = explain(capsys, "I'm diabetic, my dad's toe is black and mine has a blister")
    assert reading["conditions"] == ["diabetes"]
    assert {"toes", "circulation"} <= set(reading["others"])
    assert reading["hints"] == ["wound"]
    assert reading["red_flags"] == []
    assert reading["warning_signs"] == ["diabetic_foot"]
    assert reading["exercises"] == []


def test_explain_for_people_shows_the_reading(capsys):
    assert main(["explain", "weeak ankels, no numbness"]) == 0
    out = capsys.readouterr().out
    assert "weakness ('weeak')" in out
    assert "numbness" in out.split("negated:")[1].splitlines()[0]


def test_run_without_token_says_where_to_put_it(capsys):
    assert main(["run"]) == 2
    err = capsys.readouterr().err.strip()
    assert "\n" not in err
    assert "TELEGRAM_BOT_TOKEN" in err and ".env" in err and "make chat" in err


def test_webhook_without_secret_stops_startup(monkeypatch, capsys):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:x")
    monkeypatch.setenv("WEBHOOK_URL", "https://bot.example.test/telegram")
    assert main(["run"]) == 2
    assert "WEBHOOK_SECRET is required" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("name", "value", "mention"),
    [
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL"),
        ("WEBHOOK_PORT", "eighty", "WEBHOOK_PORT"),
        ("WEBHOOK_SECRET", "has spaces!", "WEBHOOK_SECRET"),
        ("DEFAULT_PHONE_REGION", "Britain", "DEFAULT_PHONE_REGION"),
        ("ADMIN_USER_IDS", "12,bob", "ADMIN_USER_IDS"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL"),
        ("TELEGRAM_MAX_RATE", "0", "TELEGRAM_MAX_RATE"),
    ],
)
def test_broken_settings_are_one_line(monkeypatch, name, value, mention):
    monkeypatch.setenv(name, value)
    with pytest.raises(ConfigError) as info:
        load_settings()
    message = str(info.value)
    assert "\n" not in message and mention in message


def test_settings_from_dotenv(tmp_path, monkeypatch):
    (tmp_path / ".env").write_text("ADMIN_USER_IDS=1, 2,3\nSTAFF_CHAT_ID=-100\nLOG_LEVEL=debug\n")
    settings = load_settings()
    assert settings.admin_user_ids == (1, 2, 3)
    assert settings.staff_chat_id == -100
    assert settings.log_level == "DEBUG"
    assert settings.database_url == "sqlite+aiosqlite:///data/footcoach.db"


def test_secret_token_never_shown(monkeypatch):
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "123:very-secret")
    settings = load_settings()
    assert "very-secret" not in repr(settings)
