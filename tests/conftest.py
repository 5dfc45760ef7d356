"""Shared fixtures: the real knowledge, loaded once, and a fresh database per backend."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.knowledge import Knowledge, load_knowledge
from tests.databases import BACKENDS, fresh_pg_schema

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """Return the project's real knowledge files, validated."""
    return load_knowledge(KNOWLEDGE_DIR)


@pytest.fixture(params=BACKENDS)
async def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    """Return the URL of a fresh, empty database: SQLite, and PostgreSQL when configured.

    Tests that take this fixture run once per backend (ids `-sqlite`, `-postgresql`); the
    PostgreSQL variant exists only when TEST_DATABASE_URL is set (see tests/databases.py).
    """
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'test.db'}"
        return
    async with fresh_pg_schema() as url:
        yield url
