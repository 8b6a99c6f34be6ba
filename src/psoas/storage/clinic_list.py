"""The clinician's patient list, read in a few aggregate queries: what it needs to know of each
patient (:class:`~psoas.domain.patient_list.PatientFacts`), however many there are. The
domain (:mod:`psoas.domain.patient_list`) turns the facts into the list's flags.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, select
from sqlalchemy.orm import aliased

from psoas.domain.adherence import VersionStart
from psoas.domain.patient_list import WINDOW_DAYS, PatientFacts
from psoas.domain.progression import PAIN_DAYS_TO_WARN, PAIN_WINDOW_DAYS
from psoas.domain.triage import WITHHOLDING_LEVELS
from psoas.storage.db import Database
from psoas.storage.repo import fill_session_work
from psoas.storage.tables import (
    AssessmentRow,
    CareTeamRow,
    PainRow,
    ProgramVersionRow,
    RetestRow,
    SessionRow,
    UserRow,
    UTCDateTime,
)


def _utc_day(column: Any, dialect: str) -> ColumnElement[Any]:
    """The UTC calendar day of a stored time, as SQL."""
    if dialect == "postgresql":
        return func.date(func.timezone("UTC", column))
    return func.substr(column, 1, 10)  # SQLite keeps UTC times as ISO text


def _at(value: datetime) -> ColumnElement[Any]:
    return literal(value, UTCDateTime())


def patient_facts(
    db: Database, *, clinician_id: int, now: datetime, patient_id: int | None = None
) -> list[PatientFacts]:
    """What the list needs to know of each patient of this clinician (or of one of them), in a
    handful of aggregate queries however many patients there are."""
    dialect = db.engine.dialect.name
    u, a, pv, s, p, r = UserRow, AssessmentRow, ProgramVersionRow, SessionRow, PainRow, RetestRow
    team = select(CareTeamRow.patient_id).where(
        CareTeamRow.clinician_id == clinician_id, CareTeamRow.status == "accepted"
    )
    mine = [u.id.in_(team), u.role == "patient"]
    if patient_id is not None:
        mine.append(u.id == patient_id)
    profiles = select(u.profile_id).where(*mine).scalar_subquery()
    today = now.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
    since = today - timedelta(days=WINDOW_DAYS - 1)  # the first day of the longest window
    pain_since = now - timedelta(days=PAIN_WINDOW_DAYS)

    with db.engine.begin() as conn:
        fill_session_work(conn, profile_ids=profiles)  # sessions written in bulk, if any
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

        # Program versions up to now: when each started and the sessions a day it asks for.
        versions: dict[int, list[VersionStart]] = {}
        current: dict[int, int] = {}
        for pid, version, created_at, per_day in conn.execute(
            select(pv.profile_id, pv.version, pv.created_at, pv.sessions_per_day)
            .where(pv.profile_id.in_(profiles), pv.created_at <= _at(now))
            .order_by(pv.profile_id, pv.version)
        ):
            versions.setdefault(pid, []).append(VersionStart(created_at, per_day or 1))
            current[pid] = version

        # The work done (each session's share of its plan, kept on the session), summed by UTC
        # day over the list's window, and the latest session with any work done.
        day = _utc_day(s.started_at, dialect)
        done = [s.profile_id.in_(profiles), s.started_at <= _at(now), s.work_done > 0]
        in_window = [*done, s.started_at >= _at(since)]
        worked: dict[int, dict[date, float]] = {}
        days: dict[Any, date] = {}  # a window has 28 days: each read once (SQLite gives text)
        for pid, on, work in conn.execute(
            select(s.profile_id, day, func.sum(s.work_done))
            .where(*in_window)
            .group_by(s.profile_id, day)
        ):
            when = days.get(on)
            if when is None:
                when = days[on] = on if isinstance(on, date) else date.fromisoformat(on)
            worked.setdefault(pid, {})[when] = work
        latest_session: dict[int, datetime] = dict(
            conn.execute(
                select(s.profile_id, func.max(s.started_at))
                .where(*in_window)
                .group_by(s.profile_id)
            ).all()
        )
        # The latest session of those with none in the window.
        quiet = [pid for pid in versions if pid not in latest_session]
        if quiet:
            latest_session.update(
                conn.execute(
                    select(s.profile_id, func.max(s.started_at))
                    .where(*done, s.profile_id.in_(quiet))
                    .group_by(s.profile_id)
                ).all()
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

    return [
        PatientFacts(
            id=uid,
            name=name,
            email=email,
            triage_level=assessed.get(pid, (None, None, None))[0],
            assessed_at=assessed.get(pid, (None, None, None))[1],
            intake_pain=assessed.get(pid, (None, None, None))[2],
            program_version=current.get(pid),
            versions=tuple(versions.get(pid, ())),
            worked=worked.get(pid, {}),
            last_session_at=latest_session.get(pid),
            first_rating=first_rating.get(pid),
            recent_pain=recent_pain[pid][0] if pid in recent_pain else None,
            recent_pain_days=recent_pain[pid][1] if pid in recent_pain else 0,
            days_rated=days_rated.get(pid, 0),
            last_retest_at=last_retest.get(pid),
        )
        for uid, name, email, profile_id in people
        for pid in (profile_id if profile_id is not None else -1,)
    ]
