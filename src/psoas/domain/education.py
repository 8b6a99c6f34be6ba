"""Education: which of the catalog's advice cards this person gets.

The cards are data (``psoas/catalog/data/education.yaml``); each names its audiences. This module
works out which audiences apply to one person and returns their cards in catalog order. Nothing is
offered under an emergency or urgent result: getting seen comes first, and reassurance there
would be out of place. A STarT Back result scored elsewhere is read into a risk group with the
published cut-offs (Hill 2011); its numbers are never shown, only what the answers suggest.
"""

from __future__ import annotations

import re
from typing import Literal

from psoas.domain.catalog import Audience, Catalog
from psoas.domain.intake import Intake
from psoas.domain.results import EducationCardOut, Triage
from psoas.domain.triage import withholds_program

StartBackRisk = Literal["low", "medium", "high"]

#: STarT Back cut-offs (Hill 2011): a total of 3 or less is low risk; 4 or more is medium risk
#: with a psychosocial subscale of 3 or less, high risk with 4 or more.
START_BACK_TOTAL_CUTOFF = 4
START_BACK_PSYCHOSOCIAL_CUTOFF = 4
#: Sitting this many hours a day or more makes a heavy sitter (the program's threshold too).
HEAVY_SITTING_HOURS = 6
ADULT_AGE = 16

#: Occupations whose work is driving. Whole words only, so "business", "cabinet maker" or
#: "screwdriver" never count.
DRIVING_JOBS = re.compile(
    r"\b(driv(?:er|ers|ing|es?)|taxi|cab|cabbie|chauffeur|lorry|truck|trucker|trucking|hgv|lgv|"
    r"bus|coach driver|courier|haulage|haulier|van)\b",
    re.IGNORECASE,
)
_OFF_WORK = frozenset({"off_work_because_of_pain", "working_reduced_or_light_duties"})


def start_back_risk(intake: Intake) -> StartBackRisk | None:
    """The risk group of the STarT Back result in the intake, or None when none was entered."""
    result = intake.screening.start_back
    if result is None:
        return None
    if result.total < START_BACK_TOTAL_CUTOFF:
        return "low"
    if result.psychosocial >= START_BACK_PSYCHOSOCIAL_CUTOFF:
        return "high"
    return "medium"


def drives_for_a_living(intake: Intake) -> bool:
    """Whether the occupation the person gave is a driving job."""
    occupation = intake.daily_life.occupation
    return bool(occupation and DRIVING_JOBS.search(occupation))


def _can_stand(intake: Intake) -> bool:
    ability = intake.equipment_and_ability
    return ability.can_stand_unaided is not False and ability.uses_wheelchair is not True


def audiences(intake: Intake, triage: Triage) -> frozenset[Audience]:
    """Every audience this person belongs to (empty when the result withholds the program)."""
    if withholds_program(triage.level):
        return frozenset()
    found: set[Audience] = {"everyone"}
    if intake.person.age >= ADULT_AGE:
        found.add("adults")
    if intake.screening.work_status in _OFF_WORK:
        found.add("off_work_or_light_duties")
    driver = drives_for_a_living(intake)
    if driver:
        found.add("drives_for_a_living")
    daily = intake.daily_life
    if (
        daily.sitting_hours_per_day >= HEAVY_SITTING_HOURS
        and not daily.has_standing_desk
        and not driver
        and _can_stand(intake)
    ):
        found.add("heavy_sitter_without_standing_desk")
    risk = start_back_risk(intake)
    if risk == "low":
        found.add("start_back_low")
    elif risk == "medium":
        found.add("start_back_medium")
    elif risk == "high":
        found.add("start_back_high")
    found.update(intake.screening.concerns)
    return frozenset(found)


def education_for(intake: Intake, triage: Triage, catalog: Catalog) -> tuple[EducationCardOut, ...]:
    """The advice cards for this person, in catalog order. Pure: no I/O, no clock."""
    wanted = audiences(intake, triage)
    return tuple(
        EducationCardOut(
            id=card.id,
            title=card.title,
            body=card.body,
            points_to=card.points_to,
            notice=card.notice,
            sources=card.sources,
        )
        for card in catalog.education
        if wanted.intersection(card.audience)
    )
