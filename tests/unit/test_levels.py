"""Every catalog level is complete: its own name, dose, steps, cues, figure, reason and sources,
and it can stand in for its exercise on every surface."""

from __future__ import annotations

import pytest

from psoas.catalog import load_catalog
from psoas.domain.catalog import LEVEL_SAFETY_FIELDS, Exercise, Level
from psoas.domain.program import fill_dose, item_steps
from psoas.reports import pictures

CATALOG = load_catalog()
LEVELS = [(ex, lv) for ex in CATALOG.exercises for lv in ex.levels]


def test_the_catalog_has_levels_where_the_sources_name_them() -> None:
    named = {f"{ex.id}/{lv.id}" for ex, lv in LEVELS}
    # the source documents' own progressions: holding the back foot (Energy Medicine Clinic),
    # a shorter, supported lunge (Recovapro's lunge, made easier)
    assert "flexed-position-stretch/holding-the-back-foot" in named
    assert "half-kneeling-hip-flexor-stretch/holding-the-back-foot" in named
    assert "lunge-stretch/short-step-with-support" in named
    # the "Marching bridge" the old step-up named without instructions
    assert "glute-bridge/marching-bridge" in named
    assert len(LEVELS) >= 20


@pytest.mark.parametrize(("ex", "lv"), LEVELS, ids=[f"{e.id}/{lv.id}" for e, lv in LEVELS])
def test_every_level_is_complete(ex: Exercise, lv: Level) -> None:
    assert lv.name.strip() and lv.name != ex.name
    assert lv.steps and all(s.strip() for s in lv.steps)
    assert lv.cues and all(c.strip() for c in lv.cues)
    assert lv.why.strip() and lv.summary.strip()
    assert lv.dose.sets or lv.dose.minutes is not None
    assert lv.sources and all(CATALOG.has_reference(k) for k in lv.sources)
    done = ex.at_level(lv.id)
    assert done.name == lv.name and done.steps == lv.steps and done.cues == lv.cues
    assert set(ex.safety) <= set(done.safety) and set(lv.safety) <= set(done.safety)
    # every number in the steps comes from the dose, for the starting dose and the most sets
    steps = item_steps(done)
    assert all("{" not in s for s in steps)
    for s in lv.steps:
        fill_dose(
            s,
            {
                "hold": "",
                "rest": "",
                "reps": "",
                "sets": "",
                "more_sets": "",
                "minutes": "",
                "spot": "",
                "pyramid": "",
            },
        )
    # its figure is drawn and passes the figure checks
    picture = pictures.find(ex.id, lv.figure)
    assert picture is not None, f"{ex.id}/{lv.figure} has no drawn figure"
    assert not pictures.check(ex.id, lv.figure)
    # a stretch level never lengthens the 30-second hold
    if ex.category == "stretch":
        assert lv.dose.hold_seconds == 30


def test_a_level_says_only_what_it_changes_and_is_judged_by_it() -> None:
    ex = CATALOG.exercise("abdominal-bracing")
    moving = ex.at_level("brace-while-you-move")
    assert moving.needs_standing and not ex.needs_standing
    assert {f for f in LEVEL_SAFETY_FIELDS if getattr(moving, f) != getattr(ex, f)} == {
        "position",
        "equipment",
        "needs_standing",
    }
    assert ex.at_level(None) is ex
    with pytest.raises(KeyError):
        ex.at_level("no-such-level")
    # a level the catalog no longer has reads as the exercise itself
    assert CATALOG.exercise_at(ex.id, "no-such-level") is ex
    assert CATALOG.figure_at(ex.id, "brace-while-you-move") == "brace-while-you-move"
    assert CATALOG.figure_at(ex.id, None) == "main"


def test_the_ladder_puts_easier_levels_first_and_harder_after_the_exercise() -> None:
    bug = CATALOG.exercise("dead-bug")
    assert bug.ladder == ("heel-slides", "toe-taps", None, "longer-hold")
    with pytest.raises(ValueError, match="easier levels come before harder ones"):
        Exercise.model_validate(
            bug.model_dump() | {"levels": [bug.levels[2].model_dump(), bug.levels[0].model_dump()]}
        )


def test_the_handout_prints_the_level_with_its_own_steps() -> None:
    import json
    import re
    import zlib
    from datetime import date

    from psoas.domain.assess import assess
    from psoas.domain.intake import Intake
    from psoas.domain.progression import step_up
    from psoas.reports.pdf import handout_pdf
    from tests.conftest import EXAMPLES

    intake = Intake.model_validate(json.loads((EXAMPLES / "office-worker.json").read_text()))
    program = assess(intake, CATALOG).program
    assert program is not None
    while next(i for i in program.items if i.id == "glute-bridge").level is None:
        program, _ = step_up(program, CATALOG)
    pdf = handout_pdf(program, CATALOG, person="Ana", on=date(2026, 12, 4), unicode_font=False)
    shown = []
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            shown += re.findall(r"\((.*?)(?<!\\)\)\s*Tj", zlib.decompress(stream).decode("latin-1"))
        except zlib.error:
            continue
    words = re.sub(r"\s+", " ", " ".join(shown))
    assert "Marching bridge" in words
    assert "a harder level of the glute bridge" in words
    assert "lift one foot a little off the surface" in words


def test_a_clinicians_edit_keeps_the_level_and_its_rules() -> None:
    """An item at a level keeps it through a clinician's dose change, and faces today's rules
    at that level: a standing level cannot stay for someone who can no longer stand."""
    import json

    import pytest as _pytest

    from psoas.domain.assess import assess
    from psoas.domain.errors import Refused
    from psoas.domain.intake import Intake
    from psoas.domain.program import allowed_for
    from psoas.domain.program_edit import DoseChange, ProgramEdit, edited_program
    from psoas.domain.progression import step_up
    from tests.conftest import EXAMPLES, merge

    office = json.loads((EXAMPLES / "office-worker.json").read_text())
    able = Intake.model_validate(merge(office, {"preferences": {"minutes_per_day": 60}}))
    result = assess(able, CATALOG)
    program = result.program
    assert program is not None
    check = allowed_for(able, result.triage)
    for _ in range(6):
        program, _ = step_up(program, CATALOG, check=check)
    stretch = next(i for i in program.items if i.id == "half-kneeling-hip-flexor-stretch")
    assert stretch.level == "holding-the-back-foot"
    edit = ProgramEdit(reason="fewer sets for now", doses={stretch.id: DoseChange(left=3, right=4)})
    kept = edited_program(
        program, edit, intake=able, result=result, catalog=CATALOG, clinician="Dr A", reason="x y"
    )
    after = next(i for i in kept.items if i.id == stretch.id)
    assert after.level == "holding-the-back-foot" and after.name == stretch.name
    # a level that needs standing, for someone who now cannot stand (the exercise itself could)
    base = CATALOG.exercise("abdominal-bracing")
    model = next(i for i in program.items if i.category == "strengthen" and i.dose.per_side is None)
    level = base.at_level("brace-while-you-move")
    bracing = model.model_copy(
        update={
            "id": base.id,
            "name": level.name,
            "level": "brace-while-you-move",
            "position": level.position,
            "equipment": level.equipment,
        }
    )
    with_bracing = program.model_copy(update={"items": (*program.items, bracing)})
    seated = Intake.model_validate(
        merge(office, {"equipment_and_ability": {"can_stand_unaided": False}})
    )
    assert allowed_for(seated, assess(seated, CATALOG).triage)(base)
    with _pytest.raises(Refused, match="Brace while you move cannot stay in the program"):
        edited_program(
            with_bracing,
            ProgramEdit(reason="keep going", doses={stretch.id: DoseChange(left=3, right=4)}),
            intake=seated,
            result=assess(seated, CATALOG),
            catalog=CATALOG,
            clinician="Dr A",
            reason="x y",
        )


def test_a_decision_reads_without_the_changes_it_lists_beside_it() -> None:
    from psoas.domain.progression import Decision

    d = Decision(
        kind="progress",
        rule="progress",
        message="You did 10 sessions, so the program steps up: Glute bridge: 3 sets. Dead bug: "
        "now toe taps. Holds stay at 30 seconds.",
        changes=("Glute bridge: 3 sets.", "Dead bug: now toe taps."),
        sources=("bandy-1997",),
    )
    assert (
        d.lead
        == "You did 10 sessions, so the program steps up, as listed. Holds stay at 30 seconds."
    )
    assert Decision(kind="hold", rule="hold", message="Keep going.", sources=("x-1",)).lead == (
        "Keep going."
    )


def test_a_release_at_its_shortest_steps_back_to_its_gentle_start_and_up_again() -> None:
    import json
    from typing import Any

    from psoas.domain.assess import assess
    from psoas.domain.intake import Intake
    from psoas.domain.program import allowed_for
    from psoas.domain.progression import step_back, step_up
    from psoas.reports.pdf import item_text
    from tests.conftest import EXAMPLES, merge

    office = json.loads((EXAMPLES / "office-worker.json").read_text())
    intake = Intake.model_validate(merge(office, {"preferences": {"minutes_per_day": 60}}))
    result = assess(intake, CATALOG)
    assert result.program is not None
    check = allowed_for(intake, result.triage)

    def release(p: Any) -> Any:
        return next(i for i in p.items if i.id == "massage-gun-psoas-release")

    start = release(result.program)
    assert start.level is None and start.dose.per_side.left == 1
    back, changes = step_back(result.program, CATALOG, check=check)
    gentle = release(back)
    assert gentle.level == "gentle-start" and gentle.name == "Massage-gun release, gentle start"
    assert gentle.abdominal_pressure and gentle.dose == start.dose
    assert any("now massage-gun release, gentle start" in c for c in changes)
    text = item_text(gentle, CATALOG)
    assert "round or flat head" in text.steps[1] and text.pictures[0].name == "gentle-start"
    assert release(step_back(back, CATALOG, check=check)[0]) == gentle  # nothing gentler
    up, changes = step_up(back, CATALOG, check=check)
    assert release(up).level is None and release(up).dose == start.dose
    assert any("back to the massage-gun release" in c for c in changes)
    assert release(step_up(up, CATALOG, check=check)[0]).dose.per_side.left == 1.5
