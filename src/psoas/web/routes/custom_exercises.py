"""A clinic's own exercises on the web: the list, a new one, editing, archiving and restoring
(``/clinic/exercises``), with the same API under ``/api/v1/clinic/exercises``.

Only the clinic's own clinicians see or change its exercises; anyone else gets 404. Patients
meet a clinic exercise only through their program (``psoas.services.custom_exercises``).
"""

from __future__ import annotations

from typing import Annotated, Any, get_args

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData

from psoas.catalog import load_catalog
from psoas.domain.catalog import Equipment, Exercise, Reference
from psoas.domain.errors import Refused
from psoas.services import custom_exercises as custom
from psoas.services.accounts import NotFound, User
from psoas.storage.db import Database
from psoas.web.deps import DB, Clinician, Form, Now
from psoas.web.pages import render

router = APIRouter()

ItemId = Annotated[str, Path(max_length=100)]

CATEGORY_WORDS = {
    "release": "Release",
    "stretch": "Stretch",
    "strengthen": "Strengthen",
    "posture": "Posture habit",
    "movement": "Movement break",
}
POSITION_WORDS = {
    "standing": "Standing",
    "seated": "Sitting",
    "kneeling": "Kneeling",
    "floor": "On the floor",
    "bed": "Lying on a bed or the floor",
    "table": "On a table or high bed",
    "any": "Any position",
}
DOSE_FIELDS = ("sets", "reps", "hold_seconds", "minutes", "rest_seconds", "times_per_day")


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "not found")


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def _choices() -> dict[str, Any]:
    catalog = load_catalog()
    return {
        "categories": CATEGORY_WORDS,
        "positions": POSITION_WORDS,
        "equipment": [(e, e.replace("_", " ")) for e in get_args(Equipment)],
        "conditions": custom.CONDITION_WORDS,
        "flags": custom.FLAG_WORDS,
        "bibliography": [
            r for r in catalog.references if r.kind in ("journal", "guideline", "book")
        ],
        "figures": custom.figure_choices(),
    }


def _number(form: FormData, name: str) -> str | None:
    value = form.get(f"dose_{name}")
    return value.strip() if isinstance(value, str) and value.strip() else None


def form_from(form: FormData) -> dict[str, Any]:
    """The posted form as the fields of :class:`custom.ExerciseForm`."""

    def text(name: str) -> str:
        value = form.get(name)
        return value if isinstance(value, str) else ""

    def many(name: str) -> list[str]:
        return [v for v in form.getlist(name) if isinstance(v, str)]

    dose: dict[str, Any] = {k: v for k in DOSE_FIELDS if (v := _number(form, k)) is not None}
    if text("dose_note").strip():
        dose["note"] = text("dose_note").strip()
    own = {k: text(f"own_{k}").strip() for k in ("title", "publisher", "year", "authors", "url")}
    data: dict[str, Any] = {
        "name": text("name"),
        "category": text("category"),
        "position": text("position"),
        "equipment": many("equipment"),
        "abdominal_pressure": text("abdominal_pressure") == "yes",
        "one_sided": bool(text("one_sided")),
        "targets": text("targets"),
        "summary": text("summary"),
        "why": text("why"),
        "dose": dose,
        "steps": text("steps"),
        "cues": text("cues"),
        "safety": text("safety"),
        "contraindications": many("contraindications"),
        "sources": many("sources"),
        "figure": text("figure"),
        **{flag: bool(text(flag)) for flag in custom.FLAG_WORDS},
    }
    if any(own.values()):
        data["own_reference"] = {k: v for k, v in own.items() if v}
    return data


def _validated(data: dict[str, Any]) -> custom.ExerciseForm:
    return custom.parse_form(data)


# --- pages --------------------------------------------------------------------------------------


@router.get("/clinic/exercises", include_in_schema=False)
def exercises_page(request: Request, db: DB, user: Clinician, flash: str = "") -> Response:
    """The clinic's own exercises, live and archived."""
    try:
        live = custom.exercises(db, clinician=user)
        archived = custom.exercises(db, clinician=user, archived=True)
    except NotFound as exc:
        raise _not_found() from exc
    return render(
        request,
        "clinician/exercises.html",
        title="Your clinic's exercises",
        live=live,
        archived=archived,
        positions=POSITION_WORDS,
        categories=CATEGORY_WORDS,
        flash=flash[:200],
    )


def _form_page(
    request: Request,
    *,
    values: dict[str, Any],
    item: custom.ClinicExercise | None = None,
    errors: list[str] | None = None,
    status_code: int = 200,
    flash: str = "",
) -> Response:
    return render(
        request,
        "clinician/exercises_form.html",
        status_code=status_code,
        title=f"Edit {item.name}" if item else "New exercise",
        cx=item,
        v=values,
        errors=errors or [],
        flash=flash,
        **_choices(),
    )


EMPTY: dict[str, Any] = {
    "category": "strengthen",
    "position": "seated",
    "abdominal_pressure": False,
    "dose": {"sets": 2, "reps": 10, "times_per_day": 1, "rest_seconds": 30},
    "targets": (),
    "why": (),
    "steps": (),
    "cues": (),
    "safety": (),
    "equipment": (),
    "contraindications": (),
    "sources": (),
    "figure": "seated-marching",
}


def _values(form: custom.ExerciseForm) -> dict[str, Any]:
    return form.model_dump()


@router.get("/clinic/exercises/new", include_in_schema=False)
def new_page(request: Request, db: DB, user: Clinician) -> Response:
    try:
        custom.exercises(db, clinician=user)  # a clinician without a clinic has none
    except NotFound as exc:
        raise _not_found() from exc
    return _form_page(request, values=dict(EMPTY))


def _refused(request: Request, data: dict[str, Any], exc: Refused, item: Any = None) -> Response:
    values = {**EMPTY, **{k: v for k, v in data.items() if v not in (None, "")}}
    for key in ("targets", "why", "steps", "cues", "safety"):
        if isinstance(values.get(key), str):
            values[key] = tuple(x for x in values[key].splitlines() if x.strip())
    return _form_page(request, values=values, item=item, errors=exc.lines, status_code=400)


@router.post("/clinic/exercises", include_in_schema=False)
def create_exercise(request: Request, db: DB, now: Now, user: Clinician, form: Form) -> Response:
    data = form_from(form)
    try:
        made = custom.create(db, clinician=user, form=_validated(data), now=now)
    except NotFound as exc:
        raise _not_found() from exc
    except Refused as exc:
        return _refused(request, data, exc)
    return _see_other(f"/clinic/exercises/{made.item_id}?flash=saved")


def _own(db: Database, user: User, item_id: str) -> custom.ClinicExercise:
    try:
        return custom.exercise(db, clinician=user, item_id=item_id)
    except NotFound as exc:
        raise _not_found() from exc


@router.get("/clinic/exercises/{item_id}", include_in_schema=False)
def edit_page(
    request: Request, db: DB, user: Clinician, item_id: ItemId, flash: str = ""
) -> Response:
    item = _own(db, user, item_id)
    saved = "Saved. Programs that hold it show it as it is now." if flash == "saved" else ""
    return _form_page(request, values=_values(item.form()), item=item, flash=saved)


@router.post("/clinic/exercises/{item_id}", include_in_schema=False)
def update_exercise(
    request: Request, db: DB, now: Now, user: Clinician, item_id: ItemId, form: Form
) -> Response:
    item = _own(db, user, item_id)
    data = form_from(form)
    try:
        custom.update(db, clinician=user, item_id=item_id, form=_validated(data), now=now)
    except Refused as exc:
        return _refused(request, data, exc, item)
    return _see_other("/clinic/exercises?flash=" + f"Saved {item.name}."[:150])


@router.post("/clinic/exercises/{item_id}/archive", include_in_schema=False)
def archive_exercise(db: DB, now: Now, user: Clinician, item_id: ItemId) -> Response:
    item = _own(db, user, item_id)
    done = custom.archive(db, clinician=user, item_id=item_id, now=now)
    words = "archived: programs that hold it keep it" if done == "archived" else "deleted"
    return _see_other(f"/clinic/exercises?flash={item.name} {words}."[:200])


@router.post("/clinic/exercises/{item_id}/restore", include_in_schema=False)
def restore_exercise(db: DB, now: Now, user: Clinician, item_id: ItemId) -> Response:
    item = _own(db, user, item_id)
    try:
        custom.restore(db, clinician=user, item_id=item_id, now=now)
    except Refused as exc:
        words = exc.lines[0].removeprefix("name: ")
        return _see_other(f"/clinic/exercises?flash=Not restored: {words}. Rename one first."[:200])
    return _see_other(f"/clinic/exercises?flash={item.name} is back in your list."[:200])


# --- API ----------------------------------------------------------------------------------------


class ClinicExerciseOut(BaseModel):
    """A clinic exercise: its id (usable in a program), the exercise in the catalog's own
    shape, the references the clinic entered, its picture and whether it is archived."""

    id: str
    exercise: Exercise
    references: list[Reference]
    figure: str
    picture_url: str | None
    archived: bool


def _out(item: custom.ClinicExercise) -> ClinicExerciseOut:
    from psoas.reports import pictures

    found = pictures.find(item.item_id)
    return ClinicExerciseOut(
        id=item.item_id,
        exercise=item.exercise,
        references=list(item.references),
        figure=item.figure,
        picture_url=found.url() if found else None,
        archived=item.archived_at is not None,
    )


def _api_refused(exc: Refused) -> HTTPException:
    return HTTPException(422, exc.lines)


TAGS: list[str | Any] = ["clinic exercises"]


@router.get("/api/v1/clinic/exercises", response_model=list[ClinicExerciseOut], tags=TAGS)
def api_list(db: DB, user: Clinician, archived: bool = False) -> list[ClinicExerciseOut]:
    """The clinic's own exercises (``archived=true``: the archived ones)."""
    try:
        return [_out(i) for i in custom.exercises(db, clinician=user, archived=archived)]
    except NotFound as exc:
        raise _not_found() from exc


@router.post(
    "/api/v1/clinic/exercises", response_model=ClinicExerciseOut, status_code=201, tags=TAGS
)
def api_create(db: DB, now: Now, user: Clinician, body: custom.ExerciseForm) -> ClinicExerciseOut:
    """A new exercise of the clinic, checked by the catalog's own exercise model."""
    try:
        return _out(custom.create(db, clinician=user, form=body, now=now))
    except NotFound as exc:
        raise _not_found() from exc
    except Refused as exc:
        raise _api_refused(exc) from exc


@router.get("/api/v1/clinic/exercises/{item_id}", response_model=ClinicExerciseOut, tags=TAGS)
def api_get(db: DB, user: Clinician, item_id: ItemId) -> ClinicExerciseOut:
    return _out(_own(db, user, item_id))


@router.put("/api/v1/clinic/exercises/{item_id}", response_model=ClinicExerciseOut, tags=TAGS)
def api_update(
    db: DB, now: Now, user: Clinician, item_id: ItemId, body: custom.ExerciseForm
) -> ClinicExerciseOut:
    """Rewrite the exercise; programs that hold it read the new version, and the safety rules
    judge it again for each patient."""
    _own(db, user, item_id)
    try:
        return _out(custom.update(db, clinician=user, item_id=item_id, form=body, now=now))
    except Refused as exc:
        raise _api_refused(exc) from exc


@router.delete("/api/v1/clinic/exercises/{item_id}", tags=TAGS)
def api_archive(db: DB, now: Now, user: Clinician, item_id: ItemId) -> dict[str, str]:
    """Archive the exercise when a program ever held it (those keep it), else delete it."""
    _own(db, user, item_id)
    return {"result": custom.archive(db, clinician=user, item_id=item_id, now=now)}
