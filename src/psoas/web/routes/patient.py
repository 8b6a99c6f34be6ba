"""The patient's pages (/me...) and their JSON twins (/api/v1/me/...).

Pages and API call the same functions in :mod:`psoas.services.patient_web`. Health data only
ever travels in POST bodies and responses, never in a URL; times come from the ``Now``
dependency; bad input names the field and saves nothing.
"""

from __future__ import annotations

import copy
import json
import math
from dataclasses import dataclass, field
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from starlette.datastructures import FormData

from psoas.domain.errors import InputError, Problem
from psoas.domain.progression import Decision, ProgressSummary, decision_title
from psoas.domain.questionnaire import (
    BY_PATH,
    QUESTIONS,
    SECTION_ORDER,
    SECTIONS,
    Question,
    Reading,
    conditional_on_page,
    intake_document,
    questions_on_page,
    read_answers,
)
from psoas.domain.results import Assessment
from psoas.domain.tracking import PainRating, ProgramVersion, PsfsEntry, Retest
from psoas.domain.triage import LEVEL_TITLES
from psoas.reports import result_text
from psoas.services import exports, patient_web, programs
from psoas.services.schemas import json_schema
from psoas.web.deps import DB, Form, Now, Patient
from psoas.web.pages import render
from psoas.web.routes import recheck

router = APIRouter()

# --- shared helpers ----------------------------------------------------------------------------


async def json_body(request: Request) -> Any:
    """The JSON body, read here so that validation errors come back naming each field."""
    raw = await request.body()
    try:
        return json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise InputError([Problem("(document)", "must be a JSON document")]) from exc


Body = Annotated[Any, Depends(json_body)]


def _page(request: Request, name: str, status_code: int = 200, **context: Any) -> Response:
    return render(request, f"patient/{name}", status_code=status_code, **context)


SAVED = {
    "pain": "Today's pain is saved.",
    "psfs": "Your activities are saved.",
    "retest": "The re-test is saved.",
    "applied": "Your program is updated: the new version is below.",
}

# --- the assessment, step by step ----------------------------------------------------------------
# Which questions a page shows, how each answer is read and the intake the answers make all come
# from psoas.domain.questionnaire, the same functions the terminal questionnaire uses.

STEPS: tuple[str, ...] = SECTION_ORDER
STEP_TITLES = {**SECTIONS, "warning": "Warning signs", "exam": "Examination findings (optional)"}
STEP_INTROS = {
    "about": "A few questions, one page at a time. Your answers stay on this page until the "
    "end; nothing is saved until you see your result.",
    "warning": "These come first because they change what you should do. Answer each one.",
    "pain": "Tell us about the pain itself.",
    "daily": "How you spend your day: sitting is the usual load on the hip flexors.",
    "health": "These decide which exercises are safe for you. Answer each one.",
    "ability": "So that nothing needs standing, the floor, kneeling or equipment that does not "
    "suit you.",
    "screening": "Optional: these help shape the advice, for example about work and worries. "
    "Skip any you prefer not to answer.",
    "preferences": "Leave it empty if you are not sure; the program then keeps to about "
    "20 minutes.",
    "exam": "Only if a physiotherapist or doctor examined you and gave you these findings. "
    "Otherwise leave them empty and press See my result.",
}

Raw = dict[str, list[str]]


def _raw_answers(form: FormData) -> Raw:
    """Every answer in the form as the strings sent (the current step and the hidden fields)."""
    out: Raw = {}
    for q in QUESTIONS:
        values = [v.strip() for v in form.getlist(q.path) if isinstance(v, str)]
        values = [v[:200] for v in values if v.strip()]
        if values:
            out[q.path] = values
    return out


def _step_problems(section: str, reading: Reading) -> dict[str, str]:
    return {p: m for p, m in reading.problems.items() if BY_PATH[p].section == section}


@dataclass
class Field:
    q: Question
    id: str
    values: list[str]
    problem: str | None = None
    when: str | None = None  # shown with its condition: it depends on an answer on this page


@dataclass
class StepPage:
    index: int
    section: str
    fields: list[Field]
    hidden: list[tuple[str, str]]
    problems: list[tuple[str, str, str]] = field(default_factory=list)  # (id, label, message)


def _step_page(index: int, raw: Raw, problems: dict[str, str] | None = None) -> StepPage:
    section = STEPS[index]
    problems = problems or {}
    fields = [
        Field(
            q=q,
            id="f-" + q.path.replace(".", "-"),
            values=raw.get(q.path, []),
            problem=problems.get(q.path),
            when=q.when if conditional_on_page(q) else None,
        )
        for q in questions_on_page(section, read_answers(raw).answers)
    ]
    here = {f.q.path for f in fields}
    hidden = [(p, v) for p, values in raw.items() if p not in here for v in values]
    listed = [(f.id, f.q.text, f.problem) for f in fields if f.problem]
    for path, message in problems.items():  # problems with answers on other steps
        if path not in here:
            q = BY_PATH.get(path)
            listed.append(("", q.text if q else path, message))
    return StepPage(
        index=index,
        section=section,
        fields=fields,
        hidden=hidden,
        problems=[(i, label, m) for i, label, m in listed if m],
    )


def _render_step(
    request: Request, index: int, raw: Raw, problems: dict[str, str] | None = None
) -> Response:
    page = _step_page(index, raw, problems)
    return _page(
        request,
        "assess.html",
        status_code=400 if problems else 200,
        title="Assessment",
        step=page,
        steps=STEPS,
        step_titles=STEP_TITLES,
        intro=STEP_INTROS[page.section],
    )


@router.get("/me/assess", include_in_schema=False)
def assess_page(request: Request, user: Patient) -> Response:
    return _render_step(request, 0, {})


@router.post("/me/assess", include_in_schema=False)
def assess_step(request: Request, db: DB, now: Now, user: Patient, form: Form) -> Response:
    try:
        index = min(max(int(str(form.get("step", "0"))), 0), len(STEPS) - 1)
    except ValueError:
        index = 0
    raw = _raw_answers(form)
    if form.get("action") == "back":
        return _render_step(request, max(index - 1, 0), raw)
    reading = read_answers(raw)
    # An emergency stops the questions at once, even with another answer on the page missing.
    stopped = patient_web.stop_for_emergency(
        db, profile_name=user.profile_name, answers=reading.answers, now=now
    )
    if stopped is not None:
        return _page(
            request,
            "stop.html",
            title="Get help now",
            triage=stopped.triage,
            refs=_refs(stopped),
            offline="forget",
        )
    problems = _step_problems(STEPS[index], reading)
    if problems:
        return _render_step(request, index, raw, problems)
    if index < len(STEPS) - 1:
        return _render_step(request, index + 1, raw)
    for earlier, section in enumerate(STEPS):  # answers carried from earlier steps
        problems = _step_problems(section, reading)
        if problems:
            return _render_step(request, earlier, raw, problems)
    try:
        patient_web.assess(
            db,
            profile_name=user.profile_name,
            document=intake_document(reading.answers),
            now=now,
        )
    except InputError as exc:
        found = {p.field: p.message for p in exc.problems}
        sections = [BY_PATH[p].section for p in found if p in BY_PATH]
        at = min((STEPS.index(s) for s in sections), default=len(STEPS) - 1)
        return _render_step(request, at, raw, found)
    return RedirectResponse("/me/result", status_code=303)


def _refs(a: Assessment) -> list[Any]:
    """The works the page cites. A held-back result shows no hip-flexor findings (they are
    set aside until a doctor has checked the warning signs), so it cites none of theirs."""
    return patient_web.cited_references(result_text.patient_cited_keys(a))


@router.get("/me/result", include_in_schema=False)
def result_page(request: Request, db: DB, user: Patient) -> Response:
    latest = patient_web.latest_assessment(db, profile_name=user.profile_name)
    if latest is None:
        return _page(request, "no_assessment.html", title="Your result", offline="forget")
    a = latest.result
    return _page(
        request,
        "result.html",
        title="Your result",
        stored=latest,
        a=a,
        level_titles=LEVEL_TITLES,
        items=patient_web.program_items(a.program) if a.program else [],
        refs=_refs(a),
        offline="" if a.program else "forget",
    )


# --- the program ---------------------------------------------------------------------------------


@router.get("/me", include_in_schema=False)
def home(request: Request, db: DB, user: Patient, saved: str = "") -> Response:
    state = patient_web.program_state(db, profile_name=user.profile_name)
    return _page(
        request,
        "home.html",
        title="My program",
        flash=SAVED.get(saved, ""),
        state=state,
        view=patient_web.program_view(state.version) if state.version else None,
        level_titles=LEVEL_TITLES,
        recheck=programs.recheck_message(state),
        offline="" if state.version else "forget",
    )


def _attachment(export: exports.Export) -> Response:
    return Response(
        export.data,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename()}"'},
    )


@router.get("/me/download/{name}", include_in_schema=False)
def download(request: Request, db: DB, now: Now, user: Patient, name: str) -> Response:
    download = exports.BY_NAME.get(name)
    if download is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such download.")
    try:
        export = exports.export(
            db,
            profile_name=user.profile_name,
            fmt=download.fmt,
            now=now,
            person=user.display_name,
            emergency_number=request.app.state.settings.emergency_number,
        )
    except patient_web.Unavailable as exc:
        return _page(
            request,
            "unavailable.html",
            status_code=404,
            title="Held back" if exc.held_back else "No program yet",
            message=exc.message,
            held_back=exc.held_back,
            offline="forget",
        )
    return _attachment(export)


# --- logging -------------------------------------------------------------------------------------

PSFS_ROWS = 5
LOG_LABELS = {
    "score": "Pain today (0-10)",
    "activities": "Your activities",
    "retest": "Re-test",
    "thomas_left_hip_deg": "Thomas test, left hip angle",
    "thomas_right_hip_deg": "Thomas test, right hip angle",
    "thomas_left_knee_deg": "Thomas test, left knee angle",
    "thomas_right_knee_deg": "Thomas test, right knee angle",
    "resisted_left": "Resisted hip flexion, left",
    "resisted_right": "Resisted hip flexion, right",
}
RETEST_FIELDS = (
    "thomas_left_hip_deg",
    "thomas_right_hip_deg",
    "thomas_left_knee_deg",
    "thomas_right_knee_deg",
)
MISSING = object()


def _number(raw: Any) -> Any:
    """A form value as a number where it is one; empty is MISSING; other text stays text (and
    is refused by the validation that follows, naming the field)."""
    text = str(raw or "").strip()
    if not text:
        return MISSING
    for kind in (int, float):
        try:
            value = kind(text)
        except ValueError:
            continue
        return value if math.isfinite(value) else text
    return text


def _label(problem_field: str, rows: list[int]) -> str:
    if problem_field.startswith("activities["):
        index = int(problem_field[len("activities[") : problem_field.index("]")])
        row = rows[index] if index < len(rows) else index + 1
        part = "Score for activity" if problem_field.endswith(".score") else "Activity"
        return f"{part} {row}"
    return LOG_LABELS.get(problem_field, problem_field)


def _log_context(db: DB, user: Patient) -> dict[str, Any]:
    names = patient_web.last_psfs_activities(db, profile_name=user.profile_name)
    return {"psfs_rows": [(n, "") for n in names] + [("", "")] * (PSFS_ROWS - len(names))}


@router.get("/me/log", include_in_schema=False)
def log_page(request: Request, db: DB, user: Patient, saved: str = "") -> Response:
    held_back = patient_web.program_state(db, profile_name=user.profile_name).held_back
    return _page(
        request,
        "log.html",
        offline="forget" if held_back else "",
        title="Log",
        flash=SAVED.get(saved, ""),
        errors={},
        values={},
        **_log_context(db, user),
    )


@router.post("/me/log", include_in_schema=False)
def log_post(request: Request, db: DB, now: Now, user: Patient, form: Form) -> Response:
    kind = str(form.get("kind", ""))
    rows: list[int] = []
    values: dict[str, str] = {k: str(v) for k, v in form.items() if k != "csrf_token"}
    try:
        if kind == "pain":
            data = {"score": _number(form.get("score"))}
            patient_web.record_pain(
                db, profile_name=user.profile_name, data=_present(data), now=now
            )
        elif kind == "psfs":
            activities = []
            for row in range(1, PSFS_ROWS + 1):
                entry = {
                    "activity": str(form.get(f"activity_{row}", "")).strip() or MISSING,
                    "score": _number(form.get(f"score_{row}")),
                }
                if entry["activity"] is MISSING and entry["score"] is MISSING:
                    continue
                rows.append(row)
                activities.append(_present(entry))
            patient_web.record_psfs(
                db, profile_name=user.profile_name, data={"activities": activities}, now=now
            )
        elif kind == "retest":
            data = {f: _number(form.get(f)) for f in RETEST_FIELDS}
            for side in ("resisted_left", "resisted_right"):
                data[side] = str(form.get(side, "")).strip() or MISSING
            patient_web.record_retest(
                db, profile_name=user.profile_name, data=_present(data), now=now
            )
        else:
            raise HTTPException(status.HTTP_404_NOT_FOUND, "There is no such log.")
    except InputError as exc:
        context = _log_context(db, user)
        if kind == "psfs":
            context["psfs_rows"] = [
                (values.get(f"activity_{r}", ""), values.get(f"score_{r}", ""))
                for r in range(1, PSFS_ROWS + 1)
            ]
        return _page(
            request,
            "log.html",
            status_code=400,
            title="Log",
            errors={kind: [(_label(p.field, rows), p.message) for p in exc.problems]},
            values=values,
            **context,
        )
    if kind == "pain" and recheck.recheck_due(db, user):
        return RedirectResponse("/me/recheck", status_code=303)
    return RedirectResponse(f"/me/log?saved={kind}", status_code=303)


def _present(data: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in data.items() if v is not MISSING}


# --- progress ------------------------------------------------------------------------------------


def _progress_page(
    request: Request, db: DB, now: Now, user: Patient, *, flash: str = "", problem: str = ""
) -> Response:
    view = patient_web.progress_view(db, profile_name=user.profile_name, now=now)
    return _page(
        request,
        "progress.html",
        status_code=409 if problem else 200,
        title="Progress",
        view=view,
        s=view.summary,
        decision_title=decision_title,
        refs=patient_web.cited_references(
            [k for r in view.summary.readings for k in r.sources]
            + list(view.decision.sources if view.decision else ())
        ),
        flash=flash,
        errors=[problem] if problem else [],
        offline="forget" if view.held_back else "",
    )


@router.get("/me/progress", include_in_schema=False)
def progress_page(request: Request, db: DB, now: Now, user: Patient, saved: str = "") -> Response:
    return _progress_page(request, db, now, user, flash=SAVED.get(saved, ""))


@router.post("/me/progress", include_in_schema=False)
def progress_apply(request: Request, db: DB, now: Now, user: Patient) -> Response:
    try:
        patient_web.apply_progress(db, profile_name=user.profile_name, now=now)
    except (patient_web.Unavailable, patient_web.NothingToApply) as exc:
        return _progress_page(request, db, now, user, problem=str(exc))
    return RedirectResponse("/me?saved=applied", status_code=303)


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
def api_program(user: Patient, db: DB) -> ProgramVersion:
    """The current program version; 404 when there is none or a warning sign holds it back."""
    return patient_web.require_program(db, profile_name=user.profile_name)


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


@router.post(
    "/api/v1/me/progress/apply",
    response_model=ProgramVersion,
    status_code=201,
    responses={409: {"model": MessageOut, "description": "Nothing to apply, or held back"}},
    tags=["patient"],
)
def api_progress_apply(user: Patient, db: DB, now: Now) -> ProgramVersion:
    """Store today's decision as the next program version (decided again now)."""
    try:
        return patient_web.apply_progress(db, profile_name=user.profile_name, now=now)
    except (patient_web.Unavailable, patient_web.NothingToApply) as exc:
        raise HTTPException(status.HTTP_409_CONFLICT, str(exc)) from exc


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
    )
    return _attachment(export)
