"""Stepping a program up or back, and who decides: the one place the rule lives.

* A person with no clinician steps directly: today's decision is stored as the next program
  version (:func:`psoas.services.progress.apply`).
* A patient linked to a clinician asks for a step up; the clinician approves or declines it on
  the patient's page, unless they have switched on automatic steps for that patient, when it
  applies at once.
* A step back (pain flared) never waits: a lighter program is applied at once.
* The clinician is told either way: every step of a linked patient (asked, approved, declined,
  applied) is a row that their list counts and the patient's page shows until they have seen it.

The web pages, the API and the CLI all call :func:`step`; the decision is always made again at
the moment of acting (never taken from what a browser sent), so a warning sign or a rise in pain
since the request still stops it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import case, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psoas.domain.progression import Decision, without_changes
from psoas.domain.tracking import ProgramVersion
from psoas.services import programs, progress, tracking
from psoas.services.accounts import profile_name_for
from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import CareTeamRow, ProfileRow, ProgramStepRow, UserRow

Status = Literal["pending", "approved", "declined", "applied"]
Kind = Literal["progress", "regress"]

#: The rule in plain words, for the generated clinical-rules document.
RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "step-approval",
        "A person with no clinician steps up or back directly. A patient linked to a clinician "
        "asks for a step up and the clinician approves or declines it on the patient's page, "
        "unless they switched on automatic steps for that patient; a step back after a flare "
        "applies at once. The clinician is told of every step either way (their list counts "
        "the steps they have not seen; the patient's page shows them), and the patient sees "
        "the answer. On approval the decision is made again as of then: a warning sign, a rise "
        "in pain or a change since the request stops it. After a decline the patient may ask "
        "again a week later (sooner once the program has changed).",
        ("nice-ng59", "hayden-2021"),
    ),
)


class StepError(ValueError):
    """Nothing to step, or a request that cannot be answered, in plain words."""


class NothingToStep(StepError):
    """Today's decision changes nothing; ``why`` is the decision's own message."""

    def __init__(self, why: str):
        super().__init__("Nothing to apply: as of today the program stays as it is. " + why)
        self.why = why


@dataclass(frozen=True)
class StepRecord:
    """One step of a linked patient, as the clinician and the patient see it."""

    id: int
    patient_id: int
    kind: Kind
    status: Status
    asked_at: datetime
    decided_at: datetime | None
    from_version: int
    to_version: int | None
    message: str
    changes: tuple[str, ...]
    sources: tuple[str, ...]
    seen: bool
    #: the name of the clinician of the care team who approved or declined it
    decided_by: str | None = None

    @property
    def lead(self) -> str:
        """The reason without the list of changes (shown as a list beside it)."""
        return without_changes(self.message, self.changes)

    @property
    def title(self) -> str:
        """What happened, in a few words."""
        what = "step up" if self.kind == "progress" else "step back"
        return {
            "pending": f"Asks to {what}",
            "approved": f"Step up approved (version {self.to_version})",
            "declined": f"{what.capitalize()} declined",
            "applied": f"{'Stepped up' if self.kind == 'progress' else 'Stepped back'} "
            f"(version {self.to_version})",
        }[self.status]


@dataclass(frozen=True)
class Outcome:
    """What :func:`step` did: applied a new version, or asked the clinician."""

    applied: ProgramVersion | None
    asked: StepRecord | None

    @property
    def message(self) -> str:
        if self.asked is not None:
            return (
                "Sent to your clinician: your program steps up once they approve it. You will "
                "see their answer on your progress page."
            )
        return "Your program has been changed."


def _record(row: ProgramStepRow, s: Session | None = None) -> StepRecord:
    decider = s.get(UserRow, row.decided_by) if s is not None and row.decided_by else None
    return StepRecord(
        id=row.id,
        patient_id=row.patient_id,
        kind=row.kind,  # type: ignore[arg-type]
        status=row.status,  # type: ignore[arg-type]
        asked_at=row.asked_at,
        decided_at=row.decided_at,
        from_version=row.from_version,
        to_version=row.to_version,
        message=row.message,
        changes=tuple(row.changes),
        sources=tuple(row.sources),
        seen=row.seen_at is not None,
        decided_by=decider.display_name if decider is not None else None,
    )


def _patient(s: Session, profile_name: str) -> UserRow | None:
    """The web account whose profile this is, if any."""
    return s.scalars(
        select(UserRow)
        .join(ProfileRow, UserRow.profile_id == ProfileRow.id)
        .where(ProfileRow.name == profile_name, UserRow.role == "patient")
    ).first()


def _pending(s: Session, patient_id: int) -> ProgramStepRow | None:
    return s.scalars(
        select(ProgramStepRow)
        .where(ProgramStepRow.patient_id == patient_id, ProgramStepRow.status == "pending")
        .order_by(ProgramStepRow.asked_at.desc())
    ).first()


def _row(
    patient: UserRow, decision: Decision, *, status: Status, from_version: int, now: datetime
) -> ProgramStepRow:
    return ProgramStepRow(
        patient_id=patient.id,
        clinician_id=patient.clinician_id,
        kind=decision.kind,
        status=status,
        asked_at=now,
        decided_at=now if status != "pending" else None,
        from_version=from_version,
        message=decision.message,
        changes=list(decision.changes),
        sources=list(decision.sources),
    )


def _decision(
    db: Database, profile_name: str, now: datetime, audience: programs.Audience = "patient"
) -> tuple[Decision, ProgramVersion]:
    """Today's decision, made now, and the version it would change; StepError when it changes
    nothing, or when there is no program to change (none yet, or held back)."""
    profile = tracking.get_profile(db, profile_name)
    assert profile.id is not None
    with db.session() as s:
        state = programs.state_in(s, profile_id=profile.id)
    if state.version is None:
        raise StepError(state.message(audience=audience) or programs.NO_PROGRAM)
    current = state.version
    decision = progress.report(db, profile_name=profile_name, now=now).decision
    if decision.program is None or decision.kind not in ("progress", "regress"):
        raise NothingToStep(decision.message)
    return decision, current


#: After a clinician declines a step up, the patient may ask again this long after (for the same
#: program version): a week's more sessions, as a step back settles for a week.
ASK_AGAIN_AFTER = timedelta(days=7)


def _declined_until(s: Session, patient_id: int, version: int) -> datetime | None:
    """When a patient whose latest request for this version was declined may ask again."""
    row = s.scalars(
        select(ProgramStepRow)
        .where(ProgramStepRow.patient_id == patient_id, ProgramStepRow.kind == "progress")
        .order_by(ProgramStepRow.asked_at.desc(), ProgramStepRow.id.desc())
    ).first()
    if row is None or row.status != "declined" or row.from_version != version:
        return None
    return (row.decided_at or row.asked_at) + ASK_AGAIN_AFTER


def step(db: Database, *, profile_name: str, now: datetime) -> Outcome:
    """Act on today's decision for this profile: apply it, or ask the clinician (see the
    module's rule). StepError when there is nothing to change or a request already waits."""
    decision, current = _decision(db, profile_name, now)
    with db.session() as s:
        patient = _patient(s, profile_name)
        linked = patient is not None and patient.clinician_id is not None
        waits = linked and decision.kind == "progress" and not (patient and patient.auto_steps)
        if waits and patient is not None and _pending(s, patient.id) is not None:
            raise StepError(
                "You have already asked your clinician to step your program up; their answer "
                "will show on your progress page."
            )
        again = _declined_until(s, patient.id, current.version) if waits and patient else None
        if again is not None and now < again:
            raise StepError(
                "Your clinician kept your program as it is for now. You can ask again from "
                f"{again:%d %B}, or talk it over with them before then."
            )
    if waits and patient is not None:
        try:
            with db.session() as s, s.begin():
                row = _row(
                    patient, decision, status="pending", from_version=current.version, now=now
                )
                s.add(row)
                s.flush()
                return Outcome(applied=None, asked=_record(row))
        except IntegrityError as exc:  # the same request sent twice at once
            raise StepError(
                "You have already asked your clinician to step your program up; their answer "
                "will show on your progress page."
            ) from exc
    version = progress.apply(db, profile_name=profile_name, decision=decision, now=now)
    if linked and patient is not None:
        with db.session() as s, s.begin():
            row = _row(patient, decision, status="applied", from_version=current.version, now=now)
            row.to_version = version.version
            s.add(row)
    return Outcome(applied=version, asked=None)


# --- the patient's side -------------------------------------------------------------------------


@dataclass(frozen=True)
class PatientSide:
    """What the patient's progress page needs: whether a step up is asked for rather than
    applied, and their latest request or answer."""

    asks_clinician: bool
    latest: StepRecord | None
    #: after a decline, when the patient may ask again (None: now, or not linked)
    ask_again_from: datetime | None = None

    @property
    def words(self) -> str | None:
        return patient_words(self.latest)


#: A person with no clinician and no steps asked.
NO_STEPS = PatientSide(asks_clinician=False, latest=None)


def patient_side(db: Database, *, profile_name: str) -> PatientSide:
    with db.session() as s:
        patient = _patient(s, profile_name)
        if patient is None:
            return NO_STEPS
        row = s.scalars(
            select(ProgramStepRow)
            .where(ProgramStepRow.patient_id == patient.id)
            .order_by(ProgramStepRow.asked_at.desc(), ProgramStepRow.id.desc())
        ).first()
        asks = patient.clinician_id is not None and not patient.auto_steps
        again = None
        if asks and row is not None and row.status == "declined" and patient.profile_id:
            current = repo.current_program(s, profile_id=patient.profile_id)
            if current is not None:
                again = _declined_until(s, patient.id, current.version)
        return PatientSide(
            asks_clinician=asks, latest=_record(row, s) if row else None, ask_again_from=again
        )


def patient_words(record: StepRecord | None) -> str | None:
    """What the patient reads about their latest request, or None."""
    if record is None:
        return None
    day = f"{record.asked_at:%d %b}"
    if record.status == "pending":
        return (
            f"You asked your clinician on {day} to step your program up. It changes once they "
            "approve it; until then, keep going as you are."
        )
    who = record.decided_by or "Your clinician"
    if record.status == "approved":
        return f"{who} approved your step up: program version {record.to_version}."
    if record.status == "declined":
        return (
            f"{who} kept your program as it is for now. Keep going, and talk it over "
            "with your care team at your next contact; you can ask again after a week."
        )
    return None


# --- the clinician's side -----------------------------------------------------------------------


def for_patient(
    db: Database, *, clinician_id: int, patient_id: int, limit: int = 10
) -> list[StepRecord]:
    """This patient's steps, waiting requests first, then the newest (the caller has checked
    that the patient is in the clinician's care team: every member sees them all)."""
    with db.session() as s:
        rows = s.scalars(
            select(ProgramStepRow)
            .where(ProgramStepRow.patient_id == patient_id)
            .order_by(
                (ProgramStepRow.status == "pending").desc(),
                ProgramStepRow.asked_at.desc(),
                ProgramStepRow.id.desc(),
            )
            .limit(limit)
        ).all()
        return [_record(r, s) for r in rows]


@dataclass(frozen=True)
class News:
    """What a clinician has not seen yet for one patient."""

    waiting: int  # requests that wait for their answer
    unseen: int  # steps applied or answered that they have not opened the page since

    @property
    def text(self) -> str:
        parts = []
        if self.waiting:
            parts.append(f"{self.waiting} step request{'s' if self.waiting > 1 else ''} to answer")
        if self.unseen:
            parts.append(f"{self.unseen} new program step{'s' if self.unseen > 1 else ''}")
        return ", ".join(parts)


def news(db: Database, *, clinician_id: int) -> dict[int, News]:
    """Per patient of this clinician: requests waiting and steps not yet seen (one query)."""
    pending = ProgramStepRow.status == "pending"
    with db.session() as s:
        rows = s.execute(
            select(
                ProgramStepRow.patient_id,
                func.sum(case((pending, 1), else_=0)),
                func.count(),
            )
            .join(UserRow, UserRow.id == ProgramStepRow.patient_id)
            .where(
                ProgramStepRow.clinician_id == clinician_id,
                UserRow.clinician_id == clinician_id,
                (ProgramStepRow.seen_at.is_(None)) | pending,
            )
            .group_by(ProgramStepRow.patient_id)
        ).all()
    return {pid: News(waiting=int(w or 0), unseen=int(n) - int(w or 0)) for pid, w, n in rows}


def mark_seen(db: Database, *, clinician_id: int, patient_id: int, now: datetime) -> None:
    """The clinician has opened the patient's page: the steps shown there are no longer news
    (a waiting request stays in their list until answered)."""
    with db.session() as s, s.begin():
        s.execute(
            update(ProgramStepRow)
            .where(
                ProgramStepRow.patient_id == patient_id,
                ProgramStepRow.clinician_id == clinician_id,
                ProgramStepRow.seen_at.is_(None),
            )
            .values(seen_at=now)
        )


def _own_pending(s: Session, clinician_id: int, patient_id: int, step_id: int) -> ProgramStepRow:
    """A waiting request of this patient that this clinician may answer: any accepted member of
    the patient's care team (the lead or another), not only the one it was sent to."""
    row = s.get(ProgramStepRow, step_id)
    in_team = s.scalar(
        select(CareTeamRow.id).where(
            CareTeamRow.patient_id == patient_id,
            CareTeamRow.clinician_id == clinician_id,
            CareTeamRow.status == "accepted",
        )
    )
    if (
        row is None
        or row.patient_id != patient_id
        or in_team is None
        or s.get(UserRow, patient_id) is None
    ):
        raise StepError("There is no such step request for this patient.")
    if row.status != "pending":
        raise StepError("This request has already been answered.")
    return row


def approve(
    db: Database, *, clinician_id: int, patient_id: int, step_id: int, now: datetime
) -> ProgramVersion:
    """Apply a waiting step up: decided again now, so it applies only if today's decision is
    still a step up (no warning sign, no flare, nothing changed since)."""
    with db.session() as s:
        row = _own_pending(s, clinician_id, patient_id, step_id)
        from_version = row.from_version
    profile_name = profile_name_for(patient_id)
    later = " Decline the request, or change the program yourself."
    try:
        decision, current = _decision(db, profile_name, now, "clinician")
    except NothingToStep as exc:
        raise StepError("As of today this step up no longer applies: " + exc.why + later) from exc
    if decision.kind != "progress" or current.version != from_version:
        raise StepError("As of today this step up no longer applies: " + decision.message + later)
    version = progress.apply(db, profile_name=profile_name, decision=decision, now=now)
    with db.session() as s, s.begin():
        row = _own_pending(s, clinician_id, patient_id, step_id)
        row.status = "approved"
        row.decided_at = now
        row.decided_by = clinician_id
        row.to_version = version.version
        row.message = decision.message
        row.changes = list(decision.changes)
        row.sources = list(decision.sources)
        row.seen_at = now
    return version


def decline(
    db: Database, *, clinician_id: int, patient_id: int, step_id: int, now: datetime
) -> None:
    """Keep the program as it is; the patient sees the answer."""
    with db.session() as s, s.begin():
        row = _own_pending(s, clinician_id, patient_id, step_id)
        row.status = "declined"
        row.decided_at = now
        row.decided_by = clinician_id
        row.seen_at = now


def auto_steps(db: Database, *, patient_id: int) -> bool:
    with db.session() as s:
        row = s.get(UserRow, patient_id)
        return bool(row and row.auto_steps)


def set_auto_steps(db: Database, *, patient_id: int, on: bool) -> None:
    """Switch automatic steps on or off for one patient (the caller has checked that the patient
    is the clinician's)."""
    with db.session() as s, s.begin():
        row = s.get(UserRow, patient_id)
        if row is None:
            raise StepError("There is no such patient.")
        row.auto_steps = on


__all__ = [
    "NO_STEPS",
    "RULES",
    "News",
    "Outcome",
    "StepError",
    "StepRecord",
    "approve",
    "decline",
    "for_patient",
    "mark_seen",
    "news",
    "patient_side",
    "patient_words",
    "set_auto_steps",
    "step",
]
