"""Draw the report a person takes to a clinician: an A4 PDF of one or two pages.

Laid out to be read in half a minute: who and what, the warning signs in a box, the numbers at
a glance, pain and function over time, then the program and how much of it was done. Every page
says that it is self-reported and not a diagnosis. Only the first name appears; no phone number,
no user id, nothing in the file's metadata.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from matplotlib import rc_context
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from bot.core.progress import Checkin, daily_checkins
from bot.core.report import FunctionMeasure, ProgramLine, ReportData, ReportedSign, WeekAdherence
from bot.render.charts import _LINE_COLOUR
from bot.render.report_charts import (
    DayAxis,
    adherence_chart_height,
    day_label,
    draw_adherence_chart,
    draw_function_chart,
    draw_pain_chart,
    function_chart_height,
    function_keys,
    pain_chart_height,
)
from bot.render.report_layout import (
    ALERT,
    BODY_PT,
    HEADING_PT,
    INK,
    LEFT,
    MUTED,
    RIGHT,
    RULE,
    SMALL_PT,
    TITLE_PT,
    WIDTH,
    Block,
    Page,
    clean,
    fits,
    furnish,
    line_height,
    paginate,
    shorten,
    text_width,
    wrap,
)

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

FOOTER = "Self-reported by the person through Footcoach. Not a diagnosis."
MOST_PAGES = 2
URGENCY = {
    "emergency": "Emergency: told to get help now",
    "urgent": "Urgent: told to be seen today",
    "soon": "Soon: told to be seen within days",
}
MEANINGFUL = 2  # points on a 0-10 function rating (PSFS)
_NAME_MOST = 40  # characters of a first name shown
_SECTION_GAP = 0.24
_BODY_LH = line_height(BODY_PT)
_SMALL_LH = line_height(SMALL_PT)

# matplotlib's rcParams are global: the lock keeps two reports from changing them under each
# other, so every report is saved with its text as embedded TrueType (selectable, extractable).
_LOCK = threading.Lock()
SAVE_RC: dict[RcKeyType, Any] = {
    "pdf.fonttype": 42,
    # matplotlib 3.11's PDF writer sizes its font subsets by this one.
    "ps.fonttype": 42,
    "pdf.compression": 9,
    # Widths unhinted, as the PDF places glyphs and as report_layout measures them: so that
    # right-aligned text ends where it was meant to.
    "text.hinting": "no_hinting",
}


@dataclass(frozen=True)
class Detail:
    """How much of the long lists to show: the report gives some up to stay within two pages."""

    changes: int  # level changes per move, the latest ones (0: all)
    moves: int
    activities: int
    cell_lines: int  # lines a table cell may take
    glance_lines: int  # lines an "at a glance" item may take
    plots: tuple[float, float, float] = (1.45, 1.3, 0.95)  # pain, function, sessions; inches


# Warning signs are never given up: there are a dozen kinds at most, each shown in full.
SIGNS_SHOWN = 12
DETAILS = (
    Detail(changes=0, moves=30, activities=6, cell_lines=4, glance_lines=2),
    Detail(changes=4, moves=12, activities=6, cell_lines=3, glance_lines=2),
    Detail(changes=2, moves=8, activities=4, cell_lines=2, glance_lines=1),
    Detail(changes=1, moves=5, activities=3, cell_lines=1, glance_lines=1),
    Detail(1, 3, 2, cell_lines=1, glance_lines=1, plots=(1.0, 0.9, 0.7)),
    Detail(1, 1, 1, cell_lines=1, glance_lines=1, plots=(0.9, 0.8, 0.6)),
)


def render_report(data: ReportData) -> bytes:
    """Return the report as the bytes of an A4 PDF of one or two pages."""
    with _LOCK:
        figures = report_pages(data)
        buffer = io.BytesIO()
        metadata = {
            "Title": "Footcoach self-care report",
            "Creator": "Footcoach",
            "Producer": None,
            "CreationDate": data.made_at,
        }
        with (
            rc_context(SAVE_RC),
            PdfPages(buffer, metadata=metadata) as pdf,
        ):
            for figure in figures:
                pdf.savefig(figure)
        return buffer.getvalue()


def report_pages(data: ReportData) -> list[Figure]:
    """Lay the report out and draw each page as an A4 figure, not yet saved."""
    facts = Facts.of(data)
    for detail in DETAILS:
        pages = paginate(_blocks(facts, detail))
        if fits(pages, MOST_PAGES):
            break
    figures = []
    for number, placed in enumerate(pages, start=1):
        page = Page()
        for block, top in placed:
            block.draw(page, top)
        furnish(page, number, len(pages), running_head=facts.running_head, footer=FOOTER)
        figures.append(page.figure)
    return figures


# -- the facts, sorted and summed once ------------------------------------------------------


@dataclass(frozen=True)
class Facts:
    """The report's data put in order: one check-in a day, weeks by date, the span of days."""

    data: ReportData
    made: date
    name: str  # "Anna", or "you"
    pain: list[Checkin]
    weeks: list[WeekAdherence]
    measures: list[FunctionMeasure]
    program: list[ProgramLine]
    signs: list[ReportedSign]
    start: date
    axis: DayAxis | None
    years: bool  # dates need their year: the data spans more than one

    @classmethod
    def of(cls, data: ReportData) -> Facts:
        """Sort and tidy the report's data."""
        made = data.made_at.date()
        pain = daily_checkins(data.pain, made)
        weeks = list(
            {w.week_of: w for w in sorted(data.adherence, key=lambda w: w.week_of)}.values()
        )
        measures = [
            m.model_copy(update={"scores": tuple(sorted(m.scores, key=lambda s: s.day))})
            for m in data.function
        ]
        charted = [c.day for c in pain] + [w.week_of for w in weeks]
        charted += [s.day for m in measures for s in m.scores]
        axis = None
        if charted:
            end = max([made, *charted, *(w.week_of + timedelta(days=6) for w in weeks)])
            axis = DayAxis(min(charted), end)
        # The period is the days something happened: a week's Monday may come before them.
        every = [c.day for c in pain] + [s.day for m in measures for s in m.scores]
        every += [w.week_of for w in weeks if not every]
        for line in data.program:
            every += [step.day for step in line.levels]
            every += [line.dropped_on] if line.dropped_on else []
        for sign in data.signs:
            every += [d for d in (sign.reported_on, sign.checked_on) if d]
        start = min([made, *every])
        name = shorten(clean(data.first_name or ""), 3.0, BODY_PT)[:_NAME_MOST] or "you"
        return cls(
            data=data,
            made=made,
            name=name,
            pain=pain,
            weeks=weeks,
            measures=measures,
            # What the person does now first, what they dropped after.
            program=sorted(data.program, key=lambda line: line.dropped_on is not None),
            signs=sorted(data.signs, key=_sign_order),
            start=start,
            axis=axis,
            years=start.year != max([made, *every]).year,
        )

    def day(self, day: date) -> str:
        """Format a day, with its year when the report spans more than one."""
        return day_label(day, year=self.years)

    @property
    def running_head(self) -> str:
        """Return the line that names the report on its later pages."""
        return (
            f"Footcoach · Self-care report for {self.name} · made {day_label(self.made, year=True)}"
        )


def _sign_order(sign: ReportedSign) -> tuple[int, date]:
    rank = list(URGENCY).index(sign.urgency) if sign.urgency in URGENCY else len(URGENCY)
    return rank, sign.reported_on or date.min


# -- the blocks -----------------------------------------------------------------------------


def _blocks(facts: Facts, detail: Detail) -> list[Block]:
    blocks = [_header(facts), _about(facts), _signs(facts, detail)]
    glance = _glance(facts, detail)
    if glance:
        blocks.append(_heading("At a glance", keep=True))
        blocks.append(_bullets(glance, detail.glance_lines))
    blocks += _pain(facts, detail)
    blocks += _function(facts, detail)
    blocks += _program(facts, detail)
    blocks += _adherence(facts, detail)
    return blocks


def _header(facts: Facts) -> Block:
    title = wrap(f"Self-care report for {facts.name}", WIDTH, TITLE_PT, bold=True, max_lines=2)
    made = day_label(facts.made, year=True)
    if facts.start < facts.made:
        days = (facts.made - facts.start).days + 1
        period = f"Period covered: {day_label(facts.start, year=True)} to {made} ({days} days)"
    else:
        period = f"Period covered: {made}"
    title_top = 0.3
    period_top = title_top + len(title) * line_height(TITLE_PT) + 0.04
    height = period_top + _BODY_LH + 0.12

    def draw(page: Page, top: float) -> None:
        page.text(LEFT, top, "Footcoach", 10, bold=True, colour=_LINE_COLOUR)
        page.text(RIGHT, top, f"Made {made}", BODY_PT, colour=MUTED, align="right")
        page.lines(LEFT, top + title_top, title, TITLE_PT, bold=True)
        page.text(LEFT, top + period_top, period, BODY_PT, colour=MUTED)
        page.rule(top + height - 0.02)

    return Block(height, draw)


_LABEL_W = 1.05


def _about(facts: Facts) -> Block:
    width = WIDTH - _LABEL_W
    complaint = clean(facts.data.complaint)
    complaint = complaint[:1].upper() + complaint[1:] if complaint else "Not said"
    conditions = "; ".join(clean(c) for c in facts.data.conditions if clean(c)) or "None reported"
    rows = [
        ("Complaint", wrap(complaint, width, BODY_PT, max_lines=3)),
        ("Conditions", wrap(conditions, width, BODY_PT, max_lines=3)),
    ]
    height = sum(len(lines) for _, lines in rows) * _BODY_LH + 0.04 * (len(rows) - 1)

    def draw(page: Page, top: float) -> None:
        for label, lines in rows:
            page.text(LEFT, top, label, BODY_PT, bold=True)
            page.lines(LEFT + _LABEL_W, top, lines)
            top += len(lines) * _BODY_LH + 0.04

    return Block(height, draw, space_before=0.16)


_PAD = 0.12
_SIGN_COLUMNS = (
    ("Sign", 2.3),
    ("Urgency", 2.15),
    ("Reported on", 1.1),
    ("Checked by a professional on", 0.0),  # the rest
)


def _none_reported(screened_on: date | None) -> str:
    """Tell "asked, and none" from "never asked": they mean different things to a clinician."""
    if screened_on is None:
        return "None reported. The warning-sign questions have not been asked yet."
    return f"None reported when asked on {day_label(screened_on, year=True)}."


def _signs(facts: Facts, detail: Detail) -> Block:
    """Draw the warning signs in a box with a red edge, or a grey one saying there were none."""
    inner = WIDTH - 2 * _PAD
    widths = [w or inner - sum(w for _, w in _SIGN_COLUMNS) for _, w in _SIGN_COLUMNS]
    shown = facts.signs[:SIGNS_SHOWN]
    cell_lines = max(2, detail.cell_lines)
    rows: list[list[tuple[list[str], bool, str]]] = []
    for sign in shown:
        urgency = URGENCY.get(sign.urgency, clean(sign.urgency).capitalize())
        reported = day_label(sign.reported_on, year=True) if sign.reported_on else "Date not kept"
        checked = (
            (day_label(sign.checked_on, year=True), False, INK)
            if sign.checked_on
            else ("Not yet checked", True, ALERT)
        )
        serious = sign.urgency in ("emergency", "urgent")
        cells = [
            (sign.label, True, INK),
            (urgency, serious, ALERT if serious else INK),
            (reported, False, INK),
            checked,
        ]
        rows.append(
            [
                (wrap(text, width - 0.1, BODY_PT, bold, max_lines=cell_lines), bold, colour)
                for (text, bold, colour), width in zip(cells, widths, strict=True)
            ]
        )
    left_out = len(facts.signs) - len(shown)
    heading_h = line_height(10.5) + 0.06
    titles = [
        wrap(title, width - 0.1, SMALL_PT, bold=True)
        for (title, _), width in zip(_SIGN_COLUMNS, widths, strict=True)
    ]
    titles_h = max(len(lines) for lines in titles) * _SMALL_LH + 0.05
    if rows:
        row_hs = [max(len(lines) for lines, _, _ in row) * _BODY_LH + 0.05 for row in rows]
        body_h = titles_h + sum(row_hs) + (_BODY_LH if left_out else 0.0)
    else:
        row_hs, body_h = [], _BODY_LH
    height = _PAD + heading_h + body_h + _PAD - 0.04

    def draw(page: Page, top: float) -> None:
        edge, face = (ALERT, "#fdf1f0") if rows else ("#9a9a9a", "#f7f7f7")
        page.box(top, height, edge=edge, face=face)
        x0, y = LEFT + _PAD, top + _PAD
        page.text(x0, y, "WARNING SIGNS", 10.5, bold=True, colour=ALERT if rows else MUTED)
        y += heading_h
        if not rows:
            page.text(x0, y, _none_reported(facts.data.screened_on), BODY_PT)
            return
        x = x0
        for lines, width in zip(titles, widths, strict=True):
            page.lines(x, y, lines, SMALL_PT, bold=True, colour=MUTED)
            x += width
        y += titles_h
        for row, row_h in zip(rows, row_hs, strict=True):
            x = x0
            for (lines, bold, colour), width in zip(row, widths, strict=True):
                page.lines(x, y, lines, BODY_PT, bold=bold, colour=colour)
                x += width
            y += row_h
        if left_out:
            page.text(x0, y, f"and {left_out} more not shown", BODY_PT, colour=MUTED)

    return Block(height, draw, space_before=0.2)


def _heading(title: str, subtitle: str = "", *, keep: bool, note: str = "") -> Block:
    """A section's title, a line that says how to read it, and maybe a note ("No check-ins yet")."""
    lines = wrap(subtitle, WIDTH, BODY_PT, max_lines=3) if subtitle else []
    notes = wrap(note, WIDTH, BODY_PT, max_lines=2) if note else []
    height = line_height(HEADING_PT) + len(lines) * _BODY_LH + len(notes) * _BODY_LH + 0.06

    def draw(page: Page, top: float) -> None:
        page.text(LEFT, top, title, HEADING_PT, bold=True)
        top += line_height(HEADING_PT)
        page.lines(LEFT, top, lines, BODY_PT, colour=MUTED)
        page.lines(LEFT, top + len(lines) * _BODY_LH, notes, BODY_PT)

    return Block(height, draw, space_before=_SECTION_GAP, keep_with_next=keep)


_BULLET_INDENT = 0.16


def _bullets(items: Sequence[str], most_lines: int) -> Block:
    wrapped = [wrap(item, WIDTH - _BULLET_INDENT, BODY_PT, max_lines=most_lines) for item in items]
    height = sum(len(lines) for lines in wrapped) * _BODY_LH

    def draw(page: Page, top: float) -> None:
        for lines in wrapped:
            page.text(LEFT + 0.02, top, "•", BODY_PT, colour=MUTED)
            page.lines(LEFT + _BULLET_INDENT, top, lines)
            top += len(lines) * _BODY_LH

    return Block(height, draw)


def _points(change: int, *, lower_is_better: bool) -> str:
    if change == 0:
        return "no change"
    word = "lower" if change < 0 else "higher"
    better = (change < 0) == lower_is_better
    size = abs(change)
    text = f"{size} point{'s' if size != 1 else ''} {word}"
    if size >= MEANINGFUL and not lower_is_better:
        text += ", a meaningful change" + ("" if better else " for the worse")
    return text


def _glance(facts: Facts, detail: Detail) -> list[str]:
    items = []
    if facts.pain:
        first, last = facts.pain[0], facts.pain[-1]
        if len(facts.pain) == 1:
            items.append(f"Pain (0-10): {first.score} on {facts.day(first.day)}, one check-in")
        else:
            change = _points(last.score - first.score, lower_is_better=True)
            items.append(
                f"Pain (0-10, lower is better): {first.score} on {facts.day(first.day)}, "
                f"{last.score} on {facts.day(last.day)} ({change}); "
                f"{_count(len(facts.pain), 'check-in')}"
            )
    planned = sum(w.planned for w in facts.weeks)
    done = sum(w.done for w in facts.weeks)
    if facts.weeks:
        weeks = f"{len(facts.weeks)} week{'s' if len(facts.weeks) != 1 else ''}"
        if planned:
            items.append(
                f"Sessions: {done} of {planned} planned done ({round(100 * done / planned)}%) "
                f"over {weeks}"
            )
        else:
            items.append(f"Sessions: {done} done over {weeks}, none planned")
    if facts.program:
        active = sum(1 for line in facts.program if line.dropped_on is None)
        changes = sum(len(line.levels) - 1 for line in facts.program)
        dropped = len(facts.program) - active
        items.append(
            f"Program: {active} move{'s' if active != 1 else ''} now, "
            f"{changes} level change{'s' if changes != 1 else ''}, {dropped} dropped"
        )
    for measure in facts.measures[: min(3, detail.activities)]:
        activity = clean(measure.activity)
        scores = measure.scores
        if not scores:
            items.append(f"{activity}: not rated yet")
        elif len(scores) == 1:
            items.append(f"{activity} (0-10): {scores[0].score}, rated once")
        else:
            change = _points(scores[-1].score - scores[0].score, lower_is_better=False)
            items.append(
                f"{activity} (0-10, higher is better): {scores[0].score} → {scores[-1].score} "
                f"({change})"
            )
    return items


def _chart(height: float, draw: Callable[[Page, float], None]) -> Block:
    return Block(height, draw, space_before=0.08)


def _pain(facts: Facts, detail: Detail) -> list[Block]:
    title = "Pain by day"
    scale = "0 = no pain, 10 = the worst imaginable; lower is better."
    if not facts.pain or facts.axis is None:
        return [_heading(title, keep=False, note="No check-ins yet.")]
    axis, pain, plot = facts.axis, facts.pain, detail.plots[0]
    done = sum(1 for c in pain if c.done)
    if len(pain) == 1:  # "done on 1 of that day" read oddly
        routine = "the routine was done that day" if done else "no routine was done that day"
    else:
        routine = f"the routine was done on {done} of those days"
    subtitle = f"{scale} {_count(len(pain), 'check-in')}; {routine}."
    return [
        _heading(title, subtitle, keep=True),
        _chart(
            pain_chart_height(plot), lambda page, top: draw_pain_chart(page, top, plot, axis, pain)
        ),
    ]


def _function(facts: Facts, detail: Detail) -> list[Block]:
    title = "Activities the person finds hard"
    rated = [m for m in facts.measures if m.scores]
    if not rated or facts.axis is None:
        names = "; ".join(clean(m.activity) for m in facts.measures)
        note = f"Not rated yet: {names}." if names else "No activities rated yet."
        return [_heading(title, keep=False, note=note)]
    axis, plot = facts.axis, detail.plots[1]
    charted = rated[: detail.activities]
    labels = [_activity_label(m) for m in charted]
    keys = function_keys(charted, labels)
    subtitle = (
        "Each rated 0-10: 0 = unable to do it, 10 = able to do it as before the problem; "
        f"higher is better. A change of {MEANINGFUL} points or more is meaningful."
    )
    notes = []
    left_out = len(rated) - len(charted)
    if left_out:
        notes.append(f"{left_out} more activit{'ies' if left_out != 1 else 'y'} not charted.")
    unrated = "; ".join(clean(m.activity) for m in facts.measures if not m.scores)
    if unrated:
        notes.append(f"Not rated yet: {unrated}.")
    note = " ".join(notes)
    return [
        _heading(title, subtitle, keep=True, note=note),
        _chart(
            function_chart_height(plot, keys),
            lambda page, top: draw_function_chart(page, top, plot, axis, charted, keys),
        ),
    ]


def _activity_label(measure: FunctionMeasure) -> str:
    first, last = measure.scores[0].score, measure.scores[-1].score
    if len(measure.scores) == 1:
        return f"{clean(measure.activity)}: {first}"
    return f"{clean(measure.activity)}: {first} → {last}"


def _adherence(facts: Facts, detail: Detail) -> list[Block]:
    title = "Sessions by week"
    if not facts.weeks or facts.axis is None:
        return [_heading(title, keep=False, note="No sessions planned yet.")]
    axis, weeks, plot = facts.axis, facts.weeks, detail.plots[2]
    subtitle = "Planned and done, Monday to Sunday; the figures over each bar are done/planned."
    if axis.day_pt() * 7 < 24:
        subtitle = "Planned and done, Monday to Sunday."
    return [
        _heading(title, subtitle, keep=True),
        _chart(
            adherence_chart_height(plot),
            lambda page, top: draw_adherence_chart(page, top, plot, axis, weeks),
        ),
    ]


# -- the program table ----------------------------------------------------------------------

_MOVE_W = 1.95
_NOW_W = 1.75
_CHANGES_X = LEFT + _MOVE_W + _NOW_W


def _program(facts: Facts, detail: Detail) -> list[Block]:
    title = "Program"
    if not facts.program:
        return [_heading(title, keep=False, note="No program yet.")]
    heading = _heading(
        title, "Each move, its level now, and every change of level with the reason.", keep=True
    )
    header = _program_header()
    lines = facts.program[: detail.moves]
    blocks = [heading, header]
    continued = _program_header(continued=True)
    blocks += [_program_row(facts, line, detail, continued) for line in lines]
    left_out = len(facts.program) - len(lines)
    if left_out:
        note = f"{left_out} more move{'s' if left_out != 1 else ''} not shown."

        def draw(page: Page, top: float) -> None:
            page.text(LEFT, top + 0.04, note, BODY_PT, colour=MUTED)

        blocks.append(Block(_BODY_LH + 0.04, draw))
    return blocks


def _program_header(*, continued: bool = False) -> Block:
    titles = (
        ("Move (continued)" if continued else "Move", LEFT),
        ("Level now", LEFT + _MOVE_W),
        ("Levels over time: from, level, why", _CHANGES_X),
    )
    height = _SMALL_LH + 0.06

    def draw(page: Page, top: float) -> None:
        for text, x in titles:
            page.text(x, top, text, SMALL_PT, bold=True, colour=MUTED)
        page.rule(top + height - 0.02)

    return Block(height, draw, keep_with_next=True)


def _program_row(facts: Facts, line: ProgramLine, detail: Detail, continued: Block) -> Block:
    cells = detail.cell_lines
    move = wrap(line.exercise, _MOVE_W - 0.12, BODY_PT, bold=True, max_lines=cells)
    if line.dropped_on:
        now = ["Dropped"]
    else:
        now = wrap(line.levels[-1].level, _NOW_W - 0.12, BODY_PT, max_lines=cells)
    steps: list[tuple[str, str]] = []
    for index, step in enumerate(line.levels):
        why = clean(step.reason) or ("start" if index == 0 else "")
        steps.append((facts.day(step.day), f"{clean(step.level)} — {why}" if why else step.level))
    if line.dropped_on:
        steps.append((facts.day(line.dropped_on), "Dropped"))
    earlier = 0
    if detail.changes and len(steps) > detail.changes:
        earlier = len(steps) - detail.changes
        steps = steps[earlier:]
    date_w = max(text_width(day, BODY_PT) for day, _ in steps) + 0.1
    text_w = RIGHT - _CHANGES_X - date_w
    history = [(day, wrap(text, text_w, BODY_PT, max_lines=min(cells, 2))) for day, text in steps]
    history_lines = sum(len(lines) for _, lines in history) + (1 if earlier else 0)
    height = max(len(move), len(now), history_lines) * _BODY_LH + 0.1
    colour = MUTED if line.dropped_on else INK

    def draw(page: Page, top: float) -> None:
        y = top + 0.05
        page.lines(LEFT, y, move, BODY_PT, bold=True, colour=colour)
        page.lines(LEFT + _MOVE_W, y, now, BODY_PT, bold=bool(line.dropped_on), colour=colour)
        if earlier:
            page.text(_CHANGES_X, y, f"{earlier} earlier not shown", SMALL_PT, colour=MUTED)
            y += _BODY_LH
        for day, lines in history:
            page.text(_CHANGES_X, y, day, BODY_PT, colour=MUTED)
            page.lines(_CHANGES_X + date_w, y, lines, BODY_PT, colour=colour)
            y += len(lines) * _BODY_LH
        page.rule(top + height, colour=RULE)

    return Block(height, draw, repeat=continued)


def _count(number: int, noun: str) -> str:
    """Return "1 check-in", "3 check-ins"."""
    return f"{number} {noun}" if number == 1 else f"{number} {noun}s"
