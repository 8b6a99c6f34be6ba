"""Hypothesis strategies that generate documents valid against a JSON Schema.

Covers the subset the contracts use (objects with required and optional properties, const,
enum, bounded integers and numbers, booleans, bounded strings, arrays with unique items), so
the generated intakes are exactly the ones the contract allows.
"""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st


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
