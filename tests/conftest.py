"""Shared fixtures: the real knowledge, loaded once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.core.knowledge import Knowledge, load_knowledge

ROOT = Path(__file__).resolve().parent.parent
KNOWLEDGE_DIR = ROOT / "knowledge"


@pytest.fixture(scope="session")
def knowledge() -> Knowledge:
    """Return the project's real knowledge files, validated."""
    return load_knowledge(KNOWLEDGE_DIR)
