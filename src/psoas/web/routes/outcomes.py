"""Outcomes and records on the web: a clinician enters an Oswestry or Roland-Morris total scored
on the clinic's own form, or a rating of change the patient gave them; the patient rates how
their back has changed (progress page); the episode report (PDF) for a referral letter; the
patient's birth date (account page); the clinic's contact details (the clinic page). JSON twins
under /api/v1.

A patient who is not in this clinician's care team does not exist here: 404, never 403.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, HTTPException, Path, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from psoas.domain.errors import Refused
from psoas.domain.outcomes import OutcomeScore
from psoas.services import accounts, care_team, clinic, outcomes
from psoas.web.deps import DB, BrowserUser, Clinician, CurrentUser, Form, Now, Patient
from psoas.web.pages import render

router = APIRouter()

PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MEASURE_FIELDS = ("measure", "score", "scored_on")


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such patient among yours.")


def _own(db: DB, user: accounts.User, patient_id: int) -> accounts.User:
    try:
        return clinic.own_patient(db, clinician=user, patient_id=patient_id)
    except accounts.NotFound as exc:
        raise _not_found() from exc


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


def _number(raw: str, field: str) -> float:
    try:
        return float(raw.strip().replace(",", "."))
    except ValueError:
        raise Refused([f"{field}: must be a number"]) from None


def _day(raw: str) -> date:
    try:
        return date.fromisoformat(raw.strip())
    except ValueError:
        raise Refused(["scored_on: must be a date (year, month and day)"]) from None


def app_url(request: Request) -> str:
    """The address the app is opened at (the configured public address, else this request's)."""
    configured: str = request.app.state.settings.public_url
    return (configured or str(request.base_url)).rstrip("/")


# --- the clinician: enter a total, download the episode report ----------------------------------


@router.post("/clinic/patients/{patient_id}/outcomes", include_in_schema=False)
def enter_total(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, form: Form
) -> Response:
    from psoas.web.routes.clinician import _record_page

    patient = _own(db, user, patient_id)
    values = {k: str(form.get(k, "")) for k in MEASURE_FIELDS}
    try:
        outcomes.record(
            db,
            patient=patient,
            actor=user,
            measure=values["measure"],
            score=_number(values["score"], "score"),
            scored_on=_day(values["scored_on"]),
            now=now,
        )
    except Refused as exc:
        return _record_page(
            request,
            db,
            user,
            patient,
            now,
            status_code=400,
            errors=[outcomes.plain(line) for line in exc.lines],
            outcome_form=values,
        )
    return _see_other(f"/clinic/patients/{patient.id}?flash=Saved#outcomes")


EntryId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _no_entry() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such entry.")


@router.post("/clinic/patients/{patient_id}/outcomes/{entry_id}/remove", include_in_schema=False)
def remove_total(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, entry_id: EntryId
) -> Response:
    """Take back a total entered in error (the audit log keeps what it was)."""
    patient = _own(db, user, patient_id)
    try:
        what = outcomes.remove(db, patient=patient, actor=user, score_id=entry_id, now=now)
    except accounts.NotFound as exc:
        raise _no_entry() from exc
    return _see_other(
        f"/clinic/patients/{patient.id}?{urlencode({'flash': f'Removed: {what}'})}#outcomes"
    )


@router.get("/clinic/patients/{patient_id}/episode-report.pdf", include_in_schema=False)
def episode_report(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId
) -> Response:
    """The episode report for a referral letter, audited."""
    patient = _own(db, user, patient_id)
    data = outcomes.episode_report(
        db,
        clinician=user,
        patient=patient,
        now=now,
        app_url=app_url(request),
        emergency_number=request.app.state.settings.emergency_number,
    )
    accounts.audit(db, patient=patient, actor=user, action="downloaded the episode report", now=now)
    name = f"psoas-patient-{patient.id}-episode-{now:%Y-%m-%d}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


# --- the patient: rate how the back has changed, give a birth date ------------------------------


@router.post("/me/progress/change", include_in_schema=False)
def rate_change(request: Request, db: DB, now: Now, user: Patient, form: Form) -> Response:
    from psoas.web.routes.patient import _progress_page

    try:
        raw = str(form.get("score", "")).strip()
        if not raw:
            raise Refused(["score: please choose how your back has changed"])
        outcomes.record(
            db,
            patient=user,
            actor=user,
            measure="groc",
            score=_number(raw, "score"),
            scored_on=outcomes.today(user, now),
            now=now,
        )
    except Refused as exc:
        page = _progress_page(request, db, now, user, problem=outcomes.plain(exc.lines[0]))
        page.status_code = 400
        return page
    return _see_other("/me/progress?saved=change#change")


@router.post("/me/progress/change/{entry_id}/remove", include_in_schema=False)
def remove_rating(db: DB, now: Now, user: Patient, entry_id: EntryId) -> Response:
    try:
        outcomes.remove(db, patient=user, actor=user, score_id=entry_id, now=now)
    except accounts.NotFound as exc:
        raise _no_entry() from exc
    return _see_other("/me/progress#change")


@router.post("/account/birth-date", include_in_schema=False)
def birth_date_form(request: Request, db: DB, now: Now, user: BrowserUser, form: Form) -> Response:
    raw = str(form.get("birth_date", ""))[:40]
    try:
        born = outcomes.parse_birth_date(raw)
        outcomes.set_birth_date(db, user=user, birth_date=born, now=now)
    except Refused as exc:
        return render(
            request,
            "account/account.html",
            status_code=400,
            title="Account",
            errors=[outcomes.plain(line) for line in exc.lines],
            tokens=accounts.api_tokens(db, user=user),
            audit=accounts.audit_log(db, patient=user) if user.role == "patient" else [],
            form_birth_date=raw,
            clinician=accounts.get_user(db, user_id=user.clinician_id)
            if user.clinician_id
            else None,
            team_size=sum(m.status == "accepted" for m in care_team.team(db, patient=user))
            if user.role == "patient"
            else 0,
            mail_configured=request.app.state.settings.mail_configured,
        )
    return _see_other("/account?flash=Birth+date+saved#birth-date")


# --- the clinic's administrator: contact details --------------------------------------------------


@router.post("/clinic/team/contact", include_in_schema=False)
def clinic_contact_form(
    request: Request, db: DB, now: Now, user: Clinician, form: Form
) -> Response:
    from psoas.web.routes.clinics import _clinic_page

    values = {k: str(form.get(k, ""))[:400] for k in ("phone", "email", "website")}
    try:
        outcomes.set_clinic_contact(db, admin=user, now=now, **values)
    except accounts.NotFound as exc:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "not found") from exc
    except Refused as exc:
        return _clinic_page(
            request,
            db,
            user,
            now,
            status_code=400,
            errors=[outcomes.plain(line) for line in exc.lines],
            contact_form=values,
        )
    return _see_other("/clinic/team?flash=Contact+details+saved#contact")


# --- the JSON API ---------------------------------------------------------------------------------


class OutcomeOut(BaseModel):
    id: int | None
    measure: Literal["odi", "rmdq", "groc"] = Field(
        description="odi: Oswestry Disability Index total (0-100 %); rmdq: Roland-Morris total "
        "(0-24); groc: global rating of change (-7 to +7)"
    )
    score: float
    scored_on: date = Field(description="the day it was scored (or rated)")
    entered_by: Literal["clinician", "patient"]
    entered_by_name: str
    entered_at: datetime
    text: str = Field(description="the value in words")


class OutcomeIn(BaseModel):
    measure: Literal["odi", "rmdq", "groc"]
    score: float = Field(description="the total only (never the items), or the rating")
    scored_on: date


class RatingIn(BaseModel):
    score: int = Field(ge=-7, le=7, description="-7 (a very great deal worse) to +7 (better)")


class BirthDateIn(BaseModel):
    birth_date: date | None = Field(description="YYYY-MM-DD, or null to forget it")


def _out(s: OutcomeScore) -> OutcomeOut:
    return OutcomeOut(**s.model_dump(), text=s.text)


@router.get(
    "/api/v1/patients/{patient_id}/outcomes", response_model=list[OutcomeOut], tags=["clinician"]
)
def api_patient_outcomes(
    db: DB, now: Now, user: Clinician, patient_id: PatientId
) -> list[OutcomeOut]:
    """The patient's Oswestry and Roland-Morris totals and ratings of change, oldest first
    (audited as a view of the record)."""
    try:
        patient = accounts.patient_for(db, viewer=user, patient_id=patient_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return [_out(s) for s in outcomes.scores(db, patient_id=patient.id)]


@router.post(
    "/api/v1/patients/{patient_id}/outcomes",
    response_model=OutcomeOut,
    status_code=201,
    tags=["clinician"],
)
def api_enter_total(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, body: OutcomeIn
) -> OutcomeOut:
    """Enter a total scored on the clinic's own form (the total only), or a rating of change
    the patient gave you. Audited."""
    patient = _own(db, user, patient_id)
    return _out(
        outcomes.record(
            db,
            patient=patient,
            actor=user,
            measure=body.measure,
            score=body.score,
            scored_on=body.scored_on,
            now=now,
        )
    )


@router.delete(
    "/api/v1/patients/{patient_id}/outcomes/{entry_id}", status_code=204, tags=["clinician"]
)
def api_remove_total(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, entry_id: EntryId
) -> Response:
    """Remove a total or rating a clinician entered in error (audited: the patient's log says
    what was removed). A patient's own rating is theirs: 404."""
    patient = _own(db, user, patient_id)
    try:
        outcomes.remove(db, patient=patient, actor=user, score_id=entry_id, now=now)
    except accounts.NotFound as exc:
        raise _no_entry() from exc
    return Response(status_code=204)


@router.delete("/api/v1/me/outcomes/{entry_id}", status_code=204, tags=["patient"])
def api_remove_rating(db: DB, now: Now, user: Patient, entry_id: EntryId) -> Response:
    """Remove one of your own ratings of change (your clinic's totals are theirs to correct)."""
    try:
        outcomes.remove(db, patient=user, actor=user, score_id=entry_id, now=now)
    except accounts.NotFound as exc:
        raise _no_entry() from exc
    return Response(status_code=204)


@router.get("/api/v1/me/outcomes", response_model=list[OutcomeOut], tags=["patient"])
def api_my_outcomes(db: DB, user: Patient) -> list[OutcomeOut]:
    """Your totals from your clinic and your ratings of change, oldest first."""
    return [_out(s) for s in outcomes.scores(db, patient_id=user.id)]


@router.post("/api/v1/me/outcomes", response_model=OutcomeOut, status_code=201, tags=["patient"])
def api_rate_change(db: DB, now: Now, user: Patient, body: RatingIn) -> OutcomeOut:
    """Rate how your back has changed since you started, today."""
    return _out(
        outcomes.record(
            db,
            patient=user,
            actor=user,
            measure="groc",
            score=body.score,
            scored_on=outcomes.today(user, now),
            now=now,
        )
    )


@router.put("/api/v1/me/birth-date", response_model=BirthDateIn, tags=["account"])
def api_birth_date(db: DB, now: Now, user: CurrentUser, body: BirthDateIn) -> BirthDateIn:
    """Give (or, with null, forget) your birth date: not in the future, an age from 12 to
    110. Your clinicians see it, and it goes into your FHIR export."""
    outcomes.set_birth_date(db, user=user, birth_date=body.birth_date, now=now)
    return body
