"""Lay out an A4 report: text measured and wrapped, blocks flowed onto pages, header and footer.

Positions are in inches from the page's top-left corner (`top` grows downwards), the way a page
is read; `Page` turns them into matplotlib's figure inches, which start at the bottom.
"""

from __future__ import annotations

import threading
import unicodedata
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache

from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties, findfont
from matplotlib.ft2font import FT2Font, LoadFlags
from matplotlib.lines import Line2D
from matplotlib.patches import FancyBboxPatch

PAGE_W = 210 / 25.4  # A4
PAGE_H = 297 / 25.4
LEFT = 0.6
RIGHT = PAGE_W - 0.6
WIDTH = RIGHT - LEFT
TOP = 0.55
BOTTOM = 0.85  # the content stops here; the footer sits below
RUNNING_HEAD = 0.38  # the line that names the report on pages after the first

INK = "#222222"
MUTED = "#5f5f5f"
RULE = "#c8c8c8"
ALERT = "#b3261e"

TITLE_PT = 18
HEADING_PT = 11.5
BODY_PT = 9
SMALL_PT = 7.5
LINE_SPACING = 1.3

ELLIPSIS = "…"


def line_height(pt: float) -> float:
    """Return the distance between two lines of text of this size, in inches."""
    return pt * LINE_SPACING / 72


# -- text -----------------------------------------------------------------------------------


_MEASURING = threading.Lock()  # a font object loads one glyph at a time


@lru_cache(maxsize=2)
def _font(bold: bool) -> FT2Font:
    # A font object of our own: matplotlib's shared ones (get_font) change size as they draw.
    font = FT2Font(findfont(FontProperties(weight="bold" if bold else "normal")))
    font.set_size(100, 72)
    return font


@lru_cache(maxsize=8192)
def _advance(char: str, bold: bool) -> float:
    """Return a character's advance width at 1 pt, in points (0 for one the font lacks)."""
    with _MEASURING:
        font = _font(bold)
        if not font.get_char_index(ord(char)):
            return 0.0
        glyph = font.load_char(ord(char), flags=LoadFlags.NO_HINTING)
        return float(glyph.linearHoriAdvance) / 65536 / 100


def text_width(text: str, pt: float, bold: bool = False) -> float:
    """Return how wide a line of text is, in inches (without kerning, so slightly generous)."""
    return sum(_advance(char, bold) for char in text) * pt / 72


@lru_cache(maxsize=8192)
def _printable(char: str) -> bool:
    category = unicodedata.category(char)
    if category.startswith("C") or category in ("Zl", "Zp"):
        return False
    # In both weights, so that a character can be drawn bold or not without a missing glyph.
    code = ord(char)
    return char == " " or bool(
        _font(False).get_char_index(code) and _font(True).get_char_index(code)
    )


def clean(text: str) -> str:
    """Return the text on one line, without control characters or glyphs the font lacks."""
    kept = "".join(char if _printable(char) else " " for char in text)
    return " ".join(kept.split())


def wrap(text: str, width: float, pt: float, bold: bool = False, max_lines: int = 0) -> list[str]:
    """Break text into lines no wider than `width` inches; at most `max_lines` (0: any)."""
    lines: list[str] = []
    line = ""
    for word in clean(text).split(" "):
        candidate = f"{line} {word}" if line else word
        if text_width(candidate, pt, bold) <= width:
            line = candidate
            continue
        if line:
            lines.append(line)
        # A word wider than the line (a long name, a web address) is cut where it must be.
        while text_width(word, pt, bold) > width and len(word) > 1:
            cut = len(word) - 1
            while cut > 1 and text_width(word[:cut], pt, bold) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        line = word
    if line or not lines:
        lines.append(line)
    if max_lines and len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = shorten(lines[-1] + ELLIPSIS, width, pt, bold)
    return lines


def shorten(text: str, width: float, pt: float, bold: bool = False) -> str:
    """Return the text, cut and ended with an ellipsis if it is wider than `width` inches."""
    text = clean(text)
    if text_width(text, pt, bold) <= width:
        return text
    while text and text_width(text + ELLIPSIS, pt, bold) > width:
        text = text[:-1]
    return text.rstrip(" ,;:-–") + ELLIPSIS


# -- drawing on a page ----------------------------------------------------------------------


class Page:
    """One A4 page, drawn with positions measured from its top-left corner in inches."""

    def __init__(self) -> None:
        self.figure = Figure(figsize=(PAGE_W, PAGE_H))

    def text(
        self,
        x: float,
        top: float,
        text: str,
        pt: float = BODY_PT,
        *,
        bold: bool = False,
        colour: str = INK,
        align: str = "left",
    ) -> None:
        """Write one line of text whose top is `top` inches below the page's top."""
        drawn = self.figure.text(
            x,
            PAGE_H - top,
            text,
            transform=self.figure.dpi_scale_trans,
            fontsize=pt,
            fontweight="bold" if bold else "normal",
            color=colour,
            ha=align,
            va="top",
            # People's words go in as they are: never read "$" as the start of a formula.
            parse_math=False,
        )
        # No "fi" ligature (matplotlib 3.11 shapes text): a ligature glyph goes into a second
        # embedded copy of the font, which costs a tenth of a second to subset.
        if hasattr(drawn, "set_fontfeatures"):
            drawn.set_fontfeatures(["-liga"])

    def lines(
        self,
        x: float,
        top: float,
        lines: Sequence[str],
        pt: float = BODY_PT,
        *,
        bold: bool = False,
        colour: str = INK,
    ) -> None:
        """Write lines one under the other, `line_height(pt)` apart."""
        for index, line in enumerate(lines):
            self.text(x, top + index * line_height(pt), line, pt, bold=bold, colour=colour)

    def rule(self, top: float, x0: float = LEFT, x1: float = RIGHT, colour: str = RULE) -> None:
        """Draw a thin horizontal line."""
        y = PAGE_H - top
        self.figure.add_artist(
            Line2D(
                [x0, x1], [y, y], color=colour, linewidth=0.6, transform=self.figure.dpi_scale_trans
            )
        )

    def box(self, top: float, height: float, *, edge: str, face: str, x0: float = LEFT) -> None:
        """Draw a rounded box across the text width."""
        self.figure.add_artist(
            FancyBboxPatch(
                (x0, PAGE_H - top - height),
                RIGHT - x0,
                height,
                boxstyle="round,pad=0,rounding_size=0.06",
                edgecolor=edge,
                facecolor=face,
                linewidth=1.2,
                transform=self.figure.dpi_scale_trans,
                zorder=0,
            )
        )

    def axes(self, x: float, top: float, width: float, height: float) -> Axes:
        """Add axes whose plotting area has this top-left corner and size, in inches."""
        return self.figure.add_axes(
            (x / PAGE_W, (PAGE_H - top - height) / PAGE_H, width / PAGE_W, height / PAGE_H)
        )


# -- flowing blocks onto pages --------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """A piece of the report that is never split: its height and how to draw it at a top."""

    height: float
    draw: Callable[[Page, float], None]
    space_before: float = 0.0
    keep_with_next: bool = False  # a heading stays on the page of what it heads
    repeat: Block | None = None  # drawn first when this block opens a page (a table's header)


def paginate(blocks: Sequence[Block]) -> list[list[tuple[Block, float]]]:
    """Place blocks top to bottom, page after page; return each page's blocks and their tops."""
    pages: list[list[tuple[Block, float]]] = [[]]
    cursor = TOP
    for index, block in enumerate(blocks):
        group = block.height
        follower = index
        while blocks[follower].keep_with_next and follower + 1 < len(blocks):
            follower += 1
            group += blocks[follower].space_before + blocks[follower].height
        gap = block.space_before if pages[-1] else 0.0
        if pages[-1] and cursor + gap + group > PAGE_H - BOTTOM:
            pages.append([])
            cursor = TOP + RUNNING_HEAD
            gap = 0.0
            if block.repeat is not None:
                pages[-1].append((block.repeat, cursor))
                cursor += block.repeat.height
        pages[-1].append((block, cursor + gap))
        cursor += gap + block.height
    return pages


def fits(pages: Sequence[Sequence[tuple[Block, float]]], most: int) -> bool:
    """Say whether the pages are no more than `most` and nothing runs into the footer."""
    if len(pages) > most:
        return False
    return all(
        top + block.height <= PAGE_H - BOTTOM + 1e-6 for page in pages for block, top in page
    )


def furnish(page: Page, number: int, pages: int, *, running_head: str, footer: str) -> None:
    """Add what every page carries: the footer and page number, and on later pages a heading."""
    if number > 1:
        page.text(LEFT, TOP, running_head, SMALL_PT, colour=MUTED)
        page.rule(TOP + RUNNING_HEAD - 0.14)
    page.rule(PAGE_H - 0.68)
    page.text(LEFT, PAGE_H - 0.6, footer, 8, bold=True, colour=INK)
    page.text(RIGHT, PAGE_H - 0.6, f"Page {number} of {pages}", 8, colour=MUTED, align="right")
