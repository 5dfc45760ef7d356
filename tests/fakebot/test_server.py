"""Tests of the fake Bot API server, driven through the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import json
import time
import warnings
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    MenuButtonCommands,
    Message,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
    Update,
)
from telegram.error import (
    BadRequest,
    Conflict,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.ext import (
    Application,
    ApplicationBuilder,
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    filters,
)
from telegram.helpers import escape_markdown
from telegram.request import HTTPXRequest

from tests.fakebot import MEDIA_KINDS, FakeBotAPI
from tests.support import free_port

from .conftest import TOKEN

# PTB itself trips its own retry_after deprecation warning when building RetryAfter.
pytestmark = pytest.mark.filterwarnings("ignore:.*retry_after:DeprecationWarning")

USER = 4242
KEYBOARD = InlineKeyboardMarkup(
    [
        [
            InlineKeyboardButton("Yes", callback_data="yes"),
            InlineKeyboardButton("No", callback_data="no"),
        ]
    ]
)


@asynccontextmanager
async def ptb_bot(api: FakeBotAPI, read_timeout: float = 5.0) -> AsyncIterator[Bot]:
    request = HTTPXRequest(read_timeout=read_timeout)
    bot = Bot(api.token, base_url=api.base_url, base_file_url=api.base_file_url, request=request)
    async with bot:
        yield bot


@asynccontextmanager
async def polling_app(
    api: FakeBotAPI, handlers: list[BaseHandler[Any, Any, Any]]
) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    for handler in handlers:
        app.add_handler(handler)
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_polling(poll_interval=0, timeout=1)
        try:
            yield app
        finally:
            await app.updater.stop()
            await app.stop()


def seconds(value: int | dtm.timedelta) -> float:
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def retry_after_of(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form of retry_after
        return seconds(exc.retry_after)


def assert_no_unknown_fields(value: object) -> None:
    """PTB puts JSON fields it does not know into api_kwargs: our objects should have none."""
    if isinstance(value, tuple | list):
        for item in value:
            assert_no_unknown_fields(item)
        return
    if not isinstance(value, TelegramObject):
        return
    assert not value.api_kwargs, f"{type(value).__name__} has unknown fields {value.api_kwargs}"
    for cls in type(value).__mro__:
        for slot in getattr(cls, "__slots__", ()):
            if slot not in ("_bot", "api_kwargs"):
                assert_no_unknown_fields(getattr(value, slot, None))


# ==============================================================================================
# Raw protocol
# ==============================================================================================


async def test_get_me_through_ptb(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        me = await bot.get_me()
    assert me.id == 123456
    assert me.is_bot
    assert_no_unknown_fields(me)
    assert me.username == "footcoach_test_bot"
    assert [r.method for r in api.requests()] == ["getMe", "getMe"]  # initialize() + get_me()


async def test_wrong_token_is_401_with_telegram_error_json(api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{api.base_url}999:WRONG/getMe")
    assert response.status_code == 401
    assert response.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("999:WRONG", base_url=api.base_url):
            pass
    assert api.requests()[-1].status == 401


async def test_unknown_method_is_404(api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        response = await client.post(f"{api.base_url}{TOKEN}/sendTelepathy", data={"x": "1"})
    assert response.status_code == 404
    assert response.json() == {"ok": False, "error_code": 404, "description": "Not Found"}
    async with ptb_bot(api) as bot:
        with pytest.raises(EndPointNotFound):  # PTB maps a 404 to this (else InvalidToken)
            await bot.do_api_request("sendTelepathy")


async def test_json_and_urlencoded_bodies_are_understood(api: FakeBotAPI) -> None:
    markup = {"inline_keyboard": [[{"text": "Go", "callback_data": "go"}]]}
    async with httpx.AsyncClient(base_url=f"{api.base_url}{TOKEN}/") as client:
        r1 = await client.post(
            "sendMessage", json={"chat_id": 7, "text": "1", "reply_markup": markup}
        )
        r2 = await client.post(
            "sendMessage",
            data={"chat_id": "7", "text": "007", "reply_markup": json.dumps(markup)},
        )
        r3 = await client.get("sendMessage", params={"chat_id": "7", "text": "true"})
    assert [r.status_code for r in (r1, r2, r3)] == [200, 200, 200]
    sent = api.messages(7)
    # String fields stay strings even when they look like JSON ("007", "true").
    assert [m.text for m in sent] == ["1", "007", "true"]
    assert [m.message_id for m in sent] == [1, 2, 3]
    assert sent[0].reply_markup == markup and sent[1].reply_markup == markup
    assert r2.json()["result"]["reply_markup"] == markup


# ==============================================================================================
# Sending, keyboards, edits
# ==============================================================================================


async def test_send_message_records_inline_keyboard_and_per_chat_ids(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        first = await bot.send_message(
            USER, "<b>Pick</b> one", parse_mode="HTML", reply_markup=KEYBOARD
        )
        second = await bot.send_message(USER, "again")
        other = await bot.send_message(USER + 1, "hi")
    assert (first.message_id, second.message_id, other.message_id) == (1, 2, 1)
    assert first.text == "Pick one"  # Telegram returns the text without markup
    assert first.reply_markup == KEYBOARD
    recorded = api.messages(USER)
    assert [m.text for m in recorded] == ["<b>Pick</b> one", "again"]
    assert recorded[0].parse_mode == "HTML"
    assert recorded[0].reply_markup == KEYBOARD.to_dict()
    assert recorded[0].button_texts == ["Yes", "No"]
    assert recorded[0].callback_data("No") == "no"
    assert api.delivered_counts() == {USER: 2, USER + 1: 1}


async def test_reply_keyboards_are_recorded_but_not_echoed_in_message(api: FakeBotAPI) -> None:
    contact_kb = ReplyKeyboardMarkup(
        [[KeyboardButton("Share phone", request_contact=True)], ["Skip"]],
        resize_keyboard=True,
        one_time_keyboard=True,
    )
    async with ptb_bot(api) as bot:
        asked = await bot.send_message(USER, "Your phone?", reply_markup=contact_kb)
        removed = await bot.send_message(USER, "Thanks", reply_markup=ReplyKeyboardRemove())
    assert asked.reply_markup is None and removed.reply_markup is None
    ask, remove = api.messages(USER)
    assert ask.reply_keyboard == [
        [{"text": "Share phone", "request_contact": True}],
        [{"text": "Skip"}],
    ]
    assert ask.reply_markup is not None and ask.reply_markup["one_time_keyboard"] is True
    assert ask.button("Share phone")["request_contact"] is True
    assert remove.removes_keyboard and not ask.removes_keyboard


async def test_telegram_rejects_invalid_keyboards(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        with pytest.raises(BadRequest, match=r"(?i)BUTTON_DATA_INVALID"):
            long_data = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
            await bot.send_message(USER, "too long callback", reply_markup=long_data)
        # PTB's InlineKeyboardButton refuses a button without action, so go around it.
        plain = {"inline_keyboard": [[{"text": "plain"}]]}
        async with httpx.AsyncClient() as client:
            response = await client.post(
                f"{api.base_url}{TOKEN}/sendMessage",
                json={"chat_id": USER, "text": "t", "reply_markup": plain},
            )
        assert response.status_code == 400
        assert "Text buttons are unallowed" in response.json()["description"]
        with pytest.raises(BadRequest, match=r"(?i)message text is empty"):
            await bot.send_message(USER, "  ")
        with pytest.raises(BadRequest, match=r"(?i)message is too long"):
            await bot.send_message(USER, "x" * 4097)
    assert api.delivered_count(USER) == 0


async def test_malformed_markup_is_refused_like_telegram(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: unsupported start tag"):
            await bot.send_message(USER, "Pain <3 today? <div>", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)can't find end tag"):
            await bot.send_message(USER, "<b>Stretch", parse_mode="HTML")
        with pytest.raises(BadRequest, match=r"(?i)character '\.' is reserved"):
            await bot.send_message(USER, "Next session: 25.11", parse_mode="MarkdownV2")
        text = "*Next* session: " + escape_markdown("25.11 (30-min walk)!", version=2)
        ok = await bot.send_message(USER, text, parse_mode="MarkdownV2")
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities"):
            await bot.edit_message_text("now 1.5x", USER, ok.message_id, parse_mode="MarkdownV2")
        await bot.send_message(USER, "a > b & c, <i>fine</i>", parse_mode="HTML")
    assert api.delivered_count(USER) == 2
    lenient = FakeBotAPI(token=TOKEN, check_markup=False)
    async with lenient, ptb_bot(lenient) as bot:
        await bot.send_message(USER, "25.11", parse_mode="MarkdownV2")
    assert lenient.delivered_count(USER) == 1


async def test_edit_message_text_and_markup(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        msg = await bot.send_message(USER, "Question?", reply_markup=KEYBOARD)
        edited = await bot.edit_message_text("Answered", chat_id=USER, message_id=msg.message_id)
        assert isinstance(edited, Message)
        assert edited.text == "Answered"
        assert edited.edit_date is not None
        assert_no_unknown_fields([msg, edited])
        assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
        new_kb = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="undo")]])
        await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=new_kb)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_reply_markup(USER, msg.message_id, reply_markup=new_kb)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("Answered", USER, msg.message_id, reply_markup=new_kb)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", chat_id=USER, message_id=999)
    state = api.message(USER, msg.message_id)
    assert state.text == "Answered"
    assert state.history == ["Question?"]
    assert state.edit_count == 2
    assert state.button_texts == ["Undo"]
    assert api.delivered_count(USER) == 1  # edits are not new messages


async def test_send_photo_and_document_bytes_are_recorded(api: FakeBotAPI) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    async with ptb_bot(api) as bot:
        photo_msg = await bot.send_photo(USER, png, caption="Your progress")
        doc_msg = await bot.send_document(USER, b"a,b\n1,2\n", filename="log.csv")
        again = await bot.send_photo(USER, photo_msg.photo[-1].file_id)
        file = await bot.get_file(photo_msg.photo[-1].file_id)
        downloaded = await file.download_as_bytearray()
    assert_no_unknown_fields([photo_msg, doc_msg, again, file])
    photo, doc, by_id = api.messages(USER)
    assert photo.photo == png and photo.text == "Your progress"
    assert photo_msg.photo[-1].file_size == len(png)
    assert doc.document == b"a,b\n1,2\n" and doc.file is not None
    assert doc.file.filename == "log.csv"
    assert doc_msg.document is not None and doc_msg.document.file_name == "log.csv"
    assert by_id.photo is None and by_id.file_id == photo_msg.photo[-1].file_id
    assert again.photo[-1].file_id == photo_msg.photo[-1].file_id
    assert bytes(downloaded) == png


async def test_chat_action_commands_menu_button(api: FakeBotAPI) -> None:
    commands = [BotCommand("start", "Begin"), BotCommand("plan", "Today's exercises")]
    async with ptb_bot(api) as bot:
        await bot.send_chat_action(USER, "typing")
        assert await bot.set_my_commands(commands)
        assert await bot.get_my_commands() == tuple(commands)
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Plan", "uppercase is invalid")])
        assert await bot.set_chat_menu_button(menu_button=MenuButtonCommands())
        assert await bot.delete_my_commands()
        assert await bot.get_my_commands() == ()
        assert await bot.close() and await bot.log_out()
    assert api.chat_actions(USER) == ["typing"]
    assert api.menu_button() == {"type": "commands"}
    assert api.commands() == []


# ==============================================================================================
# Callback queries and simulated users
# ==============================================================================================


async def test_button_press_and_answer_callback_query(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        msg = await bot.send_message(USER, "Sore today?", reply_markup=KEYBOARD)
        pressed = api.press_button(USER, msg.message_id, "yes")
        [update] = await bot.get_updates()
        query = update.callback_query
        assert query is not None and query.data == "yes"
        assert query.message is not None and query.message.message_id == msg.message_id
        assert query.from_user.id == USER
        assert await query.answer("Noted", show_alert=True)
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await query.answer("twice")
        with pytest.raises(BadRequest, match=r"(?i)query ID is invalid"):
            await bot.answer_callback_query("12345")
    assert pressed["callback_query"]["id"] == query.id
    assert api.answered_callback_ids() == [query.id]
    answer = await api.wait_for_callback_answer(query.id)
    assert answer["text"] == "Noted" and answer["show_alert"] is True
    with pytest.raises(AssertionError, match=r"no inline button.*\('Yes', 'yes'\)"):
        api.press_button(USER, msg.message_id, "maybe")


async def test_simulated_updates_are_valid_ptb_objects(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        updates = [api.send_text(USER, "/start promo42", first_name="Bea")]
        updates += [api.send_media(USER, kind) for kind in MEDIA_KINDS]
        updates.append(api.send_contact(USER, "+491701234567"))
        updates.append(api.send_text(USER, "hi all", chat_type="group", chat_title="Runners"))
        updates.append(api.send_text(USER, "/plan@footcoach_test_bot", chat_type="supergroup"))
        updates.append(api.edit_text(USER, 1, "/start promo43"))
        received = await bot.get_updates()
    assert [u.update_id for u in received] == [u["update_id"] for u in updates]
    assert [u.update_id for u in received] == list(range(1, len(updates) + 1))
    for update in received:
        assert_no_unknown_fields(update)
    start = received[0].message
    assert start is not None and start.text == "/start promo42"
    assert start.from_user is not None and start.from_user.first_name == "Bea"
    assert start.parse_entities() == {start.entities[0]: "/start"}
    for kind, update in zip(MEDIA_KINDS, received[1:10], strict=True):
        assert update.message is not None and getattr(update.message, kind), kind
    assert received[6].message is not None and received[6].message.document  # animation
    contact = received[10].message
    assert contact is not None and contact.contact is not None
    assert contact.contact.user_id == USER and contact.contact.first_name == "Bea"
    group = received[11].message
    assert group is not None and group.chat.type == "group" and group.chat.id < 0
    assert group.chat.title == "Runners"
    supergroup = received[12].message
    assert supergroup is not None and str(supergroup.chat.id).startswith("-100")
    assert supergroup.entities[0].length == len("/plan@footcoach_test_bot")
    edited = received[13].edited_message
    assert edited is not None and edited.message_id == 1 and edited.text == "/start promo43"
    # build_* only builds: nothing is queued.
    built = api.build_text_update(USER, "not queued")
    assert built["update_id"] == len(updates) + 1
    assert built not in api.pending_updates()


async def test_user_media_can_be_downloaded_by_the_bot(api: FakeBotAPI) -> None:
    api.send_media(USER, "voice", content=b"OggS-voice")
    async with ptb_bot(api) as bot:
        [update] = await bot.get_updates()
        assert update.message is not None and update.message.voice is not None
        voice_file = await update.message.voice.get_file()
        assert bytes(await voice_file.download_as_bytearray()) == b"OggS-voice"


# ==============================================================================================
# getUpdates semantics
# ==============================================================================================


async def test_get_updates_offset_limit_and_confirmation(api: FakeBotAPI) -> None:
    ids = [api.send_text(USER, f"m{i}")["update_id"] for i in range(5)]
    async with ptb_bot(api) as bot:
        assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
        # Not confirmed yet: the same updates come again.
        assert [u.update_id for u in await bot.get_updates()] == ids
        # offset confirms everything below it.
        assert [u.update_id for u in await bot.get_updates(offset=ids[3])] == ids[3:]
        assert [u["update_id"] for u in api.pending_updates()] == ids[3:]
        assert await bot.get_updates(offset=ids[-1] + 1) == ()
        assert api.pending_updates() == []
        # Negative offset keeps only the last N.
        more = [api.send_text(USER, f"n{i}")["update_id"] for i in range(3)]
        assert [u.update_id for u in await bot.get_updates(offset=-1)] == more[-1:]
        assert await bot.get_updates(offset=more[-1] + 1) == ()


async def test_get_updates_long_polls_until_an_update_or_timeout(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        started = time.monotonic()
        assert await bot.get_updates(timeout=dtm.timedelta(seconds=0.3)) == ()
        assert 0.25 <= time.monotonic() - started < 1.5

        async def user_writes_later() -> None:
            await asyncio.sleep(0.2)
            api.send_text(USER, "late")

        writer = asyncio.create_task(user_writes_later())
        started = time.monotonic()
        updates = await bot.get_updates(timeout=5)
        elapsed = time.monotonic() - started
        await writer
    assert [u.message.text for u in updates if u.message] == ["late"]
    assert 0.15 <= elapsed < 2.0, elapsed


async def test_get_updates_conflicts_with_webhook_and_webhook_is_recorded(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        assert await bot.set_webhook(
            "https://coach.example/hook", secret_token="s3cret", allowed_updates=["message"]
        )
        with pytest.raises(Conflict, match="webhook is active"):
            await bot.get_updates()
        info = await bot.get_webhook_info()
        assert_no_unknown_fields(info)
        assert info.url == "https://coach.example/hook"
        with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
            await bot.set_webhook("http://plain.example/hook")
        hook = api.webhook
        assert hook is not None and hook.secret_token == "s3cret"
        assert hook.allowed_updates == ["message"]
        api.send_text(USER, "queued while webhook set")
        assert await bot.delete_webhook(drop_pending_updates=True)
        assert await bot.get_updates() == ()
    assert api.webhook is None


# ==============================================================================================
# Failure injection
# ==============================================================================================


async def test_injected_errors_map_to_ptb_exceptions_and_deliver_nothing(api: FakeBotAPI) -> None:
    api.fail_next("sendMessage", "429", retry_after=3)
    api.fail_next("sendMessage", "500")
    api.fail_next("sendMessage", "403")
    api.fail_next("sendMessage", "400", description="Bad Request: chat not found")
    async with ptb_bot(api) as bot:
        with pytest.raises(RetryAfter) as retry:
            await bot.send_message(USER, "a")
        assert retry_after_of(retry.value) == 3
        with pytest.raises(NetworkError, match="Internal Server Error") as server_error:
            await bot.send_message(USER, "b")
        assert type(server_error.value) is NetworkError
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(USER, "c")
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(USER, "d")
        await bot.send_message(USER, "e")
    assert [m.text for m in api.messages(USER)] == ["e"]
    statuses = [(r.status, r.injected) for r in api.requests("sendMessage")]
    assert statuses == [(429, "429"), (500, "500"), (403, "403"), (400, "400"), (200, None)]
    assert api.count_429 == 1


async def test_injected_timeout_raises_timed_out_and_delivers_nothing(api: FakeBotAPI) -> None:
    api.fail_next("sendMessage", "timeout")
    api.fail_next("sendMessage", "slow")
    async with ptb_bot(api, read_timeout=0.3) as bot:
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "lost")
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "delivered but unconfirmed")
        await bot.send_message(USER, "fine")
    # "timeout" = never processed; "slow" = processed, only the answer was late.
    assert [m.text for m in api.messages(USER)] == ["delivered but unconfirmed", "fine"]


async def test_stop_releases_held_requests_and_long_polls() -> None:
    api = FakeBotAPI(token=TOKEN, timeout_delay=60)
    await api.start()
    api.fail_next("sendMessage", "timeout")
    bot = Bot(api.token, base_url=api.base_url, request=HTTPXRequest(read_timeout=60))
    await bot.initialize()
    held = asyncio.create_task(bot.send_message(USER, "held"))
    poll = asyncio.create_task(bot.get_updates(timeout=60))
    await api.wait_for(lambda: all(api.request_count(m) for m in ("sendMessage", "getUpdates")))
    started = time.monotonic()
    await api.stop()
    assert time.monotonic() - started < 2.5
    with pytest.raises(NetworkError):
        await held  # answered 504 at shutdown
    assert await poll == ()
    await bot.shutdown()


async def test_blocked_user_gets_403(api: FakeBotAPI) -> None:
    api.block(USER)
    async with ptb_bot(api) as bot:
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(USER, "hello?")
        await bot.send_message(USER + 1, "other users are fine")
        api.unblock(USER)
        await bot.send_message(USER, "back")
    assert api.delivered_counts() == {USER + 1: 1, USER: 1}


async def test_fail_rate_is_reproducible_and_counts_add_up(api: FakeBotAPI) -> None:
    async def run(seed: int) -> list[bool]:
        api.fail_rate("sendMessage", 0.3, kinds=("500", "502", "400"), seed=seed)
        outcomes = []
        async with ptb_bot(api) as bot:
            for i in range(60):
                try:
                    await bot.send_message(USER, f"{seed}-{i}")
                    outcomes.append(True)
                except NetworkError:
                    outcomes.append(False)
        return outcomes

    first = await run(seed=7)
    api.clear_records()
    second = await run(seed=7)
    assert first == second
    assert 8 <= first.count(False) <= 30  # ~18 expected
    assert api.delivered_count(USER) == first.count(True)
    api.fail_rate("sendMessage", 0)
    async with ptb_bot(api) as bot:
        await bot.send_message(USER, "no more failures")


async def test_wildcard_failures_spare_polling(api: FakeBotAPI) -> None:
    async with polling_app(api, APP_HANDLERS):
        api.fail_next("*", "500")
        first = api.send_text(USER, "one")
        await api.wait_for_update_fetched(first)
        failed = await api.wait_for_request("sendMessage")
        assert (failed.status, failed.injected) == (500, "500")
        api.send_text(USER, "two")
        [reply] = await api.wait_for_messages(USER, 1)
        assert reply.text == "echo: two"
    assert api.highest_fetched_update_id == first["update_id"] + 1
    assert all(r.injected is None for r in api.requests("getUpdates"))


async def test_naive_retry_after_slow_answer_shows_as_duplicate(api: FakeBotAPI) -> None:
    api.fail_next("sendMessage", "slow")
    async with ptb_bot(api, read_timeout=0.3) as bot:
        for _attempt in range(2):
            try:
                await bot.send_message(USER, "reminder")
                break
            except TimedOut:
                continue
    assert api.delivered_counts() == {USER: 2}
    assert api.delivered_total == 2


async def test_global_rate_limit_answers_429_beyond_limit(api: FakeBotAPI) -> None:
    api.set_global_rate_limit(5)
    async with ptb_bot(api) as bot:
        results = await asyncio.gather(
            *(bot.send_message(USER, f"burst {i}") for i in range(12)), return_exceptions=True
        )
        rejected = [r for r in results if isinstance(r, RetryAfter)]
        assert len(rejected) == 7 and len(results) - len(rejected) == 5
        assert all(retry_after_of(r) == 1 for r in rejected)
        await bot.get_me()  # not a send: never limited
        api.set_global_rate_limit(None)
        await bot.send_message(USER, "unlimited again")
    assert api.count_429 == 7
    assert api.delivered_count(USER) == 6


# ==============================================================================================
# Waiting helpers
# ==============================================================================================


async def test_wait_for_timeout_lists_what_was_sent(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        await bot.send_message(USER, "Good morning", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError) as failure:
        await api.wait_for_messages(USER, 2, timeout=0.2)
    report = str(failure.value)
    assert "2 message(s) to chat 4242" in report
    assert "'Good morning'" in report and "buttons=['Yes', 'No']" in report
    with pytest.raises(AssertionError, match="containing 'bye'"):
        await api.wait_for_text(USER, "bye", timeout=0.1)
    found = await api.wait_for_text(USER, "morning")
    assert found.message_id == 1


# ==============================================================================================
# End to end with a PTB Application
# ==============================================================================================


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None and update.effective_message.text is not None
    await update.effective_message.reply_text(f"echo: {update.effective_message.text}")


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    payload = " ".join(context.args or []) or "none"
    await update.effective_message.reply_text(f"payload={payload}", reply_markup=KEYBOARD)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None
    await query.answer(f"you said {query.data}")
    await query.edit_message_text(f"Answer: {query.data}")


APP_HANDLERS: list[BaseHandler[Any, Any, Any]] = [
    CommandHandler("start", start),
    MessageHandler(filters.TEXT & ~filters.COMMAND, echo),
    CallbackQueryHandler(on_button),
]


async def test_application_echo_deep_link_and_button(api: FakeBotAPI) -> None:
    async with polling_app(api, APP_HANDLERS):
        api.send_text(USER, "hello coach")
        [reply] = await api.wait_for_messages(USER, 1)
        assert reply.text == "echo: hello coach"

        api.send_text(USER, "/start from_ad")
        menu = (await api.wait_for_messages(USER, 2))[-1]
        assert menu.text == "payload=from_ad" and menu.button_texts == ["Yes", "No"]

        pressed = api.press_button(USER, menu.message_id, menu.callback_data("No"))
        answer = await api.wait_for_callback_answer(pressed["callback_query"]["id"])
        assert answer["text"] == "you said no"
        edited = await api.wait_for(lambda: api.message(USER, menu.message_id).edit_count == 1)
        assert edited
    assert api.message(USER, menu.message_id).text == "Answer: no"
    assert api.delivered_count(USER) == 2  # the edit is not a new message


async def test_application_burst_is_delivered_once_and_in_order(api: FakeBotAPI) -> None:
    texts = [f"set {i}" for i in range(40)]
    async with polling_app(api, APP_HANDLERS):
        for text in texts:
            api.send_text(USER, text)
        replies = await api.wait_for_messages(USER, len(texts))
        await asyncio.sleep(0.1)  # anything extra (duplicates) would show up now
    assert [m.text for m in api.messages(USER)] == [f"echo: {t}" for t in texts]
    assert len(replies) == len(texts)
    fetched = [u["update_id"] for r in api.requests("getUpdates") if r.ok for u in r.result]
    assert sorted(fetched) == list(range(1, len(texts) + 1))  # each update handed out once
    assert api.pending_updates() == []  # PTB confirmed everything on shutdown


async def test_application_in_webhook_mode(api: FakeBotAPI) -> None:
    app = ApplicationBuilder().token(api.token).base_url(api.base_url).build()
    for handler in APP_HANDLERS:
        app.add_handler(handler)
    port = free_port()
    async with app:
        await app.start()
        assert app.updater is not None
        await app.updater.start_webhook(
            listen="127.0.0.1",
            port=port,
            url_path="hook",
            webhook_url="https://coach.example/hook",
            secret_token="s3cret",
        )
        try:
            hook = api.webhook
            assert hook is not None and hook.url == "https://coach.example/hook"
            update = api.build_text_update(USER, "via webhook")
            url = f"http://127.0.0.1:{port}/hook"
            assert await api.post_update_to(url, update, secret_token="wrong") == 403
            assert await api.post_update_to(url, update, secret_token="s3cret") == 200
            [reply] = await api.wait_for_messages(USER, 1)
            assert reply.text == "echo: via webhook"
        finally:
            await app.updater.stop()
            await app.stop()


# ==============================================================================================
# Background-thread mode
# ==============================================================================================


def test_threaded_mode_from_sync_code() -> None:
    with FakeBotAPI(token=TOKEN) as api:
        base = f"{api.base_url}{TOKEN}"
        update = api.send_text(USER, "/start")
        with httpx.Client() as client:
            polled = client.post(f"{base}/getUpdates", data={"timeout": "1"}).json()
            assert [u["update_id"] for u in polled["result"]] == [update["update_id"]]
            client.post(f"{base}/sendMessage", data={"chat_id": str(USER), "text": "sync hi"})
        [msg] = api.wait_for_messages_sync(USER, 1)
        assert msg.text == "sync hi"
        with pytest.raises(AssertionError, match="sync hi"):
            api.wait_for_messages_sync(USER, 2, timeout=0.1)
    with pytest.raises(RuntimeError, match="not running"):
        _ = api.base_url


async def test_threaded_mode_with_ptb_on_the_test_loop() -> None:
    api = FakeBotAPI(token=TOKEN).start_in_thread()
    try:
        async with polling_app(api, APP_HANDLERS):
            api.send_text(USER, "across threads")
            [reply] = await api.wait_for_messages(USER, 1)
        assert reply.text == "echo: across threads"
    finally:
        api.stop_thread()
    assert api.internal_errors == []
