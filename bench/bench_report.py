"""Time and size the clinician report for a person with 90 days of data (issue 14: under 1 s).

The data is what three months of use gives: a check-in most days, a program of five moves with
level changes and one dropped, thirteen weeks of sessions, three activities rated every other
week, and two warning signs. The first render loads fonts and builds caches, which a bot pays
once per process; the figure is the median of the renders after it.
"""

from __future__ import annotations

import re
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from bot.core.progress import Checkin
from bot.core.report import (
    FunctionMeasure,
    FunctionScore,
    LevelStep,
    ProgramLine,
    ReportData,
    ReportedSign,
    WeekAdherence,
)
from bot.render.charts import render_progress_chart
from bot.render.report import render_report

N = 7
TODAY = date(2024, 11, 28)
DAYS = 90


def ninety_days(today: date = TODAY, days: int = DAYS) -> ReportData:
    """Build a realistic 90-day report: pain drifting down, sessions mostly done."""
    first = today - timedelta(days=days - 1)

    def day(n: int) -> date:
        return first + timedelta(days=n)

    pain = tuple(
        Checkin(day=day(i), score=max(1, 7 - i // 15 + (1 if i % 11 == 3 else 0)), done=i % 4 != 1)
        for i in range(days)
        if i % 7 != 5
    )
    monday = first - timedelta(days=first.weekday())
    weeks = tuple(
        WeekAdherence(week_of=monday + timedelta(weeks=w), planned=5, done=min(5, 2 + w % 4))
        for w in range((today - monday).days // 7 + 1)
    )
    program = (
        ProgramLine(
            exercise="Standing calf raises",
            levels=(
                LevelStep(day=day(0), level="Both legs, 2 x 10"),
                LevelStep(day=day(20), level="Both legs, 3 x 12", reason="two easy sessions"),
                LevelStep(day=day(48), level="One leg, 2 x 8", reason="two easy sessions"),
            ),
        ),
        ProgramLine(
            exercise="Standing calf stretch",
            levels=(
                LevelStep(day=day(0), level="30 s, 3 times"),
                LevelStep(day=day(30), level="45 s, 3 times", reason="asked for more"),
            ),
        ),
        ProgramLine(
            exercise="Ball roll under the foot",
            levels=(LevelStep(day=day(0), level="1 minute each foot"),),
        ),
        ProgramLine(
            exercise="Towel toe curls",
            levels=(
                LevelStep(day=day(10), level="2 x 10"),
                LevelStep(day=day(40), level="2 x 10 with a book on the towel", reason="easy"),
                LevelStep(day=day(62), level="2 x 10", reason="it hurt the next day"),
            ),
        ),
        ProgramLine(
            exercise="Plank calf stretch",
            levels=(LevelStep(day=day(5), level="20 s, 2 times"),),
            dropped_on=day(19),
        ),
    )
    function = (
        FunctionMeasure(
            activity="Walking to the shops and back",
            scores=tuple(
                FunctionScore(day=day(i), score=min(10, 3 + i // 14)) for i in range(0, days, 14)
            ),
        ),
        FunctionMeasure(
            activity="Going down stairs",
            scores=tuple(
                FunctionScore(day=day(i), score=min(10, 4 + i // 30)) for i in range(0, days, 14)
            ),
        ),
        FunctionMeasure(
            activity="Standing at work for an hour",
            scores=tuple(
                FunctionScore(day=day(i), score=5 + (i // 14) % 2) for i in range(7, days, 14)
            ),
        ),
    )
    signs = (
        ReportedSign(
            label="Numbness or tingling", urgency="soon", reported_on=day(3), checked_on=day(12)
        ),
        ReportedSign(label="A recent injury", urgency="urgent", reported_on=day(41)),
    )
    return ReportData(
        first_name="Anna",
        made_at=datetime(today.year, today.month, today.day, 18, 30, tzinfo=UTC),
        complaint="tightness in the calf, left leg",
        signs=signs,
        conditions=("Diabetes, neuropathy or poor circulation",),
        program=program,
        adherence=weeks,
        pain=pain,
        function=function,
    )


def run(n: int = N) -> dict[str, float]:
    """Render the 90-day report n times after a warm-up; return times, the size and a baseline.

    The baseline is the chat's progress chart (a phone-sized PNG of 28 days) rendered in the
    same run: the ratio says how much heavier the report is than what people already get, and
    stays comparable when the shared machine is busy. CPU time is given beside wall time for
    the same reason.
    """
    data = ninety_days()
    start = time.perf_counter()
    pdf = render_report(data)
    first_ms = (time.perf_counter() - start) * 1000
    wall, cpu = [], []
    for _ in range(n):
        start, start_cpu = time.perf_counter(), time.process_time()
        render_report(data)
        wall.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    recent = [c for c in data.pain if c.day > TODAY - timedelta(days=28)]
    render_progress_chart(recent, TODAY)  # its own warm-up
    chart = []
    for _ in range(n):
        start = time.perf_counter()
        render_progress_chart(recent, TODAY)
        chart.append(time.perf_counter() - start)
    median = statistics.median(wall)
    return {
        "n": float(n),
        "first_render_ms": first_ms,
        "median_s": median,
        "max_s": max(wall),
        "cpu_median_s": statistics.median(cpu),
        "chart_median_s": statistics.median(chart),
        "ratio_to_chart": median / statistics.median(chart),
        "pdf_kb": len(pdf) / 1024,
        "pages": float(len(re.findall(rb"/Type /Page[^s]", pdf))),
    }


if __name__ == "__main__":
    import sys

    if len(sys.argv) > 1:  # python -m bench.bench_report OUT.pdf: write the sample to look at
        with open(sys.argv[1], "wb") as out:
            out.write(render_report(ninety_days()))
    for name, value in run().items():
        print(f"{name:>16}: {value:9.3f}")
