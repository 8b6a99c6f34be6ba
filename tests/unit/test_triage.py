"""Every red-flag rule: what fires it, what it does not fire on, and what the person is told."""

from __future__ import annotations

from typing import Any

import pytest

from psoas.domain.triage import RULES, triage
from tests.conftest import make_intake


def level_and_codes(**changes: Any) -> tuple[str, set[str]]:
    t = triage(make_intake(**changes))
    return t.level, {r.code for r in t.reasons}


def test_no_warning_sign_is_self_care() -> None:
    level, codes = level_and_codes()
    assert (level, codes) == ("self_care", set())


@pytest.mark.parametrize(
    ("flags", "level", "code"),
    [
        ({"saddle_numbness": True}, "emergency", "cauda-equina-saddle"),
        ({"new_bladder_or_bowel_dysfunction": True}, "emergency", "cauda-equina-bladder-bowel"),
        ({"pulsating_abdominal_mass": True}, "emergency", "aortic-aneurysm-mass"),
        (
            {"fever_or_feeling_unwell": True, "immunosuppressed_or_iv_drug_use": True},
            "emergency",
            "spinal-infection",
        ),
        (
            {"history_of_cancer": True, "progressive_leg_weakness": True},
            "emergency",
            "cancer-with-weakness",
        ),
        ({"progressive_leg_weakness": True}, "urgent", "progressive-neurological-deficit"),
        ({"fever_or_feeling_unwell": True}, "urgent", "possible-spinal-infection"),
        ({"significant_trauma": True}, "urgent", "suspected-fracture-trauma"),
        (
            {"history_of_cancer": True, "constant_night_pain": True},
            "urgent",
            "cancer-with-features",
        ),
        (
            {"unexplained_weight_loss": True, "constant_night_pain": True},
            "urgent",
            "suspected-malignancy",
        ),
        ({"history_of_cancer": True}, "see_clinician", "known-cancer"),
        ({"unexplained_weight_loss": True}, "see_clinician", "unexplained-weight-loss"),
        ({"constant_night_pain": True}, "see_clinician", "constant-night-pain"),
        ({"immunosuppressed_or_iv_drug_use": True}, "see_clinician", "immunosuppressed"),
        ({"osteoporosis_or_long_term_steroids": True}, "see_clinician", "osteoporosis"),
    ],
)
def test_red_flag_sets_level(flags: dict[str, bool], level: str, code: str) -> None:
    got_level, codes = level_and_codes(red_flags=flags)
    assert got_level == level
    assert code in codes


def test_bilateral_leg_symptoms_with_weakness_are_an_emergency() -> None:
    level, codes = level_and_codes(
        red_flags={"progressive_leg_weakness": True},
        pain={"side": "both", "areas": ["low_back", "below_knee"]},
    )
    assert level == "emergency"
    assert "cauda-equina-both-legs" in codes
    assert "progressive-neurological-deficit" not in codes  # superseded, not repeated


def test_age_alone_is_not_a_red_flag() -> None:
    for age in (12, 18, 51, 75, 110):
        assert level_and_codes(person={"age": age})[0] == "self_care"


def test_age_counts_together_with_other_features() -> None:
    assert level_and_codes(person={"age": 60}, red_flags={"history_of_cancer": True})[0] == "urgent"
    assert level_and_codes(person={"age": 40}, red_flags={"history_of_cancer": True})[0] == (
        "see_clinician"
    )
    assert level_and_codes(person={"age": 55}, red_flags={"unexplained_weight_loss": True})[0] == (
        "urgent"
    )


def test_fragile_bones_with_new_severe_pain_is_urgent_but_old_pain_is_not() -> None:
    new = {"duration_weeks": 2, "intensity_now": 8}
    flags = {"osteoporosis_or_long_term_steroids": True}
    assert level_and_codes(red_flags=flags, pain=new)[0] == "urgent"
    old = {"duration_weeks": 30, "intensity_now": 8}
    assert level_and_codes(red_flags=flags, pain=old)[0] == "see_clinician"


def test_known_aneurysm_with_belly_pain_is_urgent() -> None:
    level, codes = level_and_codes(
        health={"known_aortic_aneurysm": True}, pain={"areas": ["low_back", "abdomen"]}
    )
    assert level == "urgent"
    assert codes == {"known-aortic-aneurysm-new-pain"}
    level, _ = level_and_codes(health={"known_aortic_aneurysm": True}, pain={"duration_weeks": 40})
    assert level == "see_clinician"


def test_nerve_root_signs_need_a_clinician_but_keep_a_program() -> None:
    level, codes = level_and_codes(pain={"numbness_or_tingling_below_knee": True})
    assert (level, codes) == ("see_clinician", {"nerve-root-signs"})


def test_inflammatory_pattern_suggests_rheumatology() -> None:
    level, codes = level_and_codes(
        person={"age": 28},
        pain={"duration_weeks": 20, "better_with": ["moving_about"], "worse_with": ["night_rest"]},
    )
    assert level == "see_clinician"
    assert codes == {"inflammatory-pattern"}


def test_reasons_are_most_urgent_first_and_action_says_where_and_when() -> None:
    t = triage(make_intake(red_flags={"saddle_numbness": True, "history_of_cancer": True}))
    assert [r.level for r in t.reasons] == ["emergency", "see_clinician"]
    assert "emergency department" in t.action
    assert "today" in t.action


def test_every_rule_is_documented_and_sourced() -> None:
    codes = [r.code for r in RULES]
    assert len(codes) == len(set(codes))
    for rule in RULES:
        assert rule.sources, rule.code
        assert len(rule.message) > 40, rule.code
        for code in rule.supersedes:
            assert code in codes, (rule.code, code)
