"""Outcomes scored elsewhere and the person's age: pure rules, no database, no clock.

psoas never shows the Oswestry Disability Index (ODI) or the Roland-Morris Disability
Questionnaire (RMDQ): both are licensed, their items and wording stay on the clinic's own forms.
A clinician enters the total they scored there (ODI 0-100 %, RMDQ 0-24) and the day it was
scored. The global rating of change (GROC) is a single question in psoas's own words: how the
back is now compared with when the program began, from -7 (a very great deal worse) to +7 (a
very great deal better).

A change counts as meaningful at the smallest change that matters to people with low back
pain (Ostelo 2008): 10 points or 30 % for the ODI, 5 points or 30 % for the RMDQ. Lower totals
are better on both.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Measure = Literal["odi", "rmdq", "groc"]
EnteredBy = Literal["clinician", "patient"]

#: The youngest and oldest age psoas's questions are for (as the intake asks it).
MIN_AGE, MAX_AGE = 12, 110
#: How far back a total may be dated (years): older records belong in the clinic's own notes.
OLDEST_YEARS = 10


@dataclass(frozen=True)
class MeasureInfo:
    key: Measure
    name: str
    short: str
    low: float
    high: float
    #: the unit after a value ("%" for the ODI, "" otherwise)
    unit: str
    #: a whole number only (RMDQ, GROC); the ODI may have one decimal (missing items)
    whole: bool
    #: the smallest change that matters, in points and as a share of the first total (None:
    #: no such threshold is shown)
    mic_points: float | None = None
    mic_share: float | None = None
    sources: tuple[str, ...] = ()
    #: lower is better (disability totals); higher is better (a rating of change)
    lower_is_better: bool = True


MEASURES: dict[str, MeasureInfo] = {
    "odi": MeasureInfo(
        "odi",
        "Oswestry Disability Index",
        "Oswestry (ODI)",
        0,
        100,
        "%",
        False,
        mic_points=10,
        mic_share=0.3,
        sources=("ostelo-2008",),
    ),
    "rmdq": MeasureInfo(
        "rmdq",
        "Roland-Morris Disability Questionnaire",
        "Roland-Morris (RMDQ)",
        0,
        24,
        "",
        True,
        mic_points=5,
        mic_share=0.3,
        sources=("ostelo-2008",),
    ),
    "groc": MeasureInfo(
        "groc",
        "Global rating of change",
        "Rating of change",
        -7,
        7,
        "",
        True,
        lower_is_better=False,
    ),
}
#: The totals a clinician scores on the clinic's own (licensed) forms.
SCORED_ELSEWHERE: tuple[Measure, ...] = ("odi", "rmdq")

#: psoas's own words for each point of the rating of change, best first.
GROC_WORDS: dict[int, str] = {
    7: "A very great deal better",
    6: "A great deal better",
    5: "Much better",
    4: "Clearly better",
    3: "Somewhat better",
    2: "A little better",
    1: "Hardly better at all",
    0: "About the same",
    -1: "Hardly worse at all",
    -2: "A little worse",
    -3: "Somewhat worse",
    -4: "Clearly worse",
    -5: "Much worse",
    -6: "A great deal worse",
    -7: "A very great deal worse",
}
GROC_QUESTION = (
    "Since you started your program, how is your back overall, compared with how it was then?"
)


class OutcomeScore(BaseModel):
    """One total or rating, as stored."""

    model_config = ConfigDict(frozen=True)

    id: int | None = None
    measure: Measure
    score: float
    scored_on: date
    entered_by: EnteredBy
    entered_by_name: str = Field(max_length=80)
    entered_at: datetime

    @property
    def info(self) -> MeasureInfo:
        return MEASURES[self.measure]

    @property
    def day(self) -> str:
        """The day it was scored: ``5 Dec 2026``."""
        return day_text(self.scored_on)

    @property
    def text(self) -> str:
        """The value as people read it: ``42 %``, ``11 of 24``, ``+3 (somewhat better)``."""
        return value_text(self.measure, self.score)


def number(value: float) -> str:
    return f"{value:.1f}".removesuffix(".0")


def day_text(day: date) -> str:
    """``5 Dec 2026``."""
    return f"{day.day} {day:%b %Y}"


def value_text(measure: Measure, score: float) -> str:
    if measure == "odi":
        return f"{number(score)} %"
    if measure == "rmdq":
        return f"{number(score)} of 24"
    n = round(score)
    return f"{n:+d} ({GROC_WORDS[n].lower()})" if n else f"0 ({GROC_WORDS[0].lower()})"


def score_problem(measure: str, score: float) -> str | None:
    """Why ``score`` cannot be a total of ``measure`` (None: it can)."""
    info = MEASURES.get(measure)
    if info is None:
        return "measure: must be one of odi, rmdq, groc"
    if score != score or not info.low <= score <= info.high:  # NaN too
        return f"score: must be from {number(info.low)} to {number(info.high)}"
    if info.whole and score != round(score):
        return "score: must be a whole number"
    if not info.whole and round(score, 1) != score:
        return "score: at most one decimal"
    return None


def date_problem(scored_on: date, today: date) -> str | None:
    """Why a total cannot be dated ``scored_on`` (None: it can)."""
    if scored_on > today:
        return "scored_on: cannot be in the future"
    if scored_on < today.replace(year=today.year - OLDEST_YEARS):
        return f"scored_on: no more than {OLDEST_YEARS} years ago"
    return None


def age_on(birth_date: date, on: date) -> int:
    """Whole years from ``birth_date`` to ``on``."""
    years = on.year - birth_date.year
    if (on.month, on.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def birth_date_problem(birth_date: date, today: date) -> str | None:
    """Why ``birth_date`` cannot be the person's (None: it can): not in the future, and an age
    from 12 to 110 as the intake asks."""
    if birth_date > today:
        return "birth_date: cannot be in the future"
    age = age_on(birth_date, today)
    if age < MIN_AGE:
        return f"birth_date: psoas is for people aged {MIN_AGE} or over"
    if age > MAX_AGE:
        return f"birth_date: an age over {MAX_AGE} is not possible here; please check the year"
    return None


Direction = Literal["better", "worse", "same"]


@dataclass(frozen=True)
class Change:
    """From the first total to the latest, read against the smallest change that matters."""

    measure: Measure
    first: OutcomeScore
    latest: OutcomeScore
    #: latest minus first, in points
    points: float
    direction: Direction
    meaningful: bool

    @property
    def words(self) -> str:
        info = MEASURES[self.measure]
        base = (
            f"{info.short}: {self.first.text} on {day_text(self.first.scored_on)} → "
            f"{self.latest.text} on {day_text(self.latest.scored_on)}"
        )
        if self.direction == "same":
            return base + ": no change."
        assert info.mic_points is not None and info.mic_share is not None
        size = "a meaningful" if self.meaningful else "less than the smallest meaningful"
        threshold = f"{number(info.mic_points)} points or {round(info.mic_share * 100)} %"
        return f"{base}: {size} change ({self.direction}; meaningful from {threshold})."


def change(scores: list[OutcomeScore], measure: Measure) -> Change | None:
    """The change in ``measure`` from its first total to its latest (by the day scored, then
    when entered); None with fewer than two, or for the rating of change (itself a change)."""
    info = MEASURES[measure]
    if info.mic_points is None or info.mic_share is None:
        return None
    mine = sorted(
        (s for s in scores if s.measure == measure), key=lambda s: (s.scored_on, s.entered_at)
    )
    if len(mine) < 2:
        return None
    first, latest = mine[0], mine[-1]
    points = latest.score - first.score
    gain = -points if info.lower_is_better else points
    direction: Direction = "same" if points == 0 else "better" if gain > 0 else "worse"
    threshold = min(info.mic_points, info.mic_share * first.score) or info.mic_points
    meaningful = points != 0 and abs(points) >= threshold - 1e-9
    return Change(measure, first, latest, round(points, 1), direction, meaningful)
