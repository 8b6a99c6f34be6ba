"""A clinician's edit of a program: the rules, pure (no database, no clock).

Every item of an edited program, added or kept, passes :func:`psoas.domain.program.exclusion`
against the patient's latest intake, exactly like a generated program; doses stay within what
the catalog allows; a refused edit names every problem and changes nothing.
"""

from __future__ import annotations

import math

from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.catalog import Catalog, Exercise
from psoas.domain.errors import Refused
from psoas.domain.intake import Intake
from psoas.domain.program import (
    Choice,
    Slot,
    conditions,
    exclusion,
    item_cautions,
    item_dose,
    item_sources,
    item_why,
    session_minutes,
)
from psoas.domain.progression import item_minutes
from psoas.domain.results import Assessment, Excluded, ItemDose, PerSide, Program, ProgramItem

_EPS = 1e-9


class DoseChange(BaseModel):
    """A new dose for one item: ``sets`` for two-sided items, ``left``/``right`` for one-sided
    ones (sets, or minutes for releases), ``minutes`` for two-sided timed items."""

    model_config = ConfigDict(extra="forbid")

    sets: int | None = Field(default=None, ge=1, le=10)
    left: float | None = Field(default=None, ge=0.5, le=10)
    right: float | None = Field(default=None, ge=0.5, le=10)
    minutes: float | None = Field(default=None, ge=0.5, le=10)


class ProgramEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="why, in a few words; kept with the new version")
    add: list[str] = Field(default=[], description="catalog ids to add")
    remove: list[str] = Field(default=[], description="item ids to take out")
    doses: dict[str, DoseChange] = Field(default={}, description="new doses, by item id")


CATEGORY_ORDER = {"release": 0, "stretch": 1, "strengthen": 2, "movement": 3, "posture": 4}


def sets_cap(ex: Exercise) -> int:
    """The most sets a clinician may set: the catalog's most, else 5 (or the default if more)."""
    return ex.dose.sets_max or max(ex.dose.sets or 1, 5)


def minutes_cap(ex: Exercise) -> float:
    """The most minutes (a side) for a timed item: half as much again as the catalog's dose."""
    return max(1.0, math.ceil((ex.dose.minutes or 1) * 1.5 * 2) / 2)


def _whole(value: float) -> bool:
    return abs(value - round(value)) < _EPS


def _new_dose(item: ProgramItem, ex: Exercise, change: DoseChange) -> tuple[ItemDose, list[str]]:
    d = item.dose
    problems: list[str] = []
    label = f"{item.name} ({item.id})"
    if item.category in ("posture", "movement"):
        return d, [f"{label}: a habit or break has no sets or minutes to change"]
    timed = d.minutes is not None and not d.sets
    if d.per_side is not None:
        if change.left is None or change.right is None:
            return d, [f"{label}: give both the left and the right side"]
        if change.sets is not None or change.minutes is not None:
            return d, [f"{label}: one-sided items take left and right, not sets or minutes"]
        left, right = change.left, change.right
        if timed:
            cap = minutes_cap(ex)
            for side, v in (("left", left), ("right", right)):
                if not 0.5 <= v <= cap or not _whole(v * 2):
                    problems.append(
                        f"{label}: {side} must be 0.5 to {cap:g} minutes, in half minutes"
                    )
            return d.model_copy(update={"per_side": PerSide(left=left, right=right)}), problems
        cap_sets = sets_cap(ex)
        for side, v in (("left", left), ("right", right)):
            if not 1 <= v <= cap_sets or not _whole(v):
                problems.append(f"{label}: {side} must be 1 to {cap_sets} whole sets")
        update = {
            "per_side": PerSide(left=round(left), right=round(right)),
            "sets": int(min(round(left), round(right))) if d.sets is not None else None,
        }
        return d.model_copy(update=update), problems
    if timed:
        if change.minutes is None or change.sets is not None:
            return d, [f"{label}: give the minutes"]
        cap = minutes_cap(ex)
        if not 0.5 <= change.minutes <= cap or not _whole(change.minutes * 2):
            problems.append(f"{label}: minutes must be 0.5 to {cap:g}, in half minutes")
        return d.model_copy(update={"minutes": change.minutes}), problems
    if change.sets is None or change.left is not None or change.right is not None:
        return d, [f"{label}: give the number of sets"]
    cap_sets = sets_cap(ex)
    if not 1 <= change.sets <= cap_sets:
        problems.append(f"{label}: sets must be 1 to {cap_sets}")
    return d.model_copy(update={"sets": change.sets}), problems


def _with_dose(item: ProgramItem, dose: ItemDose) -> ProgramItem:
    data = item.model_dump()
    data["dose"] = ItemDose.model_validate(dose.model_dump()).model_dump()
    data["minutes_per_session"] = round(item_minutes(item, dose), 1)
    return ProgramItem.model_validate(data)


def _item(ex: Exercise, intake: Intake, result: Assessment, sessions: int, why: str) -> ProgramItem:
    """A catalog exercise as a program item, dosed the way the program builder doses it."""
    tighter = result.tighter_side
    sets = ex.dose.sets
    choice = Choice(ex, Slot("clinician", (ex.id,), 0), [why])
    return ProgramItem(
        id=ex.id,
        name=ex.name,
        category=ex.category,
        position=ex.position,
        abdominal_pressure=ex.abdominal_pressure,
        equipment=ex.equipment,
        dose=item_dose(ex, tighter, sets, sessions),
        minutes_per_session=round(session_minutes(ex, tighter, sets), 1),
        why=item_why(choice, tighter, intake),
        cautions=item_cautions(ex, conditions(intake), intake),
        sources=item_sources(ex),
    )


def edited_program(
    program: Program,
    edit: ProgramEdit,
    *,
    intake: Intake,
    result: Assessment,
    catalog: Catalog,
    clinician: str,
    reason: str,
) -> Program:
    """``program`` with ``edit`` applied, by the clinician named ``clinician`` for ``reason``;
    :class:`~psoas.domain.errors.Refused` names every problem and nothing changes. The
    reason is kept with the new version, so it must say something (3 to 300 characters)."""
    problems: list[str] = []
    if not 3 <= len(reason) <= 300:
        problems.append("reason: say why in 3 to 300 characters; it is kept with the program")
    items: dict[str, ProgramItem] = {i.id: i for i in program.items}
    changed = False

    for item_id in dict.fromkeys(edit.remove):
        if item_id not in items:
            problems.append(f"remove: {item_id!r} is not in the program")
        else:
            del items[item_id]
            changed = True

    for item_id, change in edit.doses.items():
        if item_id not in items:
            if item_id not in edit.remove:
                problems.append(f"dose: {item_id!r} is not in the program")
            continue
        item = items[item_id]
        try:
            ex = catalog.exercise_at(item_id, item.level)  # the level's own dose range
        except KeyError:
            problems.append(f"dose: {item_id!r} is no longer in the catalog")
            continue
        dose, dose_problems = _new_dose(item, ex, change)
        problems += dose_problems
        if not dose_problems and dose != item.dose:
            items[item_id] = _with_dose(item, dose)
            changed = True

    added: list[str] = []
    for item_id in dict.fromkeys(edit.add):
        try:
            ex = catalog.exercise(item_id)
        except KeyError:
            problems.append(f"add: {item_id!r} is not an exercise in the catalog")
            continue
        if item_id in items:
            problems.append(f"add: {ex.name} is already in the program")
            continue
        why_not = exclusion(intake, result.triage, ex)
        if why_not is not None:
            problems.append(f"add: {ex.name} cannot be added. {why_not.message}")
            continue
        items[item_id] = _item(
            ex,
            intake,
            result,
            program.sessions_per_day,
            f"Added by your clinician, {clinician}: {reason}",
        )
        added.append(item_id)
        changed = True

    # Items kept from an earlier version face today's rules too, at the level they are at.
    for item_id, item in items.items():
        if item_id in added:
            continue
        try:
            ex = catalog.exercise_at(item_id, item.level)
        except KeyError:
            continue
        why_not = exclusion(intake, result.triage, ex)
        if why_not is not None:
            problems.append(f"{item.name} cannot stay in the program. {why_not.message}")

    if not items:
        problems.append("remove: a program needs at least one item")
    if not problems and not changed:
        problems.append("program: nothing to change (add, remove or change a dose)")
    if problems:
        raise Refused(problems)

    ordered = sorted(items.values(), key=lambda i: CATEGORY_ORDER[i.category])
    removed = [i for i in program.items if i.id not in items]
    excluded = [e for e in program.excluded if e.id not in items and e.id not in edit.remove]
    excluded += [
        Excluded(
            id=i.id,
            code="clinician-removed",
            message=f"Taken out by your clinician, {clinician}: {reason}",
        )
        for i in removed
    ]
    minutes = sum(
        item_minutes(i, i.dose) * (program.sessions_per_day if i.category == "stretch" else 1)
        for i in ordered
    )
    return Program(
        sessions_per_day=program.sessions_per_day,
        break_interval_minutes=program.break_interval_minutes,
        minutes_per_day=round(minutes, 1),
        items=tuple(ordered),
        excluded=tuple(excluded),
        notes=program.notes,
    )
