"""The progress charts, drawn once for each state of a history and kept: the one place for
their titles, their words for screen readers and their cache, for the person's pages and the
clinic's alike.

Drawing four charts takes most of a second, so the last few are kept, keyed by what they are
drawn from: records are only ever added, never changed, so the counts and the latest times of
each kind identify a history.
"""

from __future__ import annotations

import base64
import re
import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass

from markupsafe import Markup

from psoas.domain.progression import ProgressSummary
from psoas.domain.tracking import History

TITLES = {
    "pain": "Pain over time",
    "adherence": "Sessions done",
    "function": "Your activities (functional scale)",
    "retest": "Thomas test hip angles",
}
CACHE_SIZE = 32


@dataclass(frozen=True)
class Chart:
    name: str
    title: str
    #: The chart in words, for screen readers (what the table beside it says).
    alt: str
    svg: bytes

    @property
    def data_uri(self) -> str:
        """The chart as an image address (``<img src>``)."""
        return "data:image/svg+xml;base64," + base64.b64encode(self.svg).decode()

    @property
    def inline(self) -> Markup:
        """The chart as markup to sit inside a page, sized by the page (psoas drew it: trusted
        markup)."""
        text = self.svg.decode()
        text = text[text.index("<svg") :]
        return Markup(re.sub(r'(<svg[^>]*?)\swidth="[^"]*"\sheight="[^"]*"', r"\1", text, count=1))


def _num(x: float | None) -> str:
    return "-" if x is None else f"{x:.1f}".removesuffix(".0")


def alt_text(name: str, s: ProgressSummary) -> str:
    """What a chart shows, in words."""
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


def _fingerprint(database: str, h: History) -> tuple[object, ...]:
    statuses = sorted(Counter(s.status for s in h.sessions).items())
    return (
        database,
        h.profile.id,
        len(h.assessments),
        len(h.programs),
        len(h.sets),
        len(h.pain),
        len(h.psfs),
        len(h.retests),
        tuple(statuses),
        max((p.created_at for p in h.programs), default=None),
        max((s.started_at for s in h.sessions), default=None),
        max((x.completed_at for x in h.sets), default=None),
        max((p.at for p in h.pain), default=None),
        max((e.at for e in h.psfs), default=None),
        max((r.at for r in h.retests), default=None),
    )


_DRAWN: OrderedDict[tuple[object, ...], dict[str, bytes]] = OrderedDict()
_LOCK = threading.Lock()


def _drawn(database: str, history: History) -> dict[str, bytes]:
    from psoas.reports.charts import progress_charts

    key = _fingerprint(database, history)
    with _LOCK:
        if key in _DRAWN:
            _DRAWN.move_to_end(key)
            return _DRAWN[key]
    drawn = {
        file.removesuffix(".svg"): svg for file, svg in progress_charts(history, fmt="svg").items()
    }
    with _LOCK:
        _DRAWN[key] = drawn
        while len(_DRAWN) > CACHE_SIZE:
            _DRAWN.popitem(last=False)
    return drawn


def progress_charts(database: str, history: History, summary: ProgressSummary) -> list[Chart]:
    """The charts of ``history`` (in the database named ``database``), with their titles and
    words, drawn once for each state of the history."""
    return [
        Chart(name=name, title=TITLES.get(name, name), alt=alt_text(name, summary), svg=svg)
        for name, svg in _drawn(database, history).items()
    ]
