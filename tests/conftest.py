"""Shared fixtures: the catalog, the contracts, and a builder for intakes."""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
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


@pytest.fixture(scope="session", autouse=True)
def _cheap_password_hashes() -> Iterator[None]:
    """argon2 at its lowest cost: the tests check the sign-in rules, not the hash's cost."""
    from argon2 import PasswordHasher

    from psoas.services import accounts

    previous = accounts.use_password_hasher(
        PasswordHasher(time_cost=1, memory_cost=8, parallelism=1, hash_len=16, salt_len=16)
    )
    yield
    accounts.use_password_hasher(previous)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


@pytest.fixture(scope="session")
def intake_schema() -> dict[str, Any]:
    return load_json(CONTRACTS / "intake-v1.schema.json")


@pytest.fixture(scope="session")
def assessment_schema() -> dict[str, Any]:
    return load_json(CONTRACTS / "assessment-v1.schema.json")


@pytest.fixture(autouse=True)
def _no_personal_data_dir(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Commands run in-process never touch the person's own psoas database: unless a test
    says otherwise, the default database is a file in the test's own directory."""
    monkeypatch.setenv("PSOAS_DATABASE_URL", f"sqlite:///{tmp_path / 'default.db'}")
    monkeypatch.delenv("PSOAS_PROFILE", raising=False)


# --- databases: every storage test runs on a SQLite file and on PostgreSQL ----------------------

import os  # noqa: E402

from psoas.storage.scratch import postgres_test_url, scratch_schema, unreachable  # noqa: E402

PG_URL = postgres_test_url()
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require_tool(command: str, package: str) -> str:
    """The path of a system tool a test needs: skipped without it, but a failure under CI."""
    import shutil

    path = shutil.which(command)
    if path is None:
        message = f"{command} is not installed: apt-get install {package}"
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    return path


def postgres_url_with_fresh_schema() -> Iterator[str]:
    """A PostgreSQL URL whose search_path is a new, empty schema, dropped afterwards."""
    problem = unreachable(PG_URL)
    if problem:
        message = (
            f"PostgreSQL is not reachable at {PG_URL} ({problem}). Start it, or point "
            "PSOAS_TEST_POSTGRES_URL at one, to run the PostgreSQL half of the storage tests."
        )
        if IN_CI:
            pytest.fail(message)
        pytest.skip(message)
    with scratch_schema(PG_URL, prefix="t") as url:
        yield url


@pytest.fixture(scope="session")
def migrated_sqlite(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One SQLite file migrated to head, made once per test process; tests get copies of it."""
    from sqlalchemy import text

    from psoas.storage.db import Database

    path = tmp_path_factory.mktemp("template") / "psoas.db"
    database = Database(f"sqlite:///{path}")
    with database.engine.connect() as conn:  # everything into the main file, none in the WAL
        conn.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    database.close()
    return path


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, migrated_sqlite: Path
) -> Iterator[str]:
    """A database at the latest schema: a copy of the migrated SQLite file, or a PostgreSQL
    schema of its own migrated from empty (opening it migrates; on the copy there is nothing
    left to do)."""
    if request.param == "sqlite":
        import shutil

        shutil.copyfile(migrated_sqlite, tmp_path / "psoas.db")
        yield f"sqlite:///{tmp_path / 'psoas.db'}"
    else:
        yield from postgres_url_with_fresh_schema()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database, for the tests of the migrations themselves."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.db'}"
    else:
        yield from postgres_url_with_fresh_schema()


@pytest.fixture
def db(database_url: str):  # type: ignore[no-untyped-def]
    from psoas.storage.db import Database

    database = Database(database_url)
    yield database
    database.close()
