"""Shared fixtures: the catalog, the contracts, and a builder for intakes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from psoas.catalog import load_catalog
from psoas.domain.catalog import Catalog
from psoas.domain.intake import Intake

ROOT = Path(__file__).resolve().parents[1]
CONTRACTS = ROOT / "contracts"
EXAMPLES = ROOT / "examples"

ALL_NO_RED_FLAGS = {
    "saddle_numbness": False,
    "new_bladder_or_bowel_dysfunction": False,
    "progressive_leg_weakness": False,
    "fever_or_feeling_unwell": False,
    "immunosuppressed_or_iv_drug_use": False,
    "history_of_cancer": False,
    "unexplained_weight_loss": False,
    "significant_trauma": False,
    "osteoporosis_or_long_term_steroids": False,
    "constant_night_pain": False,
    "pulsating_abdominal_mass": False,
}
ALL_NO_HEALTH = {
    "recent_hip_flexor_injury": False,
    "pregnant": False,
    "recent_abdominal_or_hip_surgery": False,
    "abdominal_hernia": False,
    "known_aortic_aneurysm": False,
    "takes_anticoagulants": False,
    "hip_replacement": False,
}
BASE: dict[str, Any] = {
    "version": 1,
    "person": {"age": 40, "sex": "female"},
    "daily_life": {"sitting_hours_per_day": 8, "occupation": "office"},
    "pain": {
        "intensity_now": 4,
        "duration_weeks": 8,
        "areas": ["low_back"],
        "side": "central",
    },
    "red_flags": ALL_NO_RED_FLAGS,
    "health": ALL_NO_HEALTH,
    "equipment_and_ability": {
        "can_get_down_to_floor": True,
        "can_kneel": True,
        "has_massage_gun": True,
        "has_release_tool": True,
        "has_table_or_firm_bed_edge": True,
    },
}


def merge(base: dict[str, Any], changes: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(base)
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = merge(out[key], value)
        else:
            out[key] = value
    return out


def intake_doc(**changes: Any) -> dict[str, Any]:
    """A valid self-care intake document with the given sections merged in."""
    return merge(BASE, changes)


def make_intake(**changes: Any) -> Intake:
    return Intake.model_validate(intake_doc(**changes))


def load_json(path: Path) -> Any:
    return json.loads(path.read_text())


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def intake_schema() -> dict[str, Any]:
    return load_json(CONTRACTS / "intake-v1.schema.json")


@pytest.fixture(scope="session")
def assessment_schema() -> dict[str, Any]:
    return load_json(CONTRACTS / "assessment-v1.schema.json")
