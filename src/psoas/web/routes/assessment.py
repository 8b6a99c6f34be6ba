"""The assessment as a step-by-step form (/me/assess) and its result (/me/result).

Warning signs come first; an emergency stops the questions at once and says where to go. The
questions, their skips and how answers are read come from :mod:`psoas.domain.questionnaire`,
the same list the terminal asks.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from psoas.domain.errors import InputError
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
from psoas.domain.triage import LEVEL_TITLES
from psoas.reports import result_text
from psoas.services import outcomes, patient_web
from psoas.services.plain_words import plain_message
from psoas.web.deps import DB, Form, Now, Patient
from psoas.web.pages import patient_page

router = APIRouter()

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
            problem=plain_message(problems[q.path]) if q.path in problems else None,
            when=q.when if conditional_on_page(q) else None,
        )
        for q in questions_on_page(section, read_answers(raw).answers)
    ]
    here = {f.q.path for f in fields}
    hidden = [(p, v) for p, values in raw.items() if p not in here for v in values]
    listed = [(f.id, f.q.text, plain_message(f.problem)) for f in fields if f.problem]
    for path, message in problems.items():  # problems with answers on other steps
        if path not in here:
            q = BY_PATH.get(path)
            # never a field path: the question, else the answers as a whole
            listed.append(("", q.text if q else "Your answers", plain_message(message)))
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
    return patient_page(
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
def assess_page(request: Request, now: Now, user: Patient) -> Response:
    age = outcomes.age(user, now)  # from the birth date the person gave, if any
    return _render_step(request, 0, {"person.age": [str(age)]} if age is not None else {})


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
        return patient_page(
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
        return patient_page(request, "no_assessment.html", title="Your result", offline="forget")
    a = latest.result
    return patient_page(
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
