"""The shape of the catalog: exercises, clinician options, conditions and the bibliography.

These are plain, frozen models. The data lives in ``psoas/catalog/data`` and is loaded and
cross-checked by :mod:`psoas.catalog`; the domain rules only ever read a :class:`Catalog`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Category = Literal["release", "stretch", "strengthen", "posture", "movement"]
Position = Literal["standing", "kneeling", "floor", "bed", "table", "seated", "any"]
Equipment = Literal[
    "massage_gun",
    "release_tool",
    "table_or_firm_bed_edge",
    "ankle_weight",
    "pillows_or_bolster",
    "chair",
    "resistance_band",
    "mat",
    "wall",
    "standing_desk",
]
#: Equipment a person is assumed to have at home; anything else must be declared in the intake.
HOUSEHOLD_EQUIPMENT: frozenset[str] = frozenset({"chair", "pillows_or_bolster", "mat", "wall"})

ConditionCode = Literal[
    "pregnancy",
    "aortic_aneurysm",
    "anticoagulants",
    "recent_abdominal_or_hip_surgery",
    "abdominal_hernia",
    "abdominal_pain",
    "recent_hip_flexor_injury",
    "hip_replacement",
    "osteoporosis_or_long_term_steroids",
    "altered_sensation",
]

_ID = r"^[a-z0-9]+(-[a-z0-9]+)*$"


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Reference(_Frozen):
    """One bibliography entry, cited everywhere by its ``key``."""

    key: str = Field(pattern=r"^[a-z0-9][a-z0-9-]{2,}$")
    kind: Literal["source-document", "guideline", "journal", "book", "manufacturer", "website"]
    title: str = Field(min_length=3)
    authors: str | None = None
    publisher: str = Field(min_length=2, description="publisher, journal or organisation")
    year: int | None = Field(default=None, ge=1900, le=2100)
    details: str | None = Field(default=None, description="volume, issue and pages, or edition")
    doi: str | None = None
    url: str | None = None
    note: str | None = Field(default=None, description="what it contributes; caveats")
    unconfirmed: bool = False

    def citation(self) -> str:
        """One line a person can look up: authors, title, publisher, year."""
        parts = [self.authors] if self.authors else []
        parts.append(self.title)
        parts.append(self.publisher + (f" {self.details}" if self.details else ""))
        if self.year:
            parts.append(str(self.year))
        text = ". ".join(p.rstrip(".") for p in parts) + "."
        if self.doi:
            text += f" doi:{self.doi}"
        if self.unconfirmed:
            text += " (citation not yet confirmed)"
        return text


class Dose(_Frozen):
    """A default dose. ``per_side`` means each set is done once on each side."""

    sets: int | None = Field(default=None, ge=1, le=10)
    sets_max: int | None = Field(default=None, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=50)
    hold_seconds: int | None = Field(default=None, ge=1, le=600)
    minutes: float | None = Field(default=None, ge=0, le=60)
    rest_seconds: int = Field(default=0, ge=0, le=300)
    per_side: bool = False
    times_per_day: int = Field(default=1, ge=1, le=12)
    note: str | None = None

    @model_validator(mode="after")
    def _something_to_do(self) -> Dose:
        if not (self.sets or self.minutes is not None):
            raise ValueError("a dose needs sets or minutes")
        if self.sets_max is not None and self.sets is not None and self.sets_max < self.sets:
            raise ValueError("sets_max must be at least sets")
        return self

    def seconds_per_side_set(self) -> float:
        """Time one set takes on one side, rests included."""
        if self.hold_seconds:
            work = self.hold_seconds * (self.reps or 1)
        elif self.reps:
            work = 3 * self.reps  # about three seconds a controlled repetition
        else:
            work = 0
        return float(work + self.rest_seconds)


class Variant(_Frozen):
    """A harder, easier or different way to do the same exercise."""

    name: str
    kind: Literal["progression", "regression", "alternative"]
    description: str
    sources: tuple[str, ...] = Field(min_length=1)


class Contraindication(_Frozen):
    """Why an item is left out for a person with a condition, in plain words."""

    condition: ConditionCode
    reason: str = Field(min_length=10)
    sources: tuple[str, ...] = Field(min_length=1)


class Exercise(_Frozen):
    """One home-program item."""

    id: str = Field(pattern=_ID)
    name: str
    category: Category
    position: Position
    equipment: tuple[Equipment, ...] = ()
    abdominal_pressure: bool
    one_sided: bool
    targets: tuple[str, ...] = Field(min_length=1, description="muscles or habits it works on")
    summary: str = Field(min_length=10)
    why: tuple[str, ...] = Field(min_length=1, description="plain-language reasons")
    dose: Dose
    steps: tuple[str, ...] = Field(min_length=1)
    cues: tuple[str, ...] = ()
    breathing: str | None = Field(default=None, description="a paced breathing cue, if any")
    common_errors: tuple[str, ...] = ()
    safety: tuple[str, ...] = Field(default=(), description="notes shown with the item")
    contraindications: tuple[Contraindication, ...] = ()
    variants: tuple[Variant, ...] = ()
    progression: tuple[str, ...] = Field(default=(), description="how to make it harder, in order")
    regression: tuple[str, ...] = Field(default=(), description="how to make it easier, in order")
    stretches_rectus_femoris: bool = False
    stretches_hip_flexors: bool = Field(
        default=False, description="takes the hip flexors to length (implied for every stretch)"
    )
    needs_floor: bool = False
    needs_kneeling: bool = False
    deep_hip_flexion: bool = Field(
        default=False, description="brings a hip past 90 degrees of flexion"
    )
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.position == "kneeling" and not (self.needs_kneeling and self.needs_floor):
            raise ValueError("a kneeling item needs the floor and kneeling")
        if self.position == "floor" and not self.needs_floor:
            raise ValueError("a floor item needs the floor")
        if self.one_sided != self.dose.per_side and self.category in ("stretch", "release"):
            raise ValueError("one-sided stretches and releases are dosed per side")
        return self


class ClinicianOption(_Frozen):
    """Something that belongs with a clinician, shown as an option and never as a home item."""

    id: str = Field(pattern=_ID)
    name: str
    who: str = Field(description="which professional offers it")
    abdominal_pressure: bool = Field(
        default=False,
        description="works into the abdomen (hands, needles): never offered where "
        "pressing the abdomen is unsafe",
    )
    description: str
    why: tuple[str, ...] = Field(min_length=1)
    sources: tuple[str, ...] = Field(min_length=1)


class Catalog(_Frozen):
    """Everything the rules read: validated once, never mutated."""

    version: str
    exercises: tuple[Exercise, ...]
    clinician_options: tuple[ClinicianOption, ...]
    references: tuple[Reference, ...]

    @model_validator(mode="after")
    def _cross_check(self) -> Catalog:
        keys = [r.key for r in self.references]
        dupes = {k for k in keys if keys.count(k) > 1}
        if dupes:
            raise ValueError(f"duplicate reference keys: {sorted(dupes)}")
        ids = [e.id for e in self.exercises] + [c.id for c in self.clinician_options]
        dup_ids = {i for i in ids if ids.count(i) > 1}
        if dup_ids:
            raise ValueError(f"duplicate exercise ids: {sorted(dup_ids)}")
        known = set(keys)
        missing: set[str] = set()
        for option in self.clinician_options:
            missing |= set(option.sources) - known
        for ex in self.exercises:
            missing |= set(ex.sources) - known
            for c in ex.contraindications:
                missing |= set(c.sources) - known
            for v in ex.variants:
                missing |= set(v.sources) - known
        if missing:
            raise ValueError(f"unknown source keys: {sorted(missing)}")
        return self

    @cached_property
    def _by_id(self) -> dict[str, Exercise]:
        return {e.id: e for e in self.exercises}

    @cached_property
    def _by_key(self) -> dict[str, Reference]:
        return {r.key: r for r in self.references}

    def exercise(self, exercise_id: str) -> Exercise:
        return self._by_id[exercise_id]

    def reference(self, key: str) -> Reference:
        return self._by_key[key]

    def has_reference(self, key: str) -> bool:
        return key in self._by_key
