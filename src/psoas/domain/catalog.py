"""The shape of the catalog: exercises, clinician options, education cards, conditions and the
bibliography.

These are plain, frozen models. The data lives in ``psoas/catalog/data`` and is loaded and
cross-checked by :mod:`psoas.catalog`; the domain rules only ever read a :class:`Catalog`.
"""

from __future__ import annotations

from functools import cached_property
from typing import Any, Literal

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
    "under_16",
    "falls_or_frailty",
    "wheelchair_or_cannot_stand",
    "postpartum",
]

#: Who an education card is for. ``everyone`` means every result that offers a program and
#: ``adults`` those of them aged 16 or over; the concern codes are the intake's
#: ``screening.concerns``; the ``start_back_*`` codes are the risk groups of a STarT Back result
#: scored elsewhere (Hill 2011 cut-offs).
Audience = Literal[
    "everyone",
    "adults",
    "off_work_or_light_duties",
    "drives_for_a_living",
    "heavy_sitter_without_standing_desk",
    "start_back_low",
    "start_back_medium",
    "start_back_high",
    "fear_that_moving_harms_the_back",
    "low_mood",
    "worry_about_work",
    "poor_sleep",
    "expects_pain_to_last",
]
#: Who a card sends the person to, if anyone.
PointsTo = Literal["physiotherapist", "doctor", "physiotherapist_or_doctor"]
#: The education figures a card can show (drawn by ``psoas.reports.diagrams.education_svg``).
EducationFigure = Literal["psoas-anatomy", "pelvic-tilt-hypothesis", "disc-pressure"]

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
        """One line a person can look up: authors, title, publisher, year.

        ``unconfirmed`` stays data for clinicians and developers; it is never part of the
        line people see.
        """
        parts = [self.authors] if self.authors else []
        parts.append(self.title)
        parts.append(self.publisher + (f" {self.details}" if self.details else ""))
        if self.year:
            parts.append(str(self.year))
        text = ". ".join(p.rstrip(".") for p in parts) + "."
        if self.doi:
            text += f" doi:{self.doi}"
        return text


class Dose(_Frozen):
    """A default dose. ``per_side`` means each set is done once on each side."""

    sets: int | None = Field(default=None, ge=1, le=10)
    sets_max: int | None = Field(default=None, ge=1, le=10)
    reps: int | None = Field(default=None, ge=1, le=50)
    reps_by_set: tuple[int, ...] | None = Field(
        default=None,
        description="a falling pyramid: the reps of each set in turn (the first is ``reps``); "
        "when sets are cut, the later, smaller sets go first",
    )
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
        if self.reps_by_set is not None:
            pyramid = self.reps_by_set
            if len(pyramid) != (self.sets_max or self.sets):
                raise ValueError("reps_by_set needs one number for each set, up to sets_max")
            if pyramid[0] != self.reps or list(pyramid) != sorted(pyramid, reverse=True):
                raise ValueError("reps_by_set falls from reps, one set after another")
            if min(pyramid) < 1:
                raise ValueError("reps_by_set needs at least one rep in each set")
        return self

    def reps_in_set(self, index: int) -> int | None:
        """The reps of set ``index`` (0 first): the pyramid's number, or the plain ``reps``."""
        if self.reps_by_set is not None:
            return self.reps_by_set[min(index, len(self.reps_by_set) - 1)]
        return self.reps

    def seconds_per_side_set(self) -> float:
        """Time one set takes on one side, rests included (the mean set, for a pyramid of the
        default number of sets)."""
        reps: float | None = self.reps
        if self.reps_by_set is not None:
            used = self.reps_by_set[: self.sets or len(self.reps_by_set)]
            reps = sum(used) / len(used)
        if self.hold_seconds:
            work = self.hold_seconds * (reps or 1)
        elif reps:
            work = 3 * reps  # about three seconds a controlled repetition
        else:
            work = 0
        return float(work + self.rest_seconds)


Alternate = Literal["each_rep", "each_set"]


class Tempo(_Frozen):
    """How one repetition is paced in the guided player: lift (or push, reach), hold for the
    dose's hold, lower, then a short pause before the next one. The words are said aloud."""

    lift_seconds: int = Field(default=2, ge=1, le=10)
    lower_seconds: int = Field(default=2, ge=1, le=10)
    between_seconds: int = Field(default=1, ge=0, le=30, description="pause between reps")
    lift_word: str = Field(default="Lift", min_length=2, max_length=20)
    hold_word: str = Field(default="Hold", min_length=2, max_length=20)
    lower_word: str = Field(default="Lower", min_length=2, max_length=20)


class Variant(_Frozen):
    """A harder, easier or different way to do the same exercise."""

    name: str
    kind: Literal["progression", "regression", "alternative"]
    description: str
    sources: tuple[str, ...] = Field(min_length=1)


#: The attributes of an exercise that decide where it is safe; a level may change any of them,
#: and the same exclusion rules then judge the level (psoas.domain.program.exclusion).
LEVEL_SAFETY_FIELDS = (
    "position",
    "equipment",
    "abdominal_pressure",
    "needs_floor",
    "needs_kneeling",
    "needs_standing",
    "lies_on_back",
    "deep_hip_flexion",
    "hip_rotation_under_load",
    "heavy_lengthening_load",
    "table_transfer",
    "stretches_hip_flexors",
    "stretches_rectus_femoris",
)


class Level(_Frozen):
    """An easier or harder level of an exercise: its own name, dose, steps, cues, safety notes
    and figure. A program item is at its exercise's base level or at one of these."""

    id: str = Field(pattern=_ID, description="stable within its exercise")
    name: str = Field(min_length=3)
    kind: Literal["easier", "harder"]
    figure: str = Field(
        pattern=_ID, description="the slug of a drawn variant in the exercise's figures file"
    )
    summary: str = Field(min_length=10)
    why: str = Field(
        min_length=10, description="why step to this level, in plain words for the person"
    )
    dose: Dose
    steps: tuple[str, ...] = Field(min_length=1)
    cues: tuple[str, ...] = Field(min_length=1)
    breathing: str | None = Field(default=None, description="None: the exercise's own")
    common_errors: tuple[str, ...] = ()
    safety: tuple[str, ...] = Field(
        default=(), description="notes shown with this level, after the exercise's own"
    )
    position: Position | None = None
    equipment: tuple[Equipment, ...] | None = None
    abdominal_pressure: bool | None = None
    needs_floor: bool | None = None
    needs_kneeling: bool | None = None
    needs_standing: bool | None = None
    lies_on_back: bool | None = None
    deep_hip_flexion: bool | None = None
    hip_rotation_under_load: bool | None = None
    heavy_lengthening_load: bool | None = None
    table_transfer: bool | None = None
    stretches_hip_flexors: bool | None = None
    stretches_rectus_femoris: bool | None = None
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
    levels: tuple[Level, ...] = Field(
        default=(),
        description="easier levels (easiest first), then harder ones (in order): the steps a "
        "program item takes back and up from the base exercise",
    )
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
    hip_rotation_under_load: bool = Field(
        default=False,
        description="rolls the leg in and out (hip rotation) under pressure: kept from a hip "
        "replacement until the surgical team clears exercise without restrictions",
    )
    needs_standing: bool = Field(
        default=False,
        description="needs the person to stand or stand up unaided (implied for standing items): "
        "left out for someone who cannot stand unaided or uses a wheelchair",
    )
    lies_on_back: bool = Field(
        default=False,
        description="done lying on the back: kept away from late pregnancy (supine hypotension)",
    )
    heavy_lengthening_load: bool = Field(
        default=False,
        description="loads the hip flexors heavily while they lengthen: left out after a fresh "
        "hip-flexor injury",
    )
    table_transfer: bool = Field(
        default=False,
        description="needs getting onto and off a table or bed edge, lying back at its end: "
        "left out for frail people or those who fall (implied for table items)",
    )
    alternate: Alternate | None = Field(
        default=None,
        description="sides taken in turn: each_rep (left, right, left... within a set, for a "
        "one-sided item dosed per side) or each_set (the other side each set)",
    )
    tempo: Tempo = Field(default_factory=Tempo, description="the pace of one repetition")
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="before")
    @classmethod
    def _implied_flags(cls, data: Any) -> Any:
        """A standing item needs standing and a table item a table transfer, unless said."""
        if isinstance(data, dict):
            implied = {"standing": "needs_standing", "table": "table_transfer"}
            flag = implied.get(str(data.get("position")))
            if flag and flag not in data:
                data = {**data, flag: True}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Exercise:
        if self.position == "kneeling" and not (self.needs_kneeling and self.needs_floor):
            raise ValueError("a kneeling item needs the floor and kneeling")
        if self.position == "floor" and not self.needs_floor:
            raise ValueError("a floor item needs the floor")
        if self.position == "standing" and not self.needs_standing:
            raise ValueError("a standing item needs standing")
        if self.position == "table" and not self.table_transfer:
            raise ValueError("a table item needs a table transfer")
        if self.one_sided != self.dose.per_side and self.category in ("stretch", "release"):
            raise ValueError("one-sided stretches and releases are dosed per side")
        kinds = [lv.kind for lv in self.levels]
        if kinds != sorted(kinds, key=lambda k: k == "harder"):
            raise ValueError("easier levels come before harder ones")
        ids = [lv.id for lv in self.levels]
        if len(set(ids)) != len(ids):
            raise ValueError("level ids are unique within an exercise")
        for lv in self.levels:
            if lv.dose.per_side != self.dose.per_side:
                raise ValueError(f"level {lv.id}: dosed per side exactly as the exercise")
            if (lv.dose.minutes is None) != (self.dose.minutes is None):
                raise ValueError(f"level {lv.id}: timed exactly as the exercise, or not")
        if self.alternate == "each_rep" and not (self.dose.per_side and self.dose.reps):
            raise ValueError("sides taken in turn rep by rep need repetitions dosed per side")
        return self

    @property
    def ladder(self) -> tuple[str | None, ...]:
        """Every level in order, easiest first; None is the base exercise."""
        easier = tuple(lv.id for lv in self.levels if lv.kind == "easier")
        harder = tuple(lv.id for lv in self.levels if lv.kind == "harder")
        return (*easier, None, *harder)

    def level(self, level_id: str | None) -> Level | None:
        """The level with this id (None: the base exercise); KeyError when unknown."""
        if level_id is None:
            return None
        for lv in self.levels:
            if lv.id == level_id:
                return lv
        raise KeyError(f"{self.id}/{level_id}")

    def at_level(self, level_id: str | None) -> Exercise:
        """This exercise as done at a level: the level's name, summary, dose, steps, cues,
        errors, breathing and safety attributes, the exercise's safety notes then the level's,
        its contraindications, and the sources of both. The base exercise for None."""
        lv = self.level(level_id)
        if lv is None:
            return self
        data = self.model_dump()
        data.update(
            name=lv.name,
            summary=lv.summary,
            dose=lv.dose.model_dump(),
            steps=lv.steps,
            cues=lv.cues,
            common_errors=lv.common_errors,
            breathing=lv.breathing or self.breathing,
            safety=tuple(dict.fromkeys((*self.safety, *lv.safety))),
            sources=tuple(dict.fromkeys((*self.sources, *lv.sources))),
            levels=(),
            variants=(),
            progression=(),
            regression=(),
        )
        for name in LEVEL_SAFETY_FIELDS:
            value = getattr(lv, name)
            if value is not None:
                data[name] = value
        return Exercise.model_validate(data)


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


class EducationCard(_Frozen):
    """A short piece of advice in plain words, shown to the people it is for."""

    id: str = Field(pattern=_ID)
    title: str = Field(min_length=3, max_length=80)
    body: str = Field(min_length=40, max_length=900, description="short, warm and plain")
    audience: tuple[Audience, ...] = Field(
        min_length=1, description="shown when any of these applies to the person"
    )
    for_whom: str = Field(min_length=10, description="who it is for, in words, for clinicians")
    points_to: PointsTo | None = Field(
        default=None, description="who the card sends the person to, if anyone"
    )
    notice: str | None = Field(
        default=None, description="a copyright notice that must be shown with the card"
    )
    figures: tuple[EducationFigure, ...] = Field(
        default=(), description="the education figures shown with the card, if any"
    )
    sources: tuple[str, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _patient_safe(self) -> EducationCard:
        if "score" in self.body.lower():
            raise ValueError("a card body speaks of what answers suggest, never of a score")
        about_start_back = any(a.startswith("start_back") for a in self.audience)
        if about_start_back and not (self.notice and "Keele University" in self.notice):
            raise ValueError("a card about the STarT Back Tool carries Keele University's notice")
        return self


class Catalog(_Frozen):
    """Everything the rules read: validated once, never mutated."""

    version: str
    exercises: tuple[Exercise, ...]
    clinician_options: tuple[ClinicianOption, ...]
    references: tuple[Reference, ...]
    education: tuple[EducationCard, ...] = ()
    start_back_notice: str | None = Field(
        default=None,
        description="Keele University's copyright notice, shown wherever psoas mentions the "
        "STarT Back Tool",
    )

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
        card_ids = [c.id for c in self.education]
        dup_cards = {i for i in card_ids if card_ids.count(i) > 1}
        if dup_cards:
            raise ValueError(f"duplicate education card ids: {sorted(dup_cards)}")
        for card in self.education:
            about_start_back = any(a.startswith("start_back") for a in card.audience)
            if about_start_back and card.notice != self.start_back_notice:
                raise ValueError(f"{card.id}: carries Keele University's notice unchanged")
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
            for lv in ex.levels:
                missing |= set(lv.sources) - known
        for card in self.education:
            missing |= set(card.sources) - known
        if missing:
            raise ValueError(f"unknown source keys: {sorted(missing)}")
        return self

    @cached_property
    def _by_id(self) -> dict[str, Exercise]:
        return {e.id: e for e in self.exercises}

    @cached_property
    def _by_key(self) -> dict[str, Reference]:
        return {r.key: r for r in self.references}

    @cached_property
    def _cards(self) -> dict[str, EducationCard]:
        return {c.id: c for c in self.education}

    def card(self, card_id: str) -> EducationCard:
        return self._cards[card_id]

    def exercise(self, exercise_id: str) -> Exercise:
        return self._by_id[exercise_id]

    def exercise_at(self, exercise_id: str, level_id: str | None) -> Exercise:
        """The exercise as done at a level (:meth:`Exercise.at_level`); a level this catalog
        no longer has reads as the exercise itself."""
        ex = self._by_id[exercise_id]
        return ex.at_level(level_id if level_id in ex.ladder else None)

    def figure_at(self, exercise_id: str, level_id: str | None) -> str:
        """The picture of an exercise at a level: the level's drawn variant, else ``main``."""
        ex = self._by_id[exercise_id]
        level = ex.level(level_id) if level_id in ex.ladder else None
        return level.figure if level is not None else "main"

    def reference(self, key: str) -> Reference:
        return self._by_key[key]

    def has_reference(self, key: str) -> bool:
        return key in self._by_key
