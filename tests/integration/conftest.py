"""Web fixtures: the app on each database, a settable clock, and signed-in clients."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient

from psoas.web.app import create_app


def form_token(client: TestClient, path: str) -> str:
    """The CSRF token on a page's forms, as a browser gets it (with any cookie that goes along)."""
    page = client.get(path)
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match, f"no form token on {path}"
    return match.group(1)


def post_account_form(client: TestClient, path: str, data: dict, **kwargs):  # type: ignore[no-untyped-def]
    """Post the sign-in or sign-up form as a browser would: open it first, send its token."""
    return client.post(path, data={**data, "csrf_token": form_token(client, path)}, **kwargs)


@dataclass
class Clock:
    now: datetime = field(default_factory=lambda: datetime(2026, 11, 23, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Web:
    app: object
    clock: Clock

    def client(self) -> TestClient:
        return TestClient(self.app, base_url="http://testserver")  # type: ignore[arg-type]

    def sign_up(
        self, email: str, *, role: str = "patient", name: str | None = None, invite: str = ""
    ) -> SignedIn:
        client = self.client()
        response = post_account_form(
            client,
            "/signup",
            data={
                "email": email,
                "password": "correct horse battery",
                "display_name": name or email.split("@")[0].title(),
                "role": role,
                "invite": invite,
            },
            follow_redirects=False,
        )
        assert response.status_code == 303, response.text
        me = client.get("/api/v1/me").json()
        return SignedIn(client=client, id=me["id"], email=email, role=role)


@dataclass
class SignedIn:
    client: TestClient
    id: int
    email: str
    role: str

    def csrf(self) -> str:
        return form_token(self.client, "/account")

    def post(self, url: str, data: dict | None = None, **kwargs):  # type: ignore[no-untyped-def]
        """A form post with the CSRF token, as a browser would send it."""
        return self.client.post(url, data={**(data or {}), "csrf_token": self.csrf()}, **kwargs)

    def api(self, method: str, url: str, **kwargs):  # type: ignore[no-untyped-def]
        """A JSON API call from the signed-in browser session (CSRF in a header)."""
        headers = {"X-CSRF-Token": self.csrf(), **kwargs.pop("headers", {})}
        return self.client.request(method, url, headers=headers, **kwargs)


@pytest.fixture
def web(database_url: str) -> Iterator[Web]:
    clock = Clock()
    app = create_app(database_url, clock=clock)
    yield Web(app=app, clock=clock)
    app.state.db.close()
