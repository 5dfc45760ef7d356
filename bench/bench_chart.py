"""Time and size the progress chart render, as the bot would call it once per request.

The baseline is the first chart anyone would write: the same points as one plain line on a
figure of the same size and resolution, saved as PNG. Timed in the same run, it tells how
much of the render time is our layout (reference line, done marks, month labels) and how
much is matplotlib drawing a PNG at all on this machine.
"""

from __future__ import annotations

import gc
import io
import resource
import statistics
import sys
import time
import tracemalloc
from datetime import date, timedelta

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import date2num
from matplotlib.figure import Figure

from bot.core.progress import Checkin
from bot.render.charts import render_progress_chart

N = 30
TODAY = date(2024, 11, 28)


def _series(days: int = 28) -> list[Checkin]:
    """Build a realistic month: drifting down, a few missed days, routine mostly done."""
    return [
        Checkin(day=TODAY - timedelta(days=days - 1 - i), score=max(0, 7 - i // 4), done=i % 5 != 2)
        for i in range(days)
        if i % 9 != 4
    ]


def _baseline_png(checkins: list[Checkin]) -> bytes:
    """Draw the same scores as one plain line, phone-sized, with matplotlib's defaults."""
    fig = Figure(figsize=(7.2, 5.4), dpi=150)
    FigureCanvasAgg(fig)
    days = date2num([c.day for c in checkins])
    fig.add_subplot().plot(days, [c.score for c in checkins])
    out = io.BytesIO()
    fig.savefig(out, format="png")
    return out.getvalue()


def _maxrss_mb() -> float:
    """Return this process's peak resident set size in MiB."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    # Linux reports KiB, macOS bytes.
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def run(n: int = N) -> dict[str, float]:
    """Render the chart n times after a warm-up and return timing and memory figures."""
    checkins = _series()
    rss_before = _maxrss_mb()
    # The first render loads fonts and builds caches; the bot pays that once per process.
    start = time.perf_counter()
    png = render_progress_chart(checkins, TODAY)
    first_ms = (time.perf_counter() - start) * 1000

    timings = []
    for _ in range(n):
        start = time.perf_counter()
        render_progress_chart(checkins, TODAY)
        timings.append((time.perf_counter() - start) * 1000)
    rss_after = _maxrss_mb()

    _baseline_png(checkins)  # its own warm-up
    baseline = []
    for _ in range(n):
        start = time.perf_counter()
        _baseline_png(checkins)
        baseline.append((time.perf_counter() - start) * 1000)

    # Measured separately: tracemalloc slows allocation-heavy code and would skew the timings.
    gc.collect()
    tracemalloc.start()
    render_progress_chart(checkins, TODAY)
    _, traced_peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()

    timings.sort()
    return {
        "n": float(n),
        "first_render_ms": first_ms,
        "median_ms": statistics.median(timings),
        # Nearest-rank p95: with n=30 this is the 29th fastest, i.e. the second slowest.
        "p95_ms": timings[max(0, min(n - 1, -(-95 * n // 100) - 1))],
        "max_ms": timings[-1],
        "baseline_median_ms": statistics.median(baseline),
        "ratio_median": statistics.median(timings) / statistics.median(baseline),
        "png_kb": len(png) / 1024,
        "maxrss_before_mb": rss_before,
        "maxrss_after_mb": rss_after,
        "maxrss_growth_mb": rss_after - rss_before,
        "tracemalloc_peak_mb": traced_peak / (1024 * 1024),
    }


if __name__ == "__main__":
    for name, value in run().items():
        print(f"{name:>22}: {value:9.2f}")
