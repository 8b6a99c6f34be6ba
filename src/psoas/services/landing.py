"""What the landing page says about the time psoas takes, from the questionnaire and the
program builder themselves, so that the page never promises other numbers than they use."""

from __future__ import annotations

import math
from dataclasses import dataclass

from psoas.domain import questionnaire
from psoas.domain.program import DEFAULT_MINUTES_PER_DAY

#: A question's answer takes about this long (most are a tap: yes or no, a choice, a number).
SECONDS_PER_QUESTION = 15
#: The clinician's examination findings: optional, and not counted in a person's own time.
OPTIONAL_SECTIONS = ("exam",)


@dataclass(frozen=True)
class TimeItTakes:
    questions: int  # asked of everyone (more only where an answer calls for them)
    minutes_to_answer: int
    minutes_per_day: int  # the program's length when the person does not say
    fewest_minutes: int  # the shortest and longest a person may ask for
    most_minutes: int


def time_it_takes() -> TimeItTakes:
    asked = [q for q in questionnaire.visible_questions({}) if q.section not in OPTIONAL_SECTIONS]
    budget = questionnaire.BY_PATH["preferences.minutes_per_day"]
    return TimeItTakes(
        questions=len(asked),
        minutes_to_answer=math.ceil(len(asked) * SECONDS_PER_QUESTION / 60),
        minutes_per_day=DEFAULT_MINUTES_PER_DAY,
        fewest_minutes=int(budget.minimum or 0),
        most_minutes=int(budget.maximum or 0),
    )
