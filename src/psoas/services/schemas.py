"""The JSON Schemas psoas generates from its own models."""

from __future__ import annotations

from typing import Any, Literal

from psoas.domain.assessment import Assessment
from psoas.domain.intake import Intake

IDS = {"intake": "psoas.intake.v1", "assessment": "psoas.assessment.v1"}


def json_schema(name: Literal["intake", "assessment"] | str) -> dict[str, Any]:
    if name == "intake":
        schema = Intake.model_json_schema(mode="validation")
    elif name == "assessment":
        schema = Assessment.model_json_schema(mode="serialization")
    else:
        raise ValueError(f"unknown schema {name!r}")
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": IDS[name], **schema}
