"""Hypothesis strategies that generate documents valid against a JSON Schema, and intakes that
make the rare clinical conditions common.

:func:`from_schema` covers the subset the contracts use (objects with required and optional
properties, const, enum, bounded integers and numbers, booleans, bounded strings, arrays with
unique items), so the generated intakes are exactly the ones the contract allows.

Generated intakes almost always carry a red flag (there are fifteen of them, each present half
the time and true half of that), so programs would hardly ever be built. The strategies below
therefore also make *calm* intakes (every warning sign answered "no"), a fully answered low-risk
office worker (the person who does get belly pressure), and single changes that add exactly one
condition to either of them.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

Doc = dict[str, Any]
Change = Callable[[Doc], Doc]

CONTRACTS = Path(__file__).resolve().parents[1] / "contracts"
INTAKE_SCHEMAS: dict[int, dict[str, Any]] = {
    v: json.loads((CONTRACTS / f"intake-v{v}.schema.json").read_text()) for v in (1, 2)
}


def from_schema(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    kind = schema.get("type")
    if kind == "object":
        required = set(schema.get("required", ()))
        props = schema.get("properties", {})
        fixed = {k: from_schema(v) for k, v in props.items() if k in required}
        optional = {k: from_schema(v) for k, v in props.items() if k not in required}
        return st.fixed_dictionaries(fixed, optional=optional)
    if kind == "integer":
        return st.integers(schema.get("minimum"), schema.get("maximum"))
    if kind == "number":
        return st.one_of(
            st.integers(int(schema["minimum"]), int(schema["maximum"])),
            st.floats(schema["minimum"], schema["maximum"], allow_nan=False),
        )
    if kind == "boolean":
        return st.booleans()
    if kind == "string":
        return st.text(max_size=schema.get("maxLength", 50))
    if kind == "array":
        return st.lists(
            from_schema(schema["items"]),
            min_size=schema.get("minItems", 0),
            max_size=schema.get("maxItems", 10),
            unique=bool(schema.get("uniqueItems")),
        )
    raise ValueError(f"unsupported schema: {schema}")


# --- helpers over documents --------------------------------------------------------------------


def merge(base: Doc, changes: Doc) -> Doc:
    """``base`` with ``changes`` merged in, objects recursively (neither is modified)."""
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def section_fields(version: int, section: str) -> list[str]:
    """The field names of one top-level section of an intake contract."""
    return list(INTAKE_SCHEMAS[version]["properties"][section]["properties"])


def calm(doc: Doc) -> Doc:
    """The same intake with every warning-sign question of its version answered "no"."""
    flags = {name: False for name in section_fields(doc["version"], "red_flags")}
    return {**doc, "red_flags": flags}


def raw_intakes(version: int) -> st.SearchStrategy[Doc]:
    """Intakes exactly as the contract allows them (nearly always with a red flag)."""
    return from_schema(INTAKE_SCHEMAS[version])


def intake_documents(version: int) -> st.SearchStrategy[Doc]:
    """Half as generated, half calm, so that programs are built often."""
    raw = raw_intakes(version)
    return st.one_of(raw, raw.map(calm))


def any_intake_documents() -> st.SearchStrategy[Doc]:
    """Version 1 and version 2 intakes, raw and calm."""
    return st.one_of(intake_documents(1), intake_documents(2))


# --- a fully answered, low-risk person: the one who is offered belly pressure ------------------

ALL_NO_RED_FLAGS_V2: Doc = {name: False for name in section_fields(2, "red_flags")}
ALL_NO_HEALTH_V2: Doc = {name: False for name in section_fields(2, "health")}

ANSWERED_OFFICE_WORKER_V2: Doc = {
    "version": 2,
    "person": {"age": 38, "sex": "female"},
    "daily_life": {
        "occupation": "office administrator",
        "sitting_hours_per_day": 9,
        "longest_sitting_minutes": 120,
        "activities": ["walking"],
        "has_standing_desk": False,
    },
    "pain": {
        "intensity_now": 4,
        "intensity_worst_week": 6,
        "duration_weeks": 10,
        "areas": ["low_back", "front_of_hip"],
        "side": "right",
        "worse_with": ["prolonged_sitting", "rising_from_sitting"],
        "better_with": ["lying_knees_bent", "moving_about"],
        "numbness_or_tingling_below_knee": False,
        "leg_symptoms": {"left": "none", "right": "none"},
        "onset": "gradual",
        "morning_stiffness_minutes": 10,
    },
    "observations": {
        "lumbar_exam_unremarkable": True,
        "increased_lumbar_lordosis": True,
        "cannot_stand_fully_upright": False,
        "lateral_shift_side": "none",
        "thomas_test": {
            "left": {"hip_angle_deg": 2, "knee_angle_deg": 82},
            "right": {"hip_angle_deg": 14, "knee_angle_deg": 70},
            "pelvis_controlled": True,
        },
        "hip_joint_screen": {"left": "normal", "right": "normal"},
        "neurological_exam": "normal",
    },
    "red_flags": ALL_NO_RED_FLAGS_V2,
    "health": ALL_NO_HEALTH_V2,
    "equipment_and_ability": {
        "can_get_down_to_floor": True,
        "can_kneel": True,
        "has_massage_gun": True,
        "has_release_tool": True,
        "has_table_or_firm_bed_edge": True,
        "can_stand_unaided": True,
        "uses_wheelchair": False,
    },
    # time for everything: fitting to fewer minutes drops the release first (issue 9)
    "preferences": {"minutes_per_day": 60},
    "screening": {
        "start_back": {"total": 1, "psychosocial": 0},
        "concerns": [],
        "work_status": "working",
    },
}

# Harmless variations of that person that keep them low-risk, self-care and hip-flexor-likely.
_variations = st.fixed_dictionaries(
    {},
    optional={
        "person": st.fixed_dictionaries(
            {
                "age": st.integers(18, 45),
                "sex": st.sampled_from(["female", "male", "other", "unspecified"]),
            }
        ),
        "daily_life": st.fixed_dictionaries(
            {"sitting_hours_per_day": st.integers(6, 12)},
            optional={"activities": st.sampled_from([[], ["cycling"], ["walking", "gym"]])},
        ),
        "pain": st.fixed_dictionaries(
            {
                "intensity_now": st.integers(0, 6),
                "duration_weeks": st.integers(6, 260),
                "side": st.sampled_from(["left", "right", "central"]),
            }
        ),
        "observations": st.fixed_dictionaries(
            {
                "thomas_test": st.fixed_dictionaries(
                    {
                        "right": st.fixed_dictionaries(
                            {"hip_angle_deg": st.integers(12, 30), "knee_angle_deg": st.just(70)}
                        )
                    }
                )
            }
        ),
        "preferences": st.fixed_dictionaries({"minutes_per_day": st.integers(40, 120)}),
    },
)


def answered_low_risk_v2() -> st.SearchStrategy[Doc]:
    """The fully answered office worker, with harmless variations."""
    return _variations.map(lambda changes: merge(ANSWERED_OFFICE_WORKER_V2, changes))


def program_candidates_v2() -> st.SearchStrategy[Doc]:
    """People likely to get a program: the answered office worker, or a calm generated intake."""
    return st.one_of(answered_low_risk_v2(), raw_intakes(2).map(calm))


def changed(
    base: st.SearchStrategy[Doc], change: st.SearchStrategy[Change]
) -> st.SearchStrategy[Doc]:
    """``base`` documents with one drawn change applied."""
    return st.builds(lambda doc, fn: fn(copy.deepcopy(doc)), base, change)


def setting(changes: Doc) -> Change:
    return lambda doc: merge(doc, changes)


def adding_area(area: str) -> Change:
    def apply(doc: Doc) -> Doc:
        areas = list(doc["pain"]["areas"])
        if area not in areas:
            areas.append(area)
        return merge(doc, {"pain": {"areas": areas}})

    return apply


def removing(section: str, field: str) -> Change:
    def apply(doc: Doc) -> Doc:
        doc = copy.deepcopy(doc)
        doc.get(section, {}).pop(field, None)
        return doc

    return apply


def _health(**values: Any) -> Change:
    return setting({"health": values})


# --- the conditions that rule out belly pressure (issue 9, "The program") ----------------------

ANEURYSM_RISK_FACTORS = (
    "smoker_or_former_smoker",
    "high_blood_pressure",
    "heart_or_circulation_disease",
    "family_history_aortic_aneurysm",
)
#: Health questions whose answer must be known before anything presses into the belly.
BELLY_QUESTIONS = (
    "recent_abdominal_or_hip_surgery",
    "abdominal_hernia",
    "known_aortic_aneurysm",
    "takes_anticoagulants",
)


def _no_risk_factors_answered(doc: Doc) -> Doc:
    return merge(doc, {"health": {name: False for name in ANEURYSM_RISK_FACTORS}})


def belly_pressure_conditions() -> st.SearchStrategy[Change]:
    """One condition under which nothing may press into the belly."""
    risk = st.sampled_from(ANEURYSM_RISK_FACTORS)
    unanswered_belly = st.sampled_from(
        [*BELLY_QUESTIONS, "recent_hip_flexor_injury", "pregnant", "postpartum_within_6_months"]
    )

    def over_50_with(age: int, factor: str) -> Change:
        return lambda d: merge(
            _no_risk_factors_answered(d), {"person": {"age": age}, "health": {factor: True}}
        )

    def over_60_without(age: int, factor: str) -> Change:
        return lambda d: removing("health", factor)(
            merge(_no_risk_factors_answered(d), {"person": {"age": age}})
        )

    def unanswered(field: str) -> Change:
        def apply(d: Doc) -> Doc:
            d = removing("health", field)(d)
            if field in ("pregnant", "postpartum_within_6_months"):
                d = merge(d, {"person": {"sex": "female"}})
            return d

        return apply

    return st.one_of(
        st.just(setting({"person": {"sex": "female"}, "health": {"pregnant": True}})),
        st.just(
            setting({"person": {"sex": "female"}, "health": {"postpartum_within_6_months": True}})
        ),
        st.just(_health(known_aortic_aneurysm=True)),
        st.just(_health(takes_anticoagulants=True)),
        st.just(_health(recent_abdominal_or_hip_surgery=True)),
        st.just(_health(abdominal_hernia=True)),
        st.just(adding_area("abdomen")),
        st.just(setting({"red_flags": {"new_severe_abdominal_pain": True}})),
        st.just(_health(recent_hip_flexor_injury=True)),
        st.integers(12, 15).map(lambda age: setting({"person": {"age": age}})),
        st.integers(65, 110).map(lambda age: setting({"person": {"age": age, "sex": "male"}})),
        st.builds(over_50_with, st.integers(51, 110), risk),
        st.builds(over_60_without, st.integers(61, 110), risk),
        st.builds(
            lambda weeks, pain: setting({"pain": {"duration_weeks": weeks, "intensity_now": pain}}),
            st.floats(0, 5.9),
            st.integers(7, 10),
        ),
        unanswered_belly.map(unanswered),
    )


# --- cauda equina signs (issue 9, "Warning signs") ---------------------------------------------


def cauda_equina_signs(version: int) -> st.SearchStrategy[Change]:
    """One cauda equina sign, in the form the given intake version can express."""

    def v1_both_sides(numbness: bool) -> Change:
        def apply(d: Doc) -> Doc:
            d = merge(d, {"pain": {"side": "both"}})
            d["pain"].pop("leg_symptoms", None)  # the v1 form: no body chart per leg
            if numbness:
                return merge(d, {"pain": {"numbness_or_tingling_below_knee": True}})
            return adding_area("below_knee")(d)

        return apply

    signs = [
        st.just(setting({"red_flags": {"saddle_numbness": True}})),
        st.just(setting({"red_flags": {"new_bladder_or_bowel_dysfunction": True}})),
        st.booleans().map(v1_both_sides),
    ]
    if version == 2:
        signs += [
            st.just(setting({"red_flags": {"weakness_in_both_legs": True}})),
            st.just(setting({"red_flags": {"new_sexual_dysfunction_or_genital_numbness": True}})),
            st.sampled_from(["left", "right", "central", "both"]).map(
                lambda side: setting(
                    {
                        "pain": {
                            "side": side,
                            "leg_symptoms": {"left": "below_knee", "right": "below_knee"},
                        }
                    }
                )
            ),
        ]
    return st.one_of(*signs)


def calm_v1() -> st.SearchStrategy[Doc]:
    return raw_intakes(1).map(calm)


# --- red flags that hold the program, and a doctor's clearance of them (issue 13) -------------


def holding_red_flags() -> st.SearchStrategy[Change]:
    """One warning sign that withholds the program (urgent or emergency), or a cauda equina
    sign in the version 2 form."""
    urgent = [
        {"red_flags": {"progressive_leg_weakness": True}},
        {"red_flags": {"fever_or_feeling_unwell": True}},
        {"red_flags": {"significant_trauma": True}},
        {"red_flags": {"pulsating_abdominal_mass": True}},
        {"red_flags": {"history_of_cancer": True, "constant_night_pain": True}},
        {"red_flags": {"new_severe_abdominal_pain": True}},
        {"red_flags": {"fever_or_feeling_unwell": True, "immunosuppressed_or_iv_drug_use": True}},
    ]
    return st.one_of(st.sampled_from(urgent).map(setting), cauda_equina_signs(2))


def clearance_codes(fired: frozenset[str]) -> st.SearchStrategy[frozenset[str]]:
    """The codes a clinician records as cleared: every warning sign that fired, some of them,
    or some that did not fire at all (a clearance from an earlier picture)."""
    from psoas.domain.clearance import WITHHOLDING_CODES

    everything = sorted(WITHHOLDING_CODES)
    return st.one_of(
        st.just(fired),
        st.sets(st.sampled_from(sorted(fired) or everything)).map(frozenset),
        st.sets(st.sampled_from(everything), min_size=1).map(frozenset),
    )


# --- a clinic's own exercises (issue 13) -------------------------------------------------------


def custom_exercise_forms() -> st.SearchStrategy[Doc]:
    """What a clinician may write for a clinic exercise (psoas.services.custom_exercises
    .ExerciseForm): any kind, position, belly pressure, equipment, safety flags and
    contraindications, dosed by sets and reps or by minutes."""
    from typing import get_args

    from psoas.domain.catalog import Category, ConditionCode, Equipment, Position
    from psoas.services.custom_exercises import FLAG_WORDS

    dose = st.one_of(
        st.fixed_dictionaries(
            {
                "sets": st.integers(1, 5),
                "reps": st.integers(1, 20),
                "hold_seconds": st.one_of(st.none(), st.integers(1, 60)),
            }
        ),
        st.fixed_dictionaries({"minutes": st.sampled_from([0.5, 1, 2, 5])}),
    )
    return st.fixed_dictionaries(
        {
            "name": st.just("Clinic exercise"),
            "category": st.sampled_from(get_args(Category)),
            "position": st.sampled_from(get_args(Position)),
            "equipment": st.lists(st.sampled_from(get_args(Equipment)), unique=True, max_size=3),
            "abdominal_pressure": st.booleans(),
            "one_sided": st.booleans(),
            "targets": st.just(["hip flexors"]),
            "summary": st.just("A clinic's own exercise, for the tests."),
            "why": st.just(["It may help."]),
            "dose": dose,
            "steps": st.just(["Do it slowly."]),
            "contraindications": st.lists(
                st.sampled_from(get_args(ConditionCode)), unique=True, max_size=4
            ),
            "sources": st.just(["nice-ng59"]),
            "figure": st.just("seated-marching"),
            **{flag: st.booleans() for flag in FLAG_WORDS},
        }
    )
