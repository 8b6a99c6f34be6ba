"""The program editor's JSON API: a clinic's program templates (list, read, rename, delete,
save a patient's program as one, start a patient's program from one) and the catalog searched
and filtered with each exercise's answer for one patient.

A patient who is not in the clinician's care team, and a template of another clinic, answer 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Query, status
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from psoas.reports import pictures
from psoas.services import accounts, clinic, program_editor
from psoas.web.deps import DB, Clinician, Now

router = APIRouter()
api = APIRouter(prefix="/api/v1", tags=["program editor"])

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TemplateId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _patient(db: DB, user: accounts.User, patient_id: int) -> accounts.User:
    try:
        return clinic.own_patient(db, clinician=user, patient_id=patient_id)
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such patient among yours.") from exc


def _no_template() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such template in your clinic.")


class TemplateName(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: str = Field(description=f"1 to {program_editor.NAME_MAX} characters")


class FromTemplate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    template_id: int = Field(ge=1, le=2**31 - 1)


class CatalogEntryOut(BaseModel):
    id: str
    name: str
    category: str
    position: str
    equipment: list[str]
    targets: list[str]
    in_program: bool
    allowed: bool
    why_not: str | None = Field(description="why it is not offered to this patient")
    figure_url: str | None = Field(description="the exercise's figure, if it has one")


@api.get("/templates", response_model=list[program_editor.TemplateOut])
def api_templates(db: DB, user: Clinician) -> list[program_editor.TemplateOut]:
    """Your clinic's program templates, by name."""
    return program_editor.templates(db, clinician=user)


@api.get("/templates/{template_id}", response_model=program_editor.TemplateOut)
def api_template(db: DB, user: Clinician, template_id: TemplateId) -> program_editor.TemplateOut:
    """One of your clinic's templates."""
    try:
        return program_editor.template(db, clinician=user, template_id=template_id)
    except accounts.NotFound as exc:
        raise _no_template() from exc


@api.patch("/templates/{template_id}", response_model=program_editor.TemplateOut)
def api_rename_template(
    db: DB, now: Now, user: Clinician, template_id: TemplateId, body: TemplateName
) -> program_editor.TemplateOut:
    """Rename one of your clinic's templates (any clinician of the clinic may)."""
    try:
        return program_editor.rename_template(
            db, clinician=user, template_id=template_id, name=body.name, now=now
        )
    except accounts.NotFound as exc:
        raise _no_template() from exc


@api.delete("/templates/{template_id}", status_code=204)
def api_delete_template(db: DB, user: Clinician, template_id: TemplateId) -> Response:
    """Delete one of your clinic's templates; programs started from it stay as they are."""
    try:
        program_editor.delete_template(db, clinician=user, template_id=template_id)
    except accounts.NotFound as exc:
        raise _no_template() from exc
    return Response(status_code=204)


@api.post(
    "/patients/{patient_id}/templates",
    response_model=program_editor.TemplateOut,
    status_code=201,
)
def api_save_template(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, body: TemplateName
) -> program_editor.TemplateOut:
    """Save the patient's current program (items in order, levels, doses, notes, sessions a
    day) as a template of your clinic. Audited."""
    patient = _patient(db, user, patient_id)
    return program_editor.save_template(
        db, clinician=user, patient=patient, name=body.name, now=now
    )


@api.post(
    "/patients/{patient_id}/program/from-template",
    response_model=program_editor.Applied,
    status_code=201,
)
def api_from_template(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, body: FromTemplate
) -> program_editor.Applied:
    """Start or replace the patient's program from a template of your clinic, as a new
    version. Each item passes the safety rules for the patient's latest intake; those that do
    not are left out and listed with why. A warning sign refuses it (422). Audited."""
    patient = _patient(db, user, patient_id)
    try:
        return program_editor.apply_template(
            db, clinician=user, patient=patient, template_id=body.template_id, now=now
        )
    except accounts.NotFound as exc:
        raise _no_template() from exc


@api.get("/patients/{patient_id}/catalog", response_model=list[CatalogEntryOut])
def api_catalog(
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    q: Annotated[str, Query(max_length=100)] = "",
    category: Annotated[str, Query(max_length=40)] = "",
    position: Annotated[str, Query(max_length=40)] = "",
    equipment: Annotated[str, Query(max_length=40)] = "",
    target: Annotated[str, Query(max_length=60)] = "",
    allowed_only: bool = False,
) -> list[CatalogEntryOut]:
    """The catalog (and your clinic's own exercises) searched and filtered, each with whether
    it may be offered to this patient and, if not, why. Audited as a view of the record."""
    patient = _patient(db, user, patient_id)
    accounts.audit(db, patient=patient, actor=user, action="viewed record", now=now)
    ed = program_editor.editor(db, clinician=user, patient=patient)
    keep = program_editor.Filters(q, category, position, equipment, target, allowed_only).keep
    return [
        CatalogEntryOut(
            id=e.exercise.id,
            name=e.exercise.name,
            category=e.exercise.category,
            position=e.exercise.position,
            equipment=list(e.exercise.equipment),
            targets=list(e.exercise.targets),
            in_program=e.in_program,
            allowed=e.refused is None,
            why_not=e.refused,
            figure_url=_figure(e.exercise.id),
        )
        for e in ed.entries
        if keep(e)
    ]


def _figure(exercise_id: str) -> str | None:
    found = pictures.find(exercise_id)
    return found.url() if found is not None else None


router.include_router(api)
