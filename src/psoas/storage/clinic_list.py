"""The clinician's patient list, read in a few aggregate queries: what it needs to know of each
patient (:class:`~psoas.domain.patient_list.PatientFacts`), however many there are. The
domain (:mod:`psoas.domain.patient_list`) turns the facts into the list's flags.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import aliased

from psoas.domain.patient_list import PatientFacts
from psoas.domain.progression import PAIN_DAYS_TO_WARN, PAIN_WINDOW_DAYS
from psoas.domain.triage import WITHHOLDING_LEVELS
from psoas.storage.db import Database
from psoas.storage.tables import (
    AssessmentRow,
    PainRow,
    ProgramVersionRow,
    RetestRow,
    SessionRow,
    SetLogRow,
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


MAX_PER_DAY = 6  # the most sessions a day a program asks for (Program.sessions_per_day)


def _capped(starts: Iterable[datetime], since: datetime, cap: int) -> int:
    """Sessions started since ``since``, at most ``cap`` on one UTC day."""
    days: dict[object, int] = {}
    for at in starts:
        if at >= since:
            day = at.astimezone(UTC).date()
            days[day] = days.get(day, 0) + 1
    return sum(min(n, cap) for n in days.values())


def patient_facts(
    db: Database, *, clinician_id: int, now: datetime, patient_id: int | None = None
) -> list[PatientFacts]:
    """What the list needs to know of each patient of this clinician (or of one of them), in a
    handful of aggregate queries however many patients there are."""
    dialect = db.engine.dialect.name
    u, a, pv, s, p, r = UserRow, AssessmentRow, ProgramVersionRow, SessionRow, PainRow, RetestRow
    mine = [u.clinician_id == clinician_id, u.role == "patient"]
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

    return [
        PatientFacts(
            id=uid,
            name=name,
            email=email,
            triage_level=assessed.get(pid, (None, None, None))[0],
            assessed_at=assessed.get(pid, (None, None, None))[1],
            intake_pain=assessed.get(pid, (None, None, None))[2],
            program_version=programs[pid][0] if pid in programs else None,
            first_program_at=programs[pid][1] if pid in programs else None,
            current_program_at=programs[pid][2] if pid in programs else None,
            sessions_per_day=programs[pid][3] if pid in programs else 1,
            sessions_7=done.get(pid, (0, 0))[0],
            sessions_28=done.get(pid, (0, 0))[1],
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
