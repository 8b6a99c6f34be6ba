"""A clinic's program templates on the web (``/clinic/templates``: the list, rename, delete; and
from a patient's program page, save it as one or start again from one) and the program editor's
JSON API: the same templates, and the catalog searched and filtered with each exercise's answer
for one patient.

A patient who is not in the clinician's care team, and a template of another clinic, answer 404.
The forms answer 303 with a plain message (``flash``) on the page they came from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import FormData

from psoas.domain.catalog import Catalog
from psoas.domain.errors import Refused
from psoas.domain.program_edit import TemplateItem
from psoas.domain.results import Excluded
from psoas.reports import pictures
from psoas.services import accounts, clinic, program_editor
from psoas.services.custom_exercises import catalog_for_clinic
from psoas.web.deps import DB, Clinician, Form, Now
from psoas.web.pages import render

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


# --- pages ---------------------------------------------------------------------------------------

TEMPLATES_PAGE = "/clinic/templates"
FLASH_MAX = 400  # what the pages show of a message
HABITS = ("posture", "movement")


@dataclass(frozen=True)
class ShownItem:
    """A template's item as the list shows it: its name at its level, its picture, its dose in
    plain words (empty for a habit) and the clinician's note."""

    id: str
    name: str
    figure: str
    dose: str
    note: str | None
    gone: bool = False  # no longer in the catalog: left out whenever the template is used


def _shown(catalog: Catalog, item: TemplateItem) -> ShownItem:
    try:
        done = catalog.exercise_at(item.id, item.level)
        figure = catalog.figure_at(item.id, item.level)
    except KeyError:
        return ShownItem(item.id, item.id, "main", "", item.note, gone=True)
    dose = "" if done.category in HABITS else item.dose.describe()
    return ShownItem(item.id, done.name, figure, dose, item.note)


def _back(url: str, message: str, *, refused: bool = False) -> Response:
    """303 to ``url`` with ``message`` to show there (``refused``: shown as a problem)."""
    if len(message) > FLASH_MAX:
        message = message[: FLASH_MAX - 1].rstrip() + "…"
    problem = "&refused=1" if refused else ""
    return RedirectResponse(
        f"{url}?flash={quote(message, safe='')}{problem}", status_code=status.HTTP_303_SEE_OTHER
    )


def _text(form: FormData, key: str) -> str:
    value = form.get(key)
    return value if isinstance(value, str) else ""


def _plain(line: str) -> str:
    """A refusal's line without its field's name, as a sentence."""
    words = re.sub(r"^[a-z_]+: ", "", line).strip().rstrip(".")
    return words[:1].upper() + words[1:] + "."


def _first_sentence(text: str) -> str:
    return re.split(r"(?<=[.!?])\s", text.strip(), maxsplit=1)[0]


def _names(names: list[str]) -> str:
    """“A”, “B” and “C” (a name may hold a comma)."""
    quoted = [f"“{n}”" for n in names]
    return quoted[0] if len(quoted) == 1 else ", ".join(quoted[:-1]) + " and " + quoted[-1]


def _left_out(
    catalog: Catalog, chosen: program_editor.TemplateOut, left_out: list[Excluded]
) -> str:
    """The items left out, named as the template has them (at their level), those left out
    for the same reason together, each reason's first sentence: “Dead bug” and “Glute bridge”,
    because it is done lying flat on your back."""
    names = program_editor.item_names(catalog, left_out)
    names.update({t.id: _shown(catalog, t).name for t in chosen.content.items})
    by_reason: dict[str, list[str]] = {}
    for e in left_out:
        by_reason.setdefault(_first_sentence(e.message), []).append(names[e.id])
    said = []
    for why, items in by_reason.items():
        because = why.removeprefix("Left out because ")
        said.append(
            f"{_names(items)}, because {because}" if because != why else f"{_names(items)}: {why}"
        )
    return " ".join(said)


def _template_of(db: DB, user: accounts.User, template_id: int) -> program_editor.TemplateOut:
    try:
        return program_editor.template(db, clinician=user, template_id=template_id)
    except accounts.NotFound as exc:
        raise _no_template() from exc


@router.get(TEMPLATES_PAGE, include_in_schema=False)
def templates_page(
    request: Request, db: DB, user: Clinician, flash: str = "", refused: bool = False
) -> Response:
    """The clinic's templates by name: each one's items in order, and rename and delete."""
    found = program_editor.templates(db, clinician=user)
    catalog = catalog_for_clinic(
        db,
        program_editor.clinic_id_of(db, user),
        holding={i.id for t in found for i in t.content.items},
    )
    return render(
        request,
        "clinician/templates.html",
        title="Your clinic's templates",
        templates=found,
        items={t.id: [_shown(catalog, i) for i in t.content.items] for t in found},
        name_max=program_editor.NAME_MAX,
        flash=flash[:FLASH_MAX],
        flash_refused=refused,
    )


@router.post(TEMPLATES_PAGE + "/{template_id}/rename", include_in_schema=False)
def rename_template(
    db: DB, now: Now, user: Clinician, template_id: TemplateId, form: Form
) -> Response:
    before = _template_of(db, user, template_id)
    try:
        after = program_editor.rename_template(
            db, clinician=user, template_id=template_id, name=_text(form, "name"), now=now
        )
    except accounts.NotFound as exc:  # deleted a moment ago
        raise _no_template() from exc
    except Refused as exc:
        return _back(
            TEMPLATES_PAGE, f"“{before.name}” keeps its name. {_plain(exc.lines[0])}", refused=True
        )
    if after.name == before.name:
        return _back(TEMPLATES_PAGE, f"“{before.name}” already has that name.", refused=True)
    return _back(TEMPLATES_PAGE, f"“{before.name}” is now called “{after.name}”.")


@router.post(TEMPLATES_PAGE + "/{template_id}/delete", include_in_schema=False)
def delete_template(db: DB, now: Now, user: Clinician, template_id: TemplateId) -> Response:
    _template_of(db, user, template_id)
    try:
        name = program_editor.delete_template(db, clinician=user, template_id=template_id, now=now)
    except accounts.NotFound as exc:
        raise _no_template() from exc
    return _back(TEMPLATES_PAGE, f"Deleted “{name}”. Patients started from it keep their programs.")


@router.post("/clinic/patients/{patient_id}/templates", include_in_schema=False)
def save_template(db: DB, now: Now, user: Clinician, patient_id: PatientId, form: Form) -> Response:
    """The patient's current program saved as a template of the clinic."""
    patient = _patient(db, user, patient_id)
    program = f"/clinic/patients/{patient.id}/program"
    try:
        saved = program_editor.save_template(
            db, clinician=user, patient=patient, name=_text(form, "name"), now=now
        )
    except Refused as exc:
        return _back(program, f"Not saved as a template. {_plain(exc.lines[0])}", refused=True)
    return _back(
        program,
        f"Saved as the clinic's template “{saved.name}”. Nothing changed for "
        f"{patient.display_name}. Every template is under Your clinic's templates.",
    )


@router.post("/clinic/patients/{patient_id}/from-template", include_in_schema=False)
def from_template(db: DB, now: Now, user: Clinician, patient_id: PatientId, form: Form) -> Response:
    """The patient's program started again from a template of the clinic, as a new version:
    the message says what was left out for this patient and why."""
    patient = _patient(db, user, patient_id)
    program = f"/clinic/patients/{patient.id}/program"
    raw = _text(form, "template_id").strip()
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        raise _no_template()
    chosen = _template_of(db, user, int(raw))
    catalog = program_editor.catalog_for(db, user)
    try:
        applied = program_editor.apply_template(
            db, clinician=user, patient=patient, template_id=chosen.id, now=now
        )
    except accounts.NotFound as exc:
        raise _no_template() from exc
    except Refused as exc:
        why = _plain(exc.lines[0])
        rest = [Excluded(id=i, code="", message=m) for i, m in _id_lines(exc.lines[1:])]
        more = f" {_left_out(catalog, chosen, rest)}" if rest else ""
        return _back(program, f"Not started from “{chosen.name}”. {why}{more}", refused=True)
    told = [f"Version {applied.version.version} is from the template “{chosen.name}”."]
    if applied.left_out:
        told.append(
            f"Left out for {patient.display_name}: {_left_out(catalog, chosen, applied.left_out)}"
        )
    else:
        told.append(f"Every item of it is safe for {patient.display_name}.")
    if applied.adjusted:
        told.append(
            "A saved dose did not fit, so the usual dose is used: "
            + "; ".join(a.rstrip(".") for a in applied.adjusted)
            + "."
        )
    return _back(program, " ".join(told))


def _id_lines(lines: list[str]) -> list[tuple[str, str]]:
    """``"item-id: why"`` lines as (id, why)."""
    return [(i, why) for i, _, why in (line.partition(": ") for line in lines) if why]


# --- API ----------------------------------------------------------------------------------------


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
def api_delete_template(db: DB, now: Now, user: Clinician, template_id: TemplateId) -> Response:
    """Delete one of your clinic's templates; programs started from it stay as they are."""
    try:
        program_editor.delete_template(db, clinician=user, template_id=template_id, now=now)
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
