"""The catalog: complete protocols from the sources, consistent data, a real bibliography."""

from __future__ import annotations

import re
from typing import get_args

import pytest
from pydantic import ValidationError

from psoas.catalog import load_catalog
from psoas.domain import involvement, program, triage
from psoas.domain.catalog import Catalog, ConditionCode, Dose, EducationCard, Exercise
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


# --- items added for people who cannot stand, McGill's exercises and graded walking -------------

NEW_ITEMS = {
    "mcgill-curl-up": ("strengthen", "floor"),
    "side-bridge": ("strengthen", "floor"),
    "graded-walking": ("movement", "standing"),
    "seated-hip-flexor-stretch": ("stretch", "seated"),
    "seated-marching": ("strengthen", "seated"),
    "seated-core-bracing": ("strengthen", "seated"),
    "seated-break": ("movement", "seated"),
    "pressure-relief-break": ("movement", "seated"),
}
#: Seated items that still need standing up from the chair.
STANDS_UP_FROM_A_CHAIR = {"break-sit-to-stand"}


@pytest.mark.parametrize(("exercise_id", "kind"), NEW_ITEMS.items())
def test_new_items_load_with_their_category_and_position(
    exercise_id: str, kind: tuple[str, str]
) -> None:
    ex = CATALOG.exercise(exercise_id)
    assert (ex.category, ex.position) == kind
    assert ex.steps and ex.why and ex.sources and ex.safety and ex.common_errors, exercise_id
    assert ex.progression and ex.regression and ex.variants, exercise_id
    assert not ex.abdominal_pressure


def test_standing_items_need_standing_and_seated_ones_do_not() -> None:
    for ex in CATALOG.exercises:
        if ex.position == "standing":
            assert ex.needs_standing, ex.id
        if ex.position == "seated" and ex.id not in STANDS_UP_FROM_A_CHAIR:
            assert not ex.needs_standing, ex.id
    assert CATALOG.exercise("break-sit-to-stand").needs_standing
    assert CATALOG.exercise("change-position-often").needs_standing  # stand, walk, sit again


def test_someone_who_cannot_stand_still_has_a_stretch_strength_core_and_breaks() -> None:
    seated = [e for e in CATALOG.exercises if not e.needs_standing and not e.needs_floor]
    seated = [e for e in seated if e.position in ("seated", "any")]
    kinds = {e.category for e in seated}
    assert {"stretch", "strengthen", "movement"} <= kinds
    assert any(e.stretches_hip_flexors or e.category == "stretch" for e in seated)
    assert any("psoas" in e.targets for e in seated if e.category == "strengthen")
    assert any("deep core" in e.targets for e in seated if e.category == "strengthen")


def test_lying_on_the_back_is_flagged_for_every_item_done_that_way() -> None:
    flagged = {e.id for e in CATALOG.exercises if e.lies_on_back}
    assert {
        "massage-gun-psoas-release",
        "release-tool-supine",
        "table-hip-flexor-stretch",
        "supine-marching",
        "dead-bug",
        "glute-bridge",
        "mcgill-curl-up",
    } <= flagged
    for ex in CATALOG.exercises:
        opening = (ex.steps[0] + " " + ex.summary).lower()
        if opening.startswith(("lie on your back", "lying on your back")):
            assert ex.lies_on_back, ex.id
    for not_on_back in ("release-tool-prone", "side-bridge", "seated-core-bracing", "bird-dog"):
        assert not CATALOG.exercise(not_on_back).lies_on_back, not_on_back


def test_heavy_lengthening_load_and_table_transfer_flags() -> None:
    assert CATALOG.exercise("dead-bug").heavy_lengthening_load
    for gentle in ("isometric-hip-flexion", "seated-marching", "mcgill-curl-up", "glute-bridge"):
        assert not CATALOG.exercise(gentle).heavy_lengthening_load, gentle
    transfers = {e.id for e in CATALOG.exercises if e.table_transfer}
    assert transfers == {"table-hip-flexor-stretch"}
    for ex in CATALOG.exercises:
        if "table_or_firm_bed_edge" in ex.equipment or ex.position == "table":
            assert ex.table_transfer, ex.id


def test_standing_and_table_flags_are_implied_and_cannot_be_denied() -> None:
    base = CATALOG.exercise("lunge-stretch").model_dump()
    base.pop("needs_standing")
    assert Exercise.model_validate(base).needs_standing
    with pytest.raises(ValidationError, match="standing item needs standing"):
        Exercise.model_validate({**base, "needs_standing": False})
    table = CATALOG.exercise("table-hip-flexor-stretch").model_dump()
    with pytest.raises(ValidationError, match="table transfer"):
        Exercise.model_validate({**table, "table_transfer": False})


def test_mcgill_curl_up_follows_the_source() -> None:
    ex = CATALOG.exercise("mcgill-curl-up")
    text = text_of("mcgill-curl-up")
    assert "mcgill-2016" in ex.sources
    assert ex.needs_floor and ex.lies_on_back
    assert "one knee" in text and "hands" in text and "head and shoulders" in text
    assert "abdominals" in ex.targets and "deep core" in ex.targets
    assert ex.dose.hold_seconds is not None and 8 <= ex.dose.hold_seconds <= 10
    assert ex.dose.reps_by_set == (5, 3, 1)
    assert ex.dose.sets == len(ex.dose.reps_by_set)


def _in_order(text: str, numbers: list[int]) -> bool:
    """Whether each number appears as a whole word in ``text``, one after another."""
    at = 0
    for n in numbers:
        found = re.compile(rf"\b{n}\b").search(text, at)
        if not found:
            return False
        at = found.end()
    return True


def test_step_text_matches_the_pyramid_and_holds_in_the_dose() -> None:
    ex = CATALOG.exercise("mcgill-curl-up")
    assert ex.dose.reps_by_set is not None
    steps = " ".join(program.item_steps(ex))
    assert _in_order(steps, list(ex.dose.reps_by_set)), steps
    assert f"{ex.dose.hold_seconds} seconds" in steps
    assert "{" not in steps
    bridge = CATALOG.exercise("side-bridge")
    bridge_steps = " ".join(program.item_steps(bridge))
    assert bridge.dose.reps is not None
    assert _in_order(bridge_steps, [bridge.dose.reps, bridge.dose.reps]), bridge_steps
    assert f"{bridge.dose.hold_seconds} seconds" in bridge_steps


def test_pyramid_doses_are_checked_and_timed() -> None:
    dose = CATALOG.exercise("mcgill-curl-up").dose
    # 9 holds of 8 s in 3 sets, plus 30 s rest a set: the mean set is 3 holds.
    assert dose.seconds_per_side_set() == 8 * 3 + 30
    assert [dose.reps_in_set(i) for i in range(4)] == [5, 3, 1, 1]
    for bad in ((5, 3), (5, 4, 6), (4, 3, 1)):
        with pytest.raises(ValidationError):
            Dose(sets=3, reps=5, reps_by_set=bad)


def test_side_bridge_has_the_knees_bent_start_and_holds() -> None:
    ex = CATALOG.exercise("side-bridge")
    assert ex.one_sided and ex.dose.per_side and ex.needs_floor
    assert ex.dose.hold_seconds is not None and 8 <= ex.dose.hold_seconds <= 10
    regressions = [v for v in ex.variants if v.kind == "regression"]
    assert any("knees" in v.name.lower() for v in regressions)
    assert "knees" in ex.regression[0]


def test_graded_walking_grows_a_few_minutes_at_a_time() -> None:
    ex = CATALOG.exercise("graded-walking")
    assert ex.needs_standing and "walking-lbp" in ex.sources
    text = text_of("graded-walking")
    assert "2 to 5 minutes" in text and "30 minutes" in text
    assert ex.dose.note and "project" in ex.dose.note


def test_seated_hip_flexor_stretch_is_dosed_and_guarded_like_the_others() -> None:
    ex = CATALOG.exercise("seated-hip-flexor-stretch")
    assert (ex.dose.hold_seconds, ex.dose.sets, ex.dose.per_side) == (30, 3, True)
    assert ex.one_sided and ex.stretches_hip_flexors and not ex.needs_standing
    assert not ex.needs_floor and not ex.needs_kneeling
    conditions = {c.condition for c in ex.contraindications}
    assert {"recent_hip_flexor_injury", "hip_replacement"} <= conditions
    text = text_of("seated-hip-flexor-stretch")
    assert "sideways" in text and "tuck" in text and "wheelchair" in text


def test_seated_strength_and_breaks_need_no_standing() -> None:
    marching = CATALOG.exercise("seated-marching")
    assert marching.one_sided and marching.dose.per_side and marching.dose.reps
    assert "psoas" in marching.targets and marching.deep_hip_flexion
    assert any(c.condition == "recent_hip_flexor_injury" for c in marching.contraindications)
    assert "brac" in text_of("seated-core-bracing") and "breath" in text_of("seated-core-bracing")
    breaks = text_of("seated-break")
    for move in ("shoulders", "knee", "reach", "turn", "feet"):
        assert move in breaks, move
    relief = text_of("pressure-relief-break")
    for move in ("lean forward", "lean to one side", "push", "brakes"):
        assert move in relief, move
    for exercise_id in ("seated-break", "pressure-relief-break"):
        assert CATALOG.exercise(exercise_id).category == "movement"


def test_new_condition_codes_for_the_program() -> None:
    codes = set(get_args(ConditionCode))
    assert {"under_16", "falls_or_frailty", "wheelchair_or_cannot_stand", "postpartum"} <= codes


def test_the_catalog_refuses_an_unknown_source_or_a_sourceless_card() -> None:
    data = CATALOG.model_dump()
    card = {**data["education"][0], "sources": ["no-such-key"]}
    with pytest.raises(ValidationError, match="unknown source keys"):
        Catalog.model_validate({**data, "education": [card]})
    with pytest.raises(ValidationError):
        Catalog.model_validate({**data, "education": [{**card, "sources": []}]})
    ex = {**data["exercises"][0], "sources": ["no-such-key"]}
    with pytest.raises(ValidationError, match="unknown source keys"):
        Catalog.model_validate({**data, "exercises": [ex, *data["exercises"][1:]]})


def test_cards_never_show_a_score_and_start_back_cards_carry_the_notice() -> None:
    card = CATALOG.card("start-back-high-risk").model_dump()
    with pytest.raises(ValidationError, match="score"):
        EducationCard.model_validate({**card, "body": "Your score of 7 suggests a high risk."})
    with pytest.raises(ValidationError, match="Keele"):
        EducationCard.model_validate({**card, "notice": None})
    data = CATALOG.model_dump()
    changed = [{**c, "notice": "Keele University, reworded."} for c in data["education"]]
    changed = [c if c["id"].startswith("start-back") else {**c, "notice": None} for c in changed]
    with pytest.raises(ValidationError, match="notice unchanged"):
        Catalog.model_validate({**data, "education": changed})


def test_catalog_version_is_bumped_for_the_new_items() -> None:
    assert CATALOG.version >= "2026.12.1"


def test_every_item_that_rolls_the_leg_in_and_out_says_so() -> None:
    """The hip-replacement rule reads a flag, not a list of ids: every exercise (or level)
    whose steps roll the leg in and out carries it, and nothing else does."""
    catalog = load_catalog()
    for ex in catalog.exercises:
        for level in (None, *(lv.id for lv in ex.levels)):
            at = catalog.exercise_at(ex.id, level)
            rolls = any("leg in and out" in step for step in at.steps)
            assert at.hip_rotation_under_load == rolls, (ex.id, level)
