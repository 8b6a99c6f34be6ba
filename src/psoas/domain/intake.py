"""The intake: one person's answers and examination findings (contract ``intake-v1``).

The models accept exactly the documents that ``shared/contracts/intake-v1.schema.json`` accepts:
types are strict (no ``"5"`` for 5, no ``true`` for 1), unknown fields are refused, and lists
must not repeat an item.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
)

from psoas.domain.errors import describe_errors as _describe

Side = Literal["left", "right"]
T = TypeVar("T")


def _whole_number(value: Any) -> Any:
    """JSON Schema counts 3.0 as an integer; pydantic's strict mode does not."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _unique(items: list[T]) -> list[T]:
    seen: list[T] = []
    for item in items:
        if item in seen:
            raise ValueError(f"must not list {item!r} twice")
        seen.append(item)
    return items


def _version(value: Any) -> Any:
    if isinstance(value, bool) or value != 1:
        raise ValueError("must be 1 (this is intake version 1)")
    return 1


def _not_null(value: Any) -> Any:
    """An optional field may be left out, but not given as null: the contract has no nulls."""
    if value is None:
        raise ValueError("must not be null: leave the field out instead")
    return value


_WHOLE = BeforeValidator(_whole_number)
_UNIQUE_SCHEMA = Field(json_schema_extra={"uniqueItems": True})
Opt = Annotated[T | None, BeforeValidator(_not_null)]


class _Strict(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


class Person(_Strict):
    age: Annotated[int, Field(ge=12, le=110), _WHOLE]
    sex: Opt[Literal["female", "male", "other", "unspecified"]] = None


Activity = Literal[
    "cycling", "running", "rowing", "gym", "yoga", "walking", "football", "swimming", "other"
]


class DailyLife(_Strict):
    occupation: Opt[Annotated[str, Field(max_length=200)]] = None
    sitting_hours_per_day: Annotated[float, Field(ge=0, le=24)]
    longest_sitting_minutes: Opt[Annotated[int, Field(ge=0, le=1440), _WHOLE]] = None
    activities: Annotated[list[Activity], AfterValidator(_unique), _UNIQUE_SCHEMA] = []
    has_standing_desk: Opt[bool] = None


PainArea = Literal[
    "low_back",
    "buttock",
    "front_of_hip",
    "groin",
    "front_of_thigh",
    "back_of_thigh",
    "below_knee",
    "abdomen",
]
WorseWith = Literal[
    "prolonged_sitting",
    "standing_long",
    "walking",
    "rising_from_sitting",
    "bending_forward",
    "bending_backward",
    "lying_flat_legs_straight",
    "lying_on_stomach",
    "coughing_sneezing",
    "night_rest",
]
BetterWith = Literal["lying_knees_bent", "moving_about", "sitting", "stretching", "heat", "rest"]
Rating = Annotated[int, Field(ge=0, le=10), _WHOLE]


class Pain(_Strict):
    intensity_now: Rating
    intensity_worst_week: Opt[Rating] = None
    duration_weeks: Annotated[float, Field(ge=0, le=5200)]
    areas: Annotated[list[PainArea], Field(min_length=1), AfterValidator(_unique), _UNIQUE_SCHEMA]
    side: Literal["left", "right", "both", "central"]
    worse_with: Annotated[list[WorseWith], AfterValidator(_unique), _UNIQUE_SCHEMA] = []
    better_with: Annotated[list[BetterWith], AfterValidator(_unique), _UNIQUE_SCHEMA] = []
    numbness_or_tingling_below_knee: Opt[bool] = None


ResistedResult = Literal["normal", "weak", "painful", "weak_painful"]


class ResistedHipFlexion(_Strict):
    left: Opt[ResistedResult] = None
    right: Opt[ResistedResult] = None


class ThomasSide(_Strict):
    hip_angle_deg: Opt[Annotated[float, Field(ge=-40, le=60)]] = None
    knee_angle_deg: Opt[Annotated[float, Field(ge=0, le=160)]] = None


class ThomasTest(_Strict):
    left: Opt[ThomasSide] = None
    right: Opt[ThomasSide] = None


class Palpation(_Strict):
    left: Opt[bool] = None
    right: Opt[bool] = None


class Observations(_Strict):
    lumbar_exam_unremarkable: Opt[bool] = None
    cannot_stand_fully_upright: Opt[bool] = None
    increased_lumbar_lordosis: Opt[bool] = None
    short_stride_side: Opt[Literal["left", "right", "none"]] = None
    lateral_shift_side: Opt[Literal["left", "right", "none"]] = None
    resisted_hip_flexion: Opt[ResistedHipFlexion] = None
    thomas_test: Opt[ThomasTest] = None
    psoas_palpation_reproduces_pain: Opt[Palpation] = None


class RedFlags(_Strict):
    saddle_numbness: Opt[bool] = None
    new_bladder_or_bowel_dysfunction: Opt[bool] = None
    progressive_leg_weakness: Opt[bool] = None
    fever_or_feeling_unwell: Opt[bool] = None
    immunosuppressed_or_iv_drug_use: Opt[bool] = None
    history_of_cancer: Opt[bool] = None
    unexplained_weight_loss: Opt[bool] = None
    significant_trauma: Opt[bool] = None
    osteoporosis_or_long_term_steroids: Opt[bool] = None
    constant_night_pain: Opt[bool] = None
    pulsating_abdominal_mass: Opt[bool] = None


class Health(_Strict):
    recent_hip_flexor_injury: Opt[bool] = None
    pregnant: Opt[bool] = None
    recent_abdominal_or_hip_surgery: Opt[bool] = None
    abdominal_hernia: Opt[bool] = None
    known_aortic_aneurysm: Opt[bool] = None
    takes_anticoagulants: Opt[bool] = None
    hip_replacement: Opt[bool] = None


class EquipmentAndAbility(_Strict):
    can_get_down_to_floor: Opt[bool] = None
    can_kneel: Opt[bool] = None
    has_massage_gun: Opt[bool] = None
    has_release_tool: Opt[bool] = None
    has_table_or_firm_bed_edge: Opt[bool] = None


class Preferences(_Strict):
    minutes_per_day: Opt[Annotated[int, Field(ge=5, le=120), _WHOLE]] = None


class Intake(_Strict):
    """One person's intake, version 1. Absent optional fields mean "not asked or not known"."""

    version: Annotated[Literal[1], BeforeValidator(_version)]
    person: Person
    daily_life: DailyLife
    pain: Pain
    observations: Observations = Observations()
    red_flags: RedFlags = RedFlags()
    health: Health = Health()
    equipment_and_ability: EquipmentAndAbility = EquipmentAndAbility()
    preferences: Preferences = Preferences()


def describe_errors(error: ValidationError) -> list[str]:
    """One line per problem, each starting with the dotted path of the offending field."""
    return _describe(error, extra="is not a field of intake version 1")
