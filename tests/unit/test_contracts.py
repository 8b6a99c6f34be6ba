"""The intake models accept exactly what intake-v1 or intake-v2 accepts, and each version's
assessment matches its own contract."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.domain.intake import describe_errors, parse
from tests.conftest import CONTRACTS, ROOT, load_json
from tests.strategies import from_schema

INTAKE_SCHEMAS = {v: load_json(CONTRACTS / f"intake-v{v}.schema.json") for v in (1, 2)}
INTAKE_VALIDATORS = {v: jsonschema.Draft202012Validator(s) for v, s in INTAKE_SCHEMAS.items()}
ASSESSMENT_VALIDATORS = {
    v: jsonschema.Draft202012Validator(load_json(CONTRACTS / f"assessment-v{v}.schema.json"))
    for v in (1, 2)
}
SHARED = ROOT.parent / "shared" / "contracts"

valid_intakes = st.one_of(from_schema(INTAKE_SCHEMAS[1]), from_schema(INTAKE_SCHEMAS[2]))
json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-100, 6000)
    | st.floats(-100, 6000, allow_nan=False)
    | st.sampled_from(["", "left", "low_back", "5", "true", "x" * 201]),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=2)
    ),
    max_leaves=4,
)


def _paths(doc: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(doc, dict):
        for key, value in doc.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            found += _paths(value, (*prefix, index))
    return found


def _set(doc: Any, path: tuple[Any, ...], value: Any) -> None:
    for part in path[:-1]:
        doc = doc[part]
    doc[path[-1]] = value


def test_the_copy_of_the_contracts_matches_shared() -> None:
    if not SHARED.exists():
        pytest.skip("../shared/contracts is not beside this checkout")
    for path in sorted(SHARED.glob("*.schema.json")):
        name = path.name
        assert json.loads((SHARED / name).read_text()) == load_json(CONTRACTS / name), name


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(valid_intakes)
def test_every_valid_intake_is_accepted_and_its_assessment_is_valid(doc: dict[str, Any]) -> None:
    intake = parse(doc)
    result = assess(intake, load_catalog()).model_dump(mode="json")
    assert result["version"] == doc["version"]
    ASSESSMENT_VALIDATORS[doc["version"]].validate(result)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(valid_intakes, st.data())
def test_model_and_contract_agree_on_mutated_intakes(doc: dict[str, Any], data: Any) -> None:
    mutated = copy.deepcopy(doc)
    paths = _paths(mutated)
    action = data.draw(st.sampled_from(["replace", "add", "remove"]))
    if action == "replace" and paths:
        _set(mutated, data.draw(st.sampled_from(paths)), data.draw(json_values))
    elif action == "add":
        containers = [p for p in [(), *paths] if isinstance(_get(mutated, p), dict)]
        where = data.draw(st.sampled_from(containers))
        key = data.draw(
            st.sampled_from(
                ["extra", "age", "left", "side", "areas", "version", "onset", "screening"]
            )
        )
        _get(mutated, where)[key] = data.draw(json_values)
    elif action == "remove" and paths:
        path = data.draw(st.sampled_from(paths))
        parent = _get(mutated, path[:-1])
        del parent[path[-1]]
    schema_ok = any(v.is_valid(mutated) for v in INTAKE_VALIDATORS.values())
    try:
        parse(mutated)
        model_ok = True
    except ValidationError as exc:
        model_ok = False
        lines = describe_errors(exc)
        assert lines and all(": " in line for line in lines)
    assert model_ok == schema_ok, mutated


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        doc = doc[part]
    return doc


def test_generated_schema_covers_every_contract_field() -> None:
    from psoas.services.schemas import json_schema

    ours = json.dumps(json_schema("intake"))
    for path in _paths(INTAKE_SCHEMAS[2]["properties"]):
        name = path[-1]
        if isinstance(name, str) and path[-2:-1] == ("properties",):
            assert f'"{name}"' in ours, name


# --- version 1 stays version 1 -----------------------------------------------------------------


def _sample(schema: dict[str, Any]) -> Any:
    """One valid value for a schema (the first choice everywhere)."""
    if "const" in schema:
        return schema["const"]
    if "enum" in schema:
        return schema["enum"][0]
    kind = schema["type"]
    if kind == "object":
        props = schema.get("properties", {})
        names = list(schema.get("required", ())) or list(props)[:1]
        return {name: _sample(props[name]) for name in names}
    if kind in ("integer", "number"):
        return schema.get("minimum", 0)
    if kind == "boolean":
        return True
    if kind == "array":
        return [_sample(schema["items"])]
    if kind == "string":
        return "x"
    raise ValueError(schema)


def _v2_only_fields(
    v2: dict[str, Any], v1: dict[str, Any] | None, prefix: tuple[str, ...] = ()
) -> list[tuple[tuple[str, ...], dict[str, Any]]]:
    """Every field of intake-v2 that intake-v1 does not have, with its schema."""
    found = []
    for name, sub in v2.get("properties", {}).items():
        path = (*prefix, name)
        old = (v1 or {}).get("properties", {}).get(name)
        if old is None:
            found.append((path, sub))
        elif sub.get("type") == "object":
            found += _v2_only_fields(sub, old, path)
    return found


V2_ONLY = [(p, s) for p, s in _v2_only_fields(INTAKE_SCHEMAS[2], INTAKE_SCHEMAS[1]) if p != ()]
V1_DOCUMENT: dict[str, Any] = {
    "version": 1,
    "person": {"age": 40},
    "daily_life": {"sitting_hours_per_day": 8},
    "pain": {"intensity_now": 4, "duration_weeks": 8, "areas": ["low_back"], "side": "central"},
}


def _with(doc: dict[str, Any], path: tuple[str, ...], value: Any) -> dict[str, Any]:
    out = copy.deepcopy(doc)
    node = out
    for part in path[:-1]:
        node = node.setdefault(part, {})
    node[path[-1]] = value
    return out


def test_the_version_2_fields_are_the_ones_the_readme_lists() -> None:
    names = {".".join(p) for p, _ in V2_ONLY}
    assert {
        "pain.leg_symptoms",
        "pain.onset",
        "pain.morning_stiffness_minutes",
        "observations.thomas_test.pelvis_controlled",
        "observations.hip_joint_screen",
        "observations.neurological_exam",
        "red_flags.weakness_in_both_legs",
        "red_flags.new_sexual_dysfunction_or_genital_numbness",
        "red_flags.new_unsteady_walking",
        "red_flags.new_severe_abdominal_pain",
        "health.postpartum_within_6_months",
        "equipment_and_ability.uses_wheelchair",
        "screening",
    } <= names


@pytest.mark.parametrize(("path", "schema"), V2_ONLY, ids=[".".join(p) for p, _ in V2_ONLY])
def test_a_version_1_document_with_a_version_2_field_is_refused_by_name(
    path: tuple[str, ...], schema: dict[str, Any]
) -> None:
    value = _sample(schema)
    v1 = _with(V1_DOCUMENT, path, value)
    if path[-1] == "pelvis_controlled":  # thomas_test exists in v1: only the new key is extra
        v1["observations"]["thomas_test"] = {"pelvis_controlled": value}
    assert not INTAKE_VALIDATORS[1].is_valid(v1), "the version 1 contract refuses it"
    with pytest.raises(ValidationError) as refused:
        parse(v1)
    dotted = ".".join(path)
    lines = describe_errors(refused.value)
    assert any(
        line.startswith(f"{dotted}: ") and "is not a field of intake version 1" in line
        for line in lines
    ), lines
    v2 = {**v1, "version": 2}
    assert INTAKE_VALIDATORS[2].is_valid(v2)
    assert parse(v2).version == 2


def test_bending_forward_eases_pain_only_in_version_2() -> None:
    v1 = _with(V1_DOCUMENT, ("pain", "better_with"), ["sitting", "bending_forward"])
    assert not INTAKE_VALIDATORS[1].is_valid(v1)
    with pytest.raises(ValidationError) as refused:
        parse(v1)
    lines = describe_errors(refused.value)
    assert any(line.startswith("pain.better_with") for line in lines), lines
    v2 = {**v1, "version": 2}
    assert "bending_forward" in parse(v2).pain.better_with


@pytest.mark.parametrize("version", [1, 2])
def test_each_version_is_answered_in_its_own_version(version: int) -> None:
    doc = {**V1_DOCUMENT, "version": version}
    result = assess(parse(doc), load_catalog()).model_dump(mode="json")
    assert result["version"] == version
    ASSESSMENT_VALIDATORS[version].validate(result)
    other = 3 - version
    assert not ASSESSMENT_VALIDATORS[other].is_valid(result)


@pytest.mark.parametrize("version", [0, 3, True, "2", 2.5])
def test_no_other_version_is_an_intake(version: Any) -> None:
    doc = {**V1_DOCUMENT, "version": version}
    assert not any(v.is_valid(doc) for v in INTAKE_VALIDATORS.values())
    with pytest.raises(ValidationError):
        parse(doc)
