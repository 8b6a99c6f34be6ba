"""Messages between a patient and their care team: the patient's page (/me/messages), the
clinician's page for each patient (/clinic/patients/{id}/messages), and their JSON twins under
/api/v1/me/messages and /api/v1/clinic/... . All of it calls :mod:`psoas.services.messages`; a
patient who is not the clinician's answers 404. Opening a thread's page marks it read; in the
API, reading is a separate call (a GET changes nothing).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, HTTPException, Path, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.errors import Refused
from psoas.services import accounts
from psoas.services import messages as service
from psoas.services.mail import Mailer
from psoas.storage.db import Database
from psoas.web.deps import DB, Clinician, Form, Now, Patient
from psoas.web.pages import render, templates

router = APIRouter()

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
TAGS: list[Any] = ["messages"]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such patient among yours.")


def unread_patients(request: Request) -> dict[int, int]:
    """For the clinician's patient list: patients with messages the clinician has not read
    (asked only when the session says there are some)."""
    user = getattr(request.state, "user", None)
    if user is None or user.role != "clinician" or not user.unread_messages:
        return {}
    return service.unread_by_patient(request.app.state.db, clinician=user)


templates.env.globals["unread_patients"] = unread_patients
templates.env.globals["message_max"] = service.BODY_MAX


def _mail(request: Request, background: BackgroundTasks, sent: service.Sent, path: str) -> None:
    post = Mailer(request.app.state.settings)
    for to in sent.notify:
        background.add_task(post.send, service.waiting_mail(to, post.link(path)))


def _mailing(request: Request) -> bool:
    return bool(Mailer(request.app.state.settings).configured)


def _read_all(
    db: Database, user: accounts.User, threads: list[service.Thread], now: datetime
) -> None:
    for t in threads:
        if t.unread or (t.messages and t.messages[-1].id > t.read_up_to):
            service.mark_read(
                db, reader=user, patient_id=t.patient_id, clinic_id=t.clinic_id, now=now
            )


# --- the patient's page --------------------------------------------------------------------------


def _patient_page(
    request: Request,
    db: Database,
    user: accounts.User,
    now: datetime,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    threads = service.threads_for_patient(db, patient=user)
    _read_all(db, user, threads, now)
    # the badge was read with the session, before this page marked the threads read
    request.state.user = _cleared(user)
    return render(
        request,
        "patient/messages.html",
        status_code=status_code,
        title="Messages",
        threads=threads,
        **extra,
    )


def _cleared(user: accounts.User) -> accounts.User:
    return replace(user, unread_messages=0)


@router.get("/me/messages", include_in_schema=False)
def patient_messages(
    request: Request, db: DB, now: Now, user: Patient, flash: str = ""
) -> Response:
    return _patient_page(request, db, user, now, flash=flash[:200])


@router.post("/me/messages", include_in_schema=False)
def patient_send(
    request: Request, db: DB, now: Now, user: Patient, form: Form, background: BackgroundTasks
) -> Response:
    body = str(form.get("body", ""))
    raw_clinic = str(form.get("clinic_id", ""))
    try:
        clinic_id = int(raw_clinic) if raw_clinic.strip() else None
    except ValueError:
        clinic_id = -1
    try:
        sent = service.send(
            db,
            sender=user,
            patient_id=user.id,
            clinic_id=clinic_id,
            body=body,
            now=now,
            mail=_mailing(request),
        )
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such care team.") from exc
    except Refused as exc:
        return _patient_page(
            request,
            db,
            user,
            now,
            400,
            errors=exc.lines,
            draft=body[: service.BODY_MAX * 2],
            draft_clinic=clinic_id,
        )
    _mail(request, background, sent, "/clinic")
    return RedirectResponse(
        "/me/messages?flash=Message+sent#latest", status_code=status.HTTP_303_SEE_OTHER
    )


# --- the clinician's page ------------------------------------------------------------------------


def _thread(db: Database, user: accounts.User, patient_id: int) -> service.Thread:
    try:
        return service.thread_for_clinician(db, clinician=user, patient_id=patient_id)
    except accounts.NotFound as exc:
        raise _not_found() from exc


def _clinician_page(
    request: Request,
    db: Database,
    user: accounts.User,
    patient_id: int,
    now: datetime,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    thread = _thread(db, user, patient_id)
    patient = accounts.get_user(db, user_id=patient_id)
    assert patient is not None
    accounts.audit(db, patient=patient, actor=user, action="read messages", now=now)
    _read_all(db, user, [thread], now)
    if thread.unread:
        left = max(0, user.unread_messages - thread.unread)
        request.state.user = replace(user, unread_messages=left)
    return render(
        request,
        "clinician/messages.html",
        status_code=status_code,
        title=f"Messages with {thread.patient_name}",
        thread=thread,
        patient=patient,
        **extra,
    )


@router.get("/clinic/patients/{patient_id}/messages", include_in_schema=False)
def clinician_messages(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, flash: str = ""
) -> Response:
    return _clinician_page(request, db, user, patient_id, now, flash=flash[:200])


@router.post("/clinic/patients/{patient_id}/messages", include_in_schema=False)
def clinician_send(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    form: Form,
    background: BackgroundTasks,
) -> Response:
    body = str(form.get("body", ""))
    try:
        sent = service.send(
            db, sender=user, patient_id=patient_id, body=body, now=now, mail=_mailing(request)
        )
    except accounts.NotFound as exc:
        raise _not_found() from exc
    except Refused as exc:
        return _clinician_page(
            request,
            db,
            user,
            patient_id,
            now,
            400,
            errors=exc.lines,
            draft=body[: service.BODY_MAX * 2],
        )
    _mail(request, background, sent, "/me/messages")
    return RedirectResponse(
        f"/clinic/patients/{patient_id}/messages?flash=Message+sent#latest",
        status_code=status.HTTP_303_SEE_OTHER,
    )


# --- the JSON API --------------------------------------------------------------------------------


class MessageOut(BaseModel):
    id: int
    sender: str
    from_patient: bool
    mine: bool
    body: str
    created_at: datetime


class ThreadOut(BaseModel):
    patient_id: int
    clinic_id: int
    clinic: str
    unread: int = Field(description="messages from the other side not yet marked read")
    messages: list[MessageOut]


class MessageIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(description=f"plain text, 1 to {service.BODY_MAX} characters")
    clinic_id: int | None = Field(
        default=None, description="patients: which clinic of the care team (needed with two)"
    )


class ReadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    clinic_id: int | None = Field(default=None, description="patients: the thread's clinic")


def _thread_out(t: service.Thread) -> ThreadOut:
    return ThreadOut(
        patient_id=t.patient_id,
        clinic_id=t.clinic_id,
        clinic=t.clinic,
        unread=t.unread,
        messages=[
            MessageOut(
                id=m.id,
                sender=m.sender,
                from_patient=m.from_patient,
                mine=m.mine,
                body=m.body,
                created_at=m.created_at,
            )
            for m in t.messages
        ],
    )


def _refused(exc: Refused) -> HTTPException:
    return HTTPException(422, exc.lines)


@router.get("/api/v1/me/messages", response_model=list[ThreadOut], tags=TAGS)
def api_patient_threads(db: DB, user: Patient) -> list[ThreadOut]:
    """Your threads, one for each clinic of your care team (the latest 200 messages each)."""
    return [_thread_out(t) for t in service.threads_for_patient(db, patient=user)]


@router.post("/api/v1/me/messages", response_model=MessageOut, status_code=201, tags=TAGS)
def api_patient_send(
    request: Request, db: DB, now: Now, user: Patient, body: MessageIn, background: BackgroundTasks
) -> MessageOut:
    """Write to your care team (``clinic_id``: which clinic, when you have more than one)."""
    try:
        sent = service.send(
            db,
            sender=user,
            patient_id=user.id,
            clinic_id=body.clinic_id,
            body=body.body,
            now=now,
            mail=_mailing(request),
        )
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such care team.") from exc
    except Refused as exc:
        raise _refused(exc) from exc
    _mail(request, background, sent, "/clinic")
    m = sent.message
    return MessageOut(**m.__dict__)


@router.post("/api/v1/me/messages/read", status_code=204, tags=TAGS)
def api_patient_read(db: DB, now: Now, user: Patient, body: ReadIn) -> Response:
    """Mark the thread (of ``clinic_id``; every thread when left out) read."""
    threads = service.threads_for_patient(db, patient=user)
    chosen = [t for t in threads if body.clinic_id in (None, t.clinic_id)]
    if body.clinic_id is not None and not chosen:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such care team.")
    for t in chosen:
        service.mark_read(db, reader=user, patient_id=user.id, clinic_id=t.clinic_id, now=now)
    return Response(status_code=204)


@router.get("/api/v1/clinic/patients/{patient_id}/messages", response_model=ThreadOut, tags=TAGS)
def api_clinician_thread(db: DB, now: Now, user: Clinician, patient_id: PatientId) -> ThreadOut:
    """Your clinic's thread with the patient (the latest 200 messages)."""
    thread = _thread(db, user, patient_id)
    patient = accounts.get_user(db, user_id=patient_id)
    assert patient is not None
    accounts.audit(db, patient=patient, actor=user, action="read messages", now=now)
    return _thread_out(thread)


@router.post(
    "/api/v1/clinic/patients/{patient_id}/messages",
    response_model=MessageOut,
    status_code=201,
    tags=TAGS,
)
def api_clinician_send(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    body: MessageIn,
    background: BackgroundTasks,
) -> MessageOut:
    """Write to the patient in your clinic's thread."""
    try:
        sent = service.send(
            db,
            sender=user,
            patient_id=patient_id,
            clinic_id=body.clinic_id,
            body=body.body,
            now=now,
            mail=_mailing(request),
        )
    except accounts.NotFound as exc:
        raise _not_found() from exc
    except Refused as exc:
        raise _refused(exc) from exc
    _mail(request, background, sent, "/me/messages")
    return MessageOut(**sent.message.__dict__)


@router.post("/api/v1/clinic/patients/{patient_id}/messages/read", status_code=204, tags=TAGS)
def api_clinician_read(db: DB, now: Now, user: Clinician, patient_id: PatientId) -> Response:
    """Mark your clinic's thread with the patient read."""
    thread = _thread(db, user, patient_id)
    service.mark_read(db, reader=user, patient_id=patient_id, clinic_id=thread.clinic_id, now=now)
    return Response(status_code=204)


class UnreadOut(BaseModel):
    total: int
    by_patient: dict[int, int] = Field(description="patient id: unread messages")


@router.get("/api/v1/clinic/messages/unread", response_model=UnreadOut, tags=TAGS)
def api_clinician_unread(db: DB, user: Clinician) -> UnreadOut:
    """Your unread messages, by patient."""
    by = service.unread_by_patient(db, clinician=user)
    return UnreadOut(total=sum(by.values()), by_patient=by)


@router.get("/api/v1/me/messages/unread", response_model=UnreadOut, tags=TAGS)
def api_patient_unread(db: DB, user: Patient) -> UnreadOut:
    """Your unread messages from your care team."""
    total = service.unread_total(db, user=user)
    return UnreadOut(total=total, by_patient={user.id: total} if total else {})
