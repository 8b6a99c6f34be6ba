"""Safety invariants, checked over generated valid intakes (hypothesis), not examples."""

from __future__ import annotations

from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.assessment import Assessment
from psoas.domain.intake import Intake
from tests.conftest import CONTRACTS, load_json
from tests.strategies import from_schema

SCHEMA = load_json(CONTRACTS / "intake-v1.schema.json")
CATALOG = load_catalog()
ABDOMINAL_QUESTIONS = (
    "recent_abdominal_or_hip_surgery",
    "abdominal_hernia",
    "known_aortic_aneurysm",
    "takes_anticoagulants",
)


def _without_red_flags(doc: dict[str, Any], flags: dict[str, bool]) -> dict[str, Any]:
    return {**doc, "red_flags": flags}


no_red_flags = st.fixed_dictionaries(
    {}, optional={name: st.just(False) for name in SCHEMA["properties"]["red_flags"]["properties"]}
)
# Half the intakes as generated (red flags are common), half with no red flag at all, so that
# programs are built often and under every combination of health, ability and equipment.
intakes = st.one_of(
    from_schema(SCHEMA),
    st.builds(_without_red_flags, from_schema(SCHEMA), no_red_flags),
).map(Intake.model_validate)

SETTINGS = settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def run(intake: Intake) -> Assessment:
    return assess(intake, CATALOG)


@SETTINGS
@given(intakes)
def test_red_flag_withholds_the_program(intake: Intake) -> None:
    a = run(intake)
    if a.triage.level in ("emergency", "urgent"):
        assert a.program is None
        assert a.triage.reasons
    else:
        assert a.program is not None and a.program.items


@SETTINGS
@given(intakes)
def test_no_abdominal_pressure_where_unsafe_or_unasked(intake: Intake) -> None:
    a = run(intake)
    if a.program is None:
        return
    pressing = [i for i in a.program.items if i.abdominal_pressure]
    if not pressing:
        return
    h = intake.health
    assert not h.pregnant
    assert not h.known_aortic_aneurysm
    assert not intake.red_flags.pulsating_abdominal_mass
    assert not h.takes_anticoagulants
    assert not h.recent_abdominal_or_hip_surgery
    assert not h.abdominal_hernia
    assert "abdomen" not in intake.pain.areas
    for name in ABDOMINAL_QUESTIONS:
        assert getattr(h, name) is False, name
    if intake.person.sex != "male":
        assert h.pregnant is False
    assert a.triage.level == "self_care"
    for item in pressing:
        assert CATALOG.exercise(item.id).abdominal_pressure


@SETTINGS
@given(intakes)
def test_nothing_is_stretched_that_is_injured(intake: Intake) -> None:
    a = run(intake)
    if a.program is None or not intake.health.recent_hip_flexor_injury:
        return
    for item in a.program.items:
        ex = CATALOG.exercise(item.id)
        assert item.category != "stretch", item.id
        assert not ex.stretches_hip_flexors, item.id


@SETTINGS
@given(intakes)
def test_only_what_the_person_can_do_and_has(intake: Intake) -> None:
    a = run(intake)
    if a.program is None:
        return
    ability = intake.equipment_and_ability
    for item in a.program.items:
        ex = CATALOG.exercise(item.id)
        if not ability.can_get_down_to_floor:
            assert item.position not in ("floor", "kneeling") and not ex.needs_floor, item.id
        if not ability.can_kneel:
            assert item.position != "kneeling" and not ex.needs_kneeling, item.id
        if "massage_gun" in ex.equipment:
            assert ability.has_massage_gun
        if "release_tool" in ex.equipment:
            assert ability.has_release_tool
        if "table_or_firm_bed_edge" in ex.equipment:
            assert ability.has_table_or_firm_bed_edge
        if intake.health.hip_replacement:
            assert not ex.deep_hip_flexion, item.id


@SETTINGS
@given(intakes)
def test_every_item_says_why_and_cites_known_sources(intake: Intake) -> None:
    a = run(intake)
    if a.program is None:
        return
    for item in a.program.items:
        assert item.why and all(w.strip() for w in item.why)
        assert item.sources
        for key in item.sources:
            assert CATALOG.has_reference(key), key
    for reason in (*a.triage.reasons, *a.hip_flexor_involvement.findings):
        for key in reason.sources:
            assert CATALOG.has_reference(key), key


@SETTINGS
@given(intakes)
def test_tighter_side_never_gets_less(intake: Intake) -> None:
    a = run(intake)
    if a.program is None:
        return
    for item in a.program.items:
        per_side = item.dose.per_side
        if per_side is None:
            continue
        if a.tighter_side == "left":
            assert per_side.left >= per_side.right
        elif a.tighter_side == "right":
            assert per_side.right >= per_side.left
        else:
            assert per_side.left == per_side.right


@SETTINGS
@given(intakes)
def test_release_only_with_self_care_and_exclusions_explain_themselves(intake: Intake) -> None:
    a = run(intake)
    if a.program is None:
        return
    if a.triage.level != "self_care":
        assert not [i for i in a.program.items if i.category == "release"]
    ids = [i.id for i in a.program.items]
    assert len(ids) == len(set(ids))
    for e in a.program.excluded:
        assert e.id not in ids
        assert e.message and e.code


@settings(max_examples=100, deadline=None)
@given(intakes)
def test_assessment_is_deterministic(intake: Intake) -> None:
    assert run(intake) == run(intake)


@SETTINGS
@given(intakes)
def test_clinician_options_never_suggest_belly_work_where_unsafe(intake: Intake) -> None:
    a = run(intake)
    if a.program is None:
        assert a.clinician_options == ()
        return
    h = intake.health
    unsafe = (
        h.pregnant
        or h.known_aortic_aneurysm
        or h.takes_anticoagulants
        or h.recent_abdominal_or_hip_surgery
        or h.abdominal_hernia
        or "abdomen" in intake.pain.areas
    )
    if unsafe:
        shown = {o.id for o in a.clinician_options}
        for option in CATALOG.clinician_options:
            if option.abdominal_pressure:
                assert option.id not in shown, option.id
