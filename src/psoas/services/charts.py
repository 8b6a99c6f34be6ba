"""The progress charts of the pages: the one place for their titles and their words for screen
readers. The person's progress page and the clinician's record get the same charts, as numbers
that the browser draws (:func:`web_charts`, from :mod:`psoas.reports.chart_data`, drawn by
``static/progress-charts.js``); the PDFs and the terminal draw theirs with matplotlib
(:mod:`psoas.reports.charts`).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from psoas.domain.involvement import THOMAS_POSITIVE_DEG
from psoas.domain.outcomes import MEASURES, OutcomeScore, number, value_text
from psoas.domain.progression import ProgressSummary
from psoas.domain.tracking import History
from psoas.reports.chart_data import PAIN_MIC, ChartData, chart_data


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}".removesuffix(".0")


def outcome_alt(name: str, scores: Sequence[OutcomeScore]) -> str:
    """An outcome chart in words: each total (or rating) with its day."""
    info = MEASURES[name]
    mine = sorted((x for x in scores if x.measure == name), key=lambda x: x.scored_on)
    listed = "; ".join(f"{x.scored_on.isoformat()}: {value_text(x.measure, x.score)}" for x in mine)
    scale = f"from {number(info.low)} to {number(info.high)}{info.unit and ' ' + info.unit}"
    better = "lower is better" if info.lower_is_better else "higher is better"
    return f"{info.name}, {scale}, {better}. {listed or 'None yet'}."


def alt_text(name: str, s: ProgressSummary, outcomes: Sequence[OutcomeScore] = ()) -> str:
    """What a chart shows, in words."""
    if name in MEASURES:
        return outcome_alt(name, outcomes)
    if name == "pain":
        p = s.pain
        return (
            f"Pain ratings from 0 to 10 over time. At the start {_num(p.baseline)}; average of "
            f"the last 7 days {_num(p.recent_average)} from {p.recent_ratings} rating(s)."
        )
    if name == "adherence":
        a7, a28 = s.adherence_7, s.adherence_28
        return (
            "Sessions' worth of work done each week (each session counts by the share of its "
            f"sets done) against what the program asked for. Last 7 days: {a7.sessions_text}; "
            f"last 28 days: {a28.sessions_text}."
        )
    if name == "function":
        f = s.function
        return (
            f"Functional scale, 0 (cannot) to 10 (as before), {f.entries} entr"
            f"{'y' if f.entries == 1 else 'ies'}: mean first {_num(f.first_mean)}, latest "
            f"{_num(f.latest_mean)}."
        )
    r = s.retest
    return (
        "Thomas test hip angle in degrees (lower is more length). Left: first "
        f"{_num(r.left.first)}, latest {_num(r.left.latest)}; right: first {_num(r.right.first)}, "
        f"latest {_num(r.right.latest)}."
    )


# --- the person's page: numbers the browser draws -----------------------------------------------

#: What each chart is called on the person's page, and the line under it saying how to read it.
WEB_TITLES = {
    "pain": "Pain",
    "adherence": "Sessions done",
    "function": "Your activities",
    "retest": "Hip flexor length (Thomas test)",
    "odi": "Oswestry total (from your clinic)",
    "rmdq": "Roland-Morris total (from your clinic)",
    "groc": "How your back has changed",
}
STEP_WORDS = {"day": "each day", "week": "each week's average", "month": "each month's average"}
PERIOD_HEAD = {"day": "Day", "week": "Week of", "month": "Month"}


@dataclass(frozen=True)
class WebChart:
    """One chart of the progress page: what the browser draws, its words, and its numbers as
    a table (the accessible alternative, and what shows without scripts)."""

    data: ChartData
    title: str
    note: str
    alt: str

    @property
    def name(self) -> str:
        return self.data.name

    def period(self, day: date) -> str:
        if self.data.step == "month":
            return day.strftime("%b %Y")
        return f"{day.day} {day.strftime('%b %Y')}"

    @property
    def band_label(self) -> str:
        """What the shaded band is, for the legend."""
        info = MEASURES.get(self.data.name)
        if info is not None and info.mic_points is not None:
            return f"Your first total, ± {number(info.mic_points)}"
        return f"Where you started, ± {PAIN_MIC}"

    @property
    def rule_label(self) -> str:
        """What the dashed line across is, for the legend."""
        if self.data.name == "groc":
            return "0 = about the same"
        return f"Reads as short ({self.data.rule:g}°)"

    @property
    def head(self) -> list[str]:
        return [PERIOD_HEAD[self.data.step], *(s.name for s in self.data.series)]

    @property
    def rows(self) -> list[list[str]]:
        """One row a period, newest first, a dash where a series has no value."""
        values: dict[date, list[str]] = {}
        width = len(self.data.series)
        for n, series in enumerate(self.data.series):
            for day, value in series.points:
                values.setdefault(day, ["-"] * width)[n] = _num(value)
        return [[self.period(d), *values[d]] for d in sorted(values, reverse=True)]

    def payload(self) -> dict[str, Any]:
        d = self.data
        return {
            "id": d.name,
            "kind": d.kind,
            "step": d.step,
            "y": [d.y_min, d.y_max],
            "band": list(d.band) if d.band else None,
            "rule": d.rule,
            "series": [
                {"name": s.name, "points": [[day.isoformat(), v] for day, v in s.points]}
                for s in d.series
            ],
        }


def _web_note(d: ChartData) -> str:
    every = STEP_WORDS[d.step]
    if d.name == "pain":
        note = f"0 = no pain, 10 = worst; {every}."
        if d.baseline is not None:
            note += (
                f" Shaded: {PAIN_MIC} points either side of where you started "
                f"({d.baseline:g}, {d.baseline_from}); a change inside it may be noise."
            )
        return note
    if d.name == "adherence":
        per = "week" if d.step == "week" else "month"
        return (
            f"Each bar is a {per}: a session counts by the share of its sets you did. "
            "The dark mark is what your program asked for."
        )
    if d.name == "function":
        return f"0 = cannot do it, 10 = as well as before; higher is better; {every}."
    if d.name in ("odi", "rmdq"):
        info = MEASURES[d.name]
        top = f"{number(info.high)}{' %' if info.unit else ''}"
        assert info.mic_points is not None
        return (
            f"Scored by your clinic on its own form, on the day shown: 0 = no disability, "
            f"{top} = the most; lower is better. Shaded: {number(info.mic_points)} points "
            "either side of your first total; a change inside it may be noise."
        )
    if d.name == "groc":
        return (
            "Your own rating of how your back has changed since you started: from -7 (a very "
            "great deal worse) to +7 (a very great deal better)."
        )
    return (
        f"How far the thigh stays above the table, in degrees; lower means longer hip "
        f"flexors. Above the dashed line ({THOMAS_POSITIVE_DEG:g}°) reads as short; {every}."
    )


def web_charts(
    history: History,
    summary: ProgressSummary,
    *,
    shares: Mapping[int, float] | None = None,
    tz: str = "UTC",
    outcomes: Sequence[OutcomeScore] = (),
) -> list[WebChart]:
    """The progress page's charts, from the same numbers as every other surface (the totals
    scored elsewhere and the ratings of change from ``outcomes``)."""
    return [
        WebChart(
            data=d,
            title=WEB_TITLES[d.name],
            note=_web_note(d),
            alt=alt_text(d.name, summary, outcomes),
        )
        for d in chart_data(history, shares=shares, tz=tz, outcomes=outcomes)
    ]


def charts_json(charts: Sequence[WebChart]) -> str:
    """The charts' numbers for ``static/progress-charts.js``, compact, safe inside a
    ``<script type="application/json">`` block."""
    text = json.dumps([c.payload() for c in charts], separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
