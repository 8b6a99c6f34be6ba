"""A clinic's own exercises, held to the catalog's safety rules (issue 13; table in 0012).

:func:`catalog_for_clinic` is the one place that says which exercises a clinic's clinicians
pick from and which a patient's program may hold: psoas's catalog, plus the clinic's own.
:func:`catalog_holding` is the catalog a patient's surfaces read: psoas's, plus the clinic
exercises their program holds (archived ones too: a program keeps what it was given).

A clinic exercise is a :class:`psoas.domain.catalog.Exercise` like any other, under an id that
starts with ``clinic-`` (no catalog id does; a unit test keeps it so), so every safety rule
(:func:`psoas.domain.program.exclusion`) judges it exactly as it judges a catalog item.
:func:`held_to_rules` runs those rules again over the clinic items of a stored program against
the person's latest answers, so an exercise edited after it was given never slips past them.

Access: a clinic's exercises are read and changed only by its own clinicians; anyone else gets
:class:`psoas.services.accounts.NotFound`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from sqlalchemy import String, cast, or_, select
from sqlalchemy.orm import Session

from psoas.catalog import load_catalog, load_figures
from psoas.domain.catalog import (
    Catalog,
    Category,
    ConditionCode,
    Dose,
    Equipment,
    Exercise,
    Position,
    Reference,
)
from psoas.domain.errors import Refused
from psoas.domain.intake import Intake
from psoas.domain.program import exclusion
from psoas.domain.results import Excluded, Program, Triage
from psoas.domain.tracking import History
from psoas.reports import pictures
from psoas.services import clinics
from psoas.services.accounts import NotFound, User
from psoas.storage.db import Database
from psoas.storage.tables import ClinicEventRow, ClinicExerciseRow, ProgramVersionRow

#: Every clinic exercise's id starts with this; no catalog id does (tests/unit).
ID_PREFIX = "clinic-"
NAME_MAX = 120

#: The conditions a clinic can mark an exercise as not for, in plain words.
CONDITION_WORDS: dict[str, str] = {
    "pregnancy": "pregnancy",
    "aortic_aneurysm": "an aortic aneurysm",
    "anticoagulants": "blood thinners",
    "recent_abdominal_or_hip_surgery": "recent belly or hip surgery",
    "abdominal_hernia": "a hernia in the belly",
    "abdominal_pain": "pain in the belly",
    "recent_hip_flexor_injury": "a fresh hip-flexor injury",
    "hip_replacement": "a hip replacement",
    "osteoporosis_or_long_term_steroids": "thin bones or long-term steroids",
    "altered_sensation": "numbness or altered feeling",
    "under_16": "being under 16",
    "falls_or_frailty": "falls or frailty",
    "wheelchair_or_cannot_stand": "using a wheelchair or not standing unaided",
    "postpartum": "having had a baby recently",
}
assert set(CONDITION_WORDS) == set(get_args(ConditionCode))

#: Where each safety flag of the form is asked, in plain words for the clinician.
FLAG_WORDS: dict[str, str] = {
    "needs_floor": "Done on the floor (getting down and up again)",
    "needs_kneeling": "Done kneeling",
    "needs_standing": "Needs standing unaided",
    "lies_on_back": "Done lying on the back",
    "deep_hip_flexion": "Bends a hip past a right angle",
    "hip_rotation_under_load": "Rolls the leg in and out under pressure (hip rotation)",
    "stretches_hip_flexors": "Takes the hip flexors to length",
    "stretches_rectus_femoris": "Stretches the front of the thigh",
    "heavy_lengthening_load": "Loads the hip flexors heavily while they lengthen",
    "table_transfer": "Needs getting onto and off a table or high bed",
}


class OwnReference(BaseModel):
    """A reference the clinic enters itself: enough for anyone to look it up."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    title: str = Field(min_length=3, max_length=300)
    publisher: str = Field(min_length=2, max_length=200, description="publisher or journal")
    year: int = Field(ge=1900, le=2100)
    authors: str | None = Field(default=None, max_length=300)
    url: str | None = Field(default=None, max_length=500, pattern=r"^https?://\S+$")


class ExerciseForm(BaseModel):
    """What a clinician writes: the catalog's fields, each checked by the catalog's own model
    (:class:`psoas.domain.catalog.Exercise`) once turned into an exercise."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    name: str = Field(min_length=3, max_length=NAME_MAX)
    category: Category
    position: Position
    equipment: tuple[Equipment, ...] = ()
    abdominal_pressure: bool = Field(description="presses into the belly")
    one_sided: bool = Field(default=False, description="one side at a time (dosed per side)")
    targets: tuple[str, ...] = Field(min_length=1, description="muscles or habits it works on")
    summary: str = Field(min_length=10, max_length=600)
    why: tuple[str, ...] = Field(min_length=1, description="why, in plain words")
    dose: Dose
    steps: tuple[str, ...] = Field(min_length=1)
    cues: tuple[str, ...] = ()
    safety: tuple[str, ...] = ()
    contraindications: tuple[ConditionCode, ...] = ()
    needs_floor: bool = False
    needs_kneeling: bool = False
    needs_standing: bool = False
    lies_on_back: bool = False
    deep_hip_flexion: bool = False
    hip_rotation_under_load: bool = False
    stretches_hip_flexors: bool = False
    stretches_rectus_femoris: bool = False
    heavy_lengthening_load: bool = False
    table_transfer: bool = False
    sources: tuple[str, ...] = Field(default=(), description="keys of psoas's bibliography")
    own_reference: OwnReference | None = None
    figure: str = Field(description="the catalog item whose picture it shows")

    @field_validator("why", "steps", "cues", "safety", mode="before")
    @classmethod
    def _lines(cls, value: Any) -> Any:
        """One entry per line, when a form sends text."""
        if isinstance(value, str):
            return tuple(line.strip() for line in value.splitlines() if line.strip())
        return value

    @field_validator("targets", mode="before")
    @classmethod
    def _targets(cls, value: Any) -> Any:
        """One a line or separated by commas, when a form sends text."""
        if isinstance(value, str):
            return tuple(t.strip() for t in value.replace(",", "\n").splitlines() if t.strip())
        return value


NO_SOURCE = (
    "sources: cite at least one source: one from psoas's bibliography, or your own with its "
    "title, publisher or journal and year"
)


def parse_form(data: dict[str, Any]) -> ExerciseForm:
    """The form's fields checked, or :class:`Refused` naming every field that is wrong."""
    try:
        return ExerciseForm.model_validate(data)
    except ValidationError as exc:
        lines = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "form"
            lines.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
        if not data.get("sources") and not data.get("own_reference"):
            lines.append(NO_SOURCE)
        raise Refused(lines) from exc


@dataclass(frozen=True)
class ClinicExercise:
    """One exercise of a clinic, as its clinicians see it."""

    row_id: int
    item_id: str
    clinic_id: int
    exercise: Exercise
    references: tuple[Reference, ...]
    figure: str
    created_at: datetime
    updated_at: datetime
    archived_at: datetime | None
    in_use: bool = False
    #: what the exercise reads as now (its text, references and picture), for caches
    digest: str = ""

    @property
    def name(self) -> str:
        return self.exercise.name

    def form(self) -> ExerciseForm:
        """The exercise as the form shows it for editing."""
        ex = self.exercise
        own = self.references[0] if self.references else None
        return ExerciseForm(
            name=ex.name,
            category=ex.category,
            position=ex.position,
            equipment=ex.equipment,
            abdominal_pressure=ex.abdominal_pressure,
            one_sided=ex.one_sided,
            targets=ex.targets,
            summary=ex.summary,
            why=ex.why,
            dose=ex.dose,
            steps=ex.steps,
            cues=ex.cues,
            safety=ex.safety,
            contraindications=tuple(c.condition for c in ex.contraindications),
            **{flag: getattr(ex, flag) for flag in FLAG_WORDS},
            sources=tuple(k for k in ex.sources if not k.startswith(ID_PREFIX)),
            own_reference=OwnReference(
                title=own.title,
                publisher=own.publisher,
                year=own.year or 2000,
                authors=own.authors,
                url=own.url,
            )
            if own
            else None,
            figure=self.figure,
        )


# --- figures ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FigureChoice:
    """A drawn picture a clinic exercise can show: a catalog item's own picture."""

    item_id: str
    name: str
    position: str

    def url(self) -> str:
        found = pictures.find(self.item_id)
        return found.url() if found else ""


def figure_choices() -> list[FigureChoice]:
    """Every drawn catalog picture, grouped by position (the pose presets)."""
    library = load_figures()
    order = ("standing", "seated", "kneeling", "floor", "bed", "table", "any")
    found = [
        FigureChoice(e.id, e.name, e.position)
        for e in load_catalog().exercises
        if e.id in library.items
    ]
    return sorted(found, key=lambda f: (order.index(f.position), f.name))


def _check_figure(figure: str) -> None:
    if figure not in {f.item_id for f in figure_choices()}:
        raise Refused(["figure: choose one of the pictures shown"])


# --- turning rows into exercises ----------------------------------------------------------------


def _slug(name: str) -> str:
    words = re.findall(r"[a-z0-9]+", name.lower())
    return "-".join(words)[:50].strip("-") or "exercise"


def _reason(condition: str, name: str) -> str:
    return (
        f"Left out because of {CONDITION_WORDS[condition]}: the clinic that wrote "
        f"“{name}” advises against it then."
    )


def to_exercise(form: ExerciseForm, item_id: str) -> tuple[Exercise, tuple[Reference, ...]]:
    """The form as a catalog exercise (checked by the catalog's own model) and the reference
    the clinic entered; :class:`Refused` names every field that is wrong."""
    refs: tuple[Reference, ...] = ()
    if form.own_reference is not None:
        own = form.own_reference
        refs = (
            Reference(
                key=f"{item_id}-ref",
                kind="website" if own.url else "journal",
                title=own.title,
                publisher=own.publisher,
                year=own.year,
                authors=own.authors or None,
                url=own.url or None,
                note="Entered by the clinic.",
            ),
        )
    catalog = load_catalog()
    problems = [
        f"sources: {key!r} is not in psoas's bibliography"
        for key in form.sources
        if not catalog.has_reference(key)
    ]
    sources = tuple(dict.fromkeys(form.sources)) + tuple(r.key for r in refs)
    if not sources:
        problems.append(NO_SOURCE)
    position = form.position
    flags = {flag: getattr(form, flag) for flag in FLAG_WORDS}
    if position == "kneeling":
        flags.update(needs_kneeling=True, needs_floor=True)
    if position == "floor":
        flags["needs_floor"] = True
    if position == "standing":
        flags["needs_standing"] = True
    if position == "table":
        flags["table_transfer"] = True
    if form.category == "stretch":
        flags["stretches_hip_flexors"] = True
    dose = form.dose.model_copy(update={"per_side": form.one_sided})
    data: dict[str, Any] = {
        "id": item_id,
        "name": form.name,
        "category": form.category,
        "position": position,
        "equipment": form.equipment,
        "abdominal_pressure": form.abdominal_pressure,
        "one_sided": form.one_sided,
        "targets": form.targets,
        "summary": form.summary,
        "why": form.why,
        "dose": dose.model_dump(),
        "steps": form.steps,
        "cues": form.cues,
        "safety": form.safety,
        "contraindications": [
            {"condition": c, "reason": _reason(c, form.name), "sources": sources or ("x",)}
            for c in dict.fromkeys(form.contraindications)
        ],
        "sources": sources or ("x",),
        **flags,
    }
    try:
        exercise = Exercise.model_validate(data)
    except ValidationError as exc:
        for err in exc.errors():
            where = ".".join(str(p) for p in err["loc"]) or "exercise"
            problems.append(f"{where}: {err['msg'].removeprefix('Value error, ')}")
        raise Refused(problems) from exc
    if problems:
        raise Refused(problems)
    return exercise, refs


def _from_row(row: ClinicExerciseRow) -> ClinicExercise:
    return ClinicExercise(
        row_id=row.id,
        item_id=row.item_id,
        clinic_id=row.clinic_id,
        exercise=Exercise.model_validate(row.exercise),
        references=tuple(Reference.model_validate(r) for r in row.references),
        figure=row.figure,
        created_at=row.created_at,
        updated_at=row.updated_at,
        archived_at=row.archived_at,
        digest=hashlib.sha256(
            json.dumps([row.exercise, row.references, row.figure], sort_keys=True).encode()
        ).hexdigest()[:16],
    )


# --- catalogs -----------------------------------------------------------------------------------


def is_clinic_item(item_id: str) -> bool:
    return item_id.startswith(ID_PREFIX)


def _lend_pictures(found: Iterable[ClinicExercise]) -> None:
    for c in found:
        _SEEN[c.item_id] = c
        pictures.lend(c.item_id, c.figure, c.exercise.name)


#: The clinic exercises this process has read, by id: what a surface without a database at
#: hand (a rendered page body, the handout text) reads a program with, right after
#: :func:`psoas.services.programs.state_in` read the program (and these) from the database.
_SEEN: dict[str, ClinicExercise] = {}


def catalog_seen(program: Program | None) -> Catalog:
    """psoas's catalog plus the clinic exercises of ``program`` as last read from the
    database in this process (:func:`catalog_holding` reads them)."""
    ids = [i for i in program_ids(program) if i in _SEEN]
    return with_exercises(load_catalog(), [_SEEN[i] for i in ids])


def fingerprint(program: Program | None) -> str:
    """What the clinic exercises of ``program`` read as now (empty for psoas's own items):
    a rendered page keyed by it is drawn again when a clinic changes one."""
    found = [_SEEN[i] for i in program_ids(program) if i in _SEEN]
    return "".join(f"{c.item_id}@{c.digest};" for c in found)


def with_exercises(base: Catalog, found: Iterable[ClinicExercise]) -> Catalog:
    """``base`` plus these clinic exercises and their references (each already checked by the
    catalog's model when it was saved; ids that clash with the catalog's are left out)."""
    taken = {e.id for e in base.exercises}
    extra = [c for c in found if c.item_id not in taken]
    if not extra:
        return base
    _lend_pictures(extra)
    return extended(base, [c.exercise for c in extra], [r for c in extra for r in c.references])


def extended(
    base: Catalog, exercises: Iterable[Exercise], references: Iterable[Reference] = ()
) -> Catalog:
    """``base`` with these exercises (each already checked by the catalog's own model, under
    an id ``base`` does not have) and references added: the catalog every rule then reads."""
    refs = {r.key: r for r in references if not base.has_reference(r.key)}
    return Catalog.model_construct(
        version=base.version,
        exercises=base.exercises + tuple(exercises),
        clinician_options=base.clinician_options,
        references=base.references + tuple(refs.values()),
        education=base.education,
        start_back_notice=base.start_back_notice,
    )


def catalog_for_clinic(
    db: Database, clinic_id: int | None, *, holding: Iterable[str] = ()
) -> Catalog:
    """The exercises of psoas's catalog, plus the live (not archived) ones of the clinic
    ``clinic_id``; ``holding``: the ids a patient's program holds, so that an archived
    exercise (or another clinic's) already in it can still be read."""
    base = load_catalog()
    held = sorted({i for i in holding if is_clinic_item(i)})
    if clinic_id is None and not held:
        return base
    live = (ClinicExerciseRow.clinic_id == clinic_id) & ClinicExerciseRow.archived_at.is_(None)
    with db.session() as s:
        rows = s.scalars(
            select(ClinicExerciseRow)
            .where(or_(live, ClinicExerciseRow.item_id.in_(held)) if held else live)
            .order_by(ClinicExerciseRow.id)
        ).all()
        return with_exercises(base, [_from_row(r) for r in rows])


def catalog_holding_in(s: Session, item_ids: Iterable[str]) -> Catalog:
    """psoas's catalog plus the clinic exercises among ``item_ids`` (archived ones too). No
    query at all when none of the ids is a clinic's."""
    base = load_catalog()
    wanted = sorted({i for i in item_ids if is_clinic_item(i)})
    if not wanted:
        return base
    rows = s.scalars(select(ClinicExerciseRow).where(ClinicExerciseRow.item_id.in_(wanted))).all()
    return with_exercises(base, [_from_row(r) for r in rows])


def catalog_holding(db: Database, item_ids: Iterable[str]) -> Catalog:
    wanted = [i for i in item_ids if is_clinic_item(i)]
    if not wanted:
        return load_catalog()
    with db.session() as s:
        return catalog_holding_in(s, wanted)


def program_ids(program: Program | None) -> list[str]:
    if program is None:
        return []
    return [i.id for i in program.items] + [e.id for e in program.excluded]


def catalog_for_program(db: Database, program: Program | None) -> Catalog:
    """The catalog a patient's program is read with: psoas's plus the clinic exercises it
    holds."""
    return catalog_holding(db, program_ids(program))


def catalog_for_history(db: Database, history: History) -> Catalog:
    """The catalog every program version of a history is read with (exports, progress)."""
    ids = [i for v in history.programs for i in program_ids(v.program)]
    ids += [
        i for a in history.assessments if a.result.program for i in program_ids(a.result.program)
    ]
    return catalog_holding(db, ids)


def held_to_rules(program: Program, intake: Intake, triage: Triage, catalog: Catalog) -> Program:
    """``program`` with every clinic item that the safety rules refuse for these answers moved
    to the excluded list, with the rule's reason (catalog items were judged when the program
    was made; a clinic's exercise may have been edited since). Unchanged when all pass."""
    have = {e.id for e in catalog.exercises}
    keep = []
    out: list[Excluded] = []
    known = tuple(e for e in program.excluded if not is_clinic_item(e.id) or e.id in have)
    dropped = len(known) != len(program.excluded)
    for item in program.items:
        if is_clinic_item(item.id):
            if item.id not in have:  # its clinic is gone: it leaves, with nothing to name it by
                dropped = True
                continue
            ex = catalog.exercise_at(item.id, item.level)
            why_not = exclusion(intake, triage, ex)
            if why_not is not None:
                out.append(why_not)
                continue
        keep.append(item)
    if not out and not dropped:
        return program
    return program.model_copy(update={"items": tuple(keep), "excluded": (*known, *out)})


# --- a clinic's exercises -----------------------------------------------------------------------


def _clinic_of(s: Session, clinician: User) -> int:
    held = clinics.membership_in(s, clinician.id)
    if clinician.role != "clinician" or held is None:
        raise NotFound("clinic")
    return held.clinic.id


def _used(s: Session, item_id: str) -> bool:
    """True when any program version ever held the item (then it is archived, not deleted)."""
    found = s.scalar(
        select(ProgramVersionRow.id)
        .where(cast(ProgramVersionRow.program, String).contains(f'"{item_id}"'))
        .limit(1)
    )
    return found is not None


def _row(s: Session, clinician: User, item_id: str) -> ClinicExerciseRow:
    clinic_id = _clinic_of(s, clinician)
    row = s.scalar(select(ClinicExerciseRow).where(ClinicExerciseRow.item_id == item_id))
    if row is None or row.clinic_id != clinic_id:
        raise NotFound("exercise")
    return row


def _name_taken(s: Session, clinic_id: int, name: str, but: int | None = None) -> None:
    """Refused when another live exercise of the clinic has this name (case aside)."""
    rows = s.execute(
        select(ClinicExerciseRow.id, ClinicExerciseRow.name).where(
            ClinicExerciseRow.clinic_id == clinic_id, ClinicExerciseRow.archived_at.is_(None)
        )
    ).all()
    wanted = " ".join(name.split()).casefold()
    if any(n.casefold() == wanted and i != but for i, n in rows):
        raise Refused([f"name: your clinic already has an exercise called “{name}”"])


def _event(s: Session, clinic_id: int, clinician: User, action: str, now: datetime) -> None:
    s.add(ClinicEventRow(clinic_id=clinic_id, actor_id=clinician.id, at=now, action=action[:200]))


def exercises(db: Database, *, clinician: User, archived: bool = False) -> list[ClinicExercise]:
    """The clinic's live exercises (``archived``: the archived ones), newest change first."""
    with db.session() as s:
        clinic_id = _clinic_of(s, clinician)
        query = select(ClinicExerciseRow).where(ClinicExerciseRow.clinic_id == clinic_id)
        if archived:
            query = query.where(ClinicExerciseRow.archived_at.is_not(None))
        else:
            query = query.where(ClinicExerciseRow.archived_at.is_(None))
        rows = s.scalars(query.order_by(ClinicExerciseRow.updated_at.desc())).all()
        found = [_from_row(r) for r in rows]
    _lend_pictures(found)
    return found


def exercise(db: Database, *, clinician: User, item_id: str) -> ClinicExercise:
    """One of the clinic's exercises (NotFound for another clinic's, or none)."""
    with db.session() as s:
        row = _row(s, clinician, item_id)
        found = _from_row(row)
        used = _used(s, item_id)
    _lend_pictures([found])
    return ClinicExercise(**{**found.__dict__, "in_use": used})


def create(db: Database, *, clinician: User, form: ExerciseForm, now: datetime) -> ClinicExercise:
    """A new exercise of the clinician's clinic, under an id no catalog item can have."""
    _check_figure(form.figure)
    with db.session() as s, s.begin():
        clinic_id = _clinic_of(s, clinician)
        stem = f"{ID_PREFIX}{clinic_id}-{_slug(form.name)}"
        to_exercise(form, stem)  # every problem of the form first, then the name's
        _name_taken(s, clinic_id, form.name)
        item_id, n = stem, 1
        while s.scalar(select(ClinicExerciseRow.id).where(ClinicExerciseRow.item_id == item_id)):
            n += 1
            item_id = f"{stem}-{n}"
        ex, refs = to_exercise(form, item_id)
        row = ClinicExerciseRow(
            clinic_id=clinic_id,
            item_id=item_id,
            name=ex.name,
            exercise=ex.model_dump(mode="json"),
            references=[r.model_dump(mode="json") for r in refs],
            figure=form.figure,
            created_by=clinician.id,
            created_at=now,
            updated_at=now,
        )
        s.add(row)
        s.flush()
        _event(s, clinic_id, clinician, f"Added the exercise “{ex.name}”", now)
        found = _from_row(row)
    _lend_pictures([found])
    return found


def update(
    db: Database, *, clinician: User, item_id: str, form: ExerciseForm, now: datetime
) -> ClinicExercise:
    """The exercise rewritten (its id stays: programs that hold it read the new text, and the
    safety rules judge the new version for each of them)."""
    _check_figure(form.figure)
    with db.session() as s, s.begin():
        row = _row(s, clinician, item_id)
        ex, refs = to_exercise(form, item_id)
        _name_taken(s, row.clinic_id, form.name, but=row.id)
        row.name = ex.name
        row.exercise = ex.model_dump(mode="json")
        row.references = [r.model_dump(mode="json") for r in refs]
        row.figure = form.figure
        row.updated_at = now
        _event(s, row.clinic_id, clinician, f"Changed the exercise “{ex.name}”", now)
        found = _from_row(row)
    _lend_pictures([found])
    return found


def archive(db: Database, *, clinician: User, item_id: str, now: datetime) -> str:
    """Take an exercise out of the clinic's list: archived when a program ever held it (those
    programs keep it), deleted when none did. Returns ``archived`` or ``deleted``."""
    with db.session() as s, s.begin():
        row = _row(s, clinician, item_id)
        name = row.name
        if _used(s, item_id):
            row.archived_at = now
            _event(s, row.clinic_id, clinician, f"Archived the exercise “{name}”", now)
            return "archived"
        _event(s, row.clinic_id, clinician, f"Deleted the exercise “{name}”", now)
        s.delete(row)
        return "deleted"


def restore(db: Database, *, clinician: User, item_id: str, now: datetime) -> None:
    """Bring an archived exercise back to the clinic's list."""
    with db.session() as s, s.begin():
        row = _row(s, clinician, item_id)
        _name_taken(s, row.clinic_id, row.name, but=row.id)
        row.archived_at = None
        row.updated_at = now
        _event(s, row.clinic_id, clinician, f"Restored the exercise “{row.name}”", now)
