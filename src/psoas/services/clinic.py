"""The clinician's side: the patient list with its flags, notes and telehealth follow-ups, and
program edits that pass the same safety rules as a generated program.

Access: every function takes the clinician and checks that the patient joined them; anything
else is :class:`psoas.services.accounts.NotFound`, never "forbidden".

The patient list is built from a handful of aggregate queries (GROUP BY over assessments,
program versions, sessions, pain ratings and re-tests, limited to this clinician's patients), so
it stays fast for a thousand patients with years of sets; it never loads a history. Its numbers
follow the rules of :mod:`psoas.domain.progression` (adherence, pain change, inactive week,
re-test due); one simplification: on a day with sessions from program versions with different
sessions a day, the current version's sessions a day caps that day.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import (
    ColumnElement,
    and_,
    case,
    exists,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import aliased

from psoas.catalog import load_catalog
from psoas.domain.catalog import Exercise
from psoas.domain.errors import Refused
from psoas.domain.intake import Intake
from psoas.domain.program import (
    exclusion,
)
from psoas.domain.program_edit import ProgramEdit, edited_program
from psoas.domain.progression import (
    PAIN_DAYS_TO_JUDGE,
    PAIN_DAYS_TO_WARN,
    PAIN_WINDOW_DAYS,
    RETEST_EVERY_DAYS,
    Adherence,
    meaningful_pain,
)
from psoas.domain.results import (
    Assessment,
    TriageLevel,
)
from psoas.domain.tracking import ProgramVersion, StoredAssessment
from psoas.domain.triage import WITHHOLDING_LEVELS, withholds_program
from psoas.services import programs
from psoas.services.accounts import NotFound, User, audit, get_user, profile_name_for
from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import (
    AssessmentRow,
    ClinicNoteRow,
    PainRow,
    ProgramVersionRow,
    RetestRow,
    SessionRow,
    SetLogRow,
    UserRow,
    UTCDateTime,
)

RED_FLAG = "red flag"
PAIN_WORSE = "pain worse"
INACTIVE_WEEK = "inactive week"
RETEST_DUE = "re-test due"
#: Every flag, most pressing first: the list is sorted by the most pressing flag a patient has.
FLAGS: tuple[str, ...] = (RED_FLAG, PAIN_WORSE, INACTIVE_WEEK, RETEST_DUE)

_DAY = timedelta(days=1)
_EPS = 1e-9


# --- access -------------------------------------------------------------------------------------


def own_patient(db: Database, *, clinician: User, patient_id: int) -> User:
    """The patient if they joined this clinician, else NotFound. Not audited: callers audit
    what they did (reads go through :func:`psoas.services.accounts.patient_for`)."""
    patient = get_user(db, user_id=patient_id)
    if (
        clinician.role != "clinician"
        or patient is None
        or patient.role != "patient"
        or patient.clinician_id != clinician.id
    ):
        raise NotFound("patient")
    return patient


def _check(clinician: User, patient: User) -> None:
    if clinician.role != "clinician" or patient.clinician_id != clinician.id:
        raise NotFound("patient")


# --- the patient list ---------------------------------------------------------------------------


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


def _utc_day(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a stored time, as SQL."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.substr(column, 1, 10)  # SQLite keeps UTC times as ISO text


def _at(value: datetime) -> ColumnElement[Any]:
    return literal(value, UTCDateTime())


def _days(delta: timedelta) -> int:
    return max(0, delta // _DAY)


MAX_PER_DAY = 6  # the most sessions a day a program asks for (Program.sessions_per_day)


def _capped(starts: Iterable[datetime], since: datetime, cap: int) -> int:
    """Sessions started since ``since``, at most ``cap`` on one UTC day."""
    days: dict[object, int] = {}
    for at in starts:
        if at >= since:
            day = at.astimezone(UTC).date()
            days[day] = days.get(day, 0) + 1
    return sum(min(n, cap) for n in days.values())


def _adherence(
    current_at: datetime | None, per_day: int, counted: int, now: datetime, window: int
) -> Adherence:
    """The same arithmetic as :func:`psoas.domain.progression._adherence`."""
    if current_at is None:
        return Adherence.model_construct(window_days=0, completed=0, expected=0, fraction=None)
    start = max(now - timedelta(days=window), current_at)
    elapsed = (now - start) / _DAY
    days = min(window, max(1, math.ceil(elapsed - _EPS)))
    expected = days * per_day
    completed = min(expected, counted)
    # Built without validation: a thousand of them per list, and every value is computed here.
    return Adherence.model_construct(
        window_days=days, completed=completed, expected=expected, fraction=completed / expected
    )


def patient_rows(
    db: Database, clinician: User, now: datetime, *, patient_id: int | None = None
) -> list[PatientRow]:
    """This clinician's patients (or one of them), flagged patients first, then by name."""
    if clinician.role != "clinician":
        return []
    dialect = db.engine.dialect.name
    u, a, pv, s, p, r = UserRow, AssessmentRow, ProgramVersionRow, SessionRow, PainRow, RetestRow
    mine = [u.clinician_id == clinician.id, u.role == "patient"]
    if patient_id is not None:
        mine.append(u.id == patient_id)
    profiles = select(u.profile_id).where(*mine).scalar_subquery()
    t7, t28 = now - timedelta(days=7), now - timedelta(days=28)
    pain_since = now - timedelta(days=PAIN_WINDOW_DAYS)

    with db.engine.connect() as conn:
        people = conn.execute(
            select(u.id, u.display_name, u.email, u.profile_id).where(*mine)
        ).all()
        if not people:
            return []

        # Assessments: the latest one's triage, and the baseline pain the progress report uses:
        # that of the first assessment that gave a program (see progression.baseline_intake).
        gave_program = a.triage_level.not_in(WITHHOLDING_LEVELS)
        ids = (
            select(
                a.profile_id,
                func.max(a.id).label("last_id"),
                func.min(case((gave_program, a.id), else_=None)).label("first_id"),
            )
            .where(a.profile_id.in_(profiles))
            .group_by(a.profile_id)
            .subquery()
        )
        last, first = aliased(AssessmentRow), aliased(AssessmentRow)
        assessed = {
            pid: (level, at, baseline)
            for pid, level, at, baseline in conn.execute(
                select(
                    ids.c.profile_id,
                    last.triage_level,
                    last.created_at,
                    first.intake[("pain", "intensity_now")].as_integer(),
                )
                .join(last, last.id == ids.c.last_id)
                .outerjoin(first, first.id == ids.c.first_id)
            )
        }

        # Program versions: the first one's date, the current one's number, date, sessions a day.
        versions = (
            select(
                pv.profile_id,
                func.max(pv.version).label("version"),
                func.min(pv.created_at).label("first_at"),
            )
            .where(pv.profile_id.in_(profiles), pv.created_at <= _at(now))
            .group_by(pv.profile_id)
            .subquery()
        )
        programs: dict[int, tuple[int, datetime, datetime, int]] = {}
        for pid, version, first_at, created_at, per_day in conn.execute(
            select(
                versions.c.profile_id,
                versions.c.version,
                versions.c.first_at,
                pv.created_at,
                pv.sessions_per_day,
            ).join(
                pv,
                and_(pv.profile_id == versions.c.profile_id, pv.version == versions.c.version),
            )
        ):
            programs[pid] = (version, first_at, created_at, per_day or 1)

        # Sessions that count (completed, or with a set logged) in the last 7 and 28 days, at
        # most the program's sessions a day on one UTC day, and the latest. One pass per
        # patient gives the sessions and the days with a session: enough unless a day may hold
        # more sessions than the program asks for; only those patients are counted day by day.
        counted = or_(s.status == "completed", exists().where(SetLogRow.session_id == s.id))
        window = [s.started_at >= _at(t28), s.started_at <= _at(now), counted]
        day = _utc_day(s.started_at, dialect)
        in_week = s.started_at >= _at(t7)
        done: dict[int, tuple[int, int]] = {}
        latest_session: dict[int, datetime] = {}
        crowded: list[int] = []  # days with more sessions than the program asks for, maybe
        for pid, n7, n28, d7, d28, last in conn.execute(
            select(
                s.profile_id,
                func.sum(case((in_week, 1), else_=0)),
                func.count(),
                func.count(func.distinct(case((in_week, day), else_=None))),
                func.count(func.distinct(day)),
                func.max(s.started_at),
            )
            .where(s.profile_id.in_(profiles), *window)
            .group_by(s.profile_id)
        ):
            latest_session[pid] = last
            cap = programs[pid][3] if pid in programs else 1
            if cap == 1:
                done[pid] = (int(d7), int(d28))
            elif n28 - d28 < cap:  # no day can hold more than `cap` sessions
                done[pid] = (int(n7), int(n28))
            else:
                crowded.append(pid)
        if crowded:
            # Per day, then the daily counts capped at 1 to MAX_PER_DAY; the program picks one.
            by_day = (
                select(
                    s.profile_id.label("profile_id"),
                    func.count().label("n28"),
                    func.sum(case((in_week, 1), else_=0)).label("n7"),
                )
                .where(s.profile_id.in_(crowded), *window)
                .group_by(s.profile_id, day)
                .subquery()
            )
            capped = [
                func.sum(case((column > cap, cap), else_=column))
                for column in (by_day.c.n7, by_day.c.n28)
                for cap in range(1, MAX_PER_DAY + 1)
            ]
            for pid, *sums in conn.execute(
                select(by_day.c.profile_id, *capped).group_by(by_day.c.profile_id)
            ):
                cap = min(programs[pid][3], MAX_PER_DAY)
                done[pid] = (int(sums[cap - 1] or 0), int(sums[MAX_PER_DAY + cap - 1] or 0))
        # The latest session of those with none in the last 28 days.
        quiet = [pid for pid in programs if pid not in latest_session]
        if quiet:
            latest_session.update(
                conn.execute(
                    select(s.profile_id, func.max(s.started_at))
                    .where(s.profile_id.in_(quiet), s.started_at <= _at(now), counted)
                    .group_by(s.profile_id)
                ).all()
            )
        # A program version that started inside a window shortens it: count those exactly.
        recent_start = {
            pid: created_at for pid, (_, _, created_at, _) in programs.items() if created_at > t28
        }
        if recent_start:
            starts: dict[int, list[datetime]] = {}
            for pid, started_at in conn.execute(
                select(s.profile_id, s.started_at).where(
                    s.profile_id.in_(list(recent_start)), *window
                )
            ):
                starts.setdefault(pid, []).append(started_at)
            for pid, created_at in recent_start.items():
                cap = programs[pid][3]
                done[pid] = tuple(  # type: ignore[assignment]
                    _capped(starts.get(pid, ()), max(created_at, since), cap) for since in (t7, t28)
                )

        # Pain: daily and before-session ratings of the last 7 days.
        rated = [p.profile_id.in_(profiles), p.context != "after_session", p.at <= _at(now)]
        recent_pain = {
            pid: (float(mean), int(days))
            for pid, mean, days in conn.execute(
                select(
                    p.profile_id,
                    func.avg(p.score),
                    func.count(func.distinct(_utc_day(p.at, dialect))),
                )
                .where(*rated, p.at > _at(pain_since))
                .group_by(p.profile_id)
            )
        }
        # Only where the last week alone cannot flag a worsening: ratings on enough days overall?
        unsure = [pid for pid, (_, days) in recent_pain.items() if days < PAIN_DAYS_TO_WARN]
        days_rated: dict[int, int] = {}
        if unsure:
            days_rated = dict(
                conn.execute(
                    select(p.profile_id, func.count(func.distinct(_utc_day(p.at, dialect))))
                    .where(*rated, p.profile_id.in_(unsure))
                    .group_by(p.profile_id)
                ).all()
            )
        # Without an assessment the baseline is the first rating.
        no_intake = [pid for pid in recent_pain if pid not in assessed]
        first_rating: dict[int, int] = {}
        if no_intake:
            firsts = (
                select(p.profile_id, func.min(p.at).label("at"))
                .where(*rated, p.profile_id.in_(no_intake))
                .group_by(p.profile_id)
                .subquery()
            )
            for first_pid, score in conn.execute(
                select(p.profile_id, p.score)
                .join(firsts, and_(firsts.c.profile_id == p.profile_id, firsts.c.at == p.at))
                .where(p.context != "after_session")
                .order_by(p.id.desc())
            ):
                first_rating[first_pid] = score

        last_retest = dict(
            conn.execute(
                select(r.profile_id, func.max(r.at))
                .where(r.profile_id.in_(profiles), r.at <= _at(now))
                .group_by(r.profile_id)
            ).all()
        )

    rows: list[PatientRow] = []
    for uid, name, email, profile_id in people:
        pid = profile_id if profile_id is not None else -1
        level, assessed_at, intake_pain = assessed.get(pid, (None, None, None))
        held_back = level is not None and withholds_program(level)
        version, first_at, current_at, per_day = programs.get(pid, (None, None, None, 1))
        n7, n28 = done.get(pid, (0, 0))
        last_at = latest_session.get(pid)
        since_last = _days(now - last_at) if last_at else None
        flags: list[str] = []
        if held_back:
            flags.append(RED_FLAG)

        baseline: float | None = None
        if intake_pain is not None:
            baseline = float(intake_pain)
        elif pid in first_rating:
            baseline = float(first_rating[pid])
        recent, recent_days = recent_pain.get(pid, (None, 0))
        change = recent - baseline if recent is not None and baseline is not None else None
        trend: Literal["better", "worse", "same"] | None = None
        if change is not None and baseline is not None:
            judged = recent_days >= PAIN_DAYS_TO_WARN or (
                days_rated.get(pid, 0) >= PAIN_DAYS_TO_JUDGE
            )
            trend = "same"
            if judged and meaningful_pain(baseline, change):
                flags.append(PAIN_WORSE)
                trend = "worse"
            elif recent_days >= PAIN_DAYS_TO_WARN and meaningful_pain(baseline, -change):
                trend = "better"

        if version is not None and first_at is not None and not held_back:
            on_program = _days(now - first_at)
            if (since_last is not None and since_last >= 7) or (
                since_last is None and on_program >= 7
            ):
                flags.append(INACTIVE_WEEK)
            anchor = max(first_at, last_retest[pid]) if pid in last_retest else first_at
            if now - anchor >= timedelta(days=RETEST_EVERY_DAYS):
                flags.append(RETEST_DUE)

        active = None if held_back else current_at
        rows.append(
            PatientRow.model_construct(
                id=uid,
                name=name,
                email=email,
                triage_level=level,
                assessed_at=assessed_at,
                program_version=None if held_back else version,
                program_held_back=held_back,
                adherence_7=_adherence(active, per_day, n7, now, 7),
                adherence_28=_adherence(active, per_day, n28, now, 28),
                pain_baseline=baseline,
                pain_recent=recent,
                pain_change=change,
                pain_trend=trend,
                last_session_at=last_at,
                days_since_last_session=since_last,
                flags=tuple(flags),
            )
        )

    def order(row: PatientRow) -> tuple[int, str, int]:
        rank = min((FLAGS.index(f) for f in row.flags), default=len(FLAGS))
        return rank, row.name.lower(), row.id

    return sorted(rows, key=order)


# --- one patient's record -----------------------------------------------------------------------


@dataclass(frozen=True)
class CurrentProgram:
    """The program the patient follows now, or why there is none."""

    version: ProgramVersion | None
    held_back: str | None  # the reason, when the latest assessment withholds the program
    intake: Intake | None
    assessment: Assessment | None


def current_program(db: Database, *, clinician: User, patient: User) -> CurrentProgram:
    """A red flag in the latest assessment withholds the program here too."""
    _check(clinician, patient)
    with db.session() as s:
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        if profile is None or profile.id is None:
            return CurrentProgram(None, None, None, None)
        state = programs.state_in(s, profile_id=profile.id)
    latest = state.assessment
    if latest is None:
        return CurrentProgram(state.version, None, None, None)
    held = state.message(audience="clinician") if state.held_back else None
    return CurrentProgram(state.version, held, latest.intake, latest.result)


def assessments(db: Database, *, clinician: User, patient: User) -> list[StoredAssessment]:
    _check(clinician, patient)
    with db.session() as s:
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        if profile is None or profile.id is None:
            return []
        return repo.assessments(s, profile_id=profile.id)


def program_versions(db: Database, *, clinician: User, patient: User) -> list[ProgramVersion]:
    _check(clinician, patient)
    with db.session() as s:
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        if profile is None or profile.id is None:
            return []
        return repo.program_versions(s, profile_id=profile.id)


# --- notes and telehealth follow-ups ------------------------------------------------------------

NoteKind = Literal["note", "telehealth"]
_LINK = re.compile(r"^https?://[^\s/?#]+\.[^\s/?#]+(?:[/?#]\S*)?$", re.IGNORECASE)
SUMMARY_MAX = 4000


class Note(BaseModel):
    """A clinician's note, or a telehealth follow-up (when, the call's link, what it is for)."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: NoteKind
    created_at: datetime
    clinician: str
    scheduled_for: datetime | None = None
    link: str | None = None
    summary: str


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NoteKind = "note"
    summary: str = Field(description=f"1 to {SUMMARY_MAX} characters")
    scheduled_for: datetime | None = Field(
        default=None, description="telehealth: when (with a time zone; UTC if none)"
    )
    link: str | None = Field(default=None, description="telehealth: the call's https link")


def add_note(db: Database, *, clinician: User, patient: User, note: NoteIn, now: datetime) -> Note:
    """Keep a note or a telehealth follow-up; notes are never rewritten."""
    _check(clinician, patient)
    problems: list[str] = []
    summary = note.summary.strip()
    if not summary:
        problems.append("summary: write what the note or follow-up is about")
    elif len(summary) > SUMMARY_MAX:
        problems.append(f"summary: must be at most {SUMMARY_MAX} characters")
    link = (note.link or "").strip() or None
    if link is not None and (len(link) > 500 or not _LINK.match(link)):
        problems.append("link: must be a web address starting with https:// (at most 500 long)")
    when = note.scheduled_for
    if when is not None and (when.tzinfo is None or when.utcoffset() is None):
        when = when.replace(tzinfo=now.tzinfo)
    if when is not None and not (
        now - timedelta(days=366) <= when <= now + timedelta(days=2 * 366)
    ):
        problems.append("scheduled_for: must be within a year before and two years after today")
    if note.kind == "telehealth" and when is None:
        problems.append("scheduled_for: a telehealth follow-up needs a date and time")
    if note.kind == "note" and when is not None:
        when = None
    if problems:
        raise Refused(problems)
    with db.session() as s, s.begin():
        row = ClinicNoteRow(
            patient_id=patient.id,
            clinician_id=clinician.id,
            created_at=now,
            kind=note.kind,
            scheduled_for=when,
            link=link,
            summary=summary,
        )
        s.add(row)
        s.flush()
        saved = Note(
            id=row.id,
            kind=note.kind,
            created_at=now,
            clinician=clinician.display_name,
            scheduled_for=when,
            link=link,
            summary=summary,
        )
    action = "added a note" if note.kind == "note" else "scheduled a telehealth follow-up"
    audit(db, patient=patient, actor=clinician, action=action, now=now)
    return saved


def _notes(patient: User, kinds: Iterable[str], db: Database) -> list[Note]:
    with db.session() as s:
        rows = s.execute(
            select(ClinicNoteRow, UserRow.display_name)
            .join(UserRow, UserRow.id == ClinicNoteRow.clinician_id)
            .where(ClinicNoteRow.patient_id == patient.id, ClinicNoteRow.kind.in_(list(kinds)))
            .order_by(ClinicNoteRow.created_at.desc(), ClinicNoteRow.id.desc())
        ).all()
        return [
            Note(
                id=row.id,
                kind=row.kind,
                created_at=row.created_at,
                clinician=name,
                scheduled_for=row.scheduled_for,
                link=row.link,
                summary=row.summary,
            )
            for row, name in rows
        ]


def notes(db: Database, *, clinician: User, patient: User) -> list[Note]:
    """Every note and follow-up about this patient, newest first."""
    _check(clinician, patient)
    return _notes(patient, ("note", "telehealth"), db)


def telehealth_for_patient(db: Database, *, patient: User) -> list[Note]:
    """The patient's own telehealth follow-ups (for the patient's pages); notes stay private."""
    return _notes(patient, ("telehealth",), db)


# --- program edits ------------------------------------------------------------------------------


def edit_program(
    db: Database, *, clinician: User, patient: User, edit: ProgramEdit, now: datetime
) -> ProgramVersion:
    """Save the edited program (:func:`psoas.domain.program_edit.edited_program`) as a new
    version, or raise :class:`~psoas.domain.errors.Refused` naming every problem; a red flag
    in the latest assessment refuses any edit."""
    _check(clinician, patient)
    reason = " ".join(edit.reason.split())
    state = current_program(db, clinician=clinician, patient=patient)
    if state.held_back:
        raise Refused([f"program: {state.held_back}"])
    if state.version is None or state.intake is None or state.assessment is None:
        raise Refused(["program: this patient has no program yet; an assessment makes one"])
    catalog = load_catalog()
    version = state.version
    new_program = edited_program(
        version.program,
        edit,
        intake=state.intake,
        result=state.assessment,
        catalog=catalog,
        clinician=clinician.display_name,
        reason=reason,
    )
    with db.session() as s, s.begin():
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        assert profile is not None and profile.id is not None
        saved = repo.add_program_version(
            s,
            profile_id=profile.id,
            program=new_program,
            reason=f"edited by {clinician.display_name}: {reason}",
            catalog_version=catalog.version,
            assessment_id=version.assessment_id,
            now=now,
        )
    audit(
        db,
        patient=patient,
        actor=clinician,
        action=f"edited the program (version {saved.version})",
        now=now,
    )
    return saved


@dataclass(frozen=True)
class Addable:
    """A catalog exercise a clinician may add, or why not."""

    exercise: Exercise
    refused: str | None


def addable(db: Database, *, clinician: User, patient: User) -> list[Addable]:
    """Every catalog exercise not in the current program, with the safety rule's answer."""
    state = current_program(db, clinician=clinician, patient=patient)
    if state.version is None or state.intake is None or state.assessment is None:
        return []
    have = {i.id for i in state.version.program.items}
    out = []
    for ex in load_catalog().exercises:
        if ex.id in have:
            continue
        why_not = exclusion(state.intake, state.assessment.triage, ex)
        out.append(Addable(ex, why_not.message if why_not else None))
    return out
