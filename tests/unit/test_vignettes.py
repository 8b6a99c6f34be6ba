"""The two cases told in the source documents, and a few every clinician knows."""

from __future__ import annotations

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.intake import Intake
from tests.conftest import EXAMPLES, load_json, make_intake

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
    assert ids[0] == "massage-gun-psoas-release"  # release first, then the stretch (source 000)
    assert "half-kneeling-hip-flexor-stretch" in ids  # short rectus femoris: the kneeling version
    assert a.program.break_interval_minutes == 20


def test_taxi_driver_with_weak_resisted_hip_flexion() -> None:
    """Source 001: a cab driver with pain into the front of the hip, unable to flex against
    resistance on the right."""
    a = assess(example("taxi-driver.json"), CATALOG)
    assert a.triage.level == "self_care"
    assert a.hip_flexor_involvement.level == "likely"
    assert a.tighter_side == "right"
    assert a.program is not None
    ids = [i.id for i in a.program.items]
    assert "release-tool-supine" in ids  # cannot get to the floor: the bed version
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
