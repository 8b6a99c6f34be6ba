"""A doctor's medical clearance releases a red-flag hold, and nothing else (domain, pure)."""

from __future__ import annotations

from datetime import UTC, datetime

import jsonschema
import pytest
from pydantic import ValidationError

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.clearance import (
    CLEARED_CODE,
    MedicalClearance,
    carries_over,
    clearable_rules,
)
from psoas.domain.intake import Intake
from tests.conftest import CONTRACTS, load_json, make_intake

CATALOG = load_catalog()
WHEN = datetime(2026, 12, 1, 9, 30, tzinfo=UTC)


def clearance(*codes: str, role: str = "gp", note: str = "") -> MedicalClearance:
    return MedicalClearance.model_validate(
        {
            "cleared_by": "Dr Ada Obi",
            "role": role,
            "cleared_at": WHEN,
            "codes": frozenset(codes),
            "note": note,
            "recorded_by": "Sam Physio",
        }
    )


def weak_leg() -> Intake:
    return make_intake(red_flags={"progressive_leg_weakness": True})


def test_an_urgent_hold_is_released_by_a_clearance_of_its_reason() -> None:
    held = assess(weak_leg(), CATALOG)
    assert held.program is None and held.triage.level == "urgent"
    cleared = assess(weak_leg(), CATALOG, clearance=clearance("progressive-neurological-deficit"))
    assert cleared.program is not None and cleared.program.items
    assert cleared.triage.level == "see_clinician"
    assert [r.code for r in cleared.triage.reasons] == [CLEARED_CODE]
    assert cleared.clearance is not None
    assert cleared.clearance.cleared_by == "Dr Ada Obi"
    assert cleared.clearance.role_name == "GP (family doctor)"
    assert [r.code for r in cleared.clearance.reasons] == ["progressive-neurological-deficit"]


def test_a_clearance_of_another_reason_keeps_the_hold() -> None:
    result = assess(weak_leg(), CATALOG, clearance=clearance("possible-spinal-infection"))
    assert result.program is None and result.triage.level == "urgent"
    assert result.clearance is None  # it covers nothing in these answers


def test_every_reason_must_be_covered() -> None:
    intake = make_intake(
        red_flags={"progressive_leg_weakness": True, "fever_or_feeling_unwell": True}
    )
    one = assess(intake, CATALOG, clearance=clearance("progressive-neurological-deficit"))
    assert one.program is None
    assert [r.code for r in one.triage.reasons] == ["possible-spinal-infection"]
    both = assess(
        intake,
        CATALOG,
        clearance=clearance("progressive-neurological-deficit", "possible-spinal-infection"),
    )
    assert both.program is not None


def test_clearing_an_emergency_brings_back_the_reasons_it_hid() -> None:
    """Weakness in both legs hides 'worsening leg weakness'; ruling out cauda equina does not
    clear the weakness itself."""
    intake = make_intake(
        red_flags={"progressive_leg_weakness": True, "weakness_in_both_legs": True}
    )
    codes = {r.code for r in clearable_rules(intake)}
    assert {"cauda-equina-weakness-both-legs", "progressive-neurological-deficit"} <= codes
    part = assess(intake, CATALOG, clearance=clearance("cauda-equina-weakness-both-legs"))
    assert part.program is None and part.triage.level == "urgent"
    assert part.clearance is not None  # shown: what was cleared, and what still holds
    whole = assess(intake, CATALOG, clearance=clearance(*codes, role="emergency_physician"))
    assert whole.program is not None


def test_see_a_clinician_reasons_stay_and_cannot_be_cleared() -> None:
    with pytest.raises(ValidationError, match="not a warning sign that holds"):
        clearance("nerve-root-signs")
    intake = make_intake(
        red_flags={"progressive_leg_weakness": True},
        pain={"areas": ["low_back", "below_knee"]},
    )
    result = assess(intake, CATALOG, clearance=clearance("progressive-neurological-deficit"))
    assert result.program is not None
    assert {r.code for r in result.triage.reasons} == {"nerve-root-signs", CLEARED_CODE}


def test_belly_pressure_stays_out_after_a_cleared_aneurysm_emergency() -> None:
    intake = make_intake(red_flags={"pulsating_abdominal_mass": True})
    result = assess(intake, CATALOG, clearance=clearance("aortic-aneurysm-mass"))
    assert result.program is not None
    assert not any(i.abdominal_pressure for i in result.program.items)
    assert not any(o.id for o in result.clinician_options if "gun" in o.id)


def test_a_clearance_needs_a_doctor_a_name_and_a_zone() -> None:
    with pytest.raises(ValidationError):
        clearance("progressive-neurological-deficit", role="physiotherapist")
    with pytest.raises(ValidationError):
        MedicalClearance(
            cleared_by=" ",
            role="gp",
            cleared_at=WHEN,
            codes=frozenset({"progressive-neurological-deficit"}),
        )
    with pytest.raises(ValidationError, match="time zone"):
        MedicalClearance(
            cleared_by="Dr Obi",
            role="gp",
            cleared_at=datetime(2026, 12, 1),
            codes=frozenset({"progressive-neurological-deficit"}),
        )


def test_a_clearance_carries_over_only_to_the_same_answers_without_a_pain_rise() -> None:
    before = weak_leg()
    same = make_intake(red_flags={"progressive_leg_weakness": True}, pain={"intensity_now": 6})
    assert carries_over(before, same, pain_risen=False)
    assert not carries_over(before, same, pain_risen=True)
    worse = make_intake(
        red_flags={"progressive_leg_weakness": True, "saddle_numbness": True},
    )
    assert not carries_over(before, worse, pain_risen=False)
    better = make_intake()
    assert not carries_over(before, better, pain_risen=False)


def test_the_cleared_result_follows_the_contract() -> None:
    result = assess(weak_leg(), CATALOG, clearance=clearance("progressive-neurological-deficit"))
    schema = load_json(CONTRACTS / "assessment-v1.schema.json")
    jsonschema.Draft202012Validator(schema).validate(result.model_dump(mode="json"))
    assert "finucane-2020" in result.cited_keys()


def test_the_terminal_says_who_cleared_what() -> None:
    from psoas.cli.format import format_assessment

    result = assess(weak_leg(), CATALOG, clearance=clearance("progressive-neurological-deficit"))
    text = " ".join(format_assessment(result, CATALOG).split())
    assert (
        "Cleared by a doctor: Dr Ada Obi, GP (family doctor), cleared on 01 December 2026" in text
    )
    assert "Worsening leg weakness (recorded by Sam Physio). So the home program is given." in text
    held = assess(weak_leg(), CATALOG)
    assert "Cleared by a doctor" not in format_assessment(held, CATALOG)
