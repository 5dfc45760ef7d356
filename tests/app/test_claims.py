"""What a poller waits for: an update's claim, committed by its step, or settled without one."""

from __future__ import annotations

from bot.app.claims import Claims
from bot.core.updates import UpdateKey

KEY = UpdateKey(1, 10)


async def test_a_committed_claim_is_told_once_to_whoever_waits() -> None:
    claims = Claims()
    waiting = claims.expect(KEY)
    assert claims.expect(KEY) is waiting
    assert claims.settle(KEY, claimed=True)
    assert await waiting is True
    # The step's end settles it again as unclaimed: the first word stands.
    assert not claims.settle(KEY, claimed=False)
    assert await waiting is True


async def test_a_step_without_a_claim_says_so() -> None:
    claims = Claims()
    waiting = claims.expect(KEY)
    assert claims.settle(KEY, claimed=False)
    assert await waiting is False


async def test_nobody_waiting_means_nothing_to_tell() -> None:
    claims = Claims()
    assert not claims.settle(KEY, claimed=True)  # a webhook's update, or a drained one
    waiting = claims.expect(KEY)
    claims.drop(KEY)  # the poller stopped waiting (it recorded the update instead)
    assert waiting.cancelled()
    assert not claims.settle(KEY, claimed=True)
