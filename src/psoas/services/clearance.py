"""Medical clearances: a clinician of the care team records that a doctor cleared warning signs,
and the program comes back on every surface; withdrawing it holds the program again.

The rules themselves are pure (:mod:`psoas.domain.clearance`). This module keeps the record
and does what recording means: the patient's latest answers are assessed again with the
clearance, and that result is kept as a new assessment (the held one stays as it was), so that
every surface that reads the latest assessment (the pages, the API, the player, the handout,
the reminders, the progression) gives the program, and explains the clearance, without a
second rule of its own. Later assessments get the clearance only while it carries over
(:func:`carried`). Recording and withdrawing are in the patient's audit log.

Access: only an accepted member of the patient's care team; anything else is
:class:`psoas.services.accounts.NotFound`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from psoas.domain.clearance import (
    CLEARED_CODE,
    ROLES,
    MedicalClearance,
    carries_over,
    clearable_rules,
    rule_title,
)
from psoas.domain.intake import Intake
from psoas.domain.results import TriageLevel
from psoas.domain.tracking import StoredAssessment
from psoas.domain.triage import fired_rules, withholds_program
from psoas.services import accounts
from psoas.services.accounts import AccountError, NotFound, User
from psoas.services.assessment import run_assessment
from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import (
    AssessmentRow,
    AuditRow,
    ClinicMemberRow,
    MedicalClearanceRow,
    ProfileRow,
    UserRow,
)

REASON = "a doctor's clearance was recorded"
WITHDRAWN_REASON = "a doctor's clearance was withdrawn"


@dataclass(frozen=True)
class Sign:
    """A warning sign a clearance can cover."""

    code: str
    title: str
    level: TriageLevel


@dataclass(frozen=True)
class ClearanceRecord:
    id: int
    cleared_by: str
    role: str
    role_name: str
    cleared_at: datetime
    signs: tuple[Sign, ...]
    note: str
    recorded_by: str
    recorded_at: datetime
    withdrawn_at: datetime | None

    @property
    def codes(self) -> tuple[str, ...]:
        return tuple(s.code for s in self.signs)


@dataclass(frozen=True)
class Panel:
    """What the clinician's record shows: the warning signs holding the program now (those a
    clearance can cover) and the clearances recorded, newest first."""

    held: bool
    complete: bool
    signs: tuple[Sign, ...]
    records: tuple[ClearanceRecord, ...]
    roles: dict[str, str]


def _sign(code: str) -> Sign:
    from psoas.domain.triage import RULES_BY_CODE

    rule = RULES_BY_CODE.get(code)
    return Sign(code, rule_title(code), rule.level if rule else "urgent")


def _record(row: MedicalClearanceRow) -> ClearanceRecord:
    return ClearanceRecord(
        id=row.id,
        cleared_by=row.cleared_by,
        role=row.role,
        role_name=ROLES.get(row.role, row.role),  # type: ignore[call-overload]
        cleared_at=row.cleared_at,
        signs=tuple(_sign(c) for c in row.codes),
        note=row.note,
        recorded_by=row.recorded_by_name,
        recorded_at=row.recorded_at,
        withdrawn_at=row.withdrawn_at,
    )


def _domain(row: MedicalClearanceRow) -> MedicalClearance:
    return MedicalClearance(
        cleared_by=row.cleared_by,
        role=row.role,
        cleared_at=row.cleared_at,
        codes=frozenset(row.codes),
        note=row.note,
        recorded_by=row.recorded_by_name,
    )


def pain_risen(stored: StoredAssessment) -> bool:
    """Whether a stored assessment was a re-check made because pain rose: a reason it gave
    fires only when the pain is read as new."""
    fired = {r.code for r in fired_rules(stored.intake)}
    gave = {r.code for r in stored.result.triage.reasons} - {CLEARED_CODE}
    if stored.result.clearance is not None:
        gave |= {r.code for r in stored.result.clearance.reasons}
    return not gave <= fired


def _profile_id(s: Session, patient_id: int) -> int | None:
    return s.scalar(select(UserRow.profile_id).where(UserRow.id == patient_id))


def _patient_id_of(profile_name: str) -> int | None:
    prefix = accounts.profile_name_for(0).removesuffix("0")
    rest = profile_name.removeprefix(prefix)
    return int(rest) if profile_name.startswith(prefix) and rest.isdigit() else None


def _own(db: Database, clinician: User, patient_id: int) -> User:
    patient = accounts.get_user(db, user_id=patient_id)
    if (
        patient is None
        or patient.role != "patient"
        or not accounts.in_care_team(db, clinician=clinician, patient_id=patient_id)
    ):
        raise NotFound("patient")
    return patient


def _latest(s: Session, patient_id: int) -> StoredAssessment | None:
    profile_id = _profile_id(s, patient_id)
    return None if profile_id is None else repo.latest_assessment(s, profile_id=profile_id)


def _rows(s: Session, patient_id: int) -> list[MedicalClearanceRow]:
    return list(
        s.scalars(
            select(MedicalClearanceRow)
            .where(MedicalClearanceRow.patient_id == patient_id)
            .order_by(MedicalClearanceRow.recorded_at.desc(), MedicalClearanceRow.id.desc())
        )
    )


def _uncleared_signs(latest: StoredAssessment) -> tuple[Sign, ...]:
    rules = clearable_rules(latest.intake, pain_risen=pain_risen(latest))
    return tuple(Sign(r.code, r.title, r.level) for r in rules)


def panel(db: Database, *, clinician: User, patient: User) -> Panel:
    _own(db, clinician, patient.id)
    return panel_in(db, patient_id=patient.id)


def panel_in(db: Database, *, patient_id: int) -> Panel:
    """The clearance section's data (the caller checked access)."""
    with db.session() as s:
        latest = _latest(s, patient_id)
        records = tuple(_record(r) for r in _rows(s, patient_id))
    held = latest is not None and withholds_program(latest.result.triage.level)
    return Panel(
        held=held,
        complete=latest is not None and latest.complete,
        signs=_uncleared_signs(latest) if latest is not None else (),
        records=records,
        roles={k: v for k, v in ROLES.items()},
    )


def records(db: Database, *, patient: User) -> list[ClearanceRecord]:
    """The patient's clearances, newest first (for the patient's own pages and the API)."""
    with db.session() as s:
        return [_record(r) for r in _rows(s, patient.id)]


def _save(
    s: Session,
    *,
    patient_id: int,
    latest: StoredAssessment,
    clearance: MedicalClearance | None,
    reason: str,
    now: datetime,
) -> bool:
    """Assess the latest answers again with ``clearance`` and keep the result as the newest
    assessment (a program becomes the next version). True when it gives a program."""
    profile_id = _profile_id(s, patient_id)
    assert profile_id is not None
    result = run_assessment(latest.intake, pain_risen=pain_risen(latest), clearance=clearance)
    assessment_id = repo.save_assessment(
        s, profile_id=profile_id, intake=latest.intake, assessment=result, now=now
    )
    if result.program is None:
        return False
    repo.add_program_version(
        s,
        profile_id=profile_id,
        program=result.program,
        reason=reason,
        sources=("finucane-2020",),
        catalog_version=result.catalog_version,
        assessment_id=assessment_id,
        now=now,
    )
    return True


def _audit(s: Session, *, patient_id: int, actor_id: int, action: str, now: datetime) -> None:
    s.add(AuditRow(patient_id=patient_id, actor_id=actor_id, at=now, action=action[:80]))


def record(
    db: Database,
    *,
    clinician: User,
    patient_id: int,
    cleared_by: str,
    role: str,
    cleared_at: datetime,
    codes: list[str] | tuple[str, ...] | frozenset[str],
    note: str,
    now: datetime,
) -> bool:
    """Record a doctor's clearance of warning signs in the patient's latest assessment, and
    give the program when no other sign holds it. True when the program is given now.
    AccountError names the field at fault; NotFound for a patient not in the team."""
    _own(db, clinician, patient_id)
    if cleared_at > now:
        raise AccountError("cleared_at: the date of the clearance cannot be in the future")
    try:
        clearance = MedicalClearance(
            cleared_by=cleared_by,
            role=role,
            cleared_at=cleared_at,
            codes=frozenset(codes),
            note=note,
            recorded_by=clinician.display_name,
        )
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "clearance"
        if field == "codes":
            raise AccountError("codes: tick the warning signs the doctor cleared") from exc
        raise AccountError(f"{field}: {first['msg']}") from exc
    with db.session() as s, s.begin():
        latest = _latest(s, patient_id)
        if latest is None or not withholds_program(latest.result.triage.level):
            raise AccountError("codes: no warning sign holds this patient's program back")
        if not latest.complete:
            raise AccountError(
                "codes: the patient's answers stopped at the emergency; ask them to answer the "
                "assessment in full once the doctor has seen them, then record the clearance"
            )
        signs = {sign.code for sign in _uncleared_signs(latest)}
        if not clearance.codes <= signs:
            raise AccountError("codes: tick only warning signs of the latest assessment")
        clinic_id = s.scalar(
            select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
        )
        s.add(
            MedicalClearanceRow(
                patient_id=patient_id,
                assessment_id=latest.id,
                recorded_by=clinician.id,
                recorded_by_name=clinician.display_name,
                clinic_id=clinic_id,
                recorded_at=now,
                cleared_by=clearance.cleared_by,
                role=clearance.role,
                cleared_at=clearance.cleared_at,
                codes=sorted(clearance.codes),
                note=clearance.note,
            )
        )
        given = _save(
            s,
            patient_id=patient_id,
            latest=latest,
            clearance=clearance,
            reason=f"{REASON} ({clearance.cleared_by}, {ROLES[clearance.role]})",
            now=now,
        )
        _audit(
            s,
            patient_id=patient_id,
            actor_id=clinician.id,
            action=f"recorded a clearance by {clearance.cleared_by}",
            now=now,
        )
    return given


def withdraw(
    db: Database, *, clinician: User, patient_id: int, clearance_id: int, now: datetime
) -> None:
    """Withdraw a clearance: if the latest assessment rests on it, the answers are assessed
    again without it, and the program is held back again on every surface."""
    _own(db, clinician, patient_id)
    with db.session() as s, s.begin():
        row = s.get(MedicalClearanceRow, clearance_id)
        if row is None or row.patient_id != patient_id:
            raise NotFound("clearance")
        if row.withdrawn_at is not None:
            raise AccountError("clearance: this clearance was already withdrawn")
        row.withdrawn_at = now
        row.withdrawn_by = clinician.id
        s.flush()
        latest = _latest(s, patient_id)
        if latest is not None and latest.result.clearance is not None:
            _save(
                s,
                patient_id=patient_id,
                latest=latest,
                clearance=_active(s, patient_id, latest.intake, pain_risen(latest)),
                reason=WITHDRAWN_REASON,
                now=now,
            )
        _audit(
            s,
            patient_id=patient_id,
            actor_id=clinician.id,
            action=f"withdrew the clearance by {row.cleared_by}",
            now=now,
        )


def _active(s: Session, patient_id: int, intake: Intake, risen: bool) -> MedicalClearance | None:
    """The newest clearance not withdrawn that carries over to these answers, if any."""
    for row in _rows(s, patient_id):
        if row.withdrawn_at is not None:
            continue
        cleared_for = s.get(AssessmentRow, row.assessment_id)
        if cleared_for is None:
            continue
        if carries_over(Intake.model_validate(cleared_for.intake), intake, pain_risen=risen):
            return _domain(row)
        return None  # only the newest clearance counts
    return None


def carried(
    db: Database, *, profile_name: str, intake: Intake, pain_risen: bool
) -> MedicalClearance | None:
    """The clearance a new assessment of this profile gets: the patient's newest clearance, not
    withdrawn, while the warning-sign answers are the ones the doctor saw and pain has not risen
    (:func:`psoas.domain.clearance.carries_over`); None otherwise: when in doubt, hold."""
    patient_id = _patient_id_of(profile_name)
    if patient_id is None:
        return None
    with db.session() as s:
        if s.scalar(select(ProfileRow.id).where(ProfileRow.name == profile_name)) is None:
            return None
        return _active(s, patient_id, intake, pain_risen)


def newest_codes(db: Database, *, profile_name: str) -> frozenset[str]:
    """The warning signs the patient's newest clearance (not withdrawn) covers; empty without
    one. The questionnaire does not stop early at an emergency a doctor has cleared: the full
    answers then decide (:func:`carried`)."""
    patient_id = _patient_id_of(profile_name)
    if patient_id is None:
        return frozenset()
    with db.session() as s:
        rows = _rows(s, patient_id)
    newest = next((r for r in rows if r.withdrawn_at is None), None)
    return frozenset(newest.codes) if newest is not None else frozenset()


__all__ = [
    "ClearanceRecord",
    "Panel",
    "Sign",
    "carried",
    "panel",
    "record",
    "records",
    "withdraw",
]
