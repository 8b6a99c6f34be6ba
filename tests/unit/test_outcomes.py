"""Outcomes scored elsewhere, without a database: the rules for totals, ratings and birth dates,
the changes read against the smallest change that matters, the chart numbers, the episode
report's content, and the handout's QR code (drawn modules match segno's)."""

from __future__ import annotations

import subprocess
from datetime import UTC, date, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.intake import Intake
from psoas.domain.outcomes import (
    GROC_WORDS,
    OutcomeScore,
    age_on,
    birth_date_problem,
    change,
    date_problem,
    score_problem,
    value_text,
)
from psoas.reports import episode
from psoas.reports.chart_data import chart_data
from psoas.reports.pdf import QR_SIZE, CareLine, handout_pdf
from psoas.services import charts
from tests.conftest import EXAMPLES, load_json, require_tool
from tests.unit.test_exports import make_history

AT = datetime(2026, 11, 23, 9, tzinfo=UTC)


def score(measure: str, value: float, day: date, by: str = "clinician") -> OutcomeScore:
    return OutcomeScore(
        measure=measure,  # type: ignore[arg-type]
        score=value,
        scored_on=day,
        entered_by=by,  # type: ignore[arg-type]
        entered_by_name="Dana",
        entered_at=AT,
    )


@pytest.mark.parametrize(
    ("measure", "value", "problem"),
    [
        ("odi", 0, None),
        ("odi", 100, None),
        ("odi", 44.4, None),  # a total with a missing item: / (5 x answered) x 100
        ("odi", 44.44, "score: at most one decimal"),
        ("odi", 100.5, "score: must be from 0 to 100"),
        ("odi", -1, "score: must be from 0 to 100"),
        ("rmdq", 24, None),
        ("rmdq", 25, "score: must be from 0 to 24"),
        ("rmdq", 3.5, "score: must be a whole number"),
        ("groc", -7, None),
        ("groc", 8, "score: must be from -7 to 7"),
        ("groc", float("nan"), "score: must be from -7 to 7"),
        ("sf36", 3, "measure: must be one of odi, rmdq, groc"),
    ],
)
def test_totals_are_checked_against_each_measure(
    measure: str, value: float, problem: str | None
) -> None:
    assert score_problem(measure, value) == problem


def test_a_date_scored_is_not_in_the_future_nor_long_ago() -> None:
    today = date(2026, 11, 23)
    assert date_problem(today, today) is None
    assert date_problem(date(2026, 11, 24), today) == "scored_on: cannot be in the future"
    assert date_problem(date(2016, 11, 22), today) is not None


@given(st.dates(min_value=date(1900, 1, 1), max_value=date(2030, 12, 31)))
def test_a_birth_date_gives_an_age_from_12_to_110_or_a_reason(born: date) -> None:
    today = date(2026, 11, 23)
    problem = birth_date_problem(born, today)
    if problem is None:
        assert 12 <= age_on(born, today) <= 110
    else:
        assert problem.startswith("birth_date: ")
        assert born > today or not 12 <= age_on(born, today) <= 110


def test_the_age_counts_whole_years() -> None:
    assert age_on(date(1984, 3, 9), date(2026, 3, 8)) == 41
    assert age_on(date(1984, 3, 9), date(2026, 3, 9)) == 42
    assert age_on(date(2000, 2, 29), date(2026, 2, 28)) == 25
    assert age_on(date(2000, 2, 29), date(2026, 3, 1)) == 26


def test_every_rating_of_change_has_words_of_our_own() -> None:
    assert sorted(GROC_WORDS) == list(range(-7, 8))
    assert value_text("groc", 3) == "+3 (somewhat better)"
    assert value_text("groc", -2) == "-2 (a little worse)"
    assert value_text("groc", 0) == "0 (about the same)"
    assert value_text("odi", 44.0) == "44 %"
    assert value_text("rmdq", 9) == "9 of 24"


@pytest.mark.parametrize(
    ("measure", "first", "latest", "direction", "meaningful"),
    [
        ("odi", 40, 30, "better", True),  # 10 points
        ("odi", 40, 31, "better", False),  # 9 points and 22 %
        ("odi", 20, 14, "better", True),  # 6 points but 30 %
        ("odi", 30, 42, "worse", True),
        ("rmdq", 14, 9, "better", True),  # 5 points
        ("rmdq", 14, 10, "better", False),
        ("rmdq", 10, 7, "better", True),  # 30 %
        ("rmdq", 0, 4, "worse", False),  # from 0: 5 points needed
        ("rmdq", 12, 12, "same", False),
    ],
)
def test_a_change_is_read_against_the_smallest_that_matters(
    measure: str, first: float, latest: float, direction: str, meaningful: bool
) -> None:
    found = change(
        [score(measure, latest, date(2026, 11, 20)), score(measure, first, date(2026, 10, 1))],
        measure,  # type: ignore[arg-type]
    )
    assert found is not None
    assert (found.direction, found.meaningful) == (direction, meaningful)
    assert found.first.score == first and found.latest.score == latest


def test_no_change_from_one_total_or_for_the_rating() -> None:
    assert change([score("odi", 40, date(2026, 10, 1))], "odi") is None
    two = [score("groc", 2, date(2026, 10, 1)), score("groc", 4, date(2026, 11, 1))]
    assert change(two, "groc") is None


def test_outcome_charts_are_added_with_their_band_and_rule() -> None:
    history = make_history()
    found = [
        score("odi", 42, date(2026, 10, 1)),
        score("odi", 28, date(2026, 11, 1)),
        score("groc", 3, date(2026, 11, 1), by="patient"),
    ]
    made = {c.name: c for c in chart_data(history, outcomes=found)}
    assert "rmdq" not in made  # no total, no chart
    odi = made["odi"]
    assert odi.series[0].points == ((date(2026, 10, 1), 42.0), (date(2026, 11, 1), 28.0))
    assert (odi.y_min, odi.y_max, odi.band, odi.rule) == (0, 100, (32.0, 52.0), None)
    groc = made["groc"]
    assert (groc.y_min, groc.y_max, groc.rule, groc.band) == (-7, 7, 0.0, None)
    # the page's words and the legend
    web = {c.name: c for c in charts.web_charts(history, _summary(history), outcomes=found)}
    assert web["odi"].band_label == "Your first total, ± 10"
    assert web["groc"].rule_label == "0 = about the same"
    assert web["odi"].rows == [["1 Nov 2026", "28"], ["1 Oct 2026", "42"]]
    assert "2026-10-01: 42 %" in web["odi"].alt
    # without totals, nothing is added
    assert {c.name for c in chart_data(history)} == {"pain", "adherence", "function", "retest"}


def _summary(history):  # type: ignore[no-untyped-def]
    from psoas.domain.progression import summarize

    return summarize(history=history, baseline_pain=None, baseline_thomas=None, now=AT)


def _text(pdf: bytes) -> str:
    require_tool("pdftotext", "poppler-utils")
    return subprocess.run(
        ["pdftotext", "-", "-"], input=pdf, capture_output=True, check=True
    ).stdout.decode()


def _episode(**changes: object) -> episode.Episode:
    base = episode.Episode(
        patient="Ana Müller",
        on=date(2026, 11, 23),
        birth_date=date(1984, 3, 9),
        age=42,
        clinician="Dana Physio",
        clinic="Riverside Physio",
        clinic_contact=("Phone 0161 496 0000", "desk@riverside.example"),
        first_seen=date(2026, 10, 1),
        assessments=(
            episode.AssessmentLine(
                on=date(2026, 10, 1),
                urgency="Self-care: no warning sign found",
                action=None,
                involvement="likely (score 7)",
                side="right",
                about="At the assessment: age 42; sits 9 hours a day; pain 6/10 for 8 weeks.",
                findings=((2, "Long sitting"), (1, "Modified Thomas test, right: 12 degrees")),
            ),
        ),
        versions=(
            episode.VersionLine(1, date(2026, 10, 1), "first program", items=8, minutes=18),
            episode.VersionLine(
                2, date(2026, 10, 22), "progress: steps up", added=("Bridge",), items=9, minutes=21
            ),
        ),
        adherence=(("Sessions, last 7 days", "6 of 7 (86%)"),),
        pain_function=(("Pain 0-10: at the start → last 7 days", "6 → 3.4"),),
        outcomes=(
            episode.OutcomeLine(date(2026, 10, 1), "Oswestry (ODI)", "46 %", "Dana Physio"),
            episode.OutcomeLine(date(2026, 11, 20), "Oswestry (ODI)", "30 %", "Dana Physio"),
        ),
        changes=("Oswestry (ODI): 46 % → 30 %: a meaningful change (better).",),
        readings=(),
    )
    return episode.Episode(**{**base.__dict__, **changes})  # type: ignore[arg-type]


def test_the_episode_report_says_who_what_and_the_figures() -> None:
    pdf = episode.episode_pdf(_episode())
    assert pdf.startswith(b"%PDF-")
    text = _text(pdf)
    for expected in (
        "Episode report: Ana Müller",
        "9 March 1984 (age 42)",
        "Dana Physio",
        "Riverside Physio",
        "Phone 0161 496 0000 - desk@riverside.example",
        "Self-care: no warning sign found",
        "likely (score 7); right side tighter",
        "Added: Bridge",
        "6 of 7 (86%)",
        "6 → 3.4",
        "46 %",
        "30 %",
        "a meaningful change (better)",
        "scored on the clinic's own forms",
    ):
        assert expected in text, expected
    assert text.count("\f") == 1  # one page without charts


def test_the_episode_report_without_a_birth_date_or_outcomes_says_so() -> None:
    text = _text(episode.episode_pdf(_episode(birth_date=None, age=None, outcomes=(), changes=())))
    assert "Birth date" in text and "not given" in text
    assert "None recorded." in text


@pytest.fixture(scope="module")
def handout() -> bytes:
    intake = Intake.model_validate(load_json(EXAMPLES / "office-worker.json"))
    result = assess(intake, load_catalog())
    assert result.program is not None
    return handout_pdf(
        result.program,
        load_catalog(),
        person="Ana",
        on=date(2026, 11, 23),
        care=CareLine(
            clinic="Riverside Physio",
            clinician="Dana Physio",
            contact=("Phone 0161 496 0000",),
            app_url="https://psoas.example.org/me",
        ),
    )


def test_the_handout_names_the_clinic_on_every_page(handout: bytes) -> None:
    pages = _text(handout).split("\f")[:-1]
    assert len(pages) > 2
    assert "Your program in the app: scan the code or open https://psoas.example.org/me" in pages[0]
    for page in pages:
        assert "Riverside Physio - Dana Physio" in page
        assert "Questions: Riverside Physio - Phone 0161 496 0000" in page


def test_the_handouts_qr_code_is_segnos_modules_drawn_in_vector(handout: bytes, tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Render the first page and read each module at its centre: dark where segno says dark."""
    import segno
    from PIL import Image

    require_tool("pdftoppm", "poppler-utils")
    (tmp_path / "h.pdf").write_bytes(handout)
    dpi = 300
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            str(dpi),
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "h.pdf"),
            str(tmp_path / "p"),
        ],
        check=True,
    )
    image = Image.open(next(tmp_path.glob("p*.png"))).convert("L")
    matrix = [list(row) for row in segno.make("https://psoas.example.org/me", error="m").matrix]
    n = len(matrix)
    cell = QR_SIZE / (n + 4)
    left, top = 210 - 18 - QR_SIZE, 16  # mm: the right margin, the top margin
    px = dpi / 25.4
    wrong = 0
    for r in range(n):
        for c in range(n):
            x = (left + (2 + c + 0.5) * cell) * px
            y = (top + (2 + r + 0.5) * cell) * px
            dark = image.getpixel((round(x), round(y))) < 128
            wrong += dark != bool(matrix[r][c])
    assert wrong == 0
