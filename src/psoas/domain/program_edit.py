"""A clinician's edit of a program, and a clinic's program templates: the rules, pure (no
database, no clock).

Every item of an edited program, added or kept, at the level it is done at, passes
:func:`psoas.domain.program.exclusion` against the patient's latest intake, exactly like a
generated program; doses stay within what the catalog allows for the item's level (the caps
below); a refused edit names every problem and changes nothing. A warning sign that withholds
the program refuses any edit and any template.

What a clinician may change on an item: every dose field (sets, or left and right; minutes for
timed items; repetitions, hold, rest, times a day), its place in the order, its level (only a
level the patient's answers allow, the same check a step up uses) and a note or cue of their
own that the patient sees wherever the item is shown.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from psoas.domain.catalog import Catalog, Exercise
from psoas.domain.errors import Refused
from psoas.domain.intake import Intake
from psoas.domain.program import (
    Choice,
    Slot,
    break_interval,
    conditions,
    exclusion,
    item_cautions,
    item_dose,
    item_sources,
    item_why,
    session_minutes,
)
from psoas.domain.progression import _at as _at_level
from psoas.domain.progression import item_minutes, level_dose
from psoas.domain.results import Assessment, Excluded, ItemDose, PerSide, Program, ProgramItem
from psoas.domain.triage import withholds_program

_EPS = 1e-9

#: The longest note or cue a clinician may give an item (a sentence or two).
NOTE_MAX = 300
#: Sessions a day a clinician may set (a generated program has 1 or 2).
SESSIONS_MAX = 4
#: A stretch is held 15 to 60 seconds: 30 and 60 seconds lengthen the hip flexors alike, 15
#: seconds less (Bandy 1994, 1997); the catalog starts every stretch at 30.
STRETCH_HOLD_RANGE = (15, 60)


class DoseChange(BaseModel):
    """A new dose for one item; only the fields given change. ``sets`` for two-sided items,
    ``left``/``right`` for one-sided ones (sets, or minutes for timed items), ``minutes`` for
    two-sided timed items; ``reps``, ``hold_seconds`` and ``rest_seconds`` where the item's
    level has them; ``times_per_day`` up to the program's sessions a day."""

    model_config = ConfigDict(extra="forbid")

    sets: int | None = Field(default=None, ge=1, le=10)
    left: float | None = Field(default=None, ge=0.5, le=10)
    right: float | None = Field(default=None, ge=0.5, le=10)
    minutes: float | None = Field(default=None, ge=0.5, le=10)
    reps: int | None = Field(default=None, ge=1, le=100)
    hold_seconds: int | None = Field(default=None, ge=1, le=120)
    rest_seconds: int | None = Field(default=None, ge=0, le=300)
    times_per_day: int | None = Field(default=None, ge=1, le=SESSIONS_MAX)

    def given(self) -> bool:
        return any(v is not None for v in self.model_dump().values())


class ProgramEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str = Field(description="why, in a few words; kept with the new version")
    add: list[str] = Field(default=[], description="catalog ids to add")
    remove: list[str] = Field(default=[], description="item ids to take out")
    doses: dict[str, DoseChange] = Field(default={}, description="new doses, by item id")
    levels: dict[str, str | None] = Field(
        default={},
        description="a new level by item id: a level id of the item's exercise, or null (or "
        "empty) for the exercise itself; only levels the patient's answers allow",
    )
    notes: dict[str, str] = Field(
        default={},
        description=f"your own note or cue by item id (up to {NOTE_MAX} characters; empty "
        "takes it away); the patient sees it with the item",
    )
    order: list[str] = Field(
        default=[],
        description="item ids in the order wanted; items not named follow, in their order",
    )
    sessions_per_day: int | None = Field(
        default=None, ge=1, le=SESSIONS_MAX, description="sessions a day"
    )


CATEGORY_ORDER = {"release": 0, "stretch": 1, "strengthen": 2, "movement": 3, "posture": 4}


# --- the caps -----------------------------------------------------------------------------------


def sets_cap(ex: Exercise) -> int:
    """The most sets a clinician may set: the catalog's most, else 5 (or the default if more)."""
    return ex.dose.sets_max or max(ex.dose.sets or 1, 5)


def minutes_cap(ex: Exercise) -> float:
    """The most minutes (a side) for a timed item: half as much again as the catalog's dose."""
    return max(1.0, math.ceil((ex.dose.minutes or 1) * 1.5 * 2) / 2)


def reps_cap(ex: Exercise) -> int:
    """The most repetitions: half as many again as the catalog's (at least two more)."""
    reps = ex.dose.reps or 1
    return max(reps + 2, math.ceil(reps * 1.5))


def hold_range(ex: Exercise) -> tuple[int, int]:
    """The shortest and longest hold in seconds: 15 to 60 for a stretch; otherwise 1 second to
    a quarter more than the catalog's hold (at least two seconds more: short holds, as McGill
    advises for the trunk)."""
    if ex.category == "stretch":
        return STRETCH_HOLD_RANGE
    hold = ex.dose.hold_seconds or 1
    return 1, max(hold + 2, math.ceil(hold * 1.25))


def rest_cap(ex: Exercise) -> int:
    """The longest rest between sets in seconds: a minute, or twice the catalog's if more."""
    return max(60, 2 * ex.dose.rest_seconds)


def times_cap(item: ProgramItem, sessions_per_day: int) -> int:
    """Times a day: at most the program's sessions a day (each time is done in a session)."""
    del item
    return sessions_per_day


def _whole(value: float) -> bool:
    return abs(value - round(value)) < _EPS


def _label(item: ProgramItem) -> str:
    return f"{item.name} ({item.id})"


def _habit(item: ProgramItem) -> bool:
    return item.category in ("posture", "movement")


def _timed(d: ItemDose) -> bool:
    return d.minutes is not None and not d.sets


def _new_dose(
    item: ProgramItem, ex: Exercise, change: DoseChange, sessions: int
) -> tuple[ItemDose, list[str]]:
    """``item``'s dose with ``change`` applied, checked against ``ex`` (the item's exercise at
    its level) and the program's ``sessions`` a day; the problems, each naming the item."""
    d = item.dose
    label = _label(item)
    if _habit(item):
        if change.given():
            return d, [f"{label}: a habit or break has no dose to change"]
        return d, []
    problems: list[str] = []
    update: dict[str, object] = {}
    timed = _timed(d)
    if timed:
        counted = [
            name
            for name in ("sets", "reps", "hold_seconds", "rest_seconds")
            if getattr(change, name) is not None
        ]
        if counted:
            problems.append(f"{label}: a timed item takes minutes, not {', '.join(counted)}")
        cap = minutes_cap(ex)
        if d.per_side is not None:
            if change.minutes is not None:
                problems.append(f"{label}: one-sided items take left and right, not minutes")
            left = change.left if change.left is not None else d.per_side.left
            right = change.right if change.right is not None else d.per_side.right
            for side, v in (("left", change.left), ("right", change.right)):
                if v is not None and (not 0.5 <= v <= cap or not _whole(v * 2)):
                    problems.append(
                        f"{label}: {side} must be 0.5 to {cap:g} minutes, in half minutes"
                    )
            update["per_side"] = PerSide(left=left, right=right)
        else:
            if change.left is not None or change.right is not None:
                problems.append(f"{label}: give the minutes, not left and right")
            if change.minutes is not None:
                if not 0.5 <= change.minutes <= cap or not _whole(change.minutes * 2):
                    problems.append(f"{label}: minutes must be 0.5 to {cap:g}, in half minutes")
                update["minutes"] = change.minutes
    else:
        if change.minutes is not None:
            problems.append(f"{label}: counted in sets, not minutes")
        cap_sets = sets_cap(ex)
        if d.per_side is not None:
            if change.sets is not None:
                problems.append(f"{label}: one-sided items take left and right, not sets")
            left = change.left if change.left is not None else d.per_side.left
            right = change.right if change.right is not None else d.per_side.right
            for side, v in (("left", change.left), ("right", change.right)):
                if v is not None and (not 1 <= v <= cap_sets or not _whole(v)):
                    problems.append(f"{label}: {side} must be 1 to {cap_sets} whole sets")
            if change.left is not None or change.right is not None:
                update["per_side"] = PerSide(left=round(left), right=round(right))
                if d.sets is not None:
                    update["sets"] = int(min(round(left), round(right)))
        else:
            if change.left is not None or change.right is not None:
                problems.append(f"{label}: give the number of sets, not left and right")
            if change.sets is not None:
                if not 1 <= change.sets <= cap_sets:
                    problems.append(f"{label}: sets must be 1 to {cap_sets}")
                update["sets"] = change.sets
        if change.reps is not None:
            if d.reps is None:
                problems.append(f"{label}: has no repetitions at this level")
            elif ex.dose.reps_by_set is not None:
                pattern = ", ".join(str(r) for r in ex.dose.reps_by_set)
                problems.append(f"{label}: the repetitions fall set by set ({pattern}), as set")
            elif not 1 <= change.reps <= reps_cap(ex):
                problems.append(f"{label}: reps must be 1 to {reps_cap(ex)}")
            update["reps"] = change.reps
        if change.hold_seconds is not None:
            low, high = hold_range(ex)
            if d.hold_seconds is None:
                problems.append(f"{label}: has no hold at this level (choose a level with one)")
            elif not low <= change.hold_seconds <= high:
                problems.append(f"{label}: hold must be {low} to {high} seconds")
            update["hold_seconds"] = change.hold_seconds
        if change.rest_seconds is not None:
            if not 0 <= change.rest_seconds <= rest_cap(ex):
                problems.append(f"{label}: rest must be 0 to {rest_cap(ex)} seconds")
            update["rest_seconds"] = change.rest_seconds
    if change.times_per_day is not None:
        cap_times = times_cap(item, sessions)
        if not 1 <= change.times_per_day <= cap_times:
            problems.append(
                f"{label}: times a day must be 1 to {cap_times} (the program's sessions a day)"
            )
        update["times_per_day"] = change.times_per_day
    if problems:
        return d, problems
    return ItemDose.model_validate({**d.model_dump(), **update}), []


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


def _known_level(item: ProgramItem, ex: Exercise) -> str | None:
    return item.level if item.level in ex.ladder else None


def at_level(
    item: ProgramItem, ex: Exercise, level_id: str | None, intake: Intake, result: Assessment
) -> ProgramItem:
    """``item`` moved to a level of its exercise ``ex``: the level's name, place, kit, belly
    pressure and reason (:mod:`psoas.domain.progression`), the item's sets kept within the
    level's range (a timed item keeps its minutes within the level's), and the cautions of the
    level that apply to this person."""
    done = ex.at_level(level_id)
    d = item.dose
    if _timed(d) or d.sets is None:
        cap = minutes_cap(done)
        dose = d
        if d.per_side is not None:
            dose = d.model_copy(
                update={
                    "per_side": PerSide(
                        left=min(d.per_side.left, cap), right=min(d.per_side.right, cap)
                    )
                }
            )
        elif d.minutes is not None:
            dose = d.model_copy(update={"minutes": min(d.minutes, cap)})
    else:
        dose = level_dose(item, ex, level_id, d.sets)
    moved = _at_level(item, ex, level_id, ItemDose.model_validate(dose.model_dump()))
    cautions = item_cautions(done, conditions(intake), intake)
    return moved.model_copy(update={"cautions": tuple(dict.fromkeys((*cautions, *moved.cautions)))})


def level_choices(
    item: ProgramItem, catalog: Catalog, intake: Intake, result: Assessment
) -> list[tuple[str | None, str, str | None]]:
    """The levels of ``item``'s exercise, easiest first: (level id or None for the exercise
    itself, its name, why it is not offered to this patient or None). The same exclusion rules
    that judge a step up judge each level."""
    try:
        ex = catalog.exercise(item.id)
    except KeyError:
        return []
    out: list[tuple[str | None, str, str | None]] = []
    for level_id in ex.ladder:
        done = ex.at_level(level_id)
        why_not = exclusion(intake, result.triage, done)
        out.append((level_id, done.name, why_not.message if why_not else None))
    return out


def _clean_note(text: str) -> str:
    return " ".join(text.split())


def _held(result: Assessment) -> str | None:
    if result.program is None or withholds_program(result.triage.level):
        return (
            "program: the latest assessment found warning signs; the home program is held back "
            "until a doctor has checked them and the patient is assessed again"
        )
    return None


def _minutes_per_day(items: Sequence[ProgramItem]) -> float:
    return round(sum(item_minutes(i, i.dose) * i.dose.times_per_day for i in items), 1)


def _place(ordered: list[ProgramItem], new: ProgramItem) -> None:
    """Put an added item after the last item of its kind or an earlier kind."""
    rank = CATEGORY_ORDER[new.category]
    at = 0
    for n, item in enumerate(ordered):
        if CATEGORY_ORDER[item.category] <= rank:
            at = n + 1
    ordered.insert(at, new)


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
    reason is kept with the new version, so it must say something (3 to 300 characters).

    In turn: items taken out, items added (each at the catalog's dose), levels, doses (checked
    against the caps of the item's new level), notes, sessions a day, then the order. Every
    item then faces the safety rules at the level it is at."""
    problems: list[str] = []
    held = _held(result)
    if held:
        raise Refused([held])
    if not 3 <= len(reason) <= 300:
        problems.append("reason: say why in 3 to 300 characters; it is kept with the program")
    ordered: list[ProgramItem] = list(program.items)
    changed = False

    def find(item_id: str) -> int | None:
        return next((n for n, i in enumerate(ordered) if i.id == item_id), None)

    for item_id in dict.fromkeys(edit.remove):
        at = find(item_id)
        if at is None:
            problems.append(f"remove: {item_id!r} is not in the program")
        else:
            del ordered[at]
            changed = True

    sessions = edit.sessions_per_day or program.sessions_per_day
    added: list[str] = []
    for item_id in dict.fromkeys(edit.add):
        try:
            ex = catalog.exercise(item_id)
        except KeyError:
            problems.append(f"add: {item_id!r} is not an exercise in the catalog")
            continue
        if find(item_id) is not None:
            problems.append(f"add: {ex.name} is already in the program")
            continue
        why_not = exclusion(intake, result.triage, ex)
        if why_not is not None:
            problems.append(f"add: {ex.name} cannot be added. {why_not.message}")
            continue
        new = _item(ex, intake, result, sessions, f"Added by your clinician, {clinician}: {reason}")
        _place(ordered, new)
        added.append(item_id)
        changed = True

    refused_levels: set[str] = set()
    for item_id, wanted in edit.levels.items():
        at = find(item_id)
        if at is None:
            if item_id not in edit.remove:
                problems.append(f"level: {item_id!r} is not in the program")
            continue
        item = ordered[at]
        try:
            ex = catalog.exercise(item_id)
        except KeyError:
            problems.append(f"level: {item_id!r} is no longer in the catalog")
            continue
        level_id = wanted or None
        if level_id not in ex.ladder:
            names = ", ".join(lv.id for lv in ex.levels) or "none besides the exercise itself"
            problems.append(f"level: {item.name} has no level {level_id!r} (its levels: {names})")
            continue
        if level_id == _known_level(item, ex):
            continue
        done = ex.at_level(level_id)
        why_not = exclusion(intake, result.triage, done)
        if why_not is not None:
            problems.append(f"level: {done.name} is not offered to this patient. {why_not.message}")
            refused_levels.add(item_id)
            continue
        ordered[at] = at_level(item, ex, level_id, intake, result)
        changed = True

    for item_id, change in edit.doses.items():
        at = find(item_id)
        if at is None:
            if item_id not in edit.remove:
                problems.append(f"dose: {item_id!r} is not in the program")
            continue
        item = ordered[at]
        try:
            ex = catalog.exercise_at(item_id, item.level)  # the level's own dose range
        except KeyError:
            problems.append(f"dose: {item_id!r} is no longer in the catalog")
            continue
        dose, dose_problems = _new_dose(item, ex, change, sessions)
        problems += dose_problems
        if not dose_problems and dose != item.dose:
            ordered[at] = _with_dose(item, dose)
            changed = True

    for item_id, text in edit.notes.items():
        at = find(item_id)
        if at is None:
            if item_id not in edit.remove:
                problems.append(f"note: {item_id!r} is not in the program")
            continue
        note = _clean_note(text) or None
        if note is not None and len(note) > NOTE_MAX:
            problems.append(f"note: {ordered[at].name}: at most {NOTE_MAX} characters")
            continue
        if note != ordered[at].clinician_note:
            ordered[at] = ordered[at].model_copy(update={"clinician_note": note})
            changed = True

    if sessions != program.sessions_per_day:
        changed = True
        for n, item in enumerate(ordered):
            times = item.dose.times_per_day
            wanted_times = edit.doses.get(item.id, DoseChange()).times_per_day
            if wanted_times is not None or _habit(item):
                continue
            if item.category == "stretch" and times == program.sessions_per_day:
                times = sessions  # a stretch is done at every session
            times = min(times, sessions)
            if times != item.dose.times_per_day:
                ordered[n] = _with_dose(item, item.dose.model_copy(update={"times_per_day": times}))
        for item in ordered:
            if not _habit(item) and item.dose.times_per_day > sessions:
                problems.append(
                    f"{_label(item)}: times a day must be 1 to {sessions} (the program's "
                    "sessions a day)"
                )

    if edit.order:
        named = list(dict.fromkeys(edit.order))
        unknown = [i for i in named if find(i) is None and i not in edit.remove]
        if unknown:
            problems.append(f"order: {', '.join(map(repr, unknown))} not in the program")
        by_id = {i.id: i for i in ordered}
        first = [by_id[i] for i in named if i in by_id]
        new_order = first + [i for i in ordered if i.id not in set(named)]
        if [i.id for i in new_order] != [i.id for i in ordered]:
            ordered = new_order
            changed = True

    # Every item faces today's rules, at the level it is at (those added were checked above).
    for item in ordered:
        if item.id in added or item.id in refused_levels:
            continue
        try:
            ex = catalog.exercise_at(item.id, item.level)
        except KeyError:
            continue
        why_not = exclusion(intake, result.triage, ex)
        if why_not is not None:
            problems.append(f"{item.name} cannot stay in the program. {why_not.message}")

    if not ordered:
        problems.append("remove: a program needs at least one item")
    if not problems and not changed:
        problems.append("program: nothing to change (add, remove or change a dose)")
    if problems:
        raise Refused(problems)

    kept = {i.id for i in ordered}
    removed = [i for i in program.items if i.id not in kept]
    excluded = [e for e in program.excluded if e.id not in kept and e.id not in edit.remove]
    excluded += [
        Excluded(
            id=i.id,
            code="clinician-removed",
            message=f"Taken out by your clinician, {clinician}: {reason}",
        )
        for i in removed
    ]
    return Program(
        sessions_per_day=sessions,
        break_interval_minutes=program.break_interval_minutes,
        minutes_per_day=_minutes_per_day(ordered),
        items=tuple(ordered),
        excluded=tuple(excluded),
        notes=program.notes,
    )


# --- a clinic's templates -----------------------------------------------------------------------


class TemplateItem(BaseModel):
    """One item of a template: the exercise, its level, its dose and the clinician's note."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    level: str | None = None
    dose: ItemDose
    note: str | None = Field(default=None, max_length=NOTE_MAX)


class TemplateContent(BaseModel):
    """What a template holds: the items in order, and sessions a day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    sessions_per_day: int = Field(ge=1, le=SESSIONS_MAX)
    items: tuple[TemplateItem, ...] = Field(min_length=1)


def template_of(program: Program) -> TemplateContent:
    """A program as a template: each item's exercise, level, dose and note, in order."""
    return TemplateContent(
        sessions_per_day=min(program.sessions_per_day, SESSIONS_MAX),
        items=tuple(
            TemplateItem(id=i.id, level=i.level, dose=i.dose, note=i.clinician_note)
            for i in program.items
        ),
    )


def _change_to(dose: ItemDose) -> DoseChange:
    """A dose change that sets every field of ``dose`` that a clinician may set."""
    fields: dict[str, Any] = {
        "reps": dose.reps,
        "hold_seconds": dose.hold_seconds,
        "times_per_day": dose.times_per_day,
    }
    timed = _timed(dose)
    if not timed:
        fields["rest_seconds"] = dose.rest_seconds
    if dose.per_side is not None:
        fields.update(left=dose.per_side.left, right=dose.per_side.right)
    elif timed:
        fields["minutes"] = dose.minutes
    else:
        fields["sets"] = dose.sets
    return DoseChange.model_construct(**{k: v for k, v in fields.items() if v is not None})


def program_from_template(
    template: TemplateContent,
    *,
    name: str,
    intake: Intake,
    result: Assessment,
    catalog: Catalog,
    clinician: str,
    previous: Program | None,
) -> tuple[Program, list[Excluded], list[str]]:
    """A patient's program from a clinic's template called ``name``: each item at its level,
    with its dose and note, in order, if the safety rules allow it for this patient's latest
    intake (exactly as for a generated program). Returns the program, the items left out and
    why, and the doses that could not be kept (each item then gets the catalog's dose).

    :class:`~psoas.domain.errors.Refused` when a warning sign holds the program back or when
    no item of the template is safe for this patient."""
    held = _held(result)
    if held:
        raise Refused([held])
    why = f"Chosen by your clinician, {clinician}, from the clinic's program {name!r}."
    sessions = template.sessions_per_day
    items: list[ProgramItem] = []
    left_out: list[Excluded] = []
    adjusted: list[str] = []
    for t in template.items:
        if any(i.id == t.id for i in items):
            continue
        try:
            base = catalog.exercise(t.id)
        except KeyError:
            left_out.append(
                Excluded(id=t.id, code="not-in-catalog", message="No longer in the catalog.")
            )
            continue
        level_id = t.level if t.level in base.ladder else None
        done = base.at_level(level_id)
        why_not = exclusion(intake, result.triage, done)
        if why_not is not None:
            left_out.append(why_not.model_copy(update={"id": t.id}))
            continue
        item = _item(base, intake, result, sessions, why)
        if level_id is not None:
            item = at_level(item, base, level_id, intake, result)
        if not _habit(item):
            dose, problems = _new_dose(item, done, _change_to(t.dose), sessions)
            if problems:
                adjusted += problems
            else:
                item = _with_dose(item, dose)
        note = _clean_note(t.note or "") or None
        items.append(item.model_copy(update={"clinician_note": note}))
    if not items:
        raise Refused(
            [f"template: none of the items of {name!r} is safe for this patient"]
            + [f"{e.id}: {e.message}" for e in left_out]
        )
    kept = {i.id for i in items}
    excluded = list(left_out)
    if previous is not None:
        out = kept | {x.id for x in excluded}
        excluded += [e for e in previous.excluded if e.id not in out]
    program = Program(
        sessions_per_day=sessions,
        break_interval_minutes=(
            previous.break_interval_minutes if previous is not None else break_interval(intake)
        ),
        minutes_per_day=_minutes_per_day(items),
        items=tuple(items),
        excluded=tuple(excluded),
        notes=previous.notes if previous is not None else (),
    )
    return program, left_out, adjusted
