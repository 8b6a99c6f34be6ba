"""Clinics and care teams on the web: the administrator's clinic page (its clinicians, pending
invitations, invite by email), joining a clinic with an invitation (the only way a clinician's
account is made), the patient's care team (accept, decline, leave a clinician or a clinic,
shared notes), and a clinician adding a colleague to a patient's team.

Anyone who may not see a thing gets 404, never 403.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, BackgroundTasks, Form, HTTPException, Path, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from psoas.services import accounts, care_team, clinic, clinics, outcomes
from psoas.services.mail import Mailer, clinic_invitation_mail
from psoas.storage.db import Database
from psoas.web.deps import DB, Clinician, Now, OptionalSession, Patient
from psoas.web.pages import render
from psoas.web.routes.account import (
    EXPIRED_FORM,
    _account_form,
    _after_sign_in,
    _form_sent_matches,
    _signed_in,
    home_for,
)

router = APIRouter()

Id = Annotated[int, Path(ge=1, le=2**31 - 1)]
Text = Annotated[str, Form()]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "not found")


def _see_other(url: str) -> Response:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


# --- the administrator's clinic page -------------------------------------------------------------


def _clinic_page(
    request: Request,
    db: Database,
    user: accounts.User,
    now: Now,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    held = clinics.membership(db, user=user)
    if held is None:
        raise _not_found()
    return render(
        request,
        "clinician/clinic.html",
        status_code=status_code,
        title=held.clinic.name,
        clinic=held.clinic,
        is_admin=held.is_admin,
        members=clinics.members(db, clinician=user),
        invitations=clinics.pending_invitations(db, admin=user, now=now) if held.is_admin else [],
        events=clinics.events(db, admin=user, limit=20) if held.is_admin else [],
        contact=outcomes.clinic_contact(db, clinic_id=held.clinic.id) if held.is_admin else None,
        me_id=user.id,
        invitation_days=clinics.INVITATION_DAYS,
        **extra,
    )


@router.get("/clinic/team", include_in_schema=False)
def clinic_team(request: Request, db: DB, now: Now, user: Clinician, flash: str = "") -> Response:
    """The clinic's clinicians; for its administrators, invitations too."""
    return _clinic_page(request, db, user, now, flash=flash[:200])


def _join_link(request: Request, token: str) -> str:
    return str(request.url_for("join_clinic_page").include_query_params(code=token))


@router.post("/clinic/team/invitations", include_in_schema=False)
def invite_clinician(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    background: BackgroundTasks,
    email: Text = "",
) -> Response:
    """An invitation for a clinician: the join link goes by email when the server can send
    mail (and is shown once too, to copy if the email goes astray); otherwise it is shown to
    copy."""
    try:
        token = clinics.invite_clinician(db, admin=user, email=email, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    except accounts.AccountError as exc:
        return _clinic_page(request, db, user, now, 400, errors=[str(exc)], email=email)
    invited, link = email.strip().lower(), _join_link(request, token)
    post = Mailer(request.app.state.settings)
    mailed = post.configured
    if mailed:
        held = clinics.membership(db, user=user)
        letter = clinic_invitation_mail(
            invited,
            clinic=held.clinic.name if held else "a clinic",
            inviter=user.display_name,
            link=post.link("/join-clinic?code=" + token),
            days=clinics.INVITATION_DAYS,
        )
        background.add_task(post.send, letter)
    return _clinic_page(request, db, user, now, invited=invited, join_link=link, mailed=mailed)


# --- running the clinic: remove a clinician, administrators, the name (administrators only) -----


def _admin_action(
    request: Request, db: Database, user: accounts.User, now: datetime, act: Any, done: str
) -> Response:
    try:
        act()
    except accounts.NotFound as exc:
        raise _not_found() from exc
    except accounts.AccountError as exc:
        return _clinic_page(request, db, user, now, 400, errors=[str(exc)])
    return _see_other("/clinic/team?flash=" + done.replace(" ", "+"))


@router.post("/clinic/team/members/{clinician_id}/remove", include_in_schema=False)
def remove_member(
    request: Request, db: DB, now: Now, user: Clinician, clinician_id: Id
) -> Response:
    return _admin_action(
        request,
        db,
        user,
        now,
        lambda: clinics.remove_clinician(db, admin=user, clinician_id=clinician_id, now=now),
        "Clinician removed from the clinic",
    )


@router.post("/clinic/team/members/{clinician_id}/admin", include_in_schema=False)
def member_admin(
    request: Request, db: DB, now: Now, user: Clinician, clinician_id: Id, on: Text = "1"
) -> Response:
    return _admin_action(
        request,
        db,
        user,
        now,
        lambda: clinics.set_admin(
            db, admin=user, clinician_id=clinician_id, is_admin=on == "1", now=now
        ),
        "Administrators changed",
    )


@router.post("/clinic/team/members/{clinician_id}/hand-over", include_in_schema=False)
def member_hand_over(
    request: Request, db: DB, now: Now, user: Clinician, clinician_id: Id
) -> Response:
    return _admin_action(
        request,
        db,
        user,
        now,
        lambda: clinics.hand_over(db, admin=user, clinician_id=clinician_id, now=now),
        "Administrator role handed over",
    )


@router.post("/clinic/team/name", include_in_schema=False)
def rename(request: Request, db: DB, now: Now, user: Clinician, name: Text = "") -> Response:
    return _admin_action(
        request,
        db,
        user,
        now,
        lambda: clinics.rename_clinic(db, admin=user, name=name, now=now),
        "Clinic renamed",
    )


@router.post("/clinic/team/invitations/{invitation_id}/revoke", include_in_schema=False)
def revoke_invitation(
    db: DB,
    now: Now,
    user: Clinician,
    invitation_id: Annotated[str, Path(min_length=64, max_length=64, pattern="^[0-9a-f]+$")],
) -> Response:
    try:
        clinics.revoke_invitation(db, admin=user, invitation_id=invitation_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return _see_other("/clinic/team?flash=Invitation+withdrawn")


# --- joining a clinic ---------------------------------------------------------------------------


JOIN = "account/join_clinic.html"


@router.get("/join-clinic", include_in_schema=False, name="join_clinic_page")
def join_clinic_page(
    request: Request, db: DB, now: Now, session: OptionalSession, code: str = ""
) -> Response:
    if session is not None:
        return _see_other(home_for(session.user))
    try:
        found = clinics.invitation(db, token=code, now=now)
    except accounts.AccountError as exc:
        return _account_form(request, JOIN, 404, title="Join a clinic", errors=[str(exc)])
    return _account_form(request, JOIN, title="Join a clinic", invitation=found, code=code)


@router.post("/join-clinic", include_in_schema=False)
def join_clinic(
    request: Request,
    db: DB,
    now: Now,
    code: Text = "",
    display_name: Text = "",
    password: Text = "",
    csrf_token: Text = "",
    time_zone: Text = "",
) -> Response:
    try:
        found = clinics.invitation(db, token=code, now=now)
    except accounts.AccountError as exc:
        return _account_form(request, JOIN, 404, title="Join a clinic", errors=[str(exc)])
    kept = {"invitation": found, "code": code, "display_name": display_name}
    if not _form_sent_matches(request, csrf_token):
        return _account_form(
            request, JOIN, 403, title="Join a clinic", errors=[EXPIRED_FORM], **kept
        )
    try:
        user = clinics.join_clinic(
            db,
            token=code,
            password=password,
            display_name=display_name,
            now=now,
            time_zone=time_zone or None,
        )
    except accounts.AccountError as exc:
        return _account_form(request, JOIN, 400, title="Join a clinic", errors=[str(exc)], **kept)
    return _signed_in(request, db, user, now, _after_sign_in(user))


# --- the patient's care team --------------------------------------------------------------------


def _team_page(
    request: Request, db: Database, user: accounts.User, status_code: int = 200, **extra: Any
) -> Response:
    members = care_team.team(db, patient=user)
    clinics_in: dict[int, str] = {}
    for m in members:
        clinics_in.setdefault(m.clinic_id, m.clinic)
    return render(
        request,
        "patient/care_team.html",
        status_code=status_code,
        title="My care team",
        pending=[m for m in members if m.status == "pending"],
        accepted=[m for m in members if m.status == "accepted"],
        clinics=clinics_in,
        shared_notes=clinic.shared_notes_for_patient(db, patient=user),
        **extra,
    )


@router.get("/me/team", include_in_schema=False)
def team_page(request: Request, db: DB, user: Patient, flash: str = "") -> Response:
    return _team_page(request, db, user, flash=flash[:200])


@router.post("/me/team/join", include_in_schema=False)
def team_join(request: Request, db: DB, now: Now, user: Patient, code: Text = "") -> Response:
    try:
        care_team.join_by_code(db, patient=user, code=code, now=now)
    except accounts.AccountError as exc:
        return _team_page(request, db, user, 400, errors=[str(exc)])
    return _see_other("/me/team?flash=Please+check+the+request+below+and+accept+it")


@router.post("/me/team/{clinician_id}/accept", include_in_schema=False)
def team_accept(db: DB, now: Now, user: Patient, clinician_id: Id) -> Response:
    try:
        care_team.accept(db, patient=user, clinician_id=clinician_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return _see_other("/me/team?flash=Added+to+your+care+team")


@router.post("/me/team/{clinician_id}/remove", include_in_schema=False)
def team_remove(db: DB, now: Now, user: Patient, clinician_id: Id) -> Response:
    try:
        care_team.remove(db, patient=user, clinician_id=clinician_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return _see_other("/me/team?flash=Done.+They+no+longer+see+your+records")


@router.post("/me/team/clinics/{clinic_id}/leave", include_in_schema=False)
def team_leave_clinic(db: DB, now: Now, user: Patient, clinic_id: Id) -> Response:
    try:
        care_team.leave_clinic(db, patient=user, clinic_id=clinic_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return _see_other("/me/team?flash=You+left+the+clinic.+It+no+longer+sees+your+records")


# --- a clinician adds a colleague ----------------------------------------------------------------


@router.post("/clinic/patients/{patient_id}/team", include_in_schema=False)
def add_colleague(
    db: DB, now: Now, user: Clinician, patient_id: Id, colleague: Text = ""
) -> Response:
    try:
        patient = clinic.own_patient(db, clinician=user, patient_id=patient_id)
        care_team.add_colleague(
            db,
            clinician=user,
            patient=patient,
            colleague_id=int(colleague) if colleague.isdigit() else 0,
            now=now,
        )
    except accounts.NotFound as exc:
        raise _not_found() from exc
    except accounts.AccountError:
        return _see_other(
            f"/clinic/patients/{patient_id}?flash=Choose+a+colleague+of+your+clinic#team"
        )
    return _see_other(
        f"/clinic/patients/{patient_id}?flash=Asked.+The+patient+accepts+or+declines#team"
    )


# --- the care team over the JSON API (the patient's own) -----------------------------------------


class TeamMemberOut(BaseModel):
    clinician_id: int
    name: str
    clinic_id: int
    clinic: str
    status: str = Field(description="pending (waiting for the patient) or accepted")
    asked_by: str | None = Field(description="the colleague who suggested them, if any")
    asked_at: datetime
    accepted_at: datetime | None
    lead: bool = Field(description="the main clinician: step requests go to them")


class CodeIn(BaseModel):
    code: str


def _team_out(db: Database, user: accounts.User) -> list[TeamMemberOut]:
    return [
        TeamMemberOut(
            clinician_id=m.clinician_id,
            name=m.name,
            clinic_id=m.clinic_id,
            clinic=m.clinic,
            status=m.status,
            asked_by=m.asked_by,
            asked_at=m.asked_at,
            accepted_at=m.accepted_at,
            lead=m.lead,
        )
        for m in care_team.team(db, patient=user)
    ]


@router.get("/api/v1/me/team", response_model=list[TeamMemberOut], tags=["patient"])
def api_team(db: DB, user: Patient) -> list[TeamMemberOut]:
    """Your care team and the requests waiting for your answer."""
    return _team_out(db, user)


@router.post(
    "/api/v1/me/team", response_model=list[TeamMemberOut], status_code=201, tags=["patient"]
)
def api_team_join(db: DB, now: Now, user: Patient, body: CodeIn) -> list[TeamMemberOut]:
    """A clinician's code: asks to add them (pending until you accept)."""
    try:
        care_team.join_by_code(db, patient=user, code=body.code, now=now)
    except accounts.AccountError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, str(exc)) from exc
    return _team_out(db, user)


@router.post("/api/v1/me/team/{clinician_id}/accept", status_code=204, tags=["patient"])
def api_team_accept(db: DB, now: Now, user: Patient, clinician_id: Id) -> Response:
    """Let a clinician who asked into your care team."""
    try:
        care_team.accept(db, patient=user, clinician_id=clinician_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return Response(status_code=204)


@router.delete("/api/v1/me/team/{clinician_id}", status_code=204, tags=["patient"])
def api_team_remove(db: DB, now: Now, user: Patient, clinician_id: Id) -> Response:
    """Decline a request, or leave a clinician: their access ends at once."""
    try:
        care_team.remove(db, patient=user, clinician_id=clinician_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return Response(status_code=204)


@router.delete("/api/v1/me/team/clinics/{clinic_id}", status_code=204, tags=["patient"])
def api_team_leave_clinic(db: DB, now: Now, user: Patient, clinic_id: Id) -> Response:
    """Leave every clinician of a clinic."""
    try:
        care_team.leave_clinic(db, patient=user, clinic_id=clinic_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc
    return Response(status_code=204)
