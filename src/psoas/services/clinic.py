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

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import ColumnElement, false, or_, select

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
    #: shared with the patient on purpose (they see it); other notes stay in the clinic
    shared: bool = False


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    kind: NoteKind = "note"
    summary: str = Field(description=f"1 to {SUMMARY_MAX} characters")
    scheduled_for: datetime | None = Field(
        default=None, description="telehealth: when (with a time zone; UTC if none)"
    )
    link: str | None = Field(default=None, description="telehealth: the call's https link")
    shared: bool = Field(
        default=False,
        description="show this note to the patient; otherwise only the clinic's clinicians read it",
    )


def add_note(db: Database, *, clinician: User, patient: User, note: NoteIn, now: datetime) -> Note:
    """Keep a note or a telehealth follow-up; notes are never rewritten."""
    _check(db, clinician, patient)
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
        clinic_id = s.scalar(
            select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
        )
        row = ClinicNoteRow(
            patient_id=patient.id,
            clinician_id=clinician.id,
            clinic_id=clinic_id,
            shared=note.shared,
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
            shared=note.shared,
        )
    action = "added a note" if note.kind == "note" else "scheduled a telehealth follow-up"
    if note.shared:
        action += " shared with the patient"
    audit(db, patient=patient, actor=clinician, action=action, now=now)
    return saved


def _notes(
    patient: User, kinds: Iterable[str], db: Database, *extra: ColumnElement[bool]
) -> list[Note]:
    with db.session() as s:
        rows = s.execute(
            select(ClinicNoteRow, UserRow.display_name)
            .join(UserRow, UserRow.id == ClinicNoteRow.clinician_id)
            .where(
                ClinicNoteRow.patient_id == patient.id,
                ClinicNoteRow.kind.in_(list(kinds)),
                *extra,
            )
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
                shared=row.shared,
            )
            for row, name in rows
        ]


def notes(db: Database, *, clinician: User, patient: User) -> list[Note]:
    """Every note and follow-up about this patient written in this clinician's clinic, and
    those shared with the patient by any clinic, newest first. A clinic's private notes never
    reach another clinic the patient joins later."""
    _check(db, clinician, patient)
    with db.session() as s:
        clinic_id = s.scalar(
            select(ClinicMemberRow.clinic_id).where(ClinicMemberRow.user_id == clinician.id)
        )
    ours = ClinicNoteRow.clinic_id == clinic_id if clinic_id is not None else false()
    return _notes(patient, ("note", "telehealth"), db, or_(ours, ClinicNoteRow.shared.is_(True)))


def telehealth_for_patient(db: Database, *, patient: User) -> list[Note]:
    """The patient's own telehealth follow-ups (for the patient's pages); notes stay private."""
    return _notes(patient, ("telehealth",), db)


def shared_notes_for_patient(db: Database, *, patient: User) -> list[Note]:
    """The notes a clinician shared with the patient on purpose, newest first."""
    return _notes(patient, ("note",), db, ClinicNoteRow.shared.is_(True))


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


def edit_program(
    db: Database, *, clinician: User, patient: User, edit: ProgramEdit, now: datetime
) -> ProgramVersion:
    """Save the edited program (:func:`psoas.domain.program_edit.edited_program`) as a new
    version, or raise :class:`~psoas.domain.errors.Refused` naming every problem; a red flag
    in the latest assessment refuses any edit."""
    _check(db, clinician, patient)
    reason = " ".join(edit.reason.split())
    catalog = clinic_catalog(db, clinician, patient)  # psoas's and the clinic's own
    no_program = Refused(["program: this patient has no program yet; an assessment makes one"])
    # One transaction under the profile's lock: the edit applies to the program as it is now
    # (an assessment or another edit saved a moment ago included), is checked against the
    # latest intake, and gets the next version number; nothing saved at once is lost.
    with db.session() as s, s.begin():
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        if profile is None or profile.id is None:
            raise no_program
        repo.lock_profile(s, profile_id=profile.id)
        state = programs.state_in(s, profile_id=profile.id)
        if state.held_back:
            raise Refused([f"program: {state.message(audience='clinician')}"])
        if state.version is None or state.assessment is None:
            raise no_program
        version = state.version
        new_program = edited_program(
            version.program,
            edit,
            intake=state.assessment.intake,
            result=state.assessment.result,
            catalog=catalog,
            clinician=clinician.display_name,
            reason=reason,
        )
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
