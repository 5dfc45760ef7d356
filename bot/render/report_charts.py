"""The report's charts (pain, function, sessions by week), in the look of the chat's chart.

The three share one day axis so a clinician can line a change in pain up with the weeks the
person did the routine. Colours and line styles are the chat chart's (bot/render/charts.py),
drawn thinner: an A4 page is read from closer than a phone.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from matplotlib.typing import LineStyleType

from bot.core.progress import PAIN_MAX, PAIN_MIN, Checkin
from bot.core.report import FunctionMeasure, WeekAdherence
from bot.render.charts import (
    _DONE_COLOUR,
    _GRID_COLOUR,
    _LINE_COLOUR,
    _START_COLOUR,
    MONTHS_EN,
)
from bot.render.report_layout import (
    INK,
    LEFT,
    MUTED,
    PAGE_H,
    RIGHT,
    SMALL_PT,
    Page,
    line_height,
    shorten,
    text_width,
)

TICK_PT = 7.5
Y_LABELS = 0.3  # room left of the plot for the 0-10 labels
PLOT_LEFT = LEFT + Y_LABELS
PLOT_WIDTH = RIGHT - PLOT_LEFT - 0.05
TICK_LABELS = 0.22  # room under a plot for its date labels
PLANNED_COLOUR = "#d5d5d5"
# The chat chart's blue first, then Okabe-Ito colours, each with its own marker so lines differ
# in shape as well as hue.
SERIES = (
    (_LINE_COLOUR, "o"),
    ("#e69f00", "s"),
    ("#cc79a7", "^"),
    ("#009e73", "D"),
    ("#d55e00", "v"),
    ("#56b4e9", "P"),
)


def day_label(day: date, *, year: bool = False) -> str:
    """Format a day as "3 Sep", or "3 Sep 2024", whatever the process locale."""
    text = f"{day.day} {MONTHS_EN[day.month - 1]}"
    return f"{text} {day.year}" if year else text


@dataclass(frozen=True)
class DayAxis:
    """The days the charts span, the same for each so that they line up."""

    start: date
    end: date

    @property
    def days(self) -> int:
        """Return how many days the axis spans, counting both ends."""
        return (self.end - self.start).days + 1

    def x(self, day: date) -> int:
        """Return a day's position: days since the start (no matplotlib date units)."""
        return (day - self.start).days

    def day_pt(self) -> float:
        """Return the width of one day on the plot, in points."""
        return PLOT_WIDTH * 72 / self.days

    def dress(self, ax: Axes, *, labels: bool) -> None:
        """Set the span and the date ticks: whole weeks back from the last day, about seven."""
        ax.set_xlim(-0.7, self.days - 0.3)
        step = (
            7 * math.ceil(self.days / 49) if self.days >= 14 else max(1, math.ceil(self.days / 7))
        )
        ticks = sorted(range(self.days - 1, -1, -step))
        ax.set_xticks(ticks)
        if not labels:
            ax.tick_params(axis="x", labelbottom=False, length=0)
            return
        days = [self.start + timedelta(days=t) for t in ticks]
        # The year on the first label, and again wherever it changes.
        texts = [
            day_label(day, year=i == 0 or day.year != days[i - 1].year)
            if self.start.year != self.end.year
            else day_label(day)
            for i, day in enumerate(days)
        ]
        ax.set_xticklabels(texts, fontsize=TICK_PT, color=INK)
        ax.tick_params(axis="x", length=3, width=0.8, colors=MUTED, labelcolor=INK)
        # The last label sits at the right edge, as in the chat chart, so it never runs off.
        ax.get_xticklabels()[-1].set_horizontalalignment("right")


def _score_axes(ax: Axes) -> None:
    ax.set_ylim(PAIN_MIN - 0.5, PAIN_MAX + 0.5)
    ax.set_yticks(range(PAIN_MIN, PAIN_MAX + 1, 2))
    ax.set_yticks(range(PAIN_MIN, PAIN_MAX + 1), minor=True)
    ax.grid(axis="y", which="both", color=_GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", which="both", labelsize=TICK_PT, length=0, labelcolor=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
        ax.spines[side].set_linewidth(0.6)


def _series(
    ax: Axes,
    points: Sequence[tuple[int, int]],
    colour: str,
    marker: str,
    size: float,
    *,
    daily: bool = True,
) -> None:
    """Draw scores as a line with a mark on each.

    Daily scores (pain) are solid across consecutive days and faintly dotted across days
    without one, as in the chat chart; ratings made every week or two are joined solid.
    """
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    if daily:
        ax.plot(xs, ys, color=colour, linewidth=1.0, linestyle=(0, (1, 2)), alpha=0.8)
        runs: list[list[tuple[int, int]]] = []
        for point in points:
            if runs and point[0] == runs[-1][-1][0] + 1:
                runs[-1].append(point)
            else:
                runs.append([point])
        for run in runs:
            ax.plot([x for x, _ in run], [y for _, y in run], color=colour, linewidth=1.6)
    else:
        ax.plot(xs, ys, color=colour, linewidth=1.4)
    ax.plot(
        xs,
        ys,
        linestyle="none",
        marker=marker,
        markersize=size,
        markerfacecolor=colour,
        markeredgecolor="white",
        markeredgewidth=size / 6,
        zorder=3,
        clip_on=False,
    )


# -- legends --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Key:
    """One legend entry: a sample of the line or mark, and what it stands for."""

    label: str
    colour: str
    linestyle: LineStyleType = "-"
    marker: str = ""
    markersize: float = 4.0
    line: bool = True


_SAMPLE = 0.28  # the sample's width, inches
_KEY_GAP = 0.25


def _key_width(key: Key) -> float:
    return _SAMPLE + 0.06 + text_width(key.label, SMALL_PT)


def legend_rows(keys: Sequence[Key], width: float = RIGHT - PLOT_LEFT) -> list[list[Key]]:
    """Share legend entries out into rows no wider than `width`."""
    rows: list[list[Key]] = []
    used = width
    for key in keys:
        needed = _key_width(key) + (_KEY_GAP if used else 0.0)
        if rows and used + needed <= width:
            rows[-1].append(key)
            used += needed
        else:
            rows.append([key])
            used = _key_width(key)
    return rows


def draw_legend(page: Page, top: float, rows: Sequence[Sequence[Key]]) -> None:
    """Draw legend rows from `top`, each entry a sample followed by its label."""
    fig = page.figure
    for index, row in enumerate(rows):
        row_top = top + index * line_height(SMALL_PT)
        y = PAGE_H - row_top - line_height(SMALL_PT) * 0.42
        x = PLOT_LEFT
        for key in row:
            fig.add_artist(
                Line2D(
                    [x, x + _SAMPLE],
                    [y, y],
                    color=key.colour,
                    linestyle=key.linestyle if key.line else "none",
                    linewidth=1.4,
                    transform=fig.dpi_scale_trans,
                )
            )
            if key.marker:
                fig.add_artist(
                    Line2D(
                        [x + _SAMPLE / 2],
                        [y],
                        color=key.colour,
                        marker=key.marker,
                        markersize=key.markersize,
                        markeredgecolor="white" if key.line else key.colour,
                        markeredgewidth=0.5,
                        linestyle="none",
                        transform=fig.dpi_scale_trans,
                    )
                )
            page.text(x + _SAMPLE + 0.06, row_top, key.label, SMALL_PT, colour=INK)
            x += _key_width(key) + _KEY_GAP


def legend_height(rows: Sequence[Sequence[Key]]) -> float:
    """Return the height of legend rows, in inches."""
    return len(rows) * line_height(SMALL_PT)


# -- the three charts -----------------------------------------------------------------------

DONE_STRIP = 0.13
PAIN_KEYS = (
    Key("Pain score, 0-10", _LINE_COLOUR, marker="o"),
    Key("Days without a check-in", _LINE_COLOUR, linestyle=(0, (1, 2))),
    Key("First score", _START_COLOUR, linestyle=(0, (4, 2.5))),
    Key("Routine done that day", _DONE_COLOUR, marker="o", line=False),
)


def pain_chart_height(plot: float) -> float:
    """Return the height of the pain chart with its dates and legend, in inches."""
    return plot + 0.04 + DONE_STRIP + TICK_LABELS + legend_height(legend_rows(PAIN_KEYS))


def draw_pain_chart(
    page: Page, top: float, plot: float, axis: DayAxis, checkins: Sequence[Checkin]
) -> None:
    """Draw pain by day: the line, the first score as a dashed line, and routine-done dots."""
    ax = page.axes(PLOT_LEFT, top, PLOT_WIDTH, plot)
    strip = page.axes(PLOT_LEFT, top + plot + 0.04, PLOT_WIDTH, DONE_STRIP)
    _score_axes(ax)
    axis.dress(ax, labels=False)
    ax.spines["bottom"].set_visible(False)
    start = checkins[0].score
    ax.axhline(start, color=_START_COLOUR, linestyle=(0, (4, 2.5)), linewidth=1.1)
    ax.annotate(
        f"First: {start}",
        xy=(0, start),
        xycoords=("axes fraction", "data"),
        xytext=(3, 3 if start < PAIN_MAX - 1 else -11),
        textcoords="offset points",
        fontsize=SMALL_PT,
        color=_START_COLOUR,
        zorder=5,
        bbox={
            "boxstyle": "round,pad=0.1",
            "facecolor": "white",
            "edgecolor": "none",
            "alpha": 0.85,
        },
    )
    day_pt = axis.day_pt()
    points = [(axis.x(c.day), c.score) for c in checkins]
    _series(ax, points, _LINE_COLOUR, "o", min(4.5, max(1.8, 0.6 * day_pt)))

    done = [axis.x(c.day) for c in checkins if c.done]
    strip.scatter(
        done,
        [0] * len(done),
        s=min(4.5, max(1.8, 0.6 * day_pt)) ** 2,
        color=_DONE_COLOUR,
        linewidths=0,
        zorder=3,
        clip_on=False,
    )
    strip.set_ylim(-1, 1)
    strip.set_yticks([])
    strip.set_facecolor("#f3f8f3")
    for side in ("top", "right", "left", "bottom"):
        strip.spines[side].set_visible(False)
    axis.dress(strip, labels=True)
    draw_legend(page, top + plot + 0.04 + DONE_STRIP + TICK_LABELS, legend_rows(PAIN_KEYS))


def function_keys(measures: Sequence[FunctionMeasure], labels: Sequence[str]) -> list[Key]:
    """Return a legend entry per charted activity, in its series' colour and marker."""
    width = RIGHT - PLOT_LEFT - _SAMPLE - 0.1
    return [
        Key(shorten(label, width, SMALL_PT), colour, marker=marker)
        for (colour, marker), _, label in zip(SERIES, measures, labels, strict=False)
    ]


def function_chart_height(plot: float, keys: Sequence[Key]) -> float:
    """Return the height of the function chart with its dates and legend, in inches."""
    return plot + TICK_LABELS + legend_height(legend_rows(keys))


def draw_function_chart(
    page: Page,
    top: float,
    plot: float,
    axis: DayAxis,
    measures: Sequence[FunctionMeasure],
    keys: Sequence[Key],
) -> None:
    """Draw each activity's 0-10 ratings over time, one colour and marker each."""
    ax = page.axes(PLOT_LEFT, top, PLOT_WIDTH, plot)
    _score_axes(ax)
    axis.dress(ax, labels=True)
    size = min(4.5, max(2.5, 0.6 * axis.day_pt()))
    for (colour, marker), measure in zip(SERIES, measures, strict=False):
        by_day = {s.day: s.score for s in sorted(measure.scores, key=lambda s: s.day)}
        points = [(axis.x(day), score) for day, score in by_day.items()]
        if points:
            _series(ax, points, colour, marker, size, daily=False)
    draw_legend(page, top + plot + TICK_LABELS, legend_rows(keys))


ADHERENCE_KEYS = (
    Key("Sessions planned", PLANNED_COLOUR, marker="s", markersize=6, line=False),
    Key("Sessions done", _DONE_COLOUR, marker="s", markersize=6, line=False),
)


def adherence_chart_height(plot: float) -> float:
    """Return the height of the sessions chart with its dates and legend, in inches."""
    return plot + TICK_LABELS + legend_height(legend_rows(ADHERENCE_KEYS))


def draw_adherence_chart(
    page: Page, top: float, plot: float, axis: DayAxis, weeks: Sequence[WeekAdherence]
) -> None:
    """Draw each week's planned sessions as a grey bar and the done ones as a green bar on it."""
    ax = page.axes(PLOT_LEFT, top, PLOT_WIDTH, plot)
    centres = [axis.x(w.week_of) + 3 for w in weeks]
    ax.bar(centres, [w.planned for w in weeks], width=6, color=PLANNED_COLOUR, linewidth=0)
    ax.bar(centres, [w.done for w in weeks], width=3.6, color=_DONE_COLOUR, linewidth=0)
    top_count = max(1, *(max(w.planned, w.done) for w in weeks))
    ax.set_ylim(0, top_count * 1.25)
    ax.yaxis.set_major_locator(MaxNLocator(nbins=3, integer=True))
    ax.grid(axis="y", color=_GRID_COLOUR, linewidth=0.6)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", labelsize=TICK_PT, length=0, labelcolor=INK)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    for side in ("left", "bottom"):
        ax.spines[side].set_color(MUTED)
        ax.spines[side].set_linewidth(0.6)
    axis.dress(ax, labels=True)
    # "done/planned" over each bar while there is room for it.
    if axis.day_pt() * 7 >= 24:
        for centre, week in zip(centres, weeks, strict=True):
            ax.annotate(
                f"{week.done}/{week.planned}",
                xy=(centre, max(week.planned, week.done)),
                xytext=(0, 1.5),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=6.5,
                color=INK,
            )
    draw_legend(page, top + plot + TICK_LABELS, legend_rows(ADHERENCE_KEYS))
