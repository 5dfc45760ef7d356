"""Shared fixtures: the real knowledge, loaded once, a fresh database per backend, and the fake
Bot API."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from bot.core.knowledge import Knowledge, load_knowledge
from tests.databases import BACKENDS, fresh_pg_schema
from tests.fakebot import FakeBotAPI

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"
TOKEN = "123456:TEST-token_abc"


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


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API on the test's event loop; fails the test on fake-server bugs."""
    async with FakeBotAPI(TOKEN, timeout_delay=3.0) as server:
        yield server
        assert not server.internal_errors, "\n".join(server.internal_errors)
