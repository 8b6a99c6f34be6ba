"""The whole assessment: triage, hip-flexor involvement, tighter side and program."""

from __future__ import annotations

from psoas.domain.alternatives import (
    alternatives,
    refer_for_alternatives,
    weigh_with_alternatives,
)
from psoas.domain.catalog import Catalog
from psoas.domain.clearance import MedicalClearance, covered, described, release
from psoas.domain.education import education_for
from psoas.domain.intake import Intake
from psoas.domain.involvement import tighter_side, weigh
from psoas.domain.program import build_program, why_no_belly_pressure
from psoas.domain.results import Assessment, ClinicianOptionOut
from psoas.domain.triage import safety_net, triage

NEXT_STEPS = {
    "program": (
        "Follow the program for two weeks, then repeat the checks (pain, the activities you find "
        "hard and, if you can, the Thomas test).",
        "If after 4 to 6 weeks pain, function and the re-test have not changed meaningfully, the "
        "hip flexors are probably not the key: keep up general exercise and walking, which help "
        "most back pain, and see a physiotherapist to look at what else may be behind it.",
    ),
    "no-program": (
        "Get the check described above first. The home program becomes available once a doctor "
        "has seen you and you answer the warning-sign questions again.",
    ),
}


def assess(
    intake: Intake,
    catalog: Catalog,
    *,
    pain_risen: bool = False,
    clearance: MedicalClearance | None = None,
) -> Assessment:
    """Assess one intake against the catalog. Pure: same intake and catalog, same result.
    ``pain_risen``: a re-check made because pain rose (see :func:`triage`). ``clearance``: a
    doctor's clearance the care team recorded (:mod:`psoas.domain.clearance`): the warning signs
    it covers no longer hold the program back; everything else runs as always."""
    weighed = weigh(intake)
    codes = covered(intake, clearance, pain_risen=pain_risen)
    warning_signs = release(triage(intake, pain_risen=pain_risen, cleared=codes), codes)
    others = alternatives(intake, warning_signs, weighed)
    t = refer_for_alternatives(warning_signs, others)
    involvement = weigh_with_alternatives(weighed, others)
    side = tighter_side(intake, involvement)
    program = build_program(intake, t, involvement, side, catalog)
    options: tuple[ClinicianOptionOut, ...] = ()
    if program is not None and (involvement.level != "unlikely" or t.level != "self_care"):
        # The same decision as for program items: never a different, smaller set of reasons.
        no_belly = why_no_belly_pressure(intake, involvement)
        options = tuple(
            ClinicianOptionOut(id=o.id, name=o.name, who=o.who, why=o.why, sources=o.sources)
            for o in catalog.clinician_options
            if not (o.abdominal_pressure and no_belly is not None)
        )
    return Assessment(
        version=intake.version,
        triage=t,
        hip_flexor_involvement=involvement,
        tighter_side=side,
        program=program,
        clinician_options=options,
        next_steps=NEXT_STEPS["program" if program else "no-program"],
        catalog_version=catalog.version,
        safety_net=safety_net(intake, t),
        alternatives=others,
        education=education_for(intake, t, catalog),
        clearance=(
            described(clearance, codes, intake, pain_risen=pain_risen)
            if clearance is not None and codes
            else None
        ),
    )
