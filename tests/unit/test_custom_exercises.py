"""A clinic exercise as the catalog's own model sees it: ids that cannot clash, the safety
flags a position implies, contraindications in the catalog's form, at least one source."""

from __future__ import annotations

from typing import Any

import pytest

from psoas.catalog import load_catalog
from psoas.domain.errors import Refused
from psoas.services import custom_exercises as custom

FORM: dict[str, Any] = {
    "name": "Kneeling rock back",
    "category": "stretch",
    "position": "kneeling",
    "abdominal_pressure": False,
    "one_sided": True,
    "targets": "hip flexors, glutes",
    "summary": "On hands and knees, you rock gently back towards your heels.",
    "why": "It may ease a stiff hip.",
    "dose": {"sets": 3, "reps": 5, "hold_seconds": 10},
    "steps": "Kneel on a mat.\nRock back slowly.",
    "contraindications": ["hip_replacement"],
    "sources": ["nice-ng59"],
    "figure": "bird-dog",
}


def test_no_catalog_id_can_be_taken_for_a_clinic_exercise() -> None:
    assert not [e.id for e in load_catalog().exercises if custom.is_clinic_item(e.id)]


def test_a_position_brings_its_safety_flags_and_conditions_their_reasons() -> None:
    ex, refs = custom.to_exercise(custom.parse_form(FORM), "clinic-1-kneeling-rock-back")
    assert ex.needs_kneeling and ex.needs_floor and ex.stretches_hip_flexors
    assert ex.dose.per_side and ex.targets == ("hip flexors", "glutes")
    [c] = ex.contraindications
    assert c.condition == "hip_replacement" and "a hip replacement" in c.reason
    assert c.sources == ("nice-ng59",) and refs == ()


def test_a_source_is_required_and_the_clinics_own_counts() -> None:
    with pytest.raises(Refused) as refused:
        custom.to_exercise(custom.parse_form({**FORM, "sources": []}), "clinic-1-x")
    assert custom.NO_SOURCE in refused.value.lines
    own = {"title": "Our protocol", "publisher": "Riverside Physio", "year": 2025}
    ex, refs = custom.to_exercise(
        custom.parse_form({**FORM, "sources": [], "own_reference": own}), "clinic-1-x"
    )
    assert ex.sources == ("clinic-1-x-ref",) and refs[0].citation().startswith("Our protocol")
    catalog = custom.extended(load_catalog(), [ex], refs)
    assert catalog.exercise("clinic-1-x") == ex and catalog.has_reference("clinic-1-x-ref")


def test_an_unknown_source_or_a_bad_dose_is_named() -> None:
    with pytest.raises(Refused) as refused:
        custom.to_exercise(
            custom.parse_form({**FORM, "sources": ["made-up"], "dose": {"reps": 5}}), "clinic-1-x"
        )
    text = " ".join(refused.value.lines)
    assert "a dose needs sets or minutes" in text


def test_a_picture_is_one_of_the_drawn_poses() -> None:
    figures = {f.item_id for f in custom.figure_choices()}
    assert "bird-dog" in figures and len(figures) >= 20
    with pytest.raises(Refused):
        custom._check_figure("not-a-picture")


def test_a_clinic_exercise_that_rolls_the_leg_waits_for_the_surgical_teams_clearance() -> None:
    """The hip-replacement rotation rule reads the flag, so a clinic's exercise marked so is
    kept from a replaced hip exactly as the massage-gun release is."""
    from psoas.domain.program import exclusion
    from psoas.domain.triage import triage
    from tests.conftest import make_intake

    form = {**FORM, "category": "strengthen", "position": "bed", "contraindications": []}
    form["hip_rotation_under_load"] = True
    ex, _ = custom.to_exercise(custom.parse_form(form), "clinic-1-leg-rolls")
    assert ex.hip_rotation_under_load
    for cleared, expected in ((False, "hip-replacement-rotation"), (True, None)):
        intake = make_intake(
            health={"hip_replacement": True, "hip_replacement_cleared_for_exercise": cleared}
        )
        found = exclusion(intake, triage(intake), ex)
        assert (found.code if found else None) == expected
