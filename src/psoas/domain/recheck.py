"""Rising pain re-asks the warning signs before anything else.

When pain logged after an assessment is clearly higher than the pain that assessment started
from, the warning-sign questions are asked again before the person carries on: a change in
pain can be the first sign of something a home program should not meet. "Clearly higher" is
the smallest change that matters to a person on a 0-10 rating: 2 points (Ostelo 2008).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from psoas.domain.intake import Intake
from psoas.domain.questionnaire import QUESTIONS, Question, set_path
from psoas.domain.tracking import PainRating

#: Points above the assessment's pain that count as rising (the minimal important change).
PAIN_RISE_POINTS = 2
SOURCES = ("ostelo-2008", "finucane-2020")


def pain_rise(
    intake: Intake, assessed_at: datetime, ratings: Iterable[PainRating]
) -> PainRating | None:
    """The latest rating made after the assessment that is at least ``PAIN_RISE_POINTS``
    above the pain the assessment recorded, or None."""
    start = intake.pain.intensity_now
    later = [r for r in ratings if r.at > assessed_at]
    if not later:
        return None
    latest = max(later, key=lambda r: r.at)
    return latest if latest.score >= start + PAIN_RISE_POINTS else None


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


def recheck_questions(intake: Intake, answers: dict[str, Any]) -> tuple[Question, ...]:
    """The warning-sign questions, asked again in the questionnaire's own words and order."""
    return tuple(q for q in QUESTIONS if q.section == "warning" and q.kind in ("yes_no", "choice"))
