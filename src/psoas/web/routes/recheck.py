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

from psoas.domain.recheck import recheck_questions
from psoas.services import programs, tracking
from psoas.web.app import render
from psoas.web.deps import DB, Form, Now, Patient

router = APIRouter()


def recheck_due(db: DB, user: Patient) -> bool:
    """True when the person's pain rose since their assessment and the signs were not asked."""
    return tracking.program_state(db, profile_name=user.profile_name).pain_rise is not None


def _form(request: Request, db: DB, user: Patient, *, problem: str = "") -> Response:
    state = tracking.program_state(db, profile_name=user.profile_name)
    if state.assessment is None:
        return RedirectResponse("/me", status_code=303)
    intake = state.assessment.intake
    pain_now = state.pain_rise.score if state.pain_rise else intake.pain.intensity_now
    return render(
        request,
        "patient/recheck.html",
        status_code=400 if problem else 200,
        title="Warning signs again",
        message=programs.recheck_message(state),
        questions=recheck_questions(intake, {}),
        pain_now=pain_now,
        problem=problem,
    )


@router.get("/me/recheck", include_in_schema=False)
def recheck_page(request: Request, db: DB, user: Patient) -> Response:
    return _form(request, db, user)


@router.post("/me/recheck", include_in_schema=False)
def recheck_post(request: Request, db: DB, now: Now, user: Patient, form: Form) -> Response:
    state = tracking.program_state(db, profile_name=user.profile_name)
    if state.assessment is None:
        return RedirectResponse("/me", status_code=303)
    answers: dict[str, Any] = {}
    for q in recheck_questions(state.assessment.intake, {}):
        raw = str(form.get(q.path, ""))
        allowed = ("yes", "no") if q.kind == "yes_no" else tuple(v for v, _ in q.choices)
        if raw not in allowed:
            return _form(request, db, user, problem=f"Please answer: {q.text}")
        answers[q.path] = (raw == "yes") if q.kind == "yes_no" else raw
    raw_pain = str(form.get("pain_now", "")).strip()
    if not raw_pain.isdigit() or not 0 <= int(raw_pain) <= 10:
        return _form(request, db, user, problem="Please rate your pain now, from 0 to 10.")
    tracking.recheck(
        db, profile_name=user.profile_name, answers=answers, pain_now=int(raw_pain), now=now
    )
    return RedirectResponse("/me", status_code=303)
