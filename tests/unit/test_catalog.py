"""The catalog: complete protocols from the sources, consistent data, a real bibliography."""

from __future__ import annotations

import pytest

from psoas.catalog import load_catalog
from psoas.domain import involvement, program, triage
from psoas.services import rules_doc

CATALOG = load_catalog()
CONTRACT_IDS = (
    "massage-gun-psoas-release",
    "release-tool-prone",
    "release-tool-supine",
    "lunge-stretch",
    "half-kneeling-hip-flexor-stretch",
    "standing-staggered-hip-flexor-stretch",
    "table-hip-flexor-stretch",
    "movement-break",
)


def text_of(exercise_id: str) -> str:
    ex = CATALOG.exercise(exercise_id)
    parts = [ex.summary, *ex.steps, *ex.cues, *ex.common_errors, *ex.safety, *ex.progression]
    parts += [v.description for v in ex.variants]
    if ex.breathing:
        parts.append(ex.breathing)
    return " ".join(parts).lower()


@pytest.mark.parametrize("exercise_id", CONTRACT_IDS)
def test_stable_contract_ids_exist(exercise_id: str) -> None:
    CATALOG.exercise(exercise_id)


def test_every_category_is_covered() -> None:
    categories = {e.category for e in CATALOG.exercises}
    assert categories == {"release", "stretch", "strengthen", "posture", "movement"}


def test_every_entry_is_complete() -> None:
    for ex in CATALOG.exercises:
        assert ex.steps and ex.why and ex.sources, ex.id
        if ex.category in ("release", "stretch", "strengthen"):
            assert ex.cues and ex.common_errors and ex.safety, ex.id
            assert ex.progression or ex.regression or ex.variants, ex.id


def test_releases_press_the_belly_and_nothing_else_does() -> None:
    for ex in CATALOG.exercises:
        assert ex.abdominal_pressure == (ex.category == "release"), ex.id
        if ex.abdominal_pressure:
            assert ex.breathing, ex.id
            conditions = {c.condition for c in ex.contraindications}
            assert set(program.ABDOMINAL_PRESSURE_UNSAFE) <= conditions, ex.id


def test_massage_gun_protocol_keeps_every_step_of_the_source() -> None:
    text = text_of("massage-gun-psoas-release")
    for fact in (
        "bullet",
        "four fingerbreadths",
        "up and down",
        "deeper",
        "lift it",  # straight-leg raise check
        "circles",
        "toward your chest",  # flexion with the knee bent
        "roll the whole leg in and out",  # rotations with the leg straight
        "drop out to the side",  # abduction / adduction, knee bent, foot flat
        "stretch",
    ):
        assert fact in text, fact


def test_release_tool_has_both_placements_and_the_breathing() -> None:
    for exercise_id in ("release-tool-prone", "release-tool-supine"):
        text = text_of(exercise_id)
        assert "iliacus" in text and "psoas" in text, exercise_id
        assert "breathe out" in text or "out-breath" in text, exercise_id
    supine = text_of("release-tool-supine")
    assert "pillow" in supine or "bolster" in supine
    assert CATALOG.exercise("release-tool-supine").position == "bed"
    assert CATALOG.exercise("release-tool-prone").needs_floor


def test_stretch_protocols_from_the_sources() -> None:
    lunge = CATALOG.exercise("lunge-stretch")
    assert (lunge.dose.hold_seconds, lunge.dose.sets, lunge.dose.sets_max) == (30, 3, 5)
    assert "toes" in text_of("lunge-stretch")
    assert "tuck" in text_of("half-kneeling-hip-flexor-stretch")
    assert "arch" in text_of("half-kneeling-hip-flexor-stretch")
    assert "ankle weight" in text_of("table-hip-flexor-stretch")
    staggered = CATALOG.exercise("standing-staggered-hip-flexor-stretch")
    assert not staggered.needs_floor and not staggered.needs_kneeling
    for ex in CATALOG.exercises:
        if ex.category == "stretch":
            assert ex.one_sided and ex.dose.per_side, ex.id
            assert any(c.condition == "recent_hip_flexor_injury" for c in ex.contraindications)


def test_posture_corrections_and_breaks_from_the_sources() -> None:
    for exercise_id in (
        "sit-back-in-chair",
        "feet-flat-not-hooked",
        "stand-for-gym-exercises",
        "avoid-sleeping-on-stomach",
        "change-position-often",
        "standing-desk-intervals",
    ):
        assert CATALOG.exercise(exercise_id).category == "posture"
    assert "20" in text_of("movement-break") and "30" in text_of("movement-break")


def test_strengthening_covers_hip_flexors_core_and_hip_extensors() -> None:
    targets = " ".join(
        " ".join(e.targets) for e in CATALOG.exercises if e.category == "strengthen"
    ).lower()
    for muscle in ("psoas", "core", "glute"):
        assert muscle in targets, muscle


def test_clinician_options_are_never_home_items() -> None:
    home = {e.id for e in CATALOG.exercises}
    option_ids = {o.id for o in CATALOG.clinician_options}
    assert {"manual-psoas-release", "dry-needling-psoas", "physiotherapy-assessment"} <= option_ids
    assert not home & option_ids


def test_bibliography_entries_can_be_looked_up() -> None:
    for ref in CATALOG.references:
        assert ref.title and ref.publisher, ref.key
        if ref.kind == "source-document":
            assert ref.year or (ref.note and "undated" in ref.note.lower()), ref.key
        elif not ref.unconfirmed:
            assert ref.year, ref.key
    kinds = {r.kind for r in CATALOG.references}
    assert "source-document" in kinds and "journal" in kinds and "guideline" in kinds


def test_every_key_the_rules_cite_is_in_the_bibliography() -> None:
    keys: set[str] = set()
    for rule in triage.RULES:
        keys |= set(rule.sources)
    for finding in involvement.FINDINGS.values():
        keys |= set(finding.sources)
    keys |= set(program.ABDOMINAL_SOURCES)
    for _, _, sources in (*rules_doc.SAFETY_RULES, *rules_doc.DOSE_RULES):
        keys |= set(sources)
    missing = {k for k in keys if not CATALOG.has_reference(k)}
    assert not missing


def test_slot_candidates_exist() -> None:
    for slot in (
        program.PRIMARY_STRETCH,
        program.SECOND_STRETCH,
        program.RELEASE_SLOT,
        program.CORE,
        program.EXTENSORS,
        program.FLEXOR_STRENGTH,
        program.INJURED_FLEXOR_STRENGTH,
    ):
        for exercise_id in slot.candidates:
            CATALOG.exercise(exercise_id)
    for exercise_id in program.POSTURE_IDS:
        CATALOG.exercise(exercise_id)
