"""The --client switch: our bot on its own aiohttp transport, or on PTB's default httpx.

The bot talks to Telegram through bot/channels/telegram/transport.py (aiohttp), chosen after
profiles of the Telegram and fan-out benchmarks put most of its CPU time in httpx and
httpcore. `--client httpx` runs the same bot on PTB's HTTPXRequest, still counted for the
metrics, so the choice can be measured again in one run.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from telegram.request import HTTPXRequest

import bot.channels.telegram.app as telegram_channel
from bot.channels.telegram import instrument


class _CountingHTTPX(instrument.Counting, HTTPXRequest):
    """PTB's httpx request, counted like the bot's own (instrument.CountingRequest)."""


@contextmanager
def client(kind: str) -> Iterator[None]:
    """Within this block, our bot's `build_application` uses `kind` ("aiohttp" or "httpx")."""
    if kind == "aiohttp":
        yield
        return
    if kind != "httpx":
        raise ValueError(f"unknown client {kind!r}")
    # bot.channels.telegram.app looks CountingRequest up in its own namespace when it builds.
    original = telegram_channel.CountingRequest  # type: ignore[attr-defined]
    telegram_channel.CountingRequest = _CountingHTTPX  # type: ignore[attr-defined,assignment]
    try:
        yield
    finally:
        telegram_channel.CountingRequest = original  # type: ignore[attr-defined]
