"""Draw the progress chart people see on their phone; kept out of bot.core because of matplotlib."""

from __future__ import annotations

import io
import math
from collections.abc import Sequence
from datetime import date, timedelta

# Figure + FigureCanvasAgg instead of pyplot: pyplot keeps every figure in a global registry
# (a leak in a long-running bot) and its state is shared between threads.
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from bot.core.progress import PAIN_MAX, PAIN_MIN, Checkin, daily_checkins

MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

# 1080 x 810 px: the width of most phone screens in device pixels, in a 4:3 shape that Telegram
# shows without cropping. Font sizes are in points at this dpi (1 pt = 150/72 ~ 2.1 px).
_WIDTH_IN, _HEIGHT_IN, _DPI = 7.2, 5.4, 150
_TITLE_PT = 22
_TEXT_PT = 17
# Colour-blind-safe pair (blue line, green dots) that also differ in shape, not only hue.
_LINE_COLOUR = "#1f5fa8"
_DONE_COLOUR = "#2e8b3e"
_START_COLOUR = "#6b6b6b"
_GRID_COLOUR = "#e3e3e3"
# Roughly the plot width in points; markers shrink with long windows so days stay distinct.
_PLOT_WIDTH_PT = 470


def progress_figure(
    checkins: Sequence[Checkin],
    today: date,
    days: int = 28,
    *,
    title: str = "Pain by day",
    start_label: str = "Start",
    done_label: str = "Routine done",
    month_names: Sequence[str] = MONTHS_EN,
) -> Figure:
    """Draw pain by day over the last ``days`` days on a phone-sized figure."""
    if days < 1:
        raise ValueError("days must be at least 1")
    if len(month_names) != 12:
        raise ValueError("month_names needs twelve names")
    history = daily_checkins(checkins, today)
    first_day = today - timedelta(days=days - 1)
    shown = [checkin for checkin in history if checkin.day >= first_day]

    fig = Figure(figsize=(_WIDTH_IN, _HEIGHT_IN), dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)
    grid = fig.add_gridspec(2, 1, height_ratios=(7, 1))
    ax = fig.add_subplot(grid[0])
    strip = fig.add_subplot(grid[1], sharex=ax)

    ax.set_title(title, fontsize=_TITLE_PT, loc="left", fontweight="bold", pad=12)
    ax.set_ylim(PAIN_MIN - 0.4, PAIN_MAX + 0.4)
    ax.set_yticks(range(PAIN_MIN, PAIN_MAX + 1, 2))
    ax.set_yticks(range(PAIN_MIN, PAIN_MAX + 1), minor=True)
    ax.grid(axis="y", which="both", color=_GRID_COLOUR, linewidth=1)
    ax.set_axisbelow(True)
    ax.tick_params(axis="y", labelsize=_TEXT_PT, length=0)
    ax.tick_params(axis="x", labelbottom=False, length=0)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)

    # x is "days since the window opened" so dates never pass through matplotlib's date units.
    ax.set_xlim(-0.7, days - 0.3)
    if history:
        # The very first check-in, even once it has scrolled out of the window: "since you
        # started" is the comparison people care about and the one summarize() reports.
        start_score = history[0].score
        ax.axhline(start_score, color=_START_COLOUR, linestyle=(0, (6, 4)), linewidth=2.5)
        ax.annotate(
            f"{start_label}: {start_score}",
            xy=(0, start_score),
            xycoords=("axes fraction", "data"),
            xytext=(4, 6 if start_score < PAIN_MAX - 1 else -24),
            textcoords="offset points",
            fontsize=_TEXT_PT - 2,
            color=_START_COLOUR,
            # Above the data with a backing so the label stays legible where the line crosses it.
            zorder=5,
            bbox={
                "boxstyle": "round,pad=0.15",
                "facecolor": "white",
                "edgecolor": "none",
                "alpha": 0.85,
            },
        )
    day_pt = _PLOT_WIDTH_PT / days
    _draw_scores(
        ax,
        [((c.day - first_day).days, c.score) for c in shown],
        marker_pt=min(11.0, max(4.0, 0.75 * day_pt)),
    )

    done_x = [(c.day - first_day).days for c in shown if c.done]
    strip.scatter(
        done_x,
        [0] * len(done_x),
        s=min(13.0, max(4.0, 0.9 * day_pt)) ** 2,
        color=_DONE_COLOUR,
        marker="o",
        zorder=3,
        clip_on=False,
    )
    strip.set_ylim(-1, 1)
    strip.set_yticks([])
    for side in ("top", "right", "left"):
        strip.spines[side].set_visible(False)
    strip.set_facecolor("#f3f8f3")
    ticks = _tick_offsets(days)
    strip.set_xticks(ticks)
    strip.set_xticklabels(
        [_day_label(first_day + timedelta(days=t), month_names) for t in ticks],
        fontsize=_TEXT_PT,
    )
    strip.tick_params(axis="x", length=6, width=1.5)
    # Today's label sits at the right edge: centred on its tick it ran off the picture.
    strip.get_xticklabels()[-1].set_horizontalalignment("right")

    handles = [
        Line2D([], [], color=_START_COLOUR, linestyle=(0, (6, 4)), linewidth=2.5),
        Line2D([], [], color=_DONE_COLOUR, marker="o", markersize=12, linestyle="none"),
    ]
    fig.legend(
        handles,
        [start_label, done_label],
        loc="outside lower center",
        ncols=2,
        fontsize=_TEXT_PT,
        frameon=False,
        handlelength=2.4,
    )

    return fig


def render_progress_chart(
    checkins: Sequence[Checkin],
    today: date,
    days: int = 28,
    *,
    title: str = "Pain by day",
    start_label: str = "Start",
    done_label: str = "Routine done",
    month_names: Sequence[str] = MONTHS_EN,
) -> bytes:
    """Render pain by day over the last ``days`` days as a phone-sized PNG."""
    fig = progress_figure(
        checkins,
        today,
        days,
        title=title,
        start_label=start_label,
        done_label=done_label,
        month_names=month_names,
    )
    buffer = io.BytesIO()
    # No "Software" tag: the chart goes to people, and the library version is nobody's business.
    fig.savefig(buffer, format="png", dpi=_DPI, metadata={"Software": None})
    return buffer.getvalue()


def _draw_scores(ax: Axes, points: Sequence[tuple[int, int]], *, marker_pt: float) -> None:
    """Draw scores as a solid line across consecutive days and a faint dotted one across gaps."""
    if not points:
        return
    xs = [x for x, _ in points]
    ys = [y for _, y in points]
    # A missing day is not a measurement, so it must not look like one; but a fully broken line
    # would leave people who check in every few days with scattered dots and no visible trend.
    ax.plot(xs, ys, color=_LINE_COLOUR, linewidth=2, linestyle=(0, (1.5, 2.5)), alpha=0.7)
    run_x, run_y = [xs[0]], [ys[0]]
    for x, y in points[1:]:
        if x != run_x[-1] + 1:
            ax.plot(run_x, run_y, color=_LINE_COLOUR, linewidth=4.5, solid_capstyle="round")
            run_x, run_y = [], []
        run_x.append(x)
        run_y.append(y)
    ax.plot(run_x, run_y, color=_LINE_COLOUR, linewidth=4.5, solid_capstyle="round")
    ax.plot(
        xs,
        ys,
        linestyle="none",
        marker="o",
        markersize=marker_pt,
        markerfacecolor=_LINE_COLOUR,
        markeredgecolor="white",
        markeredgewidth=marker_pt / 5.5,
        zorder=3,
        clip_on=False,
    )


def _tick_offsets(days: int) -> list[int]:
    """Choose about four day offsets to label, always including today at the right edge."""
    # Whole weeks back from today once the window allows, so labels share today's weekday.
    step = 7 * math.ceil(days / 28) if days >= 14 else max(1, math.ceil(days / 4))
    return sorted(range(days - 1, -1, -step))


def _day_label(day: date, month_names: Sequence[str]) -> str:
    """Format a day as "3 Nov", independent of the process locale."""
    return f"{day.day} {month_names[day.month - 1]}"
