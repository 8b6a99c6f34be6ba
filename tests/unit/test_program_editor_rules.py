"""The editor's new rules, pure: every dose field, levels, notes, order, sessions a day, and
a clinic's template applied to a patient (psoas.domain.program_edit)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.errors import Refused
from psoas.domain.program import exclusion
from psoas.domain.program_edit import (
    DoseChange,
    ProgramEdit,
    TemplateContent,
    TemplateItem,
    edited_program,
    hold_range,
    program_from_template,
    reps_cap,
    template_of,
)
from psoas.domain.results import ItemDose, PerSide
from tests.conftest import make_intake

CATALOG = load_catalog()
INTAKE = make_intake()
RESULT = assess(INTAKE, CATALOG)
assert RESULT.program is not None
PROGRAM = RESULT.program
PREGNANT = make_intake(person={"age": 31, "sex": "female"}, health={"pregnant": True})
PREGNANT_RESULT = assess(PREGNANT, CATALOG)


def edit(
    program: Any = PROGRAM, *, intake: Any = INTAKE, result: Any = RESULT, **changes: Any
) -> Any:
    reason = "after the review"
    return edited_program(
        program,
        ProgramEdit(reason=reason, **changes),
        intake=intake,
        result=result,
        catalog=CATALOG,
        clinician="Dr Kay",
        reason=reason,
    )


def _counted() -> Any:
    return next(i for i in PROGRAM.items if i.dose.sets and i.dose.reps and i.dose.hold_seconds)


def test_reps_hold_rest_and_times_change_within_the_caps() -> None:
    item = _counted()
    ex = CATALOG.exercise_at(item.id, item.level)
    low, high = hold_range(ex)
    change = DoseChange(reps=reps_cap(ex), hold_seconds=high, rest_seconds=0)
    new = next(i for i in edit(doses={item.id: change}).items if i.id == item.id)
    assert (new.dose.reps, new.dose.hold_seconds, new.dose.rest_seconds) == (reps_cap(ex), high, 0)
    with pytest.raises(Refused) as refused:
        edit(doses={item.id: DoseChange(reps=reps_cap(ex) + 1, hold_seconds=high + 1)})
    lines = refused.value.lines
    assert any("reps must be 1 to" in line for line in lines)
    assert any(f"hold must be {low} to {high} seconds" in line for line in lines)
    with pytest.raises(Refused) as refused:
        edit(doses={item.id: DoseChange(times_per_day=PROGRAM.sessions_per_day + 1)})
    assert any("times a day must be 1 to" in line for line in refused.value.lines)


def test_a_note_order_and_sessions_are_kept() -> None:
    first, last = PROGRAM.items[0], PROGRAM.items[-1]
    program = edit(
        notes={first.id: "  Keep the ribs down.  "},
        order=[last.id, first.id],
        sessions_per_day=2,
    )
    assert program.items[0].id == last.id and program.items[1].id == first.id
    assert (
        next(i for i in program.items if i.id == first.id).clinician_note == "Keep the ribs down."
    )
    assert program.sessions_per_day == 2
    stretches = [i for i in program.items if i.category == "stretch"]
    assert all(i.dose.times_per_day <= 2 for i in program.items if i.category != "posture")
    if PROGRAM.sessions_per_day == 1:
        assert all(i.dose.times_per_day == 2 for i in stretches)


def test_a_level_is_offered_only_where_the_answers_allow_it() -> None:
    item = next(i for i in PROGRAM.items if len(CATALOG.exercise(i.id).ladder) > 1 and i.dose.sets)
    ex = CATALOG.exercise(item.id)
    for level in ex.ladder:
        if level == item.level:
            continue
        why_not = exclusion(INTAKE, RESULT.triage, ex.at_level(level))
        if why_not is None:
            new = next(i for i in edit(levels={item.id: level}).items if i.id == item.id)
            assert new.level == level and new.name == ex.at_level(level).name
        else:
            with pytest.raises(Refused):
                edit(levels={item.id: level})
    with pytest.raises(Refused) as refused:
        edit(levels={item.id: "no-such-level"})
    assert refused.value.lines[0].startswith("level:")


def test_a_template_leaves_out_what_is_unsafe_for_the_patient_and_says_why() -> None:
    gun = TemplateItem(
        id="massage-gun-psoas-release",
        dose=ItemDose(minutes=1, per_side=PerSide(left=1, right=1)),
        note="Lowest speed.",
    )
    base = template_of(PROGRAM)
    content = TemplateContent(sessions_per_day=base.sessions_per_day, items=(*base.items, gun))
    assert PREGNANT_RESULT.program is not None
    program, left_out, _ = program_from_template(
        content,
        name="Desk workers",
        intake=PREGNANT,
        result=PREGNANT_RESULT,
        catalog=CATALOG,
        clinician="Dr Kay",
        previous=PREGNANT_RESULT.program,
    )
    assert not any(i.abdominal_pressure for i in program.items)
    assert any("pregnant" in e.message for e in left_out)
    for item in program.items:
        assert (
            exclusion(PREGNANT, PREGNANT_RESULT.triage, CATALOG.exercise_at(item.id, item.level))
            is None
        )


def test_a_red_flag_refuses_any_template() -> None:
    flagged = make_intake(red_flags={"new_bladder_or_bowel_dysfunction": True})
    flagged_result = assess(flagged, CATALOG)
    with pytest.raises(Refused) as refused:
        program_from_template(
            template_of(PROGRAM),
            name="x",
            intake=flagged,
            result=flagged_result,
            catalog=CATALOG,
            clinician="Dr Kay",
            previous=None,
        )
    assert "warning signs" in refused.value.lines[0]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.sampled_from([e.id for e in CATALOG.exercises]), max_size=5, unique=True),
    st.dictionaries(
        st.sampled_from([i.id for i in PROGRAM.items]),
        st.sampled_from([None, *{lv.id for e in CATALOG.exercises for lv in e.levels}]),
        max_size=3,
    ),
    st.permutations([i.id for i in PROGRAM.items]),
)
def test_a_template_with_any_levels_never_passes_the_safety_rules(
    add: list[str], levels: dict[str, str | None], order: list[str]
) -> None:
    try:
        source = edit(add=add, levels=levels, order=order)
    except Refused:
        source = PROGRAM
    assert PREGNANT_RESULT.program is not None
    try:
        program, _, _ = program_from_template(
            template_of(source),
            name="any",
            intake=PREGNANT,
            result=PREGNANT_RESULT,
            catalog=CATALOG,
            clinician="Dr Kay",
            previous=None,
        )
    except Refused:
        return
    for item in program.items:
        assert not item.abdominal_pressure
        assert (
            exclusion(PREGNANT, PREGNANT_RESULT.triage, CATALOG.exercise_at(item.id, item.level))
            is None
        )
