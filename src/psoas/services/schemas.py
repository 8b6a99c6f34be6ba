"""The JSON Schemas psoas generates from its own models."""

from __future__ import annotations

from typing import Any, Literal

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from psoas.domain.intake import Intake
from psoas.domain.results import Assessment


class _NoNulls(GenerateJsonSchema):
    """The intake's optional fields may be left out but never null (as in the contract)."""

    def nullable_schema(self, schema: core_schema.NullableSchema) -> JsonSchemaValue:
        return self.generate_inner(schema["schema"])

    def default_schema(self, schema: core_schema.WithDefaultSchema) -> JsonSchemaValue:
        inner = self.generate_inner(schema["schema"])
        return inner  # "default": null would contradict "no nulls"


IDS = {"intake": "psoas.intake.v1", "assessment": "psoas.assessment.v1"}


def json_schema(name: Literal["intake", "assessment"] | str) -> dict[str, Any]:
    if name == "intake":
        schema = Intake.model_json_schema(mode="validation", schema_generator=_NoNulls)
    elif name == "assessment":
        schema = Assessment.model_json_schema(mode="serialization")
    else:
        raise ValueError(f"unknown schema {name!r}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": IDS[name], **schema}
