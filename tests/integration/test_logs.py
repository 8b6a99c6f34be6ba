"""No health data or credential reaches a log (issue 14): a database fault is logged by its
kind, SQLSTATE and constraint, never with its values (emails, password hashes, names), though
PostgreSQL's own message repeats them; the person sees a plain 500 page with the security
headers. On SQLite and PostgreSQL."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert

from psoas.storage.tables import UserRow
from tests.integration.conftest import Web

SECRET_EMAIL = "private.person@example.org"
SECRET_HASH = "$argon2id$v=19$m=65536,t=3,p=4$c2VjcmV0$notarealhash"
ROW = {
    "email": SECRET_EMAIL,
    "password_hash": SECRET_HASH,
    "role": "patient",
    "display_name": "Private Person",
    "created_at": datetime(2026, 12, 4, tzinfo=UTC),
}


def test_a_database_fault_is_logged_without_its_values(
    web: Web, caplog: pytest.LogCaptureFixture
) -> None:
    db = web.app.state.db  # type: ignore[attr-defined]

    def insert_twice() -> None:
        for _ in range(2):  # the same email again: a unique violation
            with db.session() as s, s.begin():
                s.execute(insert(UserRow).values(**ROW))

    web.app.add_api_route("/api/v1/fault", insert_twice)  # type: ignore[attr-defined]
    web.app.add_api_route("/fault", insert_twice)  # type: ignore[attr-defined]
    caplog.set_level(logging.DEBUG)
    client = TestClient(web.app, raise_server_exceptions=False)  # type: ignore[arg-type]
    api = client.get("/api/v1/fault")
    assert api.status_code == 500 and api.json() == {"detail": "Something went wrong on our side."}
    with db.session() as s, s.begin():
        s.query(UserRow).filter(UserRow.email == SECRET_EMAIL).delete()
    page = client.get("/fault")
    assert page.status_code == 500 and "Something went wrong" in page.text
    assert page.headers["x-content-type-options"] == "nosniff"
    assert "database error IntegrityError" in caplog.text or "database error" in caplog.text
    everything = caplog.text + api.text + page.text
    for secret in (SECRET_EMAIL, SECRET_HASH, "Private Person"):
        assert secret not in everything
