"""The clinician's pages and their JSON twins: the patient list with flags, invitations, one
patient's record (assessments, program, history, progress, charts, notes), program
edits that pass the safety rules, handouts and exports.

A patient who did not join this clinician does not exist here: every page, API call and export
answers 404, never 403. Every page that shows a record is audited, a form shown again with its
errors included (the patient sees it on /account): the pages that show one write the entry
themselves, so no way of reaching them can skip it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, HTTPException, Path, Query, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel, Field

from psoas.domain.adherence import about_percent, sessions_number
from psoas.domain.errors import Refused
from psoas.domain.patient_list import PatientRow
from psoas.domain.program_edit import (
    DoseChange,
    ProgramEdit,
    hold_range,
    minutes_cap,
    reps_cap,
    rest_cap,
    sets_cap,
)
from psoas.domain.progression import Decision, ProgressSummary, session_shares
from psoas.domain.results import Program
from psoas.domain.tracking import History, ProgramVersion
from psoas.services import (
    accounts,
    care_team,
    charts,
    clearance,
    clinic,
    exports,
    outcomes,
    program_editor,
    programs,
    progress,
    steps,
)
from psoas.services.custom_exercises import catalog_holding, program_ids
from psoas.storage.db import Database
from psoas.web.deps import DB, Clinician, Form, Now
from psoas.web.pages import render

router = APIRouter()

ExportFormat = Literal["json", "csv", "fhir", "ics"]
PatientId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _not_found() -> HTTPException:
    return HTTPException(status.HTTP_404_NOT_FOUND, "No such patient among yours.")


def _viewed(db: Database, user: accounts.User, patient_id: int, now: datetime) -> accounts.User:
    """The patient, with the access written to their audit log; 404 if not this clinician's."""
    try:
        return accounts.patient_for(db, viewer=user, patient_id=patient_id, now=now)
    except accounts.NotFound as exc:
        raise _not_found() from exc


def _own(db: Database, user: accounts.User, patient_id: int) -> accounts.User:
    """The patient, unaudited (the change itself is audited, and a page that shows the record
    audits the view); 404 if not this clinician's."""
    try:
        return clinic.own_patient(db, clinician=user, patient_id=patient_id)
    except accounts.NotFound as exc:
        raise _not_found() from exc


def _signup_link(request: Request, code: str) -> str:
    return str(request.base_url).rstrip("/") + f"/signup?invite={code}"


# --- pages --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ListLine:
    """One row of the patient list with its numbers already in words (a thousand rows render
    several times faster from plain strings than through template filters)."""

    row: PatientRow
    adherence: tuple[tuple[int, str, str] | None, ...]  # (percent, "low" or "", "3/7") or None
    pain: tuple[str, str, str] | None  # baseline, recent ("–" if none), change ("" if none)
    last: tuple[str, str] | None  # date, how long ago


def _ago(days: int) -> str:
    return "today" if days <= 0 else "yesterday" if days == 1 else f"{days} days ago"


def _line(row: PatientRow, today: Any) -> ListLine:
    adherence = tuple(
        (
            about_percent(a.fraction),
            "low" if a.fraction < 0.5 else "",
            f"{sessions_number(a.completed, a.expected)}/{a.expected}",
        )
        if a.fraction is not None
        else None
        for a in (row.adherence_7, row.adherence_28)
    )
    pain = None
    if row.pain_baseline is not None:
        pain = (
            f"{row.pain_baseline:.1f}",
            f"{row.pain_recent:.1f}" if row.pain_recent is not None else "–",
            f"{row.pain_change:+.1f}" if row.pain_change is not None else "",
        )
    last = None
    if row.last_session_at is not None:
        at = row.last_session_at
        last = (at.strftime("%Y-%m-%d"), _ago((today - at.date()).days))
    return ListLine(row, adherence, pain, last)


#: Patients on one page of the list (flagged first, so the ones that need you are on page 1).
LIST_PAGE = 50


def _list_page(
    request: Request,
    db: Database,
    user: accounts.User,
    now: datetime,
    q: str = "",
    page: int = 1,
    **extra: Any,
) -> Response:
    rows = clinic.patient_rows(db, user, now)
    words = q.lower().split()
    found = [r for r in rows if all(w in f"{r.name} {r.email}".lower() for w in words)]
    pages = max(1, -(-len(found) // LIST_PAGE))
    page = min(max(page, 1), pages)
    shown = found[(page - 1) * LIST_PAGE : page * LIST_PAGE]
    today = now.date()
    return render(
        request,
        "clinician/list.html",
        step_news=steps.news(db, clinician_id=user.id),
        title="Your patients",
        lines=[_line(r, today) for r in shown],
        total=len(rows),
        found=len(found),
        first=(page - 1) * LIST_PAGE + 1,
        q=q,
        page=page,
        pages=pages,
        flagged=sum(1 for r in rows if r.flags),
        now=now,
        **extra,
    )


@router.get("/clinic", include_in_schema=False)
def clinic_page(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    q: Annotated[str, Query(max_length=100)] = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    return _list_page(request, db, user, now, q=q.strip(), page=page)


@router.post("/clinic/invitations", include_in_schema=False)
def invite(request: Request, db: DB, now: Now, user: Clinician) -> Response:
    code = accounts.create_invitation(db, clinician=user, now=now)
    return _list_page(
        request,
        db,
        user,
        now,
        invitation=code,
        invitation_link=_signup_link(request, code),
        invitation_days=accounts.INVITATION_DAYS,
    )


@dataclass(frozen=True)
class SessionLine:
    started_at: datetime
    version: int
    status: str
    sets: int
    #: The share of the session's planned work done, as a percentage (psoas.domain.adherence).
    done: int
    before: int | None
    after: int | None


def _session_lines(history: History, limit: int = 30) -> list[SessionLine]:
    shares = session_shares(history)
    sets: dict[int, int] = {}
    for log in history.sets:
        sets[log.session_id] = sets.get(log.session_id, 0) + 1
    before: dict[int, int] = {}
    after: dict[int, int] = {}
    for p in history.pain:
        if p.session_id is None:
            continue
        if p.context == "before_session":
            before[p.session_id] = p.score
        elif p.context == "after_session":
            after[p.session_id] = p.score
    lines = [
        SessionLine(
            started_at=s.started_at,
            version=s.program_version,
            status=s.status,
            sets=sets.get(s.id or 0, 0),
            done=about_percent(shares.get(s.id or 0, 0.0)),
            before=before.get(s.id or 0),
            after=after.get(s.id or 0),
        )
        for s in history.sessions
    ]
    return sorted(lines, key=lambda line: line.started_at, reverse=True)[:limit]


def _record_page(
    request: Request,
    db: Database,
    user: accounts.User,
    patient: accounts.User,
    now: datetime,
    status_code: int = 200,
    **extra: Any,
) -> Response:
    accounts.audit(db, patient=patient, actor=user, action="viewed record", now=now)
    name = accounts.profile_name_for(patient.id)
    rows = clinic.patient_rows(db, user, now, patient_id=patient.id)
    state = clinic.current_program(db, clinician=user, patient=patient)
    report = progress.report(db, profile_name=name, now=now, with_sets=True)
    decision = None if state.held_back else report.decision
    scored = outcomes.scores(db, patient_id=patient.id)
    program_steps = steps.for_patient(db, clinician_id=user.id, patient_id=patient.id)
    steps.mark_seen(db, clinician_id=user.id, patient_id=patient.id, now=now)
    # the patient's own charts, as they see them (their days: their time zone)
    drawn = charts.web_charts(
        report.history,
        report.summary,
        shares=report.shares,
        tz=patient.time_zone or "UTC",
        outcomes=scored,
    )
    return render(
        request,
        "clinician/patient.html",
        program_steps=program_steps,
        new_steps={st.id for st in program_steps if not st.seen},
        auto_steps=steps.auto_steps(db, patient_id=patient.id),
        status_code=status_code,
        title=patient.display_name,
        patient=patient,
        row=rows[0] if rows else None,
        state=state,
        assessments=list(reversed(report.history.assessments)),
        versions=list(reversed(report.history.programs)),
        summary=report.summary,
        decision=decision,
        sessions=_session_lines(report.history),
        psfs=list(reversed(report.history.psfs)),
        retests=list(reversed(report.history.retests)),
        chart_list=drawn,
        charts_json=charts.charts_json(drawn),
        outcomes=outcomes.panel(scored, patient=patient, now=now),
        notes=clinic.notes(db, clinician=user, patient=patient),
        clearance=clearance.panel_in(db, patient_id=patient.id),
        team=care_team.team(db, patient=patient),
        colleagues=care_team.colleagues_to_add(db, clinician=user, patient=patient),
        audit=accounts.audit_log(db, patient=patient, limit=20),
        names={
            e.id: e.name
            for e in catalog_holding(
                db, (i for v in report.history.programs for i in program_ids(v.program))
            ).exercises
        },
        now=now,
        **extra,
    )


@router.get("/clinic/patients/{patient_id}", include_in_schema=False)
def patient_page(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, flash: str = ""
) -> Response:
    patient = _own(db, user, patient_id)  # the page audits the view
    return _record_page(request, db, user, patient, now, flash=flash[:200])


StepId = Annotated[int, Path(ge=1, le=2**31 - 1)]


def _step_answer(
    request: Request,
    db: Database,
    user: accounts.User,
    patient_id: int,
    step_id: int,
    now: datetime,
    *,
    approve: bool,
) -> Response:
    patient = _own(db, user, patient_id)
    try:
        if approve:
            version = steps.approve(
                db, clinician_id=user.id, patient_id=patient.id, step_id=step_id, now=now
            )
            flash = f"Step up approved: program version {version.version}"
        else:
            steps.decline(db, clinician_id=user.id, patient_id=patient.id, step_id=step_id, now=now)
            flash = "Step up declined: the program stays as it is"
    except steps.StepError as exc:
        return _record_page(request, db, user, patient, now, status_code=409, errors=[str(exc)])
    action = "approved a step up" if approve else "declined a step up"
    accounts.audit(db, patient=patient, actor=user, action=action, now=now)
    return RedirectResponse(
        f"/clinic/patients/{patient.id}?flash={flash.replace(' ', '+')}#steps",
        status_code=status.HTTP_303_SEE_OTHER,
    )


@router.post("/clinic/patients/{patient_id}/steps/{step_id}/approve", include_in_schema=False)
def approve_step(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, step_id: StepId
) -> Response:
    return _step_answer(request, db, user, patient_id, step_id, now, approve=True)


@router.post("/clinic/patients/{patient_id}/steps/{step_id}/decline", include_in_schema=False)
def decline_step(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, step_id: StepId
) -> Response:
    return _step_answer(request, db, user, patient_id, step_id, now, approve=False)


@router.post("/clinic/patients/{patient_id}/auto-steps", include_in_schema=False)
def auto_steps_form(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, form: Form
) -> Response:
    patient = _own(db, user, patient_id)
    on = str(form.get("on", "")) == "1"
    steps.set_auto_steps(db, patient_id=patient.id, on=on)
    action = "switched automatic steps on" if on else "switched automatic steps off"
    accounts.audit(db, patient=patient, actor=user, action=action, now=now)
    flash = "Automatic+steps+on" if on else "Automatic+steps+off"
    return RedirectResponse(
        f"/clinic/patients/{patient.id}?flash={flash}#steps", status_code=status.HTTP_303_SEE_OTHER
    )


@router.post("/clinic/patients/{patient_id}/notes", include_in_schema=False)
def add_note_form(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, form: Form
) -> Response:
    patient = _own(db, user, patient_id)
    values = {k: str(form.get(k, "")) for k in ("summary", "shared")}
    try:
        note = clinic.NoteIn(summary=values["summary"], shared=values["shared"] == "1")
        clinic.add_note(db, clinician=user, patient=patient, note=note, now=now)
    except Refused as exc:
        return _record_page(
            request, db, user, patient, now, status_code=400, errors=exc.lines, form=values
        )
    return RedirectResponse(
        f"/clinic/patients/{patient.id}?flash=Note+saved#notes",
        status_code=status.HTTP_303_SEE_OTHER,
    )


def _program_page(
    request: Request,
    db: Database,
    user: accounts.User,
    patient: accounts.User,
    now: datetime,
    status_code: int = 200,
    find: program_editor.Filters | None = None,
    **extra: Any,
) -> Response:
    accounts.audit(db, patient=patient, actor=user, action="viewed record", now=now)
    ed = program_editor.editor(db, clinician=user, patient=patient)
    catalog = ed.catalog  # psoas's, the clinic's own, and what the program holds
    exercises = {e.id: e for e in catalog.exercises}
    version = None if ed.held_back else ed.state.version
    items = version.program.items if version else ()
    # an item at a catalog level: its own dose range and picture
    exercises.update({i.id: catalog.exercise_at(i.id, i.level) for i in items})
    find = find or program_editor.Filters()
    offered = [e for e in ed.entries if not e.in_program]
    return render(
        request,
        "clinician/program.html",
        figures={i.id: catalog.figure_at(i.id, i.level) for i in items},
        status_code=status_code,
        title=f"Edit the program: {patient.display_name}",
        patient=patient,
        version=version,
        held_back=ed.held_back,
        offered=offered,
        shown={e.exercise.id for e in offered if find.keep(e)},
        find=find,
        choices=ed.choices,
        templates=program_editor.templates(db, clinician=user),
        exercises=exercises,
        sets_cap=sets_cap,
        minutes_cap=minutes_cap,
        reps_cap=reps_cap,
        hold_range=hold_range,
        rest_cap=rest_cap,
        levels={item_id: lv.choices for item_id, lv in ed.levels.items()},
        **extra,
    )


Find = Annotated[str, Query(max_length=100)]


@router.get("/clinic/patients/{patient_id}/program", include_in_schema=False)
def program_page(
    request: Request,
    db: DB,
    now: Now,
    user: Clinician,
    patient_id: PatientId,
    q: Find = "",
    category: Find = "",
    position: Find = "",
    equipment: Find = "",
    target: Find = "",
    flash: str = "",
    refused: bool = False,
) -> Response:
    patient = _own(db, user, patient_id)  # the page audits the view
    find = program_editor.Filters(q.strip(), category, position, equipment, target)
    return _program_page(
        request, db, user, patient, now, find=find, flash=flash[:400], flash_refused=refused
    )


def _number(raw: str, field: str) -> float | None:
    raw = raw.strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):  # "nan", "inf" and 1e400 parse, but are no dose
        raise Refused([f"{field}: must be a number"])
    return value


def _edit_from_form(form: Any, program: Program) -> ProgramEdit:
    """The edit a form asks for: only the doses that differ from the program's."""
    doses: dict[str, DoseChange] = {}
    problems: list[str] = []
    for item in program.items:
        d = item.dose
        try:
            sets = _number(str(form.get(f"sets:{item.id}", "")), f"sets of {item.name}")
            left = _number(str(form.get(f"left:{item.id}", "")), f"left of {item.name}")
            right = _number(str(form.get(f"right:{item.id}", "")), f"right of {item.name}")
            minutes = _number(str(form.get(f"minutes:{item.id}", "")), f"minutes of {item.name}")
        except Refused as exc:
            problems += exc.lines
            continue
        if d.per_side is not None and left is not None and right is not None:
            if (left, right) != (d.per_side.left, d.per_side.right):
                doses[item.id] = DoseChange.model_construct(left=left, right=right)
        elif d.per_side is None and d.sets and sets is not None and sets != d.sets:
            if not float(sets).is_integer():
                problems.append(f"sets of {item.name}: must be a whole number")
                continue
            doses[item.id] = DoseChange.model_construct(sets=int(sets))
        elif (
            d.per_side is None
            and not d.sets
            and d.minutes is not None
            and minutes is not None
            and minutes != d.minutes
        ):
            doses[item.id] = DoseChange.model_construct(minutes=minutes)
    levels: dict[str, str | None] = {}
    notes: dict[str, str] = {}
    places: list[tuple[float, int, str]] = []
    for n, item in enumerate(program.items):
        d = item.dose
        extra: dict[str, int] = {}
        for key, attr in (
            ("reps", "reps"),
            ("hold", "hold_seconds"),
            ("rest", "rest_seconds"),
            ("times", "times_per_day"),
        ):
            try:
                value = _number(str(form.get(f"{key}:{item.id}", "")), f"{key} of {item.name}")
            except Refused as exc:
                problems += exc.lines
                continue
            if value is None or value == getattr(d, attr):
                continue
            if not float(value).is_integer():
                problems.append(f"{key} of {item.name}: must be a whole number")
                continue
            extra[attr] = int(value)
        if extra:
            base = doses[item.id].model_dump(exclude_none=True) if item.id in doses else {}
            fields: dict[str, Any] = {**base, **extra}
            doses[item.id] = DoseChange.model_construct(**fields)
        level = form.get(f"level:{item.id}")
        if level is not None and (str(level) or None) != item.level:
            levels[item.id] = str(level) or None
        note = form.get(f"note:{item.id}")
        if note is not None and " ".join(str(note).split()) != (item.clinician_note or ""):
            notes[item.id] = str(note)
        try:
            place = _number(str(form.get(f"place:{item.id}", "")), f"place of {item.name}")
        except Refused as exc:
            problems += exc.lines
            place = None
        places.append((place if place is not None else n + 1, n, item.id))
    order = [item_id for _, _, item_id in sorted(places)]
    if problems:
        raise Refused(problems)
    return ProgramEdit(
        reason=str(form.get("reason", "")),
        add=[str(v) for v in form.getlist("add") if str(v)],
        remove=[str(v) for v in form.getlist("remove")],
        doses=doses,
        levels=levels,
        notes=notes,
        order=order if order != [i.id for i in program.items] else [],
    )


@router.post("/clinic/patients/{patient_id}/program", include_in_schema=False)
def program_edit(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, form: Form
) -> Response:
    patient = _own(db, user, patient_id)
    state = clinic.current_program(db, clinician=user, patient=patient)
    try:
        if state.version is None:
            raise Refused([f"program: {state.held_back or 'this patient has no program yet'}"])
        edit = _edit_from_form(form, state.version.program)
        saved = clinic.edit_program(db, clinician=user, patient=patient, edit=edit, now=now)
    except Refused as exc:
        return _program_page(
            request,
            db,
            user,
            patient,
            now,
            status_code=400,
            errors=exc.lines,
            reason=str(form.get("reason", "")),
        )
    return RedirectResponse(
        f"/clinic/patients/{patient.id}?flash=Program+version+{saved.version}+saved#program",
        status_code=status.HTTP_303_SEE_OTHER,
    )


def _download(
    request: Request, db: Database, user: accounts.User, patient_id: int, fmt: str, now: datetime
) -> Response:
    """One of the patient's downloads (the registry in services.exports), audited."""
    patient = _own(db, user, patient_id)
    if fmt not in exports.BY_FORMAT:
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"No export called {fmt!r}.")
    try:
        export = exports.export(
            db,
            profile_name=accounts.profile_name_for(patient.id),
            fmt=fmt,
            now=now,
            person=patient.display_name,
            emergency_number=request.app.state.settings.emergency_number,
            audience="clinician",
            time_zone=patient.time_zone,
            app_url=request.app.state.settings.public_url or str(request.base_url),
            clinician_id=user.id,
        )
    except programs.ProgramUnavailable as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, exc.message) from exc
    action = "printed the handout" if fmt == "pdf" else f"exported {fmt}"
    accounts.audit(db, patient=patient, actor=user, action=action, now=now)
    shown = "inline" if fmt == "pdf" else "attachment"  # a handout opens to be printed
    name = export.filename(f"psoas-patient-{patient.id}-")
    return Response(
        export.data,
        media_type=export.media_type,
        headers={"Content-Disposition": f'{shown}; filename="{name}"'},
    )


@router.get("/clinic/patients/{patient_id}/handout.pdf", include_in_schema=False)
def handout(request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId) -> Response:
    return _download(request, db, user, patient_id, "pdf", now)


@router.get("/clinic/patients/{patient_id}/export/{fmt}", include_in_schema=False)
def export_page(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, fmt: str
) -> Response:
    return _download(request, db, user, patient_id, fmt, now)


# --- JSON API -----------------------------------------------------------------------------------

api = APIRouter(prefix="/api/v1", tags=["clinician"])


class Invitation(BaseModel):
    code: str
    signup_url: str
    expires_in_days: int


class PatientDetail(BaseModel):
    patient: PatientRow
    program: ProgramVersion | None = Field(
        description="the current program; null when there is none or a red flag withholds it"
    )
    held_back: str | None = Field(description="why the program is withheld, if it is")
    progress: ProgressSummary
    decision: Decision | None = Field(
        description="what the progression rules would do next; null while the program is held"
    )


class ProblemOut(BaseModel):
    field: str
    message: str


class EditRefused(BaseModel):
    """Every problem, named by field; nothing was saved."""

    detail: list[ProblemOut]


@api.get("/patients", response_model=list[PatientRow])
def api_patients(db: DB, now: Now, user: Clinician) -> list[PatientRow]:
    """Your patients, flagged ones first: triage, adherence, pain trend and flags."""
    return clinic.patient_rows(db, user, now)


@api.post("/invitations", response_model=Invitation, status_code=201)
def api_invite(request: Request, db: DB, now: Now, user: Clinician) -> Invitation:
    """A one-use code (and sign-up link) that joins a new patient to you."""
    code = accounts.create_invitation(db, clinician=user, now=now)
    return Invitation(
        code=code,
        signup_url=_signup_link(request, code),
        expires_in_days=accounts.INVITATION_DAYS,
    )


@api.get("/patients/{patient_id}", response_model=PatientDetail)
def api_patient(db: DB, now: Now, user: Clinician, patient_id: PatientId) -> PatientDetail:
    """One patient: the list's summary, the current program and progress. Audited."""
    patient = _viewed(db, user, patient_id, now)
    rows = clinic.patient_rows(db, user, now, patient_id=patient.id)
    state = clinic.current_program(db, clinician=user, patient=patient)
    report = progress.report(db, profile_name=accounts.profile_name_for(patient.id), now=now)
    return PatientDetail(
        patient=rows[0],
        program=state.version,
        held_back=state.held_back,
        progress=report.summary,
        decision=None if state.held_back else report.decision,
    )


@api.get("/patients/{patient_id}/notes", response_model=list[clinic.Note])
def api_notes(db: DB, now: Now, user: Clinician, patient_id: PatientId) -> list[clinic.Note]:
    """Notes, newest first (a follow-up is an appointment: .../appointments)."""
    patient = _viewed(db, user, patient_id, now)
    return clinic.notes(db, clinician=user, patient=patient)


@api.post(
    "/patients/{patient_id}/notes",
    response_model=clinic.Note,
    status_code=201,
    responses={422: {"model": EditRefused}},
)
def api_add_note(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, note: clinic.NoteIn
) -> clinic.Note:
    """Add a note (book a follow-up as an appointment: .../appointments)."""
    patient = _own(db, user, patient_id)
    return clinic.add_note(db, clinician=user, patient=patient, note=note, now=now)


@api.post(
    "/patients/{patient_id}/program",
    response_model=ProgramVersion,
    status_code=201,
    responses={422: {"model": EditRefused}},
)
def api_edit_program(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, edit: ProgramEdit
) -> ProgramVersion:
    """Add catalog items, take items out or change doses; saved as a new version with your
    reason. Every item must pass the safety rules for the patient's latest intake; a refusal
    (422) names each problem and saves nothing."""
    patient = _own(db, user, patient_id)
    return clinic.edit_program(db, clinician=user, patient=patient, edit=edit, now=now)


class StepOut(BaseModel):
    """A patient's step up or back: asked (pending), approved, declined, or applied at once."""

    id: int
    kind: Literal["progress", "regress"]
    status: Literal["pending", "approved", "declined", "applied"]
    title: str
    asked_at: datetime
    decided_at: datetime | None
    from_version: int
    to_version: int | None
    message: str
    changes: list[str]
    sources: list[str]

    @classmethod
    def of(cls, st: steps.StepRecord) -> StepOut:
        return cls(
            id=st.id,
            kind=st.kind,
            status=st.status,
            title=st.title,
            asked_at=st.asked_at,
            decided_at=st.decided_at,
            from_version=st.from_version,
            to_version=st.to_version,
            message=st.message,
            changes=list(st.changes),
            sources=list(st.sources),
        )


class StepsOut(BaseModel):
    auto_steps: bool = Field(description="a step up applies when the patient asks")
    steps: list[StepOut] = Field(description="waiting requests first, then the newest")


class AutoStepsIn(BaseModel):
    on: bool


class ProblemMessage(BaseModel):
    detail: str


MESSAGE_409: dict[int | str, dict[str, Any]] = {
    409: {"model": ProblemMessage, "description": "Already answered, or no longer applies"}
}


@api.get("/patients/{patient_id}/steps", response_model=StepsOut)
def api_steps(db: DB, now: Now, user: Clinician, patient_id: PatientId) -> StepsOut:
    """The patient's step requests and steps, and whether steps up apply automatically.
    Audited; the steps are no longer news in your list once read."""
    patient = _viewed(db, user, patient_id, now)
    listed = steps.for_patient(db, clinician_id=user.id, patient_id=patient.id)
    steps.mark_seen(db, clinician_id=user.id, patient_id=patient.id, now=now)
    return StepsOut(
        auto_steps=steps.auto_steps(db, patient_id=patient.id),
        steps=[StepOut.of(st) for st in listed],
    )


@api.post(
    "/patients/{patient_id}/steps/{step_id}/approve",
    response_model=ProgramVersion,
    status_code=201,
    responses=MESSAGE_409,
)
def api_approve_step(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, step_id: StepId
) -> ProgramVersion:
    """Approve a waiting step up: decided again as of now, and stored as the next program
    version only if the rules still step up (409 says why not)."""
    patient = _own(db, user, patient_id)
    try:
        version = steps.approve(
            db, clinician_id=user.id, patient_id=patient.id, step_id=step_id, now=now
        )
    except steps.StepError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    accounts.audit(db, patient=patient, actor=user, action="approved a step up", now=now)
    return version


@api.post("/patients/{patient_id}/steps/{step_id}/decline", status_code=204, responses=MESSAGE_409)
def api_decline_step(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, step_id: StepId
) -> Response:
    """Decline a waiting step up: the program stays as it is and the patient is told."""
    patient = _own(db, user, patient_id)
    try:
        steps.decline(db, clinician_id=user.id, patient_id=patient.id, step_id=step_id, now=now)
    except steps.StepError as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc
    accounts.audit(db, patient=patient, actor=user, action="declined a step up", now=now)
    return Response(status_code=204)


@api.put("/patients/{patient_id}/auto-steps", response_model=AutoStepsIn)
def api_auto_steps(
    db: DB, now: Now, user: Clinician, patient_id: PatientId, body: AutoStepsIn
) -> AutoStepsIn:
    """Switch automatic steps on or off for this patient."""
    patient = _own(db, user, patient_id)
    steps.set_auto_steps(db, patient_id=patient.id, on=body.on)
    action = "switched automatic steps on" if body.on else "switched automatic steps off"
    accounts.audit(db, patient=patient, actor=user, action=action, now=now)
    return AutoStepsIn(on=steps.auto_steps(db, patient_id=patient.id))


@api.get(
    "/patients/{patient_id}/export/{fmt}",
    response_class=Response,
    responses={
        200: {
            "content": {
                "application/json": {},
                "text/csv": {},
                "application/fhir+json": {},
                "text/calendar": {},
            }
        }
    },
)
def api_export(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId, fmt: ExportFormat
) -> Response:
    """A JSON backup, a CSV of every logged event, a FHIR R4 bundle or an iCalendar file."""
    return _download(request, db, user, patient_id, fmt, now)


@api.get(
    "/patients/{patient_id}/handout.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def api_handout(
    request: Request, db: DB, now: Now, user: Clinician, patient_id: PatientId
) -> Response:
    """The current program as a printable PDF handout."""
    return handout(request, db, now, user, patient_id)


router.include_router(api)
