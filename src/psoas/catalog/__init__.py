"""The protocols, exercises, education cards and bibliography as data, loaded and validated
once."""

from __future__ import annotations

import functools
from importlib import resources
from typing import Any

import yaml

from psoas.domain.catalog import Catalog

__all__ = ["load_catalog"]

_FILES = (
    "catalog.yaml",
    "exercises.yaml",
    "clinician_options.yaml",
    "education.yaml",
    "references.yaml",
)


def _read(name: str) -> dict[str, Any]:
    text = resources.files("psoas.catalog").joinpath("data", name).read_text(encoding="utf-8")
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    data = yaml.load(text, Loader=loader)
    if not isinstance(data, dict):
        raise ValueError(f"{name}: expected a mapping at the top level")
    return data


@functools.cache
def load_catalog() -> Catalog:
    """The catalog shipped with this version of psoas, validated and cross-checked."""
    merged: dict[str, Any] = {}
    for name in _FILES:
        merged.update(_read(name))
    return Catalog.model_validate(merged)
