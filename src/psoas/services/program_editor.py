"""The clinician's program editor: edits that pass the safety rules, the catalog to pick from
(searched and filtered, each exercise with this patient's answer), the levels an item may take,
and the clinic's program templates (save, list, rename, delete, start a patient from one).

Edits are saved by :func:`psoas.services.clinic.edit_program` (the page, the API). The exercises
come only from :func:`psoas.services.custom_exercises.catalog_for_clinic`, so a clinic's own
exercises are picked, checked and saved the same way as psoas's. Access: a patient
only through the care team (:func:`psoas.services.clinic.own_patient`), a template only within
its clinic; anything else is :class:`~psoas.services.accounts.NotFound`. Every change to a
patient's program is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from psoas.domain.catalog import Catalog, Exercise
from psoas.domain.errors import Refused
from psoas.domain.program import exclusion
from psoas.domain.program_edit import (
    TemplateContent,
    level_choices,
    program_from_template,
    template_of,
)
from psoas.domain.results import Excluded, ProgramItem
from psoas.domain.tracking import ProgramVersion
from psoas.services import clinic, clinics, programs
from psoas.services.accounts import NotFound, User, audit, in_care_team, profile_name_for
from psoas.services.custom_exercises import catalog_for_clinic
from psoas.storage import repo
from psoas.storage.db import Database
from psoas.storage.tables import ClinicEventRow, ProgramTemplateRow, UserRow

NAME_MAX = 80


def clinic_id_of(db: Database, clinician: User) -> int | None:
    found = clinics.membership(db, user=clinician)
    return found.clinic.id if found else None


def catalog_for(db: Database, clinician: User) -> Catalog:
    """The exercises this clinician picks from: psoas's, and their clinic's own."""
    return catalog_for_clinic(db, clinic_id_of(db, clinician))


def _check(db: Database, clinician: User, patient: User) -> None:
    if not in_care_team(db, clinician=clinician, patient_id=patient.id):
        raise NotFound("patient")


# --- what the editor shows ----------------------------------------------------------------------


@dataclass(frozen=True)
class CatalogEntry:
    """One exercise of the catalog in the editor: what it is, and this patient's answer."""

    exercise: Exercise
    in_program: bool
    refused: str | None  # why it is not offered to this patient, in plain words

    @property
    def words(self) -> str:
        """Everything the search box looks in, lower case."""
        ex = self.exercise
        return " ".join(
            (ex.id, ex.name, ex.summary, ex.category, ex.position, *ex.targets, *ex.equipment)
        ).lower()


@dataclass(frozen=True)
class Filters:
    q: str = ""
    category: str = ""
    position: str = ""
    equipment: str = ""
    target: str = ""
    allowed_only: bool = False

    def keep(self, entry: CatalogEntry) -> bool:
        ex = entry.exercise
        words = self.q.lower().split()
        return (
            all(w in entry.words for w in words)
            and (not self.category or ex.category == self.category)
            and (not self.position or ex.position == self.position)
            and (not self.equipment or self.equipment in ex.equipment)
            and (not self.target or self.target in ex.targets)
            and (not self.allowed_only or entry.refused is None)
        )


@dataclass(frozen=True)
class FilterChoices:
    categories: tuple[str, ...]
    positions: tuple[str, ...]
    equipment: tuple[str, ...]
    targets: tuple[str, ...]


def filter_choices(catalog: Catalog) -> FilterChoices:
    exercises = catalog.exercises
    return FilterChoices(
        categories=tuple(dict.fromkeys(e.category for e in exercises)),
        positions=tuple(sorted({e.position for e in exercises})),
        equipment=tuple(sorted({k for e in exercises for k in e.equipment})),
        targets=tuple(sorted({t for e in exercises for t in e.targets})),
    )


@dataclass(frozen=True)
class ItemLevels:
    """The levels an item may take: (level id or "" for the exercise itself, name, why not)."""

    choices: tuple[tuple[str, str, str | None], ...]


@dataclass(frozen=True)
class Editor:
    """Everything the editor page needs, read once."""

    state: programs.ProgramState
    held_back: str | None
    catalog: Catalog
    entries: tuple[CatalogEntry, ...]
    levels: dict[str, ItemLevels]
    choices: FilterChoices


def editor(db: Database, *, clinician: User, patient: User) -> Editor:
    """The patient's program as it is now, the catalog with this patient's answer for each
    exercise, and the levels each item may take."""
    _check(db, clinician, patient)
    # psoas's, the clinic's, and any clinic exercise the program holds (archived, another's)
    catalog = clinic.clinic_catalog(db, clinician, patient)
    with db.session() as s:
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        state = (
            programs.state_in(s, profile_id=profile.id)
            if profile is not None and profile.id is not None
            else programs.ProgramState(assessment=None, version=None)
        )
    held = state.message(audience="clinician") if state.held_back else None
    entries: list[CatalogEntry] = []
    levels: dict[str, ItemLevels] = {}
    latest = state.assessment
    if state.version is not None and latest is not None and not state.held_back:
        have = {i.id for i in state.version.program.items}
        for ex in catalog.exercises:
            why_not = exclusion(latest.intake, latest.result.triage, ex)
            entries.append(CatalogEntry(ex, ex.id in have, why_not.message if why_not else None))
        for item in state.version.program.items:
            found = level_choices(item, catalog, latest.intake, latest.result)
            if len(found) > 1:
                levels[item.id] = ItemLevels(
                    tuple((lv or "", name, why) for lv, name, why in found)
                )
    return Editor(state, held, catalog, tuple(entries), levels, filter_choices(catalog))


# --- templates ----------------------------------------------------------------------------------


class TemplateOut(BaseModel):
    """A program template of the clinic."""

    model_config = ConfigDict(frozen=True)

    id: int
    name: str
    created_at: datetime
    updated_at: datetime
    created_by: str | None = Field(description="the clinician who saved it, if still here")
    content: TemplateContent


class Applied(BaseModel):
    """A program started from a template: the new version, the template's items left out for
    this patient and why, and doses that could not be kept (the catalog's dose instead)."""

    version: ProgramVersion
    left_out: list[Excluded]
    adjusted: list[str]


def _clinic(db: Database, clinician: User) -> int:
    clinic_id = clinic_id_of(db, clinician)
    if clinic_id is None:
        raise Refused(["template: templates belong to a clinic, and you are in none"])
    return clinic_id


def _name(name: str) -> str:
    clean = " ".join(name.split())
    if not 1 <= len(clean) <= NAME_MAX:
        raise Refused([f"name: give the template a name of 1 to {NAME_MAX} characters"])
    return clean


def _taken(s: Session, clinic_id: int, name: str, but: int | None = None) -> bool:
    query = select(ProgramTemplateRow.id).where(
        ProgramTemplateRow.clinic_id == clinic_id,
        func.lower(ProgramTemplateRow.name) == name.lower(),
    )
    if but is not None:
        query = query.where(ProgramTemplateRow.id != but)
    return s.scalar(query) is not None


def _out(row: ProgramTemplateRow, by: str | None) -> TemplateOut:
    return TemplateOut(
        id=row.id,
        name=row.name,
        created_at=row.created_at,
        updated_at=row.updated_at,
        created_by=by,
        content=TemplateContent.model_validate(row.content),
    )


def templates(db: Database, *, clinician: User) -> list[TemplateOut]:
    """The clinic's templates, by name (none for a clinician in no clinic)."""
    clinic_id = clinic_id_of(db, clinician)
    if clinic_id is None:
        return []
    with db.session() as s:
        rows = s.execute(
            select(ProgramTemplateRow, UserRow.display_name)
            .outerjoin(UserRow, UserRow.id == ProgramTemplateRow.created_by)
            .where(ProgramTemplateRow.clinic_id == clinic_id)
            .order_by(func.lower(ProgramTemplateRow.name), ProgramTemplateRow.id)
        ).all()
        return [_out(row, by) for row, by in rows]


def template(db: Database, *, clinician: User, template_id: int) -> TemplateOut:
    """One of the clinic's templates; NotFound for any other."""
    found = next((t for t in templates(db, clinician=clinician) if t.id == template_id), None)
    if found is None:
        raise NotFound("template")
    return found


def save_template(
    db: Database, *, clinician: User, patient: User, name: str, now: datetime
) -> TemplateOut:
    """Save the patient's current program as a template of the clinician's clinic: its items
    in order, with their levels, doses and notes, and sessions a day. Audited."""
    _check(db, clinician, patient)
    clinic_id = _clinic(db, clinician)
    clean = _name(name)
    with db.session() as s:
        profile = repo.find_profile(s, name=profile_name_for(patient.id))
        state = (
            programs.state_in(s, profile_id=profile.id)
            if profile is not None and profile.id is not None
            else None
        )
    if state is None or state.version is None:
        message = (state.message(audience="clinician") if state else None) or (
            programs.NO_PROGRAM_CLINICIAN
        )
        raise Refused([f"program: {message}"])
    content = template_of(state.version.program)
    try:
        with db.session() as s, s.begin():
            if _taken(s, clinic_id, clean):
                raise Refused([f"name: the clinic already has a template called {clean!r}"])
            row = ProgramTemplateRow(
                clinic_id=clinic_id,
                name=clean,
                content=content.model_dump(mode="json"),
                created_by=clinician.id,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            saved = _out(row, clinician.display_name)
    except IntegrityError as exc:  # saved under the same name a moment ago
        raise Refused([f"name: the clinic already has a template called {clean!r}"]) from exc
    audit(
        db,
        patient=patient,
        actor=clinician,
        action=f"saved the program as the clinic's template {clean!r}",
        now=now,
    )
    return saved


def rename_template(
    db: Database, *, clinician: User, template_id: int, name: str, now: datetime
) -> TemplateOut:
    """Rename one of the clinic's templates (any clinician of the clinic may); recorded in
    the clinic's log when the name changes."""
    clinic_id = _clinic(db, clinician)
    clean = _name(name)
    try:
        with db.session() as s, s.begin():
            row = s.get(ProgramTemplateRow, template_id)
            if row is None or row.clinic_id != clinic_id:
                raise NotFound("template")
            if _taken(s, clinic_id, clean, but=row.id):
                raise Refused([f"name: the clinic already has a template called {clean!r}"])
            old = row.name
            if old != clean:
                row.name = clean
                row.updated_at = now
                what = f"Renamed the program template “{old}” to “{clean}”"
                _template_event(s, clinic_id, clinician, what, now)
    except IntegrityError as exc:
        raise Refused([f"name: the clinic already has a template called {clean!r}"]) from exc
    return template(db, clinician=clinician, template_id=template_id)


def delete_template(db: Database, *, clinician: User, template_id: int, now: datetime) -> str:
    """Delete one of the clinic's templates; its name. Programs started from it stay. Recorded
    in the clinic's log."""
    clinic_id = _clinic(db, clinician)
    with db.session() as s, s.begin():
        row = s.get(ProgramTemplateRow, template_id)
        if row is None or row.clinic_id != clinic_id:
            raise NotFound("template")
        name = row.name
        s.delete(row)
        _template_event(s, clinic_id, clinician, f"Deleted the program template “{name}”", now)
    return name


def _template_event(s: Session, clinic_id: int, clinician: User, what: str, now: datetime) -> None:
    """A line in the clinic's log (``clinic_events``), in the caller's transaction."""
    s.add(ClinicEventRow(clinic_id=clinic_id, actor_id=clinician.id, at=now, action=what[:200]))


def apply_template(
    db: Database, *, clinician: User, patient: User, template_id: int, now: datetime
) -> Applied:
    """Start (or replace) the patient's program from one of the clinic's templates, as a new
    version. Every item passes the safety rules for the patient's latest intake exactly as a
    generated program does; those that do not are left out and listed with why. A warning
    sign that holds the program back refuses it, as does a patient with no assessment."""
    _check(db, clinician, patient)
    chosen = template(db, clinician=clinician, template_id=template_id)
    catalog = catalog_for(db, clinician)
    missing = "program: this patient has no assessment yet; the safety rules need it"
    with clinic.program_change(db, patient=patient, missing=missing) as (
        s,
        profile_id,
        latest,
        current,
    ):
        previous = current.program if current is not None else None
        program, left_out, adjusted = program_from_template(
            chosen.content,
            name=chosen.name,
            intake=latest.intake,
            result=latest.result,
            catalog=catalog,
            clinician=clinician.display_name,
            previous=previous,
        )
        saved = repo.add_program_version(
            s,
            profile_id=profile_id,
            program=program,
            reason=f"from the clinic's template {chosen.name!r}, by {clinician.display_name}",
            catalog_version=catalog.version,
            assessment_id=latest.id,
            now=now,
        )
    audit(
        db,
        patient=patient,
        actor=clinician,
        action=f"started the program from template {chosen.name!r} (v{saved.version})",
        now=now,
    )
    return Applied(version=saved, left_out=left_out, adjusted=adjusted)


def item_names(catalog: Catalog, items: tuple[ProgramItem, ...] | list[Excluded]) -> dict[str, str]:
    """Names for ids, from the catalog (an id it no longer has names itself)."""
    names: dict[str, str] = {}
    for i in items:
        try:
            names[i.id] = catalog.exercise(i.id).name
        except KeyError:
            names[i.id] = i.id
    return names
