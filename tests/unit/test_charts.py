"""Progress charts: the right charts for the data there is, as real PNG or SVG files, the
same bytes for the same history."""

from __future__ import annotations

import sys
from datetime import timedelta
from typing import Literal

import pytest

from psoas.domain.tracking import History, PainRating, Profile, Retest
from psoas.reports.charts import progress_charts
from tests.unit.test_exports import T0, make_history

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
HISTORY = make_history()
EMPTY = History(profile=Profile(name="A", created_at=T0))
ALL = {"pain", "adherence", "function", "retest"}


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[12:16] == b"IHDR"
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_a_full_history_gives_four_png_charts() -> None:
    charts = progress_charts(HISTORY, fmt="png")
    assert set(charts) == {f"{name}.png" for name in ALL}
    for data in charts.values():
        assert data.startswith(PNG_SIGNATURE)
        assert _png_size(data) == (960, 540)


def test_svg_charts_are_svg_documents() -> None:
    charts = progress_charts(HISTORY, fmt="svg")
    assert set(charts) == {f"{name}.svg" for name in ALL}
    for data in charts.values():
        assert data.startswith(b"<?xml")
        assert b"<svg" in data[:1000]
        assert data.rstrip().endswith(b"</svg>")


def test_charts_have_titles_a_reader_can_find() -> None:
    # the SVG keeps each text as a comment next to its glyphs
    charts = progress_charts(HISTORY, fmt="svg")
    assert b"Pain" in charts["pain.svg"]
    assert b"Sessions per week" in charts["adherence.svg"]
    assert b"Modified Thomas test: hip angle" in charts["retest.svg"]


@pytest.mark.parametrize("fmt", ["png", "svg"])
def test_the_same_history_gives_the_same_bytes(fmt: Literal["png", "svg"]) -> None:
    assert progress_charts(HISTORY, fmt=fmt) == progress_charts(make_history(), fmt=fmt)


def test_an_empty_history_has_no_charts() -> None:
    assert progress_charts(EMPTY, fmt="png") == {}


def test_only_the_charts_with_data_are_made() -> None:
    only_pain = EMPTY.model_copy(update={"pain": (PainRating(at=T0, score=4),)})
    assert set(progress_charts(only_pain, fmt="svg")) == {"pain.svg"}
    no_sessions = History(
        assessments=HISTORY.assessments,
        profile=HISTORY.profile,
        programs=HISTORY.programs,
        psfs=HISTORY.psfs,
        retests=HISTORY.retests,
    )
    assert set(progress_charts(no_sessions, fmt="png")) == {"function.png", "retest.png"}


def test_a_retest_without_a_hip_angle_makes_no_retest_chart() -> None:
    resisted_only = EMPTY.model_copy(update={"retests": (Retest(at=T0, resisted_left="weak"),)})
    assert progress_charts(resisted_only, fmt="png") == {}
    one_side = EMPTY.model_copy(
        update={"retests": (Retest(at=T0 + timedelta(days=1), thomas_right_hip_deg=8),)}
    )
    assert set(progress_charts(one_side, fmt="png")) == {"retest.png"}


def test_dates_can_be_shown_in_the_persons_time_zone() -> None:
    utc = progress_charts(HISTORY, fmt="svg")["pain.svg"]
    tokyo = progress_charts(HISTORY, fmt="svg", tz="Asia/Tokyo")["pain.svg"]
    assert utc != tokyo
    with pytest.raises(ValueError, match="tz"):
        progress_charts(HISTORY, fmt="svg", tz="Nowhere/Land")


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError, match="fmt"):
        progress_charts(HISTORY, fmt="gif")  # type: ignore[arg-type]


def test_charts_leave_pyplot_alone() -> None:
    progress_charts(HISTORY, fmt="png")
    pyplot = sys.modules.get("matplotlib.pyplot")
    assert pyplot is None or pyplot.get_fignums() == []


def test_the_pain_baseline_is_the_one_the_progress_report_uses() -> None:
    from psoas.domain.progression import baseline_intake

    intake = baseline_intake(HISTORY)
    assert intake is not None  # the history starts with an assessment that gave a program
    svg = progress_charts(HISTORY, fmt="svg")["pain.svg"].decode()
    assert f"Baseline {intake.pain.intensity_now} (at the assessment)" in svg
    without = make_history(with_assessment=False)
    assert baseline_intake(without) is None
    first = min((p for p in without.pain if p.context != "after_session"), key=lambda p: p.at)
    svg = progress_charts(without, fmt="svg")["pain.svg"].decode()
    assert f"Baseline {first.score} (your first rating)" in svg


def test_the_adherence_chart_counts_as_the_progress_report_does() -> None:
    """Each week's bar is the sessions' worth of work done (a session by the share of its sets
    done), against what the version in force each day asked for: the report's definition."""
    from psoas.domain.progression import summarize, thomas_baseline
    from psoas.reports.charts import adherence_weeks

    weeks = adherence_weeks(HISTORY)
    assert weeks and all(0 <= done <= asked for _, done, asked in weeks)
    # the history logs three sets of each session's plan: far from whole sessions
    sessions = len(HISTORY.sessions)
    assert sum(done for _, done, _ in weeks) < sessions / 2
    at = max(p.at for p in HISTORY.pain)
    s = summarize(
        history=HISTORY, baseline_pain=5, baseline_thomas=thomas_baseline(HISTORY), now=at
    )
    assert s.adherence_28.window_days == (at.date() - weeks[0][0]).days + 1  # under 28 days
    assert sum(done for _, done, _ in weeks) == pytest.approx(s.adherence_28.completed)
    assert sum(asked for _, _, asked in weeks) == s.adherence_28.expected


def test_the_retest_chart_starts_from_the_baseline_the_report_reads() -> None:
    from psoas.domain.progression import thomas_baseline

    assert thomas_baseline(HISTORY) == (2, 14)  # the example intake's Thomas test
    svg = progress_charts(HISTORY, fmt="svg")["retest.svg"].decode()
    assert "Left hip at the assessment (the start)" in svg
    assert "Right hip at the assessment (the start)" in svg
    # measured at the assessment only: the chart still shows where the course starts
    assert "retest.svg" in progress_charts(HISTORY.model_copy(update={"retests": ()}), fmt="svg")
    without = make_history(with_assessment=False)
    svg = progress_charts(without, fmt="svg")["retest.svg"].decode()
    assert "at the assessment" not in svg
