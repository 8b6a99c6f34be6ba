"""Following a program: sessions and sets, pain, function, re-tests, breaks, history.

Every function that records something commits before it returns, so that a crash a moment
later loses nothing that was reported as saved.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session

from psoas.domain.adherence import planned_sets
from psoas.domain.intake import Intake
from psoas.domain.recheck import has_risen, rechecked_intake
from psoas.domain.results import Assessment
from psoas.domain.tracking import (
    BreakEvent,
    History,
    PainContext,
    PainRating,
    Profile,
    ProgramVersion,
    PsfsEntry,
    Retest,
    SessionRecord,
    SessionStatus,
    SetLog,
)
from psoas.services import clearance, programs
from psoas.services.assessment import run_assessment
from psoas.settings import Settings
from psoas.storage import repo
from psoas.storage.db import Database


class TrackingError(ValueError):
    """Something a person asked for that cannot be done, with a message saying why."""


def open_database(url: str | None = None) -> Database:
    return Database(url or Settings().resolved_database_url())


def profile_saved(name: str, url: str | None = None) -> bool:
    """Whether a profile of that name has been saved (a missing SQLite file is not created)."""
    url = url or Settings().resolved_database_url()
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path in ("", ":memory:") or not Path(path).expanduser().exists():
            return False
    db = open_database(url)
    try:
        with db.session() as s:
            return repo.find_profile(s, name=name) is not None
    finally:
        db.close()


def get_profile(db: Database, name: str) -> Profile:
    with db.session() as s:
        return profile_in(s, name)


def profile_in(s: Session, name: str) -> Profile:
    """The profile named ``name``, read in an open database session; TrackingError if none."""
    found = repo.find_profile(s, name=name)
    if found is None:
        raise TrackingError(
            f"profile {name!r}: no such profile yet. Run `psoas assess --save --profile {name}` "
            "first."
        )
    return found


def _pid(profile: Profile) -> int:
    assert profile.id is not None
    return profile.id


def save_assessment(
    db: Database,
    *,
    profile_name: str,
    intake: Intake,
    assessment: Assessment,
    now: datetime,
    complete: bool = True,
    reason: str | None = None,
) -> ProgramVersion | None:
    """Keep the intake and result as they were; a program (if any) becomes the next version
    (with ``reason``, or one saying it is the first or a new assessment). ``complete=False``:
    the questions stopped at an emergency (see ``emergency_stop``)."""
    with db.session() as s, s.begin():
        profile = repo.get_or_create_profile(s, name=profile_name, now=now)
        assessment_id = repo.save_assessment(
            s,
            profile_id=_pid(profile),
            intake=intake,
            assessment=assessment,
            now=now,
            complete=complete,
        )
        if assessment.program is None:
            return None
        first = repo.current_program(s, profile_id=_pid(profile)) is None
        if reason is None:
            reason = "first program, from the assessment" if first else "new assessment"
        return repo.add_program_version(
            s,
            profile_id=_pid(profile),
            program=assessment.program,
            reason=reason,
            catalog_version=assessment.catalog_version,
            assessment_id=assessment_id,
            now=now,
        )


def program_state(db: Database, *, profile_name: str) -> programs.ProgramState:
    profile = get_profile(db, profile_name)
    with db.session() as s:
        return programs.state_in(s, profile_id=_pid(profile))


RECHECK_REASON = "the warning signs were checked again because pain went up"


def recheck(
    db: Database, *, profile_name: str, answers: dict[str, Any], pain_now: int, now: datetime
) -> Assessment:
    """Assess again from the latest intake with the warning signs answered anew and today's
    pain, and keep it: a red flag now holds the program back everywhere; otherwise the program
    is made again for today's pain (gentler when pain is high)."""
    state = program_state(db, profile_name=profile_name)
    if state.assessment is None:
        raise TrackingError(f"profile {profile_name!r}: {programs.NO_PROGRAM}")
    before = state.assessment.intake
    intake = rechecked_intake(before, answers=answers, pain_now=pain_now)
    risen = state.pain_rise is not None or has_risen(before, pain_now)
    cleared = clearance.carried(db, profile_name=profile_name, intake=intake, pain_risen=risen)
    result = run_assessment(intake, pain_risen=risen, clearance=cleared)
    save_assessment(
        db,
        profile_name=profile_name,
        intake=intake,
        assessment=result,
        now=now,
        reason=RECHECK_REASON,
    )
    return result


def current_program(db: Database, *, profile_name: str) -> ProgramVersion:
    profile = get_profile(db, profile_name)
    with db.session() as s:
        state = programs.state_in(s, profile_id=_pid(profile))
    try:
        return state.require()
    except programs.ProgramUnavailable as exc:
        raise TrackingError(f"profile {profile_name!r}: {exc.message}") from exc


def start_session(
    db: Database, *, profile_name: str, now: datetime
) -> tuple[SessionRecord, ProgramVersion]:
    version = current_program(db, profile_name=profile_name)
    profile = get_profile(db, profile_name)
    with db.session() as s, s.begin():
        record = repo.start_session(
            s, profile_id=_pid(profile), program_version=version.version, now=now
        )
    return record, version


def log_set(db: Database, *, entry: SetLog) -> bool:
    """Save one completed set at once. False if that set (its key) was already saved."""
    with db.session() as s, s.begin():
        try:
            version = repo.program_version_for_session(s, session_id=entry.session_id)
        except repo.NotFound as exc:
            raise TrackingError(f"session {entry.session_id}: no such session") from exc
        if entry.item_id not in {i.id for i in version.program.items}:
            raise TrackingError(f"item {entry.item_id!r}: not part of this session's program")
        stored = repo.log_set(s, entry=entry)
        if stored:
            repo.update_session_work(
                s, session_id=entry.session_id, plan=planned_sets(version.program)
            )
        return stored


def finish_session(db: Database, *, session_id: int, status: SessionStatus, now: datetime) -> None:
    with db.session() as s, s.begin():
        repo.end_session(s, session_id=session_id, status=status, now=now)
        version = repo.program_version_for_session(s, session_id=session_id)
        repo.update_session_work(s, session_id=session_id, plan=planned_sets(version.program))


def log_pain(
    db: Database,
    *,
    profile_name: str,
    score: int,
    now: datetime,
    context: PainContext = "daily",
    session_id: int | None = None,
) -> PainRating:
    rating = PainRating(at=now, score=score, context=context, session_id=session_id)
    profile = get_profile(db, profile_name)
    with db.session() as s, s.begin():
        repo.add_pain(s, profile_id=_pid(profile), rating=rating)
    return rating


def log_psfs(db: Database, *, profile_name: str, entry: PsfsEntry) -> None:
    profile = get_profile(db, profile_name)
    with db.session() as s, s.begin():
        repo.add_psfs(s, profile_id=_pid(profile), entry=entry)


def log_retest(db: Database, *, profile_name: str, retest: Retest) -> None:
    profile = get_profile(db, profile_name)
    with db.session() as s, s.begin():
        repo.add_retest(s, profile_id=_pid(profile), retest=retest)


def record_break(db: Database, *, profile_name: str, event: BreakEvent) -> None:
    profile = get_profile(db, profile_name)
    with db.session() as s, s.begin():
        repo.add_break(s, profile_id=_pid(profile), event=event)


def breaks_since(db: Database, *, profile_name: str, since: datetime) -> list[BreakEvent]:
    profile = get_profile(db, profile_name)
    with db.session() as s:
        return repo.breaks_since(s, profile_id=_pid(profile), since=since)


def history(db: Database, *, profile_name: str, with_sets: bool = True) -> History:
    profile = get_profile(db, profile_name)
    with db.session() as s:
        return repo.load_history(s, profile_id=_pid(profile), with_sets=with_sets)


def session_work(db: Database, *, profile_name: str) -> dict[int, float]:
    """Each session's share of its planned work that was done (psoas.domain.adherence)."""
    profile = get_profile(db, profile_name)
    with db.session() as s, s.begin():
        return repo.session_work(s, profile_id=_pid(profile))


def restore(db: Database, *, backup: History, name: str | None = None) -> Profile:
    target = name or backup.profile.name
    with db.session() as s:
        if repo.find_profile(s, name=target) is not None:
            raise TrackingError(
                f"profile {target!r} already exists; import under another name with --name"
            )
    with db.session() as s, s.begin():
        return repo.restore_history(s, history=backup, name=target)
