"""Program generation: concrete cases a clinician would check by hand.

Each rule has a case where it fires (with its stable code and plain message) and a near miss
where it must not.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from psoas.catalog import load_catalog
from psoas.domain.assess import NEXT_STEPS, assess
from psoas.domain.intake import Intake
from psoas.domain.program import (
    FIT_LADDER,
    GENTLE_MAX_SETS,
    PROGRAM_RULES,
    RELEASE_START_MINUTES,
    caution_applies,
    conditions,
    exclusion,
    fill_dose,
    irritability,
    item_cautions,
    item_steps,
    item_summary,
    why_no_belly_pressure,
)
from psoas.domain.results import Assessment, ItemDose, PerSide, ProgramItem
from psoas.domain.triage import triage
from tests.conftest import intake_doc, make_intake, merge

CATALOG = load_catalog()
LIKELY = {
    "pain": {"areas": ["low_back", "front_of_hip"], "side": "right"},
    "observations": {"thomas_test": {"left": {"hip_angle_deg": 0}, "right": {"hip_angle_deg": 15}}},
}
ROOMY = {"preferences": {"minutes_per_day": 60}}
GUN = "massage-gun-psoas-release"
RELEASES = (GUN, "release-tool-prone", "release-tool-supine")
#: Every version 2 health and ability question answered with its everyday answer.
V2_ANSWERS: dict[str, Any] = {
    "version": 2,
    "health": {
        "smoker_or_former_smoker": False,
        "high_blood_pressure": False,
        "heart_or_circulation_disease": False,
        "family_history_aortic_aneurysm": False,
        "postpartum_within_6_months": False,
        "falls_or_poor_balance": False,
    },
    "equipment_and_ability": {"can_stand_unaided": True, "uses_wheelchair": False},
}


def doc(**changes: Any) -> dict[str, Any]:
    """A version 2 intake with the hip-flexor signs, time to spare and every question answered,
    so that the release is offered unless a change rules it out."""
    return merge(merge(intake_doc(**LIKELY, **ROOMY), V2_ANSWERS), changes)


def run(**changes: Any) -> Assessment:
    return assess(make_intake(**changes), CATALOG)


def run2(**changes: Any) -> Assessment:
    return assess(Intake.model_validate(doc(**changes)), CATALOG)


def ids(a: Assessment) -> list[str]:
    assert a.program is not None
    return [i.id for i in a.program.items]


def excluded(a: Assessment) -> dict[str, str]:
    assert a.program is not None
    return {e.id: e.code for e in a.program.excluded}


def message(a: Assessment, item_id: str) -> str:
    assert a.program is not None
    return next(e.message for e in a.program.excluded if e.id == item_id)


def get(a: Assessment, item_id: str) -> ProgramItem:
    assert a.program is not None
    return next(i for i in a.program.items if i.id == item_id)


def notes(a: Assessment) -> str:
    assert a.program is not None
    return " ".join(a.program.notes)


def test_the_baseline_case_gets_the_release() -> None:
    """Every near miss below starts from this: the release is offered."""
    a = run2()
    assert a.triage.level == "self_care" and a.hip_flexor_involvement.level == "likely"
    assert ids(a)[0] == GUN
    assert "manual-psoas-release" in {o.id for o in a.clinician_options}


def test_able_person_with_a_gun_gets_release_kneeling_stretch_strength_posture_breaks() -> None:
    a = run(**LIKELY, **ROOMY)
    got = ids(a)
    assert got[0] == GUN
    assert "half-kneeling-hip-flexor-stretch" in got
    assert "table-hip-flexor-stretch" in got  # second stretch: likely, has a table
    assert {"dead-bug", "glute-bridge", "supine-marching", "side-bridge"} <= set(got)
    assert {"movement-break", "graded-walking", "sit-back-in-chair"} <= set(got)
    assert a.tighter_side == "right"


# --- belly pressure -----------------------------------------------------------------------------


def test_pregnancy_excludes_every_abdominal_item_with_its_reason() -> None:
    a = run(**LIKELY, health={"pregnant": True})
    assert not any(i.abdominal_pressure for i in a.program.items)  # type: ignore[union-attr]
    codes = excluded(a)
    for item in RELEASES:
        assert codes[item] == "abdominal-pressure:pregnancy"


def test_unanswered_health_questions_keep_pressure_off_the_belly() -> None:
    d = intake_doc(**LIKELY, **ROOMY)
    del d["health"]["takes_anticoagulants"]
    a = assess(Intake.model_validate(d), CATALOG)
    assert excluded(a)[GUN] == "abdominal-pressure:unanswered"
    assert "takes anticoagulants" in message(a, GUN)


def test_men_are_not_asked_about_pregnancy_before_a_release() -> None:
    d = intake_doc(**LIKELY, **ROOMY, person={"age": 45, "sex": "male"})
    del d["health"]["pregnant"]
    a = assess(Intake.model_validate(d), CATALOG)
    assert GUN in ids(a)


def test_version_2_women_are_asked_about_the_months_after_birth() -> None:
    d = doc()
    del d["health"]["postpartum_within_6_months"]
    a = assess(Intake.model_validate(d), CATALOG)
    assert excluded(a)[GUN] == "abdominal-pressure:unanswered"
    assert "giving birth in the last six months" in message(a, GUN)


@pytest.mark.parametrize(
    ("changes", "code", "words"),
    [
        (
            {"health": {"postpartum_within_6_months": True}},
            "postpartum",
            "gave birth in the last six months",
        ),
        ({"person": {"age": 15}}, "under_16", "under 16"),
        ({"person": {"age": 65, "sex": "male"}}, "men_65_and_over", "in men from 65"),
        ({"person": {"age": 70, "sex": "unspecified"}}, "men_65_and_over", "above all in men"),
        (
            {"person": {"age": 51}, "health": {"smoker_or_former_smoker": True}},
            "aneurysm_risk_factors",
            "over 50 and you smoke or have smoked",
        ),
        (
            {"person": {"age": 58}, "health": {"family_history_aortic_aneurysm": True}},
            "aneurysm_risk_factors",
            "a parent, brother or sister had an aortic aneurysm",
        ),
        (
            {"person": {"age": 61}, "health": {"high_blood_pressure": None}},
            "aneurysm_risk_unanswered",
            "questions about high blood pressure",
        ),
        (
            {"health": {"recent_hip_flexor_injury": True}},
            "recent_hip_flexor_injury",
            "hip flexor is freshly injured",
        ),
        (
            {"pain": {"intensity_now": 7, "duration_weeks": 3}},
            "irritable",
            "started recently and has been severe (7 out of 10)",
        ),
        (
            {"pain": {"intensity_now": 4, "intensity_worst_week": 8, "duration_weeks": 5}},
            "irritable",
            "severe (8 out of 10)",
        ),
        (
            {"pain": {"intensity_now": 8, "duration_weeks": 30}},
            "irritable",
            "is high at the moment (8 out of 10)",
        ),
    ],
)
def test_belly_pressure_is_never_offered(changes: dict[str, Any], code: str, words: str) -> None:
    d = doc(**changes)
    d["health"] = {k: v for k, v in d["health"].items() if v is not None}  # None: unanswered
    a = assess(Intake.model_validate(d), CATALOG)
    assert a.program is not None
    assert not any(i.abdominal_pressure for i in a.program.items)
    for item in RELEASES:
        assert excluded(a)[item] == f"abdominal-pressure:{code}", item
    assert words in message(a, GUN)
    # Clinician options use the very same decision: no hands or needles in the belly either.
    shown = {o.id for o in a.clinician_options}
    for option in CATALOG.clinician_options:
        if option.abdominal_pressure:
            assert option.id not in shown, option.id


@pytest.mark.parametrize(
    "changes",
    [
        {"health": {"postpartum_within_6_months": False}},
        {"person": {"age": 16}},
        {"person": {"age": 64, "sex": "male"}},
        {"person": {"age": 70, "sex": "female"}},
        {"person": {"age": 50}, "health": {"smoker_or_former_smoker": True}},
        {"person": {"age": 60}, "health": {"high_blood_pressure": None}},
        {"pain": {"intensity_now": 6, "intensity_worst_week": 6, "duration_weeks": 3}},
        {"pain": {"intensity_now": 6, "intensity_worst_week": 9, "duration_weeks": 6}},
    ],
)
def test_belly_pressure_near_misses_still_get_the_release(changes: dict[str, Any]) -> None:
    d = doc(**changes)
    d["health"] = {k: v for k, v in d["health"].items() if v is not None}
    a = assess(Intake.model_validate(d), CATALOG)
    assert a.triage.level == "self_care"
    assert GUN in ids(a), excluded(a).get(GUN)
    assert "manual-psoas-release" in {o.id for o in a.clinician_options}


def test_unlikely_involvement_gets_no_release_and_says_why() -> None:
    a = run2(
        observations={
            "thomas_test": {"left": {"hip_angle_deg": -10}, "right": {"hip_angle_deg": -10}}
        },
        daily_life={"sitting_hours_per_day": 1, "occupation": "gardener"},
        pain={"areas": ["low_back"], "side": "central"},
    )
    assert a.hip_flexor_involvement.level == "unlikely"
    assert not [i for i in a.program.items if i.category == "release"]  # type: ignore[union-attr]
    assert excluded(a)[GUN] == "abdominal-pressure:involvement_unlikely"
    assert "do not point at the hip flexors" in message(a, GUN)


def test_unlikely_with_a_see_clinician_result_shows_no_belly_work_to_clinicians() -> None:
    """The old filter only knew the six conditions, so this case listed manual psoas release."""
    a = run2(
        observations={
            "thomas_test": {"left": {"hip_angle_deg": -10}, "right": {"hip_angle_deg": -10}}
        },
        daily_life={"sitting_hours_per_day": 1, "occupation": "gardener"},
        pain={"areas": ["low_back"], "side": "central"},
        red_flags={"history_of_cancer": True},
    )
    assert a.triage.level == "see_clinician" and a.hip_flexor_involvement.level == "unlikely"
    shown = {o.id for o in a.clinician_options}
    assert "physiotherapy-assessment" in shown and "manual-psoas-release" not in shown


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


def test_one_decision_for_items_and_options_and_for_callers_without_an_assessment() -> None:
    intake = Intake.model_validate(doc(person={"age": 72, "sex": "male"}))
    a = assess(intake, CATALOG)
    no = why_no_belly_pressure(intake, a.hip_flexor_involvement)
    assert no is not None and no.code == "abdominal-pressure:men_65_and_over"
    assert {"crawford-2003", "nhs-aaa-screening"} <= set(no.sources)
    # Services check one exercise at a time without the involvement: the same answer.
    why = exclusion(intake, triage(intake), CATALOG.exercise(GUN))
    assert why is not None and why.code == no.code and why.message == no.message
    fine = Intake.model_validate(doc())
    assert exclusion(fine, triage(fine), CATALOG.exercise(GUN)) is None


def test_every_belly_code_given_is_listed_in_the_rules() -> None:
    codes = {code for code, _, _ in PROGRAM_RULES}
    for code in (
        "abdominal-pressure:pregnancy",
        "abdominal-pressure:postpartum",
        "abdominal-pressure:under_16",
        "abdominal-pressure:men_65_and_over",
        "abdominal-pressure:aneurysm_risk_factors",
        "abdominal-pressure:aneurysm_risk_unanswered",
        "abdominal-pressure:recent_hip_flexor_injury",
        "abdominal-pressure:irritable",
        "abdominal-pressure:involvement_unlikely",
        "abdominal-pressure:unanswered",
        "needs-standing",
        "no-table-transfer",
        "pregnancy-lying-on-back",
        "injured-heavy-lengthening",
        "hip-replacement-rotation",
    ):
        assert code in codes, code
    for _, text, sources in PROGRAM_RULES:
        assert text and sources
        assert all(CATALOG.has_reference(k) for k in sources)


# --- a fresh hip-flexor injury ------------------------------------------------------------------


def test_injured_hip_flexor_gets_isometric_strength_and_no_stretch() -> None:
    a = run(**LIKELY, health={"recent_hip_flexor_injury": True})
    got = ids(a)
    assert "isometric-hip-flexion" in got
    assert not [i for i in a.program.items if i.category == "stretch"]  # type: ignore[union-attr]
    assert excluded(a)["half-kneeling-hip-flexor-stretch"] == "injured-no-stretch"


def test_injured_hip_flexor_gets_no_dead_bug_or_other_heavy_lengthening_load() -> None:
    a = run(**LIKELY, **ROOMY, health={"recent_hip_flexor_injury": True})
    assert excluded(a)["dead-bug"] == "injured-heavy-lengthening"
    assert "loads the hip flexors heavily while they lengthen" in message(a, "dead-bug")
    for item in a.program.items:  # type: ignore[union-attr]
        assert not CATALOG.exercise(item.id).heavy_lengthening_load, item.id
    assert {"mcgill-curl-up", "abdominal-bracing"} & set(ids(a))  # the core is still trained
    assert "dead-bug" in ids(run(**LIKELY, **ROOMY))  # near miss: not injured


# --- releases start short -----------------------------------------------------------------------


def test_releases_start_at_about_a_minute_a_side_the_tighter_side_included() -> None:
    a = run(**LIKELY, **ROOMY)
    assert a.tighter_side == "right"
    gun = get(a, GUN)
    assert gun.dose.per_side == PerSide(left=RELEASE_START_MINUTES, right=RELEASE_START_MINUTES)
    assert gun.dose.minutes == 1 and gun.minutes_per_session == 2
    assert any("starts short" in w for w in gun.why)
    assert not any("gets more" in w for w in gun.why)
    tool = run(**LIKELY, **ROOMY, equipment_and_ability={"has_massage_gun": False})
    assert get(tool, "release-tool-prone").dose.per_side == PerSide(left=1, right=1)


def test_tighter_side_gets_one_more_set_of_each_stretch() -> None:
    a = run(**LIKELY, **ROOMY)
    for item in a.program.items:  # type: ignore[union-attr]
        if item.category == "stretch":
            assert item.dose.per_side is not None
            assert item.dose.per_side.right == item.dose.per_side.left + 1


# --- fitting to the minutes a day ---------------------------------------------------------------


def test_the_unproven_release_goes_first_and_the_notes_say_so() -> None:
    full = run(**LIKELY, **ROOMY)
    assert full.program is not None and full.program.minutes_per_day > 34
    a = run(**LIKELY, preferences={"minutes_per_day": 35})  # only the release's 2 minutes over
    assert excluded(a)[GUN] == "time"
    assert "table-hip-flexor-stretch" in ids(a) and "side-bridge" in ids(a)
    for item in a.program.items:  # type: ignore[union-attr]
        assert item.dose == get(full, item.id).dose, item.id  # nothing else was cut
    assert "massage-gun release" in notes(a) and "least proven" in notes(a)
    assert FIT_LADDER[0][0] == "drop the release"


def test_short_time_keeps_the_stretch_and_says_what_the_sources_suggest_was_cut() -> None:
    a = run(**LIKELY, preferences={"minutes_per_day": 5})
    got = ids(a)
    assert "half-kneeling-hip-flexor-stretch" in got
    assert a.program.minutes_per_day <= 5  # type: ignore[union-attr]
    assert excluded(a)["table-hip-flexor-stretch"] == "time"
    text = notes(a)
    assert "table hip-flexor stretch" in text and "side bridge" in text
    assert "fewer sets than the sources suggest" in text
    assert "stretching twice a day" in text  # two sessions became one


def test_weak_resisted_hip_flexion_keeps_hip_flexor_strengthening_when_time_is_short() -> None:
    weak = run(
        **merge(LIKELY, {"observations": {"resisted_hip_flexion": {"right": "weak"}}}),
        preferences={"minutes_per_day": 5},
    )
    assert "supine-marching" in ids(weak)
    assert any("tested weak" in w for w in get(weak, "supine-marching").why)
    normal = run(
        **merge(LIKELY, {"observations": {"resisted_hip_flexion": {"right": "normal"}}}),
        preferences={"minutes_per_day": 5},
    )
    assert excluded(normal)["supine-marching"] == "time"


# --- dose follows irritability ------------------------------------------------------------------


def test_irritable_pain_gets_the_gentle_dose_and_no_release() -> None:
    a = run2(pain={"intensity_now": 8, "duration_weeks": 2})
    assert irritability(Intake.model_validate(doc(pain={"intensity_now": 8, "duration_weeks": 2})))
    assert not [i for i in a.program.items if i.category == "release"]  # type: ignore[union-attr]
    assert "table-hip-flexor-stretch" not in ids(a)  # no second stretch
    for item in a.program.items:  # type: ignore[union-attr]
        if item.category in ("stretch", "strengthen"):
            d = item.dose
            assert (d.sets or 0) <= GENTLE_MAX_SETS, item.id
            if d.per_side:
                assert max(d.per_side.left, d.per_side.right) <= GENTLE_MAX_SETS, item.id
    assert {"movement-break", "graded-walking"} <= set(ids(a))
    assert "starts gently" in notes(a) and "short walks" in notes(a)
    calm = run2(pain={"intensity_now": 5, "intensity_worst_week": 6, "duration_weeks": 2})
    stretch = get(calm, "half-kneeling-hip-flexor-stretch")
    assert stretch.dose.per_side == PerSide(left=3, right=4)  # near miss: the full dose


# --- standing, wheelchairs, falls ---------------------------------------------------------------


@pytest.mark.parametrize(
    "ability",
    [
        {"can_stand_unaided": False},
        {"uses_wheelchair": True, "can_get_down_to_floor": False, "can_kneel": False},
    ],
)
def test_people_who_cannot_stand_get_seated_versions(ability: dict[str, bool]) -> None:
    a = run2(equipment_and_ability=ability)
    for item in a.program.items:  # type: ignore[union-attr]
        ex = CATALOG.exercise(item.id)
        assert item.position != "standing" and not ex.needs_standing, item.id
    got = set(ids(a))
    assert {"seated-hip-flexor-stretch", "seated-marching", "seated-break"} <= got
    assert "seated-core-bracing" in got
    assert excluded(a)["movement-break"] == "needs-standing"
    assert excluded(a)["standing-staggered-hip-flexor-stretch"] == "needs-standing"
    assert "cannot stand unaided" in message(a, "movement-break")
    assert ("pressure-relief-break" in got) is bool(ability.get("uses_wheelchair"))
    assert "done sitting or lying" in notes(a)


def test_people_who_can_stand_keep_standing_breaks_and_walking() -> None:
    a = run2()
    assert {"movement-break", "graded-walking"} <= set(ids(a))
    assert not {"seated-break", "pressure-relief-break"} & set(ids(a))


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"health": {"falls_or_poor_balance": True}}, "you have had a fall or feel unsteady"),
        ({"person": {"age": 80}}, "from 80"),
    ],
)
def test_frail_people_get_no_table_transfer(changes: dict[str, Any], words: str) -> None:
    a = run2(**changes)
    assert excluded(a)["table-hip-flexor-stretch"] == "no-table-transfer"
    assert words in message(a, "table-hip-flexor-stretch")
    for item in a.program.items:  # type: ignore[union-attr]
        assert not CATALOG.exercise(item.id).table_transfer, item.id


def test_near_miss_79_and_steady_keeps_the_table_stretch() -> None:
    a = run2(person={"age": 79, "sex": "female"})
    assert "table-hip-flexor-stretch" in ids(a)


def test_falls_add_a_hold_on_caution_to_standing_items() -> None:
    a = run2(health={"falls_or_poor_balance": True})
    standing = [i for i in a.program.items if CATALOG.exercise(i.id).needs_standing]  # type: ignore[union-attr]
    assert standing and all(any("within reach" in c for c in i.cautions) for i in standing)


# --- hip replacement ----------------------------------------------------------------------------


def test_hip_replacement_leaves_out_deep_hip_flexion() -> None:
    a = run(**LIKELY, health={"hip_replacement": True}, **ROOMY)
    got = ids(a)
    assert "table-hip-flexor-stretch" not in got
    assert excluded(a)["table-hip-flexor-stretch"] == "hip-replacement"


def test_hip_replacement_without_clearance_no_stretch_and_no_rotations_under_the_gun() -> None:
    a = run2(health={"hip_replacement": True, "hip_replacement_cleared_for_exercise": False})
    assert excluded(a)[GUN] == "hip-replacement-rotation"
    assert "rolls the leg in and out" in message(a, GUN)
    assert excluded(a)["half-kneeling-hip-flexor-stretch"] == "hip-replacement"
    assert not [i for i in a.program.items if i.category == "stretch"]  # type: ignore[union-attr]
    assert "clears you for exercise without restrictions" in notes(a)


def test_hip_replacement_cleared_by_the_surgical_team_may_stretch_and_use_the_gun() -> None:
    a = run2(health={"hip_replacement": True, "hip_replacement_cleared_for_exercise": True})
    got = ids(a)
    assert "half-kneeling-hip-flexor-stretch" in got and GUN in got
    assert excluded(a)["table-hip-flexor-stretch"] == "hip-replacement"  # still no deep bending
    assert "cleared you for exercise" in message(a, "table-hip-flexor-stretch")
    stretch = get(a, "half-kneeling-hip-flexor-stretch")
    assert any("cleared you for exercise" in c for c in stretch.cautions)
    assert "hip-flexor stretches are included" in notes(a)


def test_early_after_hip_replacement_surgery_the_person_is_sent_to_the_surgical_team() -> None:
    a = run2(health={"hip_replacement": True, "recent_abdominal_or_hip_surgery": True})
    assert "contact them (or their physiotherapist) soon" in notes(a)
    assert "surgical team" in notes(a)
    plain = run2(health={"recent_abdominal_or_hip_surgery": True})  # other surgery: no such note
    assert plain.program is None or "hip replacement" not in notes(plain)


# --- pregnancy, the months after birth, under 16 ------------------------------------------------


def test_pregnancy_gets_a_gentle_program_with_nothing_lying_on_the_back() -> None:
    a = run2(health={"pregnant": True})
    assert a.program is not None
    for item in a.program.items:
        ex = CATALOG.exercise(item.id)
        assert not ex.lies_on_back and not ex.abdominal_pressure, item.id
        if item.dose.sets:
            assert item.dose.sets <= GENTLE_MAX_SETS
    assert excluded(a)["dead-bug"] == "pregnancy-lying-on-back"
    assert "does not know how far along you are" in message(a, "dead-bug")
    assert {"abdominal-bracing", "standing-hip-extension"} <= set(ids(a))  # swapped, not lost
    assert "midwife or a women's health physiotherapist" in notes(a)
    assert "dead-bug" in ids(run2())  # near miss: not pregnant


def test_the_months_after_birth_get_a_gentle_program_without_belly_pressure() -> None:
    a = run2(health={"postpartum_within_6_months": True})
    assert a.program is not None
    assert not any(i.abdominal_pressure for i in a.program.items)
    assert "women's health physiotherapist" in notes(a) and "starts gently" in notes(a)
    assert "dead-bug" in ids(a)  # lying on the back is fine after the birth


def test_under_16_gets_a_gentle_program_and_never_belly_pressure() -> None:
    a = run2(person={"age": 14})
    assert a.program is not None
    assert not any(i.abdominal_pressure for i in a.program.items)
    assert "starts gently" in notes(a) and "young people" in notes(a)
    for item in a.program.items:
        if item.category in ("stretch", "strengthen") and item.dose.per_side:
            assert max(item.dose.per_side.left, item.dose.per_side.right) <= GENTLE_MAX_SETS


# --- step text follows the dose -----------------------------------------------------------------

SET_WORDS = re.compile(
    r"\b(\d+|one|two|three|four|five) (sets?|holds)\b|second set|up to 5\b", re.IGNORECASE
)
STRETCH_HOLD = re.compile(r"hold (for )?(about )?\d+ seconds", re.IGNORECASE)
RELEASE_TIME = re.compile(r"(about )?(a|\d+) minutes?\b", re.IGNORECASE)


def test_no_catalog_step_states_a_dose_the_program_can_change() -> None:
    """Sets, stretch holds and release times in steps and summaries come from placeholders,
    filled from the item's dose (the catalog's own numbers would contradict a cut dose)."""
    for ex in CATALOG.exercises:
        if ex.category not in ("stretch", "strengthen", "release"):
            continue
        for text in (ex.summary, *ex.steps):
            assert not SET_WORDS.search(text), (ex.id, text)
            if ex.category == "stretch" and text in ex.steps:  # holds never change in a program
                assert not STRETCH_HOLD.search(text), (ex.id, text)
            if ex.category == "release":
                assert not RELEASE_TIME.search(text), (ex.id, text)
        item_steps(ex)  # every placeholder is known
        item_summary(ex)


def test_steps_say_the_sets_and_minutes_of_this_program() -> None:
    a = run(**LIKELY, preferences={"minutes_per_day": 5})
    stretch = get(a, "half-kneeling-hip-flexor-stretch")
    assert stretch.dose.per_side == PerSide(left=1, right=2)
    text = " ".join(item_steps(CATALOG.exercise(stretch.id), stretch.dose))
    assert "1 set on your left side and 2 on your right" in text
    assert "3 sets" not in text and "up to 5" not in text
    bridge = get(a, "glute-bridge")
    assert bridge.dose.sets == 1
    text = " ".join(item_steps(CATALOG.exercise("glute-bridge"), bridge.dose))
    assert "One set is enough for now." in text and "second set" not in text


def test_release_steps_follow_the_release_time() -> None:
    tool = CATALOG.exercise("release-tool-prone")
    start = " ".join(item_steps(tool))
    assert "about 30 seconds" in start and "about a minute" not in start
    later = ItemDose(minutes=2, per_side=PerSide(left=2, right=2))
    assert "about 1 minute" in " ".join(item_steps(tool, later))


def test_three_sets_and_a_pyramid_are_written_out() -> None:
    marching = CATALOG.exercise("supine-marching")
    three = ItemDose(sets=3, reps=10, per_side=PerSide(left=3, right=3), rest_seconds=30)
    assert "Rest for 30 seconds after each set, and do 3 sets in all." in item_steps(
        marching, three
    )
    curl = CATALOG.exercise("mcgill-curl-up")
    full = " ".join(item_steps(curl))
    assert "Do 5 holds for the first set" in full and "then do 3, rest again, then 1" in full
    two = " ".join(item_steps(curl, ItemDose(sets=2, reps=5, hold_seconds=8, rest_seconds=30)))
    assert "then do 3." in two and "then 1" not in two


def test_an_unknown_placeholder_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown dose placeholder"):
        fill_dose("Do {lots} of them.", {"sets": "3 sets"})


def test_summaries_are_filled_the_same_way() -> None:
    lunge = CATALOG.exercise("lunge-stretch")
    assert item_summary(lunge) == lunge.summary  # no placeholder: unchanged
    assert fill_dose("Hold for {hold}.", {"hold": "30 seconds"}) == "Hold for 30 seconds."


# --- cautions that can apply --------------------------------------------------------------------


def all_cautions(a: Assessment) -> list[str]:
    assert a.program is not None
    return [c for i in a.program.items for c in i.cautions]


def test_no_pregnancy_advice_to_a_72_year_old_man() -> None:
    a = run(**LIKELY, **ROOMY, person={"age": 72, "sex": "male"})
    assert {"dead-bug", "glute-bridge", "supine-marching"} <= set(ids(a))
    assert not [c for c in all_cautions(a) if re.search("pregnan|midwife", c, re.IGNORECASE)]


def test_a_woman_of_30_keeps_the_pregnancy_advice() -> None:
    a = run(**LIKELY, **ROOMY, person={"age": 30, "sex": "female"})
    assert any("pregnant" in c for c in get(a, "dead-bug").cautions)


def test_hip_replacement_and_hernia_notes_only_where_they_can_apply() -> None:
    no = make_intake(health={"hip_replacement": False, "abdominal_hernia": False})
    unknown = Intake.model_validate(
        {**intake_doc(), "health": {"recent_hip_flexor_injury": False, "pregnant": False}}
    )
    hip = "With a hip replacement, keep the knee below hip height."
    hernia = "If you have a hernia, ask your doctor before core exercises."
    assert not caution_applies(hip, no) and not caution_applies(hernia, no)
    assert caution_applies(hip, unknown) and caution_applies(hernia, unknown)
    assert caution_applies("Stop if it brings on back pain.", no)
    bug = CATALOG.exercise("dead-bug")
    shown = item_cautions(bug, conditions(no), no)
    assert not any("hernia" in c for c in shown)
    assert any("hernia" in c for c in item_cautions(bug, conditions(unknown), unknown))
    assert len(item_cautions(bug, conditions(no))) == len(bug.safety)  # no intake: all kept


# --- the rest of the rules ----------------------------------------------------------------------


def test_cannot_kneel_or_get_down_gets_the_standing_stretch_and_the_bed_release() -> None:
    a = run(
        **LIKELY,
        **ROOMY,
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
    item = get(a, "standing-staggered-hip-flexor-stretch")
    assert any("instead of" in w for w in item.why)


def test_heavy_sitter_with_time_stretches_twice_a_day_and_gets_up_every_20_minutes() -> None:
    a = run(daily_life={"sitting_hours_per_day": 9}, **ROOMY)
    assert a.program is not None
    assert a.program.sessions_per_day == 2
    assert a.program.break_interval_minutes == 20
    light = run(daily_life={"sitting_hours_per_day": 3})
    assert light.program is not None
    assert (light.program.sessions_per_day, light.program.break_interval_minutes) == (1, 30)


def test_see_clinician_keeps_a_gentle_program_without_release() -> None:
    a = run(**LIKELY, red_flags={"history_of_cancer": True})
    assert a.triage.level == "see_clinician"
    assert excluded(a)[GUN] == "see-clinician-first"
    assert "half-kneeling-hip-flexor-stretch" in ids(a)


def test_red_flag_withholds_everything() -> None:
    a = run(**LIKELY, red_flags={"saddle_numbness": True})
    assert a.program is None
    assert a.triage.level == "emergency"


def test_next_steps_never_say_stop() -> None:
    text = " ".join(NEXT_STEPS["program"])
    assert "stop" not in text.lower()
    assert "walking" in text and "physiotherapist" in text
    assert run(**LIKELY).next_steps == NEXT_STEPS["program"]
