"""A clinician's program edit, as pure rules: no database (psoas.domain.program_edit)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.errors import Refused
from psoas.domain.program import exclusion
from psoas.domain.program_edit import DoseChange, ProgramEdit, edited_program, sets_cap
from tests.conftest import make_intake

CATALOG = load_catalog()
INTAKE = make_intake()
RESULT = assess(INTAKE, CATALOG)
assert RESULT.program is not None
PROGRAM = RESULT.program
PREGNANT = make_intake(person={"age": 31, "sex": "female"}, health={"pregnant": True})
PREGNANT_RESULT = assess(PREGNANT, CATALOG)


def edit(
    program: Any = PROGRAM,
    *,
    intake: Any = INTAKE,
    result: Any = RESULT,
    reason: str = "after the review",
    **changes: Any,
) -> Any:
    return edited_program(
        program,
        ProgramEdit(reason=reason, **changes),
        intake=intake,
        result=result,
        catalog=CATALOG,
        clinician="Dr Kay",
        reason=reason,
    )


def test_an_added_item_is_dosed_like_a_generated_one_and_says_who_added_it() -> None:
    new = next(
        e
        for e in CATALOG.exercises
        if e.id not in {i.id for i in PROGRAM.items}
        and exclusion(INTAKE, RESULT.triage, e) is None
        and e.category == "strengthen"
    )
    program = edit(add=[new.id])
    added = next(i for i in program.items if i.id == new.id)
    assert any("Dr Kay" in why for why in added.why)
    assert program.minutes_per_day > PROGRAM.minutes_per_day


def test_belly_pressure_cannot_be_added_in_pregnancy_and_says_why() -> None:
    assert PREGNANT_RESULT.program is not None
    with pytest.raises(Refused) as refused:
        edit(
            PREGNANT_RESULT.program,
            intake=PREGNANT,
            result=PREGNANT_RESULT,
            add=["massage-gun-psoas-release"],
        )
    assert any("pregnant" in line for line in refused.value.lines)


def test_doses_stay_within_what_the_catalog_allows() -> None:
    two_sided = next(i for i in PROGRAM.items if i.dose.sets and i.dose.per_side is None)
    cap = sets_cap(CATALOG.exercise(two_sided.id))
    program = edit(doses={two_sided.id: DoseChange(sets=cap)})
    assert next(i for i in program.items if i.id == two_sided.id).dose.sets == cap
    with pytest.raises(Refused) as refused:
        edit(doses={two_sided.id: DoseChange(sets=min(cap + 1, 10))})
    assert any(f"1 to {cap}" in line for line in refused.value.lines) or cap == 10


def test_a_removed_item_is_listed_as_left_out_by_the_clinician() -> None:
    gone = PROGRAM.items[-1]
    program = edit(remove=[gone.id])
    assert gone.id not in {i.id for i in program.items}
    left_out = next(e for e in program.excluded if e.id == gone.id)
    assert left_out.code == "clinician-removed" and "Dr Kay" in left_out.message


@pytest.mark.parametrize(
    ("changes", "named"),
    [
        ({"remove": [i.id for i in PROGRAM.items]}, "remove: a program needs at least one item"),
        ({}, "program: nothing to change"),
        ({"add": ["no-such-exercise"]}, "add: 'no-such-exercise' is not an exercise"),
        ({"remove": ["no-such-item"]}, "remove: 'no-such-item' is not in the program"),
    ],
)
def test_a_refused_edit_names_the_problem(changes: dict[str, Any], named: str) -> None:
    with pytest.raises(Refused) as refused:
        edit(**changes)
    assert any(line.startswith(named) for line in refused.value.lines), refused.value.lines


def test_a_reason_that_says_nothing_is_refused() -> None:
    with pytest.raises(Refused) as refused:
        edit(reason="x", remove=[PROGRAM.items[-1].id])
    assert refused.value.lines[0].startswith("reason:")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.sampled_from([e.id for e in CATALOG.exercises]), max_size=6, unique=True))
def test_no_edit_ever_leaves_an_item_the_safety_rules_refuse(add: list[str]) -> None:
    """Whatever a clinician adds for a pregnant patient, the program that comes out holds only
    items the same safety rules allow (belly pressure above all)."""
    assert PREGNANT_RESULT.program is not None
    try:
        program = edit(PREGNANT_RESULT.program, intake=PREGNANT, result=PREGNANT_RESULT, add=add)
    except Refused:
        return
    for item in program.items:
        assert exclusion(PREGNANT, PREGNANT_RESULT.triage, CATALOG.exercise(item.id)) is None
        assert not item.abdominal_pressure
