"""The progress charts as numbers (psoas.reports.chart_data and the page's words in
psoas.services.charts): days, weeks or months by how long the history is, the same baseline and
weekly counts as the drawings, a small download for five years, and a table for each chart."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest

from psoas.domain.involvement import THOMAS_POSITIVE_DEG
from psoas.domain.progression import session_shares, summarize
from psoas.reports.chart_data import adherence_weeks, chart_data, period_start, step_for
from psoas.services import charts, fixtures
from tests.unit.test_exports import make_history

NOW = datetime(2026, 11, 30, 20, 0, tzinfo=UTC)
HISTORY = make_history()


def _summary(history):  # type: ignore[no-untyped-def]
    return summarize(history=history, baseline_pain=5, baseline_thomas=None, now=NOW, shares=None)


@pytest.fixture(scope="module")
def five_years():  # type: ignore[no-untyped-def]
    return fixtures.build(fixtures.example_intake(), now=NOW, days=5 * 365, adherence=0.85)


def test_the_step_follows_the_span() -> None:
    d = date(2026, 1, 1)
    assert step_for(d, d + timedelta(days=92)) == "day"
    assert step_for(d, d + timedelta(days=93)) == "week"
    assert step_for(d, d + timedelta(days=400)) == "week"
    assert step_for(d, d + timedelta(days=401)) == "month"
    assert period_start(date(2026, 1, 20), "week", d) == date(2026, 1, 15)
    assert period_start(date(2026, 1, 20), "month", d) == date(2026, 1, 1)


def test_three_weeks_show_each_day_and_the_pain_band_of_the_report() -> None:
    made = {c.name: c for c in chart_data(HISTORY)}
    assert set(made) == {"pain", "adherence", "function", "retest"}
    pain = made["pain"]
    assert pain.step == "day" and pain.kind == "line"
    ratings = [p for p in HISTORY.pain if p.context != "after_session"]
    days = {p.at.date() for p in ratings}
    assert [d for d, _ in pain.series[0].points] == sorted(days)
    assert pain.band == (pain.baseline - 2, pain.baseline + 2)  # type: ignore[operator]
    # the bars are the drawings' weeks: done and asked, week by week
    bars = made["adherence"]
    assert bars.kind == "bars" and bars.step == "week"
    weeks = adherence_weeks(HISTORY)
    assert [d for d, _ in bars.series[0].points] == [w[0] for w in weeks]
    assert [v for _, v in bars.series[0].points] == [round(w[1], 1) for w in weeks]
    assert [v for _, v in bars.series[1].points] == [w[2] for w in weeks]
    # the stored shares give the same bars as the sets they came from
    again = chart_data(HISTORY, shares=session_shares(HISTORY))
    assert again == chart_data(HISTORY)


def test_five_years_are_months_and_a_small_download(five_years) -> None:  # type: ignore[no-untyped-def]
    made = charts.web_charts(five_years, _summary(five_years))
    assert [c.name for c in made] == ["pain", "adherence", "function", "retest"]
    assert {c.data.step for c in made} == {"month"}
    pain = made[0].data.series[0].points
    assert 58 <= len(pain) <= 62  # one a month
    # each month is the average of that month's ratings
    first_month = pain[0][0]
    scores = [
        p.score
        for p in five_years.pain
        if p.context != "after_session" and p.at.date().replace(day=1) == first_month
    ]
    assert pain[0][1] == round(sum(scores) / len(scores), 1)
    payload = charts.charts_json(made)
    assert len(payload) < 15_000
    assert json.loads(payload)[1]["kind"] == "bars"
    table = made[0]
    assert table.head == ["Month", "Your pain"]
    assert len(table.rows) == len(pain) and table.rows[0][0] == pain[-1][0].strftime("%b %Y")


def test_the_right_hip_has_its_own_line_and_the_threshold_its_rule() -> None:
    history = fixtures.build(fixtures.example_intake(), now=NOW, days=42)
    retest = next(c for c in chart_data(history) if c.name == "retest")
    assert [s.name for s in retest.series] == ["Left hip", "Right hip"]
    assert retest.rule == THOMAS_POSITIVE_DEG and retest.y_min <= -3
    assert retest.y_max >= THOMAS_POSITIVE_DEG + 3
    # the first point of each side is the assessment's angle (left 2, right 14)
    assert [s.points[0][1] for s in retest.series] == [2, 14]


def test_json_cannot_close_its_script_block() -> None:
    history = make_history()
    made = charts.web_charts(history, _summary(history))
    text = charts.charts_json(made)
    assert "<" not in text and ">" not in text and "&" not in text


def test_days_are_the_persons_days() -> None:
    utc = chart_data(HISTORY)[0].series[0].points
    west = chart_data(HISTORY, tz="Pacific/Honolulu")[0].series[0].points
    # the first ratings (8 to 9 UTC) were made the evening before in Hawaii
    assert west[0][0] == utc[0][0] - timedelta(days=1)
    with pytest.raises(ValueError, match="Nowhere/Land"):
        chart_data(HISTORY, tz="Nowhere/Land")
