"""A conservative imitation of Telegram's formatting parsers.

Telegram rejects a message whose HTML or MarkdownV2 markup it cannot parse with
``400 Bad Request: can't parse entities: ...`` -- the classic production failure of a bot that
puts user input or a date like ``25.11.`` into a formatted message. These checks flag the clear
cases (unknown or unbalanced HTML tags, a bare ``<``; MarkdownV2 characters that are never markup
and must be escaped) and accept anything doubtful, so a valid message is never refused.
"""

from __future__ import annotations

import re
from typing import NoReturn

from ._records import bad_request

HTML_TAGS: frozenset[str] = frozenset(
    {
        "b", "strong", "i", "em", "u", "ins", "s", "strike", "del", "span", "tg-spoiler", "a",
        "code", "pre", "blockquote", "tg-emoji", "tg-time",
    }
)  # fmt: skip

# Reserved in MarkdownV2 and never the start of an entity (unlike _ * [ ] ( ) ~ ` > |),
# so an unescaped one outside code and link URLs is always an error on Telegram.
_MD2_NEVER_MARKUP = frozenset("#+-={}.!")
_TAG_NAME = re.compile(r"[A-Za-z][A-Za-z0-9-]*")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _fail(detail: str) -> NoReturn:
    raise bad_request(f"can't parse entities: {detail}")


def check_html(text: str) -> None:
    stack: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch != "<":
            i += 1
            continue
        offset = _byte_offset(text, i)
        closing = i + 1 < n and text[i + 1] == "/"
        start = i + 2 if closing else i + 1
        match = _TAG_NAME.match(text, start)
        name = match.group(0).lower() if match else ""
        end = text.find(">", start)
        if end < 0:
            _fail(f"Unclosed start tag at byte offset {offset}")
        if closing:
            if not stack:
                _fail(f"Unexpected end tag at byte offset {offset}")
            if name and name != stack[-1]:
                _fail(
                    f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", '
                    f'found "</{name}>"'
                )
            stack.pop()
        elif name not in HTML_TAGS:
            shown = name or text[start : start + 1]
            _fail(f'Unsupported start tag "{shown}" at byte offset {offset}')
        else:
            stack.append(name)
        i = end + 1
    if stack:
        _fail(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')


def check_markdown_v2(text: str) -> None:
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if ch == "`":
            # Inline code or a ``` block: only ` and \ are special inside.
            fence = "```" if text.startswith("```", i) else "`"
            j = i + len(fence)
            while j < n and not text.startswith(fence, j):
                j += 2 if text[j] == "\\" else 1
            if j >= n:
                entity = "Pre" if fence == "```" else "Code"
                _fail(f"Can't find end of {entity} entity at byte offset {_byte_offset(text, i)}")
            i = j + len(fence)
            continue
        if ch == "]" and text.startswith("](", i):
            # Link URL: only ) and \ need escaping inside.
            j = i + 2
            while j < n and text[j] != ")":
                j += 2 if text[j] == "\\" else 1
            i = j + 1
            continue
        if ch in _MD2_NEVER_MARKUP and not (ch == "!" and text.startswith("![", i)):
            _fail(f"Character '{ch}' is reserved and must be escaped with the preceding '\\'")
        i += 1


def check_markup(text: str, parse_mode: str | None) -> None:
    """Raise 400 "can't parse entities" like Telegram for clearly malformed markup."""
    if parse_mode is None or parse_mode == "":
        return
    mode = parse_mode.lower()
    if mode == "html":
        check_html(text)
    elif mode == "markdownv2":
        check_markdown_v2(text)
    elif mode != "markdown":
        raise bad_request("unsupported parse_mode")
