"""Every red-flag rule: what fires it, the near miss it does not fire on, how soon and where the
person is sent, and that the heading and action say the same as the quickest reason."""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import pytest

from psoas.domain.intake import Intake, parse
from psoas.domain.results import Triage
from psoas.domain.triage import (
    ACTIONS,
    LEVEL_TITLES,
    RULES,
    RULES_BY_CODE,
    TIME_FRAMES,
    WARNING_SIGN_FIELDS,
    WHEN_WORDS,
    heading,
    triage,
)
from tests.conftest import intake_doc, make_intake

V2 = {"version": 2}


def run(**changes: Any) -> Triage:
    return triage(make_intake(**changes))


def codes_of(t: Triage) -> set[str]:
    return {r.code for r in t.reasons}


class Case(NamedTuple):
    code: str
    level: str
    within_hours: float
    where: str
    fires: dict[str, Any]
    near_misses: tuple[dict[str, Any], ...]


def rf(**flags: bool) -> dict[str, Any]:
    return {**V2, "red_flags": flags}


ANEURYSM = {"known_aortic_aneurysm": True}
ANTICOAG = {"takes_anticoagulants": True}
NO_RISK = {
    "smoker_or_former_smoker": False,
    "high_blood_pressure": False,
    "heart_or_circulation_disease": False,
    "family_history_aortic_aneurysm": False,
}
BOTH_BELOW = {"leg_symptoms": {"left": "below_knee", "right": "below_knee"}}

CASES: tuple[Case, ...] = (
    Case(
        "cauda-equina-saddle",
        "emergency",
        0,
        "emergency_department",
        rf(saddle_numbness=True),
        (rf(new_sexual_dysfunction_or_genital_numbness=False),),
    ),
    Case(
        "cauda-equina-bladder-bowel",
        "emergency",
        0,
        "emergency_department",
        rf(new_bladder_or_bowel_dysfunction=True),
        (rf(saddle_numbness=False),),
    ),
    Case(
        "cauda-equina-sexual",
        "emergency",
        0,
        "emergency_department",
        rf(new_sexual_dysfunction_or_genital_numbness=True),
        (rf(new_sexual_dysfunction_or_genital_numbness=False),),
    ),
    Case(
        "cauda-equina-both-legs",
        "emergency",
        0,
        "emergency_department",
        {
            "red_flags": {"progressive_leg_weakness": True},
            "pain": {"side": "both", "areas": ["low_back", "below_knee"]},
        },
        (
            {
                "red_flags": {"progressive_leg_weakness": True},
                "pain": {"side": "left", "areas": ["low_back", "below_knee"]},
            },
        ),
    ),
    Case(
        "cauda-equina-weakness-both-legs",
        "emergency",
        0,
        "emergency_department",
        rf(weakness_in_both_legs=True),
        (rf(progressive_leg_weakness=True, weakness_in_both_legs=False),),
    ),
    Case(
        "cauda-equina-bilateral-sciatica",
        "emergency",
        0,
        "emergency_department",
        {**V2, "pain": {"areas": ["low_back", "back_of_thigh", "below_knee"], **BOTH_BELOW}},
        (
            {**V2, "pain": {"leg_symptoms": {"left": "below_knee", "right": "above_knee"}}},
            # The body chart decides over the version 1 answers where it was filled in.
            {
                **V2,
                "pain": {
                    "side": "both",
                    "areas": ["low_back", "below_knee"],
                    "leg_symptoms": {"left": "none", "right": "below_knee"},
                },
            },
            {"pain": {"side": "left", "numbness_or_tingling_below_knee": True}},
            {"pain": {"side": "both", "areas": ["low_back", "buttock"]}},
        ),
    ),
    Case(
        "unsteady-walking",
        "emergency",
        0,
        "emergency_department",
        rf(new_unsteady_walking=True),
        ({**V2, "health": {"falls_or_poor_balance": True}},),
    ),
    Case(
        "spinal-infection",
        "emergency",
        0,
        "emergency_department",
        rf(fever_or_feeling_unwell=True, immunosuppressed_or_iv_drug_use=True),
        (rf(fever_or_feeling_unwell=True),),
    ),
    Case(
        "aortic-aneurysm-mass",
        "emergency",
        0,
        "emergency_department",
        rf(pulsating_abdominal_mass=True),
        ({"pain": {"areas": ["low_back", "abdomen"]}},),
    ),
    Case(
        "known-aortic-aneurysm-new-pain",
        "emergency",
        0,
        "emergency_department",
        {"health": ANEURYSM, "pain": {"duration_weeks": 3}},
        ({"health": ANEURYSM, "pain": {"duration_weeks": 40}},),
    ),
    Case(
        "aortic-aneurysm-risk-severe-pain",
        "emergency",
        0,
        "emergency_department",
        {**rf(new_severe_abdominal_pain=True), "person": {"age": 70, "sex": "male"}},
        (
            {
                **rf(new_severe_abdominal_pain=True),
                "person": {"age": 55, "sex": "male"},
                "health": NO_RISK,
            },
            {
                **rf(new_severe_abdominal_pain=True),
                "person": {"age": 45},
                "health": {"smoker_or_former_smoker": True},
            },
        ),
    ),
    Case(
        "cancer-with-weakness",
        "emergency",
        0,
        "emergency_department",
        rf(history_of_cancer=True, progressive_leg_weakness=True),
        (rf(history_of_cancer=True), rf(progressive_leg_weakness=True)),
    ),
    Case(
        "progressive-neurological-deficit",
        "urgent",
        24,
        "same_day_doctor",
        rf(progressive_leg_weakness=True),
        ({"observations": {"resisted_hip_flexion": {"left": "weak"}}},),
    ),
    Case(
        "possible-spinal-infection",
        "urgent",
        24,
        "same_day_doctor",
        rf(fever_or_feeling_unwell=True),
        (rf(immunosuppressed_or_iv_drug_use=True),),
    ),
    Case(
        "cancer-with-features",
        "urgent",
        24,
        "same_day_doctor",
        rf(history_of_cancer=True, constant_night_pain=True),
        ({**rf(history_of_cancer=True), "person": {"age": 50}},),
    ),
    Case(
        "iliopsoas-bleed",
        "urgent",
        24,
        "same_day_doctor",
        {"health": ANTICOAG, "pain": {"duration_weeks": 2, "areas": ["low_back", "groin"]}},
        (
            {"health": ANTICOAG, "pain": {"duration_weeks": 30, "areas": ["low_back", "groin"]}},
            {"health": ANTICOAG, "pain": {"duration_weeks": 2, "areas": ["low_back", "buttock"]}},
            {"pain": {"duration_weeks": 2, "areas": ["low_back", "groin"]}},
            {
                "health": ANTICOAG,
                "pain": {"duration_weeks": 30},
                "observations": {"resisted_hip_flexion": {"left": "painful"}},
            },
        ),
    ),
    Case(
        "severe-abdominal-pain",
        "urgent",
        24,
        "same_day_doctor",
        rf(new_severe_abdominal_pain=True),
        ({"pain": {"areas": ["low_back", "abdomen"]}},),
    ),
    Case(
        "under-16-possible-avulsion",
        "urgent",
        24,
        "same_day_doctor",
        {
            **V2,
            "person": {"age": 14},
            "pain": {"onset": "sudden"},
            "observations": {"resisted_hip_flexion": {"right": "weak_painful"}},
        },
        (
            {
                **V2,
                "person": {"age": 14},
                "pain": {"onset": "gradual"},
                "observations": {"resisted_hip_flexion": {"right": "weak_painful"}},
            },
            {
                **V2,
                "person": {"age": 16},
                "pain": {"onset": "sudden"},
                "observations": {"resisted_hip_flexion": {"right": "weak_painful"}},
            },
        ),
    ),
    Case(
        "suspected-fracture-trauma",
        "urgent",
        24,
        "same_day_doctor",
        rf(significant_trauma=True),
        (rf(osteoporosis_or_long_term_steroids=True),),
    ),
    Case(
        "under-16-possible-stress-fracture",
        "urgent",
        72,
        "child_and_adolescent_clinician",
        {
            "person": {"age": 13},
            "daily_life": {"activities": ["football"]},
            "pain": {"worse_with": ["bending_backward"]},
        },
        (
            {
                "person": {"age": 13},
                "daily_life": {"activities": ["walking"]},
                "pain": {"worse_with": ["bending_backward"]},
            },
            {
                "person": {"age": 13},
                "daily_life": {"activities": ["football"]},
                "pain": {"worse_with": ["bending_forward"]},
            },
            {
                "person": {"age": 16},
                "daily_life": {"activities": ["football"]},
                "pain": {"worse_with": ["bending_backward"]},
            },
        ),
    ),
    Case(
        "suspected-malignancy",
        "urgent",
        72,
        "doctor",
        rf(unexplained_weight_loss=True, constant_night_pain=True),
        ({**rf(unexplained_weight_loss=True), "person": {"age": 50}},),
    ),
    Case(
        "suspected-fragility-fracture",
        "urgent",
        72,
        "doctor",
        {
            **rf(osteoporosis_or_long_term_steroids=True),
            "pain": {"duration_weeks": 2, "intensity_now": 8},
        },
        (
            {
                **rf(osteoporosis_or_long_term_steroids=True),
                "pain": {"duration_weeks": 30, "intensity_now": 8},
            },
        ),
    ),
    Case(
        "pregnancy-or-postpartum",
        "see_clinician",
        336,
        "midwife_or_womens_health_physiotherapist",
        {"health": {"pregnant": True}},
        ({**V2, "health": {"pregnant": False, "postpartum_within_6_months": False}},),
    ),
    Case(
        "under-16",
        "see_clinician",
        336,
        "child_and_adolescent_clinician",
        {"person": {"age": 15}},
        ({"person": {"age": 16}},),
    ),
    Case(
        "hip-replacement-early",
        "see_clinician",
        336,
        "surgical_team",
        {"health": {"hip_replacement": True, "recent_abdominal_or_hip_surgery": True}},
        (
            {
                **V2,
                "health": {
                    "hip_replacement": True,
                    "recent_abdominal_or_hip_surgery": True,
                    "hip_replacement_cleared_for_exercise": True,
                },
            },
            {"health": {"hip_replacement": True, "recent_abdominal_or_hip_surgery": False}},
        ),
    ),
    Case(
        "abnormal-neurological-exam",
        "see_clinician",
        336,
        "doctor",
        {**V2, "observations": {"neurological_exam": "abnormal"}},
        (
            {**V2, "observations": {"neurological_exam": "normal"}},
            {**V2, "observations": {"neurological_exam": "not_done"}},
        ),
    ),
    Case(
        "nerve-root-signs",
        "see_clinician",
        336,
        "physiotherapist",
        {"pain": {"numbness_or_tingling_below_knee": True}},
        (
            {"pain": {"areas": ["low_back", "back_of_thigh"]}},
            {**V2, "pain": {"leg_symptoms": {"left": "above_knee", "right": "above_knee"}}},
        ),
    ),
    Case(
        "known-cancer",
        "see_clinician",
        336,
        "doctor",
        rf(history_of_cancer=True),
        (rf(unexplained_weight_loss=False),),
    ),
    Case(
        "unexplained-weight-loss",
        "see_clinician",
        336,
        "doctor",
        rf(unexplained_weight_loss=True),
        (rf(history_of_cancer=False),),
    ),
    Case(
        "constant-night-pain",
        "see_clinician",
        336,
        "doctor",
        rf(constant_night_pain=True),
        ({"pain": {"worse_with": ["night_rest"]}},),
    ),
    Case(
        "immunosuppressed",
        "see_clinician",
        336,
        "doctor",
        rf(immunosuppressed_or_iv_drug_use=True),
        (rf(fever_or_feeling_unwell=False),),
    ),
    Case(
        "known-aortic-aneurysm",
        "see_clinician",
        336,
        "doctor",
        {"health": ANEURYSM, "pain": {"duration_weeks": 40}},
        ({**V2, "health": {"family_history_aortic_aneurysm": True}},),
    ),
    Case(
        "abdominal-pain",
        "see_clinician",
        336,
        "doctor",
        {"pain": {"areas": ["low_back", "abdomen"]}},
        ({"pain": {"areas": ["low_back", "groin"]}},),
    ),
    Case(
        "start-back-high-risk",
        "see_clinician",
        336,
        "physiotherapist",
        {**V2, "screening": {"start_back": {"total": 6, "psychosocial": 4}}},
        (
            {**V2, "screening": {"start_back": {"total": 6, "psychosocial": 3}}},
            {**V2, "screening": {"start_back": {"total": 3, "psychosocial": 3}}},
        ),
    ),
    Case(
        "inflammatory-pattern",
        "see_clinician",
        336,
        "doctor",
        {
            "person": {"age": 28},
            "pain": {
                "duration_weeks": 20,
                "better_with": ["moving_about"],
                "worse_with": ["night_rest"],
            },
        },
        (
            {
                "person": {"age": 28},
                "pain": {
                    "duration_weeks": 8,
                    "better_with": ["moving_about"],
                    "worse_with": ["night_rest"],
                },
            },
        ),
    ),
    Case(
        "osteoporosis",
        "see_clinician",
        336,
        "doctor",
        {**rf(osteoporosis_or_long_term_steroids=True), "pain": {"duration_weeks": 30}},
        (rf(significant_trauma=False),),
    ),
)

CASE_IDS = [c.code for c in CASES]


def test_every_rule_has_a_case() -> None:
    assert sorted(CASE_IDS) == sorted(r.code for r in RULES)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rule_fires_with_its_level_time_frame_and_door(case: Case) -> None:
    t = run(**case.fires)
    assert case.code in codes_of(t)
    (reason,) = [r for r in t.reasons if r.code == case.code]
    assert (reason.level, reason.within_hours, reason.where) == (
        case.level,
        case.within_hours,
        case.where,
    )
    # Each case fires nothing more urgent, so the whole result follows the rule.
    assert (t.level, t.within_hours, t.where) == (case.level, case.within_hours, case.where)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_rule_does_not_fire_on_the_near_miss(case: Case) -> None:
    for near_miss in case.near_misses:
        assert case.code not in codes_of(run(**near_miss)), near_miss


def test_no_warning_sign_is_self_care() -> None:
    t = run()
    assert (t.level, codes_of(t), t.within_hours, t.where) == ("self_care", set(), None, "none")
    assert heading(t) == "SELF-CARE: no warning sign found"
    assert "home program is for you" in t.action


# --- cauda equina ---------------------------------------------------------------------------


def test_bilateral_sciatica_in_a_version_1_document_is_an_emergency() -> None:
    for pain in (
        {"side": "both", "numbness_or_tingling_below_knee": True},
        {"side": "both", "areas": ["low_back", "below_knee"]},
    ):
        intake = parse(intake_doc(pain=pain))
        assert intake.version == 1
        t = triage(intake)
        assert t.level == "emergency"
        assert "cauda-equina-bilateral-sciatica" in codes_of(t)
        assert "nerve-root-signs" not in codes_of(t)  # the milder twin is hidden


def test_half_filled_body_chart_falls_back_to_the_version_1_answers() -> None:
    pain = {
        "side": "both",
        "areas": ["low_back", "below_knee"],
        "leg_symptoms": {"left": "below_knee"},
    }
    assert "cauda-equina-bilateral-sciatica" in codes_of(run(**V2, pain=pain))
    one_sided = {**pain, "side": "left"}
    assert "cauda-equina-bilateral-sciatica" not in codes_of(run(**V2, pain=one_sided))


def test_weakness_in_both_legs_is_an_emergency_wherever_the_pain_is() -> None:
    for areas in (["low_back"], ["front_of_hip"], ["buttock", "back_of_thigh"]):
        t = run(**rf(weakness_in_both_legs=True), pain={"areas": areas})
        assert (t.level, t.within_hours, t.where) == ("emergency", 0, "emergency_department")


def test_worsening_weakness_with_bilateral_sciatica_shows_one_cauda_equina_reason() -> None:
    t = run(red_flags={"progressive_leg_weakness": True}, pain={"side": "both", **BOTH_BELOW})
    assert codes_of(t) == {"cauda-equina-both-legs"}


# --- aneurysm -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "changes",
    [
        {"health": ANEURYSM, "pain": {"duration_weeks": 2}},
        {"health": ANEURYSM, "pain": {"duration_weeks": 40, "areas": ["low_back", "abdomen"]}},
        {**rf(new_severe_abdominal_pain=True), "health": ANEURYSM, "pain": {"duration_weeks": 40}},
    ],
)
def test_known_aneurysm_with_new_or_changed_pain_is_an_emergency_never_within_days(
    changes: dict[str, Any],
) -> None:
    t = run(**changes)
    assert (t.level, t.within_hours, t.where) == ("emergency", 0, "emergency_department")
    assert codes_of(t) == {"known-aortic-aneurysm-new-pain"}
    assert "days" not in t.action and "days" not in heading(t)
    assert "ambulance" in t.reasons[0].message
    assert "Never press on your belly" in t.reasons[0].message


def test_a_rise_in_long_standing_pain_with_a_known_aneurysm_is_an_emergency() -> None:
    """Twenty weeks of the same back pain is not new; the same pain clearly worse is changed."""
    steady = make_intake(health=ANEURYSM, pain={"duration_weeks": 20, "intensity_now": 8})
    assert triage(steady).level == "see_clinician"
    risen = triage(steady, pain_risen=True)
    assert (risen.level, risen.within_hours) == ("emergency", 0)
    assert codes_of(risen) == {"known-aortic-aneurysm-new-pain"}


@pytest.mark.parametrize("code", ["iliopsoas-bleed", "suspected-fragility-fracture"])
def test_every_rule_that_reads_new_pain_reads_a_rise_as_new(code: str) -> None:
    long_standing = {
        "iliopsoas-bleed": {
            "health": {"takes_anticoagulants": True},
            "pain": {"duration_weeks": 30, "areas": ["groin"]},
        },
        "suspected-fragility-fracture": {
            **rf(osteoporosis_or_long_term_steroids=True),
            "pain": {"duration_weeks": 30, "side": "central"},
        },
    }[code]
    intake = make_intake(**long_standing)
    assert code not in codes_of(triage(intake))
    assert code in codes_of(triage(intake, pain_risen=True))
    assert RULES_BY_CODE[code].reads_new_pain and "risen" in RULES_BY_CODE[code].when


def test_a_rise_changes_only_the_rules_that_read_new_pain() -> None:
    """Long-standing pain keeps counting as long-standing for everything else (inflammatory
    back pain needs three months, for example)."""
    readers = {rule.code for rule in RULES if rule.reads_new_pain}
    assert readers == {
        "known-aortic-aneurysm-new-pain",
        "iliopsoas-bleed",
        "suspected-fragility-fracture",
    }


@pytest.mark.parametrize(
    ("person", "health"),
    [
        ({"age": 66, "sex": "male"}, NO_RISK),
        ({"age": 52, "sex": "female"}, {"high_blood_pressure": True}),
        ({"age": 52, "sex": "female"}, {"heart_or_circulation_disease": True}),
        ({"age": 52, "sex": "female"}, {"family_history_aortic_aneurysm": True}),
        ({"age": 62, "sex": "female"}, {}),  # the risk questions unanswered
    ],
)
def test_new_severe_belly_pain_with_aneurysm_risk_is_an_emergency(
    person: dict[str, Any], health: dict[str, Any]
) -> None:
    t = run(**rf(new_severe_abdominal_pain=True), person=person, health=health)
    assert t.level == "emergency"
    assert codes_of(t) == {"aortic-aneurysm-risk-severe-pain"}


def test_new_severe_belly_pain_without_aneurysm_risk_is_a_same_day_doctor() -> None:
    t = run(**rf(new_severe_abdominal_pain=True), person={"age": 30}, pain={"areas": ["abdomen"]})
    assert (t.level, t.within_hours, t.where) == ("urgent", 24, "same_day_doctor")
    assert codes_of(t) == {"severe-abdominal-pain"}  # "abdominal-pain" is superseded
    assert "appendix" in t.reasons[0].message


# --- blood thinners -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pain", "resisted"),
    [
        ({"duration_weeks": 3, "areas": ["low_back", "front_of_hip"]}, None),
        ({"duration_weeks": 3, "areas": ["front_of_thigh"]}, None),
        ({"duration_weeks": 30, "areas": ["groin"], "onset": "sudden"}, None),
        ({"duration_weeks": 30}, {"left": "weak"}),
        ({"duration_weeks": 30}, {"right": "weak_painful"}),
    ],
)
def test_blood_thinners_with_new_front_of_hip_pain_or_weak_hip_flexion_withhold_the_program(
    pain: dict[str, Any], resisted: dict[str, str] | None
) -> None:
    changes: dict[str, Any] = {**V2, "health": ANTICOAG, "pain": pain}
    if resisted:
        changes["observations"] = {"resisted_hip_flexion": resisted}
    t = run(**changes)
    assert "iliopsoas-bleed" in codes_of(t)
    assert (t.level, t.within_hours, t.where) == ("urgent", 24, "same_day_doctor")


# --- young people ---------------------------------------------------------------------------


def test_age_alone_is_not_a_red_flag_from_16() -> None:
    for age in (16, 18, 51, 75, 110):
        assert run(person={"age": age}).level == "self_care"


def test_under_16_is_its_own_pathway_with_a_gentle_program() -> None:
    for age in (12, 15):
        t = run(person={"age": age})
        assert (t.level, t.within_hours, t.where) == (
            "see_clinician",
            336,
            "child_and_adolescent_clinician",
        )
        assert "16 and over" in t.reasons[0].message
        assert "young people" in t.action


def test_young_athlete_with_suspected_stress_fracture_shows_only_the_specific_reason() -> None:
    t = run(
        person={"age": 14},
        daily_life={"activities": ["gym", "running"]},
        pain={"worse_with": ["bending_backward"]},
    )
    assert codes_of(t) == {"under-16-possible-stress-fracture"}  # "under-16" is superseded
    assert "few days" in heading(t)


def test_sudden_hip_flexor_injury_under_16_is_seen_today() -> None:
    t = run(
        **V2,
        person={"age": 13},
        pain={"onset": "sudden"},
        health={"recent_hip_flexor_injury": True},
    )
    assert codes_of(t) == {"under-16-possible-avulsion"}
    assert heading(t) == "URGENT: see a doctor today"


# --- pregnancy ------------------------------------------------------------------------------


def test_after_birth_goes_to_the_midwife_or_womens_health_physiotherapist() -> None:
    t = run(**V2, health={"postpartum_within_6_months": True})
    assert codes_of(t) == {"pregnancy-or-postpartum"}
    assert t.where == "midwife_or_womens_health_physiotherapist"
    assert "midwife" in t.action and "midwife" in heading(t)


# --- older rules kept -----------------------------------------------------------------------


def test_age_counts_together_with_other_features() -> None:
    assert run(person={"age": 60}, red_flags={"history_of_cancer": True}).level == "urgent"
    assert run(person={"age": 40}, red_flags={"history_of_cancer": True}).level == "see_clinician"
    assert run(person={"age": 55}, red_flags={"unexplained_weight_loss": True}).level == "urgent"


def test_nerve_root_signs_from_the_body_chart_need_a_clinician_but_keep_a_program() -> None:
    t = run(**V2, pain={"leg_symptoms": {"left": "below_knee", "right": "none"}})
    assert (t.level, codes_of(t)) == ("see_clinician", {"nerve-root-signs"})
    assert "gentle program is offered" in t.action


# --- time frame, door, heading and action agree --------------------------------------------


def test_within_hours_is_the_shortest_time_frame_and_the_heading_says_it() -> None:
    t = run(
        red_flags={
            "progressive_leg_weakness": True,  # today
            "unexplained_weight_loss": True,
            "constant_night_pain": True,  # within days
        }
    )
    assert t.level == "urgent"
    assert [r.within_hours for r in t.reasons] == [24, 72]
    assert t.within_hours == 24
    assert heading(t) == "URGENT: see a doctor today"
    assert "today" in t.action
    assert "days" not in t.action


def test_an_urgent_result_within_days_says_days_not_today() -> None:
    t = run(red_flags={"unexplained_weight_loss": True, "constant_night_pain": True})
    assert t.within_hours == 72
    assert heading(t) == "URGENT: see a doctor within a few days"
    assert "within the next few days" in t.action
    assert "today" not in t.action


def test_emergency_heading_and_action_say_now() -> None:
    t = run(red_flags={"saddle_numbness": True, "history_of_cancer": True})
    assert [r.level for r in t.reasons] == ["emergency", "see_clinician"]
    assert heading(t) == "EMERGENCY: go to an emergency department now"
    assert t.action.startswith("Go to an emergency department now.")
    assert "Do not start the exercises" in t.action


def test_where_comes_from_the_most_urgent_rule() -> None:
    # Urgent beats see-a-clinician, even where the milder rule is listed first.
    t = run(health={"pregnant": True, **ANTICOAG}, pain={"duration_weeks": 1, "areas": ["groin"]})
    assert (t.level, t.where) == ("urgent", "same_day_doctor")
    # On a tie the more specific door wins.
    t = run(health={"pregnant": True}, pain={"numbness_or_tingling_below_knee": True})
    assert t.where == "midwife_or_womens_health_physiotherapist"
    t = run(person={"age": 14}, pain={"numbness_or_tingling_below_knee": True})
    assert t.where == "child_and_adolescent_clinician"


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_heading_and_action_agree_with_within_hours(case: Case) -> None:
    t = run(**case.fires)
    assert t.within_hours is not None
    when = WHEN_WORDS[t.within_hours]
    assert when in t.action
    assert heading(t).startswith(LEVEL_TITLES[t.level] + ": ")
    short = {0: "now", 24: "today", 72: "within a few days", 336: "within two weeks"}
    assert heading(t).endswith(short[int(t.within_hours)])
    for other, words in WHEN_WORDS.items():
        if other != t.within_hours:
            assert words not in t.action, (other, t.action)
    assert ("held back" in t.action) == (t.level == "urgent")


def test_each_level_has_its_own_time_frames() -> None:
    frames = [f for level in TIME_FRAMES.values() for f in level]
    assert len(frames) == len(set(frames))
    assert set(ACTIONS) == set(frames)
    for rule in RULES:
        assert rule.within_hours in TIME_FRAMES[rule.level], rule.code
        assert (rule.level == "emergency") == (rule.where == "emergency_department"), rule.code


def _mentions(message: str, words: str) -> bool:
    return re.search(rf"\b{re.escape(words)}\b", message) is not None


def test_every_message_names_its_own_time_frame_and_no_other() -> None:
    for rule in RULES:
        assert rule.within_hours is not None, rule.code
        assert _mentions(rule.message, WHEN_WORDS[rule.within_hours]), rule.code
        for hours, words in WHEN_WORDS.items():
            if hours != rule.within_hours:
                assert not _mentions(rule.message, words), (rule.code, words)
        if rule.within_hours > 24:
            assert "today" not in rule.message, rule.code


def test_a_superseding_rule_is_at_least_as_urgent_as_what_it_hides() -> None:
    order = ("emergency", "urgent", "see_clinician", "self_care")
    for rule in RULES:
        for code in rule.supersedes:
            hidden = RULES_BY_CODE[code]
            assert order.index(rule.level) <= order.index(hidden.level), (rule.code, code)
            assert rule.within_hours is not None and hidden.within_hours is not None
            assert rule.within_hours <= hidden.within_hours, (rule.code, code)


def test_every_rule_is_documented_and_sourced() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    for rule in RULES:
        assert rule.sources, rule.code
        assert rule.title and rule.when, rule.code
        assert len(rule.message) > 40, rule.code
        for code in rule.supersedes:
            assert code in codes, (rule.code, code)


# --- the warning-sign questions re-asked when pain rises -----------------------------------


def _resolves(path: str) -> bool:
    model: Any = Intake
    for part in path.split("."):
        field = model.model_fields.get(part)
        if field is None:
            return False
        annotation = field.annotation
        inner = [a for a in getattr(annotation, "__args__", (annotation,)) if a is not type(None)]
        model = inner[0] if inner else annotation
    return True


def test_warning_sign_fields_are_every_red_flag_and_what_the_rules_read() -> None:
    fields = WARNING_SIGN_FIELDS
    assert len(fields) == len(set(fields))
    for path in fields:
        assert _resolves(path), path
    red_flags = [f for f in fields if f.startswith("red_flags.")]
    assert fields[: len(red_flags)] == tuple(red_flags)  # asked first
    assert {"red_flags.new_unsteady_walking", "red_flags.weakness_in_both_legs"} <= set(red_flags)
    assert len(red_flags) == 15
    not_reasked = {"pain.intensity_now", "pain.duration_weeks"}
    for rule in RULES:
        for read in re.findall(
            r"\b(?:red_flags|health|pain)\.[a-z0-9_]+(?:\.(?:left|right))?", rule.when
        ):
            assert read in fields or read in not_reasked, (rule.code, read)
