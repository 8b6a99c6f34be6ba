"""Appointments: booked, moved and cancelled from the clinician's patient page, the clinician's
schedule (/clinic/schedule), the patient's coming appointments on their home page, and the JSON
API (/api/v1/me/appointments, /api/v1/clinic/...). All of it calls
:mod:`psoas.services.appointments`; a patient who is not the clinician's answers 404.

The clinician types times on their own clock (their time zone); the patient reads them on
theirs. The patient's email (when the server can send mail) says only that an appointment was
booked, moved or cancelled, and when.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, TypeVar

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel

from psoas.domain.appointments import (
    JOIN_EARLY,
    MINUTES_MAX,
    MINUTES_MIN,
    Appointment,
    AppointmentIn,
    AppointmentMove,
)
from psoas.domain.errors import Refused
from psoas.services import accounts, timezones
from psoas.services import appointments as service
from psoas.services.mail import Mailer
from psoas.storage.db import Database
from psoas.web.deps import DB, Clinician, Form, Now, Patient
from psoas.web.pages import render, templates
from psoas.web.routes.clinician import _record_page

router = APIRouter()

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
AppointmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TAGS: list[Any] = ["appointments"]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such patient among yours.")


def _patient(db: Database, clinician: accounts.User, patient_id: int) -> accounts.User:
    """The patient (unaudited: the change is audited), or 404 when not the clinician's."""
    patient = accounts.get_user(db, user_id=patient_id)
    if (
        patient is None
        or patient.role != "patient"
        or not accounts.in_care_team(db, clinician=clinician, patient_id=patient.id)
    ):
        raise _not_found()
    return patient


def _tell(
    request: Request,
    background: BackgroundTasks,
    patient: accounts.User,
    appointment: Appointment,
    change: str,
) -> None:
    post = Mailer(request.app.state.settings)
    if post.configured:
        mail = service.change_mail(patient, appointment, change, post.link("/me"))
        background.add_task(post.send, mail)


# --- what the templates ask for ------------------------------------------------------------------


def _state(request: Request) -> tuple[Database, datetime, accounts.User | None]:
    db: Database = request.app.state.db
    return db, request.app.state.clock(), getattr(request.state, "user", None)


def clinician_panel(request: Request, patient: accounts.User) -> list[Appointment]:
    """For clinician/_appointments.html: the clinic's appointments with this patient."""
    db, now, user = _state(request)
    if user is None:
        return []
    try:
        return service.for_clinician(db, clinician=user, patient_id=patient.id, now=now)
    except accounts.NotFound:
        return []


def patient_upcoming(request: Request) -> list[Appointment]:
    """For patient/_appointments.html: the patient's coming appointments; no query at all when
    the session said there are none."""
    db, now, user = _state(request)
    if user is None or user.role != "patient" or not user.appointments:
        return []
    return service.for_patient(db, patient=user, now=now)


def _now(request: Request) -> datetime:
    return _state(request)[1]


templates.env.globals["clinician_appointments"] = clinician_panel
templates.env.globals["patient_appointments"] = patient_upcoming
templates.env.globals["server_now"] = _now
templates.env.globals["join_early_minutes"] = int(JOIN_EARLY.total_seconds() // 60)
templates.env.globals["appointment_minutes"] = (MINUTES_MIN, MINUTES_MAX)


# --- the clinician's forms -----------------------------------------------------------------------

_FIELDS = ("kind", "starts_at", "minutes", "link", "place", "note")


def _minutes(raw: str) -> int:
    try:
        return int(raw.strip() or "30")
    except ValueError as exc:
        raise Refused(["minutes: a whole number of minutes"]) from exc


def _again(
    request: Request,
    db: Database,
    user: accounts.User,
    patient: accounts.User,
    now: datetime,
    exc: Refused,
    form: dict[str, str],
) -> Response:
    return _record_page(
        request,
        db,
        user,
        patient,
        now,
        status_code=400,
        appointment_errors=exc.lines,
        appointment_form=form,
    )


def _back(patient: accounts.User, flash: str) -> Response:
    return RedirectResponse(
        f"/clinic/patients/{patient.id}?flash={flash.replace(' ', '+')}#appointments",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.post("/clinic/patients/{patient_id}/appointments", include_in_schema=False)
def book_form(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    form: Form,
    background: BackgroundTasks,
) -> Response:
    patient = _patient(db, user, patient_id)
    values = {k: str(form.get(k, "")) for k in _FIELDS}
    kind = values["kind"] if values["kind"] in ("telehealth", "in_person") else "telehealth"
    try:
        booking = AppointmentIn(
            kind=kind,
            starts_at=service.parse_local(values["starts_at"], user.time_zone),
            minutes=_minutes(values["minutes"]),
            link=values["link"] if kind == "telehealth" else None,
            place=values["place"] if kind == "in_person" else None,
            note=values["note"][:2000],
        )
        booked = service.book(db, clinician=user, patient_id=patient.id, booking=booking, now=now)
    except Refused as exc:
        return _again(request, db, user, patient, now, exc, values)
    _tell(request, background, patient, booked, "booked")
    return _back(patient, "Appointment booked")


@router.post(
    "/clinic/patients/{patient_id}/appointments/{appointment_id}/move", include_in_schema=False
)
def move_form(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    appointment_id: AppointmentId,
    form: Form,
    background: BackgroundTasks,
) -> Response:
    patient = _patient(db, user, patient_id)
    values = {k: str(form.get(k, "")) for k in ("starts_at", "minutes")}
    try:
        change = AppointmentMove(
            starts_at=service.parse_local(values["starts_at"], user.time_zone),
            minutes=_minutes(values["minutes"]) if values["minutes"].strip() else None,
        )
        moved = service.move(
            db,
            clinician=user,
            patient_id=patient.id,
            appointment_id=appointment_id,
            change=change,
            now=now,
        )
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such appointment.") from exc
    except Refused as exc:
        return _again(request, db, user, patient, now, exc, {})
    _tell(request, background, patient, moved, "moved")
    return _back(patient, "Appointment moved")


@router.post(
    "/clinic/patients/{patient_id}/appointments/{appointment_id}/cancel", include_in_schema=False
)
def cancel_form(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    appointment_id: AppointmentId,
    background: BackgroundTasks,
) -> Response:
    patient = _patient(db, user, patient_id)
    try:
        before = {
            a.id: a
            for a in service.for_clinician(db, clinician=user, patient_id=patient.id, now=now)
        }
        done = service.cancel(
            db, clinician=user, patient_id=patient.id, appointment_id=appointment_id, now=now
        )
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such appointment.") from exc
    was = before.get(appointment_id)
    if was is not None and not was.cancelled and done.ends_at > now:
        _tell(request, background, patient, done, "cancelled")
    return _back(patient, "Appointment cancelled")


@router.get("/clinic/schedule", include_in_schema=False)
def schedule_page(request: Request, db: DB, now: Now, user: Clinician) -> Response:
    days = service.schedule(db, clinician=user, now=now)
    return render(
        request,
        "clinician/schedule.html",
        title="Schedule",
        days=days,
        count=sum(len(d.appointments) for d in days),
        span=service.SCHEDULE_DAYS,
        today=timezones.local(now, user.time_zone).date(),
        now=now,
    )


# --- the JSON API --------------------------------------------------------------------------------


class AppointmentOut(BaseModel):
    appointment: Appointment
    #: the "Join" button shows from then (a video call that is booked), to its end
    join_from: datetime | None
    can_join_now: bool


def _api(a: Appointment, now: datetime) -> AppointmentOut:
    return AppointmentOut(
        appointment=a, join_from=a.join_from() if a.joinable else None, can_join_now=a.can_join(now)
    )


def _refused(exc: Refused) -> HTTPException:
    return HTTPException(422, exc.lines)


@router.get("/api/v1/me/appointments", response_model=list[AppointmentOut], tags=TAGS)
def api_mine(db: DB, now: Now, user: Patient) -> list[AppointmentOut]:
    """The patient's appointments not yet over (cancelled ones marked), soonest first."""
    return [_api(a, now) for a in service.for_patient(db, patient=user, now=now)]


@router.get(
    "/api/v1/clinic/patients/{patient_id}/appointments",
    response_model=list[AppointmentOut],
    tags=TAGS,
)
def api_patient(db: DB, now: Now, user: Clinician, patient_id: PatientId) -> list[AppointmentOut]:
    """Your clinic's appointments with the patient: coming, and of the last 30 days."""
    patient = _patient(db, user, patient_id)
    return [
        _api(a, now)
        for a in service.for_clinician(db, clinician=user, patient_id=patient.id, now=now)
    ]


_Start = TypeVar("_Start", AppointmentIn, AppointmentMove)


def _on_their_clock(body: _Start, user: accounts.User) -> _Start:
    """A start without an offset, read on the clinician's own clock (their time zone)."""
    if body.starts_at.tzinfo is not None:
        return body
    when = service.parse_local(body.starts_at.isoformat(), user.time_zone)
    return body.model_copy(update={"starts_at": when})


@router.post(
    "/api/v1/clinic/patients/{patient_id}/appointments",
    response_model=AppointmentOut,
    status_code=201,
    tags=TAGS,
)
def api_book(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    body: AppointmentIn,
    background: BackgroundTasks,
) -> AppointmentOut:
    """Book an appointment. ``starts_at`` carries its offset; without one it is read on your
    own clock (your account's time zone)."""
    patient = _patient(db, user, patient_id)
    try:
        body = _on_their_clock(body, user)
        booked = service.book(db, clinician=user, patient_id=patient.id, booking=body, now=now)
    except Refused as exc:
        raise _refused(exc) from exc
    _tell(request, background, patient, booked, "booked")
    return _api(booked, now)


@router.put(
    "/api/v1/clinic/patients/{patient_id}/appointments/{appointment_id}",
    response_model=AppointmentOut,
    tags=TAGS,
)
def api_move(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    appointment_id: AppointmentId,
    body: AppointmentMove,
    background: BackgroundTasks,
) -> AppointmentOut:
    """Move the appointment (and change its length)."""
    patient = _patient(db, user, patient_id)
    try:
        body = _on_their_clock(body, user)
        moved = service.move(
            db,
            clinician=user,
            patient_id=patient.id,
            appointment_id=appointment_id,
            change=body,
            now=now,
        )
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such appointment.") from exc
    except Refused as exc:
        raise _refused(exc) from exc
    _tell(request, background, patient, moved, "moved")
    return _api(moved, now)


@router.delete(
    "/api/v1/clinic/patients/{patient_id}/appointments/{appointment_id}",
    response_model=AppointmentOut,
    tags=TAGS,
)
def api_cancel(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    appointment_id: AppointmentId,
    background: BackgroundTasks,
) -> AppointmentOut:
    """Cancel the appointment: it stays, marked cancelled, on both sides."""
    patient = _patient(db, user, patient_id)
    try:
        was = [
            a
            for a in service.for_clinician(db, clinician=user, patient_id=patient.id, now=now)
            if a.id == appointment_id
        ]
        done = service.cancel(
            db, clinician=user, patient_id=patient.id, appointment_id=appointment_id, now=now
        )
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such appointment.") from exc
    if was and not was[0].cancelled and done.ends_at > now:
        _tell(request, background, patient, done, "cancelled")
    return _api(done, now)


class ScheduleDayOut(BaseModel):
    day: str
    appointments: list[AppointmentOut]


@router.get("/api/v1/clinic/schedule", response_model=list[ScheduleDayOut], tags=TAGS)
def api_schedule(
    db: DB, now: Now, user: Clinician, days: int = service.SCHEDULE_DAYS
) -> list[ScheduleDayOut]:
    """Your appointments from today (on your clock) for ``days`` days (at most 62), by day."""
    return [
        ScheduleDayOut(day=d.day.isoformat(), appointments=[_api(a, now) for a in d.appointments])
        for d in service.schedule(db, clinician=user, now=now, days=days)
    ]
