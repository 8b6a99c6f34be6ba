"""Program generation: concrete cases a clinician would check by hand."""

from __future__ import annotations

from typing import Any

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.assessment import Assessment
from psoas.domain.intake import Intake
from tests.conftest import intake_doc, make_intake

CATALOG = load_catalog()
LIKELY = {
    "pain": {"areas": ["low_back", "front_of_hip"], "side": "right"},
    "observations": {"thomas_test": {"left": {"hip_angle_deg": 0}, "right": {"hip_angle_deg": 15}}},
}


def run(**changes: Any) -> Assessment:
    return assess(make_intake(**changes), CATALOG)


def ids(a: Assessment) -> list[str]:
    assert a.program is not None
    return [i.id for i in a.program.items]


def excluded(a: Assessment) -> dict[str, str]:
    assert a.program is not None
    return {e.id: e.code for e in a.program.excluded}


def test_able_person_with_a_gun_gets_release_kneeling_stretch_strength_posture_breaks() -> None:
    a = run(**LIKELY, preferences={"minutes_per_day": 60})
    got = ids(a)
    assert got[0] == "massage-gun-psoas-release"
    assert "half-kneeling-hip-flexor-stretch" in got
    assert "table-hip-flexor-stretch" in got  # second stretch: likely, has a table
    assert {"dead-bug", "glute-bridge", "supine-marching"} <= set(got)
    assert "movement-break" in got and "sit-back-in-chair" in got
    assert a.tighter_side == "right"


def test_pregnancy_excludes_every_abdominal_item_with_its_reason() -> None:
    a = run(**LIKELY, health={"pregnant": True})
    assert not any(i.abdominal_pressure for i in a.program.items)  # type: ignore[union-attr]
    codes = excluded(a)
    for item in ("massage-gun-psoas-release", "release-tool-prone", "release-tool-supine"):
        assert codes[item] == "abdominal-pressure:pregnancy"


def test_unanswered_health_questions_keep_pressure_off_the_belly() -> None:
    doc = intake_doc(**LIKELY)
    del doc["health"]["takes_anticoagulants"]
    a = assess(Intake.model_validate(doc), CATALOG)
    assert excluded(a)["massage-gun-psoas-release"] == "abdominal-pressure:unanswered"


def test_men_are_not_asked_about_pregnancy_before_a_release() -> None:
    doc = intake_doc(**LIKELY, person={"age": 45, "sex": "male"})
    del doc["health"]["pregnant"]
    a = assess(Intake.model_validate(doc), CATALOG)
    assert "massage-gun-psoas-release" in ids(a)


def test_injured_hip_flexor_gets_isometric_strength_and_no_stretch() -> None:
    a = run(**LIKELY, health={"recent_hip_flexor_injury": True})
    got = ids(a)
    assert "isometric-hip-flexion" in got
    assert not [i for i in a.program.items if i.category == "stretch"]  # type: ignore[union-attr]
    assert excluded(a)["half-kneeling-hip-flexor-stretch"] == "injured-no-stretch"


def test_cannot_kneel_or_get_down_gets_the_standing_stretch_and_the_bed_release() -> None:
    a = run(
        **LIKELY,
        equipment_and_ability={
            "can_get_down_to_floor": False,
            "can_kneel": False,
            "has_massage_gun": False,
            "has_release_tool": True,
        },
    )
    got = ids(a)
    assert "standing-staggered-hip-flexor-stretch" in got
    assert "release-tool-supine" in got
    assert excluded(a)["release-tool-prone"] == "needs-floor"
    item = next(i for i in a.program.items if i.id == "standing-staggered-hip-flexor-stretch")  # type: ignore[union-attr]
    assert any("instead of" in w for w in item.why)


def test_tighter_side_gets_one_more_set_of_each_stretch() -> None:
    a = run(**LIKELY, preferences={"minutes_per_day": 60})
    for item in a.program.items:  # type: ignore[union-attr]
        if item.category == "stretch":
            assert item.dose.per_side is not None
            assert item.dose.per_side.right == item.dose.per_side.left + 1


def test_short_time_keeps_the_stretch_and_drops_extras_with_a_reason() -> None:
    a = run(**LIKELY, preferences={"minutes_per_day": 5})
    got = ids(a)
    assert "half-kneeling-hip-flexor-stretch" in got
    assert a.program.minutes_per_day <= 5 or a.program.notes  # type: ignore[union-attr]
    assert "time" in excluded(a).values()


def test_heavy_sitter_with_time_stretches_twice_a_day_and_gets_up_every_20_minutes() -> None:
    a = run(daily_life={"sitting_hours_per_day": 9}, preferences={"minutes_per_day": 60})
    assert a.program is not None
    assert a.program.sessions_per_day == 2
    assert a.program.break_interval_minutes == 20
    light = run(daily_life={"sitting_hours_per_day": 3})
    assert light.program is not None
    assert (light.program.sessions_per_day, light.program.break_interval_minutes) == (1, 30)


def test_unlikely_involvement_gets_no_release() -> None:
    a = run(daily_life={"sitting_hours_per_day": 1, "occupation": "gardener"})
    assert a.hip_flexor_involvement.level == "unlikely"
    assert not [i for i in a.program.items if i.category == "release"]  # type: ignore[union-attr]


def test_see_clinician_keeps_a_gentle_program_without_release() -> None:
    a = run(**LIKELY, red_flags={"history_of_cancer": True})
    assert a.triage.level == "see_clinician"
    assert excluded(a)["massage-gun-psoas-release"] == "see-clinician-first"
    assert "half-kneeling-hip-flexor-stretch" in ids(a)


def test_hip_replacement_leaves_out_deep_hip_flexion() -> None:
    a = run(**LIKELY, health={"hip_replacement": True}, preferences={"minutes_per_day": 60})
    got = ids(a)
    assert "table-hip-flexor-stretch" not in got
    assert excluded(a)["table-hip-flexor-stretch"] == "hip-replacement"


def test_red_flag_withholds_everything() -> None:
    a = run(**LIKELY, red_flags={"saddle_numbness": True})
    assert a.program is None
    assert a.triage.level == "emergency"


def test_hands_on_belly_work_is_not_suggested_with_an_aneurysm() -> None:
    a = run(
        observations=LIKELY["observations"],
        health={"known_aortic_aneurysm": True},
        pain={"duration_weeks": 40, "areas": ["low_back", "front_of_hip"], "side": "right"},
    )
    assert a.triage.level == "see_clinician"
    shown = {o.id for o in a.clinician_options}
    assert "manual-psoas-release" not in shown
    assert "physiotherapy-assessment" in shown
