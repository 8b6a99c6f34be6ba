"""The clinician's patient list, as rules: from what is known of each patient
(:class:`PatientFacts`, gathered by :mod:`psoas.storage.clinic_list`) to the line the list
shows, with its flags, most pressing first. Pure: no database, no clock (``now`` is passed).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.adherence import Adherence, VersionStart, adherences
from psoas.domain.progression import (
    PAIN_DAYS_TO_JUDGE,
    PAIN_DAYS_TO_WARN,
    RETEST_EVERY_DAYS,
    meaningful_pain,
)
from psoas.domain.results import TriageLevel
from psoas.domain.triage import withholds_program

RED_FLAG = "red flag"
PAIN_WORSE = "pain worse"
INACTIVE_WEEK = "inactive week"
RETEST_DUE = "re-test due"
#: Every flag, most pressing first: the list is sorted by the most pressing flag a patient has.
FLAGS: tuple[str, ...] = (RED_FLAG, PAIN_WORSE, INACTIVE_WEEK, RETEST_DUE)

_DAY = timedelta(days=1)
#: The longest window the list shows adherence for: the days it needs the work of.
WINDOW_DAYS = 28


@dataclass(frozen=True)
class PatientFacts:
    """What the database knows of one patient that the list needs."""

    id: int
    name: str
    email: str
    triage_level: TriageLevel | None
    assessed_at: datetime | None
    #: Pain at the start: the first assessment that gave a program.
    intake_pain: int | None
    program_version: int | None
    #: Every program version made up to now, oldest first: when it started and the sessions a
    #: day it asks for (what each day asked for, see psoas.domain.adherence).
    versions: tuple[VersionStart, ...]
    #: The sessions' shares of work done, summed by UTC day, over the last WINDOW_DAYS days.
    worked: Mapping[date, float] = field(hash=False)
    #: The latest session with any work done.
    last_session_at: datetime | None
    #: The first pain rating, the baseline when there is no assessment.
    first_rating: int | None
    #: Mean of the daily and before-session ratings of the last 7 days, and on how many days.
    recent_pain: float | None
    recent_pain_days: int
    #: Days with a rating at all (read only where the last week alone cannot flag a worsening).
    days_rated: int
    last_retest_at: datetime | None


class PatientRow(BaseModel):
    """One line of the clinician's patient list."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    email: str
    triage_level: TriageLevel | None = Field(description="of the latest assessment")
    assessed_at: datetime | None = None
    program_version: int | None = Field(
        default=None, description="the current version; None when there is none or it is held back"
    )
    program_held_back: bool = Field(
        default=False, description="the latest assessment found warning signs"
    )
    adherence_7: Adherence
    adherence_28: Adherence
    pain_baseline: float | None = None
    pain_recent: float | None = Field(default=None, description="mean of the last 7 days")
    pain_change: float | None = Field(default=None, description="recent minus baseline")
    pain_trend: Literal["better", "worse", "same"] | None = Field(
        default=None,
        description="worse: flagged; better: a fall as large as a meaningful change, with "
        "ratings on 3 days of the last 7 (a hint: the progression rules want 7 days to claim it)",
    )
    last_session_at: datetime | None = None
    days_since_last_session: int | None = None
    flags: tuple[str, ...] = Field(
        default=(), description="red flag, pain worse, inactive week, re-test due"
    )

    @property
    def flagged(self) -> bool:
        return bool(self.flags)


def _days(delta: timedelta) -> int:
    return max(0, delta // _DAY)


def patient_row(f: PatientFacts, now: datetime) -> PatientRow:
    """The list's line for one patient: adherence, pain trend and flags."""
    level, assessed_at, intake_pain = f.triage_level, f.assessed_at, f.intake_pain
    held_back = level is not None and withholds_program(level)
    version = f.program_version
    first_at = f.versions[0].created_at if f.versions else None
    last_at = f.last_session_at
    since_last = _days(now - last_at) if last_at else None
    flags: list[str] = []
    if held_back:
        flags.append(RED_FLAG)

    baseline: float | None = None
    if intake_pain is not None:
        baseline = float(intake_pain)
    elif f.first_rating is not None:
        baseline = float(f.first_rating)
    recent, recent_days = f.recent_pain, f.recent_pain_days
    change = recent - baseline if recent is not None and baseline is not None else None
    trend: Literal["better", "worse", "same"] | None = None
    if change is not None and baseline is not None:
        judged = recent_days >= PAIN_DAYS_TO_WARN or (f.days_rated >= PAIN_DAYS_TO_JUDGE)
        trend = "same"
        if judged and meaningful_pain(baseline, change):
            flags.append(PAIN_WORSE)
            trend = "worse"
        elif recent_days >= PAIN_DAYS_TO_WARN and meaningful_pain(baseline, -change):
            trend = "better"

    if version is not None and first_at is not None and not held_back:
        on_program = _days(now - first_at)
        if (since_last is not None and since_last >= 7) or (since_last is None and on_program >= 7):
            flags.append(INACTIVE_WEEK)
        anchor = max(first_at, f.last_retest_at) if f.last_retest_at else first_at
        if now - anchor >= timedelta(days=RETEST_EVERY_DAYS):
            flags.append(RETEST_DUE)

    asked = () if held_back else f.versions  # nothing is asked of a held-back program
    week, month = adherences(asked, f.worked, now, (7, WINDOW_DAYS))
    return PatientRow.model_construct(
        id=f.id,
        name=f.name,
        email=f.email,
        triage_level=level,
        assessed_at=assessed_at,
        program_version=None if held_back else version,
        program_held_back=held_back,
        adherence_7=week,
        adherence_28=month,
        pain_baseline=baseline,
        pain_recent=recent,
        pain_change=change,
        pain_trend=trend,
        last_session_at=last_at,
        days_since_last_session=since_last,
        flags=tuple(flags),
    )


def ordered(rows: list[PatientRow]) -> list[PatientRow]:
    """Flagged patients first (the most pressing flag first), then by name."""

    def order(row: PatientRow) -> tuple[int, str, int]:
        rank = min((FLAGS.index(f) for f in row.flags), default=len(FLAGS))
        return rank, row.name.lower(), row.id

    return sorted(rows, key=order)
