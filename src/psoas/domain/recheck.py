"""Rising pain re-asks the warning signs before anything else.

When pain logged after an assessment is clearly higher than the pain that assessment started
from, the warning-sign questions are asked again before the person carries on: a change in
pain can be the first sign of something a home program should not meet. "Clearly higher" is
the smallest change that matters to a person on a 0-10 rating: 2 points (Ostelo 2008).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from psoas.domain.intake import Intake
from psoas.domain.questionnaire import QUESTIONS, Question, RawAnswers, answer, set_path
from psoas.domain.tracking import PainRating
from psoas.domain.triage import WARNING_SIGN_FIELDS

#: Points above the assessment's pain that count as rising (the minimal important change).
PAIN_RISE_POINTS = 2
SOURCES = ("ostelo-2008", "finucane-2020")


def pain_rise(
    intake: Intake, assessed_at: datetime, ratings: Iterable[PainRating]
) -> PainRating | None:
    """The latest rating made after the assessment that is at least ``PAIN_RISE_POINTS``
    above the pain the assessment recorded, or None."""
    later = [r for r in ratings if r.at > assessed_at]
    if not later:
        return None
    latest = max(later, key=lambda r: r.at)
    return latest if has_risen(intake, latest.score) else None


def has_risen(intake: Intake, pain_now: int) -> bool:
    """Whether pain now is at least ``PAIN_RISE_POINTS`` above the pain ``intake`` recorded."""
    return pain_now >= intake.pain.intensity_now + PAIN_RISE_POINTS


def rechecked_intake(intake: Intake, *, answers: dict[str, Any], pain_now: int) -> Intake:
    """The earlier intake with the warning signs answered again and today's pain: the
    document a re-check is assessed from. ``answers`` maps dotted intake paths (the
    questionnaire's warning-sign questions) to the new answers."""
    document: dict[str, Any] = intake.model_dump(mode="json", exclude_none=True)
    document["version"] = 2
    document["pain"]["intensity_now"] = pain_now
    worst = document["pain"].get("intensity_worst_week")
    if worst is not None and worst < pain_now:
        document["pain"]["intensity_worst_week"] = pain_now
    for path, value in answers.items():
        set_path(document, path, value)
    return Intake.model_validate(document)


#: Warning-sign fields a re-check does not ask again: how the pain first started does not change,
#: and a rise in pain already counts as new pain for the rules that read it (see
#: :func:`psoas.domain.triage.triage`).
NOT_ASKED_AGAIN = ("pain.onset",)


def intake_answers(intake: Intake) -> dict[str, Any]:
    """The intake as the questionnaire's answers: values by dotted path."""
    flat: dict[str, Any] = {}

    def walk(node: dict[str, Any], prefix: str) -> None:
        for key, value in node.items():
            if isinstance(value, dict):
                walk(value, f"{prefix}{key}.")
            else:
                flat[f"{prefix}{key}"] = value

    walk(intake.model_dump(mode="json", exclude_none=True), "")
    return flat


def recheck_questions(intake: Intake, answers: Mapping[str, Any]) -> tuple[Question, ...]:
    """Every question a warning-sign rule reads (:data:`WARNING_SIGN_FIELDS`: the warning
    signs, then where it hurts, the legs, blood thinners, an aneurysm, pregnancy, recent injury
    or surgery ...), in the questionnaire's own words and order, that applies to this person
    given their earlier answers and ``answers`` so far. A rule about new pain in the groin on
    blood thinners, for example, can only fire again if where it hurts is asked again."""
    context = {**intake_answers(intake), **answers}
    return tuple(
        q
        for q in QUESTIONS
        if q.path in WARNING_SIGN_FIELDS and q.path not in NOT_ASKED_AGAIN and q.applies(context)
    )


def next_recheck_question(
    intake: Intake, answers: Mapping[str, Any], after: str | None = None
) -> Question | None:
    """The next re-check question after ``after`` (the first when None), given the answers so
    far: what a terminal asks one at a time."""
    order = {q.path: n for n, q in enumerate(QUESTIONS)}
    past = order[after] if after is not None else -1
    return next((q for q in recheck_questions(intake, answers) if order[q.path] > past), None)


def read_recheck(intake: Intake, raw: RawAnswers) -> tuple[dict[str, Any], dict[str, str]]:
    """Read a re-check's raw answers (a web form's values, or what was typed) question by
    question: the answers by path, and what is wrong by path (a bad answer, or a required one
    missing). Several choices left empty on an optional question mean "none of these now"."""
    context = intake_answers(intake)
    answers: dict[str, Any] = {}
    problems: dict[str, str] = {}
    for q in QUESTIONS:
        so_far = {**context, **answers}
        if q.path not in WARNING_SIGN_FIELDS or q.path in NOT_ASKED_AGAIN or not q.applies(so_far):
            continue
        parsed = answer(q, raw.get(q.path, ()), so_far)
        if parsed.problem is not None:
            problems[q.path] = parsed.problem
        elif parsed.value is not None:
            answers[q.path] = parsed.value
        elif q.kind == "multi":
            answers[q.path] = []
    return answers, problems


def kept_answers(intake: Intake) -> dict[str, Any]:
    """The earlier answers a re-check offers to keep: everything but the warning signs
    themselves, which are always answered afresh."""
    before = intake_answers(intake)
    return {
        q.path: before[q.path]
        for q in recheck_questions(intake, {})
        if q.section != "warning" and q.path in before
    }
