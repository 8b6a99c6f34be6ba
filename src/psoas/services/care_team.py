"""A patient's care team: the clinicians (of one clinic or more) who see their record.

Nobody joins without the patient: a clinician's code typed by the patient, or a colleague added
by a clinician of the team, is a pending request until the patient accepts it. The patient can
decline a request, and leave a clinician or a whole clinic at any time; access ends at once.
Every change is in the patient's audit log.

users.clinician_id is the patient's lead clinician (step requests and reminders name them): the
first clinician the patient accepted, passed on to another member when the lead leaves.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from psoas.services import accounts
from psoas.services.accounts import AccountError, NotFound, User
from psoas.storage.db import Database
from psoas.storage.tables import (
    AuditRow,
    CareTeamRow,
    ClinicMemberRow,
    ClinicRow,
    ProgramStepRow,
    UserRow,
)


@dataclass(frozen=True)
class TeamMember:
    clinician_id: int
    name: str
    clinic_id: int
    clinic: str
    status: str  # pending | accepted
    #: the clinician who asked to add them, None when the patient typed the code
    asked_by: str | None
    asked_at: datetime
    accepted_at: datetime | None
    lead: bool


def team(db: Database, *, patient: User) -> list[TeamMember]:
    """The patient's care team and pending requests, by clinic then name."""
    asker = UserRow.__table__.alias("asker")
    with db.session() as s:
        lead = s.scalar(select(UserRow.clinician_id).where(UserRow.id == patient.id))
        rows = s.execute(
            select(
                CareTeamRow.clinician_id,
                UserRow.display_name,
                ClinicRow.id,
                ClinicRow.name,
                CareTeamRow.status,
                CareTeamRow.asked_by,
                asker.c.display_name,
                CareTeamRow.asked_at,
                CareTeamRow.accepted_at,
            )
            .join(UserRow, UserRow.id == CareTeamRow.clinician_id)
            .join(ClinicRow, ClinicRow.id == CareTeamRow.clinic_id)
            .outerjoin(asker, asker.c.id == CareTeamRow.asked_by)
            .where(CareTeamRow.patient_id == patient.id)
            .order_by(ClinicRow.name, ClinicRow.id, UserRow.display_name, UserRow.id)
        ).all()
    return [
        TeamMember(c, n, ci, cn, st, None if by == patient.id else a, at, acc, c == lead)
        for c, n, ci, cn, st, by, a, at, acc in rows
    ]


def waiting(db: Database, *, patient: User) -> list[str]:
    """The names of the clinicians waiting for the patient's answer to join their care team
    (one small query: the program page asks it on every visit)."""
    with db.session() as s:
        return list(
            s.scalars(
                select(UserRow.display_name)
                .join(CareTeamRow, CareTeamRow.clinician_id == UserRow.id)
                .where(CareTeamRow.patient_id == patient.id, CareTeamRow.status == "pending")
                .order_by(CareTeamRow.asked_at)
            )
        )


def _name(s: Session, user_id: int) -> str:
    return s.scalar(select(UserRow.display_name).where(UserRow.id == user_id)) or "a clinician"


def _audit(s: Session, *, patient: User, actor_id: int, action: str, now: datetime) -> None:
    s.add(AuditRow(patient_id=patient.id, actor_id=actor_id, at=now, action=action[:80]))


def _own_patient(patient: User) -> None:
    if patient.role != "patient":
        raise NotFound("care team")


def accept(db: Database, *, patient: User, clinician_id: int, now: datetime) -> None:
    """The patient lets the clinician in; the first one accepted becomes the lead."""
    _own_patient(patient)
    with db.session() as s, s.begin():
        done = s.execute(
            update(CareTeamRow)
            .where(
                CareTeamRow.patient_id == patient.id,
                CareTeamRow.clinician_id == clinician_id,
                CareTeamRow.status == "pending",
            )
            .values(status="accepted", accepted_at=now)
        )
        if done.rowcount != 1:  # type: ignore[attr-defined]
            raise NotFound("request")
        s.execute(
            update(UserRow)
            .where(UserRow.id == patient.id, UserRow.clinician_id.is_(None))
            .values(clinician_id=clinician_id)
        )
        _audit(
            s,
            patient=patient,
            actor_id=patient.id,
            action=f"accepted {_name(s, clinician_id)} into the care team",
            now=now,
        )


def _pass_lead(s: Session, patient_id: int, gone: int | None = None) -> None:
    """After someone left (``gone``, if their row is still there): the lead stays if still in
    the team, else the longest-standing member (or nobody) leads, and steps waiting on the old
    lead wait on the new one."""
    lead = s.scalar(select(UserRow.clinician_id).where(UserRow.id == patient_id))
    members = [
        c
        for c in s.scalars(
            select(CareTeamRow.clinician_id)
            .where(CareTeamRow.patient_id == patient_id, CareTeamRow.status == "accepted")
            .order_by(CareTeamRow.accepted_at, CareTeamRow.id)
        )
        if c != gone
    ]
    if lead in members:
        return
    new_lead = members[0] if members else None
    s.execute(update(UserRow).where(UserRow.id == patient_id).values(clinician_id=new_lead))
    s.execute(
        update(ProgramStepRow)
        .where(ProgramStepRow.patient_id == patient_id, ProgramStepRow.status == "pending")
        .values(clinician_id=new_lead)
    )


def remove(db: Database, *, patient: User, clinician_id: int, now: datetime) -> None:
    """The patient declines a request or leaves a clinician: their access ends at once."""
    _own_patient(patient)
    with db.session() as s, s.begin():
        status = s.scalar(
            select(CareTeamRow.status).where(
                CareTeamRow.patient_id == patient.id, CareTeamRow.clinician_id == clinician_id
            )
        )
        if status is None:
            raise NotFound("care team member")
        s.execute(
            delete(CareTeamRow).where(
                CareTeamRow.patient_id == patient.id, CareTeamRow.clinician_id == clinician_id
            )
        )
        name = _name(s, clinician_id)
        action = (
            f"declined {name} for the care team"
            if status == "pending"
            else f"removed {name} from the care team"
        )
        _audit(s, patient=patient, actor_id=patient.id, action=action, now=now)
        _pass_lead(s, patient.id)


def leave_clinic(db: Database, *, patient: User, clinic_id: int, now: datetime) -> None:
    """The patient leaves every clinician of a clinic (pending requests too)."""
    _own_patient(patient)
    with db.session() as s, s.begin():
        name = s.scalar(select(ClinicRow.name).where(ClinicRow.id == clinic_id))
        done = s.execute(
            delete(CareTeamRow).where(
                CareTeamRow.patient_id == patient.id, CareTeamRow.clinic_id == clinic_id
            )
        )
        if name is None or not done.rowcount:  # type: ignore[attr-defined]
            raise NotFound("clinic")
        _audit(s, patient=patient, actor_id=patient.id, action=f"left {name}", now=now)
        _pass_lead(s, patient.id)


def join_by_code(db: Database, *, patient: User, code: str, now: datetime) -> None:
    """The patient typed a clinician's code: a request the patient then accepts or declines."""
    accounts.join_clinician(db, user=patient, code=code, now=now)


@dataclass(frozen=True)
class Colleague:
    id: int
    name: str


def colleagues_to_add(db: Database, *, clinician: User, patient: User) -> list[Colleague]:
    """Clinicians of this clinician's clinic not yet in (or asked into) the patient's team."""
    if not accounts.in_care_team(db, clinician=clinician, patient_id=patient.id):
        raise NotFound("patient")
    with db.session() as s:
        clinic_id = s.scalar(
            select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
        )
        taken = select(CareTeamRow.clinician_id).where(CareTeamRow.patient_id == patient.id)
        rows = s.execute(
            select(UserRow.id, UserRow.display_name)
            .join(ClinicMemberRow, ClinicMemberRow.user_id == UserRow.id)
            .where(ClinicMemberRow.clinic_id == clinic_id, UserRow.id.not_in(taken))
            .order_by(UserRow.display_name, UserRow.id)
        ).all()
    return [Colleague(i, n) for i, n in rows]


def add_colleague(
    db: Database, *, clinician: User, patient: User, colleague_id: int, now: datetime
) -> None:
    """A clinician of the team asks to add a colleague of the same clinic: pending until the
    patient accepts."""
    if not any(
        c.id == colleague_id for c in colleagues_to_add(db, clinician=clinician, patient=patient)
    ):
        raise AccountError("colleague: choose a clinician of your clinic who is not in the team")
    with db.session() as s, s.begin():
        accounts.ask_to_join_team(
            s, patient_id=patient.id, clinician_id=colleague_id, asked_by=clinician.id, now=now
        )


def before_clinician_goes(s: Session, *, clinician_id: int) -> None:
    """A clinician's account is being deleted (in the caller's transaction): each patient they
    led gets the next member of their team as main clinician (waiting step requests follow),
    and a clinic they were the only administrator of passes to its longest-standing
    clinician, so that someone can still invite."""
    led = list(
        s.scalars(
            select(UserRow.id).where(
                UserRow.clinician_id == clinician_id, UserRow.role == "patient"
            )
        )
    )
    for patient_id in led:
        _pass_lead(s, patient_id, gone=clinician_id)
    held = s.get(ClinicMemberRow, clinician_id)
    if held is None or not held.is_admin:
        return
    others = select(ClinicMemberRow).where(
        ClinicMemberRow.clinic_id == held.clinic_id, ClinicMemberRow.user_id != clinician_id
    )
    if s.scalars(others.where(ClinicMemberRow.is_admin.is_(True))).first() is not None:
        return
    heir = s.scalars(others.order_by(ClinicMemberRow.joined_at, ClinicMemberRow.user_id)).first()
    if heir is not None:
        heir.is_admin = True
