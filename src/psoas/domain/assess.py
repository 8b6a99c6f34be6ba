"""The whole assessment: triage, hip-flexor involvement, tighter side and program."""

from __future__ import annotations

from psoas.domain.alternatives import alternatives, weigh_with_alternatives
from psoas.domain.assessment import Assessment, ClinicianOptionOut
from psoas.domain.catalog import Catalog
from psoas.domain.intake import Intake
from psoas.domain.involvement import tighter_side, weigh
from psoas.domain.program import ABDOMINAL_PRESSURE_UNSAFE, build_program, conditions
from psoas.domain.triage import safety_net, triage

NEXT_STEPS = {
    "program": (
        "Follow the program for two weeks, then repeat the checks (pain, the activities you find "
        "hard and, if you can, the Thomas test).",
        "If after 4 to 6 weeks pain, function and the re-test have not changed meaningfully, the "
        "hip flexors are probably not the main cause: stop the program and ask for an assessment.",
    ),
    "no-program": (
        "Get the check described above first. The home program becomes available once a doctor "
        "has seen you and you answer the warning-sign questions again.",
    ),
}


def assess(intake: Intake, catalog: Catalog) -> Assessment:
    """Assess one intake against the catalog. Pure: same intake and catalog, same result."""
    t = triage(intake)
    others = alternatives(intake, t, weigh(intake))
    involvement = weigh_with_alternatives(weigh(intake), others)
    side = tighter_side(intake, involvement)
    program = build_program(intake, t, involvement, side, catalog)
    options: tuple[ClinicianOptionOut, ...] = ()
    if program is not None and (involvement.level != "unlikely" or t.level != "self_care"):
        unsafe = conditions(intake) & set(ABDOMINAL_PRESSURE_UNSAFE)
        options = tuple(
            ClinicianOptionOut(id=o.id, name=o.name, who=o.who, why=o.why, sources=o.sources)
            for o in catalog.clinician_options
            if not (o.abdominal_pressure and unsafe)
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
    )
