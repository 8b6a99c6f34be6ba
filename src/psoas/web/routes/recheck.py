"""The warning signs asked again when pain goes up (/me/recheck).

Rising pain sends the person here before anything else: logging higher pain and opening the
session player both lead here while the check is due. The questions are the questionnaire's
own warning-sign questions; the answers, with today's pain, make a new assessment that holds
the program back after a red flag or makes it again for today's pain.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from psoas.domain.recheck import kept_answers, read_recheck, recheck_questions
from psoas.services import programs, tracking
from psoas.web.deps import DB, Form, Now, Patient
from psoas.web.pages import render

router = APIRouter()


def recheck_due(db: DB, user: Patient) -> bool:
    """True when the person's pain rose since their assessment and the signs were not asked."""
    return tracking.program_state(db, profile_name=user.profile_name).pain_rise is not None


def _raw(value: Any) -> list[str]:
    """An earlier answer as a form would send it."""
    if isinstance(value, bool):
        return ["yes" if value else "no"]
    if isinstance(value, list):
        return [str(v) for v in value]
    return [str(value)]


def _form(
    request: Request,
    db: DB,
    user: Patient,
    *,
    raw: dict[str, list[str]] | None = None,
    problems: dict[str, str] | None = None,
    pain: str = "",
) -> Response:
    state = tracking.program_state(db, profile_name=user.profile_name)
    if state.assessment is None:
        return RedirectResponse("/me", status_code=303)
    intake = state.assessment.intake
    if raw is None:
        raw = {path: _raw(value) for path, value in kept_answers(intake).items()}
    if not pain:
        pain = str(state.pain_rise.score if state.pain_rise else intake.pain.intensity_now)
    problems = problems or {}
    fields = [(q, raw.get(q.path, []), problems.get(q.path)) for q in recheck_questions(intake, {})]
    return render(
        request,
        "patient/recheck.html",
        status_code=400 if problems else 200,
        title="Warning signs again",
        message=programs.recheck_message(state),
        warning=[f for f in fields if f[0].section == "warning"],
        kept=[f for f in fields if f[0].section != "warning"],
        pain_now=pain,
        problems=problems,
    )


@router.get("/me/recheck", include_in_schema=False)
def recheck_page(request: Request, db: DB, user: Patient) -> Response:
    return _form(request, db, user)


@router.post("/me/recheck", include_in_schema=False)
def recheck_post(request: Request, db: DB, now: Now, user: Patient, form: Form) -> Response:
    state = tracking.program_state(db, profile_name=user.profile_name)
    if state.assessment is None:
        return RedirectResponse("/me", status_code=303)
    intake = state.assessment.intake
    raw = {
        q.path: [v.strip()[:200] for v in form.getlist(q.path) if isinstance(v, str) and v.strip()]
        for q in recheck_questions(intake, {})
    }
    answers, problems = read_recheck(intake, raw)
    raw_pain = str(form.get("pain_now", "")).strip()
    if not raw_pain.isdigit() or not 0 <= int(raw_pain) <= 10:
        problems["pain_now"] = "rate your pain now, from 0 to 10"
    if problems:
        return _form(request, db, user, raw=raw, problems=problems, pain=raw_pain[:3])
    tracking.recheck(
        db, profile_name=user.profile_name, answers=answers, pain_now=int(raw_pain), now=now
    )
    return RedirectResponse("/me", status_code=303)
