"""Medical clearances on the web: a clinician of the care team records a doctor's clearance of
warning signs (the patient's record, and the API), or withdraws it. The rule is in
:mod:`psoas.services.clearance`; 404 for a patient outside the clinician's care team."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import AwareDatetime, BaseModel, Field

from psoas.domain.clearance import NAME_MAX, NOTE_MAX, ClearerRole
from psoas.services import accounts, clearance
from psoas.services.accounts import AccountError, NotFound
from psoas.services.timezones import at_local
from psoas.web.deps import DB, Clinician, Form, Now
from psoas.web.routes.clinician import _record_page

router = APIRouter()

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ClearanceId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such patient among yours.")


def _patient(db: DB, user: accounts.User, patient_id: int) -> accounts.User:
    patient = accounts.get_user(db, user_id=patient_id)
    if patient is None or not accounts.in_care_team(db, clinician=user, patient_id=patient_id):
        raise _not_found()
    return patient


def _day(value: str, zone: str | None) -> datetime:
    try:
        day = date.fromisoformat(value.strip())
    except ValueError as exc:
        raise AccountError("cleared_on: the date the doctor cleared it (year-month-day)") from exc
    return at_local(day, time(0, 0), zone)


@router.post("/clinic/patients/{patient_id}/clearances", include_in_schema=False)
def record_form(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, form: Form
) -> Response:
    patient = _patient(db, user, patient_id)
    values = {k: str(form.get(k, "")) for k in ("cleared_by", "role", "cleared_on", "note")}
    codes = [str(c) for c in form.getlist("codes")]
    try:
        given = clearance.record(
            db,
            clinician=user,
            patient_id=patient.id,
            cleared_by=values["cleared_by"],
            role=values["role"],
            cleared_at=_day(values["cleared_on"], user.time_zone),
            codes=codes,
            note=values["note"],
            now=now,
        )
    except AccountError as exc:
        return _record_page(
            request,
            db,
            user,
            patient,
            now,
            status_code=400,
            errors=[str(exc)],
            clearance_form=values | {"codes": codes},
        )
    flash = (
        "Clearance recorded: the home program is given again"
        if given
        else "Clearance recorded: other warning signs still hold the program back"
    )
    return RedirectResponse(
        f"/clinic/patients/{patient.id}?flash={flash.replace(' ', '+')}#clearance",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.post(
    "/clinic/patients/{patient_id}/clearances/{clearance_id}/withdraw", include_in_schema=False
)
def withdraw_form(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, clearance_id: ClearanceId
) -> Response:
    patient = _patient(db, user, patient_id)
    try:
        clearance.withdraw(
            db, clinician=user, patient_id=patient.id, clearance_id=clearance_id, now=now
        )
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such clearance.") from exc
    except AccountError:
        pass  # already withdrawn: nothing to do
    return RedirectResponse(
        f"/clinic/patients/{patient.id}?flash=Clearance+withdrawn#clearance",
        status_code=status.HTTP_303_SEE_OTHER,
    )


# --- the API --------------------------------------------------------------------------------


class SignOut(BaseModel):
    code: str
    title: str
    level: str


class ClearanceRecordOut(BaseModel):
    id: int
    cleared_by: str
    role: str
    role_name: str
    cleared_at: datetime
    signs: list[SignOut]
    note: str
    recorded_by: str
    recorded_at: datetime
    withdrawn_at: datetime | None


class ClearancesOut(BaseModel):
    held: bool = Field(description="the latest assessment holds the program back")
    signs: list[SignOut] = Field(
        description="the warning signs of the latest assessment that a clearance can cover"
    )
    clearances: list[ClearanceRecordOut] = Field(description="newest first")


class ClearanceIn(BaseModel):
    cleared_by: str = Field(min_length=1, max_length=NAME_MAX, description="the doctor's name")
    role: ClearerRole
    cleared_at: AwareDatetime = Field(description="when the doctor cleared it")
    codes: list[str] = Field(min_length=1, description="warning-sign codes it covers")
    note: str = Field(default="", max_length=NOTE_MAX)


class ClearanceResult(BaseModel):
    program_given: bool
    clearances: ClearancesOut


def _out(db: DB, patient_id: int) -> ClearancesOut:
    panel = clearance.panel_in(db, patient_id=patient_id)

    def sign(s: clearance.Sign) -> SignOut:
        return SignOut(code=s.code, title=s.title, level=s.level)

    return ClearancesOut(
        held=panel.held,
        signs=[sign(s) for s in panel.signs] if panel.held else [],
        clearances=[
            ClearanceRecordOut(
                id=r.id,
                cleared_by=r.cleared_by,
                role=r.role,
                role_name=r.role_name,
                cleared_at=r.cleared_at,
                signs=[sign(s) for s in r.signs],
                note=r.note,
                recorded_by=r.recorded_by,
                recorded_at=r.recorded_at,
                withdrawn_at=r.withdrawn_at,
            )
            for r in panel.records
        ],
    )


@router.get(
    "/api/v1/patients/{patient_id}/clearances", response_model=ClearancesOut, tags=["clinician"]
)
def api_clearances(db: DB, now: Now, user: Clinician, patient_id: PatientId) -> ClearancesOut:
    """The warning signs holding the patient's program back and the doctors' clearances
    recorded (audited as a view of the record)."""
    patient = _patient(db, user, patient_id)
    accounts.audit(db, patient=patient, actor=user, action="viewed clearances", now=now)
    return _out(db, patient.id)


@router.post(
    "/api/v1/patients/{patient_id}/clearances",
    response_model=ClearanceResult,
    status_code=201,
    tags=["clinician"],
)
def api_record(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, body: ClearanceIn
) -> ClearanceResult:
    """Record that a doctor cleared warning signs of the latest assessment (by their codes):
    the program is given again when no other sign holds it; every other safety rule runs."""
    patient = _patient(db, user, patient_id)
    try:
        given = clearance.record(
            db,
            clinician=user,
            patient_id=patient.id,
            cleared_by=body.cleared_by,
            role=body.role,
            cleared_at=body.cleared_at,
            codes=body.codes,
            note=body.note,
            now=now,
        )
    except AccountError as exc:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_ENTITY, str(exc)) from exc
    return ClearanceResult(program_given=given, clearances=_out(db, patient.id))


@router.post(
    "/api/v1/patients/{patient_id}/clearances/{clearance_id}/withdraw",
    response_model=ClearancesOut,
    tags=["clinician"],
)
def api_withdraw(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, clearance_id: ClearanceId
) -> ClearancesOut:
    """Withdraw a clearance: the program is held back again if it rested on it."""
    patient = _patient(db, user, patient_id)
    try:
        clearance.withdraw(
            db, clinician=user, patient_id=patient.id, clearance_id=clearance_id, now=now
        )
    except NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such clearance.") from exc
    except AccountError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    return _out(db, patient.id)
