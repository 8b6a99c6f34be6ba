"""A request body over the limit is refused before it is read (issue 14): by its
Content-Length, or as it streams in without one; the answer carries the security headers."""

from __future__ import annotations

from collections.abc import Iterator

from tests.integration.conftest import Web

BIG = 1_000_001  # one byte over the default PSOAS_MAX_REQUEST_BYTES


def test_a_body_over_the_limit_is_refused_unread(web: Web) -> None:
    client = web.client()
    declared = client.post(
        "/api/v1/me/pain", content=b"x" * BIG, headers={"content-type": "application/json"}
    )
    assert declared.status_code == 413
    assert declared.json() == {"detail": "The request is too large."}
    assert declared.headers["x-content-type-options"] == "nosniff"

    def chunks() -> Iterator[bytes]:
        for _ in range(BIG // 65536 + 1):
            yield b"x" * 65536

    streamed = client.post(
        "/signin", content=chunks(), headers={"content-type": "application/x-www-form-urlencoded"}
    )
    assert streamed.status_code == 413


def test_a_body_within_the_limit_is_read_as_before(web: Web) -> None:
    client = web.client()
    small = client.post("/api/v1/me/pain", json={"score": 3})
    assert small.status_code == 401  # read and answered: nobody is signed in
    lying = client.post(
        "/api/v1/me/pain", content=b"{}", headers={"content-length": "not-a-number"}
    )
    assert lying.status_code in (400, 413)


def test_an_unexpected_fault_answers_500_with_the_security_headers(web: Web) -> None:
    from fastapi.testclient import TestClient

    def broken() -> None:
        raise RuntimeError("a fault nobody expected")

    web.app.add_api_route("/broken", broken)  # type: ignore[attr-defined]
    client = TestClient(web.app, raise_server_exceptions=False)  # type: ignore[arg-type]
    answer = client.get("/broken")
    assert answer.status_code == 500
    assert "a fault nobody expected" not in answer.text
    for header, value in (
        ("x-content-type-options", "nosniff"),
        ("x-frame-options", "DENY"),
        ("referrer-policy", "no-referrer"),
        ("cache-control", "no-store"),
    ):
        assert answer.headers[header] == value, header


def test_hostile_documents_answer_422_naming_the_field(web: Web) -> None:
    """Deep nesting, a number over 4,300 digits and a NUL character in text each answer 422
    naming where, never 500 (PostgreSQL cannot store a NUL)."""
    import json

    ann = web.sign_up("ann@example.org")
    cases = [
        ('{"activities": ' + "[" * 50_000 + "]" * 50_000 + "}", "(document)", "nest"),
        ('{"activities": [' + "9" * 5000 + "]}", "(document)", "number"),
        (
            json.dumps(
                {
                    "activities": [
                        {"activity": "wa\u0000lk", "score": 3},
                        {"activity": "sit", "score": 3},
                        {"activity": "drive", "score": 3},
                    ]
                }
            ),
            "activities[0].activity",
            "NUL",
        ),
    ]
    for body, field, word in cases:
        answer = ann.api(
            "POST", "/api/v1/me/psfs", content=body, headers={"content-type": "application/json"}
        )
        assert answer.status_code == 422, (field, answer.text[:200])
        (problem,) = answer.json()["detail"]
        assert problem["field"] == field and word in problem["message"], problem


def test_a_time_in_year_one_with_an_offset_is_refused_by_name(web: Web) -> None:
    """0001-01-01T00:00+05:00 is before the earliest UTC time Python can hold: 422 naming the
    field, not 500; so is a time before 1900."""
    from tests.integration.test_web_session import a_set, seed

    ann = web.sign_up("ann@example.org")
    seed(web, ann)
    step = ann.client.get("/api/v1/me/session-plan").json()["steps"][0]
    sid = ann.api("POST", "/api/v1/me/sessions", json={}).json()["id"]
    for n, when in enumerate(("0001-01-01T00:00:00+05:00", "1899-12-31T23:00:00Z")):
        key = f"3f0c8a52-0d8e-4c38-9b7e-1f6c2d7a9e0{n}"
        answer = ann.api(
            "POST", f"/api/v1/me/sessions/{sid}/sets", json=a_set(step, key, completed_at=when)
        )
        assert answer.status_code == 422, answer.text
        assert [p["field"] for p in answer.json()["detail"]] == ["completed_at"], answer.text
    for when in ("0001-01-01T00:00:00+05:00", "1899-12-31T23:00:00Z"):
        answer = ann.api("POST", "/api/v1/me/breaks", json={"kind": "taken", "at": when})
        assert answer.status_code == 422, answer.text
