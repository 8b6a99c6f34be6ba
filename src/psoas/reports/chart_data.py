"""What the progress charts show, as numbers: the one place for their baselines, bands, points
and weekly counts.

The person's progress page draws its charts in the browser (``static/progress-charts.js``) from
these numbers, and :mod:`psoas.reports.charts` draws the same ones with matplotlib for files
and the clinic. Nothing here imports matplotlib, so the web page never waits for it.

Years of use stay a small download and a readable line on a phone: a chart shows each day up
to about three months, each week's average up to about a year, and each month's beyond.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from psoas.domain.adherence import days, utc_day, work_by_day
from psoas.domain.involvement import THOMAS_POSITIVE_DEG
from psoas.domain.outcomes import MEASURES, OutcomeScore
from psoas.domain.progression import (
    baseline_intake,
    pain_baseline,
    session_shares,
    thomas_baseline,
    thomas_points,
    version_starts,
)
from psoas.domain.tracking import History

__all__ = [
    "BASELINE_FROM",
    "PAIN_MIC",
    "ChartData",
    "Series",
    "adherence_weeks",
    "chart_data",
    "last_time",
    "outcome_chart",
    "zone_of",
]

#: The smallest change in a 0-10 pain rating that matters to people with low back pain
#: (Ostelo 2008, ``ostelo-2008``: 2 points or 30 %).
PAIN_MIC = 2
BASELINE_FROM = {"intake": "at the assessment", "first_rating": "your first rating"}

Step = Literal["day", "week", "month"]
ChartName = Literal["pain", "adherence", "function", "retest", "odi", "rmdq", "groc"]
#: Up to this many days from the first point to the last a line shows each day; up to
#: WEEKLY_UP_TO_DAYS each week's average; beyond, each month's.
DAILY_UP_TO_DAYS = 92
WEEKLY_UP_TO_DAYS = 400
#: Session bars: a bar a week up to this many weeks, else a bar a month.
WEEKLY_BARS_UP_TO = 26


def zone_of(tz: str) -> tzinfo:
    """The time zone named ``tz``; ValueError naming it when there is none."""
    if tz.upper() in ("UTC", "Z", "ETC/UTC"):
        return UTC
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"tz: unknown time zone {tz!r}") from None


def last_time(history: History) -> datetime:
    """The time of the history's latest record of any kind."""
    times = [s.started_at for s in history.sessions]
    times += [s.ended_at for s in history.sessions if s.ended_at is not None]
    times += [x.completed_at for x in history.sets]
    times += [p.created_at for p in history.programs]
    for records in (history.pain, history.psfs, history.retests, history.breaks):
        times += [r.at for r in records]
    return max(times)


def adherence_weeks(
    history: History, shares: Mapping[int, float] | None = None
) -> list[tuple[date, float, int]]:
    """Each week from the first program's day (UTC days): its first day, the sessions' worth
    of work done and the sessions the program asked for, counted as the progress report counts
    them (psoas.domain.adherence). Empty without sessions or a program. ``shares`` is each
    session's share of its work done (as stored, see ``psoas.services.tracking.session_work``),
    else read from the history's sets."""
    if not history.sessions or not history.programs:
        return []
    until = last_time(history)
    versions = version_starts(history, until)
    if not versions:
        return []
    worked = work_by_day(
        history.sessions, session_shares(history) if shares is None else shares, until
    )
    first, last = utc_day(versions[0].created_at), utc_day(until)
    weeks: list[tuple[date, float, int]] = []
    for d in days(versions, worked, first, last):
        if (d.day - first).days % 7 == 0:
            weeks.append((d.day, 0.0, 0))
        start, done, asked = weeks[-1]
        weeks[-1] = (start, done + d.done, asked + d.asked)
    return weeks


@dataclass(frozen=True)
class Series:
    name: str
    points: tuple[tuple[date, float], ...]


@dataclass(frozen=True)
class ChartData:
    """One chart as numbers. A ``line`` chart joins each series' points; a ``bars`` chart
    draws its first series as bars and its second as a mark on each bar (what was asked)."""

    name: ChartName
    kind: Literal["line", "bars"]
    #: Each point stands for a day, or the average (bars: the sum) of a week or a month.
    step: Step
    series: tuple[Series, ...]
    y_min: float
    y_max: float
    #: A shaded band (low, high): for pain, the change that may be noise.
    band: tuple[float, float] | None = None
    #: A dashed line across: the Thomas test's "reads as short hip flexors" angle.
    rule: float | None = None
    #: The pain everything is compared with, and what it was taken from.
    baseline: float | None = None
    baseline_from: str | None = None


def step_for(first: date, last: date) -> Step:
    span = (last - first).days
    if span <= DAILY_UP_TO_DAYS:
        return "day"
    return "week" if span <= WEEKLY_UP_TO_DAYS else "month"


def period_start(day: date, step: Step, first: date) -> date:
    """The first day of the period ``day`` falls in (weeks count from ``first``)."""
    if step == "day":
        return day
    if step == "week":
        return first + timedelta(days=(day - first).days // 7 * 7)
    return day.replace(day=1)


def _averaged(
    points: Iterable[tuple[date, float]], step: Step, first: date
) -> tuple[tuple[date, float], ...]:
    groups: dict[date, list[float]] = {}
    for day, value in points:
        groups.setdefault(period_start(day, step, first), []).append(value)
    return tuple((d, round(sum(v) / len(v), 1)) for d, v in sorted(groups.items()))


def _line(
    name: ChartName,
    raw: Sequence[tuple[str, Sequence[tuple[date, float]]]],
    y: tuple[float, float],
    **extra: Any,
) -> ChartData | None:
    seen = [d for _, points in raw for d, _ in points]
    if not seen:
        return None
    first, last = min(seen), max(seen)
    step = step_for(first, last)
    series = tuple(Series(label, _averaged(pts, step, first)) for label, pts in raw if pts)
    return ChartData(
        name=name, kind="line", step=step, series=series, y_min=y[0], y_max=y[1], **extra
    )


def _pain(history: History, zone: tzinfo) -> ChartData | None:
    """Every rating but the after-session ones (the progress report's pain)."""
    ratings = sorted((p for p in history.pain if p.context != "after_session"), key=lambda p: p.at)
    if not ratings:
        return None
    intake = baseline_intake(history)
    base, source = pain_baseline(intake.pain.intensity_now if intake else None, ratings)
    band = None
    if base is not None:
        band = (max(0.0, base - PAIN_MIC), min(10.0, base + PAIN_MIC))
    points = [(p.at.astimezone(zone).date(), float(p.score)) for p in ratings]
    return _line(
        "pain",
        [("Your pain", points)],
        (0, 10),
        band=band,
        baseline=base,
        baseline_from=BASELINE_FROM.get(source or ""),
    )


def _function(history: History, zone: tzinfo) -> ChartData | None:
    entries = sorted(history.psfs, key=lambda e: e.at)
    points = [(e.at.astimezone(zone).date(), e.mean) for e in entries]
    return _line("function", [("Average of your activities", points)], (0, 10))


def _retest(history: History, zone: tzinfo) -> ChartData | None:
    """The hip angle of each side from its baseline through every re-test: the same points the
    progress report reads."""
    points = thomas_points(history, thomas_baseline(history))
    raw = [
        (
            f"{side.capitalize()} hip",
            [(p.at.astimezone(zone).date(), p.degrees) for p in points[side] if p.at is not None],
        )
        for side in ("left", "right")
    ]
    angles = [a for _, pts in raw for _, a in pts]
    if not angles:
        return None
    low = math.floor(min([*angles, 0.0]) - 3)
    high = math.ceil(max([*angles, THOMAS_POSITIVE_DEG]) + 3)
    return _line("retest", raw, (low, high), rule=THOMAS_POSITIVE_DEG)


def _adherence(history: History, shares: Mapping[int, float]) -> ChartData | None:
    """Sessions' worth of work done each week (or month) against what the program asked for,
    counted day by day as the progress report counts them."""
    if not history.sessions or not history.programs:
        return None
    until = last_time(history)
    versions = version_starts(history, until)
    if not versions:
        return None
    worked = work_by_day(history.sessions, shares, until)
    first, last = utc_day(versions[0].created_at), utc_day(until)
    step: Step = "week" if (last - first).days < WEEKLY_BARS_UP_TO * 7 else "month"
    done: dict[date, float] = {}
    asked: dict[date, float] = {}
    for d in days(versions, worked, first, last):
        key = period_start(d.day, step, first)
        done[key] = done.get(key, 0.0) + d.done
        asked[key] = asked.get(key, 0.0) + d.asked
    keys = sorted(done)
    top = max([*done.values(), *asked.values(), 1.0])
    return ChartData(
        name="adherence",
        kind="bars",
        step=step,
        series=(
            Series("Sessions done", tuple((k, round(done[k], 1)) for k in keys)),
            Series("Asked for", tuple((k, asked[k]) for k in keys)),
        ),
        y_min=0,
        y_max=float(math.ceil(top)),
    )


def outcome_chart(scores: Iterable[OutcomeScore], measure: str) -> ChartData | None:
    """The totals of one measure scored elsewhere (each on the day it was scored), or the
    ratings of change. A disability total's band is the smallest change that matters either
    side of the first total (Ostelo 2008); the rating of change has a line at 0 (no change)."""
    info = MEASURES[measure]
    mine = sorted((s for s in scores if s.measure == measure), key=lambda s: s.scored_on)
    if not mine:
        return None
    points = [(s.scored_on, s.score) for s in mine]
    band = None
    base = None
    if info.mic_points is not None:
        base = mine[0].score
        band = (max(info.low, base - info.mic_points), min(info.high, base + info.mic_points))
    label = {"odi": "Oswestry total (%)", "rmdq": "Roland-Morris total", "groc": "Rating"}
    return _line(
        measure,  # type: ignore[arg-type]
        [(label[measure], points)],
        (info.low, info.high),
        band=band,
        baseline=base,
        baseline_from="the first total" if base is not None else None,
        rule=0.0 if measure == "groc" else None,
    )


def chart_data(
    history: History,
    *,
    shares: Mapping[int, float] | None = None,
    tz: str = "UTC",
    outcomes: Sequence[OutcomeScore] = (),
) -> list[ChartData]:
    """The progress charts as numbers, in the order the page shows them; a chart with nothing
    to show is left out. ``shares`` is each session's share of its work done (as
    ``psoas.services.tracking.session_work`` reads it), else taken from the history's sets.
    Days are those of time zone ``tz``; the session bars count UTC days, as adherence does.
    ``outcomes`` (totals scored elsewhere, ratings of change) add a chart for each measure
    that has one, on the day it was scored."""
    zone = zone_of(tz)
    made = (
        _pain(history, zone),
        _adherence(history, session_shares(history) if shares is None else shares),
        _function(history, zone),
        _retest(history, zone),
        *(outcome_chart(outcomes, m) for m in ("odi", "rmdq", "groc")),
    )
    return [c for c in made if c is not None]
