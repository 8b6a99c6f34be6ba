"""The patient's JSON API (/api/v1/me/...): the pages' twins, calling the same functions in
:mod:`psoas.services.patient_web`. Refused input answers 422 naming each field (the app's
handlers), and health data only ever travels in bodies, never in a URL.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel

from psoas.domain.errors import load_document
from psoas.domain.progression import Decision, ProgressSummary
from psoas.domain.results import Assessment
from psoas.domain.tracking import PainRating, ProgramVersion, PsfsEntry, Retest
from psoas.services import exports, patient_web
from psoas.services.schemas import json_schema
from psoas.web.deps import DB, Now, Patient
from psoas.web.pages import attachment

router = APIRouter()

# --- the request body ----------------------------------------------------------------------------


async def json_body(request: Request) -> Any:
    """The JSON body, read here so that validation errors come back naming each field."""
    return load_document(await request.body())


Body = Annotated[Any, Depends(json_body)]


# --- the JSON API --------------------------------------------------------------------------------


class ProblemOut(BaseModel):
    field: str
    message: str


class ProblemsOut(BaseModel):
    detail: list[ProblemOut]


class MessageOut(BaseModel):
    detail: str


class ProgressOut(BaseModel):
    summary: ProgressSummary
    decision: Decision | None = None
    held_back: str | None = None


def _inline_refs(schema: dict[str, Any]) -> dict[str, Any]:
    """A JSON Schema with its ``$defs`` written in place, to sit inside an OpenAPI operation."""
    defs = schema.get("$defs", {})

    def walk(node: Any) -> Any:
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#/$defs/"):
                target = walk(copy.deepcopy(defs[ref.removeprefix("#/$defs/")]))
                return {**target, **{k: walk(v) for k, v in node.items() if k != "$ref"}}
            return {k: walk(v) for k, v in node.items() if k not in ("$defs", "$schema", "$id")}
        if isinstance(node, list):
            return [walk(v) for v in node]
        return node

    result: dict[str, Any] = walk(schema)
    return result


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": _inline_refs(schema)}},
        }
    }


INVALID: dict[int | str, dict[str, Any]] = {
    422: {"model": ProblemsOut, "description": "Invalid: every offending field named"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": MessageOut, "description": "None yet, or held back"}
}


@router.post(
    "/api/v1/me/assessment",
    response_model=Assessment,
    status_code=201,
    responses=INVALID,
    openapi_extra=_body(json_schema("intake")),
    tags=["patient"],
)
def api_assess(user: Patient, db: DB, now: Now, body: Body) -> Assessment:
    """Assess an intake-v2 (or v1) document and keep it; a program becomes the next version."""
    return patient_web.assess(db, profile_name=user.profile_name, document=body, now=now)


@router.get(
    "/api/v1/me/assessment", response_model=Assessment, responses=NOT_FOUND, tags=["patient"]
)
def api_latest_assessment(user: Patient, db: DB) -> Assessment:
    """The latest assessment."""
    latest = patient_web.latest_assessment(db, profile_name=user.profile_name)
    if latest is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No assessment yet.")
    return latest.result


@router.get(
    "/api/v1/me/program", response_model=ProgramVersion, responses=NOT_FOUND, tags=["patient"]
)
def api_program(user: Patient, db: DB) -> Response:
    """The current program version; 404 when there is none or a warning sign holds it back."""
    version = patient_web.require_program(db, profile_name=user.profile_name)
    # Already a validated ProgramVersion: written out directly, not checked again against the
    # response model (which still describes it in the OpenAPI document).
    return Response(version.model_dump_json(), media_type="application/json")


@router.post(
    "/api/v1/me/pain",
    response_model=PainRating,
    status_code=201,
    responses=INVALID,
    openapi_extra=_body(patient_web.PainIn.model_json_schema()),
    tags=["patient"],
)
def api_pain(user: Patient, db: DB, now: Now, body: Body) -> PainRating:
    """Today's pain, 0-10."""
    return patient_web.record_pain(db, profile_name=user.profile_name, data=body, now=now)


@router.post(
    "/api/v1/me/psfs",
    response_model=PsfsEntry,
    status_code=201,
    responses=INVALID,
    openapi_extra=_body(patient_web.PsfsIn.model_json_schema()),
    tags=["patient"],
)
def api_psfs(user: Patient, db: DB, now: Now, body: Body) -> PsfsEntry:
    """The patient-specific functional scale: 3-5 of your own activities, 0-10 each."""
    return patient_web.record_psfs(db, profile_name=user.profile_name, data=body, now=now)


@router.post(
    "/api/v1/me/retest",
    response_model=Retest,
    status_code=201,
    responses=INVALID,
    openapi_extra=_body(patient_web.RetestIn.model_json_schema()),
    tags=["patient"],
)
def api_retest(user: Patient, db: DB, now: Now, body: Body) -> Retest:
    """A re-test: Thomas test angles and resisted hip flexion (at least one)."""
    return patient_web.record_retest(db, profile_name=user.profile_name, data=body, now=now)


@router.get("/api/v1/me/progress", response_model=ProgressOut, tags=["patient"])
def api_progress(user: Patient, db: DB, now: Now) -> ProgressOut:
    """Adherence, pain, function and re-test against the minimal important change, and what
    the program should do next (no decision while a warning sign holds the program back)."""
    view = patient_web.progress_view(db, profile_name=user.profile_name, now=now, charts=False)
    return ProgressOut(summary=view.summary, decision=view.decision, held_back=view.held_back)


class StepAskedOut(BaseModel):
    """A step up sent to the patient's clinician, who approves or declines it."""

    status: Literal["pending"] = "pending"
    message: str
    asked_at: datetime
    changes: list[str]


@router.post(
    "/api/v1/me/progress/apply",
    response_model=ProgramVersion,
    status_code=201,
    responses={
        202: {"model": StepAskedOut, "description": "Sent to the clinician for approval"},
        409: {"model": MessageOut, "description": "Nothing to apply, or held back"},
    },
    tags=["patient"],
)
def api_progress_apply(user: Patient, db: DB, now: Now) -> Any:
    """Act on today's decision (decided again now): store it as the next program version
    (201), or, for a patient linked to a clinician without automatic steps, send a step up to
    the clinician for approval (202)."""
    try:
        outcome = patient_web.apply_progress(db, profile_name=user.profile_name, now=now)
    except (patient_web.Unavailable, patient_web.NothingToApply) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    if outcome.asked is not None:
        asked = StepAskedOut(
            message=outcome.message,
            asked_at=outcome.asked.asked_at,
            changes=list(outcome.asked.changes),
        )
        return JSONResponse(asked.model_dump(mode="json"), status_code=status.HTTP_202_ACCEPTED)
    return outcome.applied


@router.get(
    "/api/v1/me/export/{fmt}",
    response_class=Response,
    responses={
        200: {
            "description": "The file, as an attachment",
            "content": {d.media_type.split(";")[0]: {} for d in exports.DOWNLOADS},
        },
        **NOT_FOUND,
    },
    tags=["patient"],
)
def api_export(
    request: Request, user: Patient, db: DB, now: Now, fmt: exports.DownloadFormat
) -> Response:
    """The printable handout (PDF), an iCalendar file of the sessions (both 404 when there is
    no program to show), a CSV of every logged event, a FHIR R4 bundle or a JSON backup
    (restores exactly)."""
    export = exports.export(
        db,
        profile_name=user.profile_name,
        fmt=fmt,
        now=now,
        person=user.display_name,
        emergency_number=request.app.state.settings.emergency_number,
        time_zone=user.time_zone,
    )
    return attachment(export)
