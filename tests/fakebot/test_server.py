"""The fake Bot API itself, driven through the real python-telegram-bot."""

from __future__ import annotations

import asyncio
import datetime as dtm
import warnings
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import httpx
import pytest
from telegram import (
    Bot,
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    TelegramObject,
)
from telegram.error import (
    BadRequest,
    EndPointNotFound,
    Forbidden,
    InvalidToken,
    NetworkError,
    RetryAfter,
    TimedOut,
)
from telegram.request import HTTPXRequest

from tests.conftest import TOKEN
from tests.fakebot import MEDIA_KINDS, FakeBotAPI

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
    async with Bot(
        api.token, base_url=api.base_url, request=HTTPXRequest(read_timeout=read_timeout)
    ) as bot:
        yield bot


def retry_after_of(exc: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # PTB 22 deprecates the int form of retry_after
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, dtm.timedelta) else float(value)


def assert_no_unknown_fields(value: object) -> None:
    """PTB keeps JSON fields it does not know in api_kwargs: the fake's objects have none."""
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


# -- the protocol ---------------------------------------------------------------------------


async def test_get_me_a_wrong_token_and_an_unknown_method(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        me = await bot.get_me()
        assert (me.id, me.is_bot, me.username) == (123456, True, "footcoach_test_bot")
        assert_no_unknown_fields(me)
        with pytest.raises(EndPointNotFound):  # PTB's name for a 404
            await bot.do_api_request("sendTelepathy")
    with pytest.raises(InvalidToken, match="rejected by the server"):
        async with Bot("999:WRONG", base_url=api.base_url):
            pass
    assert [(r.method, r.status) for r in api.requests()][-1] == ("getMe", 401)


async def test_string_parameters_stay_strings(api: FakeBotAPI) -> None:
    async with httpx.AsyncClient() as client:
        url = f"{api.base_url}{TOKEN}/sendMessage"
        answer = await client.post(url, data={"chat_id": "7", "text": "007"})
    assert answer.json()["result"]["text"] == "007"
    assert [m.text for m in api.messages(7)] == ["007"]


# -- sending, keyboards, edits --------------------------------------------------------------


async def test_messages_are_recorded_with_their_keyboards(api: FakeBotAPI) -> None:
    phone = ReplyKeyboardMarkup([[KeyboardButton("Share", request_contact=True)], ["Skip"]])
    async with ptb_bot(api) as bot:
        first = await bot.send_message(USER, "<b>Pick</b> &amp; go", "HTML", reply_markup=KEYBOARD)
        asked = await bot.send_message(USER, "Phone?", reply_markup=phone)
        removed = await bot.send_message(USER, "Thanks", reply_markup=ReplyKeyboardRemove())
        other = await bot.send_message(USER + 1, "hi")
    assert_no_unknown_fields([first, asked, removed])
    assert (first.message_id, asked.message_id, other.message_id) == (1, 2, 1)
    assert first.text == "Pick & go" and first.reply_markup == KEYBOARD  # as Telegram shows it
    assert asked.reply_markup is None  # a reply keyboard is not part of the message
    pick, ask, remove = api.messages(USER)
    assert (pick.text, pick.parse_mode, pick.seq) == ("<b>Pick</b> &amp; go", "HTML", 1)
    assert pick.button_texts == ["Yes", "No"] and pick.callback_data("No") == "no"
    assert ask.reply_keyboard[0][0] == {"text": "Share", "request_contact": True}
    assert remove.removes_keyboard and not ask.removes_keyboard
    assert api.delivered_counts() == {USER: 3, USER + 1: 1}


async def test_what_telegram_refuses_is_refused(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        too_long = InlineKeyboardMarkup([[InlineKeyboardButton("x", callback_data="x" * 65)]])
        refused: dict[str, Callable[[], Awaitable[object]]] = {
            r"(?i)BUTTON_DATA_INVALID": lambda: bot.send_message(USER, "t", reply_markup=too_long),
            r"(?i)message text is empty": lambda: bot.send_message(USER, "  "),
            r"(?i)message is too long": lambda: bot.send_message(USER, "\N{FOOT}" * 2049),
            r"(?i)unclosed start tag": lambda: bot.send_message(USER, "Pain <3 today", "HTML"),
            r"(?i)unsupported start tag": lambda: bot.send_message(USER, "<div>x</div>", "HTML"),
            r"(?i)can't find end tag": lambda: bot.send_message(USER, "<b>Stretch", "HTML"),
        }
        for match, send in refused.items():
            with pytest.raises(BadRequest, match=match):
                await send()
        await bot.send_message(USER, "a &gt; b, <i>fine</i>", "HTML")
        await bot.send_message(USER, "\N{FOOT}" * 2048)
        with pytest.raises(BadRequest, match=r"(?i)BOT_COMMAND_INVALID"):
            await bot.set_my_commands([BotCommand("Plan", "upper case is not allowed")])
    async with httpx.AsyncClient() as client:
        plain = '{"inline_keyboard": [[{"text": "plain"}]]}'
        answer = await client.post(
            f"{api.base_url}{TOKEN}/sendMessage",
            data={"chat_id": USER, "text": "t", "reply_markup": plain},
        )
    assert (
        answer.status_code == 400 and "Text buttons are unallowed" in answer.json()["description"]
    )
    assert api.delivered_count(USER) == 2
    async with FakeBotAPI(TOKEN, check_markup=False) as lenient, ptb_bot(lenient) as bot:
        await bot.send_message(USER, "Pain <3 today", "HTML")


async def test_edits_work_as_on_telegram(api: FakeBotAPI) -> None:
    undo = InlineKeyboardMarkup([[InlineKeyboardButton("Undo", callback_data="undo")]])
    async with ptb_bot(api) as bot:
        asked = await bot.send_message(USER, "Question?", reply_markup=KEYBOARD)
        edited = await bot.edit_message_text("Answered", USER, asked.message_id)
        assert isinstance(edited, type(asked)) and edited.edit_date is not None
        assert edited.reply_markup is None  # an edit without reply_markup drops the keyboard
        await bot.edit_message_reply_markup(USER, asked.message_id, reply_markup=undo)
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("Answered", USER, asked.message_id, reply_markup=undo)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("x", USER, 999)
    now = api.message(USER, asked.message_id)
    assert (now.text, now.edit_count, now.button_texts) == ("Answered", 2, ["Undo"])
    assert api.delivered_count(USER) == 1  # an edit is no new message


async def test_uploads_are_recorded(api: FakeBotAPI) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    async with ptb_bot(api) as bot:
        photo = await bot.send_photo(USER, png, caption="Your <b>progress</b>", parse_mode="HTML")
        document = await bot.send_document(USER, b"a,b\n1,2\n", filename="log.csv")
        animation = await bot.send_animation(USER, b"GIF89a", filename="move.gif")
    assert_no_unknown_fields([photo, document, animation])
    assert photo.caption == "Your progress" and photo.photo[-1].file_size == len(png)
    assert document.document is not None and document.document.file_name == "log.csv"
    assert animation.animation is not None
    sent_photo, sent_document, _ = api.messages(USER)
    assert sent_photo.photo == png and sent_photo.text == "Your <b>progress</b>"
    assert sent_document.document == b"a,b\n1,2\n" and sent_document.file is not None
    assert sent_document.file.filename == "log.csv"


async def test_commands_and_the_webhook_are_recorded(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        assert await bot.set_my_commands([BotCommand("start", "Begin")])
        assert await bot.set_webhook("https://coach.example/hook", secret_token="s3cret")
        assert api.webhook is not None and api.webhook.secret_token == "s3cret"
        with pytest.raises(BadRequest, match=r"(?i)HTTPS URL must be provided"):
            await bot.set_webhook("http://plain.example/hook")
        assert await bot.delete_webhook()
    assert api.commands() == [{"command": "start", "description": "Begin"}]
    assert api.webhook is None


# -- people and updates ---------------------------------------------------------------------


async def test_people_make_valid_updates(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        sent = [api.send_text(USER, "/start promo42", first_name="Bea")]
        sent += [api.send_media(USER, kind) for kind in MEDIA_KINDS]
        sent.append(api.send_contact(USER, "+491701234567"))
        sent.append(api.send_text(USER, "hi all", chat_id=-5001))
        sent.append(api.send_text(USER, "/plan@footcoach_test_bot", chat_id=-1005002))
        sent.append(api.edit_text(USER, 1, "/start promo43"))
        received = await bot.get_updates()
    assert [u.update_id for u in received] == [u["update_id"] for u in sent]
    assert_no_unknown_fields(received)
    start, *media = (u.message for u in received[: 1 + len(MEDIA_KINDS)])
    assert start is not None and start.from_user is not None and start.from_user.first_name == "Bea"
    assert start.parse_entities() == {start.entities[0]: "/start"}
    for kind, message in zip(MEDIA_KINDS, media, strict=True):
        assert message is not None and getattr(message, kind), kind
    contact, group, supergroup = (u.message for u in received[-4:-1])
    assert contact is not None and contact.contact is not None and contact.contact.user_id == USER
    assert group is not None and group.chat.type == "group"
    assert supergroup is not None and supergroup.chat.type == "supergroup"
    edited = received[-1].edited_message
    assert edited is not None and (edited.message_id, edited.text) == (1, "/start promo43")
    assert api.enqueued == len(sent)
    built = api.build_text_update(USER, "not queued")  # built only
    assert built["update_id"] == len(sent) + 1 and api.enqueued == len(sent)


async def test_a_button_press_is_answered_once(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        asked = await bot.send_message(USER, "Sore today?", reply_markup=KEYBOARD)
        pressed = api.press_button(USER, asked.message_id, "yes")
        [update] = await bot.get_updates()
        query = update.callback_query
        assert (
            query is not None
            and query.data == "yes"
            and query.id == pressed["callback_query"]["id"]
        )
        assert query.message is not None and query.message.message_id == asked.message_id
        assert await query.answer("Noted")
        with pytest.raises(BadRequest, match=r"(?i)query is too old"):
            await query.answer("twice")
    [answer] = [r for r in api.requests("answerCallbackQuery") if r.ok]
    assert answer.params == {"callback_query_id": query.id, "text": "Noted"}
    with pytest.raises(AssertionError, match="no button 'maybe'"):
        api.press_button(USER, asked.message_id, "maybe")
    api.press_button(USER, asked.message_id, "forged", check=False)


async def test_get_updates_confirms_by_offset_and_long_polls(api: FakeBotAPI) -> None:
    ids = [api.send_text(USER, f"m{i}")["update_id"] for i in range(4)]
    async with ptb_bot(api) as bot:
        assert [u.update_id for u in await bot.get_updates(limit=2)] == ids[:2]
        assert [u.update_id for u in await bot.get_updates(offset=ids[2])] == ids[2:]
        assert await bot.get_updates(offset=ids[-1] + 1) == ()  # nothing left, no long poll
        polling = asyncio.create_task(bot.get_updates(offset=ids[-1] + 1, timeout=30))
        await api.wait_for(lambda: api.request_count("getUpdates") == 4)
        late = api.send_text(USER, "late")
        assert [u.update_id for u in await polling] == [late["update_id"]]
        await api.wait_for_update_consumed({"update_id": ids[-1]})
        assert await bot.get_updates(offset=late["update_id"] + 1) == ()


# -- failures -------------------------------------------------------------------------------


async def test_injected_failures_map_to_ptb_errors_and_deliver_nothing(api: FakeBotAPI) -> None:
    api.fail_next("sendMessage", "500")
    api.fail_next("sendMessage", "timeout")
    api.block(USER + 1)
    async with ptb_bot(api, read_timeout=0.3) as bot:
        with pytest.raises(NetworkError, match="Internal Server Error"):
            await bot.send_message(USER, "a")
        with pytest.raises(TimedOut):
            await bot.send_message(USER, "b")  # held, never processed
        with pytest.raises(Forbidden, match="blocked"):
            await bot.send_message(USER + 1, "c")
        api.fail_next("sendMessage", "429", retry_after=3)
        with pytest.raises(RetryAfter) as flood:
            await bot.send_message(USER, "d")
        assert retry_after_of(flood.value) == 3
        with pytest.raises(RetryAfter):  # sent again before the 3 seconds passed
            await bot.send_message(USER + 2, "e")
        assert await bot.get_me()  # other methods are not held back
    injected = [r.injected for r in api.requests("sendMessage")]
    assert injected == ["500", "timeout", None, "429", "flood"]
    assert api.delivered_counts() == {}
    assert api.count_429 == 2


async def test_a_failure_rate_is_reproducible(api: FakeBotAPI) -> None:
    async def run(seed: int) -> list[bool]:
        api.fail_rate("getMe", 0.3, kinds=("500",), seed=seed)
        outcomes = []
        async with ptb_bot(api) as bot:
            for _ in range(40):
                try:
                    outcomes.append(bool(await bot.get_me()))
                except NetworkError:
                    outcomes.append(False)
        return outcomes

    first = await run(seed=7)
    assert first == await run(seed=7)
    assert 4 <= first.count(False) <= 24


async def test_a_global_rate_limit_answers_429_beyond_it(api: FakeBotAPI) -> None:
    api.set_global_rate_limit(5)
    async with ptb_bot(api) as bot:
        results = await asyncio.gather(
            *(bot.send_message(USER, f"burst {i}") for i in range(12)), return_exceptions=True
        )
    assert sum(isinstance(r, RetryAfter) for r in results) == 7
    assert api.delivered_count(USER) == 5 and api.count_429 == 7


async def test_a_hold_keeps_calls_unprocessed_until_released(api: FakeBotAPI) -> None:
    hold = api.hold("sendMessage", chat_id=USER)
    async with ptb_bot(api) as bot:
        held = asyncio.create_task(bot.send_message(USER, "held"))
        await bot.send_message(USER + 1, "another chat goes through")
        await api.wait_for(lambda: hold.arrived == 1)
        assert api.delivered_count(USER) == 0 and not held.done()
        api.release(hold)
        await held
    assert [m.text for m in api.messages(USER)] == ["held"]


async def test_stopping_answers_held_calls_and_long_polls() -> None:
    api = await FakeBotAPI(TOKEN, timeout_delay=600).__aenter__()
    api.fail_next("sendMessage", "timeout")
    request = HTTPXRequest(read_timeout=600)
    async with Bot(api.token, base_url=api.base_url, request=request) as bot:
        held = asyncio.create_task(bot.send_message(USER, "held"))
        poll = asyncio.create_task(bot.get_updates(timeout=600))
        both = lambda: api.request_count("sendMessage") + api.request_count("getUpdates") == 2  # noqa: E731
        await api.wait_for(both)
        await api.stop()
        with pytest.raises(NetworkError):
            await held  # answered 504 as the server stops
        assert await poll == ()


async def test_a_wait_that_times_out_says_what_was_sent(api: FakeBotAPI) -> None:
    async with ptb_bot(api) as bot:
        await bot.send_message(USER, "Good morning", reply_markup=KEYBOARD)
    with pytest.raises(AssertionError) as failure:
        await api.wait_for_messages(USER, 2, timeout=0.1)
    assert "2 message(s) to chat 4242" in str(failure.value)
    assert "'Good morning' buttons=['Yes', 'No']" in str(failure.value)


async def test_a_stopped_server_has_no_address() -> None:
    async with FakeBotAPI(TOKEN) as api:
        assert api.base_url.startswith("http://127.0.0.1:")
    with pytest.raises(RuntimeError, match="not running"):
        _ = api.base_url
