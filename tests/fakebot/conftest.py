from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakebot import FakeBotAPI

TOKEN = "123456:TEST-token_abc"


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    """A running fake Bot API on the test's event loop; fails the test on fake-server bugs."""
    async with FakeBotAPI(token=TOKEN, timeout_delay=3.0) as server:
        yield server
        assert not server.internal_errors, "\n".join(server.internal_errors)
