"""Progress charts from a history: pain, adherence, function and the re-test.

Built with matplotlib's object API (``Figure`` plus a canvas), never pyplot, so nothing here
touches global figure state. Colours come from the Okabe-Ito palette, which stays distinct
for the common kinds of colour blindness, and every series also differs in marker or line
style. The same history gives the same bytes: no dates in the metadata, fixed SVG ids.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Any, Literal

import matplotlib
import matplotlib.dates as mdates
import matplotlib.style
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from psoas.domain.adherence import sessions_number, utc_day
from psoas.domain.involvement import THOMAS_POSITIVE_DEG
from psoas.domain.outcomes import GROC_WORDS, MEASURES, OutcomeScore, number
from psoas.domain.progression import (
    baseline_intake,
    pain_baseline,
    thomas_baseline,
    thomas_points,
)
from psoas.domain.tracking import History, PainRating
from psoas.reports.chart_data import (
    BASELINE_FROM,
    PAIN_MIC,
    adherence_weeks,
    last_time,
    zone_of,
)

__all__ = ["PAIN_MIC", "adherence_weeks", "progress_charts"]


# Okabe-Ito colour-blind-safe palette.
BLUE = "#0072B2"
VERMILLION = "#D55E00"
ORANGE = "#E69F00"
GREEN = "#009E73"
SKY = "#56B4E9"
PURPLE = "#CC79A7"
GREY = "#999999"
BLACK = "#000000"

WIDTH_IN, HEIGHT_IN, DPI = 8.0, 4.5, 120
_STYLE: dict[str, Any] = {
    "svg.hashsalt": "psoas",  # fixed ids in SVG output instead of random ones
    "svg.fonttype": "path",
    "font.size": 10,
    "axes.titlesize": 13,
    "axes.titleweight": "bold",
    "axes.labelsize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.color": "#dddddd",
    "grid.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 9,
}

Plot = Callable[[Figure, History, tzinfo], bool]


def _num(value: datetime) -> float:
    """Matplotlib's date number (days since its epoch) for an aware datetime."""
    return float(mdates.date2num(value))  # type: ignore[no-untyped-call]


def _date_axis(ax: Axes, zone: tzinfo) -> None:
    locator = mdates.AutoDateLocator(tz=zone, minticks=3, maxticks=8)  # type: ignore[no-untyped-call]
    ax.xaxis.set_major_locator(locator)
    formatter = mdates.ConciseDateFormatter(  # type: ignore[no-untyped-call]
        locator,
        tz=zone,
        formats=["%Y", "%b", "%d %b", "%H:%M", "%H:%M", "%S.%f"],
        zero_formats=["", "%Y", "%d %b", "%d %b", "%H:%M", "%H:%M"],
        offset_formats=["", "%Y", "%Y", "%b %Y", "%d %b %Y", "%d %b %Y %H:%M"],
    )
    ax.xaxis.set_major_formatter(formatter)


def _pad_dates(ax: Axes, times: Iterable[datetime], zone: tzinfo) -> None:
    """At least a week wide, with a little room either side, so single points are readable."""
    values = sorted(times)
    first, last = values[0], values[-1]
    if last - first < timedelta(days=7):
        middle = first + (last - first) / 2
        first, last = middle - timedelta(days=3.5), middle + timedelta(days=3.5)
    pad = (last - first) * 0.04
    ax.set_xlim(_num(first - pad), _num(last + pad))


def _titles(fig: Figure, ax: Axes, title: str, subtitle: str) -> None:
    """A bold title and, under it, a grey line saying how to read the chart or its source."""
    fig.suptitle(title, fontsize=13, fontweight="bold")
    ax.set_title(subtitle, fontsize=9, color="#444444", fontweight="normal")


def _legend_below(fig: Figure, ax: Axes, ncols: int) -> None:
    handles, labels = ax.get_legend_handles_labels()
    if handles:
        fig.legend(handles, labels, loc="outside lower center", ncols=ncols)


# --- pain ---------------------------------------------------------------------------------------


def _pain(fig: Figure, history: History, zone: tzinfo) -> bool:
    """The same baseline as the progress report: the assessment's rating, else the first."""
    if not history.pain:
        return False
    ax = fig.add_subplot()
    intake = baseline_intake(history)
    ratings = sorted((p for p in history.pain if p.context != "after_session"), key=lambda p: p.at)
    base, source = pain_baseline(intake.pain.intensity_now if intake else None, ratings)
    if base is not None and source is not None:
        low, high = max(0.0, base - PAIN_MIC), min(10.0, base + PAIN_MIC)
        ax.axhspan(
            low,
            high,
            color=SKY,
            alpha=0.18,
            linewidth=0,
            label=f"Baseline {base:g} ({BASELINE_FROM[source]}) ± {PAIN_MIC}: change inside "
            "this band may be noise",
        )
        ax.axhline(base, color=SKY, linewidth=1, linestyle=":")
    daily = sorted((p for p in history.pain if p.context == "daily"), key=lambda p: p.at)
    if daily:
        ax.plot(
            [_num(p.at) for p in daily],
            [p.score for p in daily],
            color=BLUE,
            marker="o",
            markersize=5,
            linewidth=1.6,
            label="Daily rating",
        )
    # Before and after the same session, joined by a thin line: what one session changed.
    by_session: dict[int, dict[str, PainRating]] = {}
    for p in history.pain:
        if p.session_id is not None and p.context != "daily":
            by_session.setdefault(p.session_id, {})[p.context] = p
    for pair in by_session.values():
        if len(pair) == 2:
            before, after = pair["before_session"], pair["after_session"]
            ax.plot(
                [_num(before.at), _num(after.at)],
                [before.score, after.score],
                color=GREY,
                linewidth=0.8,
                zorder=1,
            )
    for context, colour, marker, label in (
        ("before_session", ORANGE, "v", "Before a session"),
        ("after_session", GREEN, "^", "After a session"),
    ):
        points = [p for p in history.pain if p.context == context]
        if points:
            ax.scatter(
                [_num(p.at) for p in points],
                [p.score for p in points],
                color=colour,
                marker=marker,
                s=36,
                zorder=3,
                label=label,
            )
    ax.set_ylim(-0.3, 10.3)
    ax.set_yticks(range(0, 11))
    _titles(
        fig,
        ax,
        "Pain",
        f"Shaded: {PAIN_MIC} points either side of where you started, the smallest change "
        "that matters (Ostelo 2008)",
    )
    ax.set_ylabel("Pain (points, 0 = none, 10 = worst)")
    ax.set_xlabel("Date")
    _date_axis(ax, zone)
    _pad_dates(ax, (p.at for p in history.pain), zone)
    _legend_below(fig, ax, ncols=2)
    return True


# --- adherence ----------------------------------------------------------------------------------


def _adherence(fig: Figure, history: History, zone: tzinfo) -> bool:
    """Sessions' worth of work done each week against what the program asked for."""
    weeks = adherence_weeks(history)
    if not weeks:
        return False
    starts = [w[0] for w in weeks]
    done = [w[1] for w in weeks]
    asked = [w[2] for w in weeks]
    last = utc_day(last_time(history))
    ax = fig.add_subplot()
    x = [_num(datetime(s.year, s.month, s.day, tzinfo=UTC)) for s in starts]
    width = 5.0  # days
    bars = ax.bar(
        x, done, width=width, align="edge", color=BLUE, label="Done (each session by its share)"
    )
    ax.bar_label(
        bars,
        labels=[sessions_number(n) if n else "" for n in done],
        label_type="center",
        color="white",
        fontweight="bold",
    )
    ax.hlines(
        asked,
        x,
        [t + width for t in x],
        colors=BLACK,
        linewidth=2.2,
        label="Asked for by the program",
    )
    note = (
        "Each bar is one week; a session counts by the share of its sets done; the black line "
        "is what the program asked for"
    )
    if last < starts[-1] + timedelta(days=6):
        note += f" (the last week so far runs to {last:%d %b})"
    _titles(fig, ax, "Sessions per week", note)
    ax.set_ylabel("Sessions' worth of work (per week)")
    ax.set_xlabel("Week starting (UTC)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    top = max([*asked, *done, 1])
    ax.set_ylim(0, top * 1.15)
    ax.set_xlim(x[0] - 1, x[-1] + 7)
    ax.set_xticks(x[:: max(1, -(-len(weeks) // 10))])
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%d %b", tz=UTC))  # type: ignore[no-untyped-call]
    ax.grid(axis="x", visible=False)
    ax.set_axisbelow(True)
    _legend_below(fig, ax, ncols=2)
    return True


# --- function -----------------------------------------------------------------------------------


def _function(fig: Figure, history: History, zone: tzinfo) -> bool:
    if not history.psfs:
        return False
    entries = sorted(history.psfs, key=lambda e: e.at)
    ax = fig.add_subplot()
    times = [_num(e.at) for e in entries]
    means = [e.mean for e in entries]
    for entry, when in zip(entries, times, strict=True):
        ax.scatter(
            [when] * len(entry.activities),
            [a.score for a in entry.activities],
            color=GREY,
            marker="_",
            s=80,
            zorder=2,
            label="Each activity" if entry is entries[0] else None,
        )
    ax.plot(
        times, means, color=GREEN, marker="o", markersize=6, linewidth=1.8, label="Mean", zorder=3
    )
    for when, mean in zip(times, means, strict=True):
        ax.annotate(
            f"{mean:.1f}",
            (when, mean),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
            color=GREEN,
        )
    ax.set_ylim(-0.3, 10.6)
    ax.set_yticks(range(0, 11))
    _titles(
        fig,
        ax,
        "Function: your own activities",
        "Patient-specific functional scale (Stratford 1995): higher is better",
    )
    ax.set_ylabel("Score (points, 0 = unable, 10 = as before)")
    ax.set_xlabel("Date")
    _date_axis(ax, zone)
    _pad_dates(ax, (e.at for e in entries), zone)
    _legend_below(fig, ax, ncols=2)
    return True


# --- re-test ------------------------------------------------------------------------------------


def _retest(fig: Figure, history: History, zone: tzinfo) -> bool:
    """The Thomas-test hip angle of each side from its baseline (the assessment's, else the
    first re-test) through every re-test: the same points the progress report reads."""
    points = thomas_points(history, thomas_baseline(history))
    series = {
        side: [(p.at, p.degrees, p.source) for p in points[side] if p.at is not None]
        for side in ("left", "right")
    }
    if not any(series.values()):
        return False
    ax = fig.add_subplot()
    ax.axhline(0, color=BLACK, linewidth=1.2, label="0° = thigh resting on the table")
    ax.axhline(
        THOMAS_POSITIVE_DEG,
        color=GREY,
        linewidth=1,
        linestyle="--",
        label=f"Above {THOMAS_POSITIVE_DEG:g}°: reads as short hip flexors",
    )
    for side, colour, marker, style in (
        ("left", BLUE, "o", "-"),
        ("right", VERMILLION, "s", "--"),
    ):
        line = series[side]
        if line:
            ax.plot(
                [_num(t) for t, _, _ in line],
                [a for _, a, _ in line],
                color=colour,
                marker=marker,
                linestyle=style,
                linewidth=1.8,
                markersize=6,
                label=f"{side.capitalize()} hip",
            )
            start = [(t, a) for t, a, source in line[:1] if source == "intake"]
            if start:
                ax.scatter(
                    [_num(t) for t, _ in start],
                    [a for _, a in start],
                    facecolors="white",
                    edgecolors=colour,
                    marker=marker,
                    s=70,
                    linewidths=1.8,
                    zorder=3,
                    label=f"{side.capitalize()} hip at the assessment (the start)",
                )
    angles = [a for pts in series.values() for _, a, _ in pts]
    low = min([*angles, 0.0]) - 3
    high = max([*angles, THOMAS_POSITIVE_DEG]) + 3
    ax.set_ylim(low, high)
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    _titles(
        fig,
        ax,
        "Modified Thomas test: hip angle",
        "How far the thigh stays above the table: lower means longer hip flexors",
    )
    ax.set_ylabel("Thigh above the table (degrees)")
    ax.set_xlabel("Date")
    _date_axis(ax, zone)
    _pad_dates(ax, (t for pts in series.values() for t, _, _ in pts), zone)
    _legend_below(fig, ax, ncols=2)
    return True


# --- outcomes scored elsewhere, and the rating of change -----------------------------------------


def _outcome(fig: Figure, scores: Sequence[OutcomeScore], measure: str, zone: tzinfo) -> bool:
    """The totals of one measure on the days they were scored (the ODI and RMDQ with the
    smallest change that matters either side of the first total), or the ratings of change."""
    info = MEASURES[measure]
    mine = sorted((x for x in scores if x.measure == measure), key=lambda x: x.scored_on)
    if not mine:
        return False
    ax = fig.add_subplot()
    times = [
        datetime(x.scored_on.year, x.scored_on.month, x.scored_on.day, 12, tzinfo=zone)
        for x in mine
    ]
    values = [x.score for x in mine]
    colour = {"odi": VERMILLION, "rmdq": PURPLE, "groc": BLUE}[measure]
    if info.mic_points is not None:
        base = values[0]
        ax.axhspan(
            max(info.low, base - info.mic_points),
            min(info.high, base + info.mic_points),
            color=SKY,
            alpha=0.18,
            linewidth=0,
            label=f"First total {number(base)} ± {number(info.mic_points)}: change inside "
            "this band may be noise",
        )
    else:
        ax.axhline(0, color=GREY, linewidth=1, linestyle="--", label="0 = about the same")
    by = {x.entered_by for x in mine}
    ax.plot(
        [_num(t) for t in times],
        values,
        color=colour,
        marker="o",
        markersize=6,
        linewidth=1.8,
        label={"odi": "Oswestry total", "rmdq": "Roland-Morris total", "groc": "Rating"}[measure]
        + (" (entered by the clinic or the patient)" if len(by) > 1 else ""),
        zorder=3,
    )
    for when, value in zip(times, values, strict=True):
        ax.annotate(
            f"{value:+g}" if measure == "groc" else number(value),
            (_num(when), value),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
            color=colour,
        )
    pad = (info.high - info.low) * 0.04
    ax.set_ylim(info.low - pad, info.high + pad)
    if measure == "groc":
        ax.set_yticks(range(-7, 8))
        ax.set_yticklabels([f"{n:+d}" if n else "0" for n in range(-7, 8)])
        sub = f"The patient's own rating: -7 {GROC_WORDS[-7].lower()}, +7 {GROC_WORDS[7].lower()}"
        ax.set_ylabel("Rating of change")
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        sub = (
            f"Totals scored on the clinic's own form; lower is better; meaningful change "
            f"{number(info.mic_points or 0)} points or 30 % (Ostelo 2008)"
        )
        ax.set_ylabel("Total (%)" if measure == "odi" else "Total (0-24)")
    _titles(fig, ax, info.name, sub)
    ax.set_xlabel("Date scored")
    _date_axis(ax, zone)
    _pad_dates(ax, times, zone)
    _legend_below(fig, ax, ncols=2)
    return True


_CHARTS: tuple[tuple[str, Plot], ...] = (
    ("pain", _pain),
    ("adherence", _adherence),
    ("function", _function),
    ("retest", _retest),
)


def _render(fig: Figure, fmt: Literal["png", "svg"]) -> bytes:
    buf = io.BytesIO()
    # No creation date or software version in the file: the same history, the same bytes.
    metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
    fig.savefig(buf, format=fmt, metadata=metadata)
    return buf.getvalue()


def progress_charts(
    history: History,
    *,
    fmt: Literal["png", "svg"],
    tz: str = "UTC",
    outcomes: Sequence[OutcomeScore] = (),
) -> dict[str, bytes]:
    """Charts of progress, keyed by file name: ``pain.png``, ``adherence.png``,
    ``function.png`` and ``retest.png`` (or ``.svg``).

    A chart with nothing to show is left out: no pain ratings, no ``pain``; no sessions, no
    ``adherence``; no function entries, no ``function``; no Thomas test hip angle, no
    ``retest``. Dates are shown in time zone ``tz``. The same history gives the same bytes.
    ``outcomes`` add ``odi``, ``rmdq`` and ``groc`` for the measures that have a total.
    """
    if fmt not in ("png", "svg"):
        raise ValueError(f"fmt: must be 'png' or 'svg', not {fmt!r}")
    zone = zone_of(tz)
    out: dict[str, bytes] = {}
    style: Any = _STYLE  # the stubs want literal rc keys
    with matplotlib.style.context("default"), matplotlib.rc_context(style):
        for name, plot in _CHARTS:
            fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
            FigureCanvasAgg(fig)  # savefig switches to the SVG canvas for SVG output
            if plot(fig, history, zone):
                out[f"{name}.{fmt}"] = _render(fig, fmt)
        for measure in ("odi", "rmdq", "groc"):
            fig = Figure(figsize=(WIDTH_IN, HEIGHT_IN), dpi=DPI, layout="constrained")
            FigureCanvasAgg(fig)
            if _outcome(fig, outcomes, measure, zone):
                out[f"{measure}.{fmt}"] = _render(fig, fmt)
    return out
