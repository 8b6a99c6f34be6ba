"""The clinician's side: the patient list with its flags, notes, and
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

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, false, or_, select
from sqlalchemy.orm import Session

from psoas.domain.catalog import Catalog
from psoas.domain.errors import Refused
from psoas.domain.intake import Intake
from psoas.domain.patient_list import PatientRow, ordered, patient_row
from psoas.domain.program_edit import ProgramEdit, edited_program
from psoas.domain.results import (
    Assessment,
)
from psoas.domain.tracking import ProgramVersion, StoredAssessment
from psoas.services import programs
from psoas.services.accounts import (
    NotFound,
    User,
    audit,
    get_user,
    in_care_team,
    profile_name_for,
)
from psoas.storage import clinic_list, repo
from psoas.storage.db import Database
from psoas.storage.tables import (
    ClinicMemberRow,
    ClinicNoteRow,
    UserRow,
)

_DAY = timedelta(days=1)
_EPS = 1e-9


# --- access -------------------------------------------------------------------------------------


def own_patient(db: Database, *, clinician: User, patient_id: int) -> User:
    """The patient if this clinician is in their care team (accepted), else NotFound. Not
    audited: callers audit what they did (reads go through
    :func:`psoas.services.accounts.patient_for`)."""
    patient = get_user(db, user_id=patient_id)
    if (
        patient is None
        or patient.role != "patient"
        or not in_care_team(db, clinician=clinician, patient_id=patient.id)
    ):
        raise NotFound("patient")
    return patient


def _check(db: Database, clinician: User, patient: User) -> None:
    if not in_care_team(db, clinician=clinician, patient_id=patient.id):
        raise NotFound("patient")


# --- the patient list ---------------------------------------------------------------------------


def patient_rows(
    db: Database, clinician: User, now: datetime, *, patient_id: int | None = None
) -> list[PatientRow]:
    """This clinician's patients (or one of them), flagged patients first, then by name."""
    if clinician.role != "clinician":
        return []
    facts = clinic_list.patient_facts(db, clinician_id=clinician.id, now=now, patient_id=patient_id)
    return ordered([patient_row(f, now) for f in facts])


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
    _check(db, clinician, patient)
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
    _check(db, clinician, patient)
    with db.session() as s:
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        if profile is None or profile.id is None:
            return []
        return repo.assessments(s, profile_id=profile.id)


def program_versions(db: Database, *, clinician: User, patient: User) -> list[ProgramVersion]:
    _check(db, clinician, patient)
    with db.session() as s:
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        if profile is None or profile.id is None:
            return []
        return repo.program_versions(s, profile_id=profile.id)


# --- notes ---------------------------------------------------------------------------------------
# A follow-up is an appointment (psoas.services.appointments): migration 0016 turned the
# telehealth follow-ups once kept as notes into appointments.

NoteKind = Literal["note"]
SUMMARY_MAX = 4000


class Note(BaseModel):
    """A clinician's note about a patient."""

    model_config = ConfigDict(frozen=True)

    id: int
    kind: NoteKind = "note"
    created_at: datetime
    clinician: str
    summary: str
    #: shared with the patient on purpose (they see it); other notes stay in the clinic
    shared: bool = False


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NoteKind = Field(
        default="note", description="always a note: book a follow-up as an appointment"
    )
    summary: str = Field(description=f"1 to {SUMMARY_MAX} characters")
    shared: bool = Field(
        default=False,
        description="show this note to the patient; otherwise only the clinic's clinicians read it",
    )


def add_note(db: Database, *, clinician: User, patient: User, note: NoteIn, now: datetime) -> Note:
    """Keep a note; notes are never rewritten."""
    _check(db, clinician, patient)
    summary = note.summary.strip()
    if not summary:
        raise Refused(["summary: write what the note is about"])
    if len(summary) > SUMMARY_MAX:
        raise Refused([f"summary: must be at most {SUMMARY_MAX} characters"])
    with db.session() as s, s.begin():
        clinic_id = s.scalar(
            select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
        )
        row = ClinicNoteRow(
            patient_id=patient.id,
            clinician_id=clinician.id,
            clinic_id=clinic_id,
            shared=note.shared,
            created_at=now,
            kind="note",
            summary=summary,
        )
        s.add(row)
        s.flush()
        saved = Note(
            id=row.id,
            created_at=now,
            clinician=clinician.display_name,
            summary=summary,
            shared=note.shared,
        )
    action = "added a note" + (" shared with the patient" if note.shared else "")
    audit(db, patient=patient, actor=clinician, action=action, now=now)
    return saved


def _notes(patient: User, db: Database, *extra: ColumnElement[bool]) -> list[Note]:
    with db.session() as s:
        rows = s.execute(
            select(ClinicNoteRow, UserRow.display_name)
            .join(UserRow, UserRow.id == ClinicNoteRow.clinician_id)
            .where(
                ClinicNoteRow.patient_id == patient.id,
                ClinicNoteRow.kind == "note",
                *extra,
            )
            .order_by(ClinicNoteRow.created_at.desc(), ClinicNoteRow.id.desc())
        ).all()
        return [
            Note(
                id=row.id,
                created_at=row.created_at,
                clinician=name,
                summary=row.summary,
                shared=row.shared,
            )
            for row, name in rows
        ]


def notes(db: Database, *, clinician: User, patient: User) -> list[Note]:
    """Every note about this patient written in this clinician's clinic, and
    those shared with the patient by any clinic, newest first. A clinic's private notes never
    reach another clinic the patient joins later."""
    _check(db, clinician, patient)
    with db.session() as s:
        clinic_id = s.scalar(
            select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
        )
    ours = ClinicNoteRow.clinic_id == clinic_id if clinic_id is not None else false()
    return _notes(patient, db, or_(ours, ClinicNoteRow.shared.is_(True)))


def shared_notes_for_patient(db: Database, *, patient: User) -> list[Note]:
    """The notes a clinician shared with the patient on purpose, newest first."""
    return _notes(patient, db, ClinicNoteRow.shared.is_(True))


# --- program edits ------------------------------------------------------------------------------


def clinic_catalog(db: Database, clinician: User, patient: User) -> Catalog:
    """psoas's exercises, the clinic's own, and any clinic exercise the patient's program
    holds already (archived, or another clinic's)."""
    from psoas.services import clinics, custom_exercises

    held = clinics.membership(db, user=clinician)
    version = current_program(db, clinician=clinician, patient=patient).version
    return custom_exercises.catalog_for_clinic(
        db,
        held.clinic.id if held else None,
        holding=custom_exercises.program_ids(version.program if version else None),
    )


NO_PROGRAM_TO_EDIT = "program: this patient has no program yet; an assessment makes one"


@contextmanager
def program_change(
    db: Database, *, patient: User, missing: str
) -> Iterator[tuple[Session, int, StoredAssessment, ProgramVersion | None]]:
    """One transaction under the patient's profile lock, with their latest assessment and
    current program version as they are now, for a clinician's change: an assessment or
    another change saved a moment ago is included, the change is checked against the latest
    intake, and it gets the next version number, so nothing saved at once is lost. Refused
    with ``missing`` when the patient has no assessment, and with the hold's wording when a
    warning sign holds the program back."""
    with db.session() as s, s.begin():
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        if profile is None or profile.id is None:
            raise Refused([missing])
        repo.lock_profile(s, profile_id=profile.id)
        state = programs.state_in(s, profile_id=profile.id)
        if state.held_back:
            raise Refused([f"program: {state.message(audience='clinician')}"])
        if state.assessment is None:
            raise Refused([missing])
        yield s, profile.id, state.assessment, state.version


def edit_program(
    db: Database, *, clinician: User, patient: User, edit: ProgramEdit, now: datetime
) -> ProgramVersion:
    """Save the edited program (:func:`psoas.domain.program_edit.edited_program`) as a new
    version, or raise :class:`~psoas.domain.errors.Refused` naming every problem; a red flag
    in the latest assessment refuses any edit."""
    _check(db, clinician, patient)
    reason = " ".join(edit.reason.split())
    catalog = clinic_catalog(db, clinician, patient)  # psoas's and the clinic's own
    with program_change(db, patient=patient, missing=NO_PROGRAM_TO_EDIT) as (
        s,
        profile_id,
        latest,
        version,
    ):
        if version is None:
            raise Refused([NO_PROGRAM_TO_EDIT])
        new_program = edited_program(
            version.program,
            edit,
            intake=latest.intake,
            result=latest.result,
            catalog=catalog,
            clinician=clinician.display_name,
            reason=reason,
        )
        saved = repo.add_program_version(
            s,
            profile_id=profile_id,
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
