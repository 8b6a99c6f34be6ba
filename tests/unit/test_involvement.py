"""Hip-flexor findings, the level they add up to, and the tighter side."""

from __future__ import annotations

from typing import Any

from psoas.domain.involvement import FINDINGS, tighter_side, weigh
from tests.conftest import make_intake


def weighed(**changes: Any):  # type: ignore[no-untyped-def]
    intake = make_intake(**changes)
    inv = weigh(intake)
    return inv, {f.code for f in inv.findings}, tighter_side(intake, inv)


def thomas(left: float | None = None, right: float | None = None, **knees: float) -> dict:
    out: dict[str, Any] = {}
    for side, hip in (("left", left), ("right", right)):
        entry: dict[str, float] = {}
        if hip is not None:
            entry["hip_angle_deg"] = hip
        if f"{side}_knee" in knees:
            entry["knee_angle_deg"] = knees[f"{side}_knee"]
        if entry:
            out[side] = entry
    return {"thomas_test": out}


def test_long_sitting_alone_is_possible_at_most() -> None:
    inv, codes, _ = weighed(
        daily_life={"sitting_hours_per_day": 10, "longest_sitting_minutes": 120}
    )
    assert {"long-sitting", "long-unbroken-sitting", "sitting-occupation"} <= codes
    assert inv.level == "possible"


def test_strong_story_without_examination_stays_possible_and_says_why() -> None:
    inv, codes, _ = weighed(
        daily_life={"sitting_hours_per_day": 10, "longest_sitting_minutes": 120},
        pain={"areas": ["low_back", "groin"], "worse_with": ["standing_long", "walking"]},
        observations={"cannot_stand_fully_upright": True},
    )
    assert inv.score >= 7
    assert inv.level == "possible"
    assert "examination-needed" in codes


def test_positive_thomas_test_makes_it_likely_and_picks_the_side() -> None:
    inv, codes, side = weighed(
        daily_life={"sitting_hours_per_day": 9}, observations=thomas(left=2, right=15)
    )
    assert "thomas-short-hip-flexors" in codes
    assert inv.level == "likely"
    assert side == "right"


def test_side_difference_under_ten_degrees_is_not_a_tighter_side() -> None:
    _, _, side = weighed(observations=thomas(left=8, right=15))
    assert side is None


def test_normal_thomas_test_counts_against() -> None:
    inv, codes, side = weighed(observations=thomas(left=-5, right=-10))
    assert "thomas-normal" in codes
    assert inv.level == "unlikely"
    assert side is None


def test_short_rectus_femoris_is_its_own_finding() -> None:
    _, codes, _ = weighed(observations=thomas(left=0, right=0, left_knee=60))
    assert "thomas-short-rectus-femoris" in codes


def test_bilateral_finding_counts_once() -> None:
    one, _, _ = weighed(observations={"resisted_hip_flexion": {"left": "weak", "right": "normal"}})
    both, _, _ = weighed(observations={"resisted_hip_flexion": {"left": "weak", "right": "weak"}})
    assert one.score == both.score


def test_one_sided_signs_decide_the_side_without_thomas_angles() -> None:
    _, _, side = weighed(
        pain={"side": "left", "areas": ["low_back", "front_of_hip"]},
        observations={"resisted_hip_flexion": {"left": "weak_painful", "right": "normal"}},
    )
    assert side == "left"
    _, _, side = weighed(observations={"short_stride_side": "right"})
    assert side is None  # one point is not a clear lead


def test_signs_against() -> None:
    inv, codes, _ = weighed(
        daily_life={"sitting_hours_per_day": 1, "occupation": "gardener"},
        pain={"areas": ["low_back", "below_knee"], "better_with": ["sitting"]},
    )
    assert {"little-sitting", "nerve-root-signs", "better-sitting"} <= codes
    assert inv.score < 0
    assert inv.level == "unlikely"


def test_every_finding_has_weight_message_and_registered_sources() -> None:
    inv, _, _ = weighed(
        daily_life={"sitting_hours_per_day": 9, "activities": ["cycling"], "occupation": "driver"},
        pain={
            "side": "right",
            "areas": ["low_back", "front_of_hip", "front_of_thigh"],
            "worse_with": ["rising_from_sitting", "lying_flat_legs_straight"],
            "better_with": ["lying_knees_bent"],
        },
        observations={
            "lumbar_exam_unremarkable": True,
            "increased_lumbar_lordosis": True,
            "short_stride_side": "right",
            "lateral_shift_side": "right",
            "psoas_palpation_reproduces_pain": {"right": True},
            **thomas(left=0, right=20, right_knee=70),
        },
    )
    assert inv.level == "likely"
    for f in inv.findings:
        assert f.code in FINDINGS
        assert f.sources == FINDINGS[f.code].sources
        assert f.message
