"""The progress chart: a phone-sized PNG that draws what it is given and nothing else."""

from __future__ import annotations

import io
import struct
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import numpy as np
import pytest
from matplotlib.image import imread

from bot.core.progress import Checkin
from bot.render.charts import progress_figure, render_progress_chart

TODAY = date(2024, 11, 28)
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
DONE_RGB = (0x2E, 0x8B, 0x3E)


def ago(days: int, score: int, done: bool = True) -> Checkin:
    """Build a check-in ``days`` before TODAY."""
    return Checkin(day=TODAY - timedelta(days=days), score=score, done=done)


def four_weeks() -> list[Checkin]:
    """Build 28 daily check-ins drifting down from 7, routine done on most days."""
    return [ago(27 - i, max(0, 7 - i // 4), done=i % 5 != 2) for i in range(28)]


def png_size(png: bytes) -> tuple[int, int]:
    """Read width and height from the IHDR chunk, which must come first."""
    assert png[:8] == PNG_SIGNATURE
    length, kind = struct.unpack(">I4s", png[8:16])
    assert (length, kind) == (13, b"IHDR")
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def green_pixels(png: bytes) -> int:
    """Count pixels close to the routine-done green."""
    rgb = (imread(io.BytesIO(png))[:, :, :3] * 255).astype(int)
    return int((np.abs(rgb - np.array(DONE_RGB)).sum(axis=2) < 40).sum())


@pytest.fixture(scope="module")
def typical_png() -> bytes:
    return render_progress_chart(four_weeks(), TODAY)


def test_png_has_a_phone_friendly_size(typical_png: bytes) -> None:
    width, height = png_size(typical_png)
    assert 1000 <= width <= 1440
    assert 0.6 <= height / width <= 1.0


def test_png_byte_size_is_sane(typical_png: bytes) -> None:
    assert 10_000 <= len(typical_png) <= 500_000


@pytest.mark.parametrize(
    "checkins",
    [
        pytest.param([], id="no check-ins"),
        pytest.param([ago(0, 8)], id="one point"),
        pytest.param(four_weeks(), id="28 points"),
        pytest.param([ago(20, 6), ago(9, 5), ago(1, 3, done=False)], id="gaps"),
        pytest.param([ago(0, 0), ago(1, 10)], id="extremes"),
        pytest.param([ago(40, 9), ago(0, 4)], id="start outside the window"),
    ],
)
def test_renders_a_valid_png_for_any_history(checkins: list[Checkin]) -> None:
    png = render_progress_chart(checkins, TODAY)
    assert png_size(png) == png_size(render_progress_chart(four_weeks(), TODAY))
    assert 10_000 <= len(png) <= 500_000


@pytest.mark.parametrize("days", [1, 7, 90])
def test_other_window_lengths_render(days: int) -> None:
    png = render_progress_chart([ago(i, i % 11) for i in range(100)], TODAY, days)
    assert png_size(png)[0] >= 1000


def test_routine_done_days_are_drawn_in_green() -> None:
    # The legend shows one green dot either way; done days must add clearly more green.
    none_done = render_progress_chart([ago(i, 5, done=False) for i in range(10)], TODAY)
    all_done = render_progress_chart([ago(i, 5, done=True) for i in range(10)], TODAY)
    assert green_pixels(all_done) > 3 * green_pixels(none_done) > 0


def test_labels_are_drawn_from_the_parameters() -> None:
    checkins = four_weeks()
    default = render_progress_chart(checkins, TODAY)
    assert render_progress_chart(checkins, TODAY, title="Schmerz pro Tag") != default
    assert render_progress_chart(checkins, TODAY, start_label="Anfang") != default
    assert render_progress_chart(checkins, TODAY, done_label="Übungen") != default
    french = ["jan", "fév", "mar", "avr", "mai", "jun", "jul", "aoû", "sep", "oct", "nov", "déc"]
    assert render_progress_chart(checkins, TODAY, month_names=french) != default


def test_same_input_gives_identical_bytes_whatever_the_order_and_future_noise(
    typical_png: bytes,
) -> None:
    shuffled = four_weeks()[::-1]
    with_future = [*four_weeks(), ago(-1, 10), ago(-3, 0)]
    assert render_progress_chart(shuffled, TODAY) == typical_png
    assert render_progress_chart(with_future, TODAY) == typical_png


def test_duplicate_day_uses_the_later_check_in(typical_png: bytes) -> None:
    checkins = four_weeks()
    overridden = [*checkins[:-1], checkins[-1].model_copy(update={"score": 10}), checkins[-1]]
    assert render_progress_chart(overridden, TODAY) == typical_png


def test_concurrent_renders_match_sequential_ones(typical_png: bytes) -> None:
    with ThreadPoolExecutor(max_workers=4) as pool:
        results = list(pool.map(lambda _: render_progress_chart(four_weeks(), TODAY), range(4)))
    assert all(result == typical_png for result in results)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [({"days": 0}, "days"), ({"month_names": ["Jan"]}, "month")],
)
def test_bad_arguments_are_refused(kwargs: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        render_progress_chart(four_weeks(), TODAY, **kwargs)  # type: ignore[arg-type]


def test_rendering_never_touches_pyplot() -> None:
    # pyplot would keep every figure alive in its global registry for the life of the bot.
    code = (
        "import sys, datetime\n"
        "from bot.render.charts import render_progress_chart\n"
        "render_progress_chart([], datetime.date(2024, 1, 1))\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize("days", [7, 14, 28, 60])
def test_every_date_label_fits_in_the_picture(days):
    """Every date label keeps a margin: today's, centred on the right edge, was cut off by the
    rounded corners phones draw pictures with."""
    today = date(2026, 12, 2)
    checkins = tuple(
        Checkin(day=today - timedelta(days=i), score=5, done=True) for i in range(days)
    )
    fig = progress_figure(checkins, today, days)
    fig.canvas.draw()
    edge = fig.bbox
    labels = [t for ax in fig.axes for t in ax.get_xticklabels() if t.get_text()]
    assert labels, "the strip has date labels"
    for label in labels:
        box = label.get_window_extent()
        margin = 16  # pixels, at 1080 wide: more than a phone's rounded corner takes
        assert edge.x0 + margin <= box.x0 and box.x1 <= edge.x1 - margin, label.get_text()
