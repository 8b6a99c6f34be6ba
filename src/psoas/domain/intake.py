"""The intake: one person's answers and examination findings (contracts ``intake-v1`` and
``intake-v2``).

:func:`parse` accepts exactly the documents that ``shared/contracts/intake-v1.schema.json`` or
``intake-v2.schema.json`` accept: types are strict (no ``"5"`` for 5, no ``true`` for 1), unknown
fields are refused, and lists must not repeat an item. A version 1 document is checked against
the version 1 models (so a version 2 field in it is refused) and then read into :class:`Intake`,
the version 2 model every rule reads: version 2 is version 1 plus optional fields, so nothing is
lost, and the rules never see a question as answered "no" when it was not asked.
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

from psoas.domain import errors

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
    if isinstance(value, bool) or value not in (1, 2):
        raise ValueError("must be 1 or 2 (the intake version)")
    return int(value)


def _version_1(value: Any) -> Any:
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
BetterWithV1 = Literal["lying_knees_bent", "moving_about", "sitting", "stretching", "heat", "rest"]
BetterWith = Literal[
    "lying_knees_bent", "moving_about", "sitting", "stretching", "heat", "rest", "bending_forward"
]
Rating = Annotated[int, Field(ge=0, le=10), _WHOLE]


class _PainBase(_Strict):
    intensity_now: Rating
    intensity_worst_week: Opt[Rating] = None
    duration_weeks: Annotated[float, Field(ge=0, le=5200)]
    areas: Annotated[list[PainArea], Field(min_length=1), AfterValidator(_unique), _UNIQUE_SCHEMA]
    side: Literal["left", "right", "both", "central"]
    worse_with: Annotated[list[WorseWith], AfterValidator(_unique), _UNIQUE_SCHEMA] = []
    numbness_or_tingling_below_knee: Opt[bool] = None


class PainV1(_PainBase):
    better_with: Annotated[list[BetterWithV1], AfterValidator(_unique), _UNIQUE_SCHEMA] = []


Reach = Literal["none", "above_knee", "below_knee"]


class LegSymptoms(_Strict):
    """How far pain, numbness or tingling spreads down each leg (a body chart per leg)."""

    left: Opt[Reach] = None
    right: Opt[Reach] = None


class Pain(_PainBase):
    better_with: Annotated[list[BetterWith], AfterValidator(_unique), _UNIQUE_SCHEMA] = []
    leg_symptoms: Opt[LegSymptoms] = None
    onset: Opt[Literal["sudden", "gradual"]] = None
    morning_stiffness_minutes: Opt[Annotated[int, Field(ge=0, le=600), _WHOLE]] = None


ResistedResult = Literal["normal", "weak", "painful", "weak_painful"]


class ResistedHipFlexion(_Strict):
    left: Opt[ResistedResult] = None
    right: Opt[ResistedResult] = None


class ThomasSide(_Strict):
    hip_angle_deg: Opt[Annotated[float, Field(ge=-40, le=60)]] = None
    knee_angle_deg: Opt[Annotated[float, Field(ge=0, le=160)]] = None


class ThomasTestV1(_Strict):
    left: Opt[ThomasSide] = None
    right: Opt[ThomasSide] = None


class ThomasTest(ThomasTestV1):
    pelvis_controlled: Opt[bool] = None


class Palpation(_Strict):
    left: Opt[bool] = None
    right: Opt[bool] = None


HipScreen = Literal["normal", "painful_or_limited"]


class HipJointScreen(_Strict):
    """Passive hip rotation or flexion-adduction-internal-rotation (FADIR), per side."""

    left: Opt[HipScreen] = None
    right: Opt[HipScreen] = None


class ObservationsV1(_Strict):
    lumbar_exam_unremarkable: Opt[bool] = None
    cannot_stand_fully_upright: Opt[bool] = None
    increased_lumbar_lordosis: Opt[bool] = None
    short_stride_side: Opt[Literal["left", "right", "none"]] = None
    lateral_shift_side: Opt[Literal["left", "right", "none"]] = None
    resisted_hip_flexion: Opt[ResistedHipFlexion] = None
    thomas_test: Opt[ThomasTestV1] = None
    psoas_palpation_reproduces_pain: Opt[Palpation] = None


class Observations(ObservationsV1):
    thomas_test: Opt[ThomasTest] = None
    hip_joint_screen: Opt[HipJointScreen] = None
    neurological_exam: Opt[Literal["normal", "abnormal", "not_done"]] = None


class RedFlagsV1(_Strict):
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


class RedFlags(RedFlagsV1):
    weakness_in_both_legs: Opt[bool] = None
    new_sexual_dysfunction_or_genital_numbness: Opt[bool] = None
    new_unsteady_walking: Opt[bool] = None
    new_severe_abdominal_pain: Opt[bool] = None


class HealthV1(_Strict):
    recent_hip_flexor_injury: Opt[bool] = None
    pregnant: Opt[bool] = None
    recent_abdominal_or_hip_surgery: Opt[bool] = None
    abdominal_hernia: Opt[bool] = None
    known_aortic_aneurysm: Opt[bool] = None
    takes_anticoagulants: Opt[bool] = None
    hip_replacement: Opt[bool] = None


class Health(HealthV1):
    smoker_or_former_smoker: Opt[bool] = None
    high_blood_pressure: Opt[bool] = None
    heart_or_circulation_disease: Opt[bool] = None
    family_history_aortic_aneurysm: Opt[bool] = None
    postpartum_within_6_months: Opt[bool] = None
    hip_replacement_cleared_for_exercise: Opt[bool] = None
    falls_or_poor_balance: Opt[bool] = None


class EquipmentAndAbilityV1(_Strict):
    can_get_down_to_floor: Opt[bool] = None
    can_kneel: Opt[bool] = None
    has_massage_gun: Opt[bool] = None
    has_release_tool: Opt[bool] = None
    has_table_or_firm_bed_edge: Opt[bool] = None


class EquipmentAndAbility(EquipmentAndAbilityV1):
    can_stand_unaided: Opt[bool] = None
    uses_wheelchair: Opt[bool] = None


class Preferences(_Strict):
    minutes_per_day: Opt[Annotated[int, Field(ge=5, le=120), _WHOLE]] = None


StartBackTotal = Annotated[int, Field(ge=0, le=9), _WHOLE]
Concern = Literal[
    "fear_that_moving_harms_the_back",
    "low_mood",
    "worry_about_work",
    "poor_sleep",
    "expects_pain_to_last",
]
WorkStatus = Literal[
    "working",
    "working_reduced_or_light_duties",
    "off_work_because_of_pain",
    "not_working_for_other_reasons",
    "retired",
    "student",
]


class StartBack(_Strict):
    """A STarT Back Screening Tool result scored elsewhere (its items are not part of psoas)."""

    total: StartBackTotal
    psychosocial: Annotated[int, Field(ge=0, le=5), _WHOLE]


class Screening(_Strict):
    start_back: Opt[StartBack] = None
    concerns: Annotated[list[Concern], AfterValidator(_unique), _UNIQUE_SCHEMA] = []
    work_status: Opt[WorkStatus] = None


class IntakeV1(_Strict):
    """The version 1 contract, used only to check a version 1 document before it is read."""

    version: Annotated[Literal[1], BeforeValidator(_version_1)]
    person: Person
    daily_life: DailyLife
    pain: PainV1
    observations: ObservationsV1 = ObservationsV1()
    red_flags: RedFlagsV1 = RedFlagsV1()
    health: HealthV1 = HealthV1()
    equipment_and_ability: EquipmentAndAbilityV1 = EquipmentAndAbilityV1()
    preferences: Preferences = Preferences()


class Intake(_Strict):
    """One person's intake, as version 2 (version 1 documents read into it unchanged).

    ``version`` keeps the version the document was written in, so the answer can be given in
    the same version. Absent optional fields mean "not asked or not known".
    """

    version: Annotated[Literal[1, 2], BeforeValidator(_version)]
    person: Person
    daily_life: DailyLife
    pain: Pain
    observations: Observations = Observations()
    red_flags: RedFlags = RedFlags()
    health: Health = Health()
    equipment_and_ability: EquipmentAndAbility = EquipmentAndAbility()
    preferences: Preferences = Preferences()
    screening: Screening = Screening()


def parse(data: Any) -> Intake:
    """Validate a version 1 or version 2 document exactly as its contract does.

    Raises :class:`pydantic.ValidationError` naming every offending field.
    """
    if isinstance(data, dict) and data.get("version") == 1 and data.get("version") is not True:
        IntakeV1.model_validate(data)
    return Intake.model_validate(data)


def describe_errors(error: ValidationError) -> list[str]:
    """One line per problem, each starting with the dotted path of the offending field."""
    version = "1" if error.title == IntakeV1.__name__ else "2"
    return errors.describe_errors(error, extra=f"is not a field of intake version {version}")
