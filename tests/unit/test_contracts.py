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
