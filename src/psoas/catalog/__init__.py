"""The protocols, exercises, education cards and bibliography as data, loaded and validated
once."""

from __future__ import annotations

import functools
from importlib import resources
from typing import TYPE_CHECKING, Any

import yaml

from psoas.domain.catalog import Catalog

if TYPE_CHECKING:
    from psoas.domain.illustration import FigureLibrary

__all__ = ["load_catalog", "load_figures"]

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
    levels: dict[str, Any] = dict(_read("levels.yaml")["levels"])
    exercises = []
    for ex in merged["exercises"]:
        own = levels.pop(ex["id"], None)
        exercises.append({**ex, "levels": own} if own else ex)
    if levels:
        raise ValueError(f"levels.yaml: no exercise with the id {sorted(levels)}")
    merged["exercises"] = exercises
    return Catalog.model_validate(merged)


@functools.cache
def load_figures() -> FigureLibrary:
    """The exercise pictures: the base poses and one file per catalog item."""
    from psoas.domain.illustration import FigureLibrary

    folder = resources.files("psoas.catalog").joinpath("data", "figures")
    poses = _read("figures/_poses.yaml")["poses"]
    items = {}
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.endswith(".yaml") and not entry.name.startswith("_"):
            data = _read(f"figures/{entry.name}")
            if data.get("item") != entry.name.removesuffix(".yaml"):
                raise ValueError(f"figures/{entry.name}: item must match the file name")
            items[data["item"]] = data
    return FigureLibrary.model_validate({"poses": poses, "items": items})
