"""The clinician report: an A4 PDF of one or two pages, read back with a PDF text extractor."""

from __future__ import annotations

import io
import re
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, date, datetime, timedelta
from typing import Any

import matplotlib
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from matplotlib.backends.backend_agg import FigureCanvasAgg
from pypdf import PdfReader

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
from bot.render.report import FOOTER, SAVE_RC, render_report, report_pages
from bot.render.report_layout import LEFT, PAGE_H, RIGHT

TODAY = date(2024, 11, 28)
MADE = datetime(2024, 11, 28, 18, 30, tzinfo=UTC)
FIRST = TODAY - timedelta(days=89)
A4_POINTS = (595.3, 841.9)
USER_ID = "734512987"  # what the store knows the person by; never in the report
PHONE = "+44 7700 900123"


def day(n: int) -> date:
    """Return the n-th day of the 90 days, counted from 0."""
    return FIRST + timedelta(days=n)


def ninety_days(**changes: object) -> ReportData:
    """Build 90 days of data: signs, a program with level changes, sessions, pain, function."""
    monday = FIRST - timedelta(days=FIRST.weekday())
    data = ReportData(
        first_name="Anna",
        made_at=MADE,
        complaint="tightness in the calf, left leg",
        signs=(
            ReportedSign(
                label="Numbness or tingling", urgency="soon", reported_on=day(3), checked_on=day(12)
            ),
            ReportedSign(label="A recent injury", urgency="urgent", reported_on=day(41)),
        ),
        conditions=("Diabetes, neuropathy or poor circulation",),
        program=(
            ProgramLine(
                exercise="Standing calf raises",
                levels=(
                    LevelStep(day=day(0), level="Both legs, 2 x 10"),
                    LevelStep(day=day(20), level="Both legs, 3 x 12", reason="two easy sessions"),
                    LevelStep(day=day(48), level="One leg, 2 x 8", reason="two easy sessions"),
                ),
            ),
            ProgramLine(
                exercise="Towel toe curls",
                levels=(
                    LevelStep(day=day(10), level="2 x 10"),
                    LevelStep(day=day(62), level="2 x 6", reason="it hurt the next day"),
                ),
            ),
            ProgramLine(
                exercise="Plank calf stretch",
                levels=(LevelStep(day=day(5), level="20 s, 2 times"),),
                dropped_on=day(19),
            ),
        ),
        adherence=tuple(
            WeekAdherence(week_of=monday + timedelta(weeks=w), planned=5, done=2 + w % 4)
            for w in range(14)
        ),
        pain=tuple(
            Checkin(day=day(i), score=max(1, 7 - i // 15), done=i % 4 != 1)
            for i in range(90)
            if i % 7 != 5
        ),
        function=(
            FunctionMeasure(
                activity="Walking to the shops and back",
                scores=tuple(
                    FunctionScore(day=day(i), score=3 + i // 14) for i in range(0, 90, 14)
                ),
            ),
            FunctionMeasure(
                activity="Going down stairs",
                scores=tuple(
                    FunctionScore(day=day(i), score=4 + i // 30) for i in range(0, 90, 14)
                ),
            ),
        ),
    )
    return data.model_copy(update=changes)


def brand_new(**changes: object) -> ReportData:
    """Build the report of someone who has only said what bothers them."""
    return ReportData(first_name="Sam", made_at=MADE, complaint="sore heel, right foot").model_copy(
        update=changes
    )


def pages_text(pdf: bytes) -> list[str]:
    """Return each page's text with runs of white space made single spaces."""
    reader = PdfReader(io.BytesIO(pdf))
    return [" ".join(page.extract_text().split()) for page in reader.pages]


@pytest.fixture(scope="module")
def full_pdf() -> bytes:
    return render_report(ninety_days())


@pytest.fixture(scope="module")
def new_pdf() -> bytes:
    return render_report(brand_new())


@pytest.fixture(scope="module")
def full_text(full_pdf: bytes) -> str:
    return " ".join(pages_text(full_pdf))


def test_is_a_pdf_of_one_or_two_a4_pages(full_pdf: bytes, new_pdf: bytes) -> None:
    for pdf, pages in ((full_pdf, 2), (new_pdf, 1)):
        assert pdf.startswith(b"%PDF-")
        assert pdf.rstrip().endswith(b"%%EOF")
        reader = PdfReader(io.BytesIO(pdf))
        assert len(reader.pages) == pages
        for page in reader.pages:
            size = (float(page.mediabox.width), float(page.mediabox.height))
            assert size == pytest.approx(A4_POINTS, abs=0.5)


def test_ninety_days_stays_small(full_pdf: bytes, new_pdf: bytes) -> None:
    assert 10_000 < len(full_pdf) < 200_000
    assert len(new_pdf) < len(full_pdf)


def test_names_the_person_the_complaint_and_the_conditions(full_text: str) -> None:
    assert "Self-care report for Anna" in full_text
    assert "Tightness in the calf, left leg" in full_text
    assert "Diabetes, neuropathy or poor circulation" in full_text
    assert "Made 28 Nov 2024" in full_text
    assert "Period covered: 31 Aug 2024 to 28 Nov 2024 (90 days)" in full_text


def test_each_warning_sign_comes_with_its_urgency_and_dates(full_text: str) -> None:
    injury = full_text.index("A recent injury")
    numbness = full_text.index("Numbness or tingling")
    # The urgent sign first; each row holds its own urgency, report date and check.
    assert injury < numbness
    assert "Urgent: told to be seen today" in full_text[injury:numbness]
    assert "11 Oct 2024" in full_text[injury:numbness]
    assert "Not yet checked" in full_text[injury:numbness]
    row = full_text[numbness : numbness + 120]
    assert "Soon: told to be seen within days" in row
    assert "3 Sep 2024" in row
    assert "12 Sep 2024" in row
    assert "Not yet checked" not in row


def test_the_program_shows_levels_now_and_every_change_with_why(full_text: str) -> None:
    program = full_text[full_text.index("Program Each move") :]
    raises = program[program.index("Standing calf raises") : program.index("Towel toe curls")]
    assert "One leg, 2 x 8" in raises.split("31 Aug")[0]  # the level now, before the history
    for when, what in (
        ("31 Aug", "Both legs, 2 x 10 — start"),
        ("20 Sep", "Both legs, 3 x 12 — two easy sessions"),
        ("18 Oct", "One leg, 2 x 8 — two easy sessions"),
    ):
        assert f"{when} {what}" in raises
    assert "1 Nov 2 x 6 — it hurt the next day" in program
    plank = program[program.index("Plank calf stretch") :]
    assert "Dropped" in plank
    assert "19 Sep Dropped" in plank


def test_adherence_pain_and_function_are_summed_up(full_text: str) -> None:
    assert "Sessions: 47 of 70 planned done (67%) over 14 weeks" in full_text
    assert "Pain (0-10, lower is better): 7 on 31 Aug, 2 on 27 Nov (5 points lower)" in full_text
    assert "Walking to the shops and back: 3 → 9" in full_text
    assert "A change of 2 points or more is meaningful" in full_text
    assert "(6 points higher, a meaningful change)" in full_text


def test_every_page_says_it_is_self_reported_and_numbered(full_pdf: bytes) -> None:
    texts = pages_text(full_pdf)
    for number, text in enumerate(texts, start=1):
        assert FOOTER in text
        assert f"Page {number} of {len(texts)}" in text
    assert FOOTER == "Self-reported by the person through Footcoach. Not a diagnosis."


def test_no_user_id_or_phone_number_anywhere(full_pdf: bytes) -> None:
    text = " ".join(pages_text(full_pdf))
    reader = PdfReader(io.BytesIO(full_pdf))
    metadata = " ".join(str(value) for value in (reader.metadata or {}).values())
    for where in (text, metadata, full_pdf.decode("latin-1")):
        assert USER_ID not in where
        assert PHONE not in where
    # Nothing that looks like an id (seven digits or more) or a phone number (+44 …, 7700 900…).
    for pattern in (r"\d{7,}", r"\+\s?\d", r"\d{3,}[ -]\d{3,}"):
        assert not re.search(pattern, text), pattern
    assert "Anna" not in metadata


def test_text_is_embedded_truetype(full_pdf: bytes) -> None:
    reader = PdfReader(io.BytesIO(full_pdf))
    fonts: dict[str, Any] = {}
    for page in reader.pages:
        resources: Any = page["/Resources"]
        for font in resources["/Font"].values():
            font = font.get_object()
            fonts[str(font["/BaseFont"])] = font
    assert fonts
    for name, font in fonts.items():
        descendant = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in descendant["/FontDescriptor"], name
        assert "DejaVuSans" in name


def test_empty_sections_say_so_instead_of_drawing_empty_axes(new_pdf: bytes) -> None:
    (text,) = pages_text(new_pdf)
    for sentence in (
        "Self-care report for Sam",
        "Sore heel, right foot",
        "WARNING SIGNS None reported.",
        "Conditions None reported",
        "No check-ins yet.",
        "No activities rated yet.",
        "No program yet.",
        "No sessions planned yet.",
        FOOTER,
    ):
        assert sentence in text
    # No chart: no axes' tick labels (the 0-10 scale) anywhere on the page.
    assert "0 2 4 6 8 10" not in text
    assert "0 2 4 6 8 10" in " ".join(pages_text(render_report(brand_new(pain=ninety_days().pain))))


def test_without_a_first_name_the_report_is_for_you() -> None:
    (text,) = pages_text(render_report(brand_new(first_name=None)))
    assert "Self-care report for you" in text


def test_one_check_in_is_counted_in_the_singular() -> None:
    one = (Checkin(day=MADE.date() - timedelta(days=1), score=4, done=True),)
    text = " ".join(pages_text(render_report(brand_new(pain=one))))
    assert "1 check-in;" in text and "1 check-ins" not in text


def test_activities_named_but_not_rated_are_listed() -> None:
    data = brand_new(function=(FunctionMeasure(activity="Climbing stairs"),))
    (text,) = pages_text(render_report(data))
    assert "Not rated yet: Climbing stairs." in text
    rated = ninety_days().function
    text = " ".join(pages_text(render_report(ninety_days(function=(*rated, *data.function)))))
    assert "Not rated yet: Climbing stairs." in text
    assert "not charted" not in text


def test_people_s_words_are_printed_as_they_are() -> None:
    data = brand_new(first_name="Jo $x^2$ 50%\x07", complaint="pain_under the $heel$ {left}")
    (text,) = pages_text(render_report(data))
    assert "Self-care report for Jo $x^2$ 50%" in text
    assert "Pain_under the $heel$ {left}" in text


def test_long_histories_stay_within_two_pages_and_say_what_was_left_out() -> None:
    moves = tuple(
        ProgramLine(
            exercise=f"Move {i} with a name long enough to wrap in its column",
            levels=tuple(
                LevelStep(day=day(j), level=f"Level {j}, one leg, 3 x 15", reason="easy twice")
                for j in range(0, 90, 6)
            ),
        )
        for i in range(30)
    )
    activities = tuple(
        FunctionMeasure(
            activity=f"Activity {i}",
            scores=tuple(FunctionScore(day=day(j), score=5) for j in (0, 30)),
        )
        for i in range(10)
    )
    pdf = render_report(ninety_days(program=moves, function=activities))
    texts = pages_text(pdf)
    assert len(texts) == 2
    text = " ".join(texts)
    assert "more moves not shown" in text
    assert "earlier not shown" in text
    assert "more activities not charted" in text
    assert "A recent injury" in text and "Numbness or tingling" in text


def test_same_data_gives_the_same_bytes_even_from_several_threads(full_pdf: bytes) -> None:
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = list(pool.map(lambda _: render_report(ninety_days()), range(3)))
    assert all(result == full_pdf for result in results)


def test_leaves_matplotlib_settings_as_it_found_them() -> None:
    before = dict(matplotlib.rcParams)
    render_report(brand_new())
    assert dict(matplotlib.rcParams) == before


_TEXT = st.text(st.characters(codec="utf-8"), max_size=80)
_DAYS = st.dates(min_value=date(2022, 1, 1), max_value=date(2025, 1, 1))


@st.composite
def report_data(draw: st.DrawFn) -> ReportData:
    """Draw any valid report data, from nothing at all to years of it."""
    return ReportData(
        first_name=draw(st.none() | _TEXT),
        made_at=MADE,
        complaint=draw(_TEXT),
        signs=tuple(
            draw(
                st.lists(
                    st.builds(
                        ReportedSign,
                        label=_TEXT,
                        urgency=st.sampled_from(["emergency", "urgent", "soon", "x"]),
                        reported_on=st.none() | _DAYS,
                        checked_on=st.none() | _DAYS,
                    ),
                    max_size=12,
                )
            )
        ),
        conditions=tuple(draw(st.lists(_TEXT, max_size=3))),
        program=tuple(
            draw(
                st.lists(
                    st.builds(
                        ProgramLine,
                        exercise=_TEXT,
                        levels=st.lists(
                            st.builds(LevelStep, day=_DAYS, level=_TEXT, reason=_TEXT),
                            min_size=1,
                            max_size=8,
                        ).map(tuple),
                        dropped_on=st.none() | _DAYS,
                    ),
                    max_size=12,
                )
            )
        ),
        adherence=tuple(
            draw(
                st.lists(
                    st.builds(
                        WeekAdherence,
                        week_of=_DAYS,
                        planned=st.integers(0, 14),
                        done=st.integers(0, 14),
                    ),
                    max_size=60,
                )
            )
        ),
        pain=tuple(
            draw(
                st.lists(
                    st.builds(Checkin, day=_DAYS, score=st.integers(0, 10), done=st.booleans()),
                    max_size=200,
                )
            )
        ),
        function=tuple(
            draw(
                st.lists(
                    st.builds(
                        FunctionMeasure,
                        activity=_TEXT,
                        scores=st.lists(
                            st.builds(FunctionScore, day=_DAYS, score=st.integers(0, 10)),
                            max_size=12,
                        ).map(tuple),
                    ),
                    max_size=8,
                )
            )
        ),
    )


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(report_data())
def test_any_valid_data_gives_one_or_two_pages(data: ReportData) -> None:
    pdf = render_report(data)
    texts = pages_text(pdf)
    assert 1 <= len(texts) <= 2
    assert all(FOOTER in text for text in texts)
    assert len(pdf) < 200_000


def crowded() -> ReportData:
    """Build the most a report could be asked to hold: long words everywhere, years of data."""
    start = date(2021, 1, 4)
    return ninety_days(
        first_name="Wolfgang " * 8,
        complaint="tightness in the calf " * 20,
        signs=tuple(
            ReportedSign(
                label="numbness " * 8, urgency="emergency", reported_on=start + timedelta(i)
            )
            for i in range(14)
        ),
        conditions=tuple("a condition with a long name" for _ in range(6)),
        program=tuple(
            ProgramLine(
                exercise="Exercise " * 6,
                levels=tuple(
                    LevelStep(day=start + timedelta(j), level="level " * 9, reason="why " * 9)
                    for j in range(12)
                ),
            )
            for _ in range(30)
        ),
        adherence=tuple(
            WeekAdherence(week_of=start + timedelta(weeks=w), planned=7, done=w % 8)
            for w in range(200)
        ),
        pain=tuple(
            Checkin(day=start + timedelta(i), score=i % 11, done=i % 2 == 0) for i in range(1400)
        ),
        function=tuple(
            FunctionMeasure(
                activity="activity " * 9,
                scores=tuple(
                    FunctionScore(day=start + timedelta(40 * j), score=j % 11) for j in range(30)
                ),
            )
            for _ in range(10)
        ),
    )


@pytest.mark.parametrize(
    "make", [ninety_days, brand_new, crowded], ids=["90 days", "new", "crowded"]
)
def test_no_text_overlaps_other_text_or_leaves_the_margins(make: Any) -> None:
    # Measured by matplotlib itself (Agg, in the test only), not by the layout's own sums, with
    # the settings the PDF is saved with.
    with matplotlib.rc_context(SAVE_RC):
        for figure in report_pages(make()):
            FigureCanvasAgg(figure)
            figure.canvas.draw()
            renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
            page = [(t.get_text(), t.get_window_extent(renderer)) for t in figure.texts]
            charts = [
                (t.get_text(), t.get_window_extent(renderer))
                for axes in figure.axes
                for t in (*axes.get_xticklabels(), *axes.get_yticklabels(), *axes.texts)
                if t.get_text()
            ]
            assert len(page) > 10
            dpi = figure.dpi
            for text, box in page + charts:
                assert (LEFT - 0.05) * dpi <= box.x0 and box.x1 <= (RIGHT + 0.01) * dpi, text
                assert 0.3 * dpi <= box.y0 and box.y1 <= (PAGE_H - 0.3) * dpi, text
            for i, (text, box) in enumerate(page):
                for other, other_box in page[i + 1 :]:
                    across = min(box.x1, other_box.x1) - max(box.x0, other_box.x0)
                    down = min(box.y1, other_box.y1) - max(box.y0, other_box.y0)
                    assert across <= 0.5 or down <= 0.5, (text, other)


def test_crowded_reports_still_fit_two_pages_with_every_sign_that_fits() -> None:
    texts = pages_text(render_report(crowded()))
    assert len(texts) == 2
    assert "and 2 more not shown" in texts[0]


def test_drawn_as_vectors_without_pyplot(full_pdf: bytes) -> None:
    # Lines and text, no raster image: sharp when printed, small to send. And no pyplot, which
    # would keep every page alive in its global registry for the life of the bot.
    assert b"/Subtype /Image" not in full_pdf
    code = (
        "import sys, datetime\n"
        "from bot.core.report import ReportData\n"
        "from bot.render.report import render_report\n"
        "made = datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)\n"
        "pdf = render_report(ReportData(first_name='Al', made_at=made, complaint='sore heel'))\n"
        "assert pdf.startswith(b'%PDF')\n"
        "assert 'matplotlib.pyplot' not in sys.modules\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


@pytest.mark.parametrize(
    ("done", "said"),
    [(True, "1 check-in; the routine was done that day."), (False, "no routine was done that day")],
)
def test_one_check_in_says_of_its_own_day_whether_the_routine_was_done(done, said) -> None:
    data = brand_new(pain=(Checkin(day=day(0), score=4, done=done),))
    text = " ".join(pages_text(render_report(data)))
    assert said in text
    assert "of that day" not in text
