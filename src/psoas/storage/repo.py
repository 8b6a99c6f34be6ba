"""Repositories: keyword-only functions that take a SQLAlchemy session and return domain objects.

Nothing here commits on its own except where a function says so; callers (services) own the
transaction. Nothing a person logged is ever updated in place or deleted.
"""

from __future__ import annotations

import functools
import json
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Connection, bindparam, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from psoas.domain.adherence import PlannedSet, planned_sets, session_share
from psoas.domain.intake import Intake
from psoas.domain.progression import session_shares
from psoas.domain.results import Assessment, Program
from psoas.domain.tracking import (
    BreakEvent,
    History,
    PainRating,
    Profile,
    ProgramVersion,
    PsfsEntry,
    Retest,
    SessionRecord,
    SessionStatus,
    SetLog,
    StoredAssessment,
)
from psoas.storage.tables import (
    AssessmentRow,
    BreakRow,
    PainRow,
    ProfileRow,
    ProgramVersionRow,
    PsfsRow,
    RetestRow,
    SessionRow,
    SetLogRow,
)

T = TypeVar("T")
R = TypeVar("R")


class NotFound(LookupError):
    pass


# --- profiles -----------------------------------------------------------------------------------


def _profile(row: ProfileRow) -> Profile:
    return Profile(id=row.id, name=row.name, created_at=row.created_at)


def create_profile(db: Session, *, name: str, now: datetime) -> Profile:
    row = ProfileRow(name=Profile(name=name, created_at=now).name, created_at=now)
    db.add(row)
    db.flush()
    return _profile(row)


def find_profile(db: Session, *, name: str) -> Profile | None:
    row = db.execute(_PROFILE_BY_NAME, {"name": name}).first()
    if row is None:
        return None
    return Profile.model_construct(id=row.id, name=row.name, created_at=row.created_at)


# Statements asked on every request, built once (building one costs more than running it).
_PROFILE_BY_NAME = select(ProfileRow.id, ProfileRow.name, ProfileRow.created_at).where(
    ProfileRow.name == bindparam("name")
)


def get_or_create_profile(db: Session, *, name: str, now: datetime) -> Profile:
    found = find_profile(db, name=name)
    if found:
        return found
    try:
        with db.begin_nested():
            return create_profile(db, name=name, now=now)
    except IntegrityError:  # created by another process a moment ago
        found = find_profile(db, name=name)
        assert found is not None
        return found


def lock_profile(db: Session, *, profile_id: int) -> None:
    """Hold the profile until the caller's transaction ends, so that writes that number things
    per profile (program versions) take turns and each reads what the one before wrote.

    PostgreSQL: ``SELECT ... FOR NO KEY UPDATE`` on its row (rows that point at the profile keep
    being written meanwhile). SQLite: a write to the row, which takes the database's one write
    lock (the first write of a transaction begins it, so nothing read earlier is stale)."""
    if db.get_bind().dialect.name == "sqlite":
        db.execute(
            update(ProfileRow)
            .where(ProfileRow.id == profile_id)
            .values(name=ProfileRow.name)
            .execution_options(synchronize_session=False)
        )
    else:
        db.execute(
            select(ProfileRow.id).where(ProfileRow.id == profile_id).with_for_update(key_share=True)
        )


def list_profiles(db: Session) -> list[Profile]:
    return [_profile(r) for r in db.scalars(select(ProfileRow).order_by(ProfileRow.name))]


# --- assessments and programs --------------------------------------------------------------------


def save_assessment(
    db: Session,
    *,
    profile_id: int,
    intake: Intake,
    assessment: Assessment,
    now: datetime,
    complete: bool = True,
) -> int:
    row = AssessmentRow(
        profile_id=profile_id,
        created_at=now,
        catalog_version=assessment.catalog_version,
        triage_level=assessment.triage.level,
        intake=intake.model_dump(mode="json", exclude_unset=True),
        result=assessment.model_dump(mode="json"),
        complete=complete,
    )
    db.add(row)
    db.flush()
    return row.id


def _stored_assessment(row: AssessmentRow) -> StoredAssessment:
    return StoredAssessment(
        id=row.id,
        created_at=row.created_at,
        intake=Intake.model_validate(row.intake),
        result=Assessment.model_validate(row.result),
        complete=row.complete,
    )


# --- records read on every page, parsed once -----------------------------------------------------
#
# An assessment and a program version are never rewritten once stored, yet the program page and
# its API read the latest of each on every request, and parsing their documents cost more than
# the rest of the request. So each is parsed once per process and kept, keyed by the database,
# its row and when it was made (a restored database with other records under the same ids
# does not match).

_PARSED: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
PARSED_KEPT = 128  # at most about 15 MB (an assessment parsed is about 120 kB)
_PARSED_LOCK = threading.Lock()


def _parsed(key: tuple[Any, ...], make: Callable[[], T]) -> T:
    with _PARSED_LOCK:
        if key in _PARSED:
            _PARSED.move_to_end(key)
            found: T = _PARSED[key]
            return found
    made = make()
    with _PARSED_LOCK:
        _PARSED[key] = made
        while len(_PARSED) > PARSED_KEPT:
            _PARSED.popitem(last=False)
    return made


_LATEST_ASSESSMENT = (
    select(AssessmentRow.id, AssessmentRow.created_at, AssessmentRow.complete)
    .where(AssessmentRow.profile_id == bindparam("profile_id"))
    .order_by(AssessmentRow.id.desc())
    .limit(1)
)
_CURRENT_PROGRAM = (
    select(ProgramVersionRow.id, ProgramVersionRow.version, ProgramVersionRow.created_at)
    .where(ProgramVersionRow.profile_id == bindparam("profile_id"))
    .order_by(ProgramVersionRow.version.desc())
    .limit(1)
)

_A, _PV, _PAIN = aliased(AssessmentRow), aliased(ProgramVersionRow), aliased(PainRow)
#: The latest assessment, the current program version and the newest pain rating after that
#: assessment, in one statement (left joins on each one's id, so none of them need exist).
_HEADS_ANY = (
    select(
        ProfileRow.id.label("profile_id"),
        _A.id.label("a_id"),
        _A.created_at.label("a_at"),
        _A.complete.label("a_complete"),
        _PV.id.label("p_id"),
        _PV.version.label("p_version"),
        _PV.created_at.label("p_at"),
        _PAIN.at.label("pain_at"),
        _PAIN.score.label("pain_score"),
        _PAIN.context.label("pain_context"),
        _PAIN.session_id.label("pain_session"),
    )
    .select_from(ProfileRow)
    .outerjoin(
        _A,
        _A.id
        == select(func.max(AssessmentRow.id))
        .where(AssessmentRow.profile_id == ProfileRow.id)
        .scalar_subquery(),
    )
    .outerjoin(
        _PV,
        _PV.id
        == select(ProgramVersionRow.id)
        .where(ProgramVersionRow.profile_id == ProfileRow.id)
        .order_by(ProgramVersionRow.version.desc())
        .limit(1)
        .scalar_subquery(),
    )
    .outerjoin(
        _PAIN,
        _PAIN.id
        == select(PainRow.id)
        .where(PainRow.profile_id == ProfileRow.id, PainRow.at > _A.created_at)
        .order_by(PainRow.at.desc(), PainRow.id.desc())
        .limit(1)
        .scalar_subquery(),
    )
)
_HEADS = _HEADS_ANY.where(ProfileRow.id == bindparam("profile_id"))
_HEADS_BY_NAME = _HEADS_ANY.where(ProfileRow.name == bindparam("name"))


@dataclass(frozen=True)
class Heads:
    """What the program page needs to decide what to show, read in one statement."""

    assessment: StoredAssessment | None
    program: ProgramVersion | None
    #: the newest pain rating made after the latest assessment
    newest_pain: PainRating | None


def heads(db: Session, *, profile_id: int | None = None, name: str | None = None) -> Heads:
    """The latest assessment, the current program version and the newest pain rating since
    that assessment, of the profile with this id or name: one query, and the two documents
    parsed once per process. NotFound without such a profile."""
    if profile_id is not None:
        row = db.execute(_HEADS, {"profile_id": profile_id}).first()
    else:
        row = db.execute(_HEADS_BY_NAME, {"name": name}).first()
    if row is None:
        raise NotFound(f"profile {profile_id if profile_id is not None else name!r}")
    profile_id = row.profile_id
    url = db.get_bind().engine.url
    assessment = program = pain = None
    if row.a_id is not None:
        a_key = (url, "assessment", profile_id, row.a_id, row.a_at, row.a_complete)
        assessment = _parsed(a_key, lambda: _stored_assessment(_row(db, AssessmentRow, row.a_id)))
    if row.p_id is not None:
        p_key = (url, "program", profile_id, row.p_id, row.p_version, row.p_at)
        program = _parsed(p_key, lambda: _program_version(_row(db, ProgramVersionRow, row.p_id)))
    if row.pain_at is not None:
        pain = PainRating(
            at=row.pain_at,
            score=row.pain_score,
            context=row.pain_context,
            session_id=row.pain_session,
        )
    return Heads(assessment=assessment, program=program, newest_pain=pain)


def _row(db: Session, table: type[R], row_id: int) -> R:
    found = db.get(table, row_id)
    assert found is not None
    return found


def latest_assessment(db: Session, *, profile_id: int) -> StoredAssessment | None:
    head = db.execute(_LATEST_ASSESSMENT, {"profile_id": profile_id}).first()
    if head is None:
        return None
    url = db.get_bind().engine.url
    key = (url, "assessment", profile_id, head.id, head.created_at, head.complete)

    def load() -> StoredAssessment:
        row = db.get(AssessmentRow, head.id)
        assert row is not None
        return _stored_assessment(row)

    return _parsed(key, load)


def latest_triage(db: Session, *, profile_id: int) -> tuple[datetime, str] | None:
    """When the latest assessment was made and its triage level, without reading the rest."""
    row = db.execute(
        select(AssessmentRow.created_at, AssessmentRow.triage_level)
        .where(AssessmentRow.profile_id == profile_id)
        .order_by(AssessmentRow.id.desc())
        .limit(1)
    ).first()
    return (row[0], row[1]) if row is not None else None


def assessments(db: Session, *, profile_id: int) -> list[StoredAssessment]:
    rows = db.scalars(
        select(AssessmentRow)
        .where(AssessmentRow.profile_id == profile_id)
        .order_by(AssessmentRow.id)
    )
    return [_stored_assessment(r) for r in rows]


def _program_version(row: ProgramVersionRow) -> ProgramVersion:
    return ProgramVersion(
        version=row.version,
        created_at=row.created_at,
        reason=row.reason,
        sources=tuple(row.sources),
        program=Program.model_validate(row.program),
        catalog_version=row.catalog_version,
        assessment_id=row.assessment_id,
    )


def add_program_version(
    db: Session,
    *,
    profile_id: int,
    program: Program,
    reason: str,
    sources: tuple[str, ...] = (),
    catalog_version: str,
    assessment_id: int | None = None,
    now: datetime,
) -> ProgramVersion:
    """Store a new version; earlier versions stay as they were. Numbered under the profile's
    lock (:func:`lock_profile`), so versions stored at the same moment get the next numbers in
    turn instead of colliding."""
    lock_profile(db, profile_id=profile_id)
    latest = db.scalar(
        select(func.max(ProgramVersionRow.version)).where(
            ProgramVersionRow.profile_id == profile_id
        )
    )
    version = ProgramVersion(
        version=(latest or 0) + 1,
        created_at=now,
        reason=reason,
        sources=sources,
        program=program,
        catalog_version=catalog_version,
        assessment_id=assessment_id,
    )
    db.add(
        ProgramVersionRow(
            profile_id=profile_id,
            version=version.version,
            created_at=now,
            reason=reason,
            sources=list(sources),
            catalog_version=catalog_version,
            assessment_id=assessment_id,
            program=program.model_dump(mode="json"),
            sessions_per_day=program.sessions_per_day,
        )
    )
    db.flush()
    return version


def current_program(db: Session, *, profile_id: int) -> ProgramVersion | None:
    head = db.execute(_CURRENT_PROGRAM, {"profile_id": profile_id}).first()
    if head is None:
        return None
    key = (db.get_bind().engine.url, "program", profile_id, head.id, head.version, head.created_at)

    def load() -> ProgramVersion:
        row = db.get(ProgramVersionRow, head.id)
        assert row is not None
        return _program_version(row)

    return _parsed(key, load)


def program_version_for_session(db: Session, *, session_id: int) -> ProgramVersion:
    """The program version a session was started with."""
    row = db.scalar(
        select(ProgramVersionRow)
        .join(
            SessionRow,
            (SessionRow.profile_id == ProgramVersionRow.profile_id)
            & (SessionRow.program_version == ProgramVersionRow.version),
        )
        .where(SessionRow.id == session_id)
    )
    if row is None:
        raise NotFound(f"session {session_id}")
    return _program_version(row)


def program_versions(db: Session, *, profile_id: int) -> list[ProgramVersion]:
    rows = db.scalars(
        select(ProgramVersionRow)
        .where(ProgramVersionRow.profile_id == profile_id)
        .order_by(ProgramVersionRow.version)
    )
    return [_program_version(r) for r in rows]


# --- sessions and sets ---------------------------------------------------------------------------


def _session(row: SessionRow) -> SessionRecord:
    return SessionRecord(
        id=row.id,
        program_version=row.program_version,
        started_at=row.started_at,
        ended_at=row.ended_at,
        status=row.status,
    )


def start_session(
    db: Session, *, profile_id: int, program_version: int, now: datetime
) -> SessionRecord:
    row = SessionRow(
        profile_id=profile_id,
        program_version=program_version,
        started_at=now,
        status="in_progress",
        work_done=0.0,
    )
    db.add(row)
    db.flush()
    return _session(row)


def end_session(db: Session, *, session_id: int, status: SessionStatus, now: datetime) -> None:
    row = db.get(SessionRow, session_id)
    if row is None:
        raise NotFound(f"session {session_id}")
    if row.status == "in_progress":  # a finished session is never rewritten
        row.status = status
        row.ended_at = now
        db.flush()


def get_session(db: Session, *, session_id: int) -> SessionRecord:
    row = db.get(SessionRow, session_id)
    if row is None:
        raise NotFound(f"session {session_id}")
    return _session(row)


def log_set(db: Session, *, entry: SetLog) -> bool:
    """Store one completed set. Returns False (and stores nothing) if the session already has a
    set with its key (a retry)."""
    existing = select(SetLogRow.id).where(
        SetLogRow.session_id == entry.session_id, SetLogRow.key == entry.key
    )
    if db.scalar(existing) is not None:
        return False
    try:
        with db.begin_nested():
            db.add(SetLogRow(**entry.model_dump()))
    except IntegrityError:
        return False
    return True


def update_session_work(db: Session, *, session_id: int, plan: Sequence[PlannedSet]) -> float:
    """Work out and keep the share of the session's planned work done (``plan``: its program
    version's :func:`~psoas.domain.adherence.planned_sets`) from the sets stored so far. The
    session's row is locked first, so sets saved at the same moment are all counted."""
    status = db.scalar(
        select(SessionRow.status).where(SessionRow.id == session_id).with_for_update()
    )
    if status is None:
        raise NotFound(f"session {session_id}")
    share = session_share(
        plan, sets_for_session(db, session_id=session_id), completed=status == "completed"
    )
    db.execute(update(SessionRow).where(SessionRow.id == session_id).values(work_done=share))
    return share


@functools.lru_cache(maxsize=256)
def _plan_of(program_json: str) -> tuple[PlannedSet, ...]:
    return planned_sets(Program.model_validate_json(program_json))


def plan_of(program: dict[str, Any]) -> tuple[PlannedSet, ...]:
    """The session plan of a stored program document, kept by its content: the same program
    (a thousand patients often share a few) is read once."""
    return _plan_of(json.dumps(program, sort_keys=True, separators=(",", ":")))


_SET_COLUMNS = tuple(SetLog.model_fields)
_FILL_CHUNK = 2000


def fill_session_work(conn: Connection, *, profile_ids: Iterable[int] | Any) -> int:
    """Work out the share of work done of the sessions of these profiles (a list, or a SQL
    subquery of profile ids) that do not have it yet (stored before it was kept, or written
    in bulk), and keep it. Returns how many were filled; cheap when none are missing."""
    s = SessionRow
    missing = conn.execute(
        select(s.id, s.profile_id, s.program_version, s.status).where(
            s.work_done.is_(None), s.profile_id.in_(profile_ids)
        )
    ).all()
    if not missing:
        return 0
    wanted = {(pid, version) for _, pid, version, _ in missing}
    plans: dict[tuple[int, int], tuple[PlannedSet, ...]] = {}
    pv = ProgramVersionRow
    for pid, version, program in conn.execute(
        select(pv.profile_id, pv.version, pv.program).where(
            pv.profile_id.in_({pid for pid, _ in wanted})
        )
    ):
        if (pid, version) in wanted:
            plans[(pid, version)] = plan_of(program)
    set_t = SetLogRow.__table__
    filled = 0
    for at in range(0, len(missing), _FILL_CHUNK):
        chunk = missing[at : at + _FILL_CHUNK]
        logs: dict[int, list[SetLog]] = defaultdict(list)
        for row in conn.execute(
            select(*(set_t.c[name] for name in _SET_COLUMNS)).where(
                set_t.c.session_id.in_([sid for sid, *_ in chunk])
            )
        ):
            log = SetLog.model_construct(**dict(zip(_SET_COLUMNS, row, strict=True)))
            logs[log.session_id].append(log)
        values = [
            {
                "sid": sid,
                "share": session_share(
                    plans.get((pid, version), ()),
                    logs.get(sid, ()),
                    completed=status == "completed",
                ),
            }
            for sid, pid, version, status in chunk
        ]
        conn.execute(
            update(SessionRow)
            .where(SessionRow.id == bindparam("sid"), SessionRow.work_done.is_(None))
            .values(work_done=bindparam("share"))
            .execution_options(synchronize_session=False),
            values,
        )
        filled += len(values)
    return filled


def session_work(db: Session, *, profile_id: int) -> dict[int, float]:
    """Each session's share of its planned work done (worked out first where missing)."""
    fill_session_work(db.connection(), profile_ids=[profile_id])
    return {
        sid: share or 0.0
        for sid, share in db.execute(
            select(SessionRow.id, SessionRow.work_done).where(SessionRow.profile_id == profile_id)
        )
    }


def session_work_done(db: Session, *, session_id: int) -> float:
    """One session's share of its planned work done (worked out first when missing)."""
    row = db.execute(
        select(SessionRow.profile_id, SessionRow.work_done).where(SessionRow.id == session_id)
    ).first()
    if row is None:
        raise NotFound(f"session {session_id}")
    if row.work_done is None:
        fill_session_work(db.connection(), profile_ids=[row.profile_id])
        return db.scalar(select(SessionRow.work_done).where(SessionRow.id == session_id)) or 0.0
    return float(row.work_done)


def _set(row: SetLogRow) -> SetLog:
    return SetLog(
        session_id=row.session_id,
        item_id=row.item_id,
        side=row.side,
        set_number=row.set_number,
        hold_seconds=row.hold_seconds,
        reps=row.reps,
        minutes=row.minutes,
        completed_at=row.completed_at,
        key=row.key,
    )


def sets_for_session(db: Session, *, session_id: int) -> list[SetLog]:
    rows = db.scalars(
        select(SetLogRow).where(SetLogRow.session_id == session_id).order_by(SetLogRow.id)
    )
    return [_set(r) for r in rows]


# --- pain, function, re-tests, breaks ------------------------------------------------------------


def add_pain(db: Session, *, profile_id: int, rating: PainRating) -> None:
    db.add(PainRow(profile_id=profile_id, **rating.model_dump()))
    db.flush()


def add_psfs(db: Session, *, profile_id: int, entry: PsfsEntry) -> None:
    db.add(
        PsfsRow(
            profile_id=profile_id,
            at=entry.at,
            activities=[a.model_dump() for a in entry.activities],
        )
    )
    db.flush()


def add_retest(db: Session, *, profile_id: int, retest: Retest) -> None:
    measures = retest.model_dump(exclude={"at"}, exclude_none=True)
    db.add(RetestRow(profile_id=profile_id, at=retest.at, measures=measures))
    db.flush()


def add_break(db: Session, *, profile_id: int, event: BreakEvent) -> None:
    db.add(BreakRow(profile_id=profile_id, **event.model_dump()))
    db.flush()


def breaks_since(db: Session, *, profile_id: int, since: datetime) -> list[BreakEvent]:
    rows = db.scalars(
        select(BreakRow)
        .where(BreakRow.profile_id == profile_id, BreakRow.at >= since)
        .order_by(BreakRow.at, BreakRow.id)
    )
    return [_break(r) for r in rows]


def _break(row: BreakRow) -> BreakEvent:
    return BreakEvent(
        at=row.at,
        kind=row.kind,
        movement_id=row.movement_id,
        snooze_minutes=row.snooze_minutes,
    )


# --- the whole history ---------------------------------------------------------------------------


def load_history(db: Session, *, profile_id: int, with_sets: bool = True) -> History:
    """Everything stored for one profile, in time order, as domain records.

    ``with_sets=False`` leaves the sets out (years of them), for readers that need only their
    sessions (see :func:`session_work`)."""
    profile_row = db.get(ProfileRow, profile_id)
    if profile_row is None:
        raise NotFound(f"profile {profile_id}")
    # Plain rows (no ORM objects) and unvalidated models: these records were validated when
    # they were written, and years of sets must load in a fraction of a second.
    session_t, set_t, pain_t = SessionRow.__table__, SetLogRow.__table__, PainRow.__table__
    sessions = db.execute(
        select(
            session_t.c.id,
            session_t.c.program_version,
            session_t.c.started_at,
            session_t.c.ended_at,
            session_t.c.status,
        )
        .where(session_t.c.profile_id == profile_id)
        .order_by(session_t.c.started_at, session_t.c.id)
    )
    session_records = tuple(
        SessionRecord.model_construct(
            id=sid, program_version=version, started_at=start, ended_at=end, status=status
        )
        for sid, version, start, end, status in sessions
    )
    set_records: tuple[SetLog, ...] = ()
    if with_sets:
        names = list(SetLog.model_fields)
        rows = db.execute(
            select(*(set_t.c[name] for name in names))
            .join(session_t, session_t.c.id == set_t.c.session_id)
            .where(session_t.c.profile_id == profile_id)
            .order_by(set_t.c.completed_at, set_t.c.id)
        )
        set_records = tuple(
            SetLog.model_construct(**dict(zip(names, r, strict=True))) for r in rows
        )
    pain = db.execute(
        select(pain_t.c.at, pain_t.c.score, pain_t.c.context, pain_t.c.session_id)
        .where(pain_t.c.profile_id == profile_id)
        .order_by(pain_t.c.at, pain_t.c.id)
    )
    pain_records = tuple(
        PainRating.model_construct(at=at, score=score, context=context, session_id=sid)
        for at, score, context, sid in pain
    )
    psfs = db.scalars(
        select(PsfsRow).where(PsfsRow.profile_id == profile_id).order_by(PsfsRow.at, PsfsRow.id)
    )
    retests = db.scalars(
        select(RetestRow)
        .where(RetestRow.profile_id == profile_id)
        .order_by(RetestRow.at, RetestRow.id)
    )
    breaks = db.scalars(
        select(BreakRow).where(BreakRow.profile_id == profile_id).order_by(BreakRow.at, BreakRow.id)
    )
    return History(
        profile=_profile(profile_row),
        assessments=tuple(assessments(db, profile_id=profile_id)),
        programs=tuple(program_versions(db, profile_id=profile_id)),
        sessions=session_records,
        sets=set_records,
        pain=pain_records,
        psfs=tuple(PsfsEntry(at=p.at, activities=p.activities) for p in psfs),
        retests=tuple(Retest(at=r.at, **r.measures) for r in retests),
        breaks=tuple(_break(b) for b in breaks),
    )


def restore_history(db: Session, *, history: History, name: str | None = None) -> Profile:
    """Write a history under a new profile (ids remapped). Fails if the name is taken."""
    profile = create_profile(db, name=name or history.profile.name, now=history.profile.created_at)
    assert profile.id is not None
    assessment_ids: dict[int, int] = {}
    for stored in history.assessments:
        assessment_ids[stored.id] = save_assessment(
            db,
            profile_id=profile.id,
            intake=stored.intake,
            assessment=stored.result,
            now=stored.created_at,
            complete=stored.complete,
        )
    for version in history.programs:
        db.add(
            ProgramVersionRow(
                profile_id=profile.id,
                version=version.version,
                created_at=version.created_at,
                reason=version.reason,
                sources=list(version.sources),
                catalog_version=version.catalog_version,
                assessment_id=assessment_ids.get(version.assessment_id)
                if version.assessment_id is not None
                else None,
                program=version.program.model_dump(mode="json"),
                sessions_per_day=version.program.sessions_per_day,
            )
        )
    new_ids: dict[int, int] = {}
    shares = session_shares(history)
    for s in history.sessions:
        assert s.id is not None
        row = SessionRow(
            profile_id=profile.id,
            program_version=s.program_version,
            started_at=s.started_at,
            ended_at=s.ended_at,
            status=s.status,
            work_done=shares[s.id],
        )
        db.add(row)
        db.flush()
        new_ids[s.id] = row.id
    for entry in history.sets:
        data: dict[str, Any] = entry.model_dump()
        data["session_id"] = new_ids[entry.session_id]
        db.add(SetLogRow(**data))
    for p in history.pain:
        sid = new_ids[p.session_id] if p.session_id is not None else None
        db.add(
            PainRow(
                profile_id=profile.id, at=p.at, score=p.score, context=p.context, session_id=sid
            )
        )
    for entry_psfs in history.psfs:
        add_psfs(db, profile_id=profile.id, entry=entry_psfs)
    for r in history.retests:
        add_retest(db, profile_id=profile.id, retest=r)
    for b in history.breaks:
        db.add(BreakRow(profile_id=profile.id, **b.model_dump()))
    db.flush()
    return profile
