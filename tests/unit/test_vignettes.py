"""The two cases told in the source documents, and a few every clinician knows: version 1, and
one vignette per version 2 pathway (examples/v2/)."""

from __future__ import annotations

from typing import Any

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.intake import Intake, parse
from psoas.domain.results import Assessment
from tests.conftest import CONTRACTS, EXAMPLES, load_json, make_intake, merge

CATALOG = load_catalog()


def example(name: str) -> Intake:
    return Intake.model_validate(load_json(EXAMPLES / name))


def test_office_worker_with_a_clear_lumbar_exam_points_at_the_psoas() -> None:
    """Source 000: an office worker whose low-back examination was negative."""
    a = assess(example("office-worker.json"), CATALOG)
    assert a.triage.level == "self_care"
    assert a.hip_flexor_involvement.level == "likely"
    codes = {f.code for f in a.hip_flexor_involvement.findings}
    assert {"lumbar-exam-unremarkable", "thomas-short-hip-flexors", "long-sitting"} <= codes
    assert a.tighter_side == "right"
    assert a.program is not None
    ids = [i.id for i in a.program.items]
    assert "half-kneeling-hip-flexor-stretch" in ids  # short rectus femoris: the kneeling version
    assert a.program.break_interval_minutes == 20
    # 20 minutes a day: the unproven release is the first thing dropped for time, and it says so
    # (issue 9); with time to spare it comes first, then the stretch (source 000).
    if "massage-gun-psoas-release" not in ids:
        dropped = {e.id: e.code for e in a.program.excluded}
        assert dropped.get("massage-gun-psoas-release") == "time"
    doc = load_json(EXAMPLES / "office-worker.json")
    doc["preferences"]["minutes_per_day"] = 60
    roomy = assess(Intake.model_validate(doc), CATALOG)
    assert roomy.program is not None
    roomy_ids = [i.id for i in roomy.program.items]
    assert roomy_ids[0] == "massage-gun-psoas-release"
    assert "half-kneeling-hip-flexor-stretch" in roomy_ids


def test_taxi_driver_with_weak_resisted_hip_flexion() -> None:
    """Source 001: a cab driver with pain into the front of the hip, unable to flex against
    resistance on the right."""
    a = assess(example("taxi-driver.json"), CATALOG)
    assert a.triage.level == "self_care"
    assert a.hip_flexor_involvement.level == "likely"
    # Weakness on the right is not measured tightness (no Thomas angles, no stride): issue 9.
    assert a.tighter_side is None
    assert a.program is not None
    ids = [i.id for i in a.program.items]
    dropped = {e.id: e.code for e in a.program.excluded}
    # cannot get to the floor: the bed version, unless it was dropped to fit 15 minutes
    assert "release-tool-supine" in ids or dropped.get("release-tool-supine") == "time"
    assert dropped.get("release-tool-prone") == "needs-floor"
    assert "standing-staggered-hip-flexor-stretch" in ids
    for item in a.program.items:
        assert item.position not in ("floor", "kneeling")
    assert {o.id for o in a.clinician_options} >= {"manual-psoas-release"}


def test_cyclist_with_little_office_time_still_stretches_twice_a_day() -> None:
    a = assess(
        make_intake(
            daily_life={"sitting_hours_per_day": 3, "activities": ["cycling"]},
            preferences={"minutes_per_day": 40},
        ),
        CATALOG,
    )
    assert a.program is not None and a.program.sessions_per_day == 2


def test_pregnant_office_worker_gets_a_program_without_belly_pressure() -> None:
    doc = load_json(EXAMPLES / "office-worker.json")
    doc["health"]["pregnant"] = True
    a = assess(Intake.model_validate(doc), CATALOG)
    assert a.program is not None
    assert not any(i.abdominal_pressure for i in a.program.items)
    assert any("pregnan" in c for i in a.program.items for c in i.cautions)


# --- version 2: one vignette per new pathway (examples/v2/), checked as a physiotherapist would --

V2 = EXAMPLES / "v2"
BELLY_OPTIONS = {o.id for o in CATALOG.clinician_options if o.abdominal_pressure}


def v2(name: str) -> Assessment:
    return assess(parse(load_json(V2 / f"{name}.json")), CATALOG)


def v2_doc(name: str) -> dict[str, Any]:
    doc: dict[str, Any] = load_json(V2 / f"{name}.json")
    return doc


def ids(a: Assessment) -> list[str]:
    assert a.program is not None
    return [i.id for i in a.program.items]


def alternative_codes(a: Assessment) -> set[str]:
    return {alt.code for alt in a.alternatives}


def rank(level: str) -> int:
    return ("unlikely", "possible", "likely").index(level)


def assert_emergency(a: Assessment) -> None:
    assert a.triage.level == "emergency"
    assert a.triage.where == "emergency_department"
    assert a.triage.within_hours == 0
    assert a.program is None
    assert a.clinician_options == ()
    assert a.safety_net == ()  # the whole message is "go now"


def assert_no_belly_pressure(a: Assessment) -> None:
    if a.program is not None:
        pressing = [i.id for i in a.program.items if i.abdominal_pressure]
        assert pressing == []
    assert not ({o.id for o in a.clinician_options} & BELLY_OPTIONS)


def assert_safety_net(a: Assessment) -> None:
    assert "cauda-equina" in {entry.code for entry in a.safety_net}


def test_sciatica_in_both_legs_on_the_body_chart_is_cauda_equina() -> None:
    """Pain below the knee in both legs, and nothing else ticked: bilateral sciatica alone."""
    assert v2_doc("bilateral-sciatica")["pain"]["side"] == "central"  # only the chart says both
    assert_emergency(v2("bilateral-sciatica"))


def test_sciatica_in_both_legs_in_the_version_1_form_is_cauda_equina() -> None:
    doc = v2_doc("both-legs-below-knee-version-1")
    assert doc["version"] == 1 and doc["pain"]["side"] == "both"
    a = assess(parse(doc), CATALOG)
    assert a.version == 1
    assert a.triage.level == "emergency"
    assert a.program is None


def test_weakness_in_both_legs_with_one_sided_pain_is_an_emergency() -> None:
    assert v2_doc("weakness-in-both-legs")["pain"]["side"] == "left"
    assert_emergency(v2("weakness-in-both-legs"))


def test_new_unsteady_walking_is_seen_today_at_the_latest() -> None:
    a = v2("new-unsteady-walking")
    assert a.triage.level in ("emergency", "urgent")
    assert a.triage.where in ("emergency_department", "same_day_doctor")
    assert a.triage.within_hours is not None and a.triage.within_hours <= 24
    assert a.program is None


def test_a_known_aneurysm_with_new_pain_is_an_emergency_never_within_days() -> None:
    a = v2("aneurysm-new-pain")
    assert_emergency(a)
    assert all(r.within_hours in (0, None) or r.level != "emergency" for r in a.triage.reasons)


def test_blood_thinners_with_new_groin_pain_are_seen_the_same_day_without_a_program() -> None:
    """A possible bleed into the iliopsoas: same-day imaging, nothing that loads or presses."""
    a = v2("anticoagulated-groin-pain")
    assert a.triage.level == "urgent"
    assert a.triage.where == "same_day_doctor"
    assert a.triage.within_hours is not None and 0 < a.triage.within_hours <= 24
    assert a.program is None
    assert "iliopsoas-bleed" in alternative_codes(a)
    assert_safety_net(a)


def test_new_severe_belly_pain_is_seen_the_same_day_without_a_program() -> None:
    a = v2("severe-belly-pain")
    assert a.triage.level in ("urgent", "emergency")
    assert a.triage.where in ("same_day_doctor", "emergency_department")
    assert a.triage.within_hours is not None and a.triage.within_hours <= 24
    assert a.program is None
    assert "abdominal-or-visceral" in alternative_codes(a)


def test_a_young_footballer_with_pain_bending_backward_sees_a_childrens_clinician() -> None:
    """Under 16: outside the adult pathway; extension pain in a young athlete may be a stress
    fracture of the spine (spondylolysis)."""
    a = v2("young-footballer")
    assert a.triage.level in ("see_clinician", "urgent")
    assert a.triage.where == "child_and_adolescent_clinician"
    assert "stress-fracture" in alternative_codes(a)
    assert_no_belly_pressure(a)
    if a.program is not None:
        assert not [i.id for i in a.program.items if i.category == "release"]
    assert_safety_net(a)


def test_a_pregnant_office_worker_gets_a_gentle_program_off_her_back_and_belly() -> None:
    a = v2("pregnant-office-worker")
    assert a.triage.level == "see_clinician"
    assert a.triage.where == "midwife_or_womens_health_physiotherapist"
    assert a.triage.within_hours is None or a.triage.within_hours >= 24
    assert a.program is not None
    assert_no_belly_pressure(a)
    for item in a.program.items:
        ex = CATALOG.exercise(item.id)
        assert not ex.lies_on_back, item.id
        assert item.category != "release", item.id
    excluded = {e.id: e.message for e in a.program.excluded}
    assert excluded.get("massage-gun-psoas-release"), "the person has a gun: say why not"
    assert_safety_net(a)


def test_two_months_after_birth_goes_to_a_womens_health_physiotherapist() -> None:
    a = v2("postpartum")
    assert a.triage.level == "see_clinician"
    assert a.triage.where == "midwife_or_womens_health_physiotherapist"
    assert a.program is not None
    assert_no_belly_pressure(a)
    assert a.tighter_side == "left"  # measured: Thomas 14 degrees against 3
    assert_safety_net(a)


def test_a_70_year_old_male_smoker_is_never_pressed_in_the_belly() -> None:
    a = v2("older-male-smoker")
    assert a.program is not None
    assert_no_belly_pressure(a)
    excluded = {e.id: e.message for e in a.program.excluded}
    assert excluded.get("massage-gun-psoas-release"), "say why the gun he owns is left out"
    # cautions that cannot apply are not shown: no pregnancy advice to a 70-year-old man
    for item in a.program.items:
        assert not any("pregnan" in c.lower() for c in item.cautions), item.id
    assert_safety_net(a)


def test_a_wheelchair_user_gets_seated_items_only() -> None:
    a = v2("wheelchair-user")
    assert a.program is not None
    for item in a.program.items:
        ex = CATALOG.exercise(item.id)
        assert not ex.needs_standing and item.position != "standing", item.id
        assert not ex.table_transfer, item.id  # falls and poor balance: no table transfer
        if item.category in ("stretch", "strengthen", "movement"):
            assert item.position == "seated", item.id
    chosen = ids(a)
    assert "break-sit-to-stand" not in chosen and "movement-break" not in chosen
    assert {"seated-break", "pressure-relief-break"} & set(chosen), chosen
    assert any(i.category == "stretch" for i in a.program.items), chosen


def test_a_hip_replacement_cleared_by_the_surgeon_may_stretch() -> None:
    a = v2("hip-replacement-cleared")
    assert a.program is not None
    assert a.triage.where != "surgical_team"
    stretches = [i.id for i in a.program.items if CATALOG.exercise(i.id).stretches_hip_flexors]
    assert stretches or any(i.category == "stretch" for i in a.program.items), ids(a)
    assert a.tighter_side == "left"


def test_a_hip_replacement_not_cleared_soon_after_surgery_goes_to_the_surgical_team() -> None:
    a = v2("hip-replacement-not-cleared")
    assert a.triage.where == "surgical_team"
    assert a.triage.level != "self_care"
    assert_no_belly_pressure(a)
    if a.program is not None:
        for item in a.program.items:
            ex = CATALOG.exercise(item.id)
            assert item.id != "massage-gun-psoas-release"
            assert not ex.deep_hip_flexion, item.id
            assert item.category != "release", item.id


def test_a_stenosis_pattern_is_named_and_lowers_the_hip_flexor_hypothesis() -> None:
    """68, worse walking and standing, eased by sitting and bending forward: neurogenic
    claudication is the better explanation, and not being able to stand straight does not
    count for the hip flexors."""
    doc = v2_doc("spinal-stenosis")
    a = assess(parse(doc), CATALOG)
    assert "spinal-stenosis" in alternative_codes(a)
    assert a.triage.level == "see_clinician"
    assert a.triage.where in ("doctor", "physiotherapist")
    # the same person whose pain follows sitting instead (the hip-flexor picture)
    sitter = merge(
        doc,
        {
            "pain": {
                "worse_with": ["prolonged_sitting", "rising_from_sitting"],
                "better_with": ["moving_about"],
                "leg_symptoms": {"left": "none", "right": "none"},
            },
        },
    )
    control = assess(parse(sitter), CATALOG)
    assert "spinal-stenosis" not in alternative_codes(control)
    assert rank(a.hip_flexor_involvement.level) < rank(control.hip_flexor_involvement.level)


def test_groin_pain_on_walking_with_a_painful_hip_screen_points_at_the_hip_joint() -> None:
    doc = v2_doc("hip-joint")
    a = assess(parse(doc), CATALOG)
    assert "hip-joint" in alternative_codes(a)
    assert a.triage.level == "see_clinician"
    assert a.triage.where != "none"
    # the same person with a normal hip screen: the hip-flexor reading stands higher
    control = assess(
        parse(merge(doc, {"observations": {"hip_joint_screen": {"right": "normal"}}})), CATALOG
    )
    assert "hip-joint" not in alternative_codes(control)
    assert rank(a.hip_flexor_involvement.level) < rank(control.hip_flexor_involvement.level)


def test_a_lateral_shift_is_a_disc_sign_not_a_psoas_pull() -> None:
    a = v2("lateral-shift")
    assert "disc-or-nerve-root" in alternative_codes(a)
    assert a.triage.level == "see_clinician"
    assert a.triage.where != "none"
    assert a.tighter_side is None  # no measured restriction, whatever the shift


def test_start_back_high_risk_points_to_a_physiotherapist() -> None:
    doc = v2_doc("start-back-high-risk")
    a = assess(parse(doc), CATALOG)
    assert a.program is not None
    assert a.triage.where == "physiotherapist"
    low = merge(doc, {"screening": {"start_back": {"total": 2, "psychosocial": 1}, "concerns": []}})
    assert assess(parse(low), CATALOG).triage.where == "none"


def test_every_v2_example_follows_its_contract() -> None:
    import jsonschema

    for path in sorted(V2.glob("*.json")):
        doc = load_json(path)
        version = doc["version"]
        jsonschema.validate(doc, load_json(CONTRACTS / f"intake-v{version}.schema.json"))
        result = assess(parse(doc), CATALOG).model_dump(mode="json")
        assert result["version"] == version, path.name
        schema = load_json(CONTRACTS / f"assessment-v{version}.schema.json")
        jsonschema.validate(result, schema)
