"""The patient's pages (/me, downloads, logging, progress); the assessment form is in
:mod:`psoas.web.routes.assessment` and the JSON twins in :mod:`psoas.web.routes.patient_api`.

Pages and API call the same functions in :mod:`psoas.services.patient_web`. Health data only
ever travels in POST bodies and responses, never in a URL; times come from the ``Now``
dependency; bad input names the field and saves nothing.
"""

from __future__ import annotations

import math
from typing import Any

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import RedirectResponse, Response

from psoas.domain.errors import InputError
from psoas.domain.triage import LEVEL_TITLES
from psoas.services import (
    care_team,
    charts,
    exports,
    outcomes,
    patient_web,
    plain_words,
    programs,
)
from psoas.web import program_page
from psoas.web.deps import DB, Form, Now, Patient
from psoas.web.pages import attachment, patient_page
from psoas.web.routes import recheck

router = APIRouter()

# --- shared helpers ----------------------------------------------------------------------------


SAVED = {
    "pain": "Today's pain is saved.",
    "psfs": "Your activities are saved.",
    "retest": "The re-test is saved.",
    "applied": "Your program is updated: the new version is below.",
    "asked": "Sent to your clinician: your program steps up once they approve it.",
    "change": "Thank you: your rating is saved.",
}

# --- the program ---------------------------------------------------------------------------------


@router.get("/me", include_in_schema=False)
def home(request: Request, db: DB, user: Patient, saved: str = "") -> Response:
    state = patient_web.program_state(db, profile_name=user.profile_name)
    return patient_page(
        request,
        "home.html",
        title="My program",
        flash=SAVED.get(saved, ""),
        state=state,
        body=program_page.body(state.version) if state.version else None,
        level_titles=LEVEL_TITLES,
        recheck=programs.recheck_message(state),
        waiting=care_team.waiting(db, patient=user) if user.team_requests else [],
        offline="" if state.version else "forget",
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
            time_zone=user.time_zone,
            app_url=request.app.state.settings.public_url or str(request.base_url),
        )
    except patient_web.Unavailable as exc:
        return patient_page(
            request,
            "unavailable.html",
            status_code=404,
            title="Held back" if exc.held_back else "No program yet",
            message=exc.message,
            held_back=exc.held_back,
            offline="forget",
        )
    return attachment(export)


# --- logging -------------------------------------------------------------------------------------

PSFS_ROWS = 5
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


def _log_context(db: DB, user: Patient) -> dict[str, Any]:
    names = patient_web.last_psfs_activities(db, profile_name=user.profile_name)
    return {"psfs_rows": [(n, "") for n in names] + [("", "")] * (PSFS_ROWS - len(names))}


@router.get("/me/log", include_in_schema=False)
def log_page(request: Request, db: DB, user: Patient, saved: str = "") -> Response:
    held_back = patient_web.program_state(db, profile_name=user.profile_name).held_back
    return patient_page(
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
        return patient_page(
            request,
            "log.html",
            status_code=400,
            title="Log",
            errors={kind: plain_words.log_problems(kind, exc.problems, rows)},
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
    scored = outcomes.scores(db, patient_id=user.id)
    view = patient_web.progress_view(
        db, profile_name=user.profile_name, now=now, tz=user.time_zone or "UTC", scored=scored
    )
    change_panel = outcomes.panel(scored, patient=user, now=now)
    return patient_page(
        request,
        "progress.html",
        status_code=409 if problem else 200,
        title="Progress",
        view=view,
        s=view.summary,
        charts_json=charts.charts_json(view.charts),
        change_panel=change_panel,
        refs=patient_web.cited_references(
            [k for r in view.summary.readings for k in r.sources]
            + list(view.decision.sources if view.decision else ())
            + change_panel.sources
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
        outcome = patient_web.apply_progress(db, profile_name=user.profile_name, now=now)
    except (patient_web.Unavailable, patient_web.NothingToApply) as exc:
        return _progress_page(request, db, now, user, problem=str(exc))
    if outcome.asked is not None:  # a linked patient: the clinician approves or declines
        return RedirectResponse("/me/progress?saved=asked", status_code=303)
    return RedirectResponse("/me?saved=applied", status_code=303)
