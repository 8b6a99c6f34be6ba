"""schemathesis against the OpenAPI schema: no server error on generated input, for a signed-in
patient and a signed-in clinician (personal API tokens), on a real SQLite file."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings

from psoas.catalog import load_catalog
from psoas.domain.assess import assess
from psoas.services import accounts, tracking
from psoas.services.assessment import parse_intake
from psoas.web.app import create_app

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
NOW = datetime(2026, 11, 23, 9, tzinfo=UTC)
_tmp = tempfile.mkdtemp(prefix="psoas-fuzz-")
app = create_app(f"sqlite:///{_tmp}/fuzz.db", clock=lambda: NOW)


def _token(email: str, role: str) -> str:
    db = app.state.db
    user = accounts.sign_up(
        db,
        email=email,
        password="correct horse battery",
        display_name=role.title(),
        role=role,
        now=NOW,
    )  # type: ignore[arg-type]
    if role == "patient":
        intake = parse_intake((EXAMPLES / "office-worker.json").read_bytes())
        tracking.save_assessment(
            db,
            profile_name=user.profile_name,
            intake=intake,
            assessment=assess(intake, load_catalog()),
            now=NOW,
        )
    token = accounts.create_api_token(db, user=user, name="fuzz", now=NOW)
    assert re.match(r"^psoas_", token)
    return token


TOKENS = {
    "patient": _token("fuzz-patient@example.org", "patient"),
    "clinician": _token("fuzz-clinician@example.org", "clinician"),
}
schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)


@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_for_a_patient(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {TOKENS['patient']}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])


@schema.parametrize()
@settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_error_for_a_clinician(case) -> None:  # type: ignore[no-untyped-def]
    response = case.call(headers={"Authorization": f"Bearer {TOKENS['clinician']}"})
    assert response.status_code < 500, (case.method, case.path, response.text[:500])


def test_the_schema_lists_the_api() -> None:
    paths = TestClient(app).get("/api/openapi.json").json()["paths"]
    assert "/api/v1/me" in paths
