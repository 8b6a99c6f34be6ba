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
