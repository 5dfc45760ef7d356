"""The settings people copy from: `.env.example` and the README's table stay true to the code."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from dotenv import dotenv_values

from bot.config import Settings

ROOT = Path(__file__).resolve().parent.parent
SETTINGS = sorted(name.upper() for name in Settings.model_fields)
# Lines a half-finished merge leaves behind.
CONFLICT = re.compile(r"^(<{7} |={7}$|>{7} )", re.MULTILINE)


def test_env_example_sets_every_setting_once_and_nothing_else():
    text = (ROOT / ".env.example").read_text()
    keys = re.findall(r"^([A-Z][A-Z0-9_]*)=", text, re.MULTILINE)
    assert sorted(keys) == SETTINGS


def test_env_example_copied_as_is_is_a_working_configuration(tmp_path, monkeypatch):
    env_file = tmp_path / ".env"
    env_file.write_text((ROOT / ".env.example").read_text())
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    values = dotenv_values(env_file)
    assert set(values) == set(SETTINGS)  # no stray line parsed as a setting
    settings = Settings(_env_file=env_file)
    assert settings.database_url == "sqlite+aiosqlite:///data/footcoach.db"
    assert settings.telegram_bot_token is None and settings.webhook_mode is False


def test_readme_table_names_every_setting():
    readme = (ROOT / "README.md").read_text()
    named = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", readme))
    assert [s for s in SETTINGS if s not in named] == []


@pytest.mark.parametrize("name", ["README.md", ".env.example", "pyproject.toml", "Makefile"])
def test_no_merge_leftovers(name):
    assert not CONFLICT.search((ROOT / name).read_text()), name


def test_the_database_moves_with_data_dir_unless_named(tmp_path, monkeypatch):
    for name in SETTINGS:
        monkeypatch.delenv(name, raising=False)
    moved = Settings(_env_file=None, data_dir=tmp_path / "elsewhere")
    assert moved.database_url == f"sqlite+aiosqlite:///{tmp_path / 'elsewhere' / 'footcoach.db'}"
    named = Settings(_env_file=None, data_dir=tmp_path, database_url="sqlite+aiosqlite:///x.db")
    assert named.database_url == "sqlite+aiosqlite:///x.db"
