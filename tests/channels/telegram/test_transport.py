"""The bot's HTTP client (aiohttp under python-telegram-bot), against a small server on loopback."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator

import pytest
from aiohttp import web
from telegram import InputFile
from telegram.error import NetworkError, TimedOut
from telegram.request import RequestData

# How PTB itself turns a call's arguments into a request (no public constructor for tests).
from telegram.request._requestparameter import RequestParameter

from bot.channels.telegram.instrument import raw_updates
from bot.channels.telegram.render import not_sent
from bot.channels.telegram.transport import AiohttpRequest

TOKEN_URL_PART = "bot123456:SECRET-token"


@pytest.fixture
async def server() -> AsyncIterator[tuple[str, list[dict[str, object]]]]:
    """Serve /echo (what was sent) and /slow (never answers until the server stops); yield
    the base URL and what /echo saw."""
    seen: list[dict[str, object]] = []
    stopping = asyncio.Event()

    async def echo(request: web.Request) -> web.Response:
        form = await request.post()
        fields: dict[str, object] = {}
        for name, value in form.items():
            if isinstance(value, web.FileField):
                fields[name] = (value.filename, value.content_type, value.file.read())
            else:
                fields[name] = value
        seen.append(fields)
        return web.json_response({"ok": True, "result": True})

    async def slow(_request: web.Request) -> web.Response:
        await stopping.wait()
        return web.json_response({"ok": True, "result": True})

    app = web.Application()
    app.router.add_post("/echo", echo)
    app.router.add_post("/slow", slow)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        stopping.set()
        await runner.cleanup()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_form_fields_and_uploads_arrive_as_telegram_expects(server):
    base, seen = server
    request = AiohttpRequest(4)
    await request.initialize()
    try:
        plain = RequestData(
            [
                RequestParameter.from_input("chat_id", 42),
                RequestParameter.from_input("text", "hi ✓"),
            ]
        )
        assert await request.do_request(f"{base}/echo", "POST", plain) == (
            200,
            b'{"ok": true, "result": true}',
        )
        picture = InputFile(b"GIF89a-bytes", filename="move.gif", attach=False)
        upload = RequestData(
            [
                RequestParameter.from_input("chat_id", 42),
                RequestParameter.from_input("animation", picture),
            ]
        )
        status, _ = await request.do_request(f"{base}/echo", "POST", upload)
    finally:
        await request.shutdown()
    assert status == 200
    assert seen[0] == {"chat_id": "42", "text": "hi ✓"}
    assert seen[1]["chat_id"] == "42"
    filename, _kind, content = seen[1]["animation"]
    assert (filename, content) == ("move.gif", b"GIF89a-bytes")


async def test_a_slow_answer_is_ptbs_timed_out(server):
    base, _ = server
    request = AiohttpRequest(1, read_timeout=0.2)
    await request.initialize()
    try:
        with pytest.raises(TimedOut) as caught:
            await request.do_request(f"{base}/slow", "POST")
    finally:
        await request.shutdown()
    # The request went out and no answer came: it may have been delivered.
    assert not not_sent(caught.value)


def test_the_timeouts_ptb_passes_are_taken_over_the_defaults():
    request = AiohttpRequest(1, read_timeout=0.2)
    default = request.timeout()
    assert (default.sock_read, default.sock_connect, default.connect) == (0.2, 5.0, 6.0)
    assert default.total == pytest.approx(0.2 + 5.0 + 5.0 + 1.0)
    # A long poll's read timeout (PTB adds the poll's own to the default) replaces the default.
    polled = request.timeout(read_timeout=10.2)
    assert polled.sock_read == 10.2
    assert polled.total == pytest.approx(10.2 + 11.0)
    # None means no limit, for that part and for the whole.
    unlimited = request.timeout(read_timeout=None)
    assert (unlimited.sock_read, unlimited.total) == (None, None)


async def test_an_unreachable_server_is_a_network_error_without_the_token():
    request = AiohttpRequest(1)
    await request.initialize()
    try:
        with pytest.raises(NetworkError) as caught:
            await request.do_request(
                f"http://127.0.0.1:{_free_port()}/{TOKEN_URL_PART}/getMe", "POST"
            )
    finally:
        await request.shutdown()
    assert not isinstance(caught.value, TimedOut)
    assert "SECRET" not in str(caught.value)
    assert request.read_timeout == 5.0
    # Nothing reached a server: the senders may send it again without a risk of a repeat.
    assert not_sent(caught.value)


def test_a_getupdates_answer_is_kept_as_telegram_sent_each_update():
    body = json.dumps(
        {"ok": True, "result": [{"update_id": 7, "message": {"text": "hi ✓"}}, {"update_id": 8}]}
    ).encode()
    kept = raw_updates(body)
    assert sorted(kept) == [7, 8]
    assert json.loads(kept[7]) == {"update_id": 7, "message": {"text": "hi ✓"}}
    # Anything else keeps nothing: the poller then serialises PTB's objects itself.
    for garbage in (b"not json", b'{"ok": false}', b'{"ok": true, "result": [{"x": 1}]}'):
        assert raw_updates(garbage) == {}
