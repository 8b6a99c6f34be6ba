"""Whether a person's home program may be shown: the one place that decides it.

A warning sign in the latest assessment (emergency or urgent triage) holds back every program
version, the ones saved before it included, on every surface: the terminal, the web pages, the
API, the player, the break coach, the handout, the calendar and the progress decision. Every
surface asks :func:`state` (or :func:`state_in`) and words the hold with :func:`held_back_message`,
so the rule and its wording live here only.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from sqlalchemy.orm import Session

from psoas.domain.recheck import pain_rise
from psoas.domain.results import Assessment
from psoas.domain.tracking import PainRating, ProgramVersion, StoredAssessment
from psoas.domain.triage import withholds_program
from psoas.storage import repo

Audience = Literal["patient", "clinician"]

NO_PROGRAM = "There is no home program yet: answer the assessment questions first."
NO_PROGRAM_CLINICIAN = "This patient has no program yet."


def holds_back(result: Assessment) -> bool:
    """True when this assessment withholds the home program."""
    return result.program is None or withholds_program(result.triage.level)


def held_back_message(level: str, *, audience: Audience = "patient") -> str:
    """Why the program is held back (``level`` is the triage level that holds it), in one
    wording for every surface."""
    what = level.replace("_", " ")
    if audience == "clinician":
        return (
            f"The latest assessment found warning signs ({what}). The home program is held back "
            "until a doctor has checked them: record the doctor's clearance on the patient's "
            "page, or the patient answers the questions again."
        )
    return (
        f"Your home program is held back: your latest answers found warning signs ({what}). "
        "No exercises are shown until a doctor has seen you; then your clinician records the "
        "doctor's clearance, or you answer the questions again."
    )


class ProgramUnavailable(LookupError):
    """There is no program to show: none yet, or held back by a warning sign."""

    def __init__(self, message: str, *, held_back: bool):
        super().__init__(message)
        self.message = message
        self.held_back = held_back


@dataclass(frozen=True)
class ProgramState:
    """The latest assessment and the program version that may be shown (None when held back
    or when there is none)."""

    assessment: StoredAssessment | None
    version: ProgramVersion | None
    pain_rise: PainRating | None = None  # pain clearly up since the assessment: re-check first

    @property
    def held_back(self) -> bool:
        return self.assessment is not None and holds_back(self.assessment.result)

    def message(self, *, audience: Audience = "patient") -> str | None:
        """Why there is no program to show, or None when there is one."""
        if self.held_back:
            assert self.assessment is not None
            return held_back_message(self.assessment.result.triage.level, audience=audience)
        if self.version is None:
            return NO_PROGRAM if audience == "patient" else NO_PROGRAM_CLINICIAN
        return None

    def require(self, *, audience: Audience = "patient") -> ProgramVersion:
        """The version to follow, or :class:`ProgramUnavailable` saying why there is none."""
        if self.version is None:
            message = self.message(audience=audience) or NO_PROGRAM
            raise ProgramUnavailable(message, held_back=self.held_back)
        return self.version


def state_in(s: Session, *, profile_id: int | None = None, name: str | None = None) -> ProgramState:
    """The program state of one profile (by id or name), read in an open database session
    (NotFound without it)."""
    found = repo.heads(s, profile_id=profile_id, name=name)  # one query, on every program page
    latest = found.assessment
    if latest is not None and holds_back(latest.result):
        return ProgramState(assessment=latest, version=None)
    rise = None
    if latest is not None:
        newest = [found.newest_pain] if found.newest_pain else []
        rise = pain_rise(latest.intake, latest.created_at, newest)
    version = found.program
    if version is not None and latest is not None:  # a clinic's exercise faces the rules again
        version = _clinic_items_checked(s, version, latest)
    return ProgramState(assessment=latest, version=version, pain_rise=rise)


def _clinic_items_checked(
    s: Session, version: ProgramVersion, latest: StoredAssessment
) -> ProgramVersion:
    from psoas.services import custom_exercises as custom

    ids = custom.program_ids(version.program)
    if not any(custom.is_clinic_item(i) for i in ids):
        return version  # no query: psoas's own items were judged when the program was made
    catalog = custom.catalog_holding_in(s, ids)
    program = custom.held_to_rules(version.program, latest.intake, latest.result.triage, catalog)
    return (
        version if program is version.program else version.model_copy(update={"program": program})
    )


RECHECK_MESSAGE = (
    "Your pain has gone up since your last assessment (from {start} to {now} out of 10). "
    "Before anything else, please answer the warning-sign questions again: it takes a minute, "
    "and it tells you whether to carry on or to see someone first."
)


def recheck_message(state: ProgramState) -> str | None:
    """What to tell the person when rising pain calls for the warning signs again."""
    if state.pain_rise is None or state.assessment is None:
        return None
    start = state.assessment.intake.pain.intensity_now
    return RECHECK_MESSAGE.format(start=start, now=state.pain_rise.score)
