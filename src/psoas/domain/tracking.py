"""What a person logs while following a program: sessions and sets, pain, function, re-tests,
and breaks from sitting. Plain, validated records; storage keeps them, the rules read them.

Times are timezone-aware UTC datetimes passed in by the caller (the domain has no clock).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from psoas.domain.intake import Intake
from psoas.domain.results import Assessment, Program

Side = Literal["left", "right"]
PainContext = Literal["daily", "before_session", "after_session"]
BreakKind = Literal["prompted", "taken", "snoozed", "skipped"]
ResistedResult = Literal["normal", "weak", "painful", "weak_painful"]
SessionStatus = Literal["in_progress", "completed", "quit"]


#: The earliest time a record may carry: anything before is a mistake (or year 1 sent to break
#: the arithmetic).
EARLIEST = datetime(1900, 1, 1, tzinfo=UTC)


def aware_time(value: datetime) -> datetime:
    """A time with a time zone that converts to UTC and is not before :data:`EARLIEST`."""
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError("must include a time zone")
    try:
        utc = value.astimezone(UTC)
    except OverflowError:  # year 1 with an offset east of UTC
        raise ValueError("must be a date from 1900 on") from None
    if utc < EARLIEST:
        raise ValueError("must be a date from 1900 on")
    return value


When = Annotated[datetime, AfterValidator(aware_time)]
Rating = Annotated[int, Field(ge=0, le=10, strict=True)]


class _Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ProgramVersion(_Record):
    """One version of a person's program. A change makes a new version; none is rewritten."""

    version: int = Field(ge=1)
    created_at: When
    reason: str = Field(min_length=3, description="why this version exists, in plain words")
    sources: tuple[str, ...] = ()
    program: Program
    catalog_version: str
    assessment_id: int | None = None


class SetLog(_Record):
    """One completed set of one item (one side for one-sided items)."""

    session_id: int
    item_id: str = Field(pattern=r"^[a-z0-9-]+$")
    side: Side | None = None
    set_number: int = Field(ge=1, le=20)
    hold_seconds: int | None = Field(default=None, ge=0, le=3600)
    reps: int | None = Field(default=None, ge=0, le=500)
    minutes: float | None = Field(default=None, ge=0, le=120)
    completed_at: When
    key: str = Field(
        min_length=8, max_length=80, description="idempotency key: the same key is stored once"
    )


class SessionRecord(_Record):
    id: int | None = None
    program_version: int = Field(ge=1)
    started_at: When
    ended_at: When | None = None
    status: SessionStatus = "in_progress"


class PainRating(_Record):
    at: When
    score: Rating
    context: PainContext = "daily"
    session_id: int | None = None


class PsfsActivity(_Record):
    activity: str = Field(min_length=2, max_length=120)
    score: Rating = Field(description="0 = unable to do it, 10 = as well as before the problem")


class PsfsEntry(_Record):
    """The patient-specific functional scale: the person's own 3-5 activities, 0-10 each."""

    at: When
    activities: tuple[PsfsActivity, ...] = Field(min_length=3, max_length=5)

    @model_validator(mode="after")
    def _distinct(self) -> PsfsEntry:
        names = [a.activity.strip().lower() for a in self.activities]
        if len(set(names)) != len(names):
            raise ValueError("each activity must be listed once")
        return self

    @property
    def mean(self) -> float:
        return sum(a.score for a in self.activities) / len(self.activities)


class Retest(_Record):
    at: When
    thomas_left_hip_deg: float | None = Field(default=None, ge=-40, le=60)
    thomas_right_hip_deg: float | None = Field(default=None, ge=-40, le=60)
    thomas_left_knee_deg: float | None = Field(default=None, ge=0, le=160)
    thomas_right_knee_deg: float | None = Field(default=None, ge=0, le=160)
    resisted_left: ResistedResult | None = None
    resisted_right: ResistedResult | None = None

    @model_validator(mode="after")
    def _something_measured(self) -> Retest:
        if all(v is None for k, v in self if k != "at"):
            raise ValueError("a re-test needs at least one measurement")
        return self


class BreakEvent(_Record):
    at: When
    kind: BreakKind
    movement_id: str | None = None
    snooze_minutes: int | None = Field(default=None, ge=1, le=120)


class StoredAssessment(_Record):
    """An assessment as it was made: the intake, the result and when."""

    id: int
    created_at: When
    intake: Intake
    result: Assessment
    complete: bool = Field(
        default=True,
        description="false when the questions stopped at an emergency: the intake then holds "
        "the answers given so far and neutral placeholders nobody answered",
    )


class Profile(_Record):
    id: int | None = None
    name: str = Field(min_length=1, max_length=80)
    created_at: When


class History(_Record):
    """Everything stored for one profile: what exports read and a backup restores exactly.

    Sessions carry their ids so that sets and pain ratings can refer to them; ids are local to
    the history and are remapped on import.
    """

    format: Literal["psoas-history"] = "psoas-history"
    format_version: Literal[1] = 1
    profile: Profile
    assessments: tuple[StoredAssessment, ...] = ()
    programs: tuple[ProgramVersion, ...] = ()
    sessions: tuple[SessionRecord, ...] = ()
    sets: tuple[SetLog, ...] = ()
    pain: tuple[PainRating, ...] = ()
    psfs: tuple[PsfsEntry, ...] = ()
    retests: tuple[Retest, ...] = ()
    breaks: tuple[BreakEvent, ...] = ()

    @model_validator(mode="after")
    def _references(self) -> History:
        session_ids = {s.id for s in self.sessions}
        if None in session_ids:
            raise ValueError("sessions: every session in a history needs its id")
        if len(session_ids) != len(self.sessions):
            raise ValueError("sessions: a session id is listed twice")
        if len({p.version for p in self.programs}) != len(self.programs):
            raise ValueError("programs: a program version is listed twice")
        assessment_ids = {a.id for a in self.assessments}
        for p in self.programs:
            if p.assessment_id is not None and p.assessment_id not in assessment_ids:
                raise ValueError(f"programs: unknown assessment {p.assessment_id}")
        versions = {p.version for p in self.programs}
        for s in self.sessions:
            if s.program_version not in versions:
                raise ValueError(f"sessions: unknown program version {s.program_version}")
        for log in self.sets:
            if log.session_id not in session_ids:
                raise ValueError(f"sets: unknown session {log.session_id}")
        for rating in self.pain:
            if rating.session_id is not None and rating.session_id not in session_ids:
                raise ValueError(f"pain: unknown session {rating.session_id}")
        return self
